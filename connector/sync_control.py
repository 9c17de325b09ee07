"""Starting syncs from outside Temporal: by hand (`starter.py sync`), and for real-time changes
(commercetools catalog messages and Fluent location webhooks, through the webhook app's handler
registry). Workflows are started by type name, so this module imports no workflow code.
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from connector.config import Settings
from connector.syncs import (
    CATALOG_CHANGE_WORKFLOW,
    LOCATION_CHANGE_WORKFLOW,
    RESYNC_SIGNAL,
    CatalogChangeInput,
    CatalogResource,
    LocationChangeInput,
    RunningSync,
    SyncInput,
    SyncKind,
    SyncMode,
    SyncResult,
    catalog_change_workflow_id,
    location_change_workflow_id,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

    from connector.events import CatalogChange
    from connector.fluent.models import WebhookEvent
    from connector.webhooks import IntakeContext


class SyncAlreadyRunningError(Exception):
    """A sync of that kind is going; `running` says which run."""

    def __init__(self, kind: SyncKind, running: RunningSync) -> None:
        super().__init__(f"a {kind.value} sync is already running: {running.describe()}")
        self.kind = kind
        self.running = running


async def running_syncs(client: Client, kind: SyncKind) -> list[RunningSync]:
    """Runs of that kind that are going, scheduled or manual, oldest first."""
    query = f"WorkflowType = '{kind.workflow_type}' AND ExecutionStatus = 'Running'"
    found = [
        RunningSync(workflow_id=e.id, run_id=e.run_id, started_at=e.start_time)
        async for e in client.list_workflows(query)
    ]
    return sorted(found, key=lambda run: (run.started_at is None, run.started_at, run.run_id))


async def start_sync(
    client: Client, settings: Settings, kind: SyncKind, mode: SyncMode
) -> WorkflowHandle[object, SyncResult]:
    """Start a sync by hand; `SyncAlreadyRunningError` when one of its kind is going (the
    manual id `sync-<kind>` also keeps two manual starts from racing)."""
    going = await running_syncs(client, kind)
    if going:
        raise SyncAlreadyRunningError(kind, going[0])
    try:
        return await client.start_workflow(
            kind.workflow_type,
            SyncInput(mode=mode, trigger="operator"),
            id=kind.manual_workflow_id,
            task_queue=settings.temporal.sync_task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            static_summary=f"{kind.value} sync ({mode.value}), started by an operator",
            result_type=SyncResult,
        )
    except WorkflowAlreadyStartedError as exc:
        running = RunningSync(
            workflow_id=kind.manual_workflow_id, run_id=exc.run_id or "?", started_at=None
        )
        raise SyncAlreadyRunningError(kind, running) from None


async def start_catalog_change(
    client: Client, settings: Settings, change: CatalogChangeInput
) -> None:
    """One workflow per change: a redelivered message finds it (running or completed) and
    starts nothing; a failed one may be retried by the redelivery."""
    with suppress(WorkflowAlreadyStartedError):  # the same change was synced already
        await client.start_workflow(
            CATALOG_CHANGE_WORKFLOW,
            change,
            id=catalog_change_workflow_id(change),
            task_queue=settings.temporal.sync_task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            static_summary=f"{change.message_type}: {change.resource.value} {change.id}",
        )


async def start_location_change(client: Client, settings: Settings, ref: str) -> None:
    """Sync the location now; if its sync is going, tell it to run once more (signal-with-start)
    so a change made while it read the location is not missed."""
    await client.start_workflow(
        LOCATION_CHANGE_WORKFLOW,
        LocationChangeInput(ref=ref),
        id=location_change_workflow_id(ref),
        task_queue=settings.temporal.sync_task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        start_signal=RESYNC_SIGNAL,
        static_summary=f"location {ref} changed in Fluent",
    )


async def handle_catalog_change(change: CatalogChange, context: IntakeContext) -> None:
    """The webhook app's catalog handler: `POST /commercetools/events` product and category
    messages sync that one entity."""
    await start_catalog_change(
        context.temporal,
        context.settings,
        CatalogChangeInput(
            resource=CatalogResource(change.resource_type_id),
            id=change.resource_id,
            version=change.resource_version,
            key=change.resource_key,
            message_type=change.message_type,
            message_id=change.message_id,
        ),
    )


async def handle_location_webhook(event: WebhookEvent, context: IntakeContext) -> None:
    """The webhook app's location handler: `fc.connect.location.create/update` sync that
    location."""
    await start_location_change(context.temporal, context.settings, event.entity_ref)


def register_sync_handlers(app: FastAPI) -> None:
    from connector.webhooks import register_catalog_handler, register_location_handler

    register_catalog_handler(app, handle_catalog_change)
    register_location_handler(app, handle_location_webhook)
