"""Products, categories, billing accounts and invoices through GraphQL."""

from __future__ import annotations

import pytest

from tests.sandbox.fluent import documents
from tests.sandbox.fluent.conftest import Fluent, Json

CATALOGUE = {"ref": "PC:MASTER:1"}


async def _category(fluent: Fluent, ref: str, parent: str | None = None) -> Json:
    data: Json = {"ref": ref, "catalogue": CATALOGUE, "type": "STANDARD", "name": f"Category {ref}"}
    if parent:
        data["parentCategory"] = {"ref": parent, "catalogue": CATALOGUE}
    return (await fluent.gql(documents.CREATE_CATEGORY, {"input": data}))["createCategory"]


async def test_categories_with_parents_are_created_read_and_updated(fluent):
    await _category(fluent, "cat-00")
    child = await _category(fluent, "cat-00-01", parent="cat-00")
    assert child["parentCategory"] == {"ref": "cat-00"}
    assert child["catalogue"] == CATALOGUE
    updated = await fluent.gql(
        documents.UPDATE_CATEGORY,
        {
            "input": {
                "ref": "cat-00-01",
                "catalogue": CATALOGUE,
                "name": "Renamed",
                "status": "INACTIVE",
            }
        },
    )
    assert updated["updateCategory"]["name"] == "Renamed"
    assert updated["updateCategory"]["status"] == "INACTIVE"
    assert updated["updateCategory"]["parentCategory"] == {"ref": "cat-00"}
    read = await fluent.gql(
        documents.CATEGORIES, {"refs": ["cat-00-01", "missing"], "catalogue": CATALOGUE}
    )
    assert [e["node"]["name"] for e in read["categories"]["edges"]] == ["Renamed"]


async def test_a_category_cannot_become_its_own_ancestor(fluent):
    await _category(fluent, "a")
    await _category(fluent, "b", parent="a")
    error = await fluent.gql_error(
        documents.UPDATE_CATEGORY,
        {
            "input": {
                "ref": "a",
                "catalogue": CATALOGUE,
                "parentCategory": {"ref": "b", "catalogue": CATALOGUE},
            }
        },
    )
    assert error["extensions"]["code"] == "C0122E"


async def test_categories_page_in_creation_order(fluent):
    refs = [f"c{n}" for n in range(5)]
    for ref in refs:
        await _category(fluent, ref)
    first = await fluent.gql(documents.CATEGORIES, {"catalogue": CATALOGUE, "first": 3})
    rest = await fluent.gql(
        documents.CATEGORIES,
        {"catalogue": CATALOGUE, "first": 3, "after": first["categories"]["edges"][-1]["cursor"]},
    )
    assert first["categories"]["pageInfo"]["hasNextPage"] is True
    assert rest["categories"]["pageInfo"]["hasNextPage"] is False
    assert [
        e["node"]["ref"] for e in first["categories"]["edges"] + rest["categories"]["edges"]
    ] == refs


async def test_products_are_created_with_categories_prices_and_attributes_then_updated(fluent):
    await _category(fluent, "shirts")
    await _category(fluent, "sale")
    created = await fluent.gql(
        documents.CREATE_STANDARD_PRODUCT,
        {
            "input": {
                "ref": "P-1",
                "catalogue": CATALOGUE,
                "type": "STANDARD",
                "gtin": "4006381333931",
                "name": "Shirt",
                "categories": [{"ref": "shirts", "catalogue": CATALOGUE}],
                "prices": [{"type": "DEFAULT", "currency": "EUR", "value": 19.9}],
                "attributes": [
                    {"name": "color", "type": "STRING", "value": "blue"},
                    {"name": "sizes", "type": "JSON", "value": {"S": 1, "M": 2}},
                ],
            }
        },
    )
    product = created["createStandardProduct"]
    assert product["status"] == "ACTIVE"
    assert product["categories"]["edges"] == [{"node": {"ref": "shirts"}}]
    assert product["attributes"][1]["value"] == {"S": 1, "M": 2}
    updated = await fluent.gql(
        documents.UPDATE_STANDARD_PRODUCT,
        {
            "input": {
                "ref": "P-1",
                "catalogue": CATALOGUE,
                "summary": "A blue shirt",
                "categories": [
                    {"ref": "sale", "catalogue": CATALOGUE},
                    {"ref": "shirts", "catalogue": CATALOGUE},
                ],
                "attributes": [{"name": "color", "type": "STRING", "value": "red"}],
            }
        },
    )
    product = updated["updateStandardProduct"]
    assert product["name"] == "Shirt"  # not given, kept
    assert product["summary"] == "A blue shirt"
    assert [e["node"]["ref"] for e in product["categories"]["edges"]] == ["shirts", "sale"]
    assert {a["name"]: a["value"] for a in product["attributes"]} == {
        "color": "red",
        "sizes": {"S": 1, "M": 2},
    }


async def test_variants_link_to_their_standard_product_and_page_by_ref(fluent):
    for sku in ("V-1", "V-2", "V-3"):
        await fluent.create_product(sku)
    data = await fluent.gql(
        documents.VARIANT_PRODUCTS, {"refs": ["V-3", "V-1"], "catalogue": CATALOGUE, "first": 1}
    )
    connection = data["variantProducts"]
    assert [e["node"] for e in connection["edges"]] == [{"ref": "V-1", "product": {"ref": "P-V-1"}}]
    assert connection["pageInfo"]["hasNextPage"] is True
    standard_only = await fluent.gql(
        """query { standardProducts(ref: ["V-1", "P-V-1"], catalogue: {ref: "PC:MASTER:1"}) {
          edges { node { ref } }
        } }"""
    )
    assert [e["node"]["ref"] for e in standard_only["standardProducts"]["edges"]] == ["P-V-1"]
    single = await fluent.gql(
        """query {
          variantProduct(ref: "V-2", catalogue: {ref: "PC:MASTER:1"}) { ref }
          standardProduct(ref: "V-2", catalogue: {ref: "PC:MASTER:1"}) { ref }
        }"""
    )
    assert single == {"variantProduct": {"ref": "V-2"}, "standardProduct": None}


@pytest.mark.parametrize(
    ("document", "data", "code"),
    [
        (
            documents.CREATE_STANDARD_PRODUCT,
            {"ref": "P-V-1", "type": "S", "gtin": "1", "name": "x"},
            "C0128E",
        ),
        (
            documents.CREATE_VARIANT_PRODUCT,
            {
                "ref": "V-1",
                "type": "S",
                "gtin": "1",
                "name": "x",
                "product": {"ref": "P-V-1", "catalogue": CATALOGUE},
            },
            "C0128E",
        ),
        (
            documents.CREATE_VARIANT_PRODUCT,
            {"ref": "V-9", "type": "S", "gtin": "1", "name": "x"},
            "C0122E",
        ),
        (
            documents.CREATE_VARIANT_PRODUCT,
            {
                "ref": "V-9",
                "type": "S",
                "gtin": "1",
                "name": "x",
                "product": {"ref": "V-1", "catalogue": CATALOGUE},
            },
            "C0120E",
        ),
        (
            documents.CREATE_STANDARD_PRODUCT,
            {
                "ref": "P-9",
                "type": "S",
                "gtin": "1",
                "name": "x",
                "categories": [{"ref": "nope", "catalogue": CATALOGUE}],
            },
            "C0120E",
        ),
        (documents.UPDATE_STANDARD_PRODUCT, {"ref": "P-404"}, "C0120E"),
        (documents.UPDATE_STANDARD_PRODUCT, {"ref": "V-1"}, "C0120E"),
        (
            documents.CREATE_STANDARD_PRODUCT,
            {"ref": "P-9", "type": "S", "gtin": "1", "name": "x", "catalogue": {"ref": "PC:OTHER"}},
            "C0120E",
        ),
    ],
)
async def test_product_errors_carry_fluent_codes(fluent, document, data, code):
    await fluent.create_product("V-1")
    error = await fluent.gql_error(document, {"input": {"catalogue": CATALOGUE, **data}})
    assert error["extensions"]["code"] == code


async def test_billing_accounts_and_invoices(fluent):
    await fluent.create_product("SKU-00000-1")
    buyer = await fluent.create_customer("payer@example.com")
    await fluent.create_order("HD-1", {"SKU-00000-1": 1}, customer_id=buyer)
    account = await fluent.gql(
        documents.CREATE_BILLING_ACCOUNT,
        {
            "input": {
                "ref": "BA-1",
                "type": "CUSTOMER",
                "name": "Ada",
                "retailer": {"id": fluent.retailer_id},
                "customer": {"ref": "payer@example.com"},
                "address": {"city": "Berlin"},
            }
        },
    )
    assert account["createBillingAccount"]["customer"] == {"ref": "payer@example.com"}
    amount = {"amount": 11.9}
    invoice_input = {
        "ref": "INV-1",
        "type": "SALE",
        "billingAccount": {"ref": "BA-1"},
        "order": {"ref": "HD-1", "retailer": {"id": fluent.retailer_id}},
        "issueDate": "2026-11-29T10:00:00Z",
        "currency": {"alphabeticCode": "EUR"},
        "defaultTaxType": {"country": "DE", "group": "STANDARD", "tariff": "19"},
        "subTotalAmount": {"amount": 10.0},
        "totalTax": {"amount": 1.9},
        "totalAmount": amount,
        "totalBalance": amount,
        "items": [
            {
                "ref": "INV-1-1",
                "type": "ITEM",
                "product": {"ref": "SKU-00000-1", "catalogue": CATALOGUE},
                "unitQuantity": {"quantity": 1},
                "unitAmount": amount,
                "amount": amount,
                "taxAmount": {"amount": 1.9},
            }
        ],
    }
    invoice = (await fluent.gql(documents.CREATE_INVOICE, {"input": invoice_input}))[
        "createInvoice"
    ]
    assert invoice["issueDate"] == "2026-11-29T10:00:00.000Z"
    assert invoice["order"] == {"ref": "HD-1"}
    assert invoice["items"]["edges"][0]["node"]["unitQuantity"] == {"quantity": 1}
    read = await fluent.gql(documents.INVOICES, {"refs": ["INV-1"]})
    assert read["invoices"]["edges"][0]["node"]["totalAmount"] == amount
    duplicate = await fluent.gql_error(documents.CREATE_INVOICE, {"input": invoice_input})
    assert duplicate["extensions"]["code"] == "C0121E"
    unknown = await fluent.gql_error(
        documents.CREATE_INVOICE,
        {"input": {**invoice_input, "ref": "INV-2", "billingAccount": {"ref": "BA-404"}}},
    )
    assert unknown["extensions"]["code"] == "C0120E"
