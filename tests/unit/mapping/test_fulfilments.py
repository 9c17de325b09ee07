"""Sourcing input from Fluent, fulfilment inputs from plans, records from Fluent fulfilments,
and what to source again after rejections."""

from __future__ import annotations

from typing import Any

import pytest

from connector.fluent.models import CreateFulfilmentInput, EntityId, InventoryPosition, Location
from connector.mapping.fulfilments import (
    exclusions,
    fulfilment_inputs,
    fulfilment_ref,
    mark_resourced,
    merge_fulfilments,
    record_for,
    rejected_fulfilment_input,
    rejected_fulfilment_ref,
    rejected_lines,
    sourcing_candidates,
)
from connector.orders import FulfilmentLine, FulfilmentRecord, OrderType
from connector.sourcing import (
    Coordinates,
    OrderLine,
    PlannedFulfilment,
    PlannedItem,
    SourcingLocation,
    SourcingPlan,
    SourcingRequest,
    plan_sourcing,
)
from tests.unit.mapping.factories import (
    POLICY,
    details,
    fluent_order,
    fulfilment,
    location,
    record,
)

REJECTED_STATUSES = POLICY.rejected_statuses


def position(location_ref: str | None, sku: str, on_hand: int | None) -> InventoryPosition:
    return InventoryPosition(
        ref=f"{location_ref}:{sku}", product_ref=sku, location_ref=location_ref, on_hand=on_hand
    )


def planned(
    location_ref: str, kind: Any, *items: tuple[str, int], destination: str | None = None
) -> PlannedFulfilment:
    return PlannedFulfilment(
        location_ref=location_ref,
        kind=kind,
        items=tuple(
            PlannedItem(line_ref=line, sku=f"SKU-{line}", quantity=qty) for line, qty in items
        ),
        distance_km=1.0,
        destination_location_ref=destination,
    )


def plan(*fulfilments: PlannedFulfilment) -> SourcingPlan:
    return SourcingPlan(fulfilments=fulfilments, unfillable=(), optimal=True)


def by_ref(*locations: Location) -> dict[str, Location]:
    return {loc.ref: loc for loc in locations}


# --- sourcing candidates ----------------------------------------------------------------------


def test_sourcing_candidates_sum_stock_and_read_status_and_coordinates() -> None:
    locations = [
        location("A", latitude=52.5, longitude=13.4),
        location("B", status="INACTIVE", latitude=None),
        location("C", latitude=200.0, longitude=13.4),
        location("D", latitude=float("nan"), longitude=1.0),
    ]
    positions = [
        position("A", "SKU-1", 5),
        position("A", "SKU-1", 3),
        position("A", "SKU-2", None),
        position("B", "SKU-1", 2),
        position("C", "SKU-1", -4),
        position("X", "SKU-1", 100),  # not a location of the network
        position(None, "SKU-1", 100),
    ]

    assert sourcing_candidates(locations, positions) == (
        SourcingLocation(
            ref="A",
            coordinates=Coordinates(latitude=52.5, longitude=13.4),
            active=True,
            stock={"SKU-1": 8, "SKU-2": 0},
        ),
        SourcingLocation(ref="B", coordinates=None, active=False, stock={"SKU-1": 2}),
        SourcingLocation(ref="C", coordinates=None, active=True, stock={"SKU-1": -4}),
        SourcingLocation(ref="D", coordinates=None, active=True, stock={}),
    )


# --- refs -------------------------------------------------------------------------------------


def test_fulfilment_refs_number_from_one() -> None:
    assert fulfilment_ref("N-1001", 1) == "N-1001-F1"
    assert rejected_fulfilment_ref("N-1001", 12) == "N-1001-R12"
    with pytest.raises(ValueError, match="start at 1, got 0"):
        fulfilment_ref("N-1001", 0)
    with pytest.raises(ValueError, match="start at 1, got -1"):
        rejected_fulfilment_ref("N-1001", -1)


# --- fulfilments to create --------------------------------------------------------------------


def test_hd_fulfilments_from_a_store_and_a_warehouse() -> None:
    order = fluent_order(line_refs=("a", "b"))
    locations = by_ref(location("STORE"), location("DC", type="WAREHOUSE"))

    inputs = fulfilment_inputs(
        plan(planned("DC", "HD", ("a", 2), ("b", 1)), planned("STORE", "HD", ("b", 1))),
        order=order,
        locations=locations,
        first_sequence=3,
    )

    assert [i.to_variables() for i in inputs] == [
        {
            "ref": "N-1001-F3",
            "type": "HD_PFDC",
            "order": {"id": "F-ORDER-1"},
            "deliveryType": "EXPRESS",
            "fromAddress": {"id": "addr-DC"},
            "toAddress": {"id": "addr-DA"},
            "items": [
                {
                    "ref": "N-1001-F3-1",
                    "orderItem": {"id": "oi-a"},
                    "requestedQuantity": 2,
                    "filledQuantity": 0,
                    "rejectedQuantity": 0,
                },
                {
                    "ref": "N-1001-F3-2",
                    "orderItem": {"id": "oi-b"},
                    "requestedQuantity": 1,
                    "filledQuantity": 0,
                    "rejectedQuantity": 0,
                },
            ],
            "attributes": [
                {"name": "sourcingKind", "type": "STRING", "value": "HD"},
                {"name": "sourcingLocationRef", "type": "STRING", "value": "DC"},
            ],
        },
        {
            "ref": "N-1001-F4",
            "type": "HD_PFS",
            "order": {"id": "F-ORDER-1"},
            "deliveryType": "EXPRESS",
            "fromAddress": {"id": "addr-STORE"},
            "toAddress": {"id": "addr-DA"},
            "items": [
                {
                    "ref": "N-1001-F4-1",
                    "orderItem": {"id": "oi-b"},
                    "requestedQuantity": 1,
                    "filledQuantity": 0,
                    "rejectedQuantity": 0,
                }
            ],
            "attributes": [
                {"name": "sourcingKind", "type": "STRING", "value": "HD"},
                {"name": "sourcingLocationRef", "type": "STRING", "value": "STORE"},
            ],
        },
    ]


def test_cc_fulfilments_go_to_the_pickup_location() -> None:
    order = fluent_order(order_type="CC", line_refs=("a",), pickup="PICKUP")
    locations = by_ref(
        location("PICKUP"), location("DC", type="WAREHOUSE"), location("OTHER-STORE")
    )

    inputs = fulfilment_inputs(
        plan(
            planned("PICKUP", "CC_PICKUP", ("a", 1), destination="PICKUP"),
            planned("DC", "CC_TRANSFER", ("a", 1), destination="PICKUP"),
            planned("OTHER-STORE", "CC_TRANSFER", ("a", 1), destination="PICKUP"),
        ),
        order=order,
        locations=locations,
        first_sequence=1,
    )

    assert [
        (i.ref, i.type, i.from_address, i.to_address, i.to_variables()["attributes"][0]["value"])
        for i in inputs
    ] == [
        (
            "N-1001-F1",
            "CC_PFS",
            EntityId(id="addr-PICKUP"),
            EntityId(id="addr-PICKUP"),
            "CC_PICKUP",
        ),
        ("N-1001-F2", "CC_PFDC", EntityId(id="addr-DC"), EntityId(id="addr-PICKUP"), "CC_TRANSFER"),
        (
            "N-1001-F3",
            "CC_PFS",
            EntityId(id="addr-OTHER-STORE"),
            EntityId(id="addr-PICKUP"),
            "CC_TRANSFER",
        ),
    ]


def test_a_cc_fulfilment_without_destination_uses_the_order_pickup_location() -> None:
    order = fluent_order(order_type="CC", pickup="PICKUP")

    [created] = fulfilment_inputs(
        plan(planned("DC", "CC_TRANSFER", ("li-1", 1))),
        order=order,
        locations=by_ref(location("PICKUP"), location("DC")),
        first_sequence=1,
    )

    assert created.to_address is not None
    assert created.to_address.id == "addr-PICKUP"


@pytest.mark.parametrize(
    ("kwargs", "planned_fulfilment", "locations", "message"),
    [
        ({}, planned("NOWHERE", "HD", ("li-1", 1)), ("A",), "location NOWHERE is not among"),
        ({}, planned("A", "HD", ("li-9", 1)), ("A",), "has no item with ref li-9"),
        (
            {"delivery_address_id": None},
            planned("A", "HD", ("li-1", 1)),
            ("A",),
            "has no delivery address id",
        ),
        ({"ref": None}, planned("A", "HD", ("li-1", 1)), ("A",), "has no ref"),
        (
            {"order_type": "CC"},
            planned("A", "CC_TRANSFER", ("li-1", 1)),
            ("A",),
            "has no pickup location ref",
        ),
        (
            {"order_type": "CC", "pickup": "P"},
            planned("A", "CC_TRANSFER", ("li-1", 1)),
            ("A",),
            "location P is not among",
        ),
    ],
)
def test_fulfilment_inputs_refuse_what_they_cannot_link(
    kwargs: dict[str, Any],
    planned_fulfilment: PlannedFulfilment,
    locations: tuple[str, ...],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        fulfilment_inputs(
            plan(planned_fulfilment),
            order=fluent_order(**kwargs),
            locations=by_ref(*(location(ref) for ref in locations)),
            first_sequence=1,
        )


def test_a_location_without_a_primary_address_id_is_refused() -> None:
    with pytest.raises(ValueError, match="location A \\(fulfilling location\\) has no primary"):
        fulfilment_inputs(
            plan(planned("A", "HD", ("li-1", 1))),
            order=fluent_order(),
            locations=by_ref(location("A", address_id="")),
            first_sequence=1,
        )


def test_plan_from_fluent_data_end_to_end() -> None:
    """Fluent locations and positions -> candidates -> plan -> fulfilments that validate."""
    locations = [
        location("NEAR", latitude=52.52, longitude=13.40),
        location("FAR", type="WAREHOUSE", latitude=48.14, longitude=11.58),
    ]
    positions = [position("NEAR", "SKU-1", 1), position("FAR", "SKU-1", 10)]
    request = SourcingRequest(
        order_type="HD",
        lines=(OrderLine(ref="li-1", sku="SKU-1", quantity=3),),
        destination=Coordinates(latitude=52.5, longitude=13.4),
    )

    sourced = plan_sourcing(request, sourcing_candidates(locations, positions))
    inputs = fulfilment_inputs(
        sourced, order=fluent_order(), locations=by_ref(*locations), first_sequence=1
    )

    assert [(i.ref, i.type, i.from_address) for i in inputs] == [
        ("N-1001-F1", "HD_PFDC", EntityId(id="addr-FAR"))
    ]
    assert CreateFulfilmentInput.model_validate(inputs[0].to_variables()) == inputs[0]


def test_rejected_fulfilment_requests_and_rejects_everything() -> None:
    items = [PlannedItem(line_ref="li-1", sku="SKU-1", quantity=2)]

    created = rejected_fulfilment_input(items, order=fluent_order(), ref="N-1001-R1")

    assert created.to_variables() == {
        "ref": "N-1001-R1",
        "type": "HD_PFS",
        "order": {"id": "F-ORDER-1"},
        "deliveryType": "EXPRESS",
        "items": [
            {
                "ref": "N-1001-R1-1",
                "orderItem": {"id": "oi-li-1"},
                "requestedQuantity": 2,
                "filledQuantity": 0,
                "rejectedQuantity": 2,
            }
        ],
        "attributes": [{"name": "sourcingKind", "type": "STRING", "value": "REJECTED"}],
    }


def test_rejected_fulfilment_type_follows_the_order_type() -> None:
    items = [PlannedItem(line_ref="li-1", sku="SKU-1", quantity=1)]
    cc = fluent_order(order_type="CC", pickup="P")

    assert rejected_fulfilment_input(items, order=cc, ref="R").type == "CC_PFS"
    with pytest.raises(ValueError, match="unsupported type MIXED"):
        rejected_fulfilment_input(items, order=cc.model_copy(update={"type": "MIXED"}), ref="R")
    with pytest.raises(ValueError, match="at least one item"):
        rejected_fulfilment_input([], order=cc, ref="R")


# --- records from Fluent ----------------------------------------------------------------------


def test_record_reads_lines_location_status_and_declared_kind() -> None:
    fluent = fulfilment(
        status="PARTIALLY_FULFILLED",
        location_ref="DC",
        kind="CC_TRANSFER",
        items=(("li-1", 2, 1, 1), ("li-2", 1, 1, 0), ("li-1", 1, 1, 0)),
    )

    made = record_for(
        fluent,
        order_type=OrderType.CC,
        pickup_location_ref="DC",
        location_names={"DC": "Central warehouse"},
        skus={"li-1": "SKU-1"},
    )

    assert made == FulfilmentRecord(
        ref="N-1001-F1",
        id="FF-1",
        kind="CC_TRANSFER",  # declared, although it ships from the pickup location
        location_ref="DC",
        location_name="Central warehouse",
        status="PARTIALLY_FULFILLED",
        lines=(
            FulfilmentLine(line_item_id="li-1", sku="SKU-1", requested=3, filled=2, rejected=1),
            FulfilmentLine(line_item_id="li-2", sku="", requested=1, filled=1, rejected=0),
        ),
    )


@pytest.mark.parametrize(
    ("order_type", "pickup", "from_ref", "declared", "expected"),
    [
        (OrderType.HD, None, "A", None, "HD"),
        (OrderType.CC, "A", "A", None, "CC_PICKUP"),
        (OrderType.CC, "A", "B", None, "CC_TRANSFER"),
        (OrderType.CC, None, "B", None, "CC_TRANSFER"),
        (OrderType.HD, None, "A", "REJECTED", "REJECTED"),
        (OrderType.HD, None, "A", "SOMETHING", "HD"),
    ],
)
def test_record_kind_is_declared_or_inferred(
    order_type: OrderType, pickup: str | None, from_ref: str, declared: str | None, expected: str
) -> None:
    fluent = fulfilment(location_ref=from_ref, kind=declared)

    made = record_for(fluent, order_type=order_type, pickup_location_ref=pickup, location_names={})

    assert made.kind == expected


def test_record_falls_back_to_address_name_fluent_id_and_filled_plus_rejected() -> None:
    fluent = fulfilment(ref=None, fulfilment_id="FF-7", address_name="Shop Mitte")
    fluent = fluent.model_copy(
        update={"items": [fluent.items[0].model_copy(update={"requested_quantity": None})]}
    )

    made = record_for(fluent, order_type=OrderType.HD, pickup_location_ref=None, location_names={})

    assert (made.ref, made.location_name) == ("FF-7", "Shop Mitte")
    assert made.lines[0].requested == 2


def test_record_without_from_address_has_no_location() -> None:
    made = record_for(
        fulfilment(location_ref=None),
        order_type=OrderType.HD,
        pickup_location_ref=None,
        location_names={},
    )

    assert (made.location_ref, made.location_name) == (None, None)


def test_record_refuses_an_item_without_order_item_ref() -> None:
    fluent = fulfilment()
    item = fluent.items[0].model_copy(update={"order_item_ref": None})

    with pytest.raises(ValueError, match="names no order item ref"):
        record_for(
            fluent.model_copy(update={"items": [item]}),
            order_type=OrderType.HD,
            pickup_location_ref=None,
            location_names={},
        )


def test_merge_refreshes_known_records_and_appends_fluent_only_ones_by_ref() -> None:
    known = record(
        "N-1001-F1",
        status="PICK_PACK",
        lines=(("li-1", 2, 0, 0),),
        invoice_ref="INV-N-1001-F1",
        resourced=True,
        kind="CC_TRANSFER",
        location_ref=None,
        location_name=None,
    )
    untouched = record("N-1001-F2", status="CREATED")
    fluent = details(
        fulfilment("N-1001-F1", status="SHIPPED", location_ref="DC", kind="HD"),
        fulfilment("Z-9", fulfilment_id="FF-9", status="CREATED", items=(("li-2", 1, 0, 0),)),
        fulfilment("A-5", fulfilment_id="FF-5", status="CREATED"),
        line_skus={"li-1": "SKU-1", "li-2": "SKU-2"},
    )

    merged = merge_fulfilments(
        [known, untouched],
        fluent,
        order_type=OrderType.HD,
        pickup_location_ref=None,
        location_names={"DC": "Warehouse"},
    )

    assert [r.ref for r in merged] == ["N-1001-F1", "N-1001-F2", "A-5", "Z-9"]
    refreshed = merged[0]
    assert (refreshed.id, refreshed.status, refreshed.kind) == ("FF-1", "SHIPPED", "CC_TRANSFER")
    assert (refreshed.invoice_ref, refreshed.resourced) == ("INV-N-1001-F1", True)
    assert (refreshed.location_ref, refreshed.location_name) == ("DC", "Warehouse")
    assert refreshed.lines == (
        FulfilmentLine(line_item_id="li-1", sku="SKU-1", requested=2, filled=2, rejected=0),
    )
    assert merged[1] is untouched
    assert merged[3].lines[0].sku == "SKU-2"


def test_merge_matches_by_id_and_keeps_record_skus_fluent_does_not_list() -> None:
    known = record("N-1001-F1", status="CREATED", sku="SKU-OWN", id="FF-1")
    fluent = details(fulfilment("renamed", status="SHIPPED"), line_skus={})

    [merged] = merge_fulfilments(
        [known], fluent, order_type=OrderType.HD, pickup_location_ref=None, location_names={}
    )

    assert (merged.ref, merged.status, merged.lines[0].sku) == ("N-1001-F1", "SHIPPED", "SKU-OWN")


# --- re-sourcing ------------------------------------------------------------------------------


def rejection_history() -> list[FulfilmentRecord]:
    return [
        record("F1", status="REJECTED", location_ref="A", lines=(("li-1", 2, 0, 2),)),
        record(
            "F2",
            status="PARTIALLY_FULFILLED",
            location_ref="B",
            lines=(("li-2", 3, 1, 2), ("li-1", 1, 0, 1)),
            sku="SKU-1",
        ),
        # Already handed to a new attempt: not sourced again, but still excluded.
        record(
            "F3", status="REJECTED", location_ref="C", resourced=True, lines=(("li-1", 1, 0, 1),)
        ),
        record(
            "R1",
            status="SYSTEM_REJECTED",
            kind="REJECTED",
            location_ref=None,
            lines=(("li-3", 1, 0, 1),),
        ),
        record("F4", status="SHIPPED", location_ref="D"),
        # Fluent closed it without counting rejected units: the unfilled ones count.
        record("F5", status="REJECTED", location_ref="E", lines=(("li-4", 2, 0, 0),)),
        # Partly rejected, then shipped before the workflow saw PARTIALLY_FULFILLED.
        record("F6", status="SHIPPED", location_ref="F", lines=(("li-5", 3, 2, 1),)),
    ]


def test_rejected_lines_sum_never_filled_units_per_line_in_first_seen_order() -> None:
    assert rejected_lines(rejection_history(), REJECTED_STATUSES) == (
        OrderLine(ref="li-1", sku="SKU-1", quantity=3),
        OrderLine(ref="li-2", sku="SKU-1", quantity=2),
        OrderLine(ref="li-4", sku="SKU-1", quantity=2),
        OrderLine(ref="li-5", sku="SKU-1", quantity=1),
    )


def test_rejected_statuses_decide_when_unfilled_units_count() -> None:
    assert rejected_lines(rejection_history(), []) == (
        OrderLine(ref="li-1", sku="SKU-1", quantity=3),
        OrderLine(ref="li-2", sku="SKU-1", quantity=2),
        OrderLine(ref="li-5", sku="SKU-1", quantity=1),
    )


def test_mark_resourced_flags_exactly_the_records_rejected_lines_took() -> None:
    history = rejection_history()

    marked = mark_resourced(history, REJECTED_STATUSES)

    assert [r.ref for r in marked if r.resourced] == ["F1", "F2", "F3", "F5", "F6"]
    assert [r.model_copy(update={"resourced": False}) for r in marked] == [
        r.model_copy(update={"resourced": False}) for r in history
    ]
    assert rejected_lines(marked, REJECTED_STATUSES) == ()
    partly = mark_resourced(history, [])
    assert rejected_lines(partly, REJECTED_STATUSES) == (
        OrderLine(ref="li-4", sku="SKU-1", quantity=2),
    )


def test_rejected_lines_need_skus() -> None:
    records = [record("F1", status="REJECTED", lines=(("li-1", 2, 0, 2),), sku="")]

    with pytest.raises(ValueError, match="line item li-1 of fulfilment F1 has no SKU"):
        rejected_lines(records, REJECTED_STATUSES)


def test_exclusions_are_locations_that_rejected_something() -> None:
    history = rejection_history()

    assert exclusions(history) == frozenset({"A", "B", "C", "F"})
    assert exclusions(history, REJECTED_STATUSES) == frozenset({"A", "B", "C", "E", "F"})
    assert exclusions([record("F1", status="SHIPPED")], REJECTED_STATUSES) == frozenset()
