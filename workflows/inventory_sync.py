"""Inventory sync: Fluent stock per SKU -> inventory entries on one commercetools channel.

`InventorySyncWorkflow`: delta runs every `SYNC_INVENTORY_INTERVAL` (positions updated since
the watermark), a full reconcile every `SYNC_INVENTORY_FULL_INTERVAL` (daily by default; it
waits for a running delta instead of being skipped), and `starter.py sync inventory [--full]`.
First the SKUs that failed last time, then the changed positions a page at a time.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

from workflows.sync_support import RETRY, SyncRun

with workflow.unsafe.imports_passed_through():
    from activities.inventory import InventoryActivities
    from connector.syncs import (
        ENTITY_SKU,
        INVENTORY_SYNC_WORKFLOW,
        PROGRESS_QUERY,
        SyncInput,
        SyncKind,
        SyncPhase,
        SyncProgress,
        SyncResult,
    )

BY_SKU_TIMEOUT = timedelta(minutes=10)


@workflow.defn(name=INVENTORY_SYNC_WORKFLOW)
class InventorySyncWorkflow:
    def __init__(self) -> None:
        self._run = SyncRun(SyncKind.INVENTORY)

    @workflow.query(name=PROGRESS_QUERY)
    def progress(self) -> SyncProgress:
        return self._run.progress()

    @workflow.run
    async def run(self, input: SyncInput) -> SyncResult:
        skipped = await self._run.begin(input, SyncPhase.RETRIES)
        if skipped is not None:
            return skipped
        run = self._run
        if run.carried.phase is SyncPhase.RETRIES:
            skus = run.carried.window.retry_ids(ENTITY_SKU)
            if skus:
                run.record(
                    await workflow.execute_activity_method(
                        InventoryActivities.sync_inventory_skus,
                        skus,
                        start_to_close_timeout=BY_SKU_TIMEOUT,
                        retry_policy=RETRY,
                        summary=f"retry {len(skus)} SKUs that failed last run",
                    )
                )
            run.enter(SyncPhase.INVENTORY)
        await run.batches(
            SyncPhase.INVENTORY, InventoryActivities.sync_inventory_pages, SyncPhase.SAVING
        )
        return await run.finish()
