"""GraphQL over HTTP: creates, reads, paging, Fluent error codes and request limits."""

from __future__ import annotations

import pytest

from tests.sandbox.fluent import documents
from tests.sandbox.fluent.conftest import Fluent, Json


@pytest.fixture
async def buyer(fluent: Fluent) -> Json:
    for sku in ("SKU-00000-1", "SKU-00001-1"):
        await fluent.create_product(sku)
    return await fluent.create_customer()


async def test_create_order_answers_created_and_the_order_is_received_after(fluent, buyer):
    order = await fluent.create_order("HD-1", {"SKU-00000-1": 2}, customer_id=buyer)
    assert order["status"] == "CREATED"
    assert order["workflowRef"] == "ORDER::HD"
    assert order["customer"]["id"] == buyer
    assert order["retailer"] == {"id": fluent.retailer_id, "ref": "1"}
    assert order["fulfilmentChoice"]["deliveryAddress"]["latitude"] == 52.517
    assert order["fulfilmentChoice"]["deliveryAddress"]["ref"] == "HD-1-ADDR"
    [item] = [edge["node"] for edge in order["items"]["edges"]]
    assert (item["ref"], item["quantity"], item["product"]["ref"]) == (
        "HD-1-SKU-00000-1",
        2,
        "SKU-00000-1",
    )
    assert order["id"].isdigit()
    data = await fluent.gql(documents.ORDERS, {"refs": ["HD-1"]})
    assert data["orders"]["edges"][0]["node"]["status"] == "RECEIVED"


async def test_created_on_and_updated_on_are_iso_utc_and_maintained(fluent, buyer):
    order = await fluent.create_order("HD-1", {"SKU-00000-1": 1}, customer_id=buyer)
    assert order["createdOn"].endswith("Z")
    assert order["createdOn"] == order["updatedOn"]
    await fluent.admin("POST", "/clock/advance", {"seconds": 3600})
    await fluent.create_fulfilment("F-1", order, "ST-001")
    await fluent.settle()
    query = "query ($id: ID!) { orderById(id: $id) { createdOn updatedOn } }"
    read = (await fluent.gql(query, {"id": order["id"]}))["orderById"]
    assert read["createdOn"] == order["createdOn"]
    assert read["updatedOn"] > order["updatedOn"]


async def test_orders_page_with_the_cursor_of_the_last_edge(fluent, buyer):
    refs = [f"HD-{n}" for n in range(5)]
    for ref in refs:
        await fluent.create_order(ref, {"SKU-00000-1": 1}, customer_id=buyer)
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await fluent.gql(documents.ORDERS, {"first": 2, "after": after})
        connection = data["orders"]
        seen += [edge["node"]["ref"] for edge in connection["edges"]]
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["edges"][-1]["cursor"]
    assert seen == refs
    assert pages == 3


async def test_list_filters_combine_with_paging(fluent, buyer):
    for ref in ("A", "B", "C"):
        await fluent.create_order(ref, {"SKU-00000-1": 1}, customer_id=buyer)
    data = await fluent.gql(documents.ORDERS, {"refs": ["C", "A", "missing"], "first": 1})
    assert [e["node"]["ref"] for e in data["orders"]["edges"]] == ["A"]
    assert data["orders"]["pageInfo"]["hasNextPage"] is True
    nothing = await fluent.gql(documents.ORDERS, {"status": ["COMPLETE"]})
    assert nothing["orders"]["edges"] == []


async def test_nested_connections_page_too(fluent):
    skus = [f"SKU-0000{n}-1" for n in range(4)]
    for sku in skus:
        await fluent.create_product(sku)
    buyer = await fluent.create_customer()
    order = await fluent.create_order("HD-1", dict.fromkeys(skus, 1), customer_id=buyer)
    first = await fluent.gql(documents.ORDER_ITEMS, {"id": order["id"], "first": 3})
    items = first["orderById"]["items"]
    assert items["pageInfo"]["hasNextPage"] is True
    rest = await fluent.gql(
        documents.ORDER_ITEMS,
        {"id": order["id"], "first": 3, "after": items["edges"][-1]["cursor"]},
    )
    refs = [e["node"]["ref"] for e in items["edges"] + rest["orderById"]["items"]["edges"]]
    assert refs == [f"HD-1-{sku}" for sku in skus]
    assert rest["orderById"]["items"]["pageInfo"]["hasNextPage"] is False


async def test_customers_are_found_by_username(fluent):
    customer_id = await fluent.create_customer("a@example.com")
    await fluent.create_customer("b@example.com")
    data = await fluent.gql(documents.CUSTOMERS, {"username": ["a@example.com"]})
    assert [e["node"]["id"] for e in data["customers"]["edges"]] == [customer_id]
    assert (await fluent.gql(documents.CUSTOMERS, {"username": ["nobody"]}))["customers"][
        "edges"
    ] == []


async def test_a_taken_order_ref_is_a_unique_constraint_error(fluent, buyer):
    await fluent.create_order("HD-1", {"SKU-00000-1": 1}, customer_id=buyer)
    response = await fluent.post_graphql(
        documents.CREATE_ORDER, _order_input("HD-1", buyer, fluent.retailer_id)
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "C0121E"
    assert error["message"].startswith("C0121E")
    assert "HD-1" in error["message"]
    assert error["path"] == ["createOrder"]
    assert response.json()["data"] == {"createOrder": None}


async def test_a_taken_username_is_a_customer_unique_constraint_error(fluent):
    await fluent.create_customer("a@example.com")
    variables = {
        "input": {
            "username": "a@example.com",
            "primaryEmail": "a@example.com",
            "firstName": "A",
            "timezone": "UTC",
            "promotionOptIn": False,
            "retailer": {"id": fluent.retailer_id},
        }
    }
    error = await fluent.gql_error(documents.CREATE_CUSTOMER, variables)
    assert error["extensions"]["code"] == "C0123E"


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"customer": {"id": "999"}}, "C0120E", "Customer with id 999"),
        ({"retailer": {"id": "42"}}, "C0120E", "Retailer with id 42"),
        ({"items": [{"ref": "i", "productRef": "NOPE", "quantity": 1}]}, "C0120E", "'NOPE'"),
        (
            {"type": "CC", "fulfilmentChoice": {"deliveryType": "STANDARD"}},
            "C0122E",
            "pickupLocationRef",
        ),
        (
            {
                "type": "CC",
                "fulfilmentChoice": {"deliveryType": "STANDARD", "pickupLocationRef": "XX"},
            },
            "C0120E",
            "Location with ref 'XX'",
        ),
        ({"fulfilmentChoice": {"deliveryType": "STANDARD"}}, "C0122E", "deliveryAddress"),
        ({"fulfilmentChoice": None}, "C0122E", "fulfilmentChoice is required"),
        ({"type": "RETURN"}, "C0122E", "no workflow"),
        (
            {"items": [{"ref": "i", "productRef": "SKU-00000-1", "quantity": 0}]},
            "C0122E",
            "quantity",
        ),
        ({"items": []}, "C0122E", "items"),
        (
            {"items": [{"ref": "i", "productRef": "SKU-00000-1", "quantity": 1}] * 2},
            "C0122E",
            "unique",
        ),
    ],
)
async def test_invalid_orders_are_refused_with_a_code_and_leave_no_trace(
    fluent, buyer, change, code, words
):
    variables = _order_input("BAD", buyer, fluent.retailer_id)
    variables["input"].update(change)
    error = await fluent.gql_error(documents.CREATE_ORDER, variables)
    assert error["extensions"]["code"] == code
    assert words in error["message"]
    assert (await fluent.gql(documents.ORDERS, {"refs": ["BAD"]}))["orders"]["edges"] == []


async def test_missing_required_input_fields_fail_graphql_validation(fluent, buyer):
    variables = _order_input("X", buyer, fluent.retailer_id)
    del variables["input"]["customer"]
    error = await fluent.gql_error(documents.CREATE_ORDER, variables)
    assert "customer" in error["message"]


async def test_a_missing_input_is_a_validation_error(fluent):
    error = await fluent.gql_error(documents.CREATE_ORDER, {})
    assert error["extensions"]["code"] == "C0122E"


async def test_an_unknown_id_reads_as_null(fluent):
    data = await fluent.gql("{ orderById(id: 4000000999) { id } fulfilmentById(id: 1) { id } }")
    assert data == {"orderById": None, "fulfilmentById": None}


async def test_ids_of_another_kind_are_not_accepted(fluent, buyer):
    variables = _order_input("X", buyer, fluent.retailer_id)
    variables["input"]["customer"] = {"id": fluent.retailer_id}
    error = await fluent.gql_error(documents.CREATE_ORDER, variables)
    assert error["extensions"]["code"] == "C0120E"


async def test_a_forged_cursor_is_refused(fluent):
    error = await fluent.gql_error(documents.ORDERS, {"after": "bm90LWEtY3Vyc29y"})
    assert error["extensions"]["code"] == "C0122E"
    assert "cursor" in error["message"]


async def test_page_sizes_are_bounded(fluent):
    error = await fluent.gql_error(documents.ORDERS, {"first": 5001})
    assert "at most 5000" in error["message"]


async def test_an_invalid_date_is_refused_with_c0100e(fluent):
    response = await fluent.post_graphql(
        documents.VIRTUAL_POSITIONS, {"updatedOn": {"from": "yesterday"}}
    )
    assert "C0100E" in response.json()["errors"][0]["message"]


async def test_a_date_range_needs_a_bound(fluent):
    error = await fluent.gql_error(documents.VIRTUAL_POSITIONS, {"updatedOn": {}})
    assert error["extensions"]["code"] == "C0101E"


async def test_unknown_fields_fail_validation(fluent):
    error = await fluent.gql_error("{ orders { edges { node { financialTransactions } } } }")
    assert "financialTransactions" in error["message"]
    assert error["extensions"]["classification"] == "ValidationError"


async def test_bodies_over_two_megabytes_are_refused_with_413(fluent):
    big = "#" + "x" * (2 * 1024 * 1024) + "\n{ orders { edges { cursor } } }"
    response = await fluent.http.post("/graphql", json={"query": big}, headers=fluent.headers)
    assert response.status_code == 413


async def test_a_body_that_is_not_a_graphql_request_is_a_bad_request(fluent):
    for content in (b"not json", b"[]", b'{"variables": {}}'):
        response = await fluent.http.post("/graphql", content=content, headers=fluent.headers)
        assert response.status_code == 400, content
        assert response.json()["errors"][0]["code"] == "C0140E"


def _order_input(ref: str, customer_id: str, retailer_id: str) -> Json:
    return {
        "input": {
            "ref": ref,
            "type": "HD",
            "retailer": {"id": retailer_id},
            "customer": {"id": customer_id},
            "fulfilmentChoice": {
                "deliveryType": "STANDARD",
                "deliveryAddress": {"ref": f"{ref}-A", "latitude": 52.5, "longitude": 13.4},
            },
            "items": [{"ref": f"{ref}-1", "productRef": "SKU-00000-1", "quantity": 1}],
        }
    }
