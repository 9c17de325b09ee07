"""`build_order_actions`: only what differs, never twice, never beyond the ordered quantities.

Each action list is applied by the strict in-memory applier (`applier.py`), and building again
on the updated order must yield nothing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.commercetools.actions import OrderUpdateAction
from connector.commercetools.drafts import (
    AddressDraft,
    CustomFieldsDraft,
    DeliveryItem,
    ParcelDraft,
    TrackingData,
)
from connector.commercetools.models import Order
from connector.config import OrderPolicy
from connector.mapping.deliveries import build_order_actions, desired_order
from connector.orders import (
    DesiredOrder,
    FulfilmentRecord,
    Issue,
    IssueKind,
    OrderStatus,
    OrderType,
    Stage,
)
from tests.unit.mapping.applier import SYNCED_AT, apply_actions
from tests.unit.mapping.factories import (
    AT,
    POLICY,
    article,
    cc_order,
    consignment,
    delivery,
    details,
    existing_delivery,
    fulfilment,
    line_item,
    location,
    make_order,
    record,
)


def wire(actions: list[OrderUpdateAction]) -> list[dict[str, Any]]:
    return [action.to_wire() for action in actions]


def converge(
    order: Order,
    desired: DesiredOrder,
    policy: OrderPolicy = POLICY,
    sync_channel_id: str | None = None,
) -> Order:
    """Apply the actions and check that nothing is left to do."""
    updated = apply_actions(
        order, build_order_actions(order, desired, policy, sync_channel_id=sync_channel_id)
    )
    assert build_order_actions(updated, desired, policy, sync_channel_id=sync_channel_id) == []
    return updated


TYPE_ORDER = {"typeId": "type", "key": "fluent-connector-order"}
TYPE_DELIVERY = {"typeId": "type", "key": "fluent-connector-delivery"}
TYPE_PARCEL = {"typeId": "type", "key": "fluent-connector-parcel"}
TYPE_LINE = {"typeId": "type", "key": "fluent-connector-line-item"}


def full_desired() -> DesiredOrder:
    return DesiredOrder(
        order_id="order-1",
        order_fields={"fluentOrderRef": "N-1001", "fluentOrderId": "F-1", "connectorIssue": None},
        order_state="Confirmed",
        shipment_state="Shipped",
        deliveries=(
            delivery(
                "N-1001-F1",
                ("li-1", 2),
                parcels=(
                    ParcelDraft(
                        key="ART-1",
                        tracking_data=TrackingData(tracking_id="T-1", carrier="DHL"),
                        items=[DeliveryItem(id="li-1", quantity=2)],
                    ),
                ),
                fields={"fluentFulfilmentRef": "N-1001-F1", "fluentInvoiceRef": None},
            ),
        ),
        line_item_fields={"li-1": {"fulfilmentMetadata": "[]"}},
        sync_channel_key="export",
        sync_external_id="F-1",
    )


def test_first_sync_of_a_fresh_order_in_full() -> None:
    actions = build_order_actions(make_order(), full_desired(), POLICY, sync_channel_id="chan-1")

    assert wire(actions) == [
        {
            "action": "setCustomType",
            "type": TYPE_ORDER,
            "fields": {"fluentOrderId": "F-1", "fluentOrderRef": "N-1001"},
        },
        {"action": "changeOrderState", "orderState": "Confirmed"},
        {"action": "changeShipmentState", "shipmentState": "Shipped"},
        {
            "action": "addDelivery",
            "deliveryKey": "N-1001-F1",
            "items": [{"id": "li-1", "quantity": 2}],
            "parcels": [
                {
                    "key": "ART-1",
                    "trackingData": {"trackingId": "T-1", "carrier": "DHL"},
                    "items": [{"id": "li-1", "quantity": 2}],
                    "custom": {"type": TYPE_PARCEL, "fields": {}},
                }
            ],
            "custom": {"type": TYPE_DELIVERY, "fields": {"fluentFulfilmentRef": "N-1001-F1"}},
        },
        {
            "action": "setLineItemCustomType",
            "lineItemId": "li-1",
            "type": TYPE_LINE,
            "fields": {"fulfilmentMetadata": "[]"},
        },
        {
            "action": "updateSyncInfo",
            "channel": {"typeId": "channel", "id": "chan-1"},
            "externalId": "F-1",
        },
    ]


def test_applied_actions_leave_nothing_to_do() -> None:
    updated = converge(make_order(), full_desired(), sync_channel_id="chan-1")

    assert updated.custom is not None
    assert updated.custom.fields == {"fluentOrderRef": "N-1001", "fluentOrderId": "F-1"}
    assert (updated.order_state, updated.shipment_state) == ("Confirmed", "Shipped")
    assert updated.delivered_quantities() == {"li-1": 2}
    assert [(s.channel.id, s.external_id) for s in updated.sync_info] == [("chan-1", "F-1")]


def test_existing_custom_fields_are_set_one_by_one_and_none_removes() -> None:
    order = make_order(
        custom_fields={"pickupLocationRef": "S", "fluentOrderRef": "N-1001", "connectorIssue": "x"}
    )
    desired = DesiredOrder(
        order_id="order-1",
        order_fields={"fluentOrderRef": "N-1001", "fluentOrderId": "F-1", "connectorIssue": None},
    )

    assert wire(build_order_actions(order, desired, POLICY)) == [
        {"action": "setCustomField", "name": "connectorIssue"},
        {"action": "setCustomField", "name": "fluentOrderId", "value": "F-1"},
    ]
    updated = converge(order, desired)
    assert updated.custom is not None
    assert updated.custom.fields == {
        "pickupLocationRef": "S",
        "fluentOrderRef": "N-1001",
        "fluentOrderId": "F-1",
    }


def test_absent_and_none_is_no_change() -> None:
    empty_custom = make_order(custom_fields={})
    desired = DesiredOrder(order_id="order-1", order_fields={"connectorIssue": None})

    assert build_order_actions(empty_custom, desired, POLICY) == []
    assert build_order_actions(make_order(), desired, POLICY) == []


@pytest.mark.parametrize(
    ("current", "desired_state", "expected"),
    [
        ({"orderState": "Open"}, {"order_state": "Open"}, []),
        ({"orderState": "Open"}, {"order_state": None}, []),
        (
            {"orderState": "Open"},
            {"order_state": "Complete"},
            [{"action": "changeOrderState", "orderState": "Complete"}],
        ),
        ({"shipmentState": "Partial"}, {"shipment_state": "Partial"}, []),
        ({"shipmentState": "Partial"}, {"shipment_state": None}, []),
        (
            {},
            {"shipment_state": "Ready"},
            [{"action": "changeShipmentState", "shipmentState": "Ready"}],
        ),
    ],
)
def test_states_change_only_when_different(
    current: dict[str, Any], desired_state: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    desired = DesiredOrder(order_id="order-1", **desired_state)

    assert wire(build_order_actions(make_order(**current), desired, POLICY)) == expected


def test_new_deliveries_are_capped_at_what_is_left_of_each_line() -> None:
    order = make_order(
        lines=[line_item("li-1", quantity=3), line_item("li-2", "SKU-2", quantity=1)],
        deliveries=[existing_delivery("OLD", ("li-1", 1))],
    )
    desired = DesiredOrder(
        order_id="order-1",
        deliveries=(
            delivery(
                "D1",
                ("li-1", 5),
                ("li-2", 1),
                parcels=(ParcelDraft(key="P1", items=[DeliveryItem(id="li-1", quantity=5)]),),
            ),
            delivery("D2", ("li-1", 1)),  # nothing left of li-1: not added at all
            delivery("D3", ("li-1", 1), ("li-2", 1)),  # nothing left of either
        ),
    )

    actions = wire(build_order_actions(order, desired, POLICY))

    assert [a["deliveryKey"] for a in actions] == ["D1"]
    assert actions[0]["items"] == [{"id": "li-1", "quantity": 2}, {"id": "li-2", "quantity": 1}]
    assert actions[0]["parcels"][0]["items"] == [{"id": "li-1", "quantity": 2}]
    updated = converge(order, desired)
    assert updated.delivered_quantities() == {"li-1": 3, "li-2": 1}


def test_an_existing_delivery_gets_missing_parcels_tracking_and_fields_but_keeps_its_items() -> (
    None
):
    order = make_order(
        deliveries=[
            existing_delivery(
                "N-1001-F1",
                ("li-1", 1),
                parcels=[
                    {
                        "id": "p-1",
                        "key": "ART-1",
                        "trackingData": {"trackingId": "OLD", "carrier": "DHL"},
                    },
                    {
                        "id": "p-3",
                        "key": "ART-3",
                        "trackingData": {"trackingId": "SAME"},
                        "custom": {"type": {"typeId": "type", "id": "t"}, "fields": {}},
                    },
                ],
            )
        ]
    )
    desired = DesiredOrder(
        order_id="order-1",
        deliveries=(
            delivery(
                "N-1001-F1",
                ("li-1", 2),
                parcels=(
                    ParcelDraft(
                        key="ART-1",
                        tracking_data=TrackingData(tracking_id="NEW", carrier="DHL"),
                        custom=CustomFieldsDraft.of_type(
                            "fluent-connector-parcel", {"fluentTrackingUrl": "https://l/1"}
                        ),
                    ),
                    ParcelDraft(key="ART-2"),
                    ParcelDraft(
                        key="ART-3",
                        tracking_data=TrackingData(tracking_id="SAME"),
                        custom=CustomFieldsDraft.of_type(
                            "fluent-connector-parcel", {"fluentTrackingUrl": "https://l/3"}
                        ),
                    ),
                ),
                fields={"fluentFulfilmentStatus": "SHIPPED"},
            ),
        ),
    )

    assert wire(build_order_actions(order, desired, POLICY)) == [
        {
            "action": "addParcelToDelivery",
            "deliveryKey": "N-1001-F1",
            "parcelKey": "ART-2",
            "items": [],
            "custom": {"type": TYPE_PARCEL, "fields": {}},
        },
        {
            "action": "setParcelTrackingData",
            "parcelKey": "ART-1",
            "trackingData": {"trackingId": "NEW", "carrier": "DHL"},
        },
        {
            "action": "setParcelCustomType",
            "parcelKey": "ART-1",
            "type": TYPE_PARCEL,
            "fields": {"fluentTrackingUrl": "https://l/1"},
        },
        {
            "action": "setParcelCustomField",
            "parcelKey": "ART-3",
            "name": "fluentTrackingUrl",
            "value": "https://l/3",
        },
        {
            "action": "setDeliveryCustomType",
            "deliveryKey": "N-1001-F1",
            "type": TYPE_DELIVERY,
            "fields": {"fluentFulfilmentStatus": "SHIPPED"},
        },
    ]
    updated = converge(order, desired)
    assert updated.delivered_quantities() == {"li-1": 1}


def test_unknown_tracking_does_not_erase_known_tracking() -> None:
    order = make_order(
        deliveries=[
            existing_delivery(
                "D1",
                ("li-1", 1),
                parcels=[{"id": "p", "key": "P1", "trackingData": {"trackingId": "T"}}],
            )
        ]
    )
    desired = DesiredOrder(
        order_id="order-1",
        deliveries=(delivery("D1", ("li-1", 1), parcels=(ParcelDraft(key="P1"),)),),
    )

    assert build_order_actions(order, desired, POLICY) == []


def test_parcel_keys_are_unique_per_order() -> None:
    """A parcel already on another delivery is only updated; one parcel named by two new
    deliveries is added once."""
    order = make_order(
        lines=[line_item("li-1", quantity=4)],
        deliveries=[
            existing_delivery(
                "OLD", ("li-1", 1), parcels=[{"id": "p", "key": "P-OLD", "trackingData": {}}]
            )
        ],
    )
    tracked = TrackingData(tracking_id="T")
    desired = DesiredOrder(
        order_id="order-1",
        deliveries=(
            delivery(
                "D1",
                ("li-1", 1),
                parcels=(
                    ParcelDraft(key="P-OLD", tracking_data=tracked),
                    ParcelDraft(key="P-NEW"),
                ),
            ),
            delivery("D2", ("li-1", 1), parcels=(ParcelDraft(key="P-NEW"),)),
        ),
    )

    actions = wire(build_order_actions(order, desired, POLICY))

    assert [(a["action"], a.get("deliveryKey") or a.get("parcelKey")) for a in actions] == [
        ("addDelivery", "D1"),
        ("setParcelTrackingData", "P-OLD"),
        ("addDelivery", "D2"),
    ]
    assert [p["key"] for p in actions[0]["parcels"]] == ["P-NEW"]
    assert actions[2]["parcels"] == []
    converge(order, desired)


def test_repeated_desired_delivery_keys_are_refused() -> None:
    desired = DesiredOrder(
        order_id="order-1", deliveries=(delivery("D1", ("li-1", 1)), delivery("D1", ("li-1", 1)))
    )

    with pytest.raises(ValueError, match=r"repeat the keys \['D1'\]"):
        build_order_actions(make_order(), desired, POLICY)


def test_existing_delivery_fields_are_set_one_by_one() -> None:
    order = make_order(
        deliveries=[
            existing_delivery(
                "D1",
                ("li-1", 1),
                custom={
                    "type": {"typeId": "type", "id": "t"},
                    "fields": {"fluentFulfilmentStatus": "SHIPPED"},
                },
            )
        ]
    )
    desired = DesiredOrder(
        order_id="order-1",
        deliveries=(
            delivery(
                "D1",
                ("li-1", 1),
                fields={"fluentFulfilmentStatus": "COMPLETE", "fluentInvoiceRef": "INV"},
            ),
        ),
    )

    assert wire(build_order_actions(order, desired, POLICY)) == [
        {
            "action": "setDeliveryCustomField",
            "deliveryKey": "D1",
            "name": "fluentFulfilmentStatus",
            "value": "COMPLETE",
        },
        {
            "action": "setDeliveryCustomField",
            "deliveryKey": "D1",
            "name": "fluentInvoiceRef",
            "value": "INV",
        },
    ]
    converge(order, desired)


def test_line_item_fields_set_the_type_once_then_field_by_field() -> None:
    order = make_order(
        lines=[
            line_item("li-1"),
            line_item(
                "li-2",
                "SKU-2",
                custom={"type": {"typeId": "type", "id": "merchant"}, "fields": {"gift": True}},
            ),
            line_item("li-3", "SKU-3"),
        ]
    )
    desired = DesiredOrder(
        order_id="order-1",
        line_item_fields={
            "li-2": {"fulfilmentMetadata": "[2]"},
            "li-1": {"fulfilmentMetadata": "[1]"},
        },
    )

    assert wire(build_order_actions(order, desired, POLICY)) == [
        {
            "action": "setLineItemCustomType",
            "lineItemId": "li-1",
            "type": TYPE_LINE,
            "fields": {"fulfilmentMetadata": "[1]"},
        },
        {
            "action": "setLineItemCustomField",
            "lineItemId": "li-2",
            "name": "fulfilmentMetadata",
            "value": "[2]",
        },
    ]
    updated = converge(order, desired)
    assert updated.line_items[1].custom is not None
    assert updated.line_items[1].custom.fields == {"gift": True, "fulfilmentMetadata": "[2]"}


@pytest.mark.parametrize(
    ("sync_info", "channel", "expected"),
    [
        ([], None, 0),
        ([], "chan-1", 1),
        ([("chan-1", "F-1")], "chan-1", 0),
        ([("chan-1", "F-OLD")], "chan-1", 1),
        ([("chan-2", "F-1")], "chan-1", 1),
    ],
)
def test_sync_info_is_recorded_once_per_channel_and_external_id(
    sync_info: list[tuple[str, str]], channel: str | None, expected: int
) -> None:
    order = make_order(
        syncInfo=[
            {"channel": {"typeId": "channel", "id": c}, "externalId": e, "syncedAt": SYNCED_AT}
            for c, e in sync_info
        ]
    )
    desired = DesiredOrder(order_id="order-1", sync_channel_key="export", sync_external_id="F-1")

    actions = build_order_actions(order, desired, POLICY, sync_channel_id=channel)

    assert len(actions) == expected
    converge(order, desired, sync_channel_id=channel)


def test_nothing_is_recorded_as_exported_before_fluent_has_the_order() -> None:
    desired = DesiredOrder(order_id="order-1", sync_channel_key="export")

    assert build_order_actions(make_order(), desired, POLICY, sync_channel_id="chan-1") == []


def test_type_keys_are_configurable() -> None:
    policy = POLICY.model_copy(
        update={
            "order_type_key": "o",
            "delivery_type_key": "d",
            "line_item_type_key": "l",
            "parcel_type_key": "p",
        }
    )

    actions = wire(build_order_actions(make_order(), full_desired(), policy))

    assert actions[0]["type"]["key"] == "o"
    assert actions[3]["custom"]["type"]["key"] == "d"
    assert actions[3]["parcels"][0]["custom"]["type"]["key"] == "p"
    assert actions[4]["type"]["key"] == "l"


def test_cc_delivery_with_a_store_address_converges() -> None:
    desired = DesiredOrder(
        order_id="order-1",
        deliveries=(
            delivery("D1", ("li-1", 2), address=AddressDraft(country="DE", company="Shop")),
        ),
    )

    updated = converge(cc_order(), desired)

    assert updated.deliveries[0].address is not None
    assert updated.deliveries[0].address.company == "Shop"


@pytest.mark.parametrize(
    ("order", "desired", "message"),
    [
        (
            make_order(),
            DesiredOrder(order_id="order-2"),
            "desired state is for order order-2, not order-1",
        ),
        (
            make_order(),
            DesiredOrder(order_id="order-1", deliveries=(delivery("D1", ("li-9", 1)),)),
            r"delivery D1 names unknown line items \['li-9'\]",
        ),
        (
            make_order(),
            DesiredOrder(order_id="order-1", line_item_fields={"li-9": {"a": 1}}),
            r"unknown line items \['li-9'\]",
        ),
        (
            make_order(shippingInfo=None),
            DesiredOrder(order_id="order-1", deliveries=(delivery("D1", ("li-1", 1)),)),
            "has no shippingInfo",
        ),
        (
            make_order(),
            DesiredOrder(
                order_id="order-1",
                deliveries=(delivery("D1", ("li-1", 1), parcels=(ParcelDraft(),)),),
            ),
            "a parcel of delivery D1 has no key",
        ),
    ],
)
def test_inconsistent_desired_states_are_refused(
    order: Order, desired: DesiredOrder, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_order_actions(order, desired, POLICY)


def test_more_than_500_actions_are_refused() -> None:
    lines = [line_item(f"li-{n}", f"SKU-{n}", 1, tax_rate=None) for n in range(501)]
    desired = DesiredOrder(
        order_id="order-1",
        line_item_fields={f"li-{n}": {"fulfilmentMetadata": "[]"} for n in range(501)},
    )
    order = make_order(lines=lines)

    with pytest.raises(
        ValueError, match="needs 501 update actions; commercetools accepts at most 500"
    ):
        build_order_actions(order, desired, POLICY)
    assert (
        len(
            build_order_actions(
                order,
                desired.model_copy(
                    update={"line_item_fields": dict(list(desired.line_item_fields.items())[:500])}
                ),
                POLICY,
            )
        )
        == 500
    )


# --- properties over whole lifecycles ---------------------------------------------------------

ORDERED = {"li-1": 2, "li-2": 1, "li-3": 3}
FULFILMENT_STATUSES = [
    "CREATED",
    "PICK_PACK",
    "SHIPPED",
    "READY_FOR_COLLECTION",
    "COMPLETE",
    "REJECTED",
]
ORDER_STATUSES = [None, "RECEIVED", "BOOKED", "COMPLETE", "CANCELLED", "CUSTOM"]

fulfilment_state = st.tuples(
    st.integers(1, 4),  # which fulfilment
    st.sampled_from(sorted(ORDERED)),  # which line
    st.integers(0, 4),  # filled (may exceed the line)
    st.sampled_from(FULFILMENT_STATUSES),
    st.integers(0, 2),  # articles
    st.booleans(),  # invoiced
)
lifecycle_step = st.tuples(
    st.lists(fulfilment_state, max_size=6),
    st.sampled_from(ORDER_STATUSES),
    st.booleans(),  # an open issue
    st.integers(0, 3),  # tracking generation
)


def step_records(states: list[tuple[int, str, int, str, int, bool]]) -> list[FulfilmentRecord]:
    chosen: dict[int, dict[str, Any]] = {}
    for number, line, filled, status, _, invoiced in states:
        entry = chosen.setdefault(number, {"status": status, "lines": {}, "invoiced": invoiced})
        entry["lines"][line] = filled
    return [
        record(
            f"N-1001-F{number}",
            id=f"FF-{number}",
            status=entry["status"],
            lines=tuple((line, filled, filled, 0) for line, filled in entry["lines"].items()),
            invoice_ref=f"INV-N-1001-F{number}" if entry["invoiced"] else None,
        )
        for number, entry in sorted(chosen.items())
    ]


def step_details(
    records: list[FulfilmentRecord],
    states: list[tuple[int, str, int, str, int, bool]],
    tracking: int,
) -> Any:
    articles = {number: count for number, _, _, _, count, _ in states}
    return details(
        *(
            fulfilment(
                r.ref,
                fulfilment_id=r.id or "",
                status=r.status,
                items=tuple((ln.line_item_id, ln.requested, ln.filled, 0) for ln in r.lines),
                articles=tuple(
                    article(f"{r.ref}-ART-{k}", str(k), consignment(reference=f"T{tracking}-{k}"))
                    for k in range(articles[int(r.ref.rsplit("F", 1)[1])])
                ),
            )
            for r in records
        )
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(lifecycle_step, min_size=1, max_size=4),
    st.sampled_from(list(OrderType)),
    st.booleans(),
)
def test_any_lifecycle_converges_and_never_over_delivers(
    steps: list[tuple[Any, ...]], order_type: OrderType, cancelled: bool
) -> None:
    lines = [line_item(line, f"SKU-{line}", quantity) for line, quantity in ORDERED.items()]
    order = cc_order(lines=lines) if order_type is OrderType.CC else make_order(lines=lines)
    for states, fluent_status, has_issue, tracking in steps:
        records = step_records(states)
        status = OrderStatus(
            ct_order_id="order-1",
            order_type=order_type,
            stage=Stage.CANCELLED if cancelled else Stage.IN_FULFILMENT,
            fluent_order_ref="N-1001",
            fluent_order_id="F-ORDER-1",
            fluent_status=fluent_status,
            fulfilments=tuple(records),
            issues=(Issue(kind=IssueKind.STALLED, reason="stalled", at=AT),) if has_issue else (),
        )
        desired = desired_order(
            order=order,
            status=status,
            details=step_details(records, states, tracking),
            policy=POLICY,
            pickup=location("STORE-1"),
            sync_channel_key="export",
        )

        order = converge(order, desired, sync_channel_id="chan-1")

        delivered = order.delivered_quantities()
        assert all(delivered[line] <= quantity for line, quantity in ORDERED.items())
        assert set(delivered) <= set(ORDERED)
        keys = [d.key for d in order.deliveries]
        assert len(keys) == len(set(keys))
