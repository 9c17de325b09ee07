"""Carts (`/carts`): line items priced from the catalog, a shipping method, and taxes.

Prices are selected from the published variant's prices as the platform does: the cart's
currency, then the most specific match of the cart's `country` and the line item's
distribution channel (a price without country or channel is the fallback). Taxes use the
sandbox's single rate (`Pricing`) once the cart has a shipping address (tax mode `Platform`),
per line item with half-even rounding, so `taxedPrice` is what a real project computes for a
single-rate tax category. Every update re-prices the whole cart.
"""

from __future__ import annotations

import copy
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from sandbox.commercetools.custom_fields import (
    SetCustomField,
    SetCustomType,
    apply_custom_field,
    apply_custom_type,
    build_custom,
    stored_address,
)
from sandbox.commercetools.errors import invalid_input, invalid_operation, matching_price_not_found
from sandbox.commercetools.money import sum_taxed_prices, taxed_item_price, typed_money
from sandbox.commercetools.resources.base import (
    KEY_UNIQUE,
    ResourceSpec,
    resolve,
    set_optional,
    update_adapter,
)
from sandbox.commercetools.resources.products import all_variants
from sandbox.commercetools.resources.reference_data import initial_line_item_state_id, tax_rate
from sandbox.commercetools.resources.shipping_methods import rate_for
from sandbox.commercetools.store import Resource, Store, UpdateContext, new_id, reference
from sandbox.commercetools.wire import (
    BaseAddress,
    CountryCode,
    CurrencyCode,
    CustomFieldsDraft,
    ResourceIdentifier,
    UserKey,
    WireModel,
)


class LineItemDraft(WireModel):
    key: UserKey | None = None
    product_id: str | None = None
    variant_id: int | None = None
    sku: str | None = None
    quantity: int = Field(default=1, ge=1)
    supply_channel: ResourceIdentifier | None = None
    distribution_channel: ResourceIdentifier | None = None
    custom: CustomFieldsDraft | None = None


class CartDraft(WireModel):
    currency: CurrencyCode
    key: UserKey | None = None
    customer_id: str | None = None
    customer_email: str | None = None
    anonymous_id: str | None = None
    line_items: list[LineItemDraft] = Field(default_factory=list)
    tax_mode: Literal["Platform", "Disabled"] = "Platform"
    inventory_mode: Literal["None"] = "None"
    billing_address: BaseAddress | None = None
    shipping_address: BaseAddress | None = None
    shipping_method: ResourceIdentifier | None = None
    shipping_mode: Literal["Single"] = "Single"
    country: CountryCode | None = None
    locale: str | None = None
    origin: Literal["Customer", "Merchant"] = "Customer"
    delete_days_after_last_modification: int | None = Field(default=None, ge=1)
    custom: CustomFieldsDraft | None = None
    purchase_order_number: str | None = None


class AddLineItem(LineItemDraft):
    action: Literal["addLineItem"]


class LineItemTarget(WireModel):
    """An action on one line item, named by id or by key (`find_line_item` wants exactly one)."""

    line_item_id: str | None = None
    line_item_key: str | None = None


class RemoveLineItem(LineItemTarget):
    action: Literal["removeLineItem"]
    quantity: int | None = Field(default=None, ge=1)


class ChangeLineItemQuantity(LineItemTarget):
    action: Literal["changeLineItemQuantity"]
    quantity: int = Field(ge=0)


class SetShippingAddress(WireModel):
    action: Literal["setShippingAddress"]
    address: BaseAddress | None = None


class SetBillingAddress(WireModel):
    action: Literal["setBillingAddress"]
    address: BaseAddress | None = None


class SetShippingMethod(WireModel):
    action: Literal["setShippingMethod"]
    shipping_method: ResourceIdentifier | None = None


class SetCustomerEmail(WireModel):
    action: Literal["setCustomerEmail"]
    email: str | None = None


class SetCustomerId(WireModel):
    action: Literal["setCustomerId"]
    customer_id: str | None = None


class SetCountry(WireModel):
    action: Literal["setCountry"]
    country: CountryCode | None = None


class Recalculate(WireModel):
    action: Literal["recalculate"]
    update_product_data: bool = False


CartActionUnion = (
    AddLineItem
    | RemoveLineItem
    | ChangeLineItemQuantity
    | SetShippingAddress
    | SetBillingAddress
    | SetShippingMethod
    | SetCustomerEmail
    | SetCustomerId
    | SetCountry
    | Recalculate
    | SetCustomType
    | SetCustomField
)
CartAction = Annotated[CartActionUnion, Field(discriminator="action")]


# --- line items ---------------------------------------------------------------------------------


def _product_variant(
    store: Store, sku: str | None, product_id: str | None, variant_id: int | None
) -> tuple[Resource, Resource]:
    """The published product and variant a line item draft refers to."""
    products = store.collection("product")
    if sku is not None:
        product = products.find("sku", sku)
        if product is None:
            raise invalid_operation(f"No product variant with SKU '{sku}' exists.")
        if not product["masterData"]["published"]:
            raise invalid_operation(f"The product of SKU '{sku}' is not published.")
        for candidate in all_variants(product["masterData"]["current"]):
            if candidate.get("sku") == sku:
                return product, candidate
        raise invalid_operation(f"SKU '{sku}' is not in the published data of its product.")
    if product_id is None:
        raise invalid_input("A line item needs 'sku', or 'productId' (with 'variantId').")
    product = products.get(product_id)
    if product is None or not product["masterData"]["published"]:
        raise invalid_operation(f"No published product with id '{product_id}' exists.")
    current = product["masterData"]["current"]
    wanted = variant_id or 1
    for candidate in all_variants(current):
        if candidate["id"] == wanted:
            return product, candidate
    raise invalid_operation(f"The product '{product_id}' has no variant {wanted}.")


def new_line_item(store: Store, draft: LineItemDraft) -> Resource:
    product, variant = _product_variant(store, draft.sku, draft.product_id, draft.variant_id)
    current = product["masterData"]["current"]
    now = store.now()
    item: Resource = {"id": new_id()}
    set_optional(item, "key", draft.key)
    item["productId"] = product["id"]
    set_optional(item, "productKey", product.get("key"))
    item["name"] = current["name"]
    item["productSlug"] = current["slug"]
    item["productType"] = product["productType"]
    item["variant"] = copy.deepcopy(variant)
    item["quantity"] = draft.quantity
    item["discountedPricePerQuantity"] = []
    item["taxedPricePortions"] = []
    item["perMethodTaxRate"] = []
    item["state"] = [
        {"quantity": draft.quantity, "state": reference("state", initial_line_item_state_id())}
    ]
    for name, identifier in (
        ("supplyChannel", draft.supply_channel),
        ("distributionChannel", draft.distribution_channel),
    ):
        if identifier is not None:
            item[name] = reference("channel", resolve(store, identifier, "channel")["id"])
    item["priceMode"] = "Platform"
    item["lineItemMode"] = "Standard"
    set_optional(item, "custom", build_custom(store, draft.custom, "line-item"))
    item["addedAt"] = now
    item["lastModifiedAt"] = now
    return item


def _select_price(item: Resource, currency: str, country: str | None) -> Resource:
    channel = item.get("distributionChannel", {}).get("id")
    best: tuple[int, Resource] | None = None
    for candidate in item["variant"].get("prices", []):
        if candidate["value"]["currencyCode"] != currency:
            continue
        price_country = candidate.get("country")
        price_channel = candidate.get("channel", {}).get("id")
        if price_country not in (None, country) or price_channel not in (None, channel):
            continue
        rank = (2 if price_country else 0) + (1 if price_channel else 0)
        if best is None or rank > best[0]:
            best = (rank, candidate)
    if best is None:
        raise matching_price_not_found(item["productId"], item["variant"]["id"], currency, country)
    return best[1]


def find_line_item(container: Resource, target: LineItemTarget, where: str) -> Resource:
    """The line item of a cart or order the action names by id or by key (exactly one)."""
    line_item_id, line_item_key = target.line_item_id, target.line_item_key
    if (line_item_id is None) == (line_item_key is None):
        raise invalid_input("Exactly one of 'lineItemId' and 'lineItemKey' is required.")
    items: list[Resource] = container["lineItems"]
    for item in items:
        if item["id"] == line_item_id or (
            line_item_key is not None and item.get("key") == line_item_key
        ):
            return item
    which = f"id '{line_item_id}'" if line_item_id else f"key '{line_item_key}'"
    raise invalid_operation(f"The {where} has no line item with {which}.")


def _set_quantity(item: Resource, quantity: int) -> None:
    item["quantity"] = quantity
    item["state"] = [{**item["state"][0], "quantity": quantity}]


# --- pricing ------------------------------------------------------------------------------------


def reprice(store: Store, cart: Resource) -> None:
    """Recompute prices, totals, shipping and taxes of a cart in place."""
    currency = cart["totalPrice"]["currencyCode"]
    country = cart.get("country")
    taxed = cart["taxMode"] == "Platform" and "shippingAddress" in cart
    rate = tax_rate(store, cart["shippingAddress"]["country"]) if taxed else None
    pricing = store.pricing
    taxed_items: list[Resource] = []
    total = 0
    for item in cart["lineItems"]:
        item["price"] = _select_price(item, currency, country)
        line_total = item["price"]["value"]["centAmount"] * item["quantity"]
        item["totalPrice"] = typed_money(currency, line_total)
        total += line_total
        if rate is not None:
            item["taxRate"] = rate
            item["taxedPrice"] = taxed_item_price(
                currency, line_total, pricing.tax_rate, pricing.included_in_price, pricing.rate_name
            )
            taxed_items.append(item["taxedPrice"])
        else:
            item.pop("taxRate", None)
            item.pop("taxedPrice", None)
    items_total = total
    shipping_info = cart.get("shippingInfo")
    if shipping_info is not None:
        method = store.get("shipping-method", shipping_info["shippingMethod"]["id"])
        rate_wire = rate_for(store, method, currency, cart["shippingAddress"]["country"])
        free_above = rate_wire.get("freeAbove")
        shipping_price = rate_wire["price"]["centAmount"]
        if free_above is not None and items_total >= free_above["centAmount"]:
            shipping_price = 0
        shipping_info["price"] = typed_money(currency, shipping_price)
        shipping_info["shippingRate"] = rate_wire
        total += shipping_price
        if rate is not None:
            shipping_info["taxRate"] = rate
            shipping_info["taxedPrice"] = taxed_item_price(
                currency,
                shipping_price,
                pricing.tax_rate,
                pricing.included_in_price,
                pricing.rate_name,
            )
            taxed_items.append(shipping_info["taxedPrice"])
            cart["taxedShippingPrice"] = sum_taxed_prices(currency, [shipping_info["taxedPrice"]])
        else:
            shipping_info.pop("taxRate", None)
            shipping_info.pop("taxedPrice", None)
            cart.pop("taxedShippingPrice", None)
    else:
        cart.pop("taxedShippingPrice", None)
    cart["totalPrice"] = typed_money(currency, total)
    cart["totalLineItemQuantity"] = sum(item["quantity"] for item in cart["lineItems"])
    if rate is not None:
        cart["taxedPrice"] = sum_taxed_prices(currency, taxed_items)
    else:
        cart.pop("taxedPrice", None)


def _shipping_info(store: Store, cart: Resource, identifier: ResourceIdentifier) -> Resource:
    if "shippingAddress" not in cart:
        raise invalid_operation("The cart needs a shipping address before a shipping method.")
    method = resolve(store, identifier, "shipping-method")
    return {
        "shippingMethodName": method["name"],
        "price": typed_money(cart["totalPrice"]["currencyCode"], 0),
        "shippingRate": {},
        "taxCategory": method["taxCategory"],
        "shippingMethod": reference("shipping-method", method["id"]),
        "deliveries": [],
        "shippingMethodState": "MatchesCart",
    }


# --- create and update --------------------------------------------------------------------------


def create(store: Store, draft: CartDraft, resource_id: str | None = None) -> Resource:
    cart = store.base_fields(resource_id)
    set_optional(cart, "key", draft.key)
    set_optional(cart, "customerId", draft.customer_id)
    set_optional(cart, "customerEmail", draft.customer_email)
    set_optional(cart, "anonymousId", draft.anonymous_id)
    cart["lineItems"] = [new_line_item(store, item) for item in draft.line_items]
    cart["customLineItems"] = []
    cart["totalPrice"] = typed_money(draft.currency, 0)
    cart["taxMode"] = draft.tax_mode
    cart["priceRoundingMode"] = "HalfEven"
    cart["taxRoundingMode"] = "HalfEven"
    cart["taxCalculationMode"] = "LineItemLevel"
    cart["inventoryMode"] = draft.inventory_mode
    cart["cartState"] = "Active"
    set_optional(cart, "billingAddress", stored_address(store, draft.billing_address))
    set_optional(cart, "shippingAddress", stored_address(store, draft.shipping_address))
    cart["shippingMode"] = draft.shipping_mode
    cart["shipping"] = []
    cart["itemShippingAddresses"] = []
    cart["discountCodes"] = []
    cart["directDiscounts"] = []
    cart["refusedGifts"] = []
    set_optional(cart, "country", draft.country)
    set_optional(cart, "locale", draft.locale)
    cart["origin"] = draft.origin
    set_optional(cart, "deleteDaysAfterLastModification", draft.delete_days_after_last_modification)
    set_optional(cart, "purchaseOrderNumber", draft.purchase_order_number)
    set_optional(cart, "custom", build_custom(store, draft.custom, "order"))
    if draft.shipping_method is not None:
        cart["shippingInfo"] = _shipping_info(store, cart, draft.shipping_method)
    reprice(store, cart)
    return store.insert("cart", cart)


def apply(context: UpdateContext, action: CartActionUnion) -> None:
    cart = context.resource
    store = context.store
    if cart["cartState"] != "Active":
        raise invalid_operation(f"The cart is {cart['cartState']}; only active carts can change.")
    if isinstance(action, AddLineItem):
        _add_line_item(store, cart, action)
    elif isinstance(action, RemoveLineItem):
        item = find_line_item(cart, action, "cart")
        if action.quantity is not None and action.quantity < item["quantity"]:
            _set_quantity(item, item["quantity"] - action.quantity)
        else:
            cart["lineItems"] = [i for i in cart["lineItems"] if i["id"] != item["id"]]
    elif isinstance(action, ChangeLineItemQuantity):
        item = find_line_item(cart, action, "cart")
        if action.quantity == 0:
            cart["lineItems"] = [i for i in cart["lineItems"] if i["id"] != item["id"]]
        else:
            _set_quantity(item, action.quantity)
    elif isinstance(action, SetShippingAddress):
        set_optional(cart, "shippingAddress", stored_address(store, action.address))
        if action.address is None:
            cart.pop("shippingInfo", None)
    elif isinstance(action, SetBillingAddress):
        set_optional(cart, "billingAddress", stored_address(store, action.address))
    elif isinstance(action, SetShippingMethod):
        info = (
            _shipping_info(store, cart, action.shipping_method) if action.shipping_method else None
        )
        set_optional(cart, "shippingInfo", info)
    elif isinstance(action, SetCustomerEmail):
        set_optional(cart, "customerEmail", action.email)
    elif isinstance(action, SetCustomerId):
        set_optional(cart, "customerId", action.customer_id)
    elif isinstance(action, SetCountry):
        set_optional(cart, "country", action.country)
    elif isinstance(action, Recalculate):
        if action.update_product_data:
            _refresh_product_data(store, cart)
    elif isinstance(action, SetCustomType):
        apply_custom_type(store, cart, action.type, action.fields, "order")
    else:
        apply_custom_field(store, cart, action.name, action.value, "cart")
    reprice(store, cart)


def _add_line_item(store: Store, cart: Resource, action: AddLineItem) -> None:
    item = new_line_item(store, action)
    same = ("productId", "supplyChannel", "distributionChannel", "custom", "key")
    for existing in cart["lineItems"]:
        if existing["variant"]["id"] == item["variant"]["id"] and all(
            existing.get(name) == item.get(name) for name in same
        ):
            _set_quantity(existing, existing["quantity"] + item["quantity"])
            return
    cart["lineItems"].append(item)


def _refresh_product_data(store: Store, cart: Resource) -> None:
    for item in cart["lineItems"]:
        _, variant = _product_variant(store, None, item["productId"], item["variant"]["id"])
        item["variant"] = copy.deepcopy(variant)


SPEC: ResourceSpec[CartDraft, CartActionUnion] = ResourceSpec(
    path="carts",
    type_id="cart",
    scope="orders",
    unique=(KEY_UNIQUE,),
    draft=TypeAdapter(CartDraft),
    create=create,
    update=update_adapter(CartAction),
    apply=apply,
)
