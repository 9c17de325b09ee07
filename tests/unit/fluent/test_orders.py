"""Customers, orders and fulfilments: typed methods, idempotent creation, complete details."""

from __future__ import annotations

from typing import Any

import pytest

from connector.errors import AlreadyExistsError, NotFoundError, PermanentError, TransientError
from connector.fluent.client import FluentClient
from connector.fluent.models import (
    CreateCustomerInput,
    CreateFulfilmentInput,
    CreateOrderInput,
    CustomerAddressInput,
    EntityId,
    FulfilmentChoiceInput,
    FulfilmentItemInput,
    OrderItemInput,
)

from .conftest import GraphqlStub, connection

UNIQUE = {"errors": [{"message": "Unique constraint", "extensions": {"code": "C0121E"}}]}


def customer_input(**overrides: Any) -> CreateCustomerInput:
    values: dict[str, Any] = {
        "username": "7:ada@example.com",
        "primary_email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "timezone": "UTC",
    }
    return CreateCustomerInput(**(values | overrides))


def customer_node() -> dict[str, Any]:
    return {"id": "501", "ref": "7:ada@example.com", "username": "7:ada@example.com"}


def order_input() -> CreateOrderInput:
    return CreateOrderInput(
        ref="CT-1001",
        type="HD",
        customer=EntityId(id="501"),
        items=[OrderItemInput(ref="li-1", product_ref="SKU-1", quantity=2, price=9.5)],
        fulfilment_choice=FulfilmentChoiceInput(
            delivery_type="STANDARD",
            delivery_address=CustomerAddressInput(ref="addr-1", city="Sydney", latitude=-33.8),
        ),
    )


def order_item(n: int) -> dict[str, Any]:
    return {
        "id": f"oi{n}",
        "ref": f"li-{n}",
        "status": "CREATED",
        "quantity": n,
        "product": {"ref": f"SKU-{n}", "catalogue": {"ref": "PC:MASTER:7"}},
    }


def order_node(items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "9001",
        "ref": "CT-1001",
        "type": "HD",
        "status": "BOOKED",
        "customer": {"id": "501", "ref": "7:ada@example.com"},
        "fulfilmentChoice": {
            "deliveryType": "STANDARD",
            "deliveryAddress": {"id": "77", "ref": "addr-1", "latitude": -33.8},
        },
        "items": items,
        **extra,
    }


def consignment(n: int) -> dict[str, Any]:
    return {
        "consignment": {
            "id": f"con{n}",
            "consignmentReference": f"TRACK-{n}",
            "trackingLabel": f"https://track/{n}",
            "carrier": {"id": "3", "ref": "AUSPOST", "name": "Australia Post"},
        }
    }


def article(ref: str, *, items: dict[str, Any], consignments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"art-{ref}",
        "ref": ref,
        "status": "CREATED",
        "weight": 1.5,
        "items": items,
        "consignmentArticles": consignments,
    }


def fulfilment_item(n: int) -> dict[str, Any]:
    return {
        "id": f"fi{n}",
        "ref": f"fi-{n}",
        "status": "CREATED",
        "requestedQuantity": n,
        "filledQuantity": n,
        "rejectedQuantity": 0,
        "orderItem": {"id": f"oi{n}", "ref": f"li-{n}"},
    }


def fulfilment(ref: str, *, items: dict[str, Any], articles: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"f-{ref}",
        "ref": ref,
        "type": "HD_PFS",
        "status": "SHIPPED",
        "fromAddress": {"id": "55", "ref": "LOC_SYD"},
        "toAddress": {"id": "77", "ref": "addr-1"},
        "items": items,
        "articles": articles,
    }


# --- customers --------------------------------------------------------------------------------


async def test_find_customer_by_username(client: FluentClient, graphql: GraphqlStub) -> None:
    graphql.data("CustomerByUsername", {"customers": connection(customer_node())})

    customer = await client.find_customer("7:ada@example.com")

    assert customer is not None
    assert customer.id == "501"
    assert graphql.sent("CustomerByUsername") == [{"username": "7:ada@example.com"}]


async def test_create_customer_sends_the_input_for_the_configured_retailer(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data("CreateCustomer", {"createCustomer": customer_node()})

    customer = await client.create_customer(customer_input())

    assert customer.username == "7:ada@example.com"
    assert graphql.sent("CreateCustomer") == [
        {
            "input": {
                "username": "7:ada@example.com",
                "primaryEmail": "ada@example.com",
                "firstName": "Ada",
                "lastName": "Lovelace",
                "timezone": "UTC",
                "promotionOptIn": False,
                "retailer": {"id": "7"},
            }
        }
    ]


async def test_explicit_retailer_is_kept(client: FluentClient, graphql: GraphqlStub) -> None:
    graphql.data("CreateCustomer", {"createCustomer": customer_node()})

    await client.create_customer(customer_input(retailer=EntityId(id="99")))

    assert graphql.sent("CreateCustomer")[0]["input"]["retailer"] == {"id": "99"}


async def test_create_customer_collision_raises_already_exists(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.answer("CreateCustomer", UNIQUE)

    with pytest.raises(AlreadyExistsError):
        await client.create_customer(customer_input())


async def test_create_or_get_customer_reads_the_existing_one(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.answer("CreateCustomer", UNIQUE)
    graphql.data("CustomerByUsername", {"customers": connection(customer_node())})

    customer = await client.create_or_get_customer(customer_input())

    assert customer.id == "501"


async def test_create_or_get_when_the_existing_one_cannot_be_read(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.answer("CreateCustomer", UNIQUE)
    graphql.data("CustomerByUsername", {"customers": connection()})

    with pytest.raises(PermanentError, match="cannot be read back") as caught:
        await client.create_or_get_customer(customer_input())

    assert caught.value.codes == ("C0121E",)


async def test_create_or_get_does_not_hide_other_failures(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.answer("CreateCustomer", {"errors": [{"message": "x", "code": "S0001E"}]})

    with pytest.raises(TransientError):
        await client.create_or_get_customer(customer_input())


# --- orders -----------------------------------------------------------------------------------


async def test_find_order_flattens_and_completes_its_items(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data(
        "OrderByRef",
        {"orders": connection(order_node(connection(order_item(1), has_next=True)))},
    )
    graphql.data(
        "OrderItems",
        {"orderById": {"items": connection(order_item(2), has_next=True, cursor_prefix="x")}},
        {"orderById": {"items": connection(order_item(3), cursor_prefix="y")}},
    )

    order = await client.find_order("CT-1001")

    assert order is not None
    assert [(item.ref, item.product_ref) for item in order.items] == [
        ("li-1", "SKU-1"),
        ("li-2", "SKU-2"),
        ("li-3", "SKU-3"),
    ]
    assert order.items[0].product_catalogue_ref == "PC:MASTER:7"
    assert (order.customer_id, order.customer_ref) == ("501", "7:ada@example.com")
    assert order.fulfilment_choice is not None
    assert order.fulfilment_choice.delivery_address is not None
    assert order.fulfilment_choice.delivery_address.id == "77"
    assert [v["after"] for v in graphql.sent("OrderItems")] == ["c1", "x1"]
    assert all(v["id"] == "9001" for v in graphql.sent("OrderItems"))


async def test_find_order_absent(client: FluentClient, graphql: GraphqlStub) -> None:
    graphql.data("OrderByRef", {"orders": connection()})

    assert await client.find_order("CT-404") is None


async def test_create_order_input_on_the_wire(client: FluentClient, graphql: GraphqlStub) -> None:
    graphql.data("CreateOrder", {"createOrder": order_node(connection(order_item(1)))})

    order = await client.create_order(order_input())

    assert order.id == "9001"
    assert graphql.sent("CreateOrder")[0]["input"] == {
        "ref": "CT-1001",
        "type": "HD",
        "customer": {"id": "501"},
        "items": [{"ref": "li-1", "productRef": "SKU-1", "quantity": 2, "price": 9.5}],
        "fulfilmentChoice": {
            "deliveryType": "STANDARD",
            "deliveryAddress": {"ref": "addr-1", "city": "Sydney", "latitude": -33.8},
        },
        "retailer": {"id": "7"},
    }


async def test_create_or_get_order_after_a_retry(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.answer(
        "CreateOrder", {"errors": [{"message": "[C0121E] order CT-1001 exists for retailer 7"}]}
    )
    graphql.data("OrderByRef", {"orders": connection(order_node(connection(order_item(1))))})

    order = await client.create_or_get_order(order_input())

    assert order.ref == "CT-1001"
    assert graphql.sent("OrderByRef") == [{"ref": "CT-1001"}]


async def test_order_details_completes_every_nested_connection(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    first_fulfilment = fulfilment(
        "F1",
        items=connection(fulfilment_item(1), has_next=True, cursor_prefix="fi"),
        articles=connection(
            article(
                "A1",
                items=connection({"id": "ai1", "quantity": 1}, has_next=True, cursor_prefix="ai"),
                consignments=connection(consignment(1), has_next=True, cursor_prefix="ca"),
            ),
            has_next=True,
            cursor_prefix="ar",
        ),
    )
    graphql.data(
        "OrderDetails",
        {
            "orderById": order_node(
                connection(order_item(1)),
                fulfilments=connection(first_fulfilment, has_next=True, cursor_prefix="f"),
            )
        },
    )
    graphql.data(
        "OrderFulfilments",
        {
            "orderById": {
                "fulfilments": connection(
                    fulfilment("F2", items=connection(), articles=connection()), cursor_prefix="g"
                )
            }
        },
    )
    graphql.data("FulfilmentItems", {"fulfilmentById": {"items": connection(fulfilment_item(2))}})
    graphql.data(
        "FulfilmentArticles",
        {
            "fulfilmentById": {
                "articles": connection(
                    article("A2", items=connection(), consignments=connection(consignment(3)))
                )
            }
        },
    )
    graphql.data(
        "ArticleItems", {"articleById": {"items": connection({"id": "ai2", "quantity": 4})}}
    )
    graphql.data(
        "ArticleConsignments",
        {"articleById": {"consignmentArticles": connection(consignment(2), {"consignment": None})}},
    )

    details = await client.order_details("9001")

    assert [f.ref for f in details.fulfilments] == ["F1", "F2"]
    f1 = details.fulfilments[0]
    assert f1.from_location_ref == "LOC_SYD"
    assert [(i.ref, i.order_item_id, i.filled_quantity) for i in f1.items] == [
        ("fi-1", "oi1", 1),
        ("fi-2", "oi2", 2),
    ]
    assert [a.ref for a in f1.articles] == ["A1", "A2"]
    a1 = f1.articles[0]
    assert [(i.id, i.quantity) for i in a1.items] == [("ai1", 1), ("ai2", 4)]
    assert [c.consignment_reference for c in a1.consignments] == ["TRACK-1", "TRACK-2"]
    assert a1.consignments[0].carrier_name == "Australia Post"
    assert [c.tracking_label for c in f1.articles[1].consignments] == ["https://track/3"]
    assert graphql.sent("OrderFulfilments")[0] == {"id": "9001", "first": 100, "after": "f1"}
    assert graphql.sent("FulfilmentItems")[0] == {"id": "f-F1", "first": 100, "after": "fi1"}
    assert graphql.sent("FulfilmentArticles")[0]["after"] == "ar1"
    assert graphql.sent("ArticleItems")[0] == {"id": "art-A1", "first": 100, "after": "ai1"}
    assert graphql.sent("ArticleConsignments")[0]["after"] == "ca1"


async def test_order_details_of_an_unknown_order(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data("OrderDetails", {"orderById": None})

    with pytest.raises(NotFoundError, match="9404"):
        await client.order_details("9404")


# --- fulfilments ------------------------------------------------------------------------------


def fulfilment_with_order(ref: str) -> dict[str, Any]:
    return fulfilment(ref, items=connection(fulfilment_item(1)), articles=connection()) | {
        "order": {"id": "9001", "ref": "CT-1001"}
    }


async def test_find_fulfilments_pages_and_keeps_the_order_link(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data(
        "FulfilmentsByRef",
        {"fulfilments": connection(fulfilment_with_order("F1"), has_next=True)},
        {"fulfilments": connection(fulfilment_with_order("F2"), cursor_prefix="n")},
    )

    found = await client.find_fulfilments(["F1", "F2", "F1"])

    assert [(f.ref, f.order_id, f.order_ref) for f in found] == [
        ("F1", "9001", "CT-1001"),
        ("F2", "9001", "CT-1001"),
    ]
    sent = graphql.sent("FulfilmentsByRef")
    assert sent[0] == {"refs": ["F1", "F2"], "first": 100}
    assert sent[1]["after"] == "c1"


async def test_find_fulfilments_of_no_refs_asks_nothing(client: FluentClient) -> None:
    assert await client.find_fulfilments([]) == []


async def test_create_or_get_fulfilment(client: FluentClient, graphql: GraphqlStub) -> None:
    graphql.answer("CreateFulfilment", UNIQUE)
    graphql.data("FulfilmentsByRef", {"fulfilments": connection(fulfilment_with_order("F1"))})
    fulfilment_input = CreateFulfilmentInput(
        ref="F1",
        type="HD_PFS",
        order=EntityId(id="9001"),
        from_address=EntityId(id="55"),
        to_address=EntityId(id="77"),
        items=[
            FulfilmentItemInput(ref="fi-1", order_item=EntityId(id="oi1"), requested_quantity=1)
        ],
    )

    result = await client.create_or_get_fulfilment(fulfilment_input)

    assert result.ref == "F1"
    assert graphql.sent("CreateFulfilment")[0]["input"] == {
        "ref": "F1",
        "type": "HD_PFS",
        "order": {"id": "9001"},
        "fromAddress": {"id": "55"},
        "toAddress": {"id": "77"},
        "items": [
            {
                "ref": "fi-1",
                "orderItem": {"id": "oi1"},
                "requestedQuantity": 1,
                "filledQuantity": 0,
                "rejectedQuantity": 0,
            }
        ],
    }


async def test_create_without_a_result_is_permanent(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data("CreateOrder", {"createOrder": None})

    with pytest.raises(PermanentError, match="createOrder"):
        await client.create_order(order_input())
