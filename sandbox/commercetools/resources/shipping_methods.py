"""Shipping methods (`/shipping-methods`): what carts reference and orders expand.

A method has rates per zone (`zoneRates[].shippingRates[]`, one price per currency, optionally
free above an amount). Price tiers are not emulated. `rate_for` picks the rate a cart pays.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from sandbox.commercetools.custom_fields import build_custom
from sandbox.commercetools.errors import ApiError
from sandbox.commercetools.resources.base import (
    KEY_UNIQUE,
    ResourceSpec,
    resolve,
    set_optional,
    update_adapter,
)
from sandbox.commercetools.resources.reference_data import zone_countries
from sandbox.commercetools.store import Resource, Store, UpdateContext, reference
from sandbox.commercetools.wire import (
    CustomFieldsDraft,
    LocalizedString,
    Money,
    ResourceIdentifier,
    UserKey,
    WireModel,
)


class ShippingRateDraft(WireModel):
    price: Money
    free_above: Money | None = None
    tiers: list[Any] = Field(
        default_factory=list, max_length=0, description="price tiers are not emulated"
    )


class ZoneRateDraft(WireModel):
    zone: ResourceIdentifier
    shipping_rates: list[ShippingRateDraft]


class ShippingMethodDraft(WireModel):
    key: UserKey | None = None
    name: str = Field(min_length=1)
    localized_name: LocalizedString | None = None
    description: str | None = None
    localized_description: LocalizedString | None = None
    tax_category: ResourceIdentifier
    zone_rates: list[ZoneRateDraft]
    active: bool = True
    is_default: bool
    predicate: str | None = None
    carrier: str | None = None
    custom: CustomFieldsDraft | None = None


class ChangeName(WireModel):
    action: Literal["changeName"]
    name: str = Field(min_length=1)


class SetKey(WireModel):
    action: Literal["setKey"]
    key: UserKey | None = None


class SetDescription(WireModel):
    action: Literal["setDescription"]
    description: str | None = None


class ChangeActive(WireModel):
    action: Literal["changeActive"]
    active: bool


class ChangeIsDefault(WireModel):
    action: Literal["changeIsDefault"]
    is_default: bool


ShippingMethodActionUnion = ChangeName | SetKey | SetDescription | ChangeActive | ChangeIsDefault
ShippingMethodAction = Annotated[ShippingMethodActionUnion, Field(discriminator="action")]


def _rate(rate: ShippingRateDraft) -> Resource:
    wire: Resource = {"price": rate.price.typed()}
    if rate.free_above is not None:
        wire["freeAbove"] = rate.free_above.typed()
    wire["tiers"] = []
    return wire


def create(store: Store, draft: ShippingMethodDraft, resource_id: str | None = None) -> Resource:
    tax_category = resolve(store, draft.tax_category, "tax-category")
    zone_rates = [
        {
            "zone": reference("zone", resolve(store, zone_rate.zone, "zone")["id"]),
            "shippingRates": [_rate(rate) for rate in zone_rate.shipping_rates],
        }
        for zone_rate in draft.zone_rates
    ]
    resource = store.base_fields(resource_id)
    set_optional(resource, "key", draft.key)
    resource["name"] = draft.name
    set_optional(resource, "localizedName", draft.localized_name)
    set_optional(resource, "description", draft.description)
    set_optional(resource, "localizedDescription", draft.localized_description)
    resource["taxCategory"] = reference("tax-category", tax_category["id"])
    resource["zoneRates"] = zone_rates
    resource["active"] = draft.active
    resource["isDefault"] = draft.is_default
    set_optional(resource, "predicate", draft.predicate)
    set_optional(resource, "carrier", draft.carrier)
    set_optional(resource, "custom", build_custom(store, draft.custom, "shipping-method"))
    resource["stores"] = []
    return store.insert("shipping-method", resource)


def apply(context: UpdateContext, action: ShippingMethodActionUnion) -> None:
    resource = context.resource
    if isinstance(action, ChangeName):
        resource["name"] = action.name
    elif isinstance(action, SetKey):
        set_optional(resource, "key", action.key)
    elif isinstance(action, SetDescription):
        set_optional(resource, "description", action.description)
    elif isinstance(action, ChangeActive):
        resource["active"] = action.active
    else:
        resource["isDefault"] = action.is_default


def rate_for(store: Store, method: Resource, currency: str, country: str | None) -> Resource:
    """The shipping rate a cart in `currency` shipping to `country` pays with `method`."""
    if not method["active"]:
        raise _mismatch(method, "is not active")
    for zone_rate in method["zoneRates"]:
        zone = store.lookup("zone", zone_rate["zone"]["id"])
        if zone is None or (country is not None and country not in zone_countries(zone)):
            continue
        for rate in zone_rate["shippingRates"]:
            if rate["price"]["currencyCode"] == currency:
                return dict(rate)
    where = f"currency {currency}" + (f" to {country}" if country else "")
    raise _mismatch(method, f"has no shipping rate for {where}")


def _mismatch(method: Resource, problem: str) -> ApiError:
    message = f"The shipping method '{method.get('key', method['id'])}' {problem}."
    return ApiError(400, [{"code": "ShippingMethodDoesNotMatchCart", "message": message}])


SPEC: ResourceSpec[ShippingMethodDraft, ShippingMethodActionUnion] = ResourceSpec(
    path="shipping-methods",
    type_id="shipping-method",
    scope="shipping_methods",
    unique=(KEY_UNIQUE,),
    draft=TypeAdapter(ShippingMethodDraft),
    create=create,
    update=update_adapter(ShippingMethodAction),
    apply=apply,
)
