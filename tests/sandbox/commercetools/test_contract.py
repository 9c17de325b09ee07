"""Sandbox responses hold against the official commercetools OpenAPI description."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from sandbox.commercetools.app import CommercetoolsSandbox
from sandbox.commercetools.config import PushTarget
from tests.conftest import reference_file
from tests.sandbox.commercetools.conftest import CLIENT, ok, update
from tests.sandbox.commercetools.openapi_schemas import OpenApi, load

pytestmark = pytest.mark.contract


@pytest.fixture(scope="module")
def openapi() -> OpenApi:
    return load(reference_file("commercetools-openapi.yaml"))


def assert_valid(openapi: OpenApi, instance: Any, name: str) -> None:
    problems = openapi.problems(instance, name)
    assert not problems, f"{name}:\n" + "\n".join(problems[:20])


async def test_resources_and_messages(
    openapi: OpenApi, ct: httpx.AsyncClient, sandbox: CommercetoolsSandbox
) -> None:
    checked: list[tuple[Any, str]] = []

    def check(response: httpx.Response, name: str, status: int = 200) -> Any:
        body = ok(response, status)
        checked.append((body, name))
        return body

    field = {"name": "ref", "label": {"en": "Ref"}, "required": False, "type": {"name": "String"}}
    enum = {
        "name": "kind",
        "label": {"en": "Kind"},
        "required": False,
        "type": {"name": "Enum", "values": [{"key": "A", "label": "A"}]},
    }
    for key, resource in (
        ("o", "order"),
        ("d", "order-delivery"),
        ("p", "order-parcel"),
        ("c", "channel"),
        ("l", "line-item"),
    ):
        draft = {
            "key": f"{key}-fields",
            "name": {"en": key},
            "resourceTypeIds": [resource],
            "fieldDefinitions": [field, enum],
        }
        check(await ct.post("types", json=draft), "Type", 201)
    channel = check(
        await ct.post(
            "channels",
            json={
                "key": "wh-1",
                "roles": ["InventorySupply", "OrderExport"],
                "name": {"en": "WH"},
                "address": {"country": "DE", "city": "Berlin"},
                "geoLocation": {"type": "Point", "coordinates": [13.4, 52.5]},
                "custom": {"type": {"key": "c-fields"}, "fields": {"ref": "L-1"}},
            },
        ),
        "Channel",
        201,
    )
    entry = check(
        await ct.post(
            "inventory",
            json={
                "sku": "SKU-00001-1",
                "key": "inv-1",
                "supplyChannel": {"key": "wh-1"},
                "quantityOnStock": 3,
            },
        ),
        "InventoryEntry",
        201,
    )
    check(
        await update(ct, "inventory", entry, {"action": "changeQuantity", "quantity": 5}),
        "InventoryEntry",
    )
    category = check(await ct.get("categories/key=cat-00-00"), "Category")
    check(
        await update(
            ct, "categories", category, {"action": "changeSlug", "slug": {"en": "renamed"}}
        ),
        "Category",
    )
    product = check(await ct.get("products/key=prod-00001"), "Product")
    product = check(
        await update(
            ct,
            "products",
            product,
            {"action": "changeName", "name": {"en": "New"}},
            {
                "action": "addVariant",
                "sku": "NEW-SKU",
                "prices": [{"value": {"currencyCode": "EUR", "centAmount": 100}}],
            },
            {
                "action": "setPrices",
                "variantId": 1,
                "prices": [{"value": {"currencyCode": "EUR", "centAmount": 990}}],
            },
            {"action": "addToCategory", "category": {"typeId": "category", "id": category["id"]}},
            {"action": "publish"},
        ),
        "Product",
    )
    check(
        await ct.get(
            "product-projections", params={"staged": "true", "limit": 3, "expand": "categories[*]"}
        ),
        "ProductProjectionPagedQueryResponse",
    )
    check(await ct.get(f"product-projections/{product['id']}"), "ProductProjection")
    check(await ct.get("product-types/key=sandbox-apparel"), "ProductType")
    check(
        await ct.get("shipping-methods/key=express", params={"expand": "zoneRates[*].zone"}),
        "ShippingMethod",
    )
    check(await ct.get("tax-categories/key=standard"), "TaxCategory")
    check(await ct.get("zones/key=world"), "Zone")
    check(await ct.get("states/key=Initial"), "State")
    check(await ct.get("http://ct/demo"), "Project")
    check(
        await ct.post(
            "customers",
            json={
                "email": "c@example.com",
                "password": "p",
                "addresses": [{"country": "DE"}],
                "defaultBillingAddress": 0,
            },
        ),
        "CustomerSignInResult",
        201,
    )
    cart = check(
        await ct.post(
            "carts",
            json={
                "currency": "EUR",
                "country": "DE",
                "lineItems": [
                    {
                        "sku": "SKU-00002-1",
                        "quantity": 2,
                        "supplyChannel": {"key": "wh-1"},
                        "custom": {"type": {"key": "l-fields"}, "fields": {"kind": "A"}},
                    }
                ],
                "shippingAddress": {"country": "DE", "firstName": "A"},
                "shippingMethod": {"key": "standard"},
                "custom": {"type": {"key": "o-fields"}, "fields": {"ref": "x"}},
            },
        ),
        "Cart",
        201,
    )
    order = check(
        await ct.post(
            "orders",
            json={
                "cart": {"typeId": "cart", "id": cart["id"]},
                "version": cart["version"],
                "orderNumber": "1",
            },
        ),
        "Order",
        201,
    )
    line = order["lineItems"][0]["id"]
    order = check(
        await update(
            ct,
            "orders",
            order,
            {"action": "changeOrderState", "orderState": "Confirmed"},
            {"action": "changeShipmentState", "shipmentState": "Pending"},
            {"action": "changePaymentState", "paymentState": "Paid"},
            {
                "action": "addDelivery",
                "deliveryKey": "d-1",
                "items": [{"id": line, "quantity": 1}],
                "address": {"country": "DE"},
                "custom": {"type": {"key": "d-fields"}, "fields": {"ref": "F"}},
                "parcels": [
                    {
                        "key": "p-1",
                        "measurements": {"weightInGram": 500},
                        "trackingData": {"trackingId": "T", "carrier": "DHL", "isReturn": False},
                        "items": [{"id": line, "quantity": 1}],
                    }
                ],
            },
            {
                "action": "addParcelToDelivery",
                "deliveryKey": "d-1",
                "parcelKey": "p-2",
                "custom": {"type": {"key": "p-fields"}, "fields": {"kind": "A"}},
            },
            {
                "action": "setParcelTrackingData",
                "parcelKey": "p-2",
                "trackingData": {"trackingId": "T2"},
            },
            {
                "action": "setDeliveryItems",
                "deliveryKey": "d-1",
                "items": [{"id": line, "quantity": 2}],
            },
            {"action": "setCustomType", "type": {"key": "o-fields"}, "fields": {"ref": "x"}},
            {"action": "setCustomField", "name": "kind", "value": "A"},
            {"action": "setCustomField", "name": "ref", "value": "y"},
            {"action": "setCustomField", "name": "kind"},
            {
                "action": "updateSyncInfo",
                "channel": {"typeId": "channel", "id": channel["id"]},
                "externalId": "F-1",
            },
        ),
        "Order",
    )
    check(
        await ct.get("orders/order-number=1", params={"expand": "shippingInfo.shippingMethod"}),
        "Order",
    )
    check(
        await ct.get("orders", params={"expand": "lineItems[*].supplyChannel"}),
        "OrderPagedQueryResponse",
    )
    imported = {
        "orderNumber": "imp",
        "totalPrice": {"currencyCode": "EUR", "centAmount": 100},
        "lineItems": [
            {
                "name": {"en": "x"},
                "variant": {"sku": "SKU-00003-1"},
                "quantity": 1,
                "price": {"value": {"currencyCode": "EUR", "centAmount": 100}},
                "taxRate": {"name": "DE", "amount": 0.19, "includedInPrice": True, "country": "DE"},
            }
        ],
        "shippingInfo": {
            "shippingMethodName": "Standard",
            "price": {"currencyCode": "EUR", "centAmount": 0},
            "shippingRate": {"price": {"currencyCode": "EUR", "centAmount": 0}},
            "shippingMethod": {"key": "standard"},
            "deliveries": [{"key": "d-imp", "items": [], "parcels": [{"key": "p-imp"}]}],
        },
        "taxedPrice": {
            "totalNet": {"currencyCode": "EUR", "centAmount": 84},
            "totalGross": {"currencyCode": "EUR", "centAmount": 100},
            "taxPortions": [{"rate": 0.19, "amount": {"currencyCode": "EUR", "centAmount": 16}}],
        },
    }
    check(await ct.post("orders/import", json=imported), "Order", 201)

    messages = ok(await ct.get("messages", params={"limit": 500}))
    # The description's Message discriminator omits order messages: check each one by its type.
    checked.append(({**messages, "results": []}, "MessagePagedQueryResponse"))
    types = {m["type"] for m in messages["results"]}
    assert {
        "OrderCreated",
        "OrderImported",
        "DeliveryAdded",
        "ParcelAddedToDelivery",
        "ProductPublished",
    } <= types
    problems = []
    for message in messages["results"]:
        checked.append((message, f"{message['type']}Message"))
        envelope = sandbox.dispatcher.envelope(PushTarget(url="http://x"), message, "1")
        payload = json.loads(base64.b64decode(envelope["message"]["data"]))
        problems += openapi.problems(payload, "MessageDeliveryPayload", undeclared=False)
        assert payload == {**message, "notificationType": "Message", "projectKey": "demo"}

    problems += [f"{name}: {p}" for body, name in checked for p in openapi.problems(body, name)]
    assert not problems, "\n".join(problems[:40])


async def test_error_responses(
    openapi: OpenApi, ct: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    category = ok(await ct.get("categories/key=cat-00"))
    cart = ok(
        await ct.post("carts", json={"currency": "EUR", "lineItems": [{"sku": "SKU-00001-1"}]}), 201
    )
    order = ok(await ct.post("orders", json={"cart": {"id": cart["id"]}, "version": 1}), 201)
    ok(await ct.post("channels", json={"key": "plain"}), 201)
    responses = [
        (
            await update(
                ct, "categories", {**category, "version": 9}, {"action": "setKey", "key": "x-1"}
            ),
            "ConcurrentModificationError",
        ),
        (
            await ct.post(
                "categories", json={"key": "cat-00", "name": {"en": "a"}, "slug": {"en": "aa"}}
            ),
            "DuplicateFieldError",
        ),
        (await ct.get("categories/nope"), "ResourceNotFoundError"),
        (await ct.post("categories", content=b"{"), "InvalidJsonInputError"),
        (await ct.get("categories", params={"limit": 900}), "InvalidInputError"),
        (
            await update(
                ct,
                "orders",
                order,
                {"action": "addDelivery", "items": [{"id": "x", "quantity": 1}]},
            ),
            "InvalidOperationError",
        ),
        (
            await ct.post(
                "products",
                json={"productType": {"key": "nope"}, "name": {"en": "x"}, "slug": {"en": "xx"}},
            ),
            "ReferencedResourceNotFoundError",
        ),
        (
            await ct.post("carts", json={"currency": "GBP", "lineItems": [{"sku": "SKU-00001-1"}]}),
            "MatchingPriceNotFoundError",
        ),
        (
            await ct.post(
                "inventory",
                json={"sku": "a", "supplyChannel": {"key": "plain"}, "quantityOnStock": 1},
            ),
            "InventoryEntry",
        ),
        (
            await update(
                ct, "orders", order, {"action": "updateSyncInfo", "channel": {"key": "plain"}}
            ),
            "MissingRoleOnChannelError",
        ),
    ]
    responses.append((await http.get("/demo/orders"), "InvalidTokenError"))
    responses.append(
        (
            await http.post(
                "/oauth/token", data={"grant_type": "client_credentials"}, auth=(CLIENT[0], "x")
            ),
            "InvalidCredentialsError",
        )
    )
    for response, error_schema in responses:
        body = response.json()
        if error_schema == "InventoryEntry":
            assert response.status_code == 201
            assert_valid(openapi, body, error_schema)
            continue
        assert response.status_code >= 400
        assert_valid(
            openapi, body, "AuthErrorResponse" if response.status_code == 401 else "ErrorResponse"
        )
        assert_valid(
            openapi,
            body["errors"][0],
            error_schema
            if "Token" not in error_schema and "Credentials" not in error_schema
            else "ErrorObject",
        )
