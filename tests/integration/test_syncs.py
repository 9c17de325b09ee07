"""The master-data syncs end to end: `starter.py setup` and `starter.py sync ...` against the
Temporal dev server, a worker with the real sync workflows and activities, and both sandboxes
over real HTTP, seeded with just over 1,200 products. Writes are counted with the sandboxes'
own counters (`/sandbox/requests`, and `/sandbox/graphql-operations` for Fluent, where reads
and writes are both `POST /graphql`)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from google.protobuf.duration_pb2 import Duration
from rich.console import Console
from temporalio.api.workflowservice.v1 import (
    DescribeNamespaceRequest,
    RegisterNamespaceRequest,
)
from temporalio.client import Client, ScheduleOverlapPolicy
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

import starter
from activities.dependencies import Dependencies
from cli import syncs as sync_commands
from connector.commercetools.client import CommercetoolsClient
from connector.config import Settings, load_settings
from connector.events import CatalogChange
from connector.fluent.client import FluentClient
from connector.fluent.models import WebhookEvent
from connector.mapping.channels import FIELD_LOCATION_STATUS
from connector.schedules import Change, apply_schedules
from connector.setup import provision_channels, provision_types
from connector.sync_control import handle_catalog_change, handle_location_webhook
from connector.syncs import (
    ENTITY_CATEGORY,
    ENTITY_LOCATION,
    ENTITY_PRODUCT,
    ENTITY_SKU,
    WATERMARK_CONTAINER,
    CatalogChangeInput,
    CatalogResource,
    SyncKind,
    SyncResult,
    SyncWatermark,
    catalog_change_workflow_id,
    location_change_workflow_id,
)
from connector.temporal import SEARCH_ATTRIBUTES, data_converter
from connector.webhooks import IntakeContext
from sandbox.commercetools import CommercetoolsSandboxConfig
from sandbox.commercetools import create_app as create_commercetools
from sandbox.commercetools.store import seeded_id
from sandbox.common.serving import RunningServer, serve_in_thread
from sandbox.fluent.app import create_app as create_fluent
from sandbox.fluent.config import FluentSandboxConfig
from sandbox.fluent.service import sandbox_of as fluent_of
from sandbox.fluent.store import FluentStore
from sandbox.seed import SeedData, SeedSize, generate
from tests.commercetools_api import project_api
from tests.unit.syncs.platforms import sync_settings
from worker import build_workers

pytestmark = pytest.mark.integration

LARGE = SeedSize(
    products=1_210, variants_per_product=2, locations=4, root_categories=3, subcategories_per_root=2
)
"""Just over 1,200 products: the catalog crosses two page boundaries (pages of 500)."""
SMALL = SeedSize(
    products=20, variants_per_product=2, locations=12, root_categories=2, subcategories_per_root=2
)
PROJECT_KEY = "demo"
CATALOGUE = "PC:MASTER:1"


@dataclass
class World:
    """Both sandboxes over HTTP, seeded, with a worker of the sync task queue wired as
    `worker.py` wires it."""

    seed: SeedData
    commercetools: RunningServer
    fluent: RunningServer
    fluent_app: FastAPI
    settings: Settings
    deps: Dependencies
    counters: Counters
    environment: dict[str, str]
    directory: Path

    def operate(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point `starter.py` at this world, as an operator's environment would."""
        monkeypatch.chdir(self.directory)  # no stray .env
        for name, value in self.environment.items():
            monkeypatch.setenv(name, value)

    @property
    def fluent_store(self) -> FluentStore:
        return fluent_of(self.fluent_app).store


def environment_for(
    commercetools: RunningServer, fluent: RunningServer, client: Client, task_queue: str
) -> dict[str, str]:
    return {
        "CT_PROJECT_KEY": PROJECT_KEY,
        "CT_CLIENT_ID": "sandbox-client",
        "CT_CLIENT_SECRET": "sandbox-secret",
        "CT_API_URL": commercetools.url,
        "CT_AUTH_URL": commercetools.url,
        "FLUENT_HOST": fluent.url,
        "FLUENT_ACCOUNT_ID": "SANDBOX",
        "FLUENT_RETAILER_ID": "1",
        "FLUENT_CLIENT_ID": "SANDBOX",
        "FLUENT_CLIENT_SECRET": "sandbox-client-secret",
        "FLUENT_USERNAME": "sandbox_admin",
        "FLUENT_PASSWORD": "sandbox-password",
        "FLUENT_NETWORK_REF": "NETWORK_DEMO",
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "TEMPORAL_SYNC_TASK_QUEUE": task_queue,
        "SYNC_PAGES_PER_ACTIVITY": "1",
    }


@asynccontextmanager
async def serve_world(size: SeedSize, client: Client, tmp_path: Path) -> AsyncIterator[World]:
    seed = generate(size)
    fluent_app = create_fluent(FluentSandboxConfig(seed=seed))
    name = f"syncs-{uuid.uuid4().hex[:8]}"
    with (
        serve_in_thread(
            create_commercetools(CommercetoolsSandboxConfig(seed=seed)), name=f"{name}-ct"
        ) as commercetools,
        serve_in_thread(fluent_app, name=f"{name}-fluent") as fluent,
    ):
        environment = environment_for(commercetools, fluent, client, task_queue=name)
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(tmp_path)  # no stray .env
            for key, value in environment.items():
                patch.setenv(key, value)
            settings = load_settings()
        async with (
            CommercetoolsClient(settings.commercetools) as ct_client,
            FluentClient(settings.fluent) as fluent_client,
        ):
            deps = Dependencies(settings, ct_client, fluent_client, client)
            await provision_types(ct_client, settings)
            await provision_channels(ct_client, settings)
            (worker,) = build_workers(deps, ["sync"])
            async with worker:
                yield World(
                    seed=seed,
                    commercetools=commercetools,
                    fluent=fluent,
                    fluent_app=fluent_app,
                    settings=settings,
                    deps=deps,
                    counters=Counters(commercetools.url, fluent.url),
                    environment=environment,
                    directory=tmp_path,
                )


@pytest.fixture(scope="module")
async def large(dev_env: WorkflowEnvironment, tmp_path_factory: Any) -> AsyncIterator[World]:
    async with serve_world(LARGE, dev_env.client, tmp_path_factory.mktemp("large")) as world:
        yield world


@pytest.fixture(scope="module")
async def small(dev_env: WorkflowEnvironment, tmp_path_factory: Any) -> AsyncIterator[World]:
    async with serve_world(SMALL, dev_env.client, tmp_path_factory.mktemp("small")) as world:
        yield world


class Counters:
    """The sandboxes' request counters."""

    def __init__(self, commercetools_url: str, fluent_url: str) -> None:
        self.ct, self.fluent = commercetools_url, fluent_url

    async def reset(self) -> None:
        async with httpx.AsyncClient() as http:
            await http.delete(f"{self.ct}/sandbox/requests")
            await http.delete(f"{self.fluent}/sandbox/graphql-operations")

    async def commercetools_writes(self) -> dict[str, int]:
        async with httpx.AsyncClient() as http:
            served = (await http.get(f"{self.ct}/sandbox/requests")).json()["served"]
        return {k: n for k, n in served.items() if not k.startswith("GET ") and "oauth" not in k}

    async def commercetools_reads(self, route: str) -> int:
        async with httpx.AsyncClient() as http:
            served = (await http.get(f"{self.ct}/sandbox/requests")).json()["served"]
        return int(served.get(f"GET /{{project_key}}/{route}", 0))

    async def fluent_mutations(self) -> dict[str, int]:
        async with httpx.AsyncClient() as http:
            counted = (await http.get(f"{self.fluent}/sandbox/graphql-operations")).json()
        return {k: n for k, n in counted["operations"].items() if k.startswith("mutation")}


@pytest.fixture
def output(monkeypatch: pytest.MonkeyPatch) -> Console:
    recorder = Console(record=True, width=220)
    monkeypatch.setattr(sync_commands, "console", recorder)
    monkeypatch.setattr(sync_commands, "errors", recorder)
    return recorder


async def run(*argv: str) -> int:
    args = starter.build_parser().parse_args(argv)
    code: int = await args.handler(args)
    return code


async def sync(kind: str, capsys: pytest.CaptureFixture[str], *flags: str) -> SyncResult:
    code = await run("sync", kind, "--json", *flags)
    result = SyncResult.model_validate_json(capsys.readouterr().out)
    assert code == (1 if result.total.failed else 0)
    return result


def watermark_writes(writes: dict[str, int]) -> dict[str, int]:
    return {k: n for k, n in writes.items() if k != "POST /{project_key}/custom-objects"}


# --- setup ------------------------------------------------------------------------------------


async def fresh_namespace(client: Client) -> str:
    """A namespace of its own, so this test's schedules and search attributes meet no other's."""
    name = f"setup-{uuid.uuid4().hex[:8]}"
    await client.workflow_service.register_namespace(
        RegisterNamespaceRequest(
            namespace=name, workflow_execution_retention_period=Duration(seconds=86_400)
        )
    )
    for _ in range(100):
        try:
            await client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=name)
            )
            return name
        except RPCError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"namespace {name} never appeared")


async def test_setup_provisions_everything_and_a_second_run_changes_nothing(
    dev_env: WorkflowEnvironment,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed = generate(SeedSize(products=1, variants_per_product=1, locations=1))
    with (
        serve_in_thread(create_commercetools(CommercetoolsSandboxConfig(seed=seed))) as ct,
        serve_in_thread(create_fluent(FluentSandboxConfig(seed=seed))) as fluent,
    ):
        monkeypatch.chdir(tmp_path)
        for name, value in environment_for(ct, fluent, dev_env.client, "setup").items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("TEMPORAL_NAMESPACE", await fresh_namespace(dev_env.client))

        first_code = await run("setup", "--json")
        first = json.loads(capsys.readouterr().out)["steps"]
        second_code = await run("setup", "--json")
        second = json.loads(capsys.readouterr().out)["steps"]

    assert first_code == second_code == 0
    created = {(s["area"].split(" (")[0], s["name"]) for s in first if s["change"] == "created"}
    assert created == {
        ("commercetools type", "fluent-connector-order"),
        ("commercetools type", "fluent-connector-line-item"),
        ("commercetools type", "fluent-connector-delivery"),
        ("commercetools type", "fluent-connector-parcel"),
        ("commercetools type", "fluent-connector-channel"),
        ("commercetools channel", "fluent-aggregate-stock"),
        *(("Temporal search attribute", key.name) for key in SEARCH_ATTRIBUTES),
        ("Temporal schedule", "sync-catalog-schedule"),
        ("Temporal schedule", "sync-locations-schedule"),
        ("Temporal schedule", "sync-inventory-schedule"),
        ("Temporal schedule", "sync-inventory-full-schedule"),
        ("Temporal schedule", "reconcile-orders-schedule"),
    }
    fluent_checks = {s["name"]: s["change"] for s in first if s["area"] == "Fluent"}
    assert fluent_checks == {
        f"product catalogue {CATALOGUE}": "unchanged",
        "network NETWORK_DEMO": "unchanged",
    }
    assert {s["change"] for s in second} == {"unchanged", "skipped"}
    skipped = [s["detail"] for s in second if s["change"] == "skipped"]
    assert skipped == ["ORDERS_ORDER_EXPORT_CHANNEL_KEY is not set"]


async def test_schedules_are_updated_in_place_and_keep_their_paused_state(
    dev_env: WorkflowEnvironment,
) -> None:
    client = await Client.connect(
        dev_env.client.service_client.config.target_host,
        namespace=await fresh_namespace(dev_env.client),
        data_converter=data_converter(),
    )
    first = await apply_schedules(client, sync_settings())
    catalog = client.get_schedule_handle("sync-catalog-schedule")
    await catalog.pause(note="maintenance")

    second = await apply_schedules(client, sync_settings(catalog_interval=timedelta(minutes=30)))
    third = await apply_schedules(client, sync_settings(catalog_interval=timedelta(minutes=30)))

    assert {o.change for o in first} == {Change.CREATED}
    changes = {o.schedule_id: o.change for o in second}
    assert changes.pop("sync-catalog-schedule") is Change.UPDATED
    assert set(changes.values()) == {Change.UNCHANGED}
    assert {o.change for o in third} == {Change.UNCHANGED}
    described = (await catalog.describe()).schedule
    assert described.state.paused
    assert described.state.note == "maintenance"
    assert [i.every for i in described.spec.intervals] == [timedelta(minutes=30)]
    assert described.policy.overlap is ScheduleOverlapPolicy.SKIP


# --- catalog ----------------------------------------------------------------------------------


async def test_a_full_catalog_sync_crosses_page_boundaries_and_creates_everything(
    large: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    large.operate(monkeypatch)
    seed = large.seed
    await large.counters.reset()

    result = await sync("catalog", capsys)

    assert result.status == "completed"
    assert result.mode == "full"
    assert result.stats[ENTITY_PRODUCT].created == len(seed.products)
    assert result.stats[ENTITY_PRODUCT].failed == 0
    assert result.stats[ENTITY_CATEGORY].created == len(seed.categories)
    # one count for the progress total, then three pages of 500, 500 and 210
    assert await large.counters.commercetools_reads("product-projections") == 4
    assert await large.counters.fluent_mutations() == {
        "mutation createCategory": len(seed.categories),
        "mutation createStandardProduct": len(seed.products),
        "mutation createVariantProduct": sum(len(p.variants) for p in seed.products),
    }
    last = seed.products[-1]
    assert large.fluent_store.product(CATALOGUE, last.key) is not None
    assert all(large.fluent_store.product(CATALOGUE, v.sku) for v in last.variants)
    stored = await large.deps.commercetools.get_custom_object(WATERMARK_CONTAINER, "sync-catalog")
    assert stored is not None
    watermark = SyncWatermark.model_validate(stored.value)
    assert result.window_upper is not None
    assert watermark.next_lower == result.window_upper - timedelta(minutes=2)


async def test_the_next_catalog_run_writes_nothing(
    large: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    large.operate(monkeypatch)
    await large.counters.reset()

    result = await sync("catalog", capsys)

    assert result.mode == "delta"
    assert result.stats[ENTITY_PRODUCT].processed > 0  # the overlap re-reads recent changes
    assert await large.counters.fluent_mutations() == {}
    assert watermark_writes(await large.counters.commercetools_writes()) == {}
    assert result.total.writes == 0


async def test_one_changed_product_is_one_product_write_plus_its_changed_variants(
    large: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    large.operate(monkeypatch)
    product = large.seed.products[600]
    await shop_update(
        large,
        f"products/{seeded_id('product', product.key)}",
        {"action": "changeName", "name": {"en": "Renamed", "de": "Umbenannt"}},
        {"action": "publish"},
    )
    await large.counters.reset()

    result = await sync("catalog", capsys)

    assert await large.counters.fluent_mutations() == {
        "mutation updateStandardProduct": 1,
        "mutation updateVariantProduct": len(product.variants),
    }
    assert result.stats[ENTITY_PRODUCT].updated == 1
    standard = large.fluent_store.product(CATALOGUE, product.key)
    assert standard is not None
    assert standard.name == "Renamed"


async def test_a_new_category_with_a_parent_arrives_after_its_parent(
    small: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    small.operate(monkeypatch)
    await sync("catalog", capsys)
    await shop_create(small, "categories", category_draft("outdoor"))
    await shop_create(small, "categories", category_draft("tents", parent="outdoor"))
    await small.counters.reset()

    result = await sync("catalog", capsys)

    parent = small.fluent_store.category(CATALOGUE, "outdoor")
    child = small.fluent_store.category(CATALOGUE, "tents")
    assert parent is not None
    assert child is not None
    assert child.parent_category is parent
    assert int(parent.id) < int(child.id)
    assert result.stats[ENTITY_CATEGORY].created == 2
    assert await small.counters.fluent_mutations() == {"mutation createCategory": 2}


async def test_a_second_start_says_which_run_is_going(
    small: World,
    dev_env: WorkflowEnvironment,
    output: Console,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small.operate(monkeypatch)

    assert await run("sync", "catalog", "--full") == 0
    again = await run("sync", "catalog")
    await dev_env.client.get_workflow_handle(SyncKind.CATALOG.manual_workflow_id).result()

    assert again == 1
    assert "Not started: a catalog sync is already running: sync-catalog (run" in (
        output.export_text()
    )


async def test_a_product_event_syncs_that_one_product(
    small: World,
    dev_env: WorkflowEnvironment,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small.operate(monkeypatch)
    await sync("catalog", capsys)
    product = small.seed.products[7]
    product_id = seeded_id("product", product.key)
    updated = await shop_update(
        small,
        f"products/{product_id}",
        {"action": "setPrices", "sku": product.variants[0].sku, "prices": [eur(777)]},
        {"action": "publish"},
    )
    change = CatalogChange(
        resource_type_id="product",
        resource_id=product_id,
        resource_version=updated["version"],
        message_type="ProductPublished",
        message_id=f"m-{uuid.uuid4()}",
    )
    context = IntakeContext(small.settings, dev_env.client)
    await small.counters.reset()

    await handle_catalog_change(change, context)
    await handle_catalog_change(change, context)  # a redelivery
    workflow_id = catalog_change_workflow_id(
        CatalogChangeInput(
            resource=CatalogResource.PRODUCT,
            id=product_id,
            version=updated["version"],
            message_type=change.message_type,
            message_id=change.message_id,
        )
    )
    result = SyncResult.model_validate(
        await dev_env.client.get_workflow_handle(workflow_id).result()
    )

    assert result.stats[ENTITY_PRODUCT].updated == 1
    assert await small.counters.fluent_mutations() == {"mutation updateVariantProduct": 1}
    variant = small.fluent_store.product(CATALOGUE, product.variants[0].sku)
    assert variant is not None
    assert [p.value for p in variant.prices] == [7.77]


# --- locations --------------------------------------------------------------------------------


async def test_locations_become_channels_and_a_deactivated_location_updates_its_channel(
    small: World,
    capsys: pytest.CaptureFixture[str],
    output: Console,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small.operate(monkeypatch)
    first = await sync("locations", capsys)
    assert first.stats[ENTITY_LOCATION].created == len(small.seed.locations)
    active = next(loc for loc in small.seed.locations if loc.status == "ACTIVE")
    await fluent_admin(small, "PATCH", f"locations/{active.ref}", {"status": "INACTIVE"})
    await small.counters.reset()

    code = await run("sync", "locations", "--wait")

    assert code == 0
    writes = watermark_writes(await small.counters.commercetools_writes())
    assert writes == {"POST /{project_key}/channels/{resource_id}": 1}
    channel = await small.deps.commercetools.get_channel_by_key(active.ref)
    assert channel is not None
    assert channel.custom is not None
    assert channel.custom.fields[FIELD_LOCATION_STATUS] == "INACTIVE"
    table = output.export_text()
    assert "locations sync (delta" in table
    assert "location" in table


async def test_a_location_webhook_syncs_that_location(
    small: World, dev_env: WorkflowEnvironment
) -> None:
    location = small.seed.locations[1]
    await fluent_admin(small, "PATCH", f"locations/{location.ref}", {"name": "Moved"})
    event = WebhookEvent(
        id=str(uuid.uuid4()),
        name="fc.connect.location.update",
        account_id="SANDBOX",
        retailer_id="1",
        entity_id="1",
        entity_ref=location.ref,
        entity_type="LOCATION",
    )

    await handle_location_webhook(event, IntakeContext(small.settings, dev_env.client))
    await dev_env.client.get_workflow_handle(location_change_workflow_id(location.ref)).result()

    channel = await small.deps.commercetools.get_channel_by_key(location.ref)
    assert channel is not None
    assert channel.name == {"en": "Moved"}


# --- inventory --------------------------------------------------------------------------------


async def test_inventory_becomes_entries_and_changed_stock_updates_exactly_those(
    small: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    small.operate(monkeypatch)
    skus = list(small.seed.skus)
    first = await sync("inventory", capsys)
    assert first.stats[ENTITY_SKU].created == len(skus)
    store = small.fluent_store
    counted = [
        s for s in small.seed.stock if store.require_location(s.location_ref).status == "ACTIVE"
    ]
    changed = list({s.sku: s for s in counted}.values())[:3]
    await small.counters.reset()
    positions = [
        {"locationRef": s.location_ref, "skuRef": s.sku, "onHand": s.on_hand + 7} for s in changed
    ]
    stock = await fluent_admin(small, "PUT", "stock", {"positions": positions})
    figures = {item["skuRef"]: item["availableToSell"] for item in stock}

    second = await sync("inventory", capsys)

    writes = watermark_writes(await small.counters.commercetools_writes())
    assert writes == {"POST /{project_key}/inventory/{resource_id}": len(changed)}
    assert second.stats[ENTITY_SKU].updated == len(changed)
    channel = await small.deps.commercetools.get_channel_by_key("fluent-aggregate-stock")
    assert channel is not None
    entries = await small.deps.commercetools.inventory_by_skus(
        figures, supply_channel_id=channel.id
    )
    assert {sku: entry.quantity_on_stock for sku, entry in entries.items()} == figures


# --- helpers ----------------------------------------------------------------------------------


def eur(cents: int) -> dict[str, Any]:
    return {"value": {"currencyCode": "EUR", "centAmount": cents}}


def category_draft(key: str, parent: str | None = None) -> dict[str, Any]:
    draft: dict[str, Any] = {"key": key, "name": {"en": key.title()}, "slug": {"en": key}}
    if parent:
        draft["parent"] = {"typeId": "category", "key": parent}
    return draft


def shop(world: World) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    """The commercetools project as a merchant changes it (paths relative to the project)."""
    return project_api(world.commercetools.url, PROJECT_KEY)


async def shop_create(world: World, path: str, draft: dict[str, Any]) -> dict[str, Any]:
    async with shop(world) as http:
        response = await http.post(path, json=draft)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def shop_update(world: World, path: str, *actions: dict[str, Any]) -> dict[str, Any]:
    async with shop(world) as http:
        current = (await http.get(path)).json()
        body = {"version": current["version"], "actions": list(actions)}
        response = await http.post(path, json=body)
    assert response.status_code == 200, response.text
    updated: dict[str, Any] = response.json()
    return updated


async def fluent_admin(world: World, method: str, path: str, body: Any) -> Any:
    """Change Fluent as its admin would (the sandbox's admin routes)."""
    async with httpx.AsyncClient(base_url=world.fluent.url) as http:
        response = await http.request(method, f"/sandbox/{path}", json=body)
    assert response.is_success, response.text
    return response.json()
