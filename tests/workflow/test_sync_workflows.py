"""The sync workflows on the time-skipping server, with their activities replaced by a fake
backend: paging with cursors, continue-as-new carrying cursor and statistics, the watermark
carried from run to run, one failing entity recorded and retried, one run of a kind at a time,
the progress query, and the real-time single-entity workflows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.sync_common import ClaimRequest, CompletedRun, PagesRequest, PagesResult
from connector.syncs import (
    ENTITY_CATEGORY,
    ENTITY_LOCATION,
    ENTITY_PRODUCT,
    ENTITY_SKU,
    MAX_FAILURE_DETAILS,
    RESYNC_SIGNAL,
    CatalogChangeInput,
    CatalogResource,
    EntityResult,
    LocationChangeInput,
    Outcome,
    RunningSync,
    StatsByEntity,
    SyncInput,
    SyncKind,
    SyncMode,
    SyncPhase,
    SyncProgress,
    SyncResult,
    SyncStats,
    SyncWatermark,
    location_change_workflow_id,
)
from tests.workflow.recorded_histories import recorded, replay, replay_recorded, save_when_recording
from workflows.catalog_sync import CatalogChangeWorkflow, CatalogSyncWorkflow
from workflows.inventory_sync import InventorySyncWorkflow
from workflows.location_sync import LocationChangeWorkflow, LocationSyncWorkflow

OVERLAP = timedelta(minutes=2)
WORKFLOWS = [
    CatalogSyncWorkflow,
    CatalogChangeWorkflow,
    LocationSyncWorkflow,
    LocationChangeWorkflow,
    InventorySyncWorkflow,
]


def stats_of(entity: str, outcomes: Sequence[EntityResult]) -> StatsByEntity:
    stats = SyncStats()
    for outcome in outcomes:
        stats.record(outcome)
    return {entity: stats}


class FakeBackend:
    """What the sync activities would do against the platforms: a sorted set of entity ids,
    `page_size` per page and `pages_per_batch` pages per activity call; ids in `failing` fail
    with a reason. Watermarks are kept like the commercetools custom object."""

    def __init__(
        self,
        ids: Sequence[str],
        *,
        page_size: int = 3,
        pages_per_batch: int = 1,
        failing: frozenset[str] = frozenset(),
        running: list[RunningSync | None] | None = None,
    ) -> None:
        self.ids = sorted(ids)
        self.page_size = page_size
        self.pages_per_batch = pages_per_batch
        self.failing = failing
        self.running = running or []
        self.watermarks: dict[SyncKind, SyncWatermark] = {}
        self.requests: list[PagesRequest] = []
        self.by_ref: list[list[str]] = []
        self.claims: list[ClaimRequest] = []
        self.saved: list[CompletedRun] = []
        self.counted = 0
        self.hold: asyncio.Event | None = None
        self.holding = asyncio.Event()

    def outcome(self, entity: str, entity_id: str) -> EntityResult:
        if entity_id in self.failing:
            return EntityResult.failed(entity, entity_id, f"Fluent refused {entity_id}")
        return EntityResult(outcome=Outcome.CREATED, writes=1)

    def batch(self, entity: str, request: PagesRequest) -> PagesResult:
        self.requests.append(request)
        after = [i for i in self.ids if request.cursor is None or i > request.cursor]
        taken = after[: self.page_size * self.pages_per_batch]
        return PagesResult(
            stats=stats_of(entity, [self.outcome(entity, i) for i in taken]),
            cursor=taken[-1] if taken else request.cursor,
            finished=len(taken) == len(after),
            pages=-(-len(taken) // self.page_size),
            processed=len(taken),
        )

    async def held(self) -> None:
        if self.hold is not None:
            self.holding.set()
            await self.hold.wait()

    def activities(self, entity: str) -> list[Callable[..., Any]]:
        @activity.defn(name="find_running_sync")
        async def find_running_sync(request: ClaimRequest) -> RunningSync | None:
            self.claims.append(request)
            return self.running.pop(0) if self.running else None

        @activity.defn(name="load_sync_watermark")
        async def load_watermark(kind: SyncKind) -> SyncWatermark:
            return self.watermarks.get(kind, SyncWatermark(kind=kind))

        @activity.defn(name="save_sync_watermark")
        async def save_watermark(run: CompletedRun) -> SyncWatermark:
            self.saved.append(run)
            watermark = SyncWatermark.completed(
                run.kind, run.window, run.stats, overlap=OVERLAP, last_run=run.last_run
            )
            self.watermarks[run.kind] = watermark
            return watermark

        @activity.defn(name="sync_categories")
        async def sync_categories(request: PagesRequest) -> PagesResult:
            return PagesResult(
                stats=stats_of(ENTITY_CATEGORY, [self.outcome(ENTITY_CATEGORY, "c-1")]),
                cursor=None,
                finished=True,
                pages=1,
                processed=1,
            )

        @activity.defn(name="count_catalog_products")
        async def count_products(window: Any) -> int:
            self.counted += 1
            return len(self.ids)

        def pages(name: str) -> Callable[..., Any]:
            @activity.defn(name=name)
            async def run(request: PagesRequest) -> PagesResult:
                if len(self.requests) == 1:
                    await self.held()
                return self.batch(entity, request)

            return run

        def by_ref(name: str) -> Callable[..., Any]:
            @activity.defn(name=name)
            async def run(refs: list[str]) -> StatsByEntity:
                self.by_ref.append(refs)
                if len(self.by_ref) == 1:
                    await self.held()
                return stats_of(entity, [self.outcome(entity, ref) for ref in refs])

            return run

        @activity.defn(name="sync_catalog_change")
        async def sync_catalog_change(change: CatalogChangeInput) -> StatsByEntity:
            return stats_of(ENTITY_PRODUCT, [self.outcome(ENTITY_PRODUCT, change.id)])

        return [
            find_running_sync,
            load_watermark,
            save_watermark,
            sync_categories,
            count_products,
            sync_catalog_change,
            pages("sync_product_pages"),
            pages("sync_location_pages"),
            pages("sync_inventory_pages"),
            by_ref("sync_locations_by_ref"),
            by_ref("sync_inventory_skus"),
        ]


class Harness:
    def __init__(self, client: Client, backend: FakeBackend, entity: str) -> None:
        self.client = client
        self.backend = backend
        self.queue = f"sync-{uuid.uuid4()}"
        self.worker = Worker(
            client,
            task_queue=self.queue,
            workflows=WORKFLOWS,
            activities=backend.activities(entity),
        )

    async def run(self, workflow: Any, arg: Any, workflow_id: str | None = None) -> SyncResult:
        result: SyncResult = await self.client.execute_workflow(
            workflow,
            arg,
            id=workflow_id or f"test-{uuid.uuid4()}",
            task_queue=self.queue,
        )
        return result


PRODUCTS = [f"p{n:02d}" for n in range(1, 9)]


async def test_a_first_catalog_run_is_full_and_pages_through_every_product(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    backend = FakeBackend(PRODUCTS, page_size=3)
    harness = Harness(time_skipping_env.client, backend, ENTITY_PRODUCT)

    async with harness.worker:
        result = await harness.run(CatalogSyncWorkflow.run, SyncInput())

    assert [r.cursor for r in backend.requests] == [None, "p03", "p06"]
    assert result.status == "completed"
    assert result.mode is SyncMode.FULL
    assert result.window_lower is None
    assert result.stats[ENTITY_PRODUCT].created == 8
    assert result.stats[ENTITY_CATEGORY].created == 1
    assert backend.counted == 1
    (saved,) = backend.saved
    assert saved.window.upper == result.window_upper
    assert saved.last_run.processed == 9
    assert backend.watermarks[SyncKind.CATALOG].next_lower == saved.window.upper - OVERLAP


async def test_one_failing_product_is_recorded_and_retried_by_the_next_run(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    backend = FakeBackend(PRODUCTS, page_size=4, failing=frozenset({"p05"}))
    harness = Harness(time_skipping_env.client, backend, ENTITY_PRODUCT)

    async with harness.worker:
        first = await harness.run(CatalogSyncWorkflow.run, SyncInput())
        backend.requests.clear()
        second = await harness.run(CatalogSyncWorkflow.run, SyncInput())

    products = first.stats[ENTITY_PRODUCT]
    assert (products.created, products.failed) == (7, 1)
    assert products.failures[0].id == "p05"
    assert products.failures[0].reason == "Fluent refused p05"
    assert second.mode is SyncMode.DELTA
    window = backend.requests[0].window
    assert first.window_upper is not None
    assert window.lower == first.window_upper - OVERLAP
    assert window.retry_ids(ENTITY_PRODUCT) == ["p05"]
    assert second.window_lower == window.lower


async def test_a_full_run_on_demand_ignores_the_watermark(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    backend = FakeBackend(PRODUCTS, failing=frozenset({"p01"}))
    harness = Harness(time_skipping_env.client, backend, ENTITY_PRODUCT)

    async with harness.worker:
        await harness.run(CatalogSyncWorkflow.run, SyncInput())
        backend.requests.clear()
        full = await harness.run(CatalogSyncWorkflow.run, SyncInput(mode=SyncMode.FULL))

    assert full.mode is SyncMode.FULL
    assert backend.requests[0].window.lower is None
    assert backend.requests[0].window.retry == ()


async def test_too_many_failures_to_list_make_the_next_run_full(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    ids = [f"p{n:04d}" for n in range(MAX_FAILURE_DETAILS + 5)]
    backend = FakeBackend(ids, page_size=100, pages_per_batch=5, failing=frozenset(ids))
    harness = Harness(time_skipping_env.client, backend, ENTITY_PRODUCT)

    async with harness.worker:
        first = await harness.run(CatalogSyncWorkflow.run, SyncInput())
        backend.requests.clear()
        second = await harness.run(CatalogSyncWorkflow.run, SyncInput())

    assert first.stats[ENTITY_PRODUCT].failed == len(ids)
    assert len(first.stats[ENTITY_PRODUCT].failures) == MAX_FAILURE_DETAILS
    assert second.mode is SyncMode.FULL
    assert backend.requests[0].window.lower is None


async def test_continue_as_new_carries_the_cursor_window_and_statistics(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    ids = [f"p{n:02d}" for n in range(1, 31)]
    backend = FakeBackend(ids, page_size=1, failing=frozenset({"p17"}))
    harness = Harness(time_skipping_env.client, backend, ENTITY_PRODUCT)

    async with harness.worker:
        result = await harness.run(CatalogSyncWorkflow.run, SyncInput(history_limit=20))

    assert result.continuations >= 3
    assert [r.cursor for r in backend.requests] == [None, *ids[:-1]]
    assert {r.window for r in backend.requests} == {backend.requests[0].window}
    assert result.stats[ENTITY_PRODUCT].created == 29
    assert result.stats[ENTITY_PRODUCT].failures[0].id == "p17"
    assert backend.counted == 1
    assert len(backend.saved) == 1
    assert len(backend.claims) == 1


async def test_a_run_is_skipped_while_another_of_its_kind_is_going(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    going = RunningSync(workflow_id="sync-catalog-schedule-x", run_id="r-1", started_at=None)
    backend = FakeBackend(PRODUCTS, running=[going])
    harness = Harness(time_skipping_env.client, backend, ENTITY_PRODUCT)

    async with harness.worker:
        result = await harness.run(CatalogSyncWorkflow.run, SyncInput())

    assert result.status == "skipped"
    assert result.skipped_because is not None
    assert "sync-catalog-schedule-x (run r-1)" in result.skipped_because
    assert backend.requests == []
    assert backend.saved == []


async def test_a_full_reconcile_waits_for_the_running_sync_instead(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    going = RunningSync(workflow_id="sync-inventory-schedule-x", run_id="r-1", started_at=None)
    backend = FakeBackend(["SKU-1"], running=[going, going])
    harness = Harness(time_skipping_env.client, backend, ENTITY_SKU)

    async with harness.worker:
        result = await harness.run(
            InventorySyncWorkflow.run, SyncInput(mode=SyncMode.FULL, wait_if_busy=True)
        )

    assert result.status == "completed"
    assert len(backend.claims) == 3
    assert result.stats[ENTITY_SKU].created == 1


async def test_progress_reports_phase_done_and_total_while_running(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    backend = FakeBackend(PRODUCTS, page_size=3)
    backend.hold = asyncio.Event()
    harness = Harness(time_skipping_env.client, backend, ENTITY_PRODUCT)

    async with harness.worker:
        handle = await time_skipping_env.client.start_workflow(
            CatalogSyncWorkflow.run,
            SyncInput(),
            id=f"test-{uuid.uuid4()}",
            task_queue=harness.queue,
        )
        await asyncio.wait_for(backend.holding.wait(), timeout=10)
        progress: SyncProgress = await handle.query(CatalogSyncWorkflow.progress)
        backend.hold.set()
        result = await handle.result()

    assert progress.phase is SyncPhase.PRODUCTS
    assert progress.mode is SyncMode.FULL
    assert progress.total == 9
    assert progress.done == 4
    assert progress.stats[ENTITY_CATEGORY].created == 1
    assert progress.stats[ENTITY_PRODUCT].created == 3
    assert result.stats[ENTITY_PRODUCT].processed == 8


async def test_locations_retry_last_runs_failures_first(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    backend = FakeBackend(["ST-001", "ST-002", "WH-005"], failing=frozenset({"WH-005"}))
    harness = Harness(time_skipping_env.client, backend, ENTITY_LOCATION)

    async with harness.worker:
        first = await harness.run(LocationSyncWorkflow.run, SyncInput())
        backend.failing = frozenset()
        second = await harness.run(LocationSyncWorkflow.run, SyncInput())

    assert first.stats[ENTITY_LOCATION].failed == 1
    assert backend.by_ref == [["WH-005"]]
    assert second.stats[ENTITY_LOCATION].created == 4
    assert second.stats[ENTITY_LOCATION].failed == 0
    assert backend.watermarks[SyncKind.LOCATIONS].retry == []


async def test_inventory_pages_through_positions_and_saves_its_watermark(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    skus = [f"SKU-{n}" for n in range(7)]
    backend = FakeBackend(skus, page_size=2, pages_per_batch=2)
    harness = Harness(time_skipping_env.client, backend, ENTITY_SKU)

    async with harness.worker:
        result = await harness.run(InventorySyncWorkflow.run, SyncInput())

    assert [r.cursor for r in backend.requests] == [None, "SKU-3"]
    assert result.stats[ENTITY_SKU].created == 7
    assert backend.by_ref == []
    assert backend.watermarks[SyncKind.INVENTORY].last_run is not None


async def test_a_catalog_change_syncs_that_one_entity(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    backend = FakeBackend([])
    harness = Harness(time_skipping_env.client, backend, ENTITY_PRODUCT)
    change = CatalogChangeInput(
        resource=CatalogResource.PRODUCT,
        id="prod-1",
        version=4,
        message_type="ProductPublished",
        message_id="m-1",
    )

    async with harness.worker:
        result = await harness.run(CatalogChangeWorkflow.run, change)

    assert result.stats[ENTITY_PRODUCT].created == 1
    assert backend.claims == []


async def resynced_location_change(
    env: WorkflowEnvironment,
) -> tuple[FakeBackend, WorkflowHandle[Any, SyncResult]]:
    """A location change whose webhook arrives a second time while the first sync of the
    location is still going."""
    backend = FakeBackend([])
    backend.hold = asyncio.Event()
    harness = Harness(env.client, backend, ENTITY_LOCATION)
    workflow_id = location_change_workflow_id("ST-001")

    async def webhook() -> WorkflowHandle[Any, SyncResult]:
        return await env.client.start_workflow(
            LocationChangeWorkflow.run,
            LocationChangeInput(ref="ST-001"),
            id=workflow_id,
            task_queue=harness.queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            start_signal=RESYNC_SIGNAL,
        )

    async with harness.worker:
        handle = await webhook()
        await asyncio.wait_for(backend.holding.wait(), timeout=10)
        await webhook()
        backend.hold.set()
        await handle.result()
    return backend, handle


async def test_a_location_webhook_during_a_sync_of_that_location_syncs_it_again(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    backend, handle = await resynced_location_change(time_skipping_env)

    result = await handle.result()
    assert backend.by_ref == [["ST-001"], ["ST-001"]]
    assert result.stats[ENTITY_LOCATION].created == 2


@pytest.mark.parametrize("kind", list(SyncKind))
def test_every_kind_has_its_workflow(kind: SyncKind) -> None:
    names = {getattr(w, "__temporal_workflow_definition").name for w in WORKFLOWS}

    assert kind.workflow_type in names


async def histories_of_every_shape(env: WorkflowEnvironment) -> dict[str, WorkflowHistory]:
    """One history of each shape a sync workflow takes, by name: a catalog run that continues
    as new, location and inventory runs that retry the last run's failures first (the
    inventory one after waiting for a running sync), a catalog change, and a location change
    resynced by a second webhook."""

    async def first_run(harness: Harness, workflow: Any, arg: Any) -> WorkflowHistory:
        handle = await env.client.start_workflow(
            workflow, arg, id=f"test-{uuid.uuid4()}", task_queue=harness.queue
        )
        await handle.result()
        first = env.client.get_workflow_handle(handle.id, run_id=handle.first_execution_run_id)
        return await first.fetch_history()

    histories: dict[str, WorkflowHistory] = {}
    backend = FakeBackend(PRODUCTS, page_size=2, failing=frozenset({"p03"}))
    catalog = Harness(env.client, backend, ENTITY_PRODUCT)
    async with catalog.worker:
        histories["sync-catalog-continued"] = await first_run(
            catalog, CatalogSyncWorkflow.run, SyncInput(history_limit=15)
        )
        histories["sync-catalog-change"] = await first_run(
            catalog,
            CatalogChangeWorkflow.run,
            CatalogChangeInput(
                resource=CatalogResource.PRODUCT,
                id="prod-1",
                version=4,
                message_type="ProductPublished",
                message_id="m-1",
            ),
        )
    backend = FakeBackend(["ST-001", "WH-005"], failing=frozenset({"WH-005"}))
    locations = Harness(env.client, backend, ENTITY_LOCATION)
    async with locations.worker:
        await locations.run(LocationSyncWorkflow.run, SyncInput())
        histories["sync-locations-retries"] = await first_run(
            locations, LocationSyncWorkflow.run, SyncInput()
        )
    backend = FakeBackend(["SKU-1", "SKU-2"], failing=frozenset({"SKU-2"}))
    inventory = Harness(env.client, backend, ENTITY_SKU)
    async with inventory.worker:
        await inventory.run(InventorySyncWorkflow.run, SyncInput())
        backend.running = [RunningSync(workflow_id="sync-x", run_id="r-1", started_at=None)]
        histories["sync-inventory-waited-retries"] = await first_run(
            inventory, InventorySyncWorkflow.run, SyncInput(wait_if_busy=True)
        )
    _, handle = await resynced_location_change(env)
    histories["sync-location-change-resynced"] = await handle.fetch_history()
    return histories


SHAPES = {
    "sync-catalog-continued": {"EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW"},
    "sync-catalog-change": {"sync_catalog_change"},
    "sync-locations-retries": {"sync_locations_by_ref", "sync_location_pages"},
    "sync-inventory-waited-retries": {"EVENT_TYPE_TIMER_FIRED", "sync_inventory_skus"},
    "sync-location-change-resynced": {"EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED"},
}
"""What shows that each history has the shape its name promises (see `marks`)."""


def marks(history: WorkflowHistory) -> set[str]:
    """The event types of a history and the activities it scheduled."""
    found: set[str] = set()
    for event in history.events:
        found.add(EventType.Name(event.event_type))
        if event.HasField("activity_task_scheduled_event_attributes"):
            found.add(event.activity_task_scheduled_event_attributes.activity_type.name)
    return found


async def test_histories_replay_deterministically(time_skipping_env: WorkflowEnvironment) -> None:
    """Today's code replays the runs it just made; `RECORD_HISTORIES=1` saves them as
    regression guards (see `recorded_histories`)."""
    histories = await histories_of_every_shape(time_skipping_env)

    for name, history in histories.items():
        assert SHAPES[name] <= marks(history), name
        await replay(WORKFLOWS, history)
    save_when_recording(histories)


RECORDED = recorded("sync-")


def test_every_shape_is_recorded() -> None:
    assert sorted(RECORDED) == sorted(SHAPES)


@pytest.mark.parametrize("name", sorted(RECORDED))
async def test_recorded_histories_still_replay(name: str) -> None:
    """Histories recorded by earlier versions still replay (no non-determinism)."""
    await replay_recorded(WORKFLOWS, name, RECORDED[name])
