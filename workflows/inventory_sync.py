"""Inventory sync: Fluent stock per SKU -> inventory entries on one commercetools channel.

`InventorySyncWorkflow`: delta runs every `SYNC_INVENTORY_INTERVAL` (positions updated since
the watermark), a full reconcile every `SYNC_INVENTORY_FULL_INTERVAL` (daily by default; it
waits for a running delta instead of being skipped), and `starter.py sync inventory [--full]`.
First the SKUs that failed last time, then the changed positions a page at a time.
"""

from __future__ import annotations

from temporalio import workflow

from workflows.sync_support import SyncWorkflow

with workflow.unsafe.imports_passed_through():
    from activities.inventory import InventoryActivities
    from connector.syncs import (
        ENTITY_SKU,
        INVENTORY_SYNC_WORKFLOW,
        SyncInput,
        SyncKind,
        SyncPhase,
        SyncResult,
    )


@workflow.defn(name=INVENTORY_SYNC_WORKFLOW)
class InventorySyncWorkflow(SyncWorkflow):
    kind = SyncKind.INVENTORY

    @workflow.run
    async def run(self, input: SyncInput) -> SyncResult:
        run = self._run
        skipped = await run.begin(input, SyncPhase.RETRIES)
        if skipped is not None:
            return skipped
        await run.retry_failures(
            ENTITY_SKU, InventoryActivities.sync_inventory_skus, "SKUs", then=SyncPhase.INVENTORY
        )
        await run.batches(
            SyncPhase.INVENTORY, InventoryActivities.sync_inventory_pages, SyncPhase.SAVING
        )
        return await run.finish()
