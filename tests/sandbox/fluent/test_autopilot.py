"""The auto-pilot drives orders to COMPLETE on its timer; steps can also be taken on demand."""

from __future__ import annotations

import asyncio

from tests.sandbox.fluent.conftest import Fluent

SKU_A, SKU_B = "SKU-00000-1", "SKU-00001-1"


async def _order(fluent: Fluent, ref: str, order_type: str = "HD") -> None:
    buyer = await fluent.create_customer(f"{ref}@example.com")
    order = await fluent.create_order(
        ref,
        {SKU_A: 2, SKU_B: 1},
        customer_id=buyer,
        order_type=order_type,
        pickup_location_ref="ST-002" if order_type == "CC" else None,
    )
    await fluent.create_fulfilment(f"{ref}-F1", order, "ST-001", {SKU_A: 2})
    await fluent.create_fulfilment(f"{ref}-F2", order, "ST-002", {SKU_B: 1})


async def _products(fluent: Fluent) -> None:
    for sku in (SKU_A, SKU_B):
        await fluent.create_product(sku)
        await fluent.set_stock(sku, {"ST-001": 10, "ST-002": 10})


async def test_the_timer_drives_home_delivery_and_click_and_collect_to_complete(fluent_factory):
    autopilot = {"enabled": True, "step_interval_seconds": 0.01}
    async with fluent_factory(autopilot=autopilot) as fluent:
        await _products(fluent)
        await _order(fluent, "HD-1")
        await _order(fluent, "CC-1", "CC")  # CC-1-F1 is a transfer from ST-001 to ST-002
        for _ in range(500):
            if {await fluent.order_status("HD-1"), await fluent.order_status("CC-1")} == {
                "COMPLETE"
            }:
                break
            await asyncio.sleep(0.01)
        for ref in ("HD-1", "CC-1"):
            order = await fluent.admin("GET", f"/orders/{ref}")
            assert order["status"] == "COMPLETE", order
            for fulfilment in order["fulfilments"]:
                assert fulfilment["status"] == "COMPLETE"
                [article] = fulfilment["articles"]
                assert article["consignments"][0]["trackingLabel"]
        state = await fluent.admin("GET", "/autopilot")
        assert state["running"] is True
        assert state["stepsTaken"]["pick"] == 4
        stock = await fluent.stock(SKU_A)
        assert {p["locationRef"]: (p["onHand"], p["reserved"]) for p in stock["positions"]}[
            "ST-001"
        ] == (6, 0)


async def test_steps_on_demand_follow_the_documented_order(fluent):
    await _products(fluent)
    await _order(fluent, "HD-1")
    await fluent.settle()
    actions = []
    for _ in range(7):
        actions.append(await fluent.admin("POST", "/autopilot/step"))
    assert actions == [
        {"pick": 2},
        {"fulfil": 2},
        {"add-article": 2},
        {"ship": 2},
        {"deliver": 2},
        {},
        {},
    ]
    assert await fluent.order_status("HD-1") == "COMPLETE"


async def test_a_rejection_rate_rejects_items_reproducibly(fluent):
    await _products(fluent)
    config = {"enabled": False, "rejection_rate": 1.0, "seed": 7}
    assert (await fluent.admin("PUT", "/autopilot", config))["running"] is False
    await _order(fluent, "HD-1")
    await fluent.settle()
    await fluent.admin("POST", "/autopilot/step")
    await fluent.admin("POST", "/autopilot/step")
    order = await fluent.admin("GET", "/orders/HD-1")
    for fulfilment in order["fulfilments"]:
        for item in fulfilment["items"]:
            assert item["rejectedQuantity"] >= 1
    assert {f["status"] for f in order["fulfilments"]} <= {"REJECTED", "PARTIALLY_FULFILLED"}


async def test_the_autopilot_can_be_switched_on_and_off_at_run_time(fluent):
    assert (await fluent.admin("GET", "/autopilot"))["running"] is False
    on = await fluent.admin("PUT", "/autopilot", {"enabled": True, "step_interval_seconds": 5})
    assert on["running"] is True
    off = await fluent.admin("PUT", "/autopilot", {"enabled": False})
    assert off["running"] is False
    bad = await fluent.http.put("/sandbox/autopilot", json={"rejection_rate": 2})
    assert bad.status_code == 400
