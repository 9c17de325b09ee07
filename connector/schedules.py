"""The Temporal Schedules of the connector, created or updated in place.

- catalog sync, delta, every `SYNC_CATALOG_INTERVAL` (15 minutes);
- location sync, delta, every `SYNC_LOCATIONS_INTERVAL` (hourly);
- inventory sync, delta, every `SYNC_INVENTORY_INTERVAL` (5 minutes), and a full reconcile every
  `SYNC_INVENTORY_FULL_INTERVAL` (daily) that waits for a running delta rather than being lost;
- order reconciliation (`ReconcileOrdersWorkflow` on the order task queue, started by name)
  every `SYNC_RECONCILE_INTERVAL` (hourly).

Every schedule skips a tick while its previous run is still going (overlap SKIP); the sync
workflows also make sure only one run of a kind goes at a time, whoever started it.
`apply_schedules` creates what is missing, updates what differs (keeping a schedule's paused
state and note) and leaves the rest alone, so a second apply changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from connector.config import Settings
from connector.syncs import (
    RECONCILE_ORDERS_WORKFLOW,
    RECONCILE_SCHEDULE_ID,
    SyncInput,
    SyncKind,
    SyncMode,
)


class Change(StrEnum):
    """What applying a piece of configuration did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


class ScheduleDefinition(BaseModel):
    """One schedule as it should be."""

    model_config = ConfigDict(frozen=True)

    schedule_id: str
    workflow_type: str
    workflow_id: str
    task_queue: str
    every: timedelta
    arg: dict[str, Any]
    summary: str


class ScheduleOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    schedule_id: str
    change: Change
    detail: str


def _sync(
    kind: SyncKind, mode: SyncMode, every: timedelta, settings: Settings
) -> ScheduleDefinition:
    sync_input = SyncInput(mode=mode, trigger="schedule", wait_if_busy=mode is SyncMode.FULL)
    return ScheduleDefinition(
        schedule_id=kind.schedule_id(mode),
        workflow_type=kind.workflow_type,
        workflow_id=f"{kind.schedule_id(mode).removesuffix('-schedule')}-run",
        task_queue=settings.temporal.sync_task_queue,
        every=every,
        arg=sync_input.model_dump(mode="json", exclude_defaults=True),
        summary=f"{kind.value} sync ({mode.value}), scheduled",
    )


def schedule_definitions(settings: Settings) -> list[ScheduleDefinition]:
    sync = settings.sync
    return [
        _sync(SyncKind.CATALOG, SyncMode.DELTA, sync.catalog_interval, settings),
        _sync(SyncKind.LOCATIONS, SyncMode.DELTA, sync.locations_interval, settings),
        _sync(SyncKind.INVENTORY, SyncMode.DELTA, sync.inventory_interval, settings),
        _sync(SyncKind.INVENTORY, SyncMode.FULL, sync.inventory_full_interval, settings),
        ScheduleDefinition(
            schedule_id=RECONCILE_SCHEDULE_ID,
            workflow_type=RECONCILE_ORDERS_WORKFLOW,
            workflow_id="reconcile-orders-scheduled",
            task_queue=settings.temporal.order_task_queue,
            every=sync.reconcile_interval,
            arg={},
            summary="order reconciliation, scheduled",
        ),
    ]


def _schedule(definition: ScheduleDefinition) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            definition.workflow_type,
            definition.arg,
            id=definition.workflow_id,
            task_queue=definition.task_queue,
            static_summary=definition.summary,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=definition.every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def _differences(
    client: Client, definition: ScheduleDefinition, current: Schedule
) -> list[str]:
    """What of `current` differs from `definition` (empty when it is as it should be)."""
    action = current.action
    if not isinstance(action, ScheduleActionStartWorkflow):
        return [f"action is {type(action).__name__}, not a workflow start"]
    differences = []
    intervals = [interval.every for interval in current.spec.intervals]
    if intervals != [definition.every] or current.spec.calendars or current.spec.cron_expressions:
        differences.append(f"interval {intervals} -> {definition.every}")
    if action.workflow != definition.workflow_type:
        differences.append(f"workflow {action.workflow} -> {definition.workflow_type}")
    if action.id != definition.workflow_id:
        differences.append(f"workflow id {action.id} -> {definition.workflow_id}")
    if action.task_queue != definition.task_queue:
        differences.append(f"task queue {action.task_queue} -> {definition.task_queue}")
    if current.policy.overlap is not ScheduleOverlapPolicy.SKIP:
        differences.append(f"overlap {current.policy.overlap.name} -> SKIP")
    args = await client.data_converter.decode(list(action.args)) if action.args else []
    if args != [definition.arg]:
        differences.append("workflow input")
    return differences


async def apply_schedule(client: Client, definition: ScheduleDefinition) -> ScheduleOutcome:
    """Create the schedule, or bring the existing one in line (keeping its state)."""
    wanted = _schedule(definition)
    try:
        await client.create_schedule(definition.schedule_id, wanted)
    except ScheduleAlreadyRunningError:
        pass
    else:
        return ScheduleOutcome(
            schedule_id=definition.schedule_id,
            change=Change.CREATED,
            detail=f"every {definition.every}: {definition.summary}",
        )
    handle = client.get_schedule_handle(definition.schedule_id)
    description = await handle.describe()
    differences = await _differences(client, definition, description.schedule)
    if not differences:
        return ScheduleOutcome(
            schedule_id=definition.schedule_id,
            change=Change.UNCHANGED,
            detail=f"every {definition.every}",
        )

    def update(current: ScheduleUpdateInput) -> ScheduleUpdate:
        wanted.state = current.description.schedule.state
        return ScheduleUpdate(schedule=wanted)

    await handle.update(update)
    return ScheduleOutcome(
        schedule_id=definition.schedule_id,
        change=Change.UPDATED,
        detail="; ".join(differences),
    )


async def apply_schedules(client: Client, settings: Settings) -> list[ScheduleOutcome]:
    return [await apply_schedule(client, d) for d in schedule_definitions(settings)]
