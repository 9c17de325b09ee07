"""The demo's pure parts: ports, the processes' environment, the scripted orders and the check of
an order's journey against its scenario."""

from __future__ import annotations

import dataclasses
import io
import socket
import stat
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode

from cli.common import CliError
from cli.demo import Demo, DemoOptions
from cli.demo_orders import (
    ADDRESS_TYPE_KEY,
    LINES_PER_ORDER,
    SCENARIOS,
    Journey,
    JourneyDelivery,
    JourneyFulfilment,
    JourneyInvoice,
    JourneyLine,
    JourneyParcel,
    cart_draft,
    check_scenarios,
    current_status,
    journey_problems,
    plan_orders,
    wait_for_outcome,
)
from cli.demo_stack import (
    CONNECTOR_ENV_PREFIXES,
    PORT_SETTINGS,
    DemoPorts,
    DemoTopology,
    base_environment,
    resolve_ports,
    write_env_file,
)
from connector.config import OrderPolicy, load_settings
from connector.events import ORDER_MESSAGE_TYPES
from connector.sync_control import SyncAlreadyRunningError
from connector.syncs import RunningSync, SyncKind, SyncMode, SyncResult
from sandbox.commercetools.config import PushTarget
from sandbox.commercetools.resources.carts import CartDraft
from sandbox.seed import SeedSize, generate

SEED = generate(SeedSize.demo())
ALL_FREE = {setting.name: 0 for setting in PORT_SETTINGS}


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


# --- ports ----------------------------------------------------------------------------------------


def test_zero_picks_distinct_free_ports() -> None:
    ports = dataclasses.asdict(resolve_ports(ALL_FREE, {}))
    assert len(set(ports.values())) == len(PORT_SETTINGS)
    assert all(port > 0 for port in ports.values())


def test_a_flag_beats_the_environment_which_beats_the_default() -> None:
    flagged, from_env = resolve_ports(ALL_FREE, {}).fluent, resolve_ports(ALL_FREE, {}).connector
    environ = {"DEMO_FLUENT_PORT": "1", "DEMO_CONNECTOR_PORT": str(from_env)}
    ports = resolve_ports({**ALL_FREE, "fluent": flagged, "connector": None}, environ)
    assert (ports.fluent, ports.connector) == (flagged, from_env)


def test_the_defaults_are_documented_ports() -> None:
    defaults = {setting.name: setting.default for setting in PORT_SETTINGS}
    assert defaults == {
        "temporal": 7233,
        "temporal_ui": 8233,
        "commercetools": 8081,
        "fluent": 8082,
        "connector": 8080,
    }
    assert [s.env for s in PORT_SETTINGS] == [
        "DEMO_TEMPORAL_PORT",
        "DEMO_UI_PORT",
        "DEMO_COMMERCETOOLS_PORT",
        "DEMO_FLUENT_PORT",
        "DEMO_CONNECTOR_PORT",
    ]


def test_a_port_in_use_is_named_with_its_component_and_how_to_change_it(taken_port: int) -> None:
    with pytest.raises(CliError) as error:
        resolve_ports({**ALL_FREE, "commercetools": taken_port}, {})
    message = str(error.value)
    assert f"port {taken_port} on 127.0.0.1 is already in use" in message
    assert "commercetools sandbox" in message
    assert "--commercetools-port" in message
    assert "DEMO_COMMERCETOOLS_PORT" in message
    assert "\n" not in message


def test_one_port_for_two_components_is_refused() -> None:
    port = resolve_ports(ALL_FREE, {}).fluent
    with pytest.raises(CliError, match="both the commercetools sandbox and the Fluent sandbox"):
        resolve_ports({**ALL_FREE, "commercetools": port, "fluent": port}, {})


@pytest.mark.parametrize(
    ("flags", "environ", "problem"),
    [
        ({"temporal": 70000}, {}, "--temporal-port must be between 0 and 65535, got 70000"),
        ({"temporal": -1}, {}, "--temporal-port must be between 0 and 65535, got -1"),
        ({"temporal_ui": None}, {"DEMO_UI_PORT": "web"}, "DEMO_UI_PORT must be a port number"),
    ],
)
def test_bad_port_values_are_named(
    flags: dict[str, int | None], environ: dict[str, str], problem: str
) -> None:
    with pytest.raises(CliError, match=problem):
        resolve_ports({**ALL_FREE, **flags}, environ)


# --- the processes' environment -------------------------------------------------------------------


def topology(tmp_path: Path) -> DemoTopology:
    ports = DemoPorts(
        temporal=7301, temporal_ui=8301, commercetools=8401, fluent=8402, connector=8403
    )
    return DemoTopology(ports=ports, state_dir=tmp_path, autopilot_interval=1.0)


def test_nothing_of_the_callers_connector_settings_reaches_the_processes() -> None:
    environ = {
        "PATH": "/usr/bin",
        "HOME": "/home/me",
        "CT_API_URL": "https://api.europe-west1.gcp.commercetools.com",
        "FLUENT_HOST": "https://acme.api.fluentretail.com",
        "TEMPORAL_API_KEY": "cloud-key",
        "CONNECTOR_WEBHOOK_PORT": "9000",
        "ORDERS_SOURCING_MODE": "fluent",
        "SYNC_CURRENCY": "CHF",
    }
    env = base_environment(environ)
    assert not [name for name in env if name.startswith(CONNECTOR_ENV_PREFIXES)]
    assert (env["PATH"], env["HOME"], env["PYTHONUNBUFFERED"]) == ("/usr/bin", "/home/me", "1")
    assert Path(env["PYTHONPATH"], "starter.py").is_file()


def test_the_connector_env_is_a_complete_configuration_pointing_at_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = topology(tmp_path)
    monkeypatch.chdir(tmp_path)
    for name, value in demo.connector_env("PUBLIC-KEY").items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.commercetools.resolved_api_url == "http://127.0.0.1:8401"
    assert settings.commercetools.resolved_auth_url == "http://127.0.0.1:8401"
    assert settings.fluent.base_url == "http://127.0.0.1:8402"
    assert settings.fluent.webhook_public_keys == ["PUBLIC-KEY"]
    assert settings.fluent.network_ref == "NETWORK_DEMO"
    assert settings.connector.webhook_port == 8403
    token = settings.connector.commercetools_events_token
    assert token is not None
    assert token.get_secret_value() == demo.events_token
    assert settings.orders.order_export_channel_key == "fluent-order-export"


def test_every_demo_has_its_own_events_token(tmp_path: Path) -> None:
    assert topology(tmp_path).events_token != topology(tmp_path).events_token


def test_the_push_subscriptions_send_order_and_catalog_messages_with_the_token(
    tmp_path: Path,
) -> None:
    demo = topology(tmp_path)
    targets = [PushTarget.model_validate(target) for target in demo.push_targets()]
    assert {t.url for t in targets} == {"http://127.0.0.1:8403/commercetools/events"}
    assert all(t.token and t.token.get_secret_value() == demo.events_token for t in targets)
    orders, catalog = targets
    assert orders.wants({"type": "OrderCreated", "resource": {"typeId": "order"}})
    assert not orders.wants({"type": "DeliveryAdded", "resource": {"typeId": "order"}})
    assert set(orders.message_types) == set(ORDER_MESSAGE_TYPES)
    assert catalog.wants({"type": "ProductPublished", "resource": {"typeId": "product"}})
    assert catalog.wants({"type": "CategoryCreated", "resource": {"typeId": "category"}})
    inventory: dict[str, object] = {
        "type": "InventoryEntryCreated",
        "resource": {"typeId": "inventory-entry"},
    }
    assert not catalog.wants(inventory)


def test_the_env_file_sources_in_a_shell_and_only_its_owner_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "demo.env"
    values = {"CT_CLIENT_SECRET": "s3cret", "FLUENT_WEBHOOK_PUBLIC_KEYS": "MIIB+/=="}
    write_env_file(path, values)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    shell = subprocess.run(
        ["sh", "-c", f'set -a; . "{path}"; set +a; env'],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    exported = dict(line.split("=", 1) for line in shell.stdout.splitlines() if "=" in line)
    assert exported.items() >= values.items()


# --- scripted orders ------------------------------------------------------------------------------


def test_every_scenario_names_active_locations_of_the_demo_network() -> None:
    check_scenarios(SEED)


def test_a_scenario_naming_an_inactive_location_is_refused() -> None:
    locations = tuple(
        dataclasses.replace(location, status="INACTIVE") if location.ref == "WH-005" else location
        for location in SEED.locations
    )
    with pytest.raises(ValueError, match=r"cc-transfer names inactive or unknown \['WH-005'\]"):
        check_scenarios(dataclasses.replace(SEED, locations=locations))


@given(st.integers(min_value=0, max_value=120))
def test_orders_cycle_through_the_scenarios_and_never_share_stock_with_recent_ones(
    count: int,
) -> None:
    orders = plan_orders(count, SEED)
    assert [o.index for o in orders] == list(range(1, count + 1))
    assert [o.scenario for o in orders] == [SCENARIOS[i % len(SCENARIOS)] for i in range(count)]
    assert len({o.number for o in orders}) == count
    skus = list(SEED.skus)
    window = len(skus) // LINES_PER_ORDER  # orders this close never compete for a SKU
    for order in orders:
        assert len(order.skus) == len(order.scenario.quantities)
        assert set(order.skus) <= set(skus)
        for other in orders[order.index : order.index + window - 1]:
            assert not set(order.skus) & set(other.skus)


def test_orders_are_numbered_for_people() -> None:
    assert [o.number for o in plan_orders(2, SEED)] == ["DEMO-0001", "DEMO-0002"]


def _draft(scenario_key: str) -> dict[str, Any]:
    index = next(i for i, s in enumerate(SCENARIOS, start=1) if s.key == scenario_key)
    return cart_draft(plan_orders(index, SEED)[-1], OrderPolicy())


@pytest.mark.parametrize("scenario", [s.key for s in SCENARIOS])
def test_every_cart_is_one_the_commercetools_api_accepts(scenario: str) -> None:
    CartDraft.model_validate(_draft(scenario))


def test_a_home_delivery_cart_has_the_shoppers_coordinates_and_no_pickup_location() -> None:
    draft = _draft("hd-one-store")
    assert "custom" not in draft
    assert draft["shippingMethod"]["key"] == "standard"
    assert draft["shippingAddress"]["custom"] == {
        "type": {"typeId": "type", "key": ADDRESS_TYPE_KEY},
        "fields": {"latitude": 52.5219, "longitude": 13.4132},
    }
    assert [line["quantity"] for line in draft["lineItems"]] == [2, 1]
    assert draft["customerEmail"] == "anna.schmidt@example.com"


def test_a_click_and_collect_cart_names_the_pickup_store_in_the_connectors_order_field() -> None:
    draft = _draft("cc-transfer")
    policy = OrderPolicy()
    assert draft["shippingMethod"]["key"] == "click-collect"
    assert draft["custom"] == {
        "type": {"typeId": "type", "key": policy.order_type_key},
        "fields": {policy.pickup_location_field: "ST-004"},
    }


# --- journeys -------------------------------------------------------------------------------------

HD_ONE_STORE = SCENARIOS[0]


def good_journey(**changes: Any) -> Journey:
    """What `hd-one-store` must look like at the end: one fulfilment at ST-001, delivered with a
    tracked parcel, invoiced, everything complete."""
    journey = Journey(
        scenario="hd-one-store",
        title=HD_ONE_STORE.title,
        ct_order_id="o-1",
        ct_order_number="DEMO-0001",
        workflow_id="order-o-1",
        workflow_status="COMPLETED",
        fluent_order_ref="DEMO-0001",
        fluent_status="COMPLETE",
        fluent_fulfilment_count=1,
        order_state="Complete",
        shipment_state="Delivered",
        ordered={"SKU-A": 2, "SKU-B": 1},
        fulfilments=(
            JourneyFulfilment(
                ref="DEMO-0001-F1",
                kind="HD",
                location_ref="ST-001",
                location_name="Berlin Store 1",
                status="COMPLETE",
                lines=(
                    JourneyLine(sku="SKU-A", requested=2, filled=2, rejected=0),
                    JourneyLine(sku="SKU-B", requested=1, filled=1, rejected=0),
                ),
                invoice_ref="INV-DEMO-0001-F1",
            ),
        ),
        deliveries=(
            JourneyDelivery(
                key="DEMO-0001-F1",
                items={"SKU-A": 2, "SKU-B": 1},
                parcels=(JourneyParcel(key="P1", carrier="DHL", tracking_id="T1"),),
                invoice_ref="INV-DEMO-0001-F1",
            ),
        ),
        invoices=(
            JourneyInvoice(
                ref="INV-DEMO-0001-F1", fulfilment_ref="DEMO-0001-F1", found_in_fluent=True
            ),
        ),
    )
    return journey.model_copy(update=changes)


def test_a_journey_that_went_to_plan_has_no_problem() -> None:
    assert journey_problems(HD_ONE_STORE, good_journey()) == []


def _fulfilment(**changes: Any) -> tuple[JourneyFulfilment, ...]:
    return (good_journey().fulfilments[0].model_copy(update=changes),)


def _delivery(**changes: Any) -> tuple[JourneyDelivery, ...]:
    return (good_journey().deliveries[0].model_copy(update=changes),)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"workflow_status": "FAILED"}, "the order workflow is FAILED, not COMPLETED"),
        ({"workflow_status": "RUNNING"}, "the order workflow is RUNNING, not COMPLETED"),
        ({"issues": ("STALLED: no news",)}, "the workflow reports an issue: STALLED: no news"),
        ({"fluent_status": "ESCALATED"}, "the Fluent order is ESCALATED, not COMPLETE"),
        ({"fluent_status": None}, "the Fluent order is missing, not COMPLETE"),
        ({"order_state": "Confirmed"}, "the commercetools order is Confirmed, not Complete"),
        ({"shipment_state": "Partial"}, "the shipment state is Partial, not Delivered"),
        (
            {"fulfilments": _fulfilment(location_ref="ST-003")},
            "fulfilments [('ST-003', 'HD')], expected [('ST-001', 'HD')]",
        ),
        ({"fluent_fulfilment_count": 2}, "Fluent holds 2 fulfilments, the workflow knows 1"),
        (
            {"fulfilments": _fulfilment(status="SHIPPED")},
            "fulfilment DEMO-0001-F1 ended SHIPPED, not COMPLETE",
        ),
        ({"deliveries": _delivery(parcels=())}, "delivery DEMO-0001-F1 has no parcel"),
        (
            {"deliveries": _delivery(parcels=(JourneyParcel(key="P1", carrier="DHL"),))},
            "parcel P1 of delivery DEMO-0001-F1 has no tracking number",
        ),
        (
            {"deliveries": _delivery(items={"SKU-A": 1, "SKU-B": 1})},
            "SKU-A: 1 delivered of 2 ordered",
        ),
        (
            {"deliveries": _delivery(items={"SKU-A": 2, "SKU-B": 2})},
            "SKU-B: 2 delivered of 1 ordered",
        ),
        ({"deliveries": ()}, "SKU-A: 0 delivered of 2 ordered"),
        ({"invoices": ()}, "fulfilment DEMO-0001-F1 shipped without an invoice"),
        (
            {
                "invoices": (
                    JourneyInvoice(
                        ref="INV-DEMO-0001-F1",
                        fulfilment_ref="DEMO-0001-F1",
                        found_in_fluent=False,
                    ),
                )
            },
            "invoice INV-DEMO-0001-F1 is not in Fluent",
        ),
        (
            {"deliveries": _delivery(invoice_ref=None)},
            "the delivery of DEMO-0001-F1 does not name invoice INV-DEMO-0001-F1",
        ),
    ],
)
def test_each_way_a_journey_can_go_wrong_is_named(changes: dict[str, Any], problem: str) -> None:
    problems = journey_problems(HD_ONE_STORE, good_journey(**changes))
    assert problem in problems


def test_a_fulfilment_that_filled_nothing_needs_no_invoice() -> None:
    rejected = JourneyFulfilment(
        ref="DEMO-0001-R1",
        kind="REJECTED",
        location_ref=None,
        location_name=None,
        status="COMPLETE",
        lines=(JourneyLine(sku="SKU-A", requested=1, filled=0, rejected=1),),
        invoice_ref=None,
    )
    journey = good_journey(fulfilments=(*good_journey().fulfilments, rejected))
    problems = journey_problems(HD_ONE_STORE, journey)
    assert not [p for p in problems if "invoice" in p]
    expected = "fulfilments [('-', 'REJECTED'), ('ST-001', 'HD')], expected [('ST-001', 'HD')]"
    assert expected in problems


def test_journeys_print_as_camel_case_json() -> None:
    dumped = good_journey().model_dump(mode="json", by_alias=True)
    assert dumped["ctOrderNumber"] == "DEMO-0001"
    assert dumped["fulfilments"][0]["locationRef"] == "ST-001"
    assert dumped["deliveries"][0]["parcels"][0]["trackingId"] == "T1"
    assert dumped["invoices"][0]["foundInFluent"] is True


# --- the syncs the demo runs ----------------------------------------------------------------------


Output = tuple[int, str, str]  # exit code, stdout, stderr


def demo_run(tmp_path: Path, outputs: list[Output]) -> tuple[Demo, list[tuple[str, ...]]]:
    """A demo whose `starter.py` children answer `outputs` in turn; also what they were asked."""
    options = DemoOptions(
        check=False,
        orders=0,
        exit_when_done=True,
        as_json=True,
        timeout=1.0,
        topology=topology(tmp_path),
    )
    demo = Demo(options, Console(file=io.StringIO()))
    asked: list[tuple[str, ...]] = []

    async def starter(stack: Any, *argv: str) -> Output:
        asked.append(argv)
        return outputs.pop(0)

    demo._starter = starter  # type: ignore[method-assign]
    return demo, asked


def sync_json(kind: SyncKind) -> str:
    moment = datetime(2026, 11, 29, tzinfo=UTC)
    return SyncResult(
        kind=kind, mode=SyncMode.FULL, status="completed", started_at=moment, finished_at=moment
    ).model_dump_json()


async def test_a_sync_refused_because_one_is_going_is_started_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cli.demo.SYNC_RETRY_SECONDS", 0.0)
    going = RunningSync(workflow_id="sync-catalog", run_id="1", started_at=None)
    busy = (1, "", f"Not started: {SyncAlreadyRunningError(SyncKind.CATALOG, going)}")
    demo, asked = demo_run(tmp_path, [busy, (0, sync_json(SyncKind.CATALOG), "")])
    result = await demo._sync(stack=None, kind=SyncKind.CATALOG)  # type: ignore[arg-type]
    assert result.kind is SyncKind.CATALOG
    assert asked == [("sync", "catalog", "--full", "--json")] * 2


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ((1, "", "Traceback ...\nKeyError: 'x'"), "KeyError: 'x'"),
        ((2, "", "error: cannot reach Temporal: connection refused"), "cannot reach Temporal"),
        ((0, "not json", ""), "not json"),
    ],
)
async def test_a_sync_that_fails_otherwise_stops_the_demo_with_its_reason(
    tmp_path: Path, output: Output, reason: str
) -> None:
    demo, asked = demo_run(tmp_path, [output])
    with pytest.raises(
        CliError, match=f"the catalog sync \\(exit code {output[0]}\\) failed: .*{reason}"
    ):
        await demo._sync(stack=None, kind=SyncKind.CATALOG)  # type: ignore[arg-type]
    assert len(asked) == 1


# --- where an order's workflow stands -------------------------------------------------------------


class FakeWorkflow:
    """The parts of a workflow handle (and its client) the demo reads: `describe`, `query` and
    `result` each answer their value, or raise it when it is an exception."""

    def __init__(self, status: WorkflowExecutionStatus | Exception, **answers: object) -> None:
        self.status = status
        self.answers = answers

    @property
    def client(self) -> Any:
        """Itself, as the client whose `get_workflow_handle` answers this workflow."""
        return self

    def get_workflow_handle(self, workflow_id: str, **kwargs: Any) -> FakeWorkflow:
        return self

    async def _answer(self, name: str) -> Any:
        answer = self.answers[name]
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def describe(self) -> Any:
        if isinstance(self.status, Exception):
            raise self.status
        return SimpleNamespace(status=self.status)

    async def query(self, *args: Any, **kwargs: Any) -> Any:
        return await self._answer("query")

    async def result(self) -> Any:
        return await self._answer("result")


def rpc_error(status: RPCStatusCode) -> RPCError:
    return RPCError(status.name, status, b"")


@pytest.mark.parametrize(
    ("workflow", "state"),
    [
        (FakeWorkflow(rpc_error(RPCStatusCode.NOT_FOUND)), "NOT_STARTED"),
        (FakeWorkflow(rpc_error(RPCStatusCode.UNAVAILABLE)), "UNKNOWN"),
        # A running workflow whose status query no worker answered is still running.
        (
            FakeWorkflow(
                WorkflowExecutionStatus.RUNNING, query=rpc_error(RPCStatusCode.DEADLINE_EXCEEDED)
            ),
            "RUNNING",
        ),
    ],
)
async def test_an_order_that_did_not_end_in_time_is_reported_as_it_stands(
    workflow: FakeWorkflow, state: str
) -> None:
    assert await current_status(workflow.client, "order-o-1") == (state, None)


async def test_an_order_that_did_not_end_in_time_shows_its_status_query() -> None:
    status = object()
    workflow = FakeWorkflow(WorkflowExecutionStatus.RUNNING, query=status)
    assert await current_status(workflow.client, "order-o-1") == ("RUNNING", status)


@pytest.mark.parametrize(
    "ended", [WorkflowExecutionStatus.FAILED, WorkflowExecutionStatus.TERMINATED]
)
async def test_an_order_workflow_that_did_not_complete_is_named_by_how_it_ended(
    ended: WorkflowExecutionStatus,
) -> None:
    failure = WorkflowFailureError(cause=RuntimeError(ended.name))
    workflow = FakeWorkflow(ended, result=failure)
    assert await wait_for_outcome(workflow.client, "order-o-1") == (ended.name, None)
