"""The run guard: of the runs of one sync kind that see each other in Temporal's visibility,
only the oldest goes ahead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from temporalio.client import Client
from temporalio.testing import ActivityEnvironment

from activities.dependencies import Dependencies
from activities.sync_common import ClaimRequest, SyncControlActivities
from connector.syncs import RunningSync, SyncKind
from tests.unit.syncs.platforms import sync_settings

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


class Visibility:
    """`list_workflows` over fixed executions, recording the queries."""

    def __init__(self, *executions: tuple[str, str, datetime]) -> None:
        self.executions = [
            SimpleNamespace(id=workflow_id, run_id=run_id, start_time=started)
            for workflow_id, run_id, started in executions
        ]
        self.queries: list[str] = []

    async def list_workflows(self, query: str) -> AsyncIterator[Any]:
        self.queries.append(query)
        for execution in self.executions:
            yield execution


async def claim(visibility: Visibility, run_id: str, started_at: datetime) -> RunningSync | None:
    deps = Dependencies(
        settings=sync_settings(),
        commercetools=cast(Any, None),
        fluent=cast(Any, None),
        temporal=cast(Client, visibility),
    )
    request = ClaimRequest(
        kind=SyncKind.INVENTORY, workflow_id="wf", run_id=run_id, started_at=started_at
    )
    found: RunningSync | None = await ActivityEnvironment().run(
        SyncControlActivities(deps).find_running_sync, request
    )
    return found


async def test_only_the_oldest_of_the_running_syncs_goes_ahead() -> None:
    later = T0 + timedelta(seconds=5)
    visibility = Visibility(
        ("sync-inventory-run", "r-later", later),
        ("sync-inventory", "r-first", T0),
        ("sync-inventory-full-run", "r-tie", T0),
    )

    assert await claim(visibility, "r-first", T0) is None
    assert await claim(visibility, "r-tie", T0) == RunningSync(
        workflow_id="sync-inventory", run_id="r-first", started_at=T0
    )
    assert await claim(visibility, "r-later", later) == RunningSync(
        workflow_id="sync-inventory", run_id="r-first", started_at=T0
    )
    assert (
        visibility.queries
        == ["WorkflowType = 'InventorySyncWorkflow' AND ExecutionStatus = 'Running'"] * 3
    )


async def test_a_run_alone_goes_ahead_even_when_visibility_rounds_its_start_down() -> None:
    visibility = Visibility(("sync-inventory", "r-1", T0))

    assert await claim(visibility, "r-1", T0) is None
    assert await claim(visibility, "r-1", T0 + timedelta(microseconds=1)) is None
