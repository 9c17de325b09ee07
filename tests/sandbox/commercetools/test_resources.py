"""Catalog, channel, inventory, customer, type and shipping method resources over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.commercetools.conftest import error_code, ok, update

PRODUCT_TYPE = {"typeId": "product-type", "key": "sandbox-apparel"}


def product_draft(key: str, sku: str, **extra: Any) -> dict[str, Any]:
    return {
        "productType": PRODUCT_TYPE,
        "key": key,
        "name": {"en": f"Product {key}"},
        "slug": {"en": f"slug-{key}"},
        "masterVariant": {
            "sku": sku,
            "prices": [{"value": {"currencyCode": "EUR", "centAmount": 1000}}],
            "attributes": [{"name": "color", "value": "red"}],
        },
        "variants": [
            {
                "sku": f"{sku}-2",
                "prices": [{"value": {"currencyCode": "EUR", "centAmount": 1200}, "country": "AT"}],
                "attributes": [{"name": "color", "value": "blue"}],
            }
        ],
        **extra,
    }


async def messages_of(ct: httpx.AsyncClient, resource_id: str) -> list[dict[str, Any]]:
    params = {"where": f'resource(id = "{resource_id}")', "sort": "sequenceNumber asc"}
    return list(ok(await ct.get("messages", params=params))["results"])


# --- categories ---------------------------------------------------------------------------------


async def test_category_tree_keys_and_messages(ct: httpx.AsyncClient) -> None:
    parent = ok(
        await ct.post(
            "categories", json={"key": "shoes", "name": {"en": "Shoes"}, "slug": {"en": "shoes"}}
        ),
        201,
    )
    child = ok(
        await ct.post(
            "categories",
            json={
                "key": "running",
                "name": {"en": "Running"},
                "slug": {"en": "running"},
                "parent": {"typeId": "category", "key": "shoes"},
                "orderHint": "0.2",
            },
        ),
        201,
    )
    assert child["parent"] == {"typeId": "category", "id": parent["id"]}
    assert child["ancestors"] == [{"typeId": "category", "id": parent["id"]}]
    assert (child["version"], child["orderHint"]) == (1, "0.2")
    assert ok(await ct.get("categories/key=running"))["id"] == child["id"]
    [created] = await messages_of(ct, child["id"])
    assert created["type"] == "CategoryCreated"
    assert created["category"]["id"] == child["id"]
    assert created["resourceUserProvidedIdentifiers"] == {
        "key": "running",
        "slug": {"en": "running"},
    }


async def test_duplicate_key_and_slug(ct: httpx.AsyncClient) -> None:
    draft = {"key": "cat-00", "name": {"en": "x"}, "slug": {"en": "fresh-slug"}}
    response = await ct.post("categories", json=draft)
    assert error_code(response, 400) == "DuplicateField"
    error = response.json()["errors"][0]
    assert (error["field"], error["duplicateValue"]) == ("key", "cat-00")
    response = await ct.post(
        "categories", json={**draft, "key": "new-key", "slug": {"en": "department-1"}}
    )
    assert error_code(response, 400) == "DuplicateField"
    assert response.json()["errors"][0]["duplicateValue"] == "department-1"


async def test_versions_conflicts_and_not_found(ct: httpx.AsyncClient) -> None:
    category = ok(await ct.get("categories/key=cat-01"))
    renamed = ok(
        await update(ct, "categories", category, {"action": "changeName", "name": {"en": "New"}})
    )
    assert renamed["version"] == category["version"] + 1
    assert renamed["lastModifiedAt"] >= category["lastModifiedAt"]
    stale = await update(ct, "categories", category, {"action": "changeName", "name": {"en": "X"}})
    assert error_code(stale, 409) == "ConcurrentModification"
    assert stale.json()["errors"][0]["currentVersion"] == renamed["version"]
    unchanged = ok(
        await update(ct, "categories", renamed, {"action": "changeName", "name": {"en": "New"}})
    )
    assert unchanged["version"] == renamed["version"]
    missing = await ct.get("categories/00000000-0000-4000-8000-000000000000")
    assert error_code(missing, 404) == "ResourceNotFound"
    assert "00000000-0000-4000-8000-000000000000" in missing.json()["message"]
    assert error_code(await ct.get("categories/key=nope"), 404) == "ResourceNotFound"


async def test_delete_needs_the_current_version(ct: httpx.AsyncClient) -> None:
    category = ok(
        await ct.post("categories", json={"name": {"en": "tmp"}, "slug": {"en": "tmp"}}), 201
    )
    response = await ct.delete(f"categories/{category['id']}", params={"version": 2})
    assert error_code(response, 409) == "ConcurrentModification"
    assert error_code(await ct.delete(f"categories/{category['id']}"), 400) == "InvalidInput"
    ok(await ct.delete(f"categories/{category['id']}", params={"version": 1}))
    assert error_code(await ct.get(f"categories/{category['id']}"), 404) == "ResourceNotFound"


# --- products and projections -------------------------------------------------------------------


async def test_product_staged_and_current_data(ct: httpx.AsyncClient) -> None:
    product = ok(await ct.post("products", json=product_draft("p-new", "NEW-1")), 201)
    data = product["masterData"]
    assert (data["published"], data["hasStagedChanges"]) == (False, False)
    assert data["current"]["masterVariant"]["sku"] == "NEW-1"
    assert [v["id"] for v in data["staged"]["variants"]] == [2]
    price = data["staged"]["masterVariant"]["prices"][0]
    assert price["value"] == {
        "type": "centPrecision",
        "currencyCode": "EUR",
        "centAmount": 1000,
        "fractionDigits": 2,
    }
    assert (
        error_code(await ct.get(f"product-projections/{product['id']}"), 404) == "ResourceNotFound"
    )
    staged = ok(await ct.get(f"product-projections/{product['id']}", params={"staged": "true"}))
    assert staged["masterVariant"]["sku"] == "NEW-1"

    published = ok(await update(ct, "products", product, {"action": "publish"}))
    assert published["masterData"]["published"] is True
    renamed = ok(
        await update(ct, "products", published, {"action": "changeName", "name": {"en": "Renamed"}})
    )
    assert renamed["masterData"]["hasStagedChanges"] is True
    assert renamed["masterData"]["current"]["name"] == {"en": "Product p-new"}
    current = ok(await ct.get("product-projections/key=p-new"))
    assert current["name"] == {"en": "Product p-new"}
    assert current["hasStagedChanges"] is True
    both = ok(
        await update(
            ct,
            "products",
            renamed,
            {"action": "setDescription", "description": {"en": "D"}, "staged": False},
        )
    )
    assert both["masterData"]["current"]["description"] == {"en": "D"}
    republished = ok(await update(ct, "products", both, {"action": "publish"}))
    assert republished["masterData"]["hasStagedChanges"] is False
    assert republished["masterData"]["current"]["name"] == {"en": "Renamed"}
    unpublished = ok(await update(ct, "products", republished, {"action": "unpublish"}))
    assert unpublished["masterData"]["published"] is False
    assert error_code(await ct.get("product-projections/key=p-new"), 404) == "ResourceNotFound"
    types = [m["type"] for m in await messages_of(ct, product["id"])]
    assert types == ["ProductCreated", "ProductPublished", "ProductPublished", "ProductUnpublished"]


async def test_product_update_actions(ct: httpx.AsyncClient) -> None:
    product = ok(await ct.post("products", json=product_draft("p-act", "ACT-1", publish=True)), 201)
    category = ok(await ct.get("categories/key=cat-00-01"))
    price_id = product["masterData"]["staged"]["masterVariant"]["prices"][0]["id"]
    updated = ok(
        await update(
            ct,
            "products",
            product,
            {"action": "setKey", "key": "p-act-2"},
            {
                "action": "addVariant",
                "sku": "ACT-3",
                "attributes": [{"name": "size", "value": "L"}],
            },
            {
                "action": "changePrice",
                "priceId": price_id,
                "price": {"value": {"currencyCode": "EUR", "centAmount": 900}},
            },
            {
                "action": "setPrices",
                "sku": "ACT-1-2",
                "prices": [{"value": {"currencyCode": "CHF", "centAmount": 1500}, "country": "CH"}],
            },
            {"action": "setAttribute", "variantId": 1, "name": "color", "value": "green"},
            {"action": "setAttributeInAllVariants", "name": "gtin", "value": "123"},
            {
                "action": "addToCategory",
                "category": {"typeId": "category", "id": category["id"]},
                "orderHint": "0.5",
            },
        )
    )
    assert updated["version"] == 2
    assert updated["key"] == "p-act-2"
    staged = updated["masterData"]["staged"]
    assert [v["sku"] for v in staged["variants"]] == ["ACT-1-2", "ACT-3"]
    assert staged["variants"][1]["id"] == 3
    assert staged["masterVariant"]["prices"][0]["id"] == price_id
    assert staged["masterVariant"]["prices"][0]["value"]["centAmount"] == 900
    assert staged["variants"][0]["prices"][0]["value"]["currencyCode"] == "CHF"
    assert {"name": "color", "value": "green"} in staged["masterVariant"]["attributes"]
    assert all(
        {"name": "gtin", "value": "123"} in v["attributes"]
        for v in [staged["masterVariant"], *staged["variants"]]
    )
    assert staged["categories"] == [{"typeId": "category", "id": category["id"]}]
    assert staged["categoryOrderHints"] == {category["id"]: "0.5"}
    assert updated["masterData"]["current"]["variants"][0]["sku"] == "ACT-1-2"
    assert len(updated["masterData"]["current"]["variants"]) == 1
    removed = ok(
        await update(
            ct,
            "products",
            updated,
            {
                "action": "removeFromCategory",
                "category": {"typeId": "category", "key": "cat-00-01"},
            },
        )
    )
    assert removed["masterData"]["staged"]["categories"] == []
    again = await update(
        ct,
        "products",
        removed,
        {"action": "removeFromCategory", "category": {"typeId": "category", "key": "cat-00-01"}},
    )
    assert error_code(again, 400) == "InvalidOperation"
    types = [m["type"] for m in await messages_of(ct, product["id"])]
    assert types == [
        "ProductCreated",
        "ProductPublished",
        "ProductVariantAdded",
        "ProductPriceChanged",
        "ProductPricesSet",
        "ProductAddedToCategory",
        "ProductRemovedFromCategory",
    ]


async def test_product_uniqueness_and_references(ct: httpx.AsyncClient) -> None:
    response = await ct.post("products", json=product_draft("p-dup", "SKU-00000-1"))
    assert error_code(response, 400) == "DuplicateField"
    assert response.json()["errors"][0]["field"] == "sku"
    draft = product_draft("p-ref", "REF-1", categories=[{"typeId": "category", "key": "nope"}])
    response = await ct.post("products", json=draft)
    assert error_code(response, 400) == "ReferencedResourceNotFound"
    assert response.json()["errors"][0] == {
        "code": "ReferencedResourceNotFound",
        "message": "The referenced object of type 'category' with key 'nope' was not found.",
        "typeId": "category",
        "key": "nope",
    }


@pytest.mark.parametrize(
    ("where", "keys"),
    [
        ('masterVariant(sku = "SKU-00003-1")', ["prod-00003"]),
        ('variants(sku = "SKU-00004-3")', ["prod-00004"]),
        (
            'key in ("prod-00001", "prod-00002")'
            ' and masterVariant(attributes(name = "color" and value = "white"))',
            ["prod-00001"],
        ),
        ('name(en = "Classic Shirt 0")', ["prod-00000"]),
    ],
)
async def test_projection_predicates(ct: httpx.AsyncClient, where: str, keys: list[str]) -> None:
    page = ok(await ct.get("product-projections", params={"where": where, "sort": "key asc"}))
    assert [p["key"] for p in page["results"]] == keys


async def test_projections_by_category(ct: httpx.AsyncClient) -> None:
    product = ok(await ct.get("product-projections/key=prod-00005"))
    category = ok(await ct.get(f"categories/{product['categories'][0]['id']}"))
    where = f'categories(id = "{category["id"]}")'
    page = ok(await ct.get("product-projections", params={"where": where, "limit": 500}))
    assert page["total"] > 0
    assert all(
        {"typeId": "category", "id": category["id"]} in p["categories"] for p in page["results"]
    )
    expanded = ok(
        await ct.get(
            "product-projections", params={"where": where, "expand": "categories[*]", "limit": 1}
        )
    )
    objs = [c.get("obj", {}).get("key") for c in expanded["results"][0]["categories"]]
    assert category["key"] in objs


async def test_paging_by_id_visits_every_product_once(ct: httpx.AsyncClient) -> None:
    ids: list[str] = []
    where: dict[str, str] = {}
    while True:
        params: dict[str, str | int] = {"limit": 5, "withTotal": "false", "sort": "id asc", **where}
        page = ok(await ct.get("product-projections", params=params))
        assert "total" not in page
        ids.extend(p["id"] for p in page["results"])
        if page["count"] < 5:
            break
        where = {"where": f'id > "{ids[-1]}"'}
    assert len(ids) == 24
    assert ids == sorted(set(ids))


async def test_query_limits_over_http(ct: httpx.AsyncClient) -> None:
    assert error_code(await ct.get("products", params={"limit": 501}), 400) == "InvalidInput"
    assert error_code(await ct.get("products", params={"offset": 10_001}), 400) == "InvalidInput"
    page = ok(await ct.get("products", params={"limit": 500, "offset": 20}))
    assert (page["count"], page["total"], page["offset"]) == (4, 24, 20)


# --- channels and inventory ---------------------------------------------------------------------


async def create_channel(ct: httpx.AsyncClient, key: str, roles: list[str]) -> dict[str, Any]:
    draft = {
        "key": key,
        "roles": roles,
        "name": {"en": key},
        "address": {"country": "DE", "city": "Berlin", "streetName": "Hauptstrasse"},
        "geoLocation": {"type": "Point", "coordinates": [13.405, 52.52]},
    }
    return dict(ok(await ct.post("channels", json=draft), 201))


async def test_channel_update_actions(ct: httpx.AsyncClient) -> None:
    channel = await create_channel(ct, "store-berlin", ["InventorySupply"])
    assert channel["geoLocation"] == {"type": "Point", "coordinates": [13.405, 52.52]}
    updated = ok(
        await update(
            ct,
            "channels",
            channel,
            {"action": "changeName", "name": {"en": "Berlin"}},
            {"action": "changeDescription", "description": {"en": "Flagship"}},
            {"action": "setAddress", "address": {"country": "DE", "city": "Potsdam"}},
            {
                "action": "setGeoLocation",
                "geoLocation": {"type": "Point", "coordinates": [13.06, 52.39]},
            },
            {"action": "setRoles", "roles": ["InventorySupply", "ProductDistribution"]},
        )
    )
    assert updated["name"] == {"en": "Berlin"}
    assert updated["description"] == {"en": "Flagship"}
    assert updated["address"] == {"country": "DE", "city": "Potsdam"}
    assert updated["geoLocation"]["coordinates"] == [13.06, 52.39]
    assert updated["roles"] == ["InventorySupply", "ProductDistribution"]
    bad_role = await update(ct, "channels", updated, {"action": "setRoles", "roles": ["Warehouse"]})
    assert error_code(bad_role, 400) == "InvalidJsonInput"
    assert "roles" in bad_role.json()["errors"][0]["detailedErrorMessage"]
    page = ok(await ct.get("channels", params={"where": 'roles contains "ProductDistribution"'}))
    assert [c["key"] for c in page["results"]] == ["store-berlin"]


async def test_inventory_per_sku_and_channel(ct: httpx.AsyncClient) -> None:
    berlin = await create_channel(ct, "wh-berlin", ["InventorySupply"])
    await create_channel(ct, "wh-munich", ["InventorySupply"])
    await create_channel(ct, "export", ["OrderExport"])

    def draft(sku: str, channel: str, quantity: int) -> dict[str, Any]:
        return {
            "sku": sku,
            "key": f"{sku}-{channel}".lower(),
            "supplyChannel": {"typeId": "channel", "key": channel},
            "quantityOnStock": quantity,
        }

    entry = ok(await ct.post("inventory", json=draft("SKU-00001-1", "wh-berlin", 5)), 201)
    assert entry["supplyChannel"] == {"typeId": "channel", "id": berlin["id"]}
    assert (entry["quantityOnStock"], entry["availableQuantity"]) == (5, 5)
    ok(await ct.post("inventory", json=draft("SKU-00001-1", "wh-munich", 7)), 201)
    ok(await ct.post("inventory", json=draft("SKU-00001-2", "wh-berlin", 1)), 201)
    duplicate = await ct.post(
        "inventory", json={**draft("SKU-00001-1", "wh-berlin", 9), "key": "other"}
    )
    assert error_code(duplicate, 400) == "DuplicateField"
    assert duplicate.json()["errors"][0]["duplicateValue"] == "SKU-00001-1"
    no_role = await ct.post("inventory", json=draft("SKU-00001-1", "export", 1))
    assert error_code(no_role, 400) == "MissingRoleOnChannel"
    assert no_role.json()["errors"][0]["missingRole"] == "InventorySupply"

    where = f'sku in ("SKU-00001-1", "SKU-00001-2") and supplyChannel(id = "{berlin["id"]}")'
    page = ok(await ct.get("inventory", params={"where": where, "sort": "sku asc"}))
    assert [e["sku"] for e in page["results"]] == ["SKU-00001-1", "SKU-00001-2"]

    changed = ok(await update(ct, "inventory", entry, {"action": "changeQuantity", "quantity": 12}))
    changed = ok(await update(ct, "inventory", changed, {"action": "addQuantity", "quantity": 3}))
    changed = ok(
        await update(ct, "inventory", changed, {"action": "removeQuantity", "quantity": 5})
    )
    assert (changed["quantityOnStock"], changed["availableQuantity"], changed["version"]) == (
        10,
        10,
        4,
    )
    same = ok(await update(ct, "inventory", changed, {"action": "changeQuantity", "quantity": 10}))
    assert same["version"] == 4
    quantities = [
        (m["oldQuantityOnStock"], m["newQuantityOnStock"])
        for m in await messages_of(ct, entry["id"])
        if m["type"] == "InventoryEntryQuantitySet"
    ]
    assert quantities == [(5, 12), (12, 15), (15, 10)]


# --- customers, types, shipping methods ---------------------------------------------------------


async def test_customers(ct: httpx.AsyncClient) -> None:
    draft = {
        "email": "new@example.com",
        "password": "secret",
        "firstName": "New",
        "addresses": [{"country": "DE", "city": "Bonn"}, {"country": "AT", "city": "Graz"}],
        "defaultShippingAddress": 1,
    }
    body = ok(await ct.post("customers", json=draft), 201)
    customer = body["customer"]
    assert customer["defaultShippingAddressId"] == customer["addresses"][1]["id"]
    assert customer["shippingAddressIds"] == [customer["addresses"][1]["id"]]
    assert "secret" not in customer["password"]
    duplicate = await ct.post("customers", json={**draft, "email": "NEW@example.com"})
    assert error_code(duplicate, 400) == "DuplicateField"
    assert duplicate.json()["errors"][0]["field"] == "email"
    no_password = await ct.post("customers", json={"email": "x@example.com"})
    assert error_code(no_password, 400) == "InvalidOperation"
    out_of_range = await ct.post(
        "customers", json={**draft, "email": "y@example.com", "defaultShippingAddress": 5}
    )
    assert error_code(out_of_range, 400) == "InvalidInput"
    seeded = ok(await ct.get("customers", params={"where": 'email = "anna.schmidt@example.com"'}))
    assert seeded["results"][0]["key"] == "customer-anna"


async def test_types_and_field_definitions(ct: httpx.AsyncClient) -> None:
    draft: dict[str, Any] = {
        "key": "channel-fields",
        "name": {"en": "Channel fields"},
        "resourceTypeIds": ["channel"],
        "fieldDefinitions": [
            {
                "name": "fluentRef",
                "label": {"en": "Ref"},
                "required": False,
                "type": {"name": "String"},
            }
        ],
    }
    type_ = ok(await ct.post("types", json=draft), 201)
    added = ok(
        await update(
            ct,
            "types",
            type_,
            {
                "action": "addFieldDefinition",
                "fieldDefinition": {
                    "name": "kind",
                    "label": {"en": "Kind"},
                    "required": False,
                    "type": {"name": "Enum", "values": [{"key": "STORE", "label": "Store"}]},
                },
            },
        )
    )
    assert [d["name"] for d in added["fieldDefinitions"]] == ["fluentRef", "kind"]
    again = await update(
        ct,
        "types",
        added,
        {"action": "addFieldDefinition", "fieldDefinition": draft["fieldDefinitions"][0]},
    )
    assert error_code(again, 400) == "DuplicateField"
    bad = await ct.post("types", json={**draft, "key": "t2", "resourceTypeIds": ["chanel"]})
    assert error_code(bad, 400) == "InvalidJsonInput"

    channel = await create_channel(ct, "with-custom", ["InventorySupply"])
    customized = ok(
        await update(
            ct,
            "channels",
            channel,
            {
                "action": "setCustomType",
                "type": {"key": "channel-fields"},
                "fields": {"kind": "STORE"},
            },
            {"action": "setCustomField", "name": "fluentRef", "value": "LOC-1"},
        )
    )
    assert customized["custom"] == {
        "type": {"typeId": "type", "id": type_["id"]},
        "fields": {"kind": "STORE", "fluentRef": "LOC-1"},
    }
    wrong = await update(
        ct, "channels", customized, {"action": "setCustomField", "name": "kind", "value": "MALL"}
    )
    assert error_code(wrong, 400) == "InvalidField"
    assert wrong.json()["errors"][0]["allowedValues"] == ["STORE"]


async def test_shipping_methods(ct: httpx.AsyncClient) -> None:
    standard = ok(await ct.get("shipping-methods/key=standard", params={"expand": "taxCategory"}))
    assert standard["taxCategory"]["obj"]["key"] == "standard"
    assert standard["zoneRates"][0]["shippingRates"][0]["price"]["centAmount"] == 490
    keys = [
        m["key"]
        for m in ok(await ct.get("shipping-methods", params={"sort": "key asc"}))["results"]
    ]
    assert keys == ["click-collect", "express", "standard"]
    draft = {
        "key": "drone",
        "name": "Drone",
        "taxCategory": {"typeId": "tax-category", "key": "standard"},
        "zoneRates": [{"zone": {"typeId": "zone", "key": "moon"}, "shippingRates": []}],
        "isDefault": False,
    }
    assert (
        error_code(await ct.post("shipping-methods", json=draft), 400)
        == "ReferencedResourceNotFound"
    )


# --- request errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{not json", "Invalid JSON: key must be a string at line 1 column 2"),
        (b"", "Invalid JSON: EOF"),
        (b'{"version": 1, "actions": [{"action": "fly"}]}', "Unknown action 'fly'"),
        (b'{"version": 1, "actions": [{"name": {"en": "x"}}]}', "Missing required value 'action'"),
        (b'{"actions": []}', "version: Missing required value"),
        (b'{"version": "1", "actions": []}', "version: Input should be a valid integer"),
        (
            b'{"version": 1, "actions": [{"action": "changeName", "name": {"en": "x"}, "nam": 1}]}',
            "nam: Unknown field",
        ),
    ],
)
async def test_bad_bodies_are_invalid_json_input(
    ct: httpx.AsyncClient, body: bytes, detail: str
) -> None:
    category = ok(await ct.get("categories/key=cat-00"))
    response = await ct.post(f"categories/{category['id']}", content=body)
    assert error_code(response, 400) == "InvalidJsonInput"
    error = response.json()["errors"][0]
    assert error["message"] == "Request body does not contain valid JSON."
    assert detail in error["detailedErrorMessage"]


async def test_too_many_actions(ct: httpx.AsyncClient) -> None:
    category = ok(await ct.get("categories/key=cat-00"))
    actions = [{"action": "changeOrderHint", "orderHint": "0.1"}] * 501
    response = await update(ct, "categories", category, *actions)
    assert error_code(response, 400) == "InvalidJsonInput"
    assert "at most 500" in response.json()["errors"][0]["detailedErrorMessage"]


async def test_unknown_routes_and_methods(ct: httpx.AsyncClient) -> None:
    assert error_code(await ct.get("nothing-here"), 404) == "ResourceNotFound"
    assert error_code(await ct.post("product-projections", json={}), 405) == "General"
    assert error_code(await ct.post("zones", json={}), 405) == "General"
