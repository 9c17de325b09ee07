"""Catalog sync: commercetools categories and product projections -> Fluent.

`CatalogSyncWorkflow` (scheduled every `SYNC_CATALOG_INTERVAL`, or `starter.py sync catalog`):
categories first (parents before children, in one batch), then product projections by ascending
id, pages of 500 per batch, continuing as new when Temporal suggests it. Delta runs read what
changed since the durable watermark (2-minute overlap) plus what failed last time.

`CatalogChangeWorkflow`: one product or category announced by a commercetools message, now;
its id (`catalog-<resource>-<id>-<version>`) makes redeliveries of a message one run.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

from workflows.sync_support import CONTROL_TIMEOUT, RETRY, SyncWorkflow, change_completed

with workflow.unsafe.imports_passed_through():
    from activities.catalog import CatalogActivities
    from connector.syncs import (
        CATALOG_CHANGE_WORKFLOW,
        CATALOG_SYNC_WORKFLOW,
        CatalogChangeInput,
        SyncInput,
        SyncKind,
        SyncPhase,
        SyncResult,
    )

CHANGE_TIMEOUT = timedelta(minutes=5)


@workflow.defn(name=CATALOG_SYNC_WORKFLOW)
class CatalogSyncWorkflow(SyncWorkflow):
    kind = SyncKind.CATALOG

    @workflow.run
    async def run(self, input: SyncInput) -> SyncResult:
        run = self._run
        skipped = await run.begin(input, SyncPhase.CATEGORIES)
        if skipped is not None:
            return skipped
        await run.batches(
            SyncPhase.CATEGORIES, CatalogActivities.sync_categories, SyncPhase.PRODUCTS
        )
        if run.carried.phase is SyncPhase.PRODUCTS and run.carried.total is None:
            run.carried.total = run.carried.done + await workflow.execute_activity_method(
                CatalogActivities.count_products,
                run.carried.window,
                start_to_close_timeout=CONTROL_TIMEOUT,
                retry_policy=RETRY,
                summary="count the products to sync",
            )
        await run.batches(
            SyncPhase.PRODUCTS, CatalogActivities.sync_product_pages, SyncPhase.SAVING
        )
        return await run.finish()


@workflow.defn(name=CATALOG_CHANGE_WORKFLOW)
class CatalogChangeWorkflow:
    @workflow.run
    async def run(self, change: CatalogChangeInput) -> SyncResult:
        started_at = workflow.now()
        workflow.set_current_details(
            f"{change.message_type} of {change.resource.value} {change.id}"
        )
        stats = await workflow.execute_activity_method(
            CatalogActivities.sync_catalog_change,
            change,
            start_to_close_timeout=CHANGE_TIMEOUT,
            retry_policy=RETRY,
            summary=f"{change.resource.value} {change.id}",
        )
        return change_completed(SyncKind.CATALOG, started_at, stats)
