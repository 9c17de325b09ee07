"""Workflows: one module per workflow, deterministic code only (no I/O, no network imports).

`ORDER_WORKFLOWS` and `SYNC_WORKFLOWS` list what each task queue's worker registers.
"""

from __future__ import annotations

from workflows.catalog_sync import CatalogChangeWorkflow, CatalogSyncWorkflow
from workflows.inventory_sync import InventorySyncWorkflow
from workflows.location_sync import LocationChangeWorkflow, LocationSyncWorkflow
from workflows.messages_poller import MessagesPollerWorkflow
from workflows.order import OrderWorkflow
from workflows.reconcile import ReconcileOrdersWorkflow

ORDER_WORKFLOWS: list[type] = [OrderWorkflow, MessagesPollerWorkflow, ReconcileOrdersWorkflow]
SYNC_WORKFLOWS: list[type] = [
    CatalogSyncWorkflow,
    CatalogChangeWorkflow,
    LocationSyncWorkflow,
    LocationChangeWorkflow,
    InventorySyncWorkflow,
]
