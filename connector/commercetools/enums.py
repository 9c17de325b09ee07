"""Closed value sets of the commercetools API that the connector writes or compares against.

Read models keep these fields as plain strings so that a value added by a newer API version
cannot make a resource unreadable; `StrEnum` members still compare equal to those strings.
"""

from __future__ import annotations

from enum import StrEnum


class OrderState(StrEnum):
    OPEN = "Open"
    CONFIRMED = "Confirmed"
    COMPLETE = "Complete"
    CANCELLED = "Cancelled"


class ShipmentState(StrEnum):
    SHIPPED = "Shipped"
    DELIVERED = "Delivered"
    READY = "Ready"
    PENDING = "Pending"
    DELAYED = "Delayed"
    PARTIAL = "Partial"
    BACKORDER = "Backorder"
    CANCELED = "Canceled"


class ChannelRole(StrEnum):
    INVENTORY_SUPPLY = "InventorySupply"
    PRODUCT_DISTRIBUTION = "ProductDistribution"
    ORDER_EXPORT = "OrderExport"
    ORDER_IMPORT = "OrderImport"
    PRIMARY = "Primary"


class CustomFieldResource(StrEnum):
    """The `resourceTypeIds` of a Type that the connector's custom fields live on."""

    ORDER = "order"
    LINE_ITEM = "line-item"
    ORDER_DELIVERY = "order-delivery"
    ORDER_PARCEL = "order-parcel"
    CHANNEL = "channel"
    INVENTORY_ENTRY = "inventory-entry"
    ADDRESS = "address"
    CUSTOMER = "customer"
    CATEGORY = "category"
