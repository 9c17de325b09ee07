"""The Event API: CancelOrder (allowed and refused), unknown events, sync and async."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.fluent.conftest import Fluent, Json

SKU = "SKU-00000-1"


@pytest.fixture
async def order(fluent: Fluent) -> Json:
    await fluent.create_product(SKU)
    await fluent.set_stock(SKU, {"ST-001": 10, "ST-002": 10})
    buyer = await fluent.create_customer()
    order = await fluent.create_order("HD-1", {SKU: 3}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001", {SKU: 2})
    await fluent.create_fulfilment("F-2", order, "ST-002", {SKU: 1})
    await fluent.settle()
    return order


def _cancel(**key: str) -> Json:
    return {
        "name": "CancelOrder",
        "retailerId": "1",
        "entityType": "ORDER",
        "entitySubtype": "HD",
        "rootEntityType": "ORDER",
        "rootEntityRef": "HD-1",
        "attributes": {"cancelReason": "Customer changed their mind"},
        **key,
    }


async def _send(fluent: Fluent, body: Json, mode: str = "sync") -> httpx.Response:
    return await fluent.http.post(f"/api/v4.1/event/{mode}", json=body, headers=fluent.headers)


async def test_cancel_order_cancels_the_order_and_its_open_fulfilments(fluent, order):
    response = await _send(fluent, _cancel(entityRef="HD-1"))
    assert response.status_code == 200
    answer = response.json()
    assert answer["eventStatus"] == "COMPLETE"
    assert answer["entityId"] == order["id"]
    assert answer["eventId"]
    state = await fluent.admin("GET", "/orders/HD-1")
    assert state["status"] == "CANCELLED"
    assert [f["status"] for f in state["fulfilments"]] == ["CANCELLED", "CANCELLED"]
    stock = await fluent.stock(SKU)
    assert [p["reserved"] for p in stock["positions"]] == [0] * len(stock["positions"])
    assert stock["availableToSell"] > 0


async def test_cancel_by_entity_id_is_idempotent(fluent, order):
    first = await _send(fluent, _cancel(entityId=order["id"]))
    again = await _send(fluent, _cancel(entityId=order["id"]))
    assert first.json()["eventStatus"] == again.json()["eventStatus"] == "COMPLETE"
    assert first.json()["eventId"] != again.json()["eventId"]


async def test_cancel_is_refused_once_goods_were_shipped(fluent, order):
    for step in ("pick", "fulfil", "articles", "ship"):
        await fluent.admin("POST", f"/fulfilments/F-1/{step}")
    response = await _send(fluent, _cancel(entityRef="HD-1"))
    assert response.status_code == 200
    answer = response.json()
    assert answer["eventStatus"] == "FAILED"
    assert "F-1" in answer["message"]
    assert "shipped" in answer["message"]
    state = await fluent.admin("GET", "/orders/HD-1")
    assert state["status"] == "PICK_PACK"
    assert [f["status"] for f in state["fulfilments"]] == ["SHIPPED", "AWAITING_WAVE"]


async def test_an_event_without_a_ruleset_is_recorded_without_effect(fluent, order):
    response = await _send(fluent, {**_cancel(entityRef="HD-1"), "name": "SomethingElse"})
    assert response.json()["eventStatus"] == "NO_MATCH"
    assert await fluent.order_status("HD-1") == "BOOKED"
    recorded = await fluent.http.get(
        f"/api/v4.1/event/{response.json()['eventId']}", headers=fluent.headers
    )
    assert recorded.json()["name"] == "SomethingElse"
    assert recorded.json()["eventStatus"] == "NO_MATCH"


async def test_an_async_event_answers_pending_and_runs_right_after(fluent, order):
    response = await _send(fluent, _cancel(entityRef="HD-1"), mode="async")
    assert response.json()["eventStatus"] == "PENDING"
    await fluent.settle()
    recorded = await fluent.http.get(
        f"/api/v4.1/event/{response.json()['eventId']}", headers=fluent.headers
    )
    assert recorded.json()["eventStatus"] == "COMPLETE"
    assert recorded.json()["attributes"] == {"cancelReason": "Customer changed their mind"}
    assert await fluent.order_status("HD-1") == "CANCELLED"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (_cancel(entityRef="NOPE"), 404, "ORDER with ref NOPE"),
        (_cancel(entityId="4000000999"), 404, "ORDER with id 4000000999"),
        (_cancel(), 400, "entityRef or entityId"),
        ({**_cancel(entityRef="HD-1"), "retailerId": "2"}, 400, "retailerId 2"),
        ({**_cancel(entityRef="HD-1"), "accountId": "OTHER"}, 400, "accountId OTHER"),
        ({**_cancel(entityRef="HD-1"), "surprise": 1}, 400, "surprise"),
        ({"entityType": "ORDER", "entityRef": "HD-1", "retailerId": "1"}, 400, "name"),
    ],
)
async def test_bad_events_are_refused(fluent, order, body, status, words):
    response = await _send(fluent, body)
    assert response.status_code == status
    assert words in response.json()["errors"][0]["message"]


async def test_an_unknown_event_id_is_not_found(fluent):
    response = await fluent.http.get("/api/v4.1/event/nope", headers=fluent.headers)
    assert response.status_code == 404
