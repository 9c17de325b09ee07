"""Update actions and drafts serialise to exactly the wire JSON and reject bad input early."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from connector.commercetools import actions as a
from connector.commercetools import drafts as d
from connector.commercetools.base import RequestModel
from connector.commercetools.enums import (
    ChannelRole,
    CustomFieldResource,
    OrderState,
    ShipmentState,
)

TYPE_BY_KEY = d.ResourceIdentifier(type_id="type", key="fluent-delivery")


@pytest.mark.parametrize(
    ("model", "wire"),
    [
        (
            a.ChangeOrderState(order_state=OrderState.CONFIRMED),
            {"action": "changeOrderState", "orderState": "Confirmed"},
        ),
        (
            a.ChangeShipmentState(shipment_state=ShipmentState.SHIPPED),
            {"action": "changeShipmentState", "shipmentState": "Shipped"},
        ),
        (
            a.AddDelivery(
                delivery_key="FUL-1",
                items=[d.DeliveryItem(id="li-1", quantity=2)],
                parcels=[
                    d.ParcelDraft(
                        key="FUL-1-P1",
                        tracking_data=d.TrackingData(tracking_id="1Z", carrier="DHL"),
                        measurements=d.ParcelMeasurements(weight_in_gram=500),
                        items=[d.DeliveryItem(id="li-1", quantity=2)],
                    )
                ],
                custom=d.CustomFieldsDraft.of_type("fluent-delivery", {"fluentRef": "F1"}),
            ),
            {
                "action": "addDelivery",
                "deliveryKey": "FUL-1",
                "items": [{"id": "li-1", "quantity": 2}],
                "parcels": [
                    {
                        "key": "FUL-1-P1",
                        "measurements": {"weightInGram": 500},
                        "trackingData": {"trackingId": "1Z", "carrier": "DHL"},
                        "items": [{"id": "li-1", "quantity": 2}],
                    }
                ],
                "custom": {
                    "type": {"typeId": "type", "key": "fluent-delivery"},
                    "fields": {"fluentRef": "F1"},
                },
            },
        ),
        (
            a.AddParcelToDelivery(
                delivery_key="FUL-1",
                parcel_key="FUL-1-P2",
                tracking_data=d.TrackingData(tracking_id="2Z", is_return=False),
            ),
            {
                "action": "addParcelToDelivery",
                "deliveryKey": "FUL-1",
                "parcelKey": "FUL-1-P2",
                "trackingData": {"trackingId": "2Z", "isReturn": False},
                "items": [],
            },
        ),
        (
            a.SetDeliveryItems(delivery_id="del-1", items=[d.DeliveryItem(id="li-1", quantity=1)]),
            {
                "action": "setDeliveryItems",
                "deliveryId": "del-1",
                "items": [{"id": "li-1", "quantity": 1}],
            },
        ),
        (
            a.SetParcelTrackingData(
                parcel_key="FUL-1-P1", tracking_data=d.TrackingData(provider="UPS")
            ),
            {
                "action": "setParcelTrackingData",
                "parcelKey": "FUL-1-P1",
                "trackingData": {"provider": "UPS"},
            },
        ),
        (
            a.SetCustomType(type=TYPE_BY_KEY, fields={"a": 1}),
            {
                "action": "setCustomType",
                "type": {"typeId": "type", "key": "fluent-delivery"},
                "fields": {"a": 1},
            },
        ),
        (a.SetCustomType(), {"action": "setCustomType"}),
        (
            a.SetCustomField(name="fluentOrderRef", value="F-1"),
            {"action": "setCustomField", "name": "fluentOrderRef", "value": "F-1"},
        ),
        (a.SetCustomField(name="gone"), {"action": "setCustomField", "name": "gone"}),
        (
            a.SetCustomField(name="nested", value={"keep": None}),
            {"action": "setCustomField", "name": "nested", "value": {"keep": None}},
        ),
        (
            a.SetLineItemCustomType(line_item_id="li-1", type=TYPE_BY_KEY),
            {
                "action": "setLineItemCustomType",
                "lineItemId": "li-1",
                "type": {"typeId": "type", "key": "fluent-delivery"},
            },
        ),
        (
            a.SetLineItemCustomField(line_item_key="line-a", name="qty", value=3),
            {
                "action": "setLineItemCustomField",
                "lineItemKey": "line-a",
                "name": "qty",
                "value": 3,
            },
        ),
        (
            a.SetDeliveryCustomType(delivery_key="FUL-1", type=TYPE_BY_KEY, fields={}),
            {
                "action": "setDeliveryCustomType",
                "deliveryKey": "FUL-1",
                "type": {"typeId": "type", "key": "fluent-delivery"},
                "fields": {},
            },
        ),
        (
            a.SetDeliveryCustomField(delivery_id="del-1", name="status", value="SHIPPED"),
            {
                "action": "setDeliveryCustomField",
                "deliveryId": "del-1",
                "name": "status",
                "value": "SHIPPED",
            },
        ),
        (
            a.SetParcelCustomType(parcel_id="p-1", type=TYPE_BY_KEY),
            {
                "action": "setParcelCustomType",
                "parcelId": "p-1",
                "type": {"typeId": "type", "key": "fluent-delivery"},
            },
        ),
        (
            a.SetParcelCustomField(parcel_key="FUL-1-P1", name="label", value=True),
            {
                "action": "setParcelCustomField",
                "parcelKey": "FUL-1-P1",
                "name": "label",
                "value": True,
            },
        ),
        (
            a.UpdateSyncInfo(
                channel=d.ResourceIdentifier(type_id="channel", key="fluent-export"),
                external_id="F-42",
                synced_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
            ),
            {
                "action": "updateSyncInfo",
                "channel": {"typeId": "channel", "key": "fluent-export"},
                "externalId": "F-42",
                "syncedAt": "2026-03-01T12:00:00Z",
            },
        ),
        (a.ChangeName(name={"en": "Berlin"}), {"action": "changeName", "name": {"en": "Berlin"}}),
        (
            a.ChangeDescription(description={"en": "Store"}),
            {"action": "changeDescription", "description": {"en": "Store"}},
        ),
        (
            a.SetAddress(address=d.AddressDraft(country="DE", city="Berlin", p_o_box="12")),
            {"action": "setAddress", "address": {"country": "DE", "city": "Berlin", "pOBox": "12"}},
        ),
        (a.SetAddress(), {"action": "setAddress"}),
        (
            a.SetGeoLocation(geo_location=d.GeoJsonPoint.at(latitude=52.5, longitude=13.4)),
            {
                "action": "setGeoLocation",
                "geoLocation": {"type": "Point", "coordinates": [13.4, 52.5]},
            },
        ),
        (
            a.SetRoles(roles=[ChannelRole.INVENTORY_SUPPLY, ChannelRole.PRIMARY]),
            {"action": "setRoles", "roles": ["InventorySupply", "Primary"]},
        ),
        (a.ChangeQuantity(quantity=0), {"action": "changeQuantity", "quantity": 0}),
        (
            a.AddFieldDefinition(
                field_definition=d.FieldDefinition(
                    name="tags",
                    label={"en": "Tags"},
                    type=d.SetType(element_type=d.StringType()),
                )
            ),
            {
                "action": "addFieldDefinition",
                "fieldDefinition": {
                    "name": "tags",
                    "label": {"en": "Tags"},
                    "required": False,
                    "type": {"name": "Set", "elementType": {"name": "String"}},
                },
            },
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseModel) else "",
)
def test_action_wire_format(model: RequestModel, wire: dict[str, Any]) -> None:
    assert model.to_wire() == wire


def test_drafts_wire_format() -> None:
    channel = d.ChannelDraft(
        key="store-berlin",
        roles=[ChannelRole.INVENTORY_SUPPLY],
        name={"en": "Berlin"},
        address=d.AddressDraft(country="DE", street_name="Unter den Linden", street_number="1"),
        geo_location=d.GeoJsonPoint(coordinates=(13.4, 52.5)),
        custom=d.CustomFieldsDraft.of_type("fluent-location", {"fluentRef": "LOC-1"}),
    )
    entry = d.InventoryEntryDraft(
        sku="SKU-1",
        key="SKU-1-store-berlin",
        supply_channel=d.ResourceIdentifier(type_id="channel", id="chan-1"),
        quantity_on_stock=12,
    )

    assert channel.to_wire() == {
        "key": "store-berlin",
        "roles": ["InventorySupply"],
        "name": {"en": "Berlin"},
        "address": {"country": "DE", "streetName": "Unter den Linden", "streetNumber": "1"},
        "custom": {
            "type": {"typeId": "type", "key": "fluent-location"},
            "fields": {"fluentRef": "LOC-1"},
        },
        "geoLocation": {"type": "Point", "coordinates": [13.4, 52.5]},
    }
    assert entry.to_wire() == {
        "sku": "SKU-1",
        "key": "SKU-1-store-berlin",
        "supplyChannel": {"typeId": "channel", "id": "chan-1"},
        "quantityOnStock": 12,
    }


def test_type_draft_with_every_field_type() -> None:
    draft = d.TypeDraft(
        key="fluent-order",
        name={"en": "Fluent"},
        resource_type_ids=[CustomFieldResource.ORDER],
        field_definitions=[
            d.FieldDefinition(
                name="s1", label={"en": "S"}, type=d.StringType(), input_hint="SingleLine"
            ),
            d.FieldDefinition(name="n1", label={"en": "N"}, type=d.NumberType(), required=True),
            d.FieldDefinition(name="b1", label={"en": "B"}, type=d.BooleanType()),
            d.FieldDefinition(name="l1", label={"en": "L"}, type=d.LocalizedStringType()),
            d.FieldDefinition(name="d1", label={"en": "D"}, type=d.DateTimeType()),
            d.FieldDefinition(
                name="e1",
                label={"en": "E"},
                type=d.EnumType(values=[d.EnumValue(key="open", label="Open")]),
            ),
        ],
    )

    types = [field["type"] for field in draft.to_wire()["fieldDefinitions"]]
    assert types == [
        {"name": "String"},
        {"name": "Number"},
        {"name": "Boolean"},
        {"name": "LocalizedString"},
        {"name": "DateTime"},
        {"name": "Enum", "values": [{"key": "open", "label": "Open"}]},
    ]
    assert draft.to_wire()["resourceTypeIds"] == ["order"]


def test_a_type_draft_parses_from_wire_json() -> None:
    wire = {
        "key": "kk",
        "name": {"en": "K"},
        "resourceTypeIds": ["order-parcel"],
        "fieldDefinitions": [
            {
                "name": "tags",
                "label": {"en": "T"},
                "required": False,
                "type": {
                    "name": "Set",
                    "elementType": {"name": "Enum", "values": [{"key": "a", "label": "A"}]},
                },
            }
        ],
    }

    assert d.TypeDraft.model_validate(wire).to_wire() == wire


def test_order_actions_round_trip_through_the_union() -> None:
    """Activities may pass actions as plain JSON (e.g. in Temporal payloads)."""
    adapter = TypeAdapter(list[a.OrderUpdateAction])
    wire = [
        {"action": "changeShipmentState", "shipmentState": "Delivered"},
        {"action": "addParcelToDelivery", "deliveryKey": "FUL-1", "parcelKey": "P-1", "items": []},
        {"action": "setCustomField", "name": "x", "value": [1, 2]},
    ]

    parsed = adapter.validate_python(wire)

    assert [type(action) for action in parsed] == [
        a.ChangeShipmentState,
        a.AddParcelToDelivery,
        a.SetCustomField,
    ]
    assert adapter.dump_python(parsed, by_alias=True, exclude_none=True, mode="json") == wire


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: a.AddParcelToDelivery(parcel_key="P-1"),
            "exactly one of delivery_id, delivery_key",
        ),
        (
            lambda: a.SetDeliveryItems(delivery_id="d", delivery_key="FUL-1", items=[]),
            "exactly one of delivery_id, delivery_key",
        ),
        (lambda: a.SetParcelCustomField(name="x"), "exactly one of parcel_id, parcel_key"),
        (lambda: a.SetLineItemCustomField(name="x"), "exactly one of line_item_id, line_item_key"),
        (lambda: d.ResourceIdentifier(type_id="channel"), "exactly one of id, key"),
        (
            lambda: d.ResourceIdentifier(type_id="channel", id="1", key="k"),
            "exactly one of id, key",
        ),
        (lambda: a.AddDelivery(delivery_key="x"), "at least 2 characters"),
        (lambda: a.AddDelivery(delivery_key="has space"), "String should match pattern"),
        (lambda: d.ParcelDraft(key="a/b"), "String should match pattern"),
        (lambda: d.DeliveryItem(id="li-1", quantity=0), "greater than or equal to 1"),
        (lambda: a.ChangeQuantity(quantity=-1), "greater than or equal to 0"),
        (lambda: a.ChangeOrderState(order_state="Shipped"), "Input should be"),
        (lambda: a.SetRoles(roles=["Warehouse"]), "Input should be"),
        (lambda: d.GeoJsonPoint(coordinates=(52.5, 213.4)), "latitude 213.4"),
        (lambda: d.GeoJsonPoint.at(latitude=10, longitude=-190), "longitude -190"),
        (lambda: d.AddressDraft(country="Germany"), "String should match pattern"),
        (lambda: d.CustomFieldsDraft.of_type("t", {"bad name": 1}), "String should match pattern"),
        (
            lambda: a.UpdateSyncInfo(
                channel=d.ResourceIdentifier(type_id="channel", key="c"),
                synced_at=datetime(2026, 1, 1),
            ),
            "timezone",
        ),
        (lambda: a.ChangeName(nmae={"en": "x"}), "Extra inputs are not permitted"),  # type: ignore[call-arg]
        (lambda: d.EnumType(values=[]), "at least 1 item"),
        (
            lambda: d.TypeDraft(
                key="kk",
                name={"en": "K"},
                resource_type_ids=["order"],
                field_definitions=[
                    d.FieldDefinition(name="dup", label={"en": "A"}, type=d.StringType()),
                    d.FieldDefinition(name="dup", label={"en": "B"}, type=d.NumberType()),
                ],
            ),
            "duplicate field definitions: dup",
        ),
        (
            lambda: d.TypeDraft(key="kk", name={"en": "K"}, resource_type_ids=[]),
            "at least 1 item",
        ),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(build: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        build()
