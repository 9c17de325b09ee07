"""Location sync: the locations of the configured Fluent network -> commercetools channels.

`LocationSyncWorkflow` (scheduled every `SYNC_LOCATIONS_INTERVAL`, or `starter.py sync
locations`): first the locations that failed last time, then the network's locations updated
since the watermark (all of them for a full run), a page at a time.

`LocationChangeWorkflow` (`location-<ref>`): one location now, for Fluent's
`fc.connect.location.create/update` webhooks. Webhooks arriving while it runs are signalled
into it (`resync`), and it syncs the location again, so the last change always lands.
"""

from __future__ import annotations

from temporalio import workflow

from workflows.sync_support import BY_ID_TIMEOUT, RETRY, SyncWorkflow, change_completed

with workflow.unsafe.imports_passed_through():
    from activities.locations import LocationActivities
    from connector.syncs import (
        ENTITY_LOCATION,
        LOCATION_CHANGE_WORKFLOW,
        LOCATION_SYNC_WORKFLOW,
        RESYNC_SIGNAL,
        LocationChangeInput,
        StatsByEntity,
        SyncInput,
        SyncKind,
        SyncPhase,
        SyncResult,
        add_stats,
    )


@workflow.defn(name=LOCATION_SYNC_WORKFLOW)
class LocationSyncWorkflow(SyncWorkflow):
    kind = SyncKind.LOCATIONS

    @workflow.run
    async def run(self, input: SyncInput) -> SyncResult:
        run = self._run
        skipped = await run.begin(input, SyncPhase.RETRIES)
        if skipped is not None:
            return skipped
        await run.retry_failures(
            ENTITY_LOCATION,
            LocationActivities.sync_locations_by_ref,
            "locations",
            then=SyncPhase.LOCATIONS,
        )
        await run.batches(
            SyncPhase.LOCATIONS, LocationActivities.sync_location_pages, SyncPhase.SAVING
        )
        return await run.finish()


@workflow.defn(name=LOCATION_CHANGE_WORKFLOW)
class LocationChangeWorkflow:
    def __init__(self) -> None:
        self._pending = True

    @workflow.signal(name=RESYNC_SIGNAL)
    def resync(self) -> None:
        self._pending = True

    @workflow.run
    async def run(self, change: LocationChangeInput) -> SyncResult:
        started_at = workflow.now()
        stats: StatsByEntity = {}
        rounds = 0
        while self._pending:
            self._pending = False
            rounds += 1
            workflow.set_current_details(f"location {change.ref}, round {rounds}")
            add_stats(
                stats,
                await workflow.execute_activity_method(
                    LocationActivities.sync_locations_by_ref,
                    [change.ref],
                    start_to_close_timeout=BY_ID_TIMEOUT,
                    retry_policy=RETRY,
                    summary=f"location {change.ref}",
                ),
            )
        await workflow.wait_condition(workflow.all_handlers_finished)
        return change_completed(SyncKind.LOCATIONS, started_at, stats)
