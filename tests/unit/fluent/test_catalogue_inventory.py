"""Products, categories, inventory, billing and the Event API through the client."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from connector.errors import PermanentError
from connector.fluent import client as client_module
from connector.fluent.client import FluentClient
from connector.fluent.models import (
    AmountInput,
    CatalogueEntityKey,
    CreateBillingAccountInput,
    CreateCategoryInput,
    CreateInvoiceInput,
    CreateStandardProductInput,
    CreateVariantProductInput,
    CurrencyKey,
    FluentEvent,
    OrderLinkInput,
    Price,
    RefKey,
    TaxTypeInput,
    UpdateCategoryInput,
    UpdateStandardProductInput,
    UpdateVariantProductInput,
)

from .conftest import GraphqlStub, connection

CATALOGUE = {"ref": "PC:MASTER:7"}


def product_node(ref: str, categories: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": f"id-{ref}",
        "ref": ref,
        "type": "DEFAULT",
        "status": "ACTIVE",
        "gtin": f"gtin-{ref}",
        "name": f"Product {ref}",
        "catalogue": CATALOGUE,
        "prices": [{"type": "DEFAULT", "currency": "EUR", "value": 10.0}],
        "attributes": None,
        "categories": categories,
        **extra,
    }


async def test_standard_products_by_ref_with_complete_category_lists(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data(
        "StandardProducts",
        {
            "standardProducts": connection(
                product_node("P1", connection({"ref": "cat-1"}, has_next=True)),
                product_node("P2", connection({"ref": "cat-2"})),
            )
        },
    )
    graphql.data(
        "StandardProductCategories",
        {"standardProduct": {"categories": connection({"ref": "cat-3"}, cursor_prefix="k")}},
    )

    products = await client.standard_products(["P1", "P2", "P3"])

    assert sorted(products) == ["P1", "P2"]
    assert products["P1"].category_refs == ["cat-1", "cat-3"]
    assert products["P1"].catalogue_ref == "PC:MASTER:7"
    assert products["P1"].prices == [Price(type="DEFAULT", currency="EUR", value=10.0)]
    assert products["P1"].attributes == []
    assert graphql.sent("StandardProducts") == [
        {"refs": ["P1", "P2", "P3"], "catalogue": CATALOGUE, "first": 100}
    ]
    assert graphql.sent("StandardProductCategories") == [
        {"ref": "P1", "catalogue": CATALOGUE, "first": 100, "after": "c1"}
    ]


async def test_long_ref_lists_are_split_into_several_queries(
    client: FluentClient, graphql: GraphqlStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "REFS_PER_QUERY", 2)
    graphql.data("Categories", *[{"categories": connection()}] * 3)

    assert await client.categories(["a", "b", "c", "d", "e"], "PC:OTHER") == {}

    assert [v["refs"] for v in graphql.sent("Categories")] == [["a", "b"], ["c", "d"], ["e"]]
    assert all(v["catalogue"] == {"ref": "PC:OTHER"} for v in graphql.sent("Categories"))


async def test_variant_products_carry_their_product_ref(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data(
        "VariantProducts",
        {"variantProducts": connection(product_node("V1", connection(), product={"ref": "P1"}))},
    )

    variants = await client.variant_products(["V1"])

    assert variants["V1"].product_ref == "P1"


async def test_categories_carry_their_parent(client: FluentClient, graphql: GraphqlStub) -> None:
    graphql.data(
        "Categories",
        {
            "categories": connection(
                {"ref": "shoes", "name": "Shoes", "parentCategory": {"ref": "apparel"}},
                {"ref": "apparel", "name": "Apparel", "parentCategory": None},
            )
        },
    )

    found = await client.categories(["shoes", "apparel"])

    assert (found["shoes"].parent_ref, found["apparel"].parent_ref) == ("apparel", None)


async def test_product_and_category_mutations_send_their_inputs(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    catalogue = RefKey(ref="PC:MASTER:7")
    category = CatalogueEntityKey.of("shoes", "PC:MASTER:7")
    graphql.data(
        "CreateStandardProduct", {"createStandardProduct": product_node("P1", connection())}
    )
    graphql.data(
        "UpdateStandardProduct", {"updateStandardProduct": product_node("P1", connection())}
    )
    graphql.data(
        "CreateVariantProduct",
        {"createVariantProduct": product_node("V1", connection(), product={"ref": "P1"})},
    )
    graphql.data(
        "UpdateVariantProduct",
        {"updateVariantProduct": product_node("V1", connection(), product={"ref": "P1"})},
    )
    graphql.data("CreateCategory", {"createCategory": {"ref": "shoes", "name": "Shoes"}})
    graphql.data("UpdateCategory", {"updateCategory": {"ref": "shoes", "name": "Shoes!"}})

    await client.create_standard_product(
        CreateStandardProductInput(
            ref="P1", catalogue=catalogue, type="DEFAULT", gtin="g", name="P", categories=[category]
        )
    )
    await client.update_standard_product(
        UpdateStandardProductInput(ref="P1", catalogue=catalogue, name="P renamed")
    )
    variant = await client.create_variant_product(
        CreateVariantProductInput(
            ref="V1",
            catalogue=catalogue,
            type="DEFAULT",
            gtin="g1",
            name="V",
            product=CatalogueEntityKey.of("P1", "PC:MASTER:7"),
            prices=[Price(type="DEFAULT", currency="EUR", value=10.0)],
        )
    )
    await client.update_variant_product(
        UpdateVariantProductInput(ref="V1", catalogue=catalogue, status="INACTIVE")
    )
    created = await client.create_category(
        CreateCategoryInput(ref="shoes", catalogue=catalogue, type="DEFAULT", name="Shoes")
    )
    updated = await client.update_category(
        UpdateCategoryInput(ref="shoes", catalogue=catalogue, name="Shoes!")
    )

    assert variant.product_ref == "P1"
    assert (created.name, updated.name) == ("Shoes", "Shoes!")
    assert graphql.sent("CreateStandardProduct")[0]["input"] == {
        "ref": "P1",
        "catalogue": {"ref": "PC:MASTER:7"},
        "type": "DEFAULT",
        "gtin": "g",
        "name": "P",
        "categories": [{"ref": "shoes", "catalogue": {"ref": "PC:MASTER:7"}}],
    }
    assert graphql.sent("UpdateStandardProduct")[0]["input"] == {
        "ref": "P1",
        "catalogue": {"ref": "PC:MASTER:7"},
        "name": "P renamed",
    }
    assert graphql.sent("CreateVariantProduct")[0]["input"]["product"] == {
        "ref": "P1",
        "catalogue": {"ref": "PC:MASTER:7"},
    }
    assert graphql.sent("UpdateVariantProduct")[0]["input"]["status"] == "INACTIVE"
    assert graphql.sent("CreateCategory")[0]["input"]["name"] == "Shoes"


# --- inventory --------------------------------------------------------------------------------


async def test_inventory_positions_reads_every_page(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    def position(n: int) -> dict[str, Any]:
        return {"ref": f"pos{n}", "productRef": "SKU-1", "locationRef": f"L{n}", "onHand": n}

    graphql.data(
        "InventoryPositions",
        {"inventoryPositions": connection(position(1), position(2), has_next=True)},
        {"inventoryPositions": connection(position(3), cursor_prefix="n")},
    )

    positions = await client.inventory_positions(["SKU-1"], location_refs=["L1", "L2", "L3"])

    assert [(p.location_ref, p.on_hand) for p in positions] == [("L1", 1), ("L2", 2), ("L3", 3)]
    sent = graphql.sent("InventoryPositions")
    assert sent[0] == {
        "productRefs": ["SKU-1"],
        "locationRefs": ["L1", "L2", "L3"],
        "catalogue": {"ref": "DEFAULT:7"},
        "first": 100,
    }
    assert sent[1]["after"] == "c2"


async def test_inventory_positions_of_nothing_asks_nothing(client: FluentClient) -> None:
    assert await client.inventory_positions([]) == []
    assert await client.inventory_positions(["SKU-1"], location_refs=[]) == []


async def test_virtual_positions_pages_with_filters(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data(
        "VirtualPositions",
        {"virtualPositions": connection({"ref": "v1", "productRef": "SKU-1", "quantity": 5})},
    )

    pages = [
        page
        async for page in client.virtual_positions(
            product_refs=["SKU-1"], updated_since=datetime(2026, 1, 2, tzinfo=UTC)
        )
    ]

    assert [[(v.product_ref, v.quantity) for v in page] for page in pages] == [[("SKU-1", 5)]]
    assert graphql.sent("VirtualPositions") == [
        {
            "catalogue": {"ref": "ATS:1"},
            "productRefs": ["SKU-1"],
            "updatedOn": {"from": "2026-01-02T00:00:00.000Z"},
            "first": 100,
        }
    ]


async def test_virtual_positions_of_the_whole_catalogue(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data("VirtualPositions", {"virtualPositions": connection()})

    assert [page async for page in client.virtual_positions("ATS:2")] == [[]]
    assert graphql.sent("VirtualPositions") == [{"catalogue": {"ref": "ATS:2"}, "first": 100}]


async def test_virtual_positions_of_no_products_asks_nothing(client: FluentClient) -> None:
    assert [page async for page in client.virtual_positions(product_refs=[])] == []


# --- billing ----------------------------------------------------------------------------------


async def test_billing_account_and_invoice_create_or_get(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    unique = {"errors": [{"message": "duplicate", "extensions": {"code": "C0121E"}}]}
    graphql.answer("CreateBillingAccount", unique)
    graphql.data(
        "BillingAccountByRef",
        {"billingAccounts": connection({"id": "1", "ref": "BA-1", "customer": {"ref": "c"}})},
    )
    graphql.data(
        "CreateInvoice",
        {
            "createInvoice": {
                "id": "2",
                "ref": "INV-1",
                "currency": {"alphabeticCode": "EUR"},
                "totalAmount": {"amount": 19.0},
                "billingAccount": {"ref": "BA-1"},
                "order": {"ref": "CT-1001"},
            }
        },
    )
    amount = AmountInput(amount=19.0)

    account = await client.create_or_get_billing_account(
        CreateBillingAccountInput(ref="BA-1", type="CUSTOMER", name="Ada")
    )
    invoice = await client.create_or_get_invoice(
        CreateInvoiceInput(
            ref="INV-1",
            type="ORDER",
            billing_account=RefKey(ref="BA-1"),
            order=OrderLinkInput(ref="CT-1001"),
            issue_date=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            currency=CurrencyKey(alphabetic_code="EUR"),
            default_tax_type=TaxTypeInput(country="DE", group="STANDARD", tariff="19"),
            sub_total_amount=amount,
            total_tax=AmountInput(amount=0),
            total_amount=amount,
            total_balance=amount,
        )
    )

    assert (account.ref, account.customer_ref) == ("BA-1", "c")
    assert (invoice.currency, invoice.total_amount, invoice.order_ref) == ("EUR", 19.0, "CT-1001")
    assert graphql.sent("CreateBillingAccount")[0]["input"]["retailer"] == {"id": "7"}
    sent_invoice = graphql.sent("CreateInvoice")[0]["input"]
    assert sent_invoice["order"] == {"ref": "CT-1001", "retailer": {"id": "7"}}
    assert sent_invoice["issueDate"] == "2026-01-02T03:04:05Z"
    assert sent_invoice["currency"] == {"alphabeticCode": "EUR"}


async def test_find_invoice_absent(client: FluentClient, graphql: GraphqlStub) -> None:
    graphql.data("InvoiceByRef", {"invoices": connection()})

    assert await client.find_invoice("INV-404") is None


# --- Event API --------------------------------------------------------------------------------


@pytest.mark.parametrize(("sync", "path"), [(True, "sync"), (False, "async")])
async def test_send_event_body_and_answer(
    client: FluentClient, router: respx.MockRouter, token_route: respx.Route, sync: bool, path: str
) -> None:
    route = router.post(f"/api/v4.1/event/{path}").mock(
        return_value=httpx.Response(
            200, json={"eventId": "e-1", "entityId": 9001, "eventStatus": "COMPLETE"}
        )
    )
    event = FluentEvent(
        name="CancelOrder",
        entity_type="ORDER",
        entity_ref="CT-1001",
        entity_subtype="HD",
        root_entity_type="ORDER",
        root_entity_ref="CT-1001",
        attributes={"cancelReason": "customer request"},
    )

    answer = await client.send_event(event, sync=sync)

    assert (answer.event_id, answer.entity_id, answer.event_status) == ("e-1", "9001", "COMPLETE")
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer token-1"
    assert json.loads(request.content) == {
        "name": "CancelOrder",
        "retailerId": "7",
        "entityType": "ORDER",
        "entityRef": "CT-1001",
        "entitySubtype": "HD",
        "rootEntityType": "ORDER",
        "rootEntityRef": "CT-1001",
        "attributes": {"cancelReason": "customer request"},
    }


async def test_send_event_with_an_empty_answer(
    client: FluentClient, router: respx.MockRouter, token_route: respx.Route
) -> None:
    router.post("/api/v4.1/event/async").mock(return_value=httpx.Response(202))

    answer = await client.send_event(
        FluentEvent(name="X", entity_type="ORDER", entity_id="1"), sync=False
    )

    assert answer.event_id is None


async def test_rejected_event_is_permanent(
    client: FluentClient, router: respx.MockRouter, token_route: respx.Route
) -> None:
    router.post("/api/v4.1/event/sync").mock(
        return_value=httpx.Response(400, json={"message": "No ruleset named Nope"})
    )

    with pytest.raises(PermanentError, match="No ruleset"):
        await client.send_event(FluentEvent(name="Nope", entity_type="ORDER", entity_ref="CT-1"))
