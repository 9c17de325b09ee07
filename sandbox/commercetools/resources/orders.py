"""Orders (`/orders`): from a cart (OrderCreated), imported (OrderImported), and updated.

The update actions a fulfilment integration uses are validated as the platform does:
deliveries need shipping info (single shipping mode); delivery and parcel items must be line
items of the order; delivery keys and parcel keys are unique within the order (DuplicateField);
custom fields are checked against their Type (`order`, `line-item`, `order-delivery`,
`order-parcel`); `updateSyncInfo` needs a channel with the `OrderExport` role. Like the API, the
sandbox does not check cumulative delivered quantities.

Messages: OrderCreated / OrderImported (with the order), OrderStateChanged,
OrderShipmentStateChanged, OrderPaymentStateChanged, DeliveryAdded, DeliveryRemoved,
ParcelAddedToDelivery, DeliveryItemsUpdated, ParcelItemsUpdated, ParcelTrackingDataUpdated,
OrderCustomTypeSet, OrderCustomTypeRemoved, OrderCustomFieldAdded/Changed/Removed.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from sandbox.commercetools.custom_fields import (
    SetCustomField,
    SetCustomType,
    apply_custom_field,
    apply_custom_type,
    build_custom,
    set_custom_field,
    stored_address,
)
from sandbox.commercetools.errors import (
    concurrent_modification,
    duplicate_field,
    invalid_input,
    invalid_operation,
    missing_role_on_channel,
)
from sandbox.commercetools.money import taxed_item_price, typed_money
from sandbox.commercetools.resources.base import ResourceSpec, resolve, set_optional, update_adapter
from sandbox.commercetools.resources.carts import LineItemTarget, find_line_item
from sandbox.commercetools.resources.products import all_variants, price
from sandbox.commercetools.resources.reference_data import initial_line_item_state_id
from sandbox.commercetools.store import (
    Resource,
    Store,
    UniqueField,
    UpdateContext,
    new_id,
    reference,
    top_level,
)
from sandbox.commercetools.wire import (
    BaseAddress,
    CountryCode,
    CustomFieldsDraft,
    DeliveryItem,
    Money,
    ParcelMeasurements,
    PriceDraft,
    ResourceIdentifier,
    TrackingData,
    UserKey,
    WireModel,
)

OrderState = Literal["Open", "Confirmed", "Complete", "Cancelled"]
ShipmentState = Literal[
    "Shipped", "Delivered", "Ready", "Pending", "Delayed", "Partial", "Backorder", "Canceled"
]
PaymentState = Literal["BalanceDue", "Failed", "Pending", "CreditOwed", "Paid"]


# --- drafts -------------------------------------------------------------------------------------


class OrderFromCartDraft(WireModel):
    id: str | None = None
    cart: ResourceIdentifier | None = None
    version: int = Field(ge=1)
    order_number: str | None = Field(default=None, min_length=1, max_length=100)
    purchase_order_number: str | None = None
    payment_state: PaymentState | None = None
    shipment_state: ShipmentState | None = None
    order_state: OrderState = "Open"
    custom: CustomFieldsDraft | None = None


class ParcelDraft(WireModel):
    key: UserKey | None = None
    measurements: ParcelMeasurements | None = None
    tracking_data: TrackingData | None = None
    items: list[DeliveryItem] = Field(default_factory=list)
    custom: CustomFieldsDraft | None = None


class DeliveryDraft(WireModel):
    key: UserKey | None = None
    items: list[DeliveryItem] = Field(default_factory=list)
    parcels: list[ParcelDraft] = Field(default_factory=list)
    address: BaseAddress | None = None
    custom: CustomFieldsDraft | None = None


class TaxRateDraft(WireModel):
    id: str | None = None
    key: str | None = None
    name: str
    amount: float = Field(ge=0, le=1)
    included_in_price: bool
    country: CountryCode
    state: str | None = None


class TaxPortionDraft(WireModel):
    name: str | None = None
    rate: float = Field(ge=0, le=1)
    amount: Money


class TaxedPriceDraft(WireModel):
    total_net: Money
    total_gross: Money
    tax_portions: list[TaxPortionDraft]
    total_tax: Money | None = None


class ProductVariantImportDraft(WireModel):
    id: int | None = None
    sku: str | None = None


class LineItemImportDraft(WireModel):
    name: dict[str, str]
    key: UserKey | None = None
    variant: ProductVariantImportDraft
    product_id: str | None = None
    quantity: int = Field(ge=1)
    price: PriceDraft
    tax_rate: TaxRateDraft | None = None
    distribution_channel: ResourceIdentifier | None = None
    supply_channel: ResourceIdentifier | None = None
    custom: CustomFieldsDraft | None = None


class ShippingRateImportDraft(WireModel):
    price: Money
    free_above: Money | None = None


class ShippingInfoImportDraft(WireModel):
    shipping_method_name: str
    price: Money
    shipping_rate: ShippingRateImportDraft
    tax_rate: TaxRateDraft | None = None
    tax_category: ResourceIdentifier | None = None
    shipping_method: ResourceIdentifier | None = None
    deliveries: list[DeliveryDraft] = Field(default_factory=list)
    shipping_method_state: Literal["MatchesCart", "DoesNotMatchCart"] = "MatchesCart"


class OrderImportDraft(WireModel):
    order_number: str | None = Field(default=None, min_length=1, max_length=100)
    purchase_order_number: str | None = None
    customer_id: str | None = None
    customer_email: str | None = None
    line_items: list[LineItemImportDraft] = Field(default_factory=list)
    total_price: Money
    taxed_price: TaxedPriceDraft | None = None
    billing_address: BaseAddress | None = None
    shipping_address: BaseAddress | None = None
    shipping_info: ShippingInfoImportDraft | None = None
    payment_state: PaymentState | None = None
    shipment_state: ShipmentState | None = None
    order_state: OrderState = "Open"
    country: CountryCode | None = None
    origin: Literal["Customer", "Merchant"] = "Customer"
    completed_at: str | None = None
    custom: CustomFieldsDraft | None = None


# --- update actions -----------------------------------------------------------------------------


class ChangeOrderState(WireModel):
    action: Literal["changeOrderState"]
    order_state: OrderState


class ChangeShipmentState(WireModel):
    action: Literal["changeShipmentState"]
    shipment_state: ShipmentState | None = None


class ChangePaymentState(WireModel):
    action: Literal["changePaymentState"]
    payment_state: PaymentState | None = None


class AddDelivery(WireModel):
    action: Literal["addDelivery"]
    delivery_key: UserKey | None = None
    items: list[DeliveryItem] = Field(default_factory=list)
    address: BaseAddress | None = None
    parcels: list[ParcelDraft] = Field(default_factory=list)
    custom: CustomFieldsDraft | None = None


class _DeliveryTarget(WireModel):
    """An action on one delivery, named by id or by key (`_find_delivery` wants exactly one)."""

    delivery_id: str | None = None
    delivery_key: str | None = None


class _ParcelTarget(WireModel):
    """An action on one parcel, named by id or by key (`_find_parcel` wants exactly one)."""

    parcel_id: str | None = None
    parcel_key: str | None = None


class RemoveDelivery(_DeliveryTarget):
    action: Literal["removeDelivery"]


class AddParcelToDelivery(_DeliveryTarget):
    action: Literal["addParcelToDelivery"]
    parcel_key: UserKey | None = None
    measurements: ParcelMeasurements | None = None
    tracking_data: TrackingData | None = None
    items: list[DeliveryItem] = Field(default_factory=list)
    custom: CustomFieldsDraft | None = None


class SetDeliveryItems(_DeliveryTarget):
    action: Literal["setDeliveryItems"]
    items: list[DeliveryItem]


class SetParcelItems(_ParcelTarget):
    action: Literal["setParcelItems"]
    items: list[DeliveryItem]


class SetParcelTrackingData(_ParcelTarget):
    action: Literal["setParcelTrackingData"]
    tracking_data: TrackingData | None = None


class SetLineItemCustomType(LineItemTarget):
    action: Literal["setLineItemCustomType"]
    type: ResourceIdentifier | None = None
    fields: dict[str, Any] | None = None


class SetLineItemCustomField(LineItemTarget):
    action: Literal["setLineItemCustomField"]
    name: str
    value: Any = None


class SetDeliveryCustomType(_DeliveryTarget):
    action: Literal["setDeliveryCustomType"]
    type: ResourceIdentifier | None = None
    fields: dict[str, Any] | None = None


class SetDeliveryCustomField(_DeliveryTarget):
    action: Literal["setDeliveryCustomField"]
    name: str
    value: Any = None


class SetParcelCustomType(_ParcelTarget):
    action: Literal["setParcelCustomType"]
    type: ResourceIdentifier | None = None
    fields: dict[str, Any] | None = None


class SetParcelCustomField(_ParcelTarget):
    action: Literal["setParcelCustomField"]
    name: str
    value: Any = None


class UpdateSyncInfo(WireModel):
    action: Literal["updateSyncInfo"]
    channel: ResourceIdentifier
    external_id: str | None = None
    synced_at: str | None = None


class SetOrderNumber(WireModel):
    action: Literal["setOrderNumber"]
    order_number: str | None = Field(default=None, min_length=1, max_length=100)


OrderActionUnion = (
    ChangeOrderState
    | ChangeShipmentState
    | ChangePaymentState
    | AddDelivery
    | RemoveDelivery
    | AddParcelToDelivery
    | SetDeliveryItems
    | SetParcelItems
    | SetParcelTrackingData
    | SetCustomType
    | SetCustomField
    | SetLineItemCustomType
    | SetLineItemCustomField
    | SetDeliveryCustomType
    | SetDeliveryCustomField
    | SetParcelCustomType
    | SetParcelCustomField
    | UpdateSyncInfo
    | SetOrderNumber
)
OrderAction = Annotated[OrderActionUnion, Field(discriminator="action")]

ORDER_NUMBER_UNIQUE = UniqueField("orderNumber", top_level("orderNumber"))


# --- creating -----------------------------------------------------------------------------------

_FROM_CART = (
    "customerId",
    "customerEmail",
    "anonymousId",
    "lineItems",
    "customLineItems",
    "totalPrice",
    "taxedPrice",
    "taxedShippingPrice",
    "taxMode",
    "priceRoundingMode",
    "taxRoundingMode",
    "taxCalculationMode",
    "inventoryMode",
    "billingAddress",
    "shippingAddress",
    "shippingMode",
    "shippingInfo",
    "shipping",
    "itemShippingAddresses",
    "discountCodes",
    "directDiscounts",
    "refusedGifts",
    "country",
    "locale",
    "origin",
    "custom",
    "purchaseOrderNumber",
)


def _order_base(store: Store) -> Resource:
    order = store.base_fields()
    order["lastMessageSequenceNumber"] = 0
    return order


def _finish(order: Resource, order_state: str, shipment: str | None, payment: str | None) -> None:
    order["orderState"] = order_state
    set_optional(order, "shipmentState", shipment)
    set_optional(order, "paymentState", payment)
    order["syncInfo"] = []
    order["returnInfo"] = []
    if order_state == "Complete" and "completedAt" not in order:
        order["completedAt"] = order["createdAt"]


def create_from_cart(store: Store, draft: OrderFromCartDraft) -> Resource:
    identifier = draft.cart or (
        ResourceIdentifier.model_validate({"id": draft.id}) if draft.id else None
    )
    if identifier is None:
        raise invalid_input("An order draft needs the cart: {cart: {typeId: 'cart', id}, version}.")
    with store.lock:
        cart = resolve(store, identifier, "cart")
        if cart["version"] != draft.version:
            raise concurrent_modification(cart["id"], draft.version, cart["version"])
        if cart["cartState"] != "Active":
            raise invalid_operation(
                f"The cart is {cart['cartState']}; only active carts can be ordered."
            )
        if not cart["lineItems"]:
            raise invalid_operation("The cart has no line items.")
        order = _order_base(store)
        set_optional(order, "orderNumber", draft.order_number)
        for name in _FROM_CART:
            if name in cart:
                order[name] = copy.deepcopy(cart[name])
        set_optional(order, "purchaseOrderNumber", draft.purchase_order_number)
        if draft.custom is not None:
            order["custom"] = build_custom(store, draft.custom, "order")
        order["cart"] = reference("cart", cart["id"])
        _finish(order, draft.order_state, draft.shipment_state, draft.payment_state)
        inserted = store.insert("order", order, [("OrderCreated", lambda o: {"order": o})])

        def mark_ordered(context: UpdateContext) -> None:
            context.resource["cartState"] = "Ordered"

        store.update("cart", cart["id"], cart["version"], mark_ordered)
        return inserted


def create_imported(store: Store, draft: OrderImportDraft) -> Resource:
    currency = draft.total_price.currency_code
    order = _order_base(store)
    set_optional(order, "orderNumber", draft.order_number)
    set_optional(order, "purchaseOrderNumber", draft.purchase_order_number)
    set_optional(order, "customerId", draft.customer_id)
    set_optional(order, "customerEmail", draft.customer_email)
    order["lineItems"] = [_imported_line_item(store, item, currency) for item in draft.line_items]
    order["customLineItems"] = []
    order["totalPrice"] = draft.total_price.typed()
    if draft.taxed_price is not None:
        order["taxedPrice"] = _taxed_price(draft.taxed_price)
    order["taxMode"] = "Platform"
    order["priceRoundingMode"] = "HalfEven"
    order["taxRoundingMode"] = "HalfEven"
    order["taxCalculationMode"] = "LineItemLevel"
    order["inventoryMode"] = "None"
    set_optional(order, "billingAddress", stored_address(store, draft.billing_address))
    set_optional(order, "shippingAddress", stored_address(store, draft.shipping_address))
    order["shippingMode"] = "Single"
    if draft.shipping_info is not None:
        order["shippingInfo"] = _imported_shipping_info(store, order, draft.shipping_info)
    order["shipping"] = []
    order["itemShippingAddresses"] = []
    order["discountCodes"] = []
    order["directDiscounts"] = []
    order["refusedGifts"] = []
    set_optional(order, "country", draft.country)
    order["origin"] = draft.origin
    set_optional(order, "completedAt", draft.completed_at)
    set_optional(order, "custom", build_custom(store, draft.custom, "order"))
    _finish(order, draft.order_state, draft.shipment_state, draft.payment_state)
    return store.insert("order", order, [("OrderImported", lambda o: {"order": o})])


def _taxed_price(draft: TaxedPriceDraft) -> Resource:
    net, gross = draft.total_net, draft.total_gross
    total_tax = draft.total_tax or Money.model_validate(
        {"currencyCode": gross.currency_code, "centAmount": gross.cent_amount - net.cent_amount}
    )
    return {
        "totalNet": net.typed(),
        "totalGross": gross.typed(),
        "taxPortions": [
            {**({"name": p.name} if p.name else {}), "rate": p.rate, "amount": p.amount.typed()}
            for p in draft.tax_portions
        ],
        "totalTax": total_tax.typed(),
    }


def _tax_rate(draft: TaxRateDraft) -> Resource:
    return {**draft.wire(), "subRates": []}


def _imported_line_item(store: Store, draft: LineItemImportDraft, currency: str) -> Resource:
    product, variant = _import_variant(store, draft)
    item: Resource = {"id": new_id()}
    set_optional(item, "key", draft.key)
    item["productId"] = product["id"]
    set_optional(item, "productKey", product.get("key"))
    item["name"] = draft.name
    item["productType"] = product["productType"]
    item["variant"] = copy.deepcopy(variant)
    item["price"] = price(store, draft.price)
    if item["price"]["value"]["currencyCode"] != currency:
        raise invalid_input(
            f"Line item prices must be in the order's currency {currency}, "
            f"got {item['price']['value']['currencyCode']}."
        )
    item["quantity"] = draft.quantity
    line_total = item["price"]["value"]["centAmount"] * draft.quantity
    item["totalPrice"] = typed_money(currency, line_total)
    item["discountedPricePerQuantity"] = []
    if draft.tax_rate is not None:
        rate = draft.tax_rate
        item["taxRate"] = _tax_rate(rate)
        item["taxedPrice"] = taxed_item_price(
            currency, line_total, rate.amount, rate.included_in_price, rate.name
        )
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
    item["priceMode"] = "ExternalPrice"
    item["lineItemMode"] = "Standard"
    set_optional(item, "custom", build_custom(store, draft.custom, "line-item"))
    return item


def _import_variant(store: Store, draft: LineItemImportDraft) -> tuple[Resource, Resource]:
    sku, variant_id = draft.variant.sku, draft.variant.id
    products = store.collection("product")
    if draft.product_id is not None:
        product = products.get(draft.product_id)
    elif sku is not None:
        product = products.find("sku", sku)
    else:
        raise invalid_input("An imported line item needs 'variant.sku' or 'productId'.")
    if product is None:
        missing = f"product '{draft.product_id}'" if draft.product_id else f"SKU '{sku}'"
        raise invalid_operation(
            f"Imported line items must reference existing variants: no {missing}."
        )
    master_data = product["masterData"]
    data = master_data["current"] if master_data["published"] else master_data["staged"]
    for candidate in all_variants(data):
        if (sku is not None and candidate.get("sku") == sku) or (
            sku is None and candidate["id"] == (variant_id or 1)
        ):
            return product, candidate
    raise invalid_operation(f"The product '{product['id']}' has no variant {sku or variant_id}.")


def _imported_shipping_info(
    store: Store, order: Resource, draft: ShippingInfoImportDraft
) -> Resource:
    currency = order["totalPrice"]["currencyCode"]
    info: Resource = {
        "shippingMethodName": draft.shipping_method_name,
        "price": draft.price.typed(),
    }
    rate: Resource = {"price": draft.shipping_rate.price.typed(), "tiers": []}
    if draft.shipping_rate.free_above is not None:
        rate["freeAbove"] = draft.shipping_rate.free_above.typed()
    info["shippingRate"] = rate
    if draft.tax_rate is not None:
        info["taxRate"] = _tax_rate(draft.tax_rate)
        info["taxedPrice"] = taxed_item_price(
            currency,
            draft.price.cent_amount,
            draft.tax_rate.amount,
            draft.tax_rate.included_in_price,
            draft.tax_rate.name,
        )
    if draft.tax_category is not None:
        tax_category = resolve(store, draft.tax_category, "tax-category")
        info["taxCategory"] = reference("tax-category", tax_category["id"])
    if draft.shipping_method is not None:
        method = resolve(store, draft.shipping_method, "shipping-method")
        info["shippingMethod"] = reference("shipping-method", method["id"])
    info["deliveries"] = []
    info["shippingMethodState"] = draft.shipping_method_state
    order["shippingInfo"] = info
    for delivery in draft.deliveries:
        info["deliveries"].append(
            _new_delivery(
                store,
                order,
                delivery.key,
                delivery.items,
                delivery.parcels,
                delivery.address,
                delivery.custom,
            )
        )
    return info


# --- deliveries and parcels ---------------------------------------------------------------------


def _deliveries(order: Resource) -> list[Resource]:
    info = order.get("shippingInfo")
    if info is None:
        raise invalid_operation(
            "The order has no shipping info, so it cannot have deliveries "
            "(shippingMode 'Single' needs shippingInfo)."
        )
    deliveries: list[Resource] = info.setdefault("deliveries", [])
    return deliveries


def _check_items(order: Resource, items: list[DeliveryItem]) -> list[Resource]:
    known = {item["id"] for item in order["lineItems"]} | {
        item["id"] for item in order.get("customLineItems", [])
    }
    for item in items:
        if item.id not in known:
            raise invalid_operation(
                f"Delivery item '{item.id}' is not a line item or custom line item of the order."
            )
    return [item.wire() for item in items]


def _parcel_keys(order: Resource) -> set[str]:
    return {
        parcel["key"]
        for delivery in _deliveries(order)
        for parcel in delivery["parcels"]
        if "key" in parcel
    }


def _new_parcel(
    store: Store, order: Resource, draft: ParcelDraft | AddParcelToDelivery
) -> Resource:
    key = draft.key if isinstance(draft, ParcelDraft) else draft.parcel_key
    if key is not None and key in _parcel_keys(order):
        raise duplicate_field(
            "parcelKey", key, f"A parcel with key '{key}' already exists on the order."
        )
    parcel: Resource = {"id": new_id()}
    set_optional(parcel, "key", key)
    parcel["createdAt"] = store.now()
    set_optional(parcel, "measurements", draft.measurements.wire() if draft.measurements else None)
    set_optional(
        parcel, "trackingData", draft.tracking_data.wire() if draft.tracking_data else None
    )
    parcel["items"] = _check_items(order, draft.items)
    set_optional(parcel, "custom", build_custom(store, draft.custom, "order-parcel"))
    return parcel


def _new_delivery(
    store: Store,
    order: Resource,
    key: str | None,
    items: list[DeliveryItem],
    parcels: list[ParcelDraft],
    address: BaseAddress | None,
    custom: CustomFieldsDraft | None,
) -> Resource:
    deliveries = _deliveries(order)
    if key is not None and any(d.get("key") == key for d in deliveries):
        raise duplicate_field(
            "deliveryKey", key, f"A delivery with key '{key}' already exists on the order."
        )
    delivery: Resource = {"id": new_id()}
    set_optional(delivery, "key", key)
    delivery["createdAt"] = store.now()
    delivery["items"] = _check_items(order, items)
    delivery["parcels"] = []
    # Parcels are appended one by one so keys repeated within the draft are caught too.
    deliveries.append(delivery)
    try:
        for parcel in parcels:
            delivery["parcels"].append(_new_parcel(store, order, parcel))
    finally:
        deliveries.pop()
    set_optional(delivery, "address", stored_address(store, address))
    set_optional(delivery, "custom", build_custom(store, custom, "order-delivery"))
    return delivery


def _find_delivery(order: Resource, target: _DeliveryTarget) -> Resource:
    delivery_id, delivery_key = target.delivery_id, target.delivery_key
    if (delivery_id is None) == (delivery_key is None):
        raise invalid_input("Exactly one of 'deliveryId' and 'deliveryKey' is required.")
    for delivery in _deliveries(order):
        if delivery["id"] == delivery_id or (
            delivery_key is not None and delivery.get("key") == delivery_key
        ):
            return delivery
    which = f"id '{delivery_id}'" if delivery_id else f"key '{delivery_key}'"
    raise invalid_operation(f"The order has no delivery with {which}.")


def _find_parcel(order: Resource, target: _ParcelTarget) -> tuple[Resource, Resource]:
    parcel_id, parcel_key = target.parcel_id, target.parcel_key
    if (parcel_id is None) == (parcel_key is None):
        raise invalid_input("Exactly one of 'parcelId' and 'parcelKey' is required.")
    for delivery in _deliveries(order):
        for parcel in delivery["parcels"]:
            if parcel["id"] == parcel_id or (
                parcel_key is not None and parcel.get("key") == parcel_key
            ):
                return delivery, parcel
    which = f"id '{parcel_id}'" if parcel_id else f"key '{parcel_key}'"
    raise invalid_operation(f"The order has no parcel with {which}.")


# --- applying actions ---------------------------------------------------------------------------


def apply(context: UpdateContext, action: OrderActionUnion) -> None:
    order = context.resource
    store = context.store
    if isinstance(
        action, ChangeOrderState | ChangeShipmentState | ChangePaymentState | SetOrderNumber
    ):
        _apply_state(context, action)
    elif isinstance(action, AddDelivery):
        delivery = _new_delivery(
            store,
            order,
            action.delivery_key,
            action.items,
            action.parcels,
            action.address,
            action.custom,
        )
        _deliveries(order).append(delivery)
        context.emit("DeliveryAdded", {"delivery": delivery})
    elif isinstance(action, RemoveDelivery):
        delivery = _find_delivery(order, action)
        order["shippingInfo"]["deliveries"] = [
            d for d in _deliveries(order) if d["id"] != delivery["id"]
        ]
        context.emit("DeliveryRemoved", {"delivery": delivery})
    elif isinstance(action, AddParcelToDelivery):
        delivery = _find_delivery(order, action)
        parcel = _new_parcel(store, order, action)
        delivery["parcels"].append(parcel)
        context.emit("ParcelAddedToDelivery", {"delivery": delivery, "parcel": parcel})
    elif isinstance(action, SetDeliveryItems):
        delivery = _find_delivery(order, action)
        old_items, delivery["items"] = delivery["items"], _check_items(order, action.items)
        context.emit(
            "DeliveryItemsUpdated",
            {"deliveryId": delivery["id"], "items": delivery["items"], "oldItems": old_items},
        )
    elif isinstance(action, SetParcelItems):
        delivery, parcel = _find_parcel(order, action)
        old_items, parcel["items"] = parcel["items"], _check_items(order, action.items)
        context.emit(
            "ParcelItemsUpdated",
            {
                "parcelId": parcel["id"],
                "deliveryId": delivery["id"],
                "items": parcel["items"],
                "oldItems": old_items,
            },
        )
    elif isinstance(action, SetParcelTrackingData):
        delivery, parcel = _find_parcel(order, action)
        tracking = action.tracking_data.wire() if action.tracking_data else None
        set_optional(parcel, "trackingData", tracking)
        payload: Resource = {"deliveryId": delivery["id"], "parcelId": parcel["id"]}
        set_optional(payload, "trackingData", tracking)
        context.emit("ParcelTrackingDataUpdated", payload)
    elif isinstance(action, UpdateSyncInfo):
        _update_sync_info(context, action)
    else:
        _apply_custom(context, action)


def _apply_state(
    context: UpdateContext,
    action: ChangeOrderState | ChangeShipmentState | ChangePaymentState | SetOrderNumber,
) -> None:
    order = context.resource
    if isinstance(action, ChangeOrderState):
        old = order["orderState"]
        if old != action.order_state:
            order["orderState"] = action.order_state
            if action.order_state == "Complete":
                order.setdefault("completedAt", context.store.now())
            context.emit(
                "OrderStateChanged", {"orderState": action.order_state, "oldOrderState": old}
            )
    elif isinstance(action, ChangeShipmentState):
        old = order.get("shipmentState")
        if old != action.shipment_state:
            set_optional(order, "shipmentState", action.shipment_state)
            payload: Resource = {}
            set_optional(payload, "shipmentState", action.shipment_state)
            set_optional(payload, "oldShipmentState", old)
            context.emit("OrderShipmentStateChanged", payload)
    elif isinstance(action, ChangePaymentState):
        old = order.get("paymentState")
        if old != action.payment_state:
            set_optional(order, "paymentState", action.payment_state)
            payload = {}
            set_optional(payload, "paymentState", action.payment_state)
            set_optional(payload, "oldPaymentState", old)
            context.emit("OrderPaymentStateChanged", payload)
    else:
        if "orderNumber" in order and order["orderNumber"] != action.order_number:
            raise invalid_operation("The order number of an order can be set only once.")
        set_optional(order, "orderNumber", action.order_number)


def _update_sync_info(context: UpdateContext, action: UpdateSyncInfo) -> None:
    channel = resolve(context.store, action.channel, "channel")
    if "OrderExport" not in channel["roles"]:
        raise missing_role_on_channel(channel, "OrderExport")
    entry: Resource = {"channel": reference("channel", channel["id"])}
    set_optional(entry, "externalId", action.external_id)
    entry["syncedAt"] = action.synced_at or context.store.now()
    context.resource["syncInfo"].append(entry)


def _apply_custom(
    context: UpdateContext,
    action: SetCustomType
    | SetCustomField
    | SetLineItemCustomType
    | SetLineItemCustomField
    | SetDeliveryCustomType
    | SetDeliveryCustomField
    | SetParcelCustomType
    | SetParcelCustomField,
) -> None:
    order = context.resource
    store = context.store
    if isinstance(action, SetCustomType):
        previous = order.get("custom")
        apply_custom_type(store, order, action.type, action.fields, "order")
        if "custom" in order:
            payload: Resource = {"customFields": order["custom"]}
            if previous is not None:
                payload["previousTypeId"] = previous["type"]["id"]
            context.emit("OrderCustomTypeSet", payload)
        elif previous is not None:
            context.emit("OrderCustomTypeRemoved", {"previousTypeId": previous["type"]["id"]})
    elif isinstance(action, SetCustomField):
        order["custom"], previous_value = set_custom_field(
            store, order.get("custom"), action.name, action.value, "order"
        )
        stored = order["custom"]["fields"].get(action.name)
        _emit_custom_field_message(context, action.name, stored, previous_value)
    elif isinstance(action, SetLineItemCustomType):
        item = find_line_item(order, action, "order")
        apply_custom_type(store, item, action.type, action.fields, "line-item")
    elif isinstance(action, SetLineItemCustomField):
        item = find_line_item(order, action, "order")
        apply_custom_field(store, item, action.name, action.value, "line item")
    elif isinstance(action, SetDeliveryCustomType):
        delivery = _find_delivery(order, action)
        apply_custom_type(store, delivery, action.type, action.fields, "order-delivery")
    elif isinstance(action, SetDeliveryCustomField):
        delivery = _find_delivery(order, action)
        apply_custom_field(store, delivery, action.name, action.value, "delivery")
    elif isinstance(action, SetParcelCustomType):
        _, parcel = _find_parcel(order, action)
        apply_custom_type(store, parcel, action.type, action.fields, "order-parcel")
    elif isinstance(action, SetParcelCustomField):
        _, parcel = _find_parcel(order, action)
        apply_custom_field(store, parcel, action.name, action.value, "parcel")


def _emit_custom_field_message(
    context: UpdateContext, name: str, value: Any, previous_value: Any
) -> None:
    if value is None:
        context.emit("OrderCustomFieldRemoved", {"name": name})
    elif previous_value is None:
        context.emit("OrderCustomFieldAdded", {"name": name, "value": value})
    elif previous_value != value:
        payload = {"name": name, "value": value, "previousValue": previous_value}
        context.emit("OrderCustomFieldChanged", payload)


SPEC: ResourceSpec[OrderFromCartDraft, OrderActionUnion] = ResourceSpec(
    path="orders",
    type_id="order",
    scope="orders",
    unique=(ORDER_NUMBER_UNIQUE,),
    draft=TypeAdapter(OrderFromCartDraft),
    create=create_from_cart,
    update=update_adapter(OrderAction),
    apply=apply,
)
IMPORT_DRAFT = TypeAdapter(OrderImportDraft)
