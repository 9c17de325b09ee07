"""Realistic commercetools orders and Fluent entities for the mapping tests.

commercetools payloads are built as wire JSON and read through the real models, so the tests
exercise the same parsing as production. Tax follows commercetools: gross prices with the tax
included, net = gross / (1 + rate) rounded half to even, tax = gross - net.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from connector.commercetools.drafts import DeliveryItem
from connector.commercetools.models import Order
from connector.config import OrderPolicy
from connector.fluent.models import (
    Fulfilment,
    Location,
    OrderDetails,
)
from connector.fluent.models import Order as FluentOrder
from connector.orders import DesiredDelivery, FluentContext, FulfilmentLine, FulfilmentRecord

CREATED_AT = "2026-03-02T10:00:00.000Z"
AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
"""When the deliveries tests read Fluent's state."""
ISSUED = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
"""When the invoice tests' invoices are issued."""
POLICY = OrderPolicy()
FLUENT = FluentContext(
    retailer_id="7",
    product_catalogue_ref="PC:MASTER:7",
    inventory_catalogue_ref="DEFAULT:7",
    network_ref="NET-1",
)

Json = dict[str, Any]


def money(cents: int, currency: str = "EUR", digits: int = 2) -> Json:
    return {
        "type": "centPrecision",
        "currencyCode": currency,
        "centAmount": cents,
        "fractionDigits": digits,
    }


def taxed(gross: int, rate: float, currency: str = "EUR", digits: int = 2) -> Json:
    net = int((Decimal(gross) / (1 + Decimal(str(rate)))).quantize(Decimal(1), ROUND_HALF_EVEN))
    return {
        "totalNet": money(net, currency, digits),
        "totalGross": money(gross, currency, digits),
        "totalTax": money(gross - net, currency, digits),
    }


def address(**overrides: Any) -> Json:
    return {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "streetName": "Unter den Linden",
        "streetNumber": "1",
        "postalCode": "10117",
        "city": "Berlin",
        "country": "DE",
        "email": "ada@example.com",
        "phone": "+49 30 123456",
        **overrides,
    }


def line_item(
    line_id: str = "li-1",
    sku: str | None = "SKU-1",
    quantity: int = 2,
    unit_cents: int = 1999,
    *,
    total_cents: int | None = None,
    tax_rate: float | None = 0.19,
    currency: str = "EUR",
    digits: int = 2,
    **overrides: Any,
) -> Json:
    """A line; `total_cents` differs from unit x quantity when a discount applies. Without a
    `tax_rate` the line is untaxed (no taxedPrice, no taxRate)."""
    total = unit_cents * quantity if total_cents is None else total_cents
    variant: Json = {"id": 1}
    if sku is not None:
        variant["sku"] = sku
    payload: Json = {
        "id": line_id,
        "productId": f"prod-{line_id}",
        "name": {"en": f"Product {sku}", "de": f"Produkt {sku}"},
        "variant": variant,
        "price": {"value": money(unit_cents, currency, digits)},
        "quantity": quantity,
        "totalPrice": money(total, currency, digits),
    }
    if tax_rate is not None:
        payload["taxedPrice"] = taxed(total, tax_rate, currency, digits)
        payload["taxRate"] = {
            "name": f"{round(tax_rate * 100)}% VAT",
            "amount": tax_rate,
            "includedInPrice": True,
            "country": "DE",
        }
    return {**payload, **overrides}


def order_payload(
    *,
    lines: list[Json] | None = None,
    shipping_method: str | None = "standard",
    shipping_cents: int = 499,
    custom_fields: Json | None = None,
    deliveries: list[Json] | None = None,
    **overrides: Any,
) -> Json:
    items = lines if lines is not None else [line_item()]
    currency = items[0]["totalPrice"]["currencyCode"] if items else "EUR"
    digits = items[0]["totalPrice"]["fractionDigits"] if items else 2
    goods = sum(item["totalPrice"]["centAmount"] for item in items)
    all_taxed = bool(items) and all("taxedPrice" in item for item in items)
    payload: Json = {
        "id": "order-1",
        "version": 3,
        "orderNumber": "N-1001",
        "customerId": "cust-1",
        "customerEmail": "ada@example.com",
        "locale": "de",
        "country": "DE",
        "lineItems": items,
        "shippingAddress": address(),
        "billingAddress": address(firstName="Charles", lastName="Babbage", phone=None),
        "shippingMode": "Single",
        "orderState": "Open",
        "totalPrice": money(goods + shipping_cents, currency, digits),
        "createdAt": CREATED_AT,
        "lastModifiedAt": CREATED_AT,
    }
    if all_taxed:
        nets = sum(item["taxedPrice"]["totalNet"]["centAmount"] for item in items)
        shipping_net = taxed(shipping_cents, 0.19)["totalNet"]["centAmount"]
        gross = goods + shipping_cents
        payload["taxedPrice"] = {
            "totalNet": money(nets + shipping_net, currency, digits),
            "totalGross": money(gross, currency, digits),
            "totalTax": money(gross - nets - shipping_net, currency, digits),
        }
    shipping: Json = {
        "shippingMethodName": shipping_method or "none",
        "price": money(shipping_cents, currency, digits),
        "taxedPrice": taxed(shipping_cents, 0.19, currency, digits),
        "deliveries": deliveries or [],
    }
    if shipping_method is not None:
        shipping["shippingMethod"] = {
            "typeId": "shipping-method",
            "id": f"sm-{shipping_method}",
            "obj": {"id": f"sm-{shipping_method}", "key": shipping_method},
        }
    payload["shippingInfo"] = shipping
    if custom_fields is not None:
        payload["custom"] = {
            "type": {"typeId": "type", "id": "type-order"},
            "fields": custom_fields,
        }
    return {**payload, **overrides}


def make_order(**kwargs: Any) -> Order:
    return Order.model_validate(order_payload(**kwargs))


def cc_order(pickup: str = "STORE-1", **kwargs: Any) -> Order:
    return make_order(
        shipping_method="click-collect", custom_fields={"pickupLocationRef": pickup}, **kwargs
    )


def location(
    ref: str = "LOC-1",
    *,
    status: str | None = "ACTIVE",
    type: str = "STORE",
    latitude: float | None = 52.52,
    longitude: float | None = 13.40,
    address_id: str | None = None,
    name: str | None = None,
    country: str | None = "DE",
    **overrides: Any,
) -> Location:
    primary: Json = {
        "id": address_id if address_id is not None else f"addr-{ref}",
        "ref": ref,
        "name": f"{ref} address",
        "street": "Alexanderplatz 1",
        "city": "Berlin",
        "postcode": "10178",
        "state": "Berlin",
        "country": country,
        "latitude": latitude,
        "longitude": longitude,
    }
    return Location.model_validate(
        {
            "id": f"id-{ref}",
            "ref": ref,
            "name": name if name is not None else f"Store {ref}",
            "type": type,
            "status": status,
            "supportPhoneNumber": "+49 30 999",
            "primaryAddress": primary,
            **overrides,
        }
    )


def fluent_order(
    *,
    order_type: str = "HD",
    line_refs: tuple[str, ...] = ("li-1",),
    pickup: str | None = None,
    delivery_address_id: str | None = "addr-DA",
    ref: str | None = "N-1001",
) -> FluentOrder:
    choice: Json = {"deliveryType": "EXPRESS", "pickupLocationRef": pickup}
    if order_type == "HD" and delivery_address_id is not None:
        choice["deliveryAddress"] = {"id": delivery_address_id, "ref": "N-1001-DA"}
    return FluentOrder.model_validate(
        {
            "id": "F-ORDER-1",
            "ref": ref,
            "type": order_type,
            "status": "RECEIVED",
            "fulfilmentChoice": choice,
            "items": {
                "edges": [
                    {
                        "node": {
                            "id": f"oi-{line_ref}",
                            "ref": line_ref,
                            "quantity": 2,
                            "product": {"ref": f"SKU-{line_ref}", "catalogue": {"ref": "PC"}},
                        }
                    }
                    for line_ref in line_refs
                ],
                "pageInfo": {"hasNextPage": False},
            },
        }
    )


def consignment(
    *,
    reference: str | None = "TRACK-1",
    label: str | None = "LABEL-1",
    label_url: str | None = "https://carrier.example/label/1",
    carrier_name: str | None = "DHL",
    carrier_ref: str | None = "dhl",
) -> Json:
    return {
        "consignment": {
            "id": "C-1",
            "consignmentReference": reference,
            "trackingLabel": label,
            "labelUrl": label_url,
            "carrier": {"id": "car-1", "ref": carrier_ref, "name": carrier_name},
        }
    }


def article(ref: str | None = "ART-1", article_id: str = "1", *consignments: Json) -> Json:
    return {
        "id": article_id,
        "ref": ref,
        "consignmentArticles": {"edges": [{"node": c} for c in consignments]},
    }


def fulfilment(
    ref: str | None = "N-1001-F1",
    *,
    fulfilment_id: str = "FF-1",
    status: str | None = "SHIPPED",
    location_ref: str | None = "LOC-1",
    items: tuple[tuple[str, int, int, int], ...] = (("li-1", 2, 2, 0),),
    kind: str | None = None,
    articles: tuple[Json, ...] = (),
    address_name: str | None = "LOC-1 address",
) -> Fulfilment:
    """`items` are (line item id, requested, filled, rejected)."""
    attributes = [{"name": "sourcingKind", "type": "STRING", "value": kind}] if kind else []
    return Fulfilment.model_validate(
        {
            "id": fulfilment_id,
            "ref": ref,
            "type": "HD_PFS",
            "status": status,
            "fromAddress": {"id": f"addr-{location_ref}", "ref": location_ref, "name": address_name}
            if location_ref
            else None,
            "items": [
                {
                    "id": f"{fulfilment_id}-item-{number}",
                    "ref": f"{ref}-{number}",
                    "requestedQuantity": requested,
                    "filledQuantity": filled,
                    "rejectedQuantity": rejected,
                    "orderItem": {"id": f"oi-{line_id}", "ref": line_id},
                }
                for number, (line_id, requested, filled, rejected) in enumerate(items, start=1)
            ],
            "articles": list(articles),
            "attributes": attributes,
        }
    )


def details(*fulfilments: Fulfilment, line_skus: dict[str, str] | None = None) -> OrderDetails:
    skus = line_skus if line_skus is not None else {"li-1": "SKU-1"}
    return OrderDetails.model_validate(
        {
            "id": "F-ORDER-1",
            "ref": "N-1001",
            "type": "HD",
            "status": "BOOKED",
            "items": [
                {"id": f"oi-{line}", "ref": line, "quantity": 1, "product": {"ref": sku}}
                for line, sku in skus.items()
            ],
            "fulfilments": list(fulfilments),
        }
    )


def record(
    ref: str = "N-1001-F1",
    *,
    status: str | None = "SHIPPED",
    kind: str = "HD",
    location_ref: str | None = "LOC-1",
    location_name: str | None = "Store LOC-1",
    lines: tuple[tuple[str, int, int, int], ...] = (("li-1", 2, 2, 0),),
    sku: str = "SKU-1",
    **overrides: Any,
) -> FulfilmentRecord:
    """`lines` are (line item id, requested, filled, rejected)."""
    return FulfilmentRecord(
        ref=ref,
        kind=kind,
        location_ref=location_ref,
        location_name=location_name,
        status=status,
        lines=tuple(
            FulfilmentLine(
                line_item_id=line_id, sku=sku, requested=requested, filled=filled, rejected=rej
            )
            for line_id, requested, filled, rej in lines
        ),
        **overrides,
    )


def delivery(key: str, *items: tuple[str, int], **kwargs: Any) -> DesiredDelivery:
    """A delivery as the connector wants it, with (line item id, quantity) items."""
    return DesiredDelivery(
        key=key, items=tuple(DeliveryItem(id=i, quantity=q) for i, q in items), **kwargs
    )


def existing_delivery(key: str, *items: tuple[str, int], **extra: Any) -> dict[str, Any]:
    """A delivery as commercetools holds it (wire JSON), without parcels unless given."""
    return {
        "id": f"d-{key}",
        "key": key,
        "items": [{"id": i, "quantity": q} for i, q in items],
        "parcels": [],
        **extra,
    }
