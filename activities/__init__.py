"""Thin activity functions: call a client, map, return plain models.

Activities are methods of small classes that hold their dependencies (clients, settings), as in
temporalio/samples-python; `order_activities` and `sync_activities` list what each task queue's
worker registers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client

from connector.commercetools.client import CommercetoolsClient
from connector.config import Settings
from connector.fluent.client import FluentClient


@dataclass(frozen=True)
class Dependencies:
    """Everything an activity may need; built once per worker process."""

    settings: Settings
    commercetools: CommercetoolsClient
    fluent: FluentClient
    temporal: Client


def order_activities(deps: Dependencies) -> list[Callable[..., Any]]:
    """Activities of the order task queue."""
    from activities.intake import IntakeActivities  # imports this module: import when called
    from activities.orders import OrderActivities

    intake = IntakeActivities(deps)
    return [
        *OrderActivities(deps).all(),
        intake.poll_order_messages,
        intake.dispatch_order_messages,
        intake.reconcile_orders,
    ]


def sync_activities(deps: Dependencies) -> list[Callable[..., Any]]:
    """Activities of the sync task queue."""
    from activities.catalog import CatalogActivities  # imports this module: import when called
    from activities.inventory import InventoryActivities
    from activities.locations import LocationActivities
    from activities.sync_common import SyncControlActivities

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
