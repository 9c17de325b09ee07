"""Carts (prices, shipping, taxes), orders from carts and imports, order actions, custom fields."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import httpx
import pytest

from tests.sandbox.commercetools.conftest import error_code, ok, update

ADDRESS = {"country": "DE", "firstName": "Anna", "lastName": "Schmidt", "city": "Berlin"}


def net_of(gross: int, rate: str = "0.19") -> int:
    return int((Decimal(gross) / (1 + Decimal(rate))).quantize(Decimal(1), ROUND_HALF_EVEN))


async def variant_price(ct: httpx.AsyncClient, sku: str, country: str | None = None) -> int:
    page = ok(
        await ct.get("product-projections", params={"where": f'masterVariant(sku = "{sku}")'})
    )
    prices = page["results"][0]["masterVariant"]["prices"]
    return next(
        int(p["value"]["centAmount"])
        for p in prices
        if p["value"]["currencyCode"] == "EUR" and p.get("country") == country
    )


async def create_cart(ct: httpx.AsyncClient, **extra: Any) -> dict[str, Any]:
    draft = {
        "currency": "EUR",
        "lineItems": [{"sku": "SKU-00002-1", "quantity": 2}, {"sku": "SKU-00003-1"}],
        "shippingAddress": ADDRESS,
        "billingAddress": ADDRESS,
        "shippingMethod": {"typeId": "shipping-method", "key": "express"},
        "customerEmail": "anna.schmidt@example.com",
        **extra,
    }
    return dict(ok(await ct.post("carts", json=draft), 201))


async def create_order(ct: httpx.AsyncClient, number: str, **cart_extra: Any) -> dict[str, Any]:
    cart = await create_cart(ct, **cart_extra)
    draft = {
        "cart": {"typeId": "cart", "id": cart["id"]},
        "version": cart["version"],
        "orderNumber": number,
    }
    return dict(ok(await ct.post("orders", json=draft), 201))


# --- carts --------------------------------------------------------------------------------------


async def test_cart_prices_shipping_and_taxes(ct: httpx.AsyncClient) -> None:
    first, second = await variant_price(ct, "SKU-00002-1"), await variant_price(ct, "SKU-00003-1")
    cart = await create_cart(ct)
    lines = cart["lineItems"]
    assert [(li["variant"]["sku"], li["quantity"]) for li in lines] == [
        ("SKU-00002-1", 2),
        ("SKU-00003-1", 1),
    ]
    assert lines[0]["price"]["value"]["centAmount"] == first
    assert lines[0]["totalPrice"]["centAmount"] == 2 * first
    assert lines[0]["taxRate"]["amount"] == 0.19
    assert lines[0]["taxRate"]["includedInPrice"] is True
    assert lines[0]["taxedPrice"]["totalNet"]["centAmount"] == net_of(2 * first)
    shipping = cart["shippingInfo"]
    assert shipping["shippingMethodName"] == "Express delivery"
    assert shipping["price"]["centAmount"] == 990
    assert shipping["shippingMethodState"] == "MatchesCart"
    gross = 2 * first + second + 990
    assert cart["totalPrice"] == {
        "type": "centPrecision",
        "currencyCode": "EUR",
        "centAmount": gross,
        "fractionDigits": 2,
    }
    expected_net = net_of(2 * first) + net_of(second) + net_of(990)
    taxed = cart["taxedPrice"]
    assert (taxed["totalGross"]["centAmount"], taxed["totalNet"]["centAmount"]) == (
        gross,
        expected_net,
    )
    assert taxed["totalTax"]["centAmount"] == gross - expected_net
    assert taxed["taxPortions"][0]["rate"] == 0.19
    assert cart["totalLineItemQuantity"] == 3
    assert cart["cartState"] == "Active"


async def test_country_selects_prices_and_free_shipping(ct: httpx.AsyncClient) -> None:
    austrian = await variant_price(ct, "SKU-00002-1", "AT")
    cart = await create_cart(
        ct,
        country="AT",
        lineItems=[{"sku": "SKU-00002-1", "quantity": 5}],
        shippingMethod={"key": "standard"},
        shippingAddress={"country": "AT"},
    )
    assert cart["lineItems"][0]["price"]["country"] == "AT"
    assert cart["lineItems"][0]["price"]["value"]["centAmount"] == austrian
    assert cart["shippingInfo"]["price"]["centAmount"] == 0  # free above 50 EUR
    small = await create_cart(ct, lineItems=[], shippingMethod={"key": "standard"})
    assert small["shippingInfo"]["price"]["centAmount"] == 490
    assert small["totalPrice"]["centAmount"] == 490


async def test_cart_errors(ct: httpx.AsyncClient) -> None:
    no_price = await ct.post(
        "carts", json={"currency": "CHF", "lineItems": [{"sku": "SKU-00002-1"}]}
    )
    assert error_code(no_price, 400) == "MatchingPriceNotFound"
    assert no_price.json()["errors"][0]["currency"] == "CHF"
    unknown = await ct.post("carts", json={"currency": "EUR", "lineItems": [{"sku": "NOPE"}]})
    assert error_code(unknown, 400) == "InvalidOperation"
    no_address = await ct.post(
        "carts", json={"currency": "EUR", "shippingMethod": {"key": "standard"}}
    )
    assert error_code(no_address, 400) == "InvalidOperation"
    bad_currency = await ct.post("carts", json={"currency": "euro"})
    assert error_code(bad_currency, 400) == "InvalidJsonInput"


async def test_cart_updates_reprice(ct: httpx.AsyncClient) -> None:
    cart = await create_cart(ct, shippingAddress=None, shippingMethod=None)
    assert "taxedPrice" not in cart
    price = cart["lineItems"][0]["price"]["value"]["centAmount"]
    updated = ok(
        await update(
            ct,
            "carts",
            cart,
            {"action": "addLineItem", "sku": "SKU-00002-1", "quantity": 1},
            {
                "action": "changeLineItemQuantity",
                "lineItemId": cart["lineItems"][1]["id"],
                "quantity": 0,
            },
            {"action": "setShippingAddress", "address": ADDRESS},
            {"action": "setShippingMethod", "shippingMethod": {"key": "click-collect"}},
        )
    )
    assert [li["quantity"] for li in updated["lineItems"]] == [3]
    assert updated["totalPrice"]["centAmount"] == 3 * price
    assert updated["taxedPrice"]["totalNet"]["centAmount"] == net_of(3 * price)


# --- orders -------------------------------------------------------------------------------------


async def test_order_from_cart(ct: httpx.AsyncClient) -> None:
    cart = await create_cart(ct)
    draft = {
        "cart": {"typeId": "cart", "id": cart["id"]},
        "version": cart["version"],
        "orderNumber": "A-1",
    }
    stale = await ct.post("orders", json={**draft, "version": cart["version"] + 1})
    assert error_code(stale, 409) == "ConcurrentModification"
    order = ok(await ct.post("orders", json=draft), 201)
    assert (order["orderNumber"], order["orderState"], order["version"]) == ("A-1", "Open", 1)
    assert order["cart"] == {"typeId": "cart", "id": cart["id"]}
    assert order["lineItems"] == cart["lineItems"]
    assert order["taxedPrice"] == cart["taxedPrice"]
    assert order["shippingInfo"]["deliveries"] == []
    assert order["syncInfo"] == []
    assert ok(await ct.get(f"carts/{cart['id']}"))["cartState"] == "Ordered"
    again = await ct.post(
        "orders", json={**draft, "version": cart["version"] + 1, "orderNumber": "A-2"}
    )
    assert error_code(again, 400) == "InvalidOperation"
    duplicate = await create_cart(ct)
    response = await ct.post(
        "orders",
        json={
            "cart": {"typeId": "cart", "id": duplicate["id"]},
            "version": 1,
            "orderNumber": "A-1",
        },
    )
    assert error_code(response, 400) == "DuplicateField"
    assert response.json()["errors"][0]["field"] == "orderNumber"

    by_number = ok(
        await ct.get("orders/order-number=A-1", params={"expand": "shippingInfo.shippingMethod"})
    )
    assert by_number["id"] == order["id"]
    assert by_number["shippingInfo"]["shippingMethod"]["obj"]["key"] == "express"
    assert error_code(await ct.get("orders/order-number=nope"), 404) == "ResourceNotFound"

    [created] = ok(await ct.get("messages", params={"where": f'resource(id = "{order["id"]}")'}))[
        "results"
    ]
    assert created["type"] == "OrderCreated"
    assert created["order"] == order
    assert created["resourceUserProvidedIdentifiers"] == {"orderNumber": "A-1"}
    assert (created["sequenceNumber"], created["resourceVersion"]) == (1, 1)


async def test_order_state_actions_and_messages(ct: httpx.AsyncClient) -> None:
    order = await create_order(ct, "S-1")
    updated = ok(
        await update(
            ct,
            "orders",
            order,
            {"action": "changeOrderState", "orderState": "Confirmed"},
            {"action": "changeShipmentState", "shipmentState": "Ready"},
            {"action": "changePaymentState", "paymentState": "Paid"},
        )
    )
    assert (updated["orderState"], updated["shipmentState"], updated["paymentState"]) == (
        "Confirmed",
        "Ready",
        "Paid",
    )
    assert updated["version"] == 2
    completed = ok(
        await ct.post(
            "orders/order-number=S-1",
            json={
                "version": 2,
                "actions": [{"action": "changeOrderState", "orderState": "Complete"}],
            },
        )
    )
    assert "completedAt" in completed
    bad = await update(
        ct, "orders", completed, {"action": "changeOrderState", "orderState": "Shipped"}
    )
    assert error_code(bad, 400) == "InvalidJsonInput"
    assert "orderState" in bad.json()["errors"][0]["detailedErrorMessage"]
    params = {
        "where": f'resource(id = "{order["id"]}") and type != "OrderCreated"',
        "sort": "sequenceNumber asc",
    }
    messages = ok(await ct.get("messages", params=params))["results"]
    assert [(m["type"], m["sequenceNumber"], m["resourceVersion"]) for m in messages] == [
        ("OrderStateChanged", 2, 2),
        ("OrderShipmentStateChanged", 3, 2),
        ("OrderPaymentStateChanged", 4, 2),
        ("OrderStateChanged", 5, 3),
    ]
    assert (messages[0]["orderState"], messages[0]["oldOrderState"]) == ("Confirmed", "Open")
    assert (messages[3]["orderState"], messages[3]["oldOrderState"]) == ("Complete", "Confirmed")
    assert messages[1]["shipmentState"] == "Ready"
    assert "oldShipmentState" not in messages[1]
    one = ok(await ct.get(f"messages/{messages[0]['id']}"))
    assert one == messages[0]
    assert ok(await ct.get(f"orders/{order['id']}"))["lastMessageSequenceNumber"] == 5


async def test_deliveries_and_parcels(ct: httpx.AsyncClient) -> None:
    order = await create_order(ct, "D-1")
    first, second = (li["id"] for li in order["lineItems"])
    order = ok(
        await update(
            ct,
            "orders",
            order,
            {
                "action": "addDelivery",
                "deliveryKey": "fulfilment-1",
                "items": [{"id": first, "quantity": 2}],
                "parcels": [
                    {
                        "key": "article-1",
                        "trackingData": {"trackingId": "T-1", "carrier": "DHL"},
                        "items": [{"id": first, "quantity": 2}],
                    }
                ],
            },
        )
    )
    [delivery] = order["shippingInfo"]["deliveries"]
    assert delivery["key"] == "fulfilment-1"
    assert delivery["items"] == [{"id": first, "quantity": 2}]
    assert delivery["parcels"][0]["trackingData"] == {"trackingId": "T-1", "carrier": "DHL"}
    order = ok(
        await update(
            ct,
            "orders",
            order,
            {
                "action": "addParcelToDelivery",
                "deliveryKey": "fulfilment-1",
                "parcelKey": "article-2",
                "items": [{"id": second, "quantity": 1}],
            },
            {
                "action": "setParcelTrackingData",
                "parcelKey": "article-2",
                "trackingData": {"trackingId": "T-2", "isReturn": False},
            },
            {
                "action": "setDeliveryItems",
                "deliveryKey": "fulfilment-1",
                "items": [{"id": first, "quantity": 2}, {"id": second, "quantity": 1}],
            },
        )
    )
    [delivery] = order["shippingInfo"]["deliveries"]
    assert [p["key"] for p in delivery["parcels"]] == ["article-1", "article-2"]
    assert delivery["parcels"][1]["trackingData"] == {"trackingId": "T-2", "isReturn": False}
    assert len(delivery["items"]) == 2
    params = {
        "where": f'resource(id = "{order["id"]}") and type != "OrderCreated"',
        "sort": "sequenceNumber asc",
    }
    messages = ok(await ct.get("messages", params=params))["results"]
    assert [m["type"] for m in messages] == [
        "DeliveryAdded",
        "ParcelAddedToDelivery",
        "ParcelTrackingDataUpdated",
        "DeliveryItemsUpdated",
    ]
    assert messages[0]["delivery"]["key"] == "fulfilment-1"
    assert messages[0]["delivery"]["parcels"][0]["key"] == "article-1"
    assert messages[1]["parcel"]["key"] == "article-2"
    assert "article-2" not in [p.get("key") for p in messages[0]["delivery"]["parcels"]]

    where = f'shippingInfo(deliveries(key = "fulfilment-1")) and lineItems(id = "{second}")'
    assert ok(await ct.get("orders", params={"where": where}))["results"][0]["id"] == order["id"]


@pytest.mark.parametrize(
    ("action", "code", "fragment"),
    [
        (
            {"action": "addDelivery", "items": [{"id": "not-a-line-item", "quantity": 1}]},
            "InvalidOperation",
            "not-a-line-item",
        ),
        (
            {"action": "addDelivery", "deliveryKey": "fulfilment-1"},
            "DuplicateField",
            "fulfilment-1",
        ),
        (
            {
                "action": "addDelivery",
                "deliveryKey": "fulfilment-2",
                "parcels": [{"key": "article-1"}],
            },
            "DuplicateField",
            "article-1",
        ),
        (
            {
                "action": "addDelivery",
                "deliveryKey": "fulfilment-3",
                "parcels": [{"key": "twin"}, {"key": "twin"}],
            },
            "DuplicateField",
            "twin",
        ),
        ({"action": "addDelivery", "deliveryKey": "x"}, "InvalidJsonInput", "deliveryKey"),
        ({"action": "addDelivery", "deliveryKey": "no spaces"}, "InvalidJsonInput", "deliveryKey"),
        (
            {"action": "addDelivery", "items": [{"id": "LINE", "quantity": -1}]},
            "InvalidJsonInput",
            "quantity",
        ),
        (
            {"action": "addParcelToDelivery", "deliveryKey": "nope", "parcelKey": "p-9"},
            "InvalidOperation",
            "nope",
        ),
        (
            {
                "action": "addParcelToDelivery",
                "deliveryKey": "fulfilment-1",
                "parcelKey": "article-1",
            },
            "DuplicateField",
            "article-1",
        ),
        ({"action": "addParcelToDelivery", "parcelKey": "p-9"}, "InvalidInput", "deliveryId"),
        ({"action": "setParcelTrackingData", "parcelKey": "nope"}, "InvalidOperation", "nope"),
        (
            {
                "action": "setDeliveryItems",
                "deliveryKey": "fulfilment-1",
                "items": [{"id": "other", "quantity": 1}],
            },
            "InvalidOperation",
            "other",
        ),
    ],
)
async def test_delivery_validation(
    ct: httpx.AsyncClient, action: dict[str, Any], code: str, fragment: str
) -> None:
    order = await create_order(ct, "V-1")
    line = order["lineItems"][0]["id"]
    order = ok(
        await update(
            ct,
            "orders",
            order,
            {
                "action": "addDelivery",
                "deliveryKey": "fulfilment-1",
                "items": [{"id": line, "quantity": 1}],
                "parcels": [{"key": "article-1"}],
            },
        )
    )
    if action.get("items") == [{"id": "LINE", "quantity": -1}]:
        action = {**action, "items": [{"id": line, "quantity": -1}]}
    response = await update(
        ct, "orders", order, {"action": "changeOrderState", "orderState": "Confirmed"}, action
    )
    assert error_code(response, 400) == code
    assert fragment in response.text
    unchanged = ok(await ct.get(f"orders/{order['id']}"))
    assert (unchanged["version"], unchanged["orderState"]) == (order["version"], "Open")


async def test_imported_orders(ct: httpx.AsyncClient) -> None:
    draft: dict[str, Any] = {
        "orderNumber": "IMP-1",
        "customerEmail": "lukas.gruber@example.com",
        "totalPrice": {"currencyCode": "EUR", "centAmount": 2380},
        "lineItems": [
            {
                "name": {"en": "Imported"},
                "variant": {"sku": "SKU-00004-2"},
                "quantity": 2,
                "price": {"value": {"currencyCode": "EUR", "centAmount": 1190}},
                "taxRate": {"name": "AT", "amount": 0.2, "includedInPrice": True, "country": "AT"},
            }
        ],
        "shippingAddress": {"country": "AT"},
        "orderState": "Confirmed",
    }
    order = ok(await ct.post("orders/import", json=draft), 201)
    item = order["lineItems"][0]
    assert item["variant"]["sku"] == "SKU-00004-2"
    assert item["totalPrice"]["centAmount"] == 2380
    assert item["taxedPrice"]["totalNet"]["centAmount"] == 1983
    assert order["orderState"] == "Confirmed"
    assert "shippingInfo" not in order
    no_shipping = await update(ct, "orders", order, {"action": "addDelivery", "items": []})
    assert error_code(no_shipping, 400) == "InvalidOperation"
    assert "shipping info" in no_shipping.json()["message"]
    [imported] = ok(
        await ct.get("messages", params={"where": 'type in ("OrderCreated", "OrderImported")'})
    )["results"]
    assert imported["type"] == "OrderImported"
    assert imported["order"]["orderNumber"] == "IMP-1"
    unknown = {
        **draft,
        "orderNumber": "IMP-2",
        "lineItems": [{**draft["lineItems"][0], "variant": {"sku": "NOPE"}}],
    }
    assert error_code(await ct.post("orders/import", json=unknown), 400) == "InvalidOperation"


# --- custom fields and sync info ----------------------------------------------------------------


async def create_type(ct: httpx.AsyncClient, key: str, resource: str) -> dict[str, Any]:
    def field(name: str, type_: dict[str, Any], required: bool = False) -> dict[str, Any]:
        return {"name": name, "label": {"en": name}, "required": required, "type": type_}

    draft = {
        "key": key,
        "name": {"en": key},
        "resourceTypeIds": [resource],
        "fieldDefinitions": [
            field("ref", {"name": "String"}, required=True),
            field(
                "status",
                {
                    "name": "Enum",
                    "values": [{"key": "NEW", "label": "New"}, {"key": "DONE", "label": "Done"}],
                },
            ),
            field("count", {"name": "Number"}),
            field("flag", {"name": "Boolean"}),
            field("tags", {"name": "Set", "elementType": {"name": "String"}}),
            field("amount", {"name": "Money"}),
            field("at", {"name": "DateTime"}),
        ],
    }
    return dict(ok(await ct.post("types", json=draft), 201))


async def test_order_custom_fields(ct: httpx.AsyncClient) -> None:
    type_ = await create_type(ct, "order-fluent", "order")
    order = await create_order(ct, "C-1")
    order = ok(
        await update(
            ct,
            "orders",
            order,
            {
                "action": "setCustomType",
                "type": {"typeId": "type", "key": "order-fluent"},
                "fields": {"ref": "F-1", "status": "NEW"},
            },
            {"action": "setCustomField", "name": "count", "value": 2},
            {"action": "setCustomField", "name": "tags", "value": ["a", "b"]},
            {
                "action": "setCustomField",
                "name": "amount",
                "value": {"currencyCode": "EUR", "centAmount": 5},
            },
            {"action": "setCustomField", "name": "at", "value": "2026-03-01T10:00:00+01:00"},
            {"action": "setCustomField", "name": "status", "value": "DONE"},
        )
    )
    fields = order["custom"]["fields"]
    assert order["custom"]["type"] == {"typeId": "type", "id": type_["id"]}
    assert fields["amount"] == {
        "type": "centPrecision",
        "currencyCode": "EUR",
        "centAmount": 5,
        "fractionDigits": 2,
    }
    assert fields["at"] == "2026-03-01T09:00:00.000Z"
    assert (fields["status"], fields["count"], fields["tags"]) == ("DONE", 2, ["a", "b"])
    found = ok(
        await ct.get("orders", params={"where": 'custom(fields(ref = "F-1" and status = "DONE"))'})
    )
    assert [o["id"] for o in found["results"]] == [order["id"]]
    params = {
        "where": f'resource(id = "{order["id"]}") and type != "OrderCreated"',
        "sort": "sequenceNumber asc",
    }
    types = [m["type"] for m in ok(await ct.get("messages", params=params))["results"]]
    assert types == [
        "OrderCustomTypeSet",
        *["OrderCustomFieldAdded"] * 4,
        "OrderCustomFieldChanged",
    ]


@pytest.mark.parametrize(
    ("action", "code", "field"),
    [
        ({"action": "setCustomField", "name": "unknown", "value": 1}, "InvalidField", "unknown"),
        ({"action": "setCustomField", "name": "count", "value": "two"}, "InvalidField", "count"),
        ({"action": "setCustomField", "name": "flag", "value": 1}, "InvalidField", "flag"),
        ({"action": "setCustomField", "name": "status", "value": "LOST"}, "InvalidField", "status"),
        ({"action": "setCustomField", "name": "tags", "value": "a"}, "InvalidField", "tags"),
        (
            {"action": "setCustomField", "name": "at", "value": "2026-03-01 10:00"},
            "InvalidField",
            "at",
        ),
        ({"action": "setCustomField", "name": "ref", "value": None}, "RequiredField", "ref"),
        ({"action": "setCustomField", "name": "count", "value": None}, "InvalidOperation", None),
        (
            {"action": "setCustomType", "type": {"key": "order-fluent"}, "fields": {}},
            "RequiredField",
            "ref",
        ),
        (
            {"action": "setCustomType", "type": {"key": "line-fields"}, "fields": {"ref": "x"}},
            "InvalidInput",
            None,
        ),
        (
            {"action": "setCustomType", "type": {"key": "missing-type"}},
            "ReferencedResourceNotFound",
            None,
        ),
    ],
)
async def test_custom_field_validation(
    ct: httpx.AsyncClient, action: dict[str, Any], code: str, field: str | None
) -> None:
    await create_type(ct, "order-fluent", "order")
    await create_type(ct, "line-fields", "line-item")
    order = await create_order(ct, "CV-1")
    order = ok(
        await update(
            ct,
            "orders",
            order,
            {"action": "setCustomType", "type": {"key": "order-fluent"}, "fields": {"ref": "F"}},
        )
    )
    response = await update(ct, "orders", order, action)
    assert error_code(response, 400) == code
    if field is not None:
        assert response.json()["errors"][0]["field"] == field


async def test_address_custom_fields_reach_the_order(ct: httpx.AsyncClient) -> None:
    """Addresses in writes are AddressDrafts: a shop stores e.g. delivery coordinates in their
    custom fields, checked against a Type for resource `address`, and the order keeps them."""
    type_ = await create_type(ct, "geo-address", "address")
    await create_type(ct, "order-only", "order")
    custom = {"type": {"key": "geo-address"}, "fields": {"ref": "home", "count": 52.52}}
    order = await create_order(ct, "CA-1", shippingAddress={**ADDRESS, "custom": custom})
    assert order["shippingAddress"]["custom"] == {
        "type": {"typeId": "type", "id": type_["id"]},
        "fields": {"ref": "home", "count": 52.52},
    }
    assert "custom" not in order["billingAddress"]

    wrong_resource = {"type": {"key": "order-only"}, "fields": {"ref": "x"}}
    response = await ct.post(
        "carts", json={"currency": "EUR", "shippingAddress": {**ADDRESS, "custom": wrong_resource}}
    )
    assert error_code(response, 400) == "InvalidInput"
    missing_required = {"type": {"key": "geo-address"}, "fields": {"count": 1}}
    cart = await create_cart(ct, shippingMethod=None)
    response = await update(
        ct,
        "carts",
        cart,
        {"action": "setShippingAddress", "address": {**ADDRESS, "custom": missing_required}},
    )
    assert error_code(response, 400) == "RequiredField"


async def test_custom_fields_on_line_items_deliveries_and_parcels(ct: httpx.AsyncClient) -> None:
    await create_type(ct, "line-fields", "line-item")
    await create_type(ct, "delivery-fields", "order-delivery")
    await create_type(ct, "parcel-fields", "order-parcel")
    order = await create_order(ct, "CL-1")
    line = order["lineItems"][0]
    order = ok(
        await update(
            ct,
            "orders",
            order,
            {
                "action": "setLineItemCustomType",
                "lineItemId": line["id"],
                "type": {"key": "line-fields"},
                "fields": {"ref": "L"},
            },
            {
                "action": "setLineItemCustomField",
                "lineItemId": line["id"],
                "name": "count",
                "value": 1,
            },
            {
                "action": "addDelivery",
                "deliveryKey": "d-1",
                "items": [{"id": line["id"], "quantity": 1}],
                "custom": {"type": {"key": "delivery-fields"}, "fields": {"ref": "D"}},
                "parcels": [
                    {
                        "key": "p-1",
                        "custom": {"type": {"key": "parcel-fields"}, "fields": {"ref": "P"}},
                    }
                ],
            },
            {
                "action": "setDeliveryCustomField",
                "deliveryKey": "d-1",
                "name": "flag",
                "value": True,
            },
            {
                "action": "setParcelCustomField",
                "parcelKey": "p-1",
                "name": "status",
                "value": "NEW",
            },
        )
    )
    assert order["lineItems"][0]["custom"]["fields"] == {"ref": "L", "count": 1}
    delivery = order["shippingInfo"]["deliveries"][0]
    assert delivery["custom"]["fields"] == {"ref": "D", "flag": True}
    assert delivery["parcels"][0]["custom"]["fields"] == {"ref": "P", "status": "NEW"}
    wrong_type = await update(
        ct,
        "orders",
        order,
        {
            "action": "setParcelCustomType",
            "parcelKey": "p-1",
            "type": {"key": "delivery-fields"},
            "fields": {"ref": "x"},
        },
    )
    assert error_code(wrong_type, 400) == "InvalidInput"
    wrong_value = await update(
        ct,
        "orders",
        order,
        {"action": "setDeliveryCustomField", "deliveryKey": "d-1", "name": "count", "value": "1"},
    )
    assert error_code(wrong_value, 400) == "InvalidField"


async def test_update_sync_info_needs_an_order_export_channel(ct: httpx.AsyncClient) -> None:
    for key, roles in (("fluent", ["OrderExport"]), ("store", ["InventorySupply"])):
        ok(await ct.post("channels", json={"key": key, "roles": roles}), 201)
    order = await create_order(ct, "SY-1")
    refused = await update(
        ct,
        "orders",
        order,
        {"action": "updateSyncInfo", "channel": {"typeId": "channel", "key": "store"}},
    )
    assert error_code(refused, 400) == "MissingRoleOnChannel"
    assert refused.json()["errors"][0]["missingRole"] == "OrderExport"
    synced = ok(
        await update(
            ct,
            "orders",
            order,
            {
                "action": "updateSyncInfo",
                "channel": {"typeId": "channel", "key": "fluent"},
                "externalId": "F-100",
                "syncedAt": "2026-02-01T00:00:00.000Z",
            },
        )
    )
    assert synced["syncInfo"][0]["externalId"] == "F-100"
    assert synced["syncInfo"][0]["syncedAt"] == "2026-02-01T00:00:00.000Z"
    assert synced["syncInfo"][0]["channel"]["typeId"] == "channel"
