"""Thin activity functions: call a client, map, return plain models.

Activities are methods of small classes that hold their dependencies (clients, settings, see
`activities.dependencies`), as in temporalio/samples-python; `order_activities` and
`sync_activities` list what each task queue's worker registers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from activities.catalog import CatalogActivities
from activities.dependencies import Dependencies
from activities.intake import IntakeActivities
from activities.inventory import InventoryActivities
from activities.locations import LocationActivities
from activities.orders import OrderActivities
from activities.sync_common import SyncControlActivities


def order_activities(deps: Dependencies) -> list[Callable[..., Any]]:
    """Activities of the order task queue."""
    intake = IntakeActivities(deps)
    return [
        *OrderActivities(deps).all(),
        intake.poll_order_messages,
        intake.dispatch_order_messages,
        intake.reconcile_orders,
    ]


def sync_activities(deps: Dependencies) -> list[Callable[..., Any]]:
    """Activities of the sync task queue."""
    control = SyncControlActivities(deps)
    catalog = CatalogActivities(deps)
    locations = LocationActivities(deps)
    inventory = InventoryActivities(deps)
    return [
        control.find_running_sync,
        control.load_watermark,
        control.save_watermark,
        catalog.count_products,
        catalog.sync_categories,
        catalog.sync_product_pages,
        catalog.sync_catalog_change,
        locations.sync_location_pages,
        locations.sync_locations_by_ref,
        inventory.sync_inventory_pages,
        inventory.sync_inventory_skus,
    ]
