"""Update actions the connector sends, one small model per action.

Actions with the same wire shape on several resources (`setCustomType`, `setCustomField`) are
one class, used in each resource's union. Where the API lets an action address its target by id
or by key, exactly one must be given; the connector prefers keys, which it derives from Fluent
references so that a retried action can be recognised in the resource's current state.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, model_validator

from connector.commercetools.base import LocalizedString, RequestModel
from connector.commercetools.drafts import (
    AddressDraft,
    CustomFieldsDraft,
    DeliveryItem,
    FieldDefinition,
    GeoJsonPoint,
    ItemKey,
    ParcelDraft,
    ParcelMeasurements,
    ResourceIdentifier,
    TrackingData,
    exactly_one,
)
from connector.commercetools.enums import ChannelRole, OrderState, ShipmentState

MAX_ACTIONS_PER_UPDATE = 500


class SetCustomType(RequestModel):
    """Sets (or, without `type`, removes) the custom type and fields of the resource itself."""

    action: Literal["setCustomType"] = "setCustomType"
    type: ResourceIdentifier | None = None
    fields: dict[str, Any] | None = None


class SetCustomField(RequestModel):
    """Sets one custom field; a `value` of None removes it."""

    action: Literal["setCustomField"] = "setCustomField"
    name: str = Field(min_length=1)
    value: Any = None


class _LineItemTarget(RequestModel):
    line_item_id: str | None = None
    line_item_key: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> _LineItemTarget:
        exactly_one(self, "line_item_id", "line_item_key")
        return self


class _DeliveryTarget(RequestModel):
    delivery_id: str | None = None
    delivery_key: ItemKey | None = None

    @model_validator(mode="after")
    def _one_target(self) -> _DeliveryTarget:
        exactly_one(self, "delivery_id", "delivery_key")
        return self


class _ParcelTarget(RequestModel):
    parcel_id: str | None = None
    parcel_key: ItemKey | None = None

    @model_validator(mode="after")
    def _one_target(self) -> _ParcelTarget:
        exactly_one(self, "parcel_id", "parcel_key")
        return self


class ChangeOrderState(RequestModel):
    action: Literal["changeOrderState"] = "changeOrderState"
    order_state: OrderState


class ChangeShipmentState(RequestModel):
    action: Literal["changeShipmentState"] = "changeShipmentState"
    shipment_state: ShipmentState


class AddDelivery(RequestModel):
    """Adds a delivery to the order's shipping info. The API does not check that deliveries stay
    within the ordered quantities (see `Order.delivered_quantities`)."""

    action: Literal["addDelivery"] = "addDelivery"
    delivery_key: ItemKey | None = None
    items: list[DeliveryItem] = Field(default_factory=list)
    address: AddressDraft | None = None
    parcels: list[ParcelDraft] = Field(default_factory=list)
    custom: CustomFieldsDraft | None = None


class AddParcelToDelivery(_DeliveryTarget):
    action: Literal["addParcelToDelivery"] = "addParcelToDelivery"
    parcel_key: ItemKey | None = None
    measurements: ParcelMeasurements | None = None
    tracking_data: TrackingData | None = None
    items: list[DeliveryItem] = Field(default_factory=list)
    custom: CustomFieldsDraft | None = None


class SetDeliveryItems(_DeliveryTarget):
    action: Literal["setDeliveryItems"] = "setDeliveryItems"
    items: list[DeliveryItem]


class SetParcelTrackingData(_ParcelTarget):
    action: Literal["setParcelTrackingData"] = "setParcelTrackingData"
    tracking_data: TrackingData | None = None


class SetLineItemCustomType(_LineItemTarget):
    action: Literal["setLineItemCustomType"] = "setLineItemCustomType"
    type: ResourceIdentifier | None = None
    fields: dict[str, Any] | None = None


class SetLineItemCustomField(_LineItemTarget):
    action: Literal["setLineItemCustomField"] = "setLineItemCustomField"
    name: str = Field(min_length=1)
    value: Any = None


class SetDeliveryCustomType(_DeliveryTarget):
    action: Literal["setDeliveryCustomType"] = "setDeliveryCustomType"
    type: ResourceIdentifier | None = None
    fields: dict[str, Any] | None = None


class SetDeliveryCustomField(_DeliveryTarget):
    action: Literal["setDeliveryCustomField"] = "setDeliveryCustomField"
    name: str = Field(min_length=1)
    value: Any = None


class SetParcelCustomType(_ParcelTarget):
    action: Literal["setParcelCustomType"] = "setParcelCustomType"
    type: ResourceIdentifier | None = None
    fields: dict[str, Any] | None = None


class SetParcelCustomField(_ParcelTarget):
    action: Literal["setParcelCustomField"] = "setParcelCustomField"
    name: str = Field(min_length=1)
    value: Any = None


class UpdateSyncInfo(RequestModel):
    """Records that the order was exported to (or imported from) a system, on a channel with
    the role OrderExport (or OrderImport)."""

    action: Literal["updateSyncInfo"] = "updateSyncInfo"
    channel: ResourceIdentifier
    external_id: str | None = None
    synced_at: AwareDatetime | None = None


class ChangeName(RequestModel):
    action: Literal["changeName"] = "changeName"
    name: LocalizedString


class ChangeDescription(RequestModel):
    action: Literal["changeDescription"] = "changeDescription"
    description: LocalizedString


class SetAddress(RequestModel):
    action: Literal["setAddress"] = "setAddress"
    address: AddressDraft | None = None


class SetGeoLocation(RequestModel):
    action: Literal["setGeoLocation"] = "setGeoLocation"
    geo_location: GeoJsonPoint | None = None


class SetRoles(RequestModel):
    action: Literal["setRoles"] = "setRoles"
    roles: list[ChannelRole]


class ChangeQuantity(RequestModel):
    """Sets the absolute stock quantity: unlike add/removeQuantity, repeating it is harmless."""

    action: Literal["changeQuantity"] = "changeQuantity"
    quantity: int = Field(ge=0)


class AddFieldDefinition(RequestModel):
    action: Literal["addFieldDefinition"] = "addFieldDefinition"
    field_definition: FieldDefinition


OrderUpdateAction = Annotated[
    ChangeOrderState
    | ChangeShipmentState
    | AddDelivery
    | AddParcelToDelivery
    | SetDeliveryItems
    | SetParcelTrackingData
    | SetCustomType
    | SetCustomField
    | SetLineItemCustomType
    | SetLineItemCustomField
    | SetDeliveryCustomType
    | SetDeliveryCustomField
    | SetParcelCustomType
    | SetParcelCustomField
    | UpdateSyncInfo,
    Field(discriminator="action"),
]

ChannelUpdateAction = Annotated[
    ChangeName
    | ChangeDescription
    | SetAddress
    | SetGeoLocation
    | SetRoles
    | SetCustomType
    | SetCustomField,
    Field(discriminator="action"),
]

InventoryEntryUpdateAction = Annotated[ChangeQuantity, Field(discriminator="action")]

TypeUpdateAction = Annotated[AddFieldDefinition, Field(discriminator="action")]
