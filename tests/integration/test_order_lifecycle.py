"""The order lifecycle end to end, over real HTTP: orders placed in the commercetools sandbox as a
shopper places them reach Fluent through the pushed subscription (sandbox push -> webhook app ->
Temporal -> worker), the Fluent sandbox's store operations advance them, and deliveries with
their items, parcels and tracking, invoices and states come back to commercetools. Duplicate
deliveries of the same news, from either side, and a worker killed mid-lifecycle produce no
second effect anywhere. See `tests/integration/stack.py` for how the pieces are wired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from cli.demo_orders import Journey, PlacedOrder, collect_journey, current_status
from connector.commercetools.client import CommercetoolsClient
from connector.commercetools.models import Delivery, LineItem, Order
from connector.fluent.client import FluentClient
from connector.orders import FIELD_INVOICE_REF, OrderStatus, Stage
from tests.integration.stack import ConnectorStack, connector_stack, eventually

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def stack(
    dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ConnectorStack]:
    async with connector_stack(dev_env, tmp_path_factory.mktemp("order-lifecycle")) as running:
        yield running


# --- helpers ------------------------------------------------------------------------------------


def planned(status: OrderStatus) -> set[tuple[str | None, str]]:
    return {(record.location_ref, record.kind) for record in status.fulfilments}


def fulfilment_at(status: OrderStatus, location_ref: str) -> str:
    return next(r.ref for r in status.fulfilments if r.location_ref == location_ref)


async def sourced(stack: ConnectorStack, placed: PlacedOrder) -> OrderStatus:
    """The status once the connector has created the expected fulfilments in Fluent."""
    count = len(placed.planned.scenario.expected)
    return await stack.until_status(
        placed.order_id, lambda s: len(s.fulfilments) == count, f"{count} fulfilments created"
    )


def line_of(order: Order, sku: str) -> LineItem:
    return next(item for item in order.line_items if item.variant.sku == sku)


def delivered(order: Order, key: str) -> Delivery | None:
    return order.delivery_by_key(key)


def has_delivery(order: Order, *, key: str) -> bool:
    return order.delivery_by_key(key) is not None


def invoice_total(stack: ConnectorStack, ref: str) -> float | None:
    """The invoice's total as Fluent holds it (None: no such invoice)."""
    invoice = stack.fluent.store.invoice_by_ref(ref)
    return invoice.total_amount.amount if invoice is not None else None


# --- the lifecycle --------------------------------------------------------------------------------


async def test_home_delivery_split_over_two_stores_comes_back_as_two_tracked_deliveries(
    stack: ConnectorStack,
) -> None:
    placed = await stack.place("hd-split")
    status = await sourced(stack, placed)
    assert planned(status) == {("ST-002", "HD"), ("ST-006", "HD")}
    assert status.fluent_order_ref == placed.planned.number
    pushes = await stack.commercetools_admin("GET", "subscriptions")
    orders_target = next(t for t in pushes["targets"] if t["name"] == "connector-orders")
    assert orders_target["delivered"] >= 1  # it reached the connector by the pushed subscription

    munich, stuttgart = fulfilment_at(status, "ST-002"), fulfilment_at(status, "ST-006")
    munich_sku, stuttgart_sku = placed.planned.skus
    await stack.pack(munich, carrier="DHL", tracking="DHL-MUC-1")
    await stack.store_operation(munich, "ship")
    order = await stack.until_order(
        placed.order_id,
        lambda o: delivered(o, munich) is not None and o.shipment_state == "Partial",
        "the Munich delivery, shipment Partial",
    )
    delivery = delivered(order, munich)
    assert delivery is not None
    munich_line = line_of(order, munich_sku)
    assert [(item.id, item.quantity) for item in delivery.items] == [(munich_line.id, 1)]
    assert delivery.address is None  # home delivery: to the order's shipping address
    [parcel] = delivery.parcels
    assert parcel.tracking_data is not None
    assert parcel.tracking_data.tracking_id == "DHL-MUC-1"
    assert (parcel.tracking_data.carrier or "").upper() == "DHL"  # as Fluent names the carrier
    invoice_ref = delivery.custom.fields[FIELD_INVOICE_REF] if delivery.custom else None
    assert invoice_ref is not None
    assert invoice_total(stack, invoice_ref) == munich_line.total_price.cent_amount / 100

    await stack.pack(stuttgart, carrier="UPS", tracking="UPS-STR-2")
    await stack.store_operation(stuttgart, "ship")
    order = await stack.until_order(
        placed.order_id,
        lambda o: delivered(o, stuttgart) is not None and o.shipment_state == "Shipped",
        "the Stuttgart delivery, shipment Shipped",
    )
    second = delivered(order, stuttgart)
    assert second is not None
    stuttgart_line = line_of(order, stuttgart_sku)
    assert [(item.id, item.quantity) for item in second.items] == [(stuttgart_line.id, 1)]
    for ref in (munich, stuttgart):
        await stack.store_operation(ref, "deliver")
    final = await stack.finished(placed.order_id)
    assert final.stage is Stage.COMPLETE
    order = await stack.order(placed.order_id)
    assert (order.order_state, order.shipment_state) == ("Complete", "Delivered")
    assert sorted(d.key or "" for d in order.deliveries) == sorted([munich, stuttgart])
    assert order.delivered_quantities() == {item.id: item.quantity for item in order.line_items}


async def test_click_and_collect_with_a_transfer_is_ready_at_the_pickup_store(
    stack: ConnectorStack,
) -> None:
    placed = await stack.place("cc-transfer")
    status = await sourced(stack, placed)
    assert planned(status) == {("ST-004", "CC_PICKUP"), ("WH-005", "CC_TRANSFER")}
    pickup, transfer = fulfilment_at(status, "ST-004"), fulfilment_at(status, "WH-005")

    await stack.pack(transfer, carrier="DHL", tracking="DHL-FRA-7")
    await stack.store_operation(transfer, "ship")  # on its way from Frankfurt to Cologne
    await stack.store_operation(transfer, "ready-for-collection")
    await stack.pack(pickup, carrier="STORE", tracking="SHELF-12")
    await stack.store_operation(pickup, "ready-for-collection")
    order = await stack.until_order(
        placed.order_id,
        lambda o: len(o.deliveries) == 2 and o.shipment_state == "Ready",
        "both deliveries ready for collection",
    )
    for delivery in order.deliveries:
        assert delivery.address is not None
        assert delivery.address.city == "Cologne"  # the pickup store's address, not the home
    transfer_delivery = delivered(order, transfer)
    assert transfer_delivery is not None
    transfer_line = line_of(order, placed.planned.skus[1])
    assert [(i.id, i.quantity) for i in transfer_delivery.items] == [(transfer_line.id, 1)]
    assert [p.tracking_data.tracking_id for p in transfer_delivery.parcels if p.tracking_data] == [
        "DHL-FRA-7"
    ]

    for ref in (pickup, transfer):
        await stack.store_operation(ref, "collect")
    await stack.finished(placed.order_id)
    order = await stack.order(placed.order_id)
    assert (order.order_state, order.shipment_state) == ("Complete", "Delivered")
    final = await stack.status(placed.order_id)
    assert final is not None
    assert {f.ref: f.invoice_ref for f in final.fulfilments} == {
        f.ref: f"INV-{f.ref}" for f in final.fulfilments
    }
    for delivery in order.deliveries:
        assert delivery.custom is not None
        assert delivery.custom.fields[FIELD_INVOICE_REF] == f"INV-{delivery.key}"


# --- duplicates -----------------------------------------------------------------------------------


async def test_order_created_pushed_three_times_gives_one_fluent_order(
    stack: ConnectorStack,
) -> None:
    placed = await stack.place("hd-one-store")
    await sourced(stack, placed)
    [created] = await stack.messages(placed.order_id, "OrderCreated")
    before = await stack.fluent_operations()
    pushes_before = await _orders_target(stack)

    for _ in range(3):
        await stack.commercetools_admin("POST", f"subscriptions/replay/{created['id']}")

    async def replays_acknowledged() -> bool | None:
        target = await _orders_target(stack)
        done = target["delivered"] >= pushes_before["delivered"] + 3 and not target["pending"]
        return True if done else None

    await eventually(replays_acknowledged, "the three replays answered 2xx by the connector")
    await stack.autopilot(enabled=True)
    try:
        await stack.finished(placed.order_id)
    finally:
        await stack.autopilot(enabled=False)
    await stack.commercetools_admin("POST", f"subscriptions/replay/{created['id']}")
    await eventually(
        lambda: _delivered_at_least(stack, pushes_before["delivered"] + 4),
        "a replay after the order ended answered 2xx",
    )

    after = await stack.fluent_operations()
    assert after.get("mutation createOrder", 0) - before.get("mutation createOrder", 0) == 0
    assert stack.fluent.store.order_by_ref(placed.planned.number) is not None
    assert await stack.runs(placed.order_id) == 1
    journey = await _journey(stack, placed)
    assert journey.problems == ()


async def test_a_fluent_webhook_replayed_three_times_gives_one_delivery(
    stack: ConnectorStack,
) -> None:
    placed = await stack.place("hd-one-store")
    status = await sourced(stack, placed)
    [fulfilment] = [record.ref for record in status.fulfilments]
    await stack.pack(fulfilment, carrier="DHL", tracking="DHL-BER-3")
    await stack.store_operation(fulfilment, "ship")
    await stack.until_order(
        placed.order_id, lambda o: delivered(o, fulfilment) is not None, "the delivery"
    )

    replay = {"entityType": "FULFILMENT", "entityRef": fulfilment}
    await stack.fluent_admin("POST", "webhooks/replay", replay)  # byte for byte
    await stack.fluent_admin("POST", "webhooks/replay", replay)
    await stack.fluent_admin("POST", "webhooks/replay", {**replay, "freshId": True})

    async def replays_delivered() -> bool | None:
        log = (await stack.fluent_admin("GET", "webhooks"))["deliveries"]
        shipped = [
            d
            for d in log
            if d["entityRef"] == fulfilment and d["entityStatus"] == "SHIPPED" and d["delivered"]
        ]
        return True if len(shipped) >= 4 else None

    await eventually(replays_delivered, "the original and three replays accepted")
    await stack.store_operation(fulfilment, "deliver")
    await stack.finished(placed.order_id)

    order = await stack.order(placed.order_id)
    assert [d.key for d in order.deliveries] == [fulfilment]
    assert len(order.deliveries[0].parcels) == 1
    assert len(await stack.messages(placed.order_id, "DeliveryAdded")) == 1
    assert _invoices_of(stack, placed.planned.number) == [f"INV-{fulfilment}"]


async def _orders_target(stack: ConnectorStack) -> dict[str, Any]:
    pushes = await stack.commercetools_admin("GET", "subscriptions")
    target: dict[str, Any] = next(t for t in pushes["targets"] if t["name"] == "connector-orders")
    return target


async def _delivered_at_least(stack: ConnectorStack, count: int) -> bool | None:
    target = await _orders_target(stack)
    return True if target["delivered"] >= count and not target["pending"] else None


def _invoices_of(stack: ConnectorStack, order_ref: str) -> list[str]:
    return sorted(
        invoice.ref
        for invoice in stack.fluent.store.invoices
        if invoice.order is not None and invoice.order.ref == order_ref
    )


async def _journey(stack: ConnectorStack, placed: PlacedOrder) -> Journey:
    """The order's journey as the demo checks it against its scenario."""
    state, status = await current_status(stack.temporal, placed.workflow_id)
    async with (
        CommercetoolsClient(stack.settings.commercetools) as commercetools,
        FluentClient(stack.settings.fluent) as fluent,
    ):
        return await collect_journey(placed, state, status, commercetools, fluent)


# --- a crash ------------------------------------------------------------------------------------

HAND_OVER = {
    "HD": ("ship",),
    "CC_PICKUP": ("ready-for-collection",),
    "CC_TRANSFER": ("ship", "ready-for-collection"),
}


async def hand_over(stack: ConnectorStack, kind: str, ref: str) -> None:
    """The store hands the goods over: shipped, or ready at the pickup store."""
    for operation in HAND_OVER[kind]:
        await stack.store_operation(ref, operation)


async def quiet(stack: ConnectorStack, placed: list[PlacedOrder]) -> None:
    """No webhook under way and no workflow with work in flight: a kill now loses only what a
    crash between two steps loses (an activity killed mid-call is retried only after its
    start-to-close timeout, a minute)."""

    async def settled() -> bool | None:
        if (await stack.fluent_admin("GET", "state"))["pendingWebhooks"]:
            return None
        for order in placed:
            description = await stack.temporal.get_workflow_handle(order.workflow_id).describe()
            raw = description.raw_description
            if raw.pending_activities or raw.HasField("pending_workflow_task"):
                return None
        return True

    await eventually(settled, "the connector idle between two steps")


async def test_worker_killed_mid_lifecycle_and_restarted_completes_every_order_once(
    dev_env: WorkflowEnvironment, tmp_path: Any
) -> None:
    async with connector_stack(dev_env, tmp_path, worker_process=True) as stack:
        placed = [
            await stack.place(key)
            for key in ("hd-one-store", "hd-split", "cc-at-store", "cc-transfer")
        ]
        statuses = [await sourced(stack, order) for order in placed]
        for status in statuses:
            for record in status.fulfilments:
                await stack.pack(record.ref, carrier="DHL", tracking=f"T-{record.ref}")
        first = [status.fulfilments[0] for status in statuses]
        for record in first:
            await hand_over(stack, record.kind, record.ref)
        for order, record in zip(placed, first, strict=True):
            await stack.until_order(
                order.order_id, partial(has_delivery, key=record.ref), "the first delivery"
            )
        await quiet(stack, placed)
        mid_way = [await stack.status(order.order_id) for order in placed]
        assert all(s is not None and s.stage is Stage.IN_FULFILMENT for s in mid_way)

        stack.kill_worker_process()
        for status in statuses:  # the stores go on while the worker is down
            for record in status.fulfilments[1:]:
                await hand_over(stack, record.kind, record.ref)
        stack.start_worker_process()
        await stack.autopilot(enabled=True)  # store staff deliver and hand over the rest
        finals = [await stack.finished(order.order_id, within=60) for order in placed]

        for order, final in zip(placed, finals, strict=True):
            journey = await _journey(stack, order)
            assert journey.problems == (), journey.problems
            assert await stack.runs(order.order_id) == 1
            ct_order = await stack.order(order.order_id)
            refs = sorted(record.ref for record in final.fulfilments)
            assert sorted(d.key or "" for d in ct_order.deliveries) == refs
            assert len(await stack.messages(order.order_id, "DeliveryAdded")) == len(refs)
            assert all(len(d.parcels) == 1 for d in ct_order.deliveries)
            assert order.planned.number in {o.ref for o in stack.fluent.store.orders}
            fluent_order = await stack.fluent_admin("GET", f"orders/{order.planned.number}")
            assert sorted(f["ref"] for f in fluent_order["fulfilments"]) == refs
            assert _invoices_of(stack, order.planned.number) == sorted(f"INV-{r}" for r in refs)
        operations = await stack.fluent_operations()
        fulfilments = sum(len(final.fulfilments) for final in finals)
        assert operations["mutation createOrder"] == len(placed)
        assert operations["mutation createFulfilment"] == fulfilments
        assert operations["mutation createInvoice"] == fulfilments  # none created twice
        fluent_refs = [o.ref for o in stack.fluent.store.orders]
        assert len(fluent_refs) == len(set(fluent_refs)) == len(placed)
        customers = [c.username for c in stack.fluent.store.customers]
        assert len(customers) == len(set(customers)) == len(placed)
