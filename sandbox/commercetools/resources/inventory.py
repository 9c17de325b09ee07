"""Inventory (`/inventory`): one entry per SKU and supply channel.

`sku` + `supplyChannel` is unique (as is `key`); the supply channel must have the
`InventorySupply` role. Carts do not reserve stock here, so `availableQuantity` always equals
`quantityOnStock`. Messages: InventoryEntryCreated, InventoryEntryQuantitySet.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from sandbox.commercetools.custom_fields import (
    SetCustomField,
    SetCustomType,
    apply_custom_field,
    apply_custom_type,
    build_custom,
)
from sandbox.commercetools.errors import missing_role_on_channel
from sandbox.commercetools.resources.base import (
    KEY_UNIQUE,
    ResourceSpec,
    resolve,
    set_optional,
    update_adapter,
)
from sandbox.commercetools.store import Resource, Store, UniqueField, UpdateContext, reference
from sandbox.commercetools.wire import CustomFieldsDraft, ResourceIdentifier, UserKey, WireModel


class InventoryEntryDraft(WireModel):
    sku: str = Field(min_length=1)
    key: UserKey | None = None
    supply_channel: ResourceIdentifier | None = None
    quantity_on_stock: int
    restockable_in_days: int | None = Field(default=None, ge=0)
    expected_delivery: str | None = None
    min_cart_quantity: int | None = Field(default=None, ge=1)
    max_cart_quantity: int | None = Field(default=None, ge=1)
    custom: CustomFieldsDraft | None = None


class ChangeQuantity(WireModel):
    action: Literal["changeQuantity"]
    quantity: int


class AddQuantity(WireModel):
    action: Literal["addQuantity"]
    quantity: int


class RemoveQuantity(WireModel):
    action: Literal["removeQuantity"]
    quantity: int


class SetKey(WireModel):
    action: Literal["setKey"]
    key: UserKey | None = None


class SetRestockableInDays(WireModel):
    action: Literal["setRestockableInDays"]
    restockable_in_days: int | None = Field(default=None, ge=0)


class SetExpectedDelivery(WireModel):
    action: Literal["setExpectedDelivery"]
    expected_delivery: str | None = None


InventoryActionUnion = (
    ChangeQuantity
    | AddQuantity
    | RemoveQuantity
    | SetKey
    | SetRestockableInDays
    | SetExpectedDelivery
    | SetCustomType
    | SetCustomField
)
InventoryAction = Annotated[InventoryActionUnion, Field(discriminator="action")]


def _sku_and_channel(resource: Resource) -> list[tuple[str, str]]:
    channel = resource.get("supplyChannel")
    return [(resource["sku"], channel["id"] if channel else "")]


SKU_CHANNEL_UNIQUE = UniqueField(
    "sku",
    _sku_and_channel,
    reported=lambda value: value[0],
    message=lambda sku: (
        f"An inventory entry with sku '{sku}' already exists for this supply channel."
    ),
)


def create(store: Store, draft: InventoryEntryDraft, resource_id: str | None = None) -> Resource:
    resource = store.base_fields(resource_id)
    set_optional(resource, "key", draft.key)
    resource["sku"] = draft.sku
    if draft.supply_channel is not None:
        channel = resolve(store, draft.supply_channel, "channel")
        if "InventorySupply" not in channel["roles"]:
            raise missing_role_on_channel(channel, "InventorySupply")
        resource["supplyChannel"] = reference("channel", channel["id"])
    resource["quantityOnStock"] = draft.quantity_on_stock
    resource["availableQuantity"] = draft.quantity_on_stock
    set_optional(resource, "restockableInDays", draft.restockable_in_days)
    set_optional(resource, "expectedDelivery", draft.expected_delivery)
    set_optional(resource, "minCartQuantity", draft.min_cart_quantity)
    set_optional(resource, "maxCartQuantity", draft.max_cart_quantity)
    set_optional(resource, "custom", build_custom(store, draft.custom, "inventory-entry"))
    return store.insert(
        "inventory-entry", resource, [("InventoryEntryCreated", {"inventoryEntry": resource})]
    )


def _set_quantity(context: UpdateContext, quantity: int) -> None:
    resource = context.resource
    old_stock, old_available = resource["quantityOnStock"], resource["availableQuantity"]
    if quantity == old_stock:
        return
    resource["quantityOnStock"] = quantity
    resource["availableQuantity"] = quantity
    payload: Resource = {
        "oldQuantityOnStock": old_stock,
        "newQuantityOnStock": quantity,
        "oldAvailableQuantity": old_available,
        "newAvailableQuantity": quantity,
    }
    if "supplyChannel" in resource:
        payload["supplyChannel"] = resource["supplyChannel"]
    context.emit("InventoryEntryQuantitySet", payload)


def apply(context: UpdateContext, action: InventoryActionUnion) -> None:
    resource = context.resource
    if isinstance(action, ChangeQuantity):
        _set_quantity(context, action.quantity)
    elif isinstance(action, AddQuantity):
        _set_quantity(context, resource["quantityOnStock"] + action.quantity)
    elif isinstance(action, RemoveQuantity):
        _set_quantity(context, resource["quantityOnStock"] - action.quantity)
    elif isinstance(action, SetKey):
        set_optional(resource, "key", action.key)
    elif isinstance(action, SetRestockableInDays):
        set_optional(resource, "restockableInDays", action.restockable_in_days)
    elif isinstance(action, SetExpectedDelivery):
        set_optional(resource, "expectedDelivery", action.expected_delivery)
    elif isinstance(action, SetCustomType):
        apply_custom_type(context.store, resource, action.type, action.fields, "inventory-entry")
    else:
        apply_custom_field(context.store, resource, action.name, action.value, "inventory entry")


SPEC: ResourceSpec[InventoryEntryDraft, InventoryActionUnion] = ResourceSpec(
    path="inventory",
    type_id="inventory-entry",
    scope="products",
    unique=(KEY_UNIQUE, SKU_CHANNEL_UNIQUE),
    draft=TypeAdapter(InventoryEntryDraft),
    create=create,
    update=update_adapter(InventoryAction),
    apply=apply,
)
