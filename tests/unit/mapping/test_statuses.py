"""Fluent statuses -> commercetools order state and shipment state."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.config import OrderPolicy
from connector.mapping.statuses import (
    ct_order_state,
    delivered_quantities,
    handed_over_statuses,
    shipment_state,
    shipped_quantities,
)
from connector.orders import FulfilmentRecord, OrderType
from tests.unit.mapping.factories import POLICY, record

ORDERED = {"li-1": 2, "li-2": 1}


@pytest.mark.parametrize(
    ("fluent_status", "expected"),
    [
        ("CREATED", "Open"),
        ("ESCALATED", "Open"),
        ("BOOKED", "Confirmed"),
        ("AWAITING_CUSTOMER_COLLECTION", "Confirmed"),
        ("COMPLETE", "Complete"),
        ("CANCELLED", "Cancelled"),
        ("SOMETHING_CUSTOM", None),
        ("complete", None),
        (None, None),
    ],
)
def test_ct_order_state_follows_the_mapping(
    fluent_status: str | None, expected: str | None
) -> None:
    assert ct_order_state(fluent_status, POLICY) == expected


def test_order_status_mapping_is_configurable() -> None:
    policy = POLICY.model_copy(update={"order_status_mapping": {"SOMETHING_CUSTOM": "Confirmed"}})

    assert ct_order_state("SOMETHING_CUSTOM", policy) == "Confirmed"
    assert ct_order_state("COMPLETE", policy) is None


def test_handed_over_statuses_per_order_type() -> None:
    assert handed_over_statuses(OrderType.HD, POLICY) == {
        "SHIPPED",
        "COMPLETE",
        "DELIVERED",
        "COLLECTED",
    }
    assert handed_over_statuses(OrderType.CC, POLICY) == {
        "READY_FOR_COLLECTION",
        "COMPLETE",
        "DELIVERED",
        "COLLECTED",
    }


def history() -> list[FulfilmentRecord]:
    return [
        record("F1", status="SHIPPED", lines=(("li-1", 1, 1, 0),)),
        record("F2", status="COMPLETE", lines=(("li-1", 1, 1, 0), ("li-2", 1, 0, 1))),
        record("F3", status="READY_FOR_COLLECTION", lines=(("li-2", 1, 1, 0),)),
        record("F4", status="PICK_PACK", lines=(("li-2", 1, 1, 0),)),
        record("F5", status=None, lines=(("li-2", 1, 1, 0),)),
    ]


def test_shipped_and_delivered_quantities_count_filled_units() -> None:
    assert shipped_quantities(history(), OrderType.HD, POLICY) == Counter({"li-1": 2})
    assert shipped_quantities(history(), OrderType.CC, POLICY) == Counter({"li-1": 1, "li-2": 1})
    assert delivered_quantities(history(), POLICY) == Counter({"li-1": 1})


def test_delivery_statuses_are_configurable() -> None:
    policy = POLICY.model_copy(
        update={
            "hd_delivery_statuses": ["PICK_PACK"],
            "cc_delivery_statuses": [],
            "delivered_statuses": ["SHIPPED"],
        }
    )

    assert shipped_quantities(history(), OrderType.HD, policy) == Counter({"li-1": 1, "li-2": 1})
    assert shipped_quantities(history(), OrderType.CC, policy) == Counter({"li-1": 1})
    assert delivered_quantities(history(), policy) == Counter({"li-1": 1})


def state(
    records: list[FulfilmentRecord],
    order_type: OrderType = OrderType.HD,
    *,
    cancelled: bool = False,
    ordered: dict[str, int] | None = None,
    policy: OrderPolicy = POLICY,
) -> str | None:
    return shipment_state(
        order_type, records, ORDERED if ordered is None else ordered, policy, cancelled=cancelled
    )


@pytest.mark.parametrize(
    ("records", "order_type", "cancelled", "expected"),
    [
        ([], OrderType.HD, False, None),
        ([record("F1", status="PICK_PACK", lines=(("li-1", 2, 2, 0),))], OrderType.HD, False, None),
        ([], OrderType.HD, True, "Canceled"),
        (
            [record("F1", status="SHIPPED", lines=(("li-1", 2, 1, 0),))],
            OrderType.HD,
            False,
            "Partial",
        ),
        (
            [record("F1", status="SHIPPED", lines=(("li-1", 2, 2, 0),))],
            OrderType.HD,
            False,
            "Partial",
        ),
        (
            [record("F1", status="SHIPPED", lines=(("li-1", 2, 2, 0), ("li-2", 1, 1, 0)))],
            OrderType.HD,
            False,
            "Shipped",
        ),
        (
            [
                record(
                    "F1",
                    status="READY_FOR_COLLECTION",
                    lines=(("li-1", 2, 2, 0), ("li-2", 1, 1, 0)),
                )
            ],
            OrderType.CC,
            False,
            "Ready",
        ),
        (
            # shipped, then the rest cancelled: the cancellation does not hide the shipment
            [record("F1", status="SHIPPED", lines=(("li-1", 2, 2, 0),))],
            OrderType.HD,
            True,
            "Partial",
        ),
        (
            [
                record("F1", status="COMPLETE", lines=(("li-1", 2, 2, 0),)),
                record("F2", status="DELIVERED", lines=(("li-2", 1, 1, 0),)),
            ],
            OrderType.HD,
            False,
            "Delivered",
        ),
        (
            [
                record("F1", status="COMPLETE", lines=(("li-1", 2, 2, 0),)),
                record("F2", status="SHIPPED", lines=(("li-2", 1, 1, 0),)),
            ],
            OrderType.HD,
            False,
            "Shipped",
        ),
    ],
)
def test_shipment_state(
    records: list[FulfilmentRecord], order_type: OrderType, cancelled: bool, expected: str | None
) -> None:
    assert state(records, order_type, cancelled=cancelled) == expected


def test_over_filled_lines_do_not_complete_other_lines() -> None:
    """li-1 over-filled by 5 cannot stand in for the missing li-2."""
    records = [
        record("F1", status="COMPLETE", lines=(("li-1", 7, 7, 0),)),
        record("F2", status="COMPLETE", lines=(("li-x", 1, 1, 0),)),
    ]

    assert state(records) == "Partial"


def test_lines_ordered_zero_times_or_unknown_do_not_count() -> None:
    records = [record("F1", status="COMPLETE", lines=(("li-1", 1, 1, 0),))]

    assert state(records, ordered={"li-1": 1, "li-0": 0}) == "Delivered"
    assert state(records, ordered={}) is None
    assert state(records, ordered={}, cancelled=True) == "Canceled"


def test_shipment_state_uses_the_configured_statuses() -> None:
    records = [record("F1", status="DISPATCHED", lines=(("li-1", 2, 2, 0), ("li-2", 1, 1, 0)))]
    policy = POLICY.model_copy(update={"hd_delivery_statuses": ["DISPATCHED"]})

    assert state(records) is None
    assert state(records, policy=policy) == "Shipped"


STATUS_RANK = ["PICK_PACK", "SHIPPED", "COMPLETE"]
SHIPMENT_RANK: list[str | None] = [None, "Partial", "Shipped", "Delivered"]

progress = st.lists(
    st.tuples(st.sampled_from(["li-1", "li-2", "li-3"]), st.integers(0, 4), st.integers(0, 2)),
    max_size=6,
)


def records_of(steps: list[tuple[str, int, int]]) -> list[FulfilmentRecord]:
    return [
        record(f"F{n}", status=STATUS_RANK[rank], lines=((line, filled, filled, 0),))
        for n, (line, filled, rank) in enumerate(steps)
    ]


@given(progress, st.data())
def test_shipment_state_is_monotone_in_what_is_shipped(
    steps: list[tuple[str, int, int]], data: Any
) -> None:
    """Moving any fulfilment further (more filled, or a later status) never moves the shipment
    state back."""
    ordered = {"li-1": 3, "li-2": 2, "li-3": 1}
    before = shipment_state(OrderType.HD, records_of(steps), ordered, POLICY, cancelled=False)
    if not steps:
        return
    index = data.draw(st.integers(0, len(steps) - 1))
    line, filled, rank = steps[index]
    advanced = list(steps)
    advanced[index] = (
        line,
        filled + data.draw(st.integers(0, 3)),
        min(2, rank + data.draw(st.integers(0, 2))),
    )
    after = shipment_state(OrderType.HD, records_of(advanced), ordered, POLICY, cancelled=False)

    assert SHIPMENT_RANK.index(after) >= SHIPMENT_RANK.index(before)
