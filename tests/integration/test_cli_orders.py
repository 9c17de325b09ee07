"""The order commands of `starter.py` against the Temporal dev server and the commercetools
sandbox over HTTP, with a worker serving a fake order workflow and the real poller and
reconciliation workflows. Settings come from the environment, as for an operator."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from rich.console import Console
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

import starter
from activities.intake import ReconcileResult
from cli import orders as order_commands
from cli.common import CliError
from connector.config import load_settings
from connector.orders import order_workflow_id
from sandbox.common.serving import RunningServer, serve_in_thread
from tests.intake_support import (
    FakeOrderWorkflow,
    SandboxShop,
    finish,
    intake_activities,
    sandbox_app,
)
from workflows.messages_poller import MessagesPollerWorkflow
from workflows.reconcile import ReconcileOrdersWorkflow

pytestmark = pytest.mark.integration

TASK_QUEUE = f"cli-orders-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def commercetools_app() -> FastAPI:
    return sandbox_app()


@pytest.fixture(scope="module")
def commercetools_server(commercetools_app: FastAPI) -> Iterator[RunningServer]:
    with serve_in_thread(commercetools_app, name="cli-commercetools") as server:
        yield server


@pytest.fixture(scope="module")
def environment(
    commercetools_server: RunningServer, dev_env: WorkflowEnvironment, tmp_path_factory: Any
) -> Iterator[None]:
    values = {
        "CT_PROJECT_KEY": "shop",
        "CT_CLIENT_ID": "sandbox-client",
        "CT_CLIENT_SECRET": "sandbox-secret",
        "CT_API_URL": commercetools_server.url,
        "CT_AUTH_URL": commercetools_server.url,
        "FLUENT_HOST": "http://127.0.0.1:9",
        "FLUENT_ACCOUNT_ID": "ACME",
        "FLUENT_RETAILER_ID": "1",
        "FLUENT_CLIENT_ID": "fl",
        "FLUENT_CLIENT_SECRET": "fl-secret",
        "FLUENT_USERNAME": "user",
        "FLUENT_PASSWORD": "pw",
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "TEMPORAL_ORDER_TASK_QUEUE": TASK_QUEUE,
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("cli"))  # no stray .env
        for name, value in values.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="module")
async def shop(
    environment: None, commercetools_app: FastAPI, dev_env: WorkflowEnvironment
) -> AsyncIterator[SandboxShop]:
    settings = load_settings()
    async with (
        intake_activities(dev_env.client, settings, app=commercetools_app) as (
            intake,
            shop,
        ),
        Worker(
            dev_env.client,
            task_queue=TASK_QUEUE,
            workflows=[FakeOrderWorkflow, MessagesPollerWorkflow, ReconcileOrdersWorkflow],
            activities=[
                intake.poll_order_messages,
                intake.dispatch_order_messages,
                intake.reconcile_orders,
            ],
            workflow_runner=UnsandboxedWorkflowRunner(),
        ),
    ):
        yield shop


@pytest.fixture
def output(monkeypatch: pytest.MonkeyPatch) -> Console:
    recorder = Console(record=True, width=200)
    monkeypatch.setattr(order_commands, "console", recorder)
    return recorder


async def run(*argv: str) -> int:
    args = starter.build_parser().parse_args(argv)
    code: int = await args.handler(args)
    return code


async def new_order(shop: SandboxShop, **custom: Any) -> dict[str, Any]:
    shop.set_clock(datetime.now(UTC) - timedelta(hours=1))
    return await shop.import_order(f"CLI-{uuid.uuid4().hex[:8]}", **custom)


async def test_start_status_and_cancel_an_order_by_number(
    shop: SandboxShop, output: Console, dev_env: WorkflowEnvironment
) -> None:
    order = await new_order(shop)
    number, order_id = order["orderNumber"], order["id"]
    assert await run("order", "start", number) == 0
    assert await run("order", "start", order_id) == 0
    text = output.export_text()
    assert f"started {order_workflow_id(order_id)} for order {number} ({order_id})" in text
    assert f"already has its workflow {order_workflow_id(order_id)} (RUNNING)" in text

    assert await run("order", "cancel", number, "--reason", "customer called") == 0
    assert "asked the running workflow" in output.export_text()

    assert await run("order", "status", number) == 0
    status = output.export_text()
    for expected in (
        f"Order N-{order_id[:8]}",
        "RUNNING",
        "CANCELLED",
        "Fulfilments",
        "Store One",
        "SKU-1 1/2 (1 rejected)",
        f"Deliveries: HD-{order_id[:8]}-F1",
        f"Invoices: HD-{order_id[:8]}-F1-INV",
        "UNFILLABLE",
        "1 x SKU-1 unfillable",
        "cancel: customer called",
    ):
        assert expected in status

    await finish(dev_env.client, order_id)
    assert await run("order", "cancel", order_id) == 1
    assert "has already ended" in output.export_text()


async def test_status_as_json_by_id(shop: SandboxShop, capsys: pytest.CaptureFixture[str]) -> None:
    order = await new_order(shop)
    await run("order", "start", order["id"])
    capsys.readouterr()
    assert await run("order", "status", order["id"], "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["workflowId"] == order_workflow_id(order["id"])
    assert document["workflowStatus"] == "RUNNING"
    assert document["status"]["ct_order_id"] == order["id"]
    assert document["status"]["fulfilments"][0]["location_name"] == "Store One"


async def test_cancel_before_any_workflow_starts_a_cancelled_lifecycle(
    shop: SandboxShop, output: Console
) -> None:
    order = await new_order(shop)
    assert await run("order", "cancel", order["orderNumber"]) == 0
    assert "had no workflow: started" in output.export_text()


async def test_clear_errors_for_unknown_orders_and_orders_without_workflow(
    shop: SandboxShop,
) -> None:
    with pytest.raises(CliError, match="no commercetools order has the id or number 'NOPE'"):
        await run("order", "status", "NOPE")
    with pytest.raises(CliError, match="no commercetools order"):
        await run("order", "start", str(uuid.uuid4()))
    order = await new_order(shop)
    with pytest.raises(CliError, match="has no workflow: it was never taken in"):
        await run("order", "status", order["orderNumber"])


async def test_reconcile_starts_what_is_missing(
    shop: SandboxShop, output: Console, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = await new_order(shop)
    exported = await new_order(shop, fluent_ref="HD-DONE")
    capsys.readouterr()
    assert await run("reconcile", "--since", "2h", "--json") == 0
    result = ReconcileResult.model_validate_json(capsys.readouterr().out)
    started = {order.order_id for order in result.started}
    assert missing["id"] in started
    assert exported["id"] not in started
    assert result.examined >= 1

    late = await new_order(shop)
    assert await run("reconcile", "--since", "2h") == 0
    text = output.export_text()
    assert "Order reconciliation" in text
    assert late["id"] in text
    with pytest.raises(CliError, match="invalid duration"):
        await run("reconcile", "--since", "yesterday")


async def test_poller_start_status_stop(
    shop: SandboxShop, output: Console, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CliError, match="never started"):
        await run("poller", "status")
    assert await run("poller", "start", "--since", "30m") == 0
    assert await run("poller", "start") == 0
    text = output.export_text()
    assert "started the messages poller (commercetools-messages-poller), polling every 15s" in text
    assert "is already running" in text

    capsys.readouterr()
    assert await run("poller", "status", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["running"] is True
    watermark = datetime.fromisoformat(document["status"]["watermark"])
    assert datetime.now(UTC) - watermark < timedelta(minutes=29)  # 30m back, plus the overlap

    with pytest.raises(CliError, match="--since applies to `poller start` only"):
        await run("poller", "stop", "--since", "1h")
    with pytest.raises(CliError, match="--json applies to `poller status` only"):
        await run("poller", "stop", "--json")
    assert await run("poller", "stop") == 0
    assert "stopped the messages poller at watermark" in output.export_text()
    assert await run("poller", "status") == 0
    assert "stopped" in output.export_text()
    assert await run("poller", "stop") == 0
    assert "the messages poller is not running" in output.export_text()
