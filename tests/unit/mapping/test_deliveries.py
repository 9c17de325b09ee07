"""Keys, pickup addresses, parcels and the desired commercetools order."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from connector.commercetools.drafts import (
    AddressDraft,
    CustomFieldsDraft,
    DeliveryItem,
    ParcelDraft,
    TrackingData,
)
from connector.mapping.deliveries import desired_order, item_key, parcels_for, pickup_address
from connector.orders import (
    DesiredDelivery,
    DesiredOrder,
    Issue,
    IssueKind,
    OrderStatus,
    OrderType,
    Stage,
)
from tests.unit.mapping.factories import (
    AT,
    POLICY,
    article,
    cc_order,
    consignment,
    details,
    fulfilment,
    line_item,
    location,
    make_order,
    record,
)

KEY = re.compile(r"[A-Za-z0-9_-]{2,256}")


# --- item_key ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["N-1001-F1", "ab", "a" * 256, "0b7e6a1c-uuid_like-9f"])
def test_valid_refs_are_their_own_keys(ref: str) -> None:
    assert item_key(ref) == ref


@pytest.mark.parametrize(
    ("ref", "readable"),
    [
        ("a", "a"),
        ("", ""),
        ("N 1001/F1", "N-1001-F1"),
        ("Küche#1", "K-che-1"),
        ("x" * 300, "x" * 239),
    ],
)
def test_other_refs_get_a_readable_part_and_a_hash(ref: str, readable: str) -> None:
    key = item_key(ref)

    assert KEY.fullmatch(key)
    assert re.fullmatch(re.escape(readable) + r"_[0-9a-f]{16}", key)


def test_refs_that_sanitise_alike_keep_distinct_keys() -> None:
    keys = {item_key(ref) for ref in ("a b", "a/b", "a-b", "a" * 257, "a" * 258)}

    assert len(keys) == 5


@given(st.text(max_size=400))
def test_item_key_is_a_valid_idempotent_key(ref: str) -> None:
    key = item_key(ref)

    assert KEY.fullmatch(key)
    assert item_key(key) == key


@given(st.text(max_size=300), st.text(max_size=300))
def test_distinct_refs_stay_distinct(first: str, second: str) -> None:
    assume(first != second)

    assert item_key(first) != item_key(second)


# --- pickup address -----------------------------------------------------------------------------


def test_pickup_address_is_the_store() -> None:
    store = location("STORE-1", name="Shop Mitte", country="de")

    assert pickup_address(store) == AddressDraft(
        country="DE",
        company="Shop Mitte",
        street_name="Alexanderplatz 1",
        postal_code="10178",
        city="Berlin",
        state="Berlin",
        phone="+49 30 999",
    )


def test_a_country_name_falls_back_to_the_order_country_and_is_kept() -> None:
    store = location("STORE-1", country="Australia")

    address = pickup_address(store, default_country="au")

    assert (address.country, address.additional_address_info) == ("AU", "country: Australia")
    assert pickup_address(location("S", country=None), default_country="DE").country == "DE"


@pytest.mark.parametrize(
    ("country", "default"), [("DEU", None), (None, None), ("", "DEU"), ("Germany", " ")]
)
def test_pickup_address_needs_a_country_code_somewhere(
    country: str | None, default: str | None
) -> None:
    with pytest.raises(ValueError, match="not a two-letter code, and the order gives no country"):
        pickup_address(location("S", country=country), default_country=default)


def test_pickup_address_needs_a_primary_address() -> None:
    with pytest.raises(ValueError, match="pickup location S has no primary address"):
        pickup_address(location("S").model_copy(update={"primary_address": None}))


# --- parcels ----------------------------------------------------------------------------------


def test_one_article_is_one_parcel_with_tracking_url_and_all_filled_items() -> None:
    fluent = fulfilment(articles=(article("ART-1", "1", consignment()),))
    shipped = record(lines=(("li-1", 2, 2, 0), ("li-2", 1, 0, 1)))

    assert parcels_for(fluent, shipped, POLICY) == (
        ParcelDraft(
            key="ART-1",
            tracking_data=TrackingData(tracking_id="TRACK-1", carrier="DHL"),
            items=[DeliveryItem(id="li-1", quantity=2)],
            custom=CustomFieldsDraft.of_type(
                "fluent-connector-parcel",
                {"fluentTrackingUrl": "https://carrier.example/label/1"},
            ),
        ),
    )


def test_several_articles_are_sorted_parcels_without_items() -> None:
    fluent = fulfilment(
        articles=(
            article("B/2", "2", consignment(reference=None, carrier_name=None, label_url=None)),
            article(None, "7"),
            article("A-1", "1", consignment(), consignment(reference="SECOND")),
        )
    )

    parcels = parcels_for(fluent, record(), POLICY)

    assert [p.key for p in parcels] == ["A-1", item_key("B/2"), "N-1001-F1-A7"]
    first, second, third = parcels
    assert first.tracking_data == TrackingData(tracking_id="TRACK-1", carrier="DHL")
    assert second.tracking_data == TrackingData(tracking_id="LABEL-1", carrier="dhl")
    assert third.tracking_data is None
    assert all(parcel.items == [] for parcel in parcels)
    assert second.custom == CustomFieldsDraft.of_type("fluent-connector-parcel")
    assert third.custom == CustomFieldsDraft.of_type("fluent-connector-parcel")


def test_parcel_type_key_is_configurable_and_keys_fall_back_to_the_record_ref() -> None:
    policy = POLICY.model_copy(update={"parcel_type_key": "my-parcel"})
    fluent = fulfilment(ref=None, articles=(article(None, "3"),))

    [parcel] = parcels_for(fluent, record("N-1001-F9"), policy)

    assert parcel.key == "N-1001-F9-A3"
    assert parcel.custom is not None
    assert parcel.custom.type.key == "my-parcel"


def test_articles_with_one_key_are_refused() -> None:
    fluent = fulfilment(articles=(article("ART", "1"), article("ART", "2")))

    with pytest.raises(ValueError, match="two articles with parcel key ART"):
        parcels_for(fluent, record(), POLICY)


# --- desired order ----------------------------------------------------------------------------


def status(**overrides: Any) -> OrderStatus:
    values: dict[str, Any] = {
        "ct_order_id": "order-1",
        "order_type": OrderType.HD,
        "stage": Stage.IN_FULFILMENT,
        "fluent_order_ref": "N-1001",
        "fluent_order_id": "F-ORDER-1",
        "fluent_status": "PICK_PACK",
        **overrides,
    }
    return OrderStatus(**values)


def test_desired_order_for_a_home_delivery_in_full() -> None:
    order = make_order(lines=[line_item("li-1"), line_item("li-2", "SKU-2", quantity=1)])
    shipped = record(
        "N-1001-F1",
        id="FF-1",
        status="SHIPPED",
        location_name="Lager Süd",
        lines=(("li-1", 2, 2, 0),),
        invoice_ref="INV-N-1001-F1",
    )
    picking = record(
        "N-1001-F2",
        status="PICK_PACK",
        location_ref="B",
        location_name=None,
        lines=(("li-2", 1, 0, 0),),
    )
    nothing = record("N-1001-F3", status="SHIPPED", lines=(("li-2", 1, 0, 1),))
    issue = Issue(kind=IssueKind.STALLED, reason="no news for 7 days", at=AT)
    current = status(fulfilments=(shipped, picking, nothing), issues=(issue,))
    fluent = details(fulfilment("N-1001-F1", articles=(article("ART-1", "1", consignment()),)))

    desired = desired_order(
        order=order,
        status=current,
        details=fluent,
        policy=POLICY,
        pickup=None,
        sync_channel_key="fluent-export",
    )

    assert desired == DesiredOrder(
        order_id="order-1",
        order_fields={
            "fluentOrderRef": "N-1001",
            "fluentOrderId": "F-ORDER-1",
            "fluentOrderStatus": "PICK_PACK",
            "connectorIssue": "no news for 7 days",
        },
        order_state="Confirmed",
        shipment_state="Partial",
        deliveries=(
            DesiredDelivery(
                key="N-1001-F1",
                items=(DeliveryItem(id="li-1", quantity=2),),
                parcels=parcels_for(fluent.fulfilments[0], shipped, POLICY),
                address=None,
                fields={
                    "fluentFulfilmentRef": "N-1001-F1",
                    "fluentFulfilmentStatus": "SHIPPED",
                    "fluentInvoiceRef": "INV-N-1001-F1",
                },
            ),
        ),
        line_item_fields={
            "li-1": {
                "fulfilmentMetadata": '[{"fulfilmentRef":"N-1001-F1","locationRef":"LOC-1",'
                '"locationName":"Lager Süd","status":"SHIPPED","quantity":2}]'
            },
            "li-2": {
                "fulfilmentMetadata": '[{"fulfilmentRef":"N-1001-F2","locationRef":"B",'
                '"locationName":null,"status":"PICK_PACK","quantity":1},'
                '{"fulfilmentRef":"N-1001-F3","locationRef":"LOC-1",'
                '"locationName":"Store LOC-1","status":"SHIPPED","quantity":1}]'
            },
        },
        sync_channel_key="fluent-export",
        sync_external_id="F-ORDER-1",
    )


def test_metadata_is_sorted_by_fulfilment_ref() -> None:
    records = (record("F2", status="SHIPPED"), record("F10", status="CREATED"))

    desired = desired_order(
        order=make_order(),
        status=status(fulfilments=records),
        details=None,
        policy=POLICY,
        pickup=None,
        sync_channel_key=None,
    )

    entries = json.loads(desired.line_item_fields["li-1"]["fulfilmentMetadata"])
    assert [entry["fulfilmentRef"] for entry in entries] == ["F10", "F2"]


def test_before_fluent_knows_the_order_only_the_issue_is_written() -> None:
    desired = desired_order(
        order=make_order(),
        status=OrderStatus(ct_order_id="order-1"),
        details=None,
        policy=POLICY,
        pickup=None,
        sync_channel_key="fluent-export",
    )

    assert desired == DesiredOrder(order_id="order-1", order_fields={"connectorIssue": None})


def test_a_cancelled_order_with_nothing_shipped_is_canceled() -> None:
    desired = desired_order(
        order=make_order(),
        status=status(stage=Stage.CANCELLED, fluent_status="CANCELLED"),
        details=None,
        policy=POLICY,
        pickup=None,
        sync_channel_key=None,
    )

    assert (desired.order_state, desired.shipment_state) == ("Cancelled", "Canceled")


def test_cc_deliveries_go_to_the_pickup_store_when_known() -> None:
    ready = record("N-1001-F1", kind="CC_PICKUP", status="READY_FOR_COLLECTION")
    current = status(order_type=OrderType.CC, fulfilments=(ready,))
    store = location("STORE-1")

    with_store = desired_order(
        order=cc_order(),
        status=current,
        details=None,
        policy=POLICY,
        pickup=store,
        sync_channel_key=None,
    )
    without_store = desired_order(
        order=cc_order(),
        status=current,
        details=None,
        policy=POLICY,
        pickup=None,
        sync_channel_key=None,
    )

    assert with_store.deliveries[0].address == pickup_address(store)
    assert with_store.deliveries[0].parcels == ()
    assert with_store.shipment_state == "Ready"
    assert without_store.deliveries[0].address is None


def test_a_cc_delivery_to_a_store_with_a_country_name_uses_the_order_country() -> None:
    ready = record("N-1001-F1", kind="CC_PICKUP", status="READY_FOR_COLLECTION")

    desired = desired_order(
        order=cc_order(country=None),
        status=status(order_type=OrderType.CC, fulfilments=(ready,)),
        details=None,
        policy=POLICY,
        pickup=location("STORE-1", country="Germany"),
        sync_channel_key=None,
    )

    address = desired.deliveries[0].address
    assert address is not None
    assert (address.country, address.additional_address_info) == ("DE", "country: Germany")


def test_a_broken_store_address_does_not_block_an_order_without_deliveries() -> None:
    broken = location("STORE-1", country=None)
    current = status(order_type=OrderType.CC, fulfilments=(record(status="PICK_PACK"),))

    desired = desired_order(
        order=cc_order(),
        status=current,
        details=None,
        policy=POLICY,
        pickup=broken,
        sync_channel_key=None,
    )

    assert desired.deliveries == ()


def test_delivery_statuses_decide_which_fulfilments_become_deliveries() -> None:
    current = status(fulfilments=(record(status="PICKED"),))
    policy = POLICY.model_copy(update={"hd_delivery_statuses": ["PICKED"]})

    def keys(chosen: Any) -> list[str]:
        desired = desired_order(
            order=make_order(),
            status=current,
            details=None,
            policy=chosen,
            pickup=None,
            sync_channel_key=None,
        )
        return [delivery.key for delivery in desired.deliveries]

    assert keys(POLICY) == []
    assert keys(policy) == ["N-1001-F1"]


def test_a_record_matches_its_fluent_fulfilment_by_id_too() -> None:
    shipped = record("N-1001-F1", id="FF-1", status="SHIPPED")
    fluent = details(fulfilment("other-ref", articles=(article("ART-1", "1"),)))

    desired = desired_order(
        order=make_order(),
        status=status(fulfilments=(shipped,)),
        details=fluent,
        policy=POLICY,
        pickup=None,
        sync_channel_key=None,
    )

    assert [p.key for p in desired.deliveries[0].parcels] == ["ART-1"]


def test_fulfilments_without_an_order_type_are_a_bug() -> None:
    with pytest.raises(ValueError, match="has fulfilments but no order type"):
        desired_order(
            order=make_order(),
            status=status(order_type=None, fulfilments=(record(),)),
            details=None,
            policy=POLICY,
            pickup=None,
            sync_channel_key=None,
        )
