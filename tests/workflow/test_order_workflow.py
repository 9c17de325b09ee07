"""The order workflow on the time-skipping server, with the platforms replaced by `OrderWorld`.

Each test plays a lifecycle as store staff and Fluent would and checks what an operator and a
shopper would see: the fulfilments, the commercetools deliveries with parcels and tracking, the
invoices, the states, the issues.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.errors import ErrorClassifyingInterceptor
from connector.config import OrderPolicy, SourcingMode
from connector.orders import (
    CANCEL_SIGNAL,
    CancelRequest,
    FluentNews,
    Issue,
    IssueKind,
    OrderStatus,
    OrderWorkflowInput,
    Stage,
)
from tests.unit.mapping.factories import address, line_item, make_order
from tests.workflow.order_world import (
    BERLIN,
    HAMBURG,
    LEIPZIG,
    POTSDAM,
    FluentWorld,
    OrderWorld,
    RefusingWorld,
    store,
)
from tests.workflow.recorded_histories import recorded, replay, replay_recorded, save_when_recording
from workflows.order import OrderWorkflow

TASK_QUEUE = "order-workflow-tests"


def berlin_order(*lines: tuple[str, str, int], **kwargs: object):
    """An HD order shipping to Berlin Mitte (coordinates on the shipping address)."""
    shipping = address(
        custom={
            "type": {"typeId": "type", "id": "addr"},
            "fields": {"latitude": BERLIN[0], "longitude": BERLIN[1]},
        }
    )
    return make_order(
        lines=[line_item(line_id, sku, quantity) for line_id, sku, quantity in lines],
        shippingAddress=shipping,
        **kwargs,
    )


def cc_order(pickup: str, *lines: tuple[str, str, int]):
    return make_order(
        lines=[line_item(line_id, sku, quantity) for line_id, sku, quantity in lines],
        shipping_method="click-collect",
        custom_fields={"pickupLocationRef": pickup},
    )


def network(**stock: dict[str, int]) -> FluentWorld:
    """Four stores (Berlin, Potsdam, Leipzig, Hamburg) with the given stock per store ref."""
    places = {"BER": BERLIN, "POT": POTSDAM, "LEI": LEIPZIG, "HAM": HAMBURG}
    return FluentWorld(
        locations={ref: store(ref, at) for ref, at in places.items()},
        stock={(ref, sku): qty for ref, skus in stock.items() for sku, qty in skus.items()},
    )


@asynccontextmanager
async def lifecycle(
    env: WorkflowEnvironment, world: OrderWorld, *, cancel_at_start: CancelRequest | None = None
) -> AsyncIterator[WorkflowHandle[OrderWorkflow, OrderStatus]]:
    async with Worker(
        env.client,
        task_queue=TASK_QUEUE,
        workflows=[OrderWorkflow],
        activities=world.activities(),
        interceptors=[ErrorClassifyingInterceptor()],
    ):
        handle = await env.client.start_workflow(
            OrderWorkflow.run,
            OrderWorkflowInput(order_id=world.ct_order.id),
            id=f"order-{world.ct_order.id}-{uuid.uuid4()}",
            task_queue=TASK_QUEUE,
            start_signal=CANCEL_SIGNAL if cancel_at_start else None,
            start_signal_args=[cancel_at_start] if cancel_at_start else [],
        )
        yield handle


async def eventually(
    handle: WorkflowHandle[OrderWorkflow, OrderStatus],
    predicate: Callable[[OrderStatus], bool],
    within: float = 15.0,
) -> OrderStatus:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        status = await handle.query(OrderWorkflow.status)
        if predicate(status):
            return status
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"condition not reached; last status: {status.model_dump_json(indent=1)}"
            )
        await asyncio.sleep(0.05)


async def news(
    handle: WorkflowHandle[OrderWorkflow, OrderStatus], entity: str, ref: str, status: str
) -> None:
    await handle.signal(
        OrderWorkflow.fluent_news,
        FluentNews(event_name="status-update", entity_type=entity, entity_ref=ref, status=status),
    )


async def complete(
    world: OrderWorld, handle: WorkflowHandle[OrderWorkflow, OrderStatus]
) -> OrderStatus:
    """Everything delivered or collected: Fluent completes the order; the lifecycle ends."""
    for ref, fulfilment in world.fluent.fulfilments.items():
        if fulfilment["status"] not in {"SYSTEM_REJECTED", "CANCELLED", "REJECTED"}:
            world.fluent.advance(ref, "COMPLETE")
    world.fluent.set_order_status("COMPLETE")
    await news(handle, "ORDER", world.fluent.order["ref"], "COMPLETE")  # type: ignore[index]
    return await handle.result()


def open_issue(status: OrderStatus) -> Issue:
    assert status.open_issue is not None, "no open issue"
    return status.open_issue


def flagged(world: OrderWorld) -> bool:
    """The commercetools order shows an issue to the operator."""
    return world.ct_order.custom_field("connectorIssue") is not None


def delivery(world: OrderWorld, key: str):
    found = world.ct_order.delivery_by_key(key)
    assert found is not None, f"no delivery {key}: {[d.key for d in world.ct_order.deliveries]}"
    return found


pytestmark = pytest.mark.usefixtures("time_skipping_env")


async def test_hd_order_from_the_closest_store_that_has_everything(time_skipping_env) -> None:
    fluent = network(BER={"SKU-1": 1}, POT={"SKU-1": 5, "SKU-2": 5}, HAM={"SKU-1": 9, "SKU-2": 9})
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 2), ("li-2", "SKU-2", 1)), fluent)
    async with lifecycle(time_skipping_env, world) as handle:
        status = await eventually(handle, lambda s: bool(s.fulfilments))
        [fulfilment] = status.fulfilments
        assert (fulfilment.ref, fulfilment.location_ref, fulfilment.kind) == (
            "N-1001-F1",
            "POT",
            "HD",
        )
        assert status.fluent_order_ref == "N-1001"
        assert world.ct_order.custom_field("fluentOrderRef") == "N-1001"
        assert world.ct_order.custom_field("fluentOrderId") == "F-ORDER-1"

        fluent.ship_everything("N-1001-F1")
        await news(handle, "FULFILMENT", "N-1001-F1", "SHIPPED")
        status = await eventually(handle, lambda s: s.delivery_keys == ("N-1001-F1",))

        shipped = delivery(world, "N-1001-F1")
        assert sorted((i.id, i.quantity) for i in shipped.items) == [("li-1", 2), ("li-2", 1)]
        [parcel] = shipped.parcels
        assert parcel.tracking_data is not None
        assert parcel.tracking_data.tracking_id == "TRK-N-1001-F1"
        assert parcel.tracking_data.carrier == "DHL"
        assert world.ct_order.shipment_state == "Shipped"
        assert shipped.custom is not None
        assert shipped.custom.fields["fluentInvoiceRef"] == "INV-N-1001-F1"
        invoice = fluent.invoices["INV-N-1001-F1"]
        assert invoice.total_amount.amount == pytest.approx(2 * 19.99 + 19.99)
        assert status.invoice_refs == ("INV-N-1001-F1",)

        final = await complete(world, handle)
    assert final.stage is Stage.COMPLETE
    assert world.ct_order.order_state == "Complete"
    assert world.ct_order.shipment_state == "Delivered"
    assert len(world.ct_order.deliveries) == 1


async def test_hd_split_over_the_fewest_stores(time_skipping_env) -> None:
    fluent = network(BER={"SKU-1": 3}, LEI={"SKU-2": 3}, HAM={"SKU-3": 1})
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 1), ("li-2", "SKU-2", 2)), fluent)
    async with lifecycle(time_skipping_env, world) as handle:
        status = await eventually(handle, lambda s: len(s.fulfilments) == 2)
        assert {(f.location_ref, f.lines[0].line_item_id) for f in status.fulfilments} == {
            ("BER", "li-1"),
            ("LEI", "li-2"),
        }
        berlin = next(f.ref for f in status.fulfilments if f.location_ref == "BER")
        leipzig = next(f.ref for f in status.fulfilments if f.location_ref == "LEI")

        fluent.ship_everything(berlin)
        await news(handle, "FULFILMENT", berlin, "SHIPPED")
        await eventually(handle, lambda s: len(s.delivery_keys) == 1)
        assert world.ct_order.shipment_state == "Partial"

        fluent.ship_everything(leipzig)
        await news(handle, "FULFILMENT", leipzig, "SHIPPED")
        await eventually(handle, lambda s: len(s.delivery_keys) == 2)
        assert world.ct_order.shipment_state == "Shipped"
        assert set(fluent.invoices) == {f"INV-{berlin}", f"INV-{leipzig}"}
        assert (await complete(world, handle)).stage is Stage.COMPLETE


async def test_cc_collected_at_the_pickup_store(time_skipping_env) -> None:
    fluent = network(POT={"SKU-1": 4}, BER={"SKU-1": 9})
    world = OrderWorld(cc_order("POT", ("li-1", "SKU-1", 2)), fluent)
    async with lifecycle(time_skipping_env, world) as handle:
        status = await eventually(handle, lambda s: bool(s.fulfilments))
        [pickup] = status.fulfilments
        assert (pickup.location_ref, pickup.kind) == ("POT", "CC_PICKUP")

        fluent.ship_everything(pickup.ref, "READY_FOR_COLLECTION")
        await news(handle, "FULFILMENT", pickup.ref, "READY_FOR_COLLECTION")
        await eventually(handle, lambda s: bool(s.delivery_keys))
        ready = delivery(world, pickup.ref)
        assert ready.address is not None
        assert ready.address.company == "Store POT"
        assert world.ct_order.shipment_state == "Ready"
        final = await complete(world, handle)
    assert final.stage is Stage.COMPLETE
    assert world.ct_order.shipment_state == "Delivered"


async def test_cc_with_a_transfer_from_the_closest_store_that_has_the_rest(
    time_skipping_env,
) -> None:
    fluent = network(POT={"SKU-1": 1}, BER={"SKU-1": 5}, HAM={"SKU-1": 5})
    world = OrderWorld(cc_order("POT", ("li-1", "SKU-1", 3)), fluent)
    async with lifecycle(time_skipping_env, world) as handle:
        status = await eventually(handle, lambda s: len(s.fulfilments) == 2)
        kinds = {(f.kind, f.location_ref, f.lines[0].requested) for f in status.fulfilments}
        assert kinds == {("CC_PICKUP", "POT", 1), ("CC_TRANSFER", "BER", 2)}
        for record in status.fulfilments:
            fluent.ship_everything(record.ref, "READY_FOR_COLLECTION")
            await news(handle, "FULFILMENT", record.ref, "READY_FOR_COLLECTION")
        await eventually(handle, lambda s: len(s.delivery_keys) == 2)
        assert sum(i.quantity for d in world.ct_order.deliveries for i in d.items) == 3
        assert world.ct_order.shipment_state == "Ready"
        assert (await complete(world, handle)).stage is Stage.COMPLETE


async def test_rejected_units_are_sourced_again_elsewhere_then_flagged(time_skipping_env) -> None:
    fluent = network(BER={"SKU-1": 2}, POT={"SKU-1": 2}, LEI={"SKU-1": 2})
    policy = OrderPolicy(max_resourcing_attempts=1)
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 2)), fluent, policy)
    async with lifecycle(time_skipping_env, world) as handle:
        [first] = (await eventually(handle, lambda s: bool(s.fulfilments))).fulfilments
        assert first.location_ref == "BER"

        fluent.advance(first.ref, "PARTIALLY_FULFILLED", filled={"li-1": 1})
        await news(handle, "FULFILMENT", first.ref, "PARTIALLY_FULFILLED")
        status = await eventually(handle, lambda s: len(s.fulfilments) == 2)
        second = status.fulfilments[1]
        assert (second.location_ref, second.lines[0].requested) == ("POT", 1)
        assert status.resourcing_attempts == 1

        fluent.advance(second.ref, "REJECTED", filled={"li-1": 0})
        await news(handle, "FULFILMENT", second.ref, "REJECTED")
        status = await eventually(handle, lambda s: flagged(world) and s.open_issue is not None)
        assert open_issue(status).kind is IssueKind.UNFILLABLE
        rejected = status.fulfilments[-1]
        assert rejected.kind == "REJECTED"
        assert rejected.lines[0].rejected == 1
        assert world.ct_order.custom_field("connectorIssue") == open_issue(status).reason

        fluent.advance(first.ref, "SHIPPED", tracking="TRK-1")  # the one unit it had
        await news(handle, "FULFILMENT", first.ref, "SHIPPED")
        await eventually(handle, lambda s: bool(s.delivery_keys))
        assert [(i.id, i.quantity) for i in delivery(world, first.ref).items] == [("li-1", 1)]
        assert world.ct_order.shipment_state == "Partial"
        await handle.terminate("test over")


async def test_unfillable_units_become_a_rejected_fulfilment(time_skipping_env) -> None:
    fluent = network(BER={"SKU-1": 1})
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 3)), fluent)
    async with lifecycle(time_skipping_env, world) as handle:
        status = await eventually(handle, lambda s: len(s.fulfilments) == 2)
        assert {(f.kind, f.lines[0].requested) for f in status.fulfilments} == {
            ("HD", 1),
            ("REJECTED", 2),
        }
        assert status.open_issue is not None
        assert open_issue(status).kind is IssueKind.UNFILLABLE
        assert fluent.fulfilments["N-1001-R1"]["status"] == "SYSTEM_REJECTED"
        await handle.terminate("test over")


async def test_cancelled_in_commercetools_before_shipping(time_skipping_env) -> None:
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 1)), network(BER={"SKU-1": 3}))
    async with lifecycle(time_skipping_env, world) as handle:
        await eventually(handle, lambda s: bool(s.fulfilments))
        await handle.signal(OrderWorkflow.cancel, CancelRequest(reason="customer changed mind"))
        final = await handle.result()
    assert final.stage is Stage.CANCELLED
    [event] = world.fluent.events
    assert (event.name, event.entity_ref, event.attributes) == (
        "CancelOrder",
        "N-1001",
        {"cancelReason": "customer changed mind"},
    )
    assert world.ct_order.order_state == "Cancelled"
    assert world.ct_order.shipment_state == "Canceled"


async def test_cancel_refused_when_everything_shipped(time_skipping_env) -> None:
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 1)), network(BER={"SKU-1": 3}))
    async with lifecycle(time_skipping_env, world) as handle:
        [record] = (await eventually(handle, lambda s: bool(s.fulfilments))).fulfilments
        world.fluent.ship_everything(record.ref)
        await news(handle, "FULFILMENT", record.ref, "SHIPPED")
        await eventually(handle, lambda s: bool(s.delivery_keys))
        await handle.signal(OrderWorkflow.cancel, CancelRequest(reason="too late"))
        status = await eventually(handle, lambda s: flagged(world) and s.open_issue is not None)
        assert open_issue(status).kind is IssueKind.CANCEL_REFUSED
        assert world.fluent.events == []
        assert "already shipped" in world.ct_order.custom_field("connectorIssue")
        assert (await complete(world, handle)).stage is Stage.COMPLETE


async def test_cancelled_in_fluent(time_skipping_env) -> None:
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 1)), network(BER={"SKU-1": 3}))
    async with lifecycle(time_skipping_env, world) as handle:
        await eventually(handle, lambda s: bool(s.fulfilments))
        world.fluent.set_order_status("CANCELLED")
        await news(handle, "ORDER", "N-1001", "CANCELLED")
        final = await handle.result()
    assert final.stage is Stage.CANCELLED
    assert world.ct_order.order_state == "Cancelled"


async def test_cancelled_before_the_order_reached_fluent(time_skipping_env) -> None:
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 1)), network(BER={"SKU-1": 3}))
    async with lifecycle(
        time_skipping_env,
        world,
        cancel_at_start=CancelRequest(reason="cancelled at once"),
    ) as handle:
        final = await handle.result()
    assert final.stage is Stage.CANCELLED
    assert world.fluent.order is None
    assert world.calls["ensure_fluent_order"] == 0


async def test_duplicate_and_out_of_order_news(time_skipping_env) -> None:
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 2)), network(BER={"SKU-1": 3}))
    async with lifecycle(time_skipping_env, world) as handle:
        [record] = (await eventually(handle, lambda s: bool(s.fulfilments))).fulfilments
        # The store ships and the parcel is delivered; the COMPLETE webhook overtakes SHIPPED,
        # and Fluent retries each of them.
        world.fluent.ship_everything(record.ref)
        world.fluent.advance(record.ref, "COMPLETE")
        for _ in range(3):
            await news(handle, "FULFILMENT", record.ref, "COMPLETE")
        await eventually(handle, lambda s: bool(s.delivery_keys))
        fetches = world.calls["fetch_fluent_order"]
        for _ in range(3):
            await news(handle, "FULFILMENT", record.ref, "SHIPPED")
            await news(handle, "FULFILMENT", record.ref, "COMPLETE")
        # The late SHIPPED is news once (one fetch); every repeat is dropped unnoted.
        status = await eventually(handle, lambda _: world.calls["fetch_fluent_order"] > fetches)
        assert [entry.text for entry in status.timeline if entry.text.startswith("Fluent:")] == [
            f"Fluent: FULFILMENT {record.ref} COMPLETE",
            f"Fluent: FULFILMENT {record.ref} SHIPPED",
        ]
        assert world.calls["fetch_fluent_order"] <= fetches + 1
        assert world.ct_order.shipment_state == "Delivered"
        assert [(i.id, i.quantity) for i in delivery(world, record.ref).items] == [("li-1", 2)]
        assert len(world.fluent.invoices) == 1
        assert (await complete(world, handle)).stage is Stage.COMPLETE
    assert len(world.ct_order.deliveries) == 1


async def test_no_news_for_too_long_flags_the_order_as_stalled(time_skipping_env) -> None:
    # Polling Fluent only at the stall deadline keeps the skipped week to a few timers.
    policy = OrderPolicy(refresh_after=timedelta(days=30))
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 1)), network(BER={"SKU-1": 3}), policy)
    async with lifecycle(time_skipping_env, world) as handle:
        await eventually(handle, lambda s: bool(s.fulfilments))
        await time_skipping_env.sleep(timedelta(days=7, hours=2))
        status = await eventually(handle, lambda s: flagged(world) and s.open_issue is not None)
        assert open_issue(status).kind is IssueKind.STALLED
        assert "no news from Fluent" in world.ct_order.custom_field("connectorIssue")
        assert status.stage is Stage.IN_FULFILMENT  # still waiting

        record = status.fulfilments[0]
        world.fluent.ship_everything(record.ref)
        await news(handle, "FULFILMENT", record.ref, "SHIPPED")
        status = await eventually(handle, lambda s: bool(s.delivery_keys) and not flagged(world))
        assert status.open_issue is None
        assert (await complete(world, handle)).stage is Stage.COMPLETE


async def test_fluent_sourcing_mode_waits_for_announced_fulfilments(time_skipping_env) -> None:
    policy = OrderPolicy(sourcing_mode=SourcingMode.FLUENT)
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 2)), network(BER={"SKU-1": 3}), policy)
    async with lifecycle(time_skipping_env, world) as handle:
        await eventually(handle, lambda s: s.stage is Stage.EXPORTED)
        assert world.calls["ensure_fulfilments"] == 0
        assert world.calls["load_sourcing_network"] == 0

        world.fluent.announce_fulfilment("FL-77", "HAM", {"li-1": 2})
        await news(handle, "FULFILMENT", "FL-77", "CREATED")
        status = await eventually(handle, lambda s: bool(s.fulfilments))
        assert (status.fulfilments[0].ref, status.fulfilments[0].location_ref) == ("FL-77", "HAM")

        world.fluent.ship_everything("FL-77")
        await news(handle, "FULFILMENT", "FL-77", "SHIPPED")
        await eventually(handle, lambda s: s.delivery_keys == ("FL-77",))
        assert (await complete(world, handle)).stage is Stage.COMPLETE


async def test_an_invalid_order_ends_with_its_reason_visible(time_skipping_env) -> None:
    order = make_order(lines=[line_item("li-1", None, 1)], shippingAddress=None)
    world = OrderWorld(order, network(BER={"SKU-1": 3}))
    async with lifecycle(time_skipping_env, world) as handle:
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
        status = await handle.query(OrderWorkflow.status)
    assert "invalid order" in str(failed.value.cause)
    assert status.stage is Stage.INVALID
    reason = world.ct_order.custom_field("connectorIssue")
    assert "li-1" in reason
    assert "shipping address" in reason
    assert world.fluent.order is None


async def test_a_cc_order_for_an_inactive_store_is_invalid(time_skipping_env) -> None:
    fluent = network(POT={"SKU-1": 4})
    fluent.locations["POT"] = store("POT", POTSDAM, status="INACTIVE")
    world = OrderWorld(cc_order("POT", ("li-1", "SKU-1", 1)), fluent)
    async with lifecycle(time_skipping_env, world) as handle:
        with pytest.raises(WorkflowFailureError):
            await handle.result()
    assert "INACTIVE" in world.ct_order.custom_field("connectorIssue")


async def test_a_permanent_platform_error_fails_visibly(time_skipping_env) -> None:
    world = RefusingWorld(berlin_order(("li-1", "SKU-1", 1)), network(BER={"SKU-1": 3}))
    async with lifecycle(time_skipping_env, world) as handle:
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
        status = await handle.query(OrderWorkflow.status)
    assert "fluentOrderRef is not defined" in str(failed.value.cause)
    assert status.stage is Stage.FAILED
    assert status.open_issue is not None
    assert open_issue(status).kind is IssueKind.FAILED


async def test_history_replays_deterministically(time_skipping_env) -> None:
    """Today's code replays a lifecycle it just ran; `RECORD_HISTORIES=1` saves it as a
    regression guard (see `recorded_histories`)."""
    world = OrderWorld(
        cc_order("POT", ("li-1", "SKU-1", 3)), network(POT={"SKU-1": 1}, BER={"SKU-1": 5})
    )
    async with lifecycle(time_skipping_env, world) as handle:
        status = await eventually(handle, lambda s: len(s.fulfilments) == 2)
        for record in status.fulfilments:
            world.fluent.ship_everything(record.ref, "READY_FOR_COLLECTION")
            await news(handle, "FULFILMENT", record.ref, "READY_FOR_COLLECTION")
        await eventually(handle, lambda s: len(s.delivery_keys) == 2)
        await complete(world, handle)
        history = await handle.fetch_history()
    await replay([OrderWorkflow], history)
    save_when_recording({"order-cc-transfer": history})


RECORDED = recorded("order-")


@pytest.mark.parametrize("name", sorted(RECORDED))
async def test_recorded_histories_still_replay(name: str) -> None:
    """Histories recorded by earlier versions still replay (no non-determinism)."""
    await replay_recorded([OrderWorkflow], name, RECORDED[name])


async def test_fluent_data_the_mappings_cannot_use_fails_visibly(time_skipping_env) -> None:
    """A store whose address has no id cannot be a fulfilment's origin: the lifecycle ends
    FAILED with the reason on the order, instead of retrying a workflow task forever."""
    fluent = network(BER={"SKU-1": 3})
    berlin = fluent.locations["BER"]
    assert berlin.primary_address is not None
    fluent.locations["BER"] = berlin.model_copy(
        update={"primary_address": berlin.primary_address.model_copy(update={"id": None})}
    )
    world = OrderWorld(berlin_order(("li-1", "SKU-1", 1)), fluent)
    async with lifecycle(time_skipping_env, world) as handle:
        with pytest.raises(WorkflowFailureError):
            await handle.result()
        status = await handle.query(OrderWorkflow.status)
    assert status.stage is Stage.FAILED
    assert open_issue(status).kind is IssueKind.FAILED
    assert "unusable data" in world.ct_order.custom_field("connectorIssue")
