"""Catalog, location and stock entities for the sync tests, built as wire JSON and read through
the real models (so the tests parse exactly what production parses), plus small simulators of
how Fluent and commercetools apply the writes the syncs send."""

from __future__ import annotations

from typing import Any

from connector.commercetools.actions import (
    ChangeName,
    ChannelUpdateAction,
    SetAddress,
    SetCustomField,
    SetCustomType,
    SetGeoLocation,
    SetRoles,
)
from connector.commercetools.drafts import ChannelDraft
from connector.commercetools.models import Category, Channel, InventoryEntry, ProductProjection
from connector.fluent.models import (
    Attribute,
    CreateCategoryInput,
    CreateStandardProductInput,
    CreateVariantProductInput,
    InventoryPosition,
    Location,
    StandardProduct,
    UpdateCategoryInput,
    UpdateStandardProductInput,
    UpdateVariantProductInput,
    VariantProduct,
    VirtualPosition,
)
from connector.fluent.models import Category as FluentCategory

Json = dict[str, Any]
MODIFIED = "2026-03-01T12:00:00.000Z"
CATALOGUE = "PC:MASTER:7"
CHANNEL_TYPE_ID = "type-channel"


def money(cents: int, currency: str = "EUR", digits: int = 2) -> Json:
    return {
        "type": "centPrecision",
        "currencyCode": currency,
        "centAmount": cents,
        "fractionDigits": digits,
    }


def price(cents: int, currency: str = "EUR", country: str | None = None, **extra: Any) -> Json:
    body: Json = {"value": money(cents, currency, extra.pop("digits", 2)), **extra}
    if country is not None:
        body["country"] = country
    return body


def variant(
    variant_id: int,
    sku: str | None,
    *,
    prices: list[Json] | None = None,
    attributes: dict[str, Any] | None = None,
) -> Json:
    return {
        "id": variant_id,
        "sku": sku,
        "prices": prices if prices is not None else [price(1999)],
        "attributes": [
            {"name": name, "value": value}
            for name, value in (attributes if attributes is not None else {}).items()
        ],
    }


def product(
    product_id: str = "prod-1",
    *,
    key: str | None = "shirt",
    name: dict[str, str] | None = None,
    categories: list[str] | None = None,
    variants: list[Json] | None = None,
    modified: str = MODIFIED,
) -> ProductProjection:
    all_variants = variants or [
        variant(1, "SKU-1", attributes={"gtin": "4006381333931"}),
        variant(2, "SKU-2"),
    ]
    return ProductProjection.model_validate(
        {
            "id": product_id,
            "key": key,
            "version": 3,
            "productType": {"typeId": "product-type", "id": "pt-1"},
            "name": name if name is not None else {"en": "Shirt", "de": "Hemd"},
            "slug": {"en": f"shirt-{product_id}"},
            "categories": [
                {"typeId": "category", "id": c} for c in (categories if categories else [])
            ],
            "masterVariant": all_variants[0],
            "variants": all_variants[1:],
            "published": True,
            "lastModifiedAt": modified,
        }
    )


def category(
    category_id: str,
    *,
    key: str | None = None,
    parent: str | None = None,
    name: dict[str, str] | None = None,
) -> Category:
    return Category.model_validate(
        {
            "id": category_id,
            "key": key,
            "version": 1,
            "name": name if name is not None else {"en": f"Category {category_id}"},
            "slug": {"en": category_id},
            "parent": {"typeId": "category", "id": parent} if parent else None,
            "ancestors": [{"typeId": "category", "id": parent}] if parent else [],
            "lastModifiedAt": MODIFIED,
        }
    )


def location(
    ref: str = "ST-001",
    *,
    status: str = "ACTIVE",
    name: str | None = "Berlin Store 1",
    country: str | None = "DE",
    latitude: float | None = 52.52,
    longitude: float | None = 13.405,
    address: bool = True,
    schedule: bool = True,
) -> Location:
    body: Json = {
        "id": f"id-{ref}",
        "ref": ref,
        "name": name,
        "type": "STORE",
        "status": status,
        "supportPhoneNumber": "+49 30 1234567",
        "updatedOn": MODIFIED,
    }
    if address:
        body["primaryAddress"] = {
            "id": f"addr-{ref}",
            "street": "Hauptstrasse 5",
            "city": "Berlin",
            "postcode": "10115",
            "state": "BE",
            "country": country,
            "latitude": latitude,
            "longitude": longitude,
            "timeZone": "Europe/Berlin",
        }
    if schedule:
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        body["openingSchedule"] = {
            "allHours": False,
            **{f"{day}Start": 900 for day in days},
            **{f"{day}End": 2000 for day in days},
        }
    return Location.model_validate(body)


def inventory_entry(
    sku: str, quantity: int, *, entry_id: str | None = None, version: int = 1
) -> InventoryEntry:
    return InventoryEntry.model_validate(
        {
            "id": entry_id or f"inv-{sku}",
            "version": version,
            "sku": sku,
            "supplyChannel": {"typeId": "channel", "id": "chan-agg"},
            "quantityOnStock": quantity,
            "availableQuantity": quantity,
        }
    )


def virtual_position(
    sku: str | None, quantity: int | None, *, status: str = "ACTIVE", group: str = "G1"
) -> VirtualPosition:
    return VirtualPosition.model_validate(
        {
            "ref": f"{group}:{sku}",
            "productRef": sku,
            "groupRef": group,
            "quantity": quantity,
            "status": status,
        }
    )


def inventory_position(
    sku: str, location_ref: str, on_hand: int | None, *, status: str = "ACTIVE"
) -> InventoryPosition:
    return InventoryPosition.model_validate(
        {
            "ref": f"{location_ref}:{sku}",
            "productRef": sku,
            "locationRef": location_ref,
            "onHand": on_hand,
            "status": status,
        }
    )


# --- how Fluent applies product and category mutations (as the sandbox and Fluent do) ----------


def _merged_attributes(current: list[Attribute], updates: list[Attribute] | None) -> list[Json]:
    merged = {a.name: a for a in current}
    for attribute in updates or []:
        merged[attribute.name] = attribute
    return [a.model_dump() for a in merged.values()]


def apply_standard(
    write: CreateStandardProductInput | UpdateStandardProductInput,
    current: StandardProduct | None,
) -> StandardProduct:
    return StandardProduct.model_validate(_apply_product(write, current))


def apply_variant(
    write: CreateVariantProductInput | UpdateVariantProductInput,
    current: VariantProduct | None,
) -> VariantProduct:
    body = _apply_product(write, current)
    link = write.product
    body["productRef"] = link.ref if link is not None else current.product_ref if current else None
    return VariantProduct.model_validate(body)


def _apply_product(write: Any, current: Any) -> Json:
    """Given fields replace the current ones (lists whole); attributes merge by name."""
    body: Json = current.model_dump() if current is not None else {"status": "CREATED"}
    body["ref"] = write.ref
    body["catalogue_ref"] = write.catalogue.ref
    for name in ("type", "gtin", "name", "summary", "status"):
        value = getattr(write, name, None)
        if value is not None:
            body[name] = value
    if write.categories is not None:
        body["category_refs"] = [c.ref for c in write.categories]
    if write.prices is not None:
        body["prices"] = [p.model_dump() for p in write.prices]
    existing_attributes = current.attributes if current is not None else []
    body["attributes"] = _merged_attributes(existing_attributes, write.attributes)
    body.pop("product_ref", None)
    return body


def apply_category(
    write: CreateCategoryInput | UpdateCategoryInput, current: FluentCategory | None
) -> FluentCategory:
    body: Json = current.model_dump() if current is not None else {"status": "CREATED"}
    body.update(ref=write.ref, catalogue_ref=write.catalogue.ref)
    for name in ("type", "name", "summary", "status"):
        value = getattr(write, name, None)
        if value is not None:
            body[name] = value
    if write.parent_category is not None:
        body["parent_ref"] = write.parent_category.ref
    return FluentCategory.model_validate(body)


# --- how commercetools applies channel drafts and actions ---------------------------------------


def created_channel(draft: ChannelDraft, channel_id: str = "chan-1") -> Channel:
    wire = draft.to_wire()
    custom = wire.pop("custom", None)
    if custom is not None:
        custom = {"type": {"typeId": "type", "id": CHANNEL_TYPE_ID}, "fields": custom["fields"]}
    return Channel.model_validate({"id": channel_id, "version": 1, **wire, "custom": custom})


def apply_channel_actions(channel: Channel, actions: list[ChannelUpdateAction]) -> Channel:
    body = channel.model_dump(by_alias=True, mode="json")
    for action in actions:
        wire = action.to_wire()
        match action:
            case SetRoles():
                body["roles"] = wire["roles"]
            case ChangeName():
                body["name"] = wire["name"]
            case SetAddress():
                body["address"] = wire.get("address")
            case SetGeoLocation():
                body["geoLocation"] = wire.get("geoLocation")
            case SetCustomType():
                body["custom"] = {
                    "type": {"typeId": "type", "id": CHANNEL_TYPE_ID},
                    "fields": wire.get("fields", {}),
                }
            case SetCustomField():
                fields = body["custom"]["fields"]
                if action.value is None:
                    fields.pop(action.name, None)
                else:
                    fields[action.name] = action.value
            case _:
                raise AssertionError(f"unexpected action {action}")
    body["version"] += 1
    return Channel.model_validate(body)
