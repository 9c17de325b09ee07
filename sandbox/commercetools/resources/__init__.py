"""The resources the sandbox emulates, one module each, and the store that holds them."""

from __future__ import annotations

from typing import Any

from sandbox.commercetools.resources import (
    carts,
    categories,
    channels,
    customers,
    inventory,
    orders,
    product_types,
    products,
    reference_data,
    shipping_methods,
    types,
)
from sandbox.commercetools.resources.base import ResourceSpec
from sandbox.commercetools.store import Pricing, Store

MESSAGE_SPEC: ResourceSpec[Any, Any] = ResourceSpec(
    path="messages", type_id="message", scope="messages", unique=(), deletable=False
)

SPECS: tuple[ResourceSpec[Any, Any], ...] = (
    categories.SPEC,
    product_types.SPEC,
    products.SPEC,
    channels.SPEC,
    inventory.SPEC,
    customers.SPEC,
    types.SPEC,
    shipping_methods.SPEC,
    carts.SPEC,
    orders.SPEC,
    reference_data.TAX_CATEGORY_SPEC,
    reference_data.ZONE_SPEC,
    reference_data.STATE_SPEC,
    MESSAGE_SPEC,
)


def new_store(project_key: str, pricing: Pricing | None = None) -> Store:
    """An empty project with its reference data (tax category, zone, line item state)."""
    store = Store(project_key, {spec.type_id: spec.unique for spec in SPECS}, pricing=pricing)
    reference_data.install(store)
    return store
