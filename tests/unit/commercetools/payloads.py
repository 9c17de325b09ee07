"""Realistic commercetools response bodies, shaped like the API's own examples, including fields
the connector's models do not declare (they must be ignored)."""

from __future__ import annotations

from typing import Any

CREATED = "2026-03-01T10:00:00.000Z"
MODIFIED = "2026-03-02T11:30:15.123Z"


def money(cents: int, currency: str = "EUR") -> dict[str, Any]:
    return {
        "type": "centPrecision",
        "currencyCode": currency,
        "centAmount": cents,
        "fractionDigits": 2,
    }


def address(**overrides: Any) -> dict[str, Any]:
    return {
        "key": "home",
        "title": "Dr.",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "streetName": "Unter den Linden",
        "streetNumber": "1",
        "additionalStreetInfo": "Hinterhaus",
        "building": "B",
        "apartment": "4",
        "postalCode": "10117",
        "city": "Berlin",
        "region": "Mitte",
        "state": "Berlin",
        "country": "DE",
        "company": "Analytical Engines GmbH",
        "phone": "+49 30 123456",
        "email": "ada@example.com",
        "someFutureField": {"nested": True},
        **overrides,
    }


def variant(variant_id: int, sku: str) -> dict[str, Any]:
    return {
        "id": variant_id,
        "sku": sku,
        "key": f"{sku}-key",
        "prices": [
            {
                "id": f"price-{sku}",
                "value": money(1999),
                "country": "DE",
                "channel": {"typeId": "channel", "id": "chan-1"},
                "discounted": {"value": money(1499), "discount": {"typeId": "product-discount"}},
            }
        ],
        "attributes": [
            {"name": "color", "value": {"key": "red", "label": {"en": "Red"}}},
            {"name": "gtin", "value": "4006381333931"},
        ],
        "images": [
            {"url": f"https://img.example.com/{sku}.jpg", "dimensions": {"w": 800, "h": 600}}
        ],
        "assets": [],
        "availability": {"isOnStock": True, "availableQuantity": 12},
    }


def product_projection(product_id: str = "prod-1", sku: str = "SKU-1") -> dict[str, Any]:
    return {
        "id": product_id,
        "version": 7,
        "key": f"key-{product_id}",
        "productType": {"typeId": "product-type", "id": "pt-1"},
        "name": {"en": "Shirt", "de": "Hemd"},
        "description": {"en": "A shirt"},
        "slug": {"en": f"shirt-{product_id}"},
        "categories": [{"typeId": "category", "id": "cat-1"}],
        "categoryOrderHints": {},
        "masterVariant": variant(1, sku),
        "variants": [variant(2, f"{sku}-L")],
        "searchKeywords": {},
        "hasStagedChanges": False,
        "published": True,
        "createdAt": CREATED,
        "lastModifiedAt": MODIFIED,
    }


def category(category_id: str = "cat-1", parent: str | None = "cat-0") -> dict[str, Any]:
    return {
        "id": category_id,
        "version": 3,
        "key": f"key-{category_id}",
        "name": {"en": "Shirts"},
        "slug": {"en": f"shirts-{category_id}"},
        "ancestors": [{"typeId": "category", "id": parent}] if parent else [],
        "parent": {"typeId": "category", "id": parent} if parent else None,
        "orderHint": "0.5",
        "assets": [],
        "createdAt": CREATED,
        "lastModifiedAt": MODIFIED,
        "lastModifiedBy": {"isPlatformClient": True},
    }


def channel(
    channel_id: str = "chan-1", key: str = "store-berlin", version: int = 2
) -> dict[str, Any]:
    return {
        "id": channel_id,
        "version": version,
        "key": key,
        "roles": ["InventorySupply", "ProductDistribution"],
        "name": {"en": "Berlin store"},
        "description": {"en": "Flagship"},
        "address": address(),
        "geoLocation": {"type": "Point", "coordinates": [13.3889, 52.517]},
        "custom": {"type": {"typeId": "type", "id": "type-1"}, "fields": {"fluentRef": "LOC-1"}},
        "reviewRatingStatistics": None,
        "createdAt": CREATED,
        "lastModifiedAt": MODIFIED,
    }


def inventory_entry(
    entry_id: str = "inv-1", sku: str = "SKU-1", quantity: int = 5, version: int = 1
) -> dict[str, Any]:
    return {
        "id": entry_id,
        "version": version,
        "key": f"{sku}-chan-1",
        "sku": sku,
        "supplyChannel": {"typeId": "channel", "id": "chan-1"},
        "quantityOnStock": quantity,
        "availableQuantity": quantity - 1,
        "restockableInDays": 3,
        "createdAt": CREATED,
        "lastModifiedAt": MODIFIED,
    }


def customer(customer_id: str = "cust-1") -> dict[str, Any]:
    return {
        "id": customer_id,
        "version": 4,
        "customerNumber": "C-1001",
        "email": "ada@example.com",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "password": "****",
        "addresses": [address(id="addr-1")],
        "defaultShippingAddressId": "addr-1",
        "shippingAddressIds": ["addr-1"],
        "isEmailVerified": True,
        "stores": [],
        "authenticationMode": "Password",
        "createdAt": CREATED,
        "lastModifiedAt": MODIFIED,
    }


def delivery(key: str = "FUL-1", line_item_id: str = "li-1", quantity: int = 1) -> dict[str, Any]:
    return {
        "id": f"del-{key}",
        "key": key,
        "createdAt": MODIFIED,
        "items": [{"id": line_item_id, "quantity": quantity}],
        "parcels": [
            {
                "id": f"parcel-{key}",
                "key": f"{key}-P1",
                "createdAt": MODIFIED,
                "measurements": {"weightInGram": 500},
                "trackingData": {
                    "trackingId": "1Z999",
                    "carrier": "DHL",
                    "isReturn": False,
                },
                "items": [{"id": line_item_id, "quantity": quantity}],
            }
        ],
        "address": address(),
    }


def order(
    order_id: str = "order-1",
    version: int = 1,
    deliveries: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    return {
        "type": "Order",
        "id": order_id,
        "version": version,
        "orderNumber": f"N-{order_id}",
        "customerId": "cust-1",
        "customerEmail": "ada@example.com",
        "locale": "de-DE",
        "country": "DE",
        "store": {"typeId": "store", "key": "de-store"},
        "lineItems": [
            {
                "id": "li-1",
                "productId": "prod-1",
                "productKey": "key-prod-1",
                "name": {"en": "Shirt"},
                "productType": {"typeId": "product-type", "id": "pt-1", "version": 1},
                "variant": variant(1, "SKU-1"),
                "price": {"id": "price-SKU-1", "value": money(1999)},
                "quantity": 2,
                "discountedPricePerQuantity": [],
                "totalPrice": money(3998),
                "taxedPrice": {
                    "totalNet": money(3360),
                    "totalGross": money(3998),
                    "totalTax": money(638),
                    "taxPortions": [],
                },
                "taxRate": {
                    "name": "19% MwSt",
                    "amount": 0.19,
                    "includedInPrice": True,
                    "country": "DE",
                    "id": "tax-1",
                    "subRates": [],
                },
                "state": [{"quantity": 2, "state": {"typeId": "state", "id": "initial"}}],
                "supplyChannel": {"typeId": "channel", "id": "chan-1"},
                "priceMode": "Platform",
                "lineItemMode": "Standard",
                "custom": {"type": {"typeId": "type", "id": "type-li"}, "fields": {"gift": True}},
            }
        ],
        "customLineItems": [],
        "totalPrice": money(4497),
        "taxedPrice": {
            "totalNet": money(3779),
            "totalGross": money(4497),
            "totalTax": money(718),
            "taxPortions": [{"rate": 0.19, "amount": money(718), "name": "19% MwSt"}],
        },
        "shippingAddress": address(),
        "billingAddress": address(key="billing"),
        "shippingMode": "Single",
        "shippingInfo": {
            "shippingMethodName": "Standard",
            "price": money(499),
            "shippingRate": {"price": money(499), "tiers": []},
            "taxRate": {"name": "19%", "amount": 0.19, "includedInPrice": True, "country": "DE"},
            "shippingMethod": {
                "typeId": "shipping-method",
                "id": "sm-1",
                "obj": {"id": "sm-1", "version": 1, "key": "standard", "name": "Standard"},
            },
            "deliveries": deliveries if deliveries is not None else [delivery()],
            "shippingMethodState": "MatchesCart",
        },
        "orderState": "Open",
        "shipmentState": "Pending",
        "paymentState": "Paid",
        "custom": {
            "type": {"typeId": "type", "id": "type-order"},
            "fields": {"fluentOrderRef": "CT-order-1", "attempts": 2},
        },
        "syncInfo": [
            {
                "channel": {"typeId": "channel", "id": "export"},
                "externalId": "F-1",
                "syncedAt": CREATED,
            }
        ],
        "refusedGifts": [],
        "origin": "Customer",
        "createdAt": CREATED,
        "lastModifiedAt": "2026-03-02T13:30:15.123+02:00",
        **overrides,
    }


def custom_type(
    type_id: str = "type-1", key: str = "fluent-order", version: int = 1
) -> dict[str, Any]:
    return {
        "id": type_id,
        "version": version,
        "key": key,
        "name": {"en": "Fluent order fields"},
        "resourceTypeIds": ["order"],
        "fieldDefinitions": [
            {
                "name": "fluentOrderRef",
                "label": {"en": "Fluent order ref"},
                "required": False,
                "type": {"name": "String"},
                "inputHint": "SingleLine",
            },
            {
                "name": "tags",
                "label": {"en": "Tags"},
                "required": False,
                "type": {"name": "Set", "elementType": {"name": "String"}},
            },
        ],
        "createdAt": CREATED,
        "lastModifiedAt": MODIFIED,
    }


def custom_object(
    container: str = "commercetools-fluent-connector",
    key: str = "sync-catalog",
    value: Any = None,
    version: int = 1,
) -> dict[str, Any]:
    return {
        "id": f"co-{key}",
        "version": version,
        "container": container,
        "key": key,
        "value": value if value is not None else {"kind": "catalog"},
        "createdAt": CREATED,
        "lastModifiedAt": MODIFIED,
    }


def message(
    message_id: str = "msg-1",
    message_type: str = "OrderCreated",
    sequence_number: int = 1,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "id": message_id,
        "version": 1,
        "type": message_type,
        "sequenceNumber": sequence_number,
        "resource": {"typeId": "order", "id": "order-1"},
        "resourceVersion": sequence_number,
        "resourceUserProvidedIdentifiers": {"orderNumber": "N-order-1"},
        "createdAt": CREATED,
        "lastModifiedAt": CREATED,
        "createdBy": {"clientId": "abc"},
        **fields,
    }


def page(results: list[dict[str, Any]], limit: int = 500) -> dict[str, Any]:
    """A query response as sent with `withTotal=false` (no `total`)."""
    return {"limit": limit, "offset": 0, "count": len(results), "results": results}


def error(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "statusCode": status,
        "message": message,
        "errors": [{"code": code, "message": message, **extra}],
    }
