"""The update actions convergence produces, held against the official commercetools OpenAPI
description as one `OrderUpdate` body: every action kind the builder emits, with real values."""

from __future__ import annotations

import pytest

from connector.commercetools.drafts import CustomFieldsDraft, ParcelDraft, TrackingData
from connector.mapping.deliveries import build_order_actions, desired_order
from connector.orders import Issue, IssueKind, OrderStatus, OrderType, Stage
from tests.conftest import reference_file
from tests.contract.openapi import OpenApiSpec, load_spec
from tests.unit.mapping.factories import (
    AT,
    POLICY,
    article,
    consignment,
    delivery,
    details,
    existing_delivery,
    fulfilment,
    location,
    make_order,
    record,
)

pytestmark = pytest.mark.contract


@pytest.fixture(scope="module")
def spec() -> OpenApiSpec:
    return load_spec(reference_file("commercetools-openapi.yaml"))


def test_a_first_sync_with_deliveries_matches_the_spec(spec: OpenApiSpec) -> None:
    shipped = record("N-1001-F1", id="FF-1", kind="CC_PICKUP", status="READY_FOR_COLLECTION")
    status = OrderStatus(
        ct_order_id="order-1",
        order_type=OrderType.CC,
        stage=Stage.IN_FULFILMENT,
        fluent_order_ref="N-1001",
        fluent_order_id="F-ORDER-1",
        fluent_status="AWAITING_CUSTOMER_COLLECTION",
        fulfilments=(shipped,),
        issues=(Issue(kind=IssueKind.STALLED, reason="late", at=AT),),
    )
    order = make_order(shipping_method="click-collect")  # CC by method: no custom type yet
    desired = desired_order(
        order=order,
        status=status,
        details=details(fulfilment("N-1001-F1", articles=(article("A-1", "1", consignment()),))),
        policy=POLICY,
        pickup=location("STORE-1"),
        sync_channel_key="export",
    )

    actions = build_order_actions(order, desired, POLICY, sync_channel_id="chan-1")

    assert {action.action for action in actions} == {
        "setCustomType",
        "changeOrderState",
        "changeShipmentState",
        "addDelivery",
        "setLineItemCustomType",
        "updateSyncInfo",
    }
    spec.validate("OrderUpdate", {"version": 3, "actions": [a.to_wire() for a in actions]})


def test_updates_of_existing_deliveries_and_fields_match_the_spec(spec: OpenApiSpec) -> None:
    custom = {"type": {"typeId": "type", "id": "t"}, "fields": {"fluentFulfilmentStatus": "X"}}
    order = make_order(
        custom_fields={"connectorIssue": "late"},
        deliveries=[
            existing_delivery(
                "D1",
                ("li-1", 1),
                parcels=[{"id": "p1", "key": "P1", "custom": custom}, {"id": "p2", "key": "P2"}],
                custom=custom,
            )
        ],
    )
    order = order.model_copy(
        update={
            "line_items": [
                order.line_items[0].model_copy(update={"custom": order.deliveries[0].custom})
            ]
        }
    )
    url = {"fluentTrackingUrl": "https://l"}
    desired = desired_order(
        order=order,
        status=OrderStatus(ct_order_id="order-1", fluent_status="COMPLETE"),
        details=None,
        policy=POLICY,
        pickup=None,
        sync_channel_key=None,
    ).model_copy(
        update={
            "deliveries": (
                delivery(
                    "D1",
                    ("li-1", 1),
                    parcels=(
                        ParcelDraft(
                            key="P1",
                            tracking_data=TrackingData(tracking_id="T"),
                            custom=CustomFieldsDraft.of_type("fluent-connector-parcel", url),
                        ),
                        ParcelDraft(
                            key="P2",
                            custom=CustomFieldsDraft.of_type("fluent-connector-parcel", url),
                        ),
                        ParcelDraft(key="P3"),
                    ),
                    fields={"fluentFulfilmentStatus": "COMPLETE"},
                ),
            ),
            "line_item_fields": {"li-1": {"fulfilmentMetadata": "[]"}},
        }
    )

    actions = build_order_actions(order, desired, POLICY)

    assert {action.action for action in actions} == {
        "setCustomField",
        "changeOrderState",
        "setParcelTrackingData",
        "setParcelCustomField",
        "setParcelCustomType",
        "addParcelToDelivery",
        "setDeliveryCustomField",
        "setLineItemCustomField",
    }
    spec.validate("OrderUpdate", {"version": 3, "actions": [a.to_wire() for a in actions]})
