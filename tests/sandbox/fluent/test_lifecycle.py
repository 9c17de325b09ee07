"""The workflow through store operations under `/sandbox/`: fulfilment and order statuses,
stock reservations and consumption, invalid transitions."""

from __future__ import annotations

import pytest

from tests.sandbox.fluent import documents
from tests.sandbox.fluent.conftest import Fluent, Json

SKU_A, SKU_B = "SKU-00000-1", "SKU-00001-1"


@pytest.fixture
async def buyer(fluent: Fluent) -> Json:
    for sku in (SKU_A, SKU_B):
        await fluent.create_product(sku)
        await fluent.set_stock(sku, {"ST-001": 10, "ST-002": 10, "ST-003": 10})
    return await fluent.create_customer()


async def _step(fluent: Fluent, fulfilment: str, action: str, body: Json = None) -> Json:
    return await fluent.admin("POST", f"/fulfilments/{fulfilment}/{action}", body)


async def _reserved(fluent: Fluent, sku: str, location: str) -> tuple[int, int]:
    stock = await fluent.stock(sku)
    [position] = [p for p in stock["positions"] if p["locationRef"] == location]
    return position["onHand"], position["reserved"]


async def test_home_delivery_from_creation_to_complete(fluent, buyer):
    order = await fluent.create_order("HD-1", {SKU_A: 2, SKU_B: 1}, customer_id=buyer)
    created = await fluent.create_fulfilment("F-1", order, "ST-001")
    assert created["status"] == "CREATED"
    assert created["fromAddress"]["ref"] == "ST-001"
    assert created["toAddress"]["ref"] == "HD-1-ADDR"
    assert created["workflowRef"] == "FULFILMENT::HD_PFS"
    assert await _reserved(fluent, SKU_A, "ST-001") == (10, 2)
    await fluent.settle()
    assert (await fluent.admin("GET", "/fulfilments/F-1"))["status"] == "AWAITING_WAVE"
    assert await fluent.order_status("HD-1") == "BOOKED"

    assert (await _step(fluent, "F-1", "pick"))["status"] == "PICK_PACK"
    assert await fluent.order_status("HD-1") == "PICK_PACK"
    fulfilled = await _step(fluent, "F-1", "fulfil")
    assert fulfilled["status"] == "FULFILLED"
    assert [(i["filledQuantity"], i["rejectedQuantity"]) for i in fulfilled["items"]] == [
        (2, 0),
        (1, 0),
    ]
    with_article = await _step(
        fluent, "F-1", "articles", {"articles": [{"carrier": "DHL", "trackingLabel": "JD0001"}]}
    )
    [article] = with_article["articles"]
    assert article["consignments"][0]["trackingLabel"] == "JD0001"
    assert article["consignments"][0]["carrier"] == "DHL"
    shipped = await _step(fluent, "F-1", "ship")
    assert shipped["status"] == "SHIPPED"
    assert await fluent.order_status("HD-1") == "AWAITING_COURIER_COLLECTION"
    assert await _reserved(fluent, SKU_A, "ST-001") == (8, 0)
    assert await _reserved(fluent, SKU_B, "ST-001") == (9, 0)
    assert (await _step(fluent, "F-1", "deliver"))["status"] == "COMPLETE"
    assert await fluent.order_status("HD-1") == "COMPLETE"


async def test_articles_and_consignments_are_readable_through_graphql(fluent, buyer):
    order = await fluent.create_order("HD-1", {SKU_A: 2}, customer_id=buyer)
    created = await fluent.create_fulfilment("F-1", order, "ST-001")
    await fluent.settle()
    await _step(fluent, "F-1", "pick")
    await _step(fluent, "F-1", "fulfil")
    await _step(fluent, "F-1", "articles")
    data = await fluent.gql(documents.FULFILMENT, {"id": created["id"]})
    [article] = [e["node"] for e in data["fulfilmentById"]["articles"]["edges"]]
    assert article["quantity"] == 2
    assert article["items"]["edges"][0]["node"] == {"quantity": 2, "barcode": SKU_A}
    consignment = article["consignmentArticles"]["edges"][0]["node"]["consignment"]
    assert consignment["trackingLabel"].startswith("TRK")
    assert consignment["labelUrl"].endswith(consignment["trackingLabel"])
    assert consignment["carrier"]["ref"] == "SANDBOX_POST"
    assert consignment["status"] == "ACTIVE_LODGED"


async def test_partial_rejection_releases_the_rejected_quantity(fluent, buyer):
    order = await fluent.create_order("HD-1", {SKU_A: 3, SKU_B: 2}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001")
    await fluent.settle()
    await _step(fluent, "F-1", "pick")
    body = {"items": [{"ref": f"F-1-{SKU_A}", "rejectedQuantity": 1}]}
    fulfilled = await _step(fluent, "F-1", "fulfil", body)
    assert fulfilled["status"] == "PARTIALLY_FULFILLED"
    items = {i["ref"]: i for i in fulfilled["items"]}
    assert items[f"F-1-{SKU_A}"]["filledQuantity"] == 2
    assert items[f"F-1-{SKU_A}"]["rejectedQuantity"] == 1
    assert items[f"F-1-{SKU_A}"]["status"] == "PARTIALLY_FULFILLED"
    assert await _reserved(fluent, SKU_A, "ST-001") == (10, 2)
    await _step(fluent, "F-1", "articles")
    await _step(fluent, "F-1", "ship")
    assert await _reserved(fluent, SKU_A, "ST-001") == (8, 0)


async def test_a_fully_rejected_fulfilment_leaves_the_order_escalated(fluent, buyer):
    order = await fluent.create_order("HD-1", {SKU_A: 1}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001")
    await fluent.settle()
    await _step(fluent, "F-1", "pick")
    rejected = await _step(
        fluent, "F-1", "fulfil", {"items": [{"ref": f"F-1-{SKU_A}", "filledQuantity": 0}]}
    )
    assert rejected["status"] == "REJECTED"
    assert await _reserved(fluent, SKU_A, "ST-001") == (10, 0)
    assert await fluent.order_status("HD-1") == "ESCALATED"


async def test_a_fulfilment_rejected_upfront_is_system_rejected_and_escalates(fluent, buyer):
    order = await fluent.create_order("HD-1", {SKU_A: 2}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001", rejected={SKU_A: 2})
    await fluent.settle()
    fulfilment = await fluent.admin("GET", "/fulfilments/F-1")
    assert fulfilment["status"] == "SYSTEM_REJECTED"
    assert fulfilment["items"][0]["status"] == "REJECTED"
    assert await _reserved(fluent, SKU_A, "ST-001") == (10, 0)
    assert await fluent.order_status("HD-1") == "ESCALATED"


async def test_the_order_follows_a_split_over_two_locations(fluent, buyer):
    order = await fluent.create_order("HD-1", {SKU_A: 2, SKU_B: 1}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001", {SKU_A: 2})
    await fluent.create_fulfilment("F-2", order, "ST-002", {SKU_B: 1})
    await fluent.settle()
    assert await fluent.order_status("HD-1") == "BOOKED"
    for ref in ("F-1", "F-2"):
        await _step(fluent, ref, "pick")
        await _step(fluent, ref, "fulfil")
        await _step(fluent, ref, "articles")
    await _step(fluent, "F-1", "ship")
    assert await fluent.order_status("HD-1") == "PICK_PACK"  # F-2 is not shipped yet
    await _step(fluent, "F-2", "ship")
    assert await fluent.order_status("HD-1") == "AWAITING_COURIER_COLLECTION"
    await _step(fluent, "F-1", "deliver")
    assert await fluent.order_status("HD-1") == "AWAITING_COURIER_COLLECTION"
    await _step(fluent, "F-2", "deliver")
    assert await fluent.order_status("HD-1") == "COMPLETE"


async def test_click_and_collect_at_the_pickup_location(fluent, buyer):
    order = await fluent.create_order(
        "CC-1", {SKU_A: 1}, customer_id=buyer, order_type="CC", pickup_location_ref="ST-002"
    )
    created = await fluent.create_fulfilment("F-1", order, "ST-002")
    assert created["toAddress"]["ref"] == "ST-002"
    await fluent.settle()
    await _step(fluent, "F-1", "pick")
    await _step(fluent, "F-1", "fulfil")
    ready = await _step(fluent, "F-1", "ready-for-collection")
    assert ready["status"] == "READY_FOR_COLLECTION"
    assert ready["transfer"] is False
    assert await fluent.order_status("CC-1") == "AWAITING_CUSTOMER_COLLECTION"
    assert await _reserved(fluent, SKU_A, "ST-002") == (10, 1)
    assert (await _step(fluent, "F-1", "collect"))["status"] == "COMPLETE"
    assert await _reserved(fluent, SKU_A, "ST-002") == (9, 0)
    assert await fluent.order_status("CC-1") == "COMPLETE"


async def test_click_and_collect_with_a_transfer_from_another_location(fluent, buyer):
    order = await fluent.create_order(
        "CC-1", {SKU_A: 2}, customer_id=buyer, order_type="CC", pickup_location_ref="ST-002"
    )
    await fluent.create_fulfilment("T-1", order, "ST-003")
    await fluent.settle()
    await _step(fluent, "T-1", "pick")
    await _step(fluent, "T-1", "fulfil")
    await _step(fluent, "T-1", "articles")
    shipped = await _step(fluent, "T-1", "ship")
    assert (shipped["status"], shipped["transfer"]) == ("SHIPPED", True)
    assert await fluent.order_status("CC-1") == "PICK_PACK"  # in transit to the store
    assert await _reserved(fluent, SKU_A, "ST-003") == (8, 0)
    assert await _reserved(fluent, SKU_A, "ST-002") == (10, 0)
    assert (await _step(fluent, "T-1", "ready-for-collection"))["status"] == "READY_FOR_COLLECTION"
    assert await fluent.order_status("CC-1") == "AWAITING_CUSTOMER_COLLECTION"
    assert (await _step(fluent, "T-1", "collect"))["status"] == "COMPLETE"
    assert await fluent.order_status("CC-1") == "COMPLETE"
    assert await _reserved(fluent, SKU_A, "ST-002") == (10, 0)


@pytest.mark.parametrize(
    ("steps", "action", "status_code", "words"),
    [
        ([], "ship", 409, "status AWAITING_WAVE"),
        ([], "fulfil", 409, "cannot fulfil"),
        (["pick"], "pick", 409, "cannot pick"),
        (["pick", "fulfil"], "ship", 409, "no article"),
        (["pick", "fulfil"], "ready-for-collection", 409, "home delivery"),
        (["pick", "fulfil", "articles", "ship"], "collect", 409, "home delivery"),
        (["pick", "fulfil", "articles"], "deliver", 409, "cannot deliver"),
    ],
)
async def test_invalid_transitions_are_refused_with_a_clear_message(
    fluent, buyer, steps, action, status_code, words
):
    order = await fluent.create_order("HD-1", {SKU_A: 1}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001")
    await fluent.settle()
    for step in steps:
        await _step(fluent, "F-1", step)
    response = await fluent.http.post(f"/sandbox/fulfilments/F-1/{action}")
    assert response.status_code == status_code
    assert words in response.json()["errors"][0]["message"]


async def test_fulfil_quantities_must_add_up(fluent, buyer):
    order = await fluent.create_order("HD-1", {SKU_A: 2}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001")
    await fluent.settle()
    await _step(fluent, "F-1", "pick")
    for item in (
        {"ref": f"F-1-{SKU_A}", "filledQuantity": 1, "rejectedQuantity": 0},
        {"ref": f"F-1-{SKU_A}", "filledQuantity": 3},
        {"ref": "unknown", "filledQuantity": 1},
    ):
        response = await fluent.http.post("/sandbox/fulfilments/F-1/fulfil", json={"items": [item]})
        assert response.status_code == 400, item
    assert (await fluent.admin("GET", "/fulfilments/F-1"))["status"] == "PICK_PACK"


async def test_store_operations_find_fulfilments_by_id_too(fluent, buyer):
    order = await fluent.create_order("HD-1", {SKU_A: 1}, customer_id=buyer)
    created = await fluent.create_fulfilment("F-1", order, "ST-001")
    await fluent.settle()
    assert (await _step(fluent, created["id"], "pick"))["ref"] == "F-1"
    missing = await fluent.http.post("/sandbox/fulfilments/NOPE/pick")
    assert missing.status_code == 404


async def test_a_fulfilment_cannot_allocate_more_than_the_order_item_holds(fluent, buyer):
    order = await fluent.create_order("HD-1", {SKU_A: 2}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001", {SKU_A: 1})
    with pytest.raises(AssertionError, match="C0122E"):
        await fluent.create_fulfilment("F-2", order, "ST-002", {SKU_A: 2})
    await fluent.create_fulfilment("F-3", order, "ST-002", {SKU_A: 1})


async def test_a_rejected_quantity_can_be_sourced_again(fluent, buyer):
    order = await fluent.create_order("HD-1", {SKU_A: 2}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001", rejected={SKU_A: 2})
    await fluent.create_fulfilment("F-2", order, "ST-002")
    await fluent.settle()
    assert await fluent.order_status("HD-1") == "ESCALATED"


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"ref": "F-1"}, "C0121E", "already exists"),
        ({"order": {"id": "4000000999"}}, "C0120E", "Order with id"),
        ({"fromAddress": None}, "C0122E", "fromAddress is required"),
        ({"fromAddress": {"id": "1"}}, "C0120E", "Location address"),
        ({"type": "CC_PFS"}, "C0122E", "does not suit HD order"),
        ({"customer": {"id": "2000000999"}}, "C0120E", "Customer with id"),
    ],
)
async def test_invalid_fulfilments_are_refused(fluent, buyer, change, code, words):
    order = await fluent.create_order("HD-1", {SKU_A: 1}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001")
    [item] = [edge["node"] for edge in order["items"]["edges"]]
    variables = {
        "input": {
            "ref": "F-2",
            "type": "HD_PFS",
            "order": {"id": order["id"]},
            "fromAddress": {"id": await fluent.address_id("ST-002")},
            "items": [
                {
                    "ref": "F-2-1",
                    "orderItem": {"id": item["id"]},
                    "requestedQuantity": 1,
                    "filledQuantity": 0,
                    "rejectedQuantity": 1,
                }
            ],
            **change,
        }
    }
    error = await fluent.gql_error(documents.CREATE_FULFILMENT, variables)
    assert error["extensions"]["code"] == code
    assert words in error["message"]
