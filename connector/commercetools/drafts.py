"""Request bodies (and their parts) that create resources or appear inside update actions.

Each model serialises with `to_wire()` to exactly the JSON of the API; the contract tests check
every one against the official OpenAPI description.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, field_validator, model_validator

from connector.commercetools.base import LocalizedString, RequestModel
from connector.commercetools.enums import ChannelRole, CustomFieldResource

ItemKey = Annotated[str, Field(min_length=2, max_length=256, pattern=r"^[A-Za-z0-9_-]+$")]
"""A user-defined key of a delivery or parcel: unique per order, so the connector uses it as an
idempotency key."""

CustomFieldName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{2,36}$")]


def exactly_one(model: object, *names: str) -> None:
    """Raise unless exactly one of the named fields is set (the API's "id or key" choices)."""
    given = [name for name in names if getattr(model, name) is not None]
    if len(given) != 1:
        raise ValueError(f"set exactly one of {', '.join(names)} (got {len(given)})")


class ResourceIdentifier(RequestModel):
    """Points at a resource by `id` or by `key` (exactly one)."""

    type_id: str = Field(min_length=1)
    id: str | None = None
    key: str | None = None

    @model_validator(mode="after")
    def _one_identifier(self) -> ResourceIdentifier:
        exactly_one(self, "id", "key")
        return self


class CustomFieldsDraft(RequestModel):
    type: ResourceIdentifier
    fields: dict[CustomFieldName, Any] = Field(default_factory=dict)

    @classmethod
    def of_type(cls, type_key: str, fields: dict[str, Any] | None = None) -> CustomFieldsDraft:
        """Custom fields of the Type with this key (the connector addresses its Types by key)."""
        return cls(type=ResourceIdentifier(type_id="type", key=type_key), fields=fields or {})


class AddressDraft(RequestModel):
    """An address to write (commercetools' BaseAddress)."""

    key: str | None = None
    country: str = Field(pattern=r"^[A-Z]{2}$")
    title: str | None = None
    salutation: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    street_name: str | None = None
    street_number: str | None = None
    additional_street_info: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    state: str | None = None
    company: str | None = None
    department: str | None = None
    building: str | None = None
    apartment: str | None = None
    p_o_box: str | None = Field(default=None, alias="pOBox")
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    fax: str | None = None
    additional_address_info: str | None = None
    external_id: str | None = None


class GeoJsonPoint(RequestModel):
    """A GeoJSON point. `coordinates` is `[longitude, latitude]`; build it with `at()` to avoid
    swapping them."""

    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float]

    @field_validator("coordinates")
    @classmethod
    def _in_range(cls, value: tuple[float, float]) -> tuple[float, float]:
        longitude, latitude = value
        if not -180.0 <= longitude <= 180.0:
            raise ValueError(f"longitude {longitude} is outside -180..180")
        if not -90.0 <= latitude <= 90.0:
            raise ValueError(f"latitude {latitude} is outside -90..90")
        return value

    @classmethod
    def at(cls, *, latitude: float, longitude: float) -> GeoJsonPoint:
        return cls(coordinates=(longitude, latitude))


class DeliveryItem(RequestModel):
    """A quantity of one line item in a delivery or parcel."""

    id: str = Field(min_length=1)
    quantity: int = Field(ge=1)


class TrackingData(RequestModel):
    tracking_id: str | None = None
    carrier: str | None = None
    provider: str | None = None
    provider_transaction: str | None = None
    is_return: bool | None = None


class ParcelMeasurements(RequestModel):
    height_in_millimeter: int | None = Field(default=None, ge=0)
    length_in_millimeter: int | None = Field(default=None, ge=0)
    width_in_millimeter: int | None = Field(default=None, ge=0)
    weight_in_gram: int | None = Field(default=None, ge=0)


class ParcelDraft(RequestModel):
    key: ItemKey | None = None
    measurements: ParcelMeasurements | None = None
    tracking_data: TrackingData | None = None
    items: list[DeliveryItem] = Field(default_factory=list)
    custom: CustomFieldsDraft | None = None


class ChannelDraft(RequestModel):
    key: str = Field(min_length=2, max_length=256)
    roles: list[ChannelRole] = Field(default_factory=list)
    name: LocalizedString | None = None
    description: LocalizedString | None = None
    address: AddressDraft | None = None
    custom: CustomFieldsDraft | None = None
    geo_location: GeoJsonPoint | None = None


class InventoryEntryDraft(RequestModel):
    sku: str = Field(min_length=1)
    key: str | None = Field(default=None, min_length=2, max_length=256)
    supply_channel: ResourceIdentifier | None = None
    quantity_on_stock: int
    restockable_in_days: int | None = Field(default=None, ge=0)
    expected_delivery: AwareDatetime | None = None
    custom: CustomFieldsDraft | None = None


ContainerOrKey = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[-_~.a-zA-Z0-9]+$")]


class CustomObjectDraft(RequestModel):
    """Creates the custom object, or replaces its value. With `version`, only if the stored
    object still has that version (otherwise a 409 `ConcurrentModification`)."""

    container: ContainerOrKey
    key: ContainerOrKey
    value: dict[str, Any]
    version: int | None = Field(default=None, ge=0)


class StringType(RequestModel):
    name: Literal["String"] = "String"


class NumberType(RequestModel):
    name: Literal["Number"] = "Number"


class BooleanType(RequestModel):
    name: Literal["Boolean"] = "Boolean"


class LocalizedStringType(RequestModel):
    name: Literal["LocalizedString"] = "LocalizedString"


class DateTimeType(RequestModel):
    name: Literal["DateTime"] = "DateTime"


class EnumValue(RequestModel):
    key: str = Field(min_length=1)
    label: str


class EnumType(RequestModel):
    name: Literal["Enum"] = "Enum"
    values: list[EnumValue] = Field(min_length=1)


class SetType(RequestModel):
    name: Literal["Set"] = "Set"
    element_type: FieldType


FieldType = Annotated[
    StringType | NumberType | BooleanType | LocalizedStringType | DateTimeType | EnumType | SetType,
    Field(discriminator="name"),
]
"""The type of a custom field, chosen by its `name`."""

SetType.model_rebuild()


class FieldDefinition(RequestModel):
    name: CustomFieldName
    label: LocalizedString
    required: bool = False
    type: FieldType
    input_hint: Literal["SingleLine", "MultiLine"] | None = None


class TypeDraft(RequestModel):
    key: str = Field(min_length=2, max_length=256)
    name: LocalizedString
    description: LocalizedString | None = None
    resource_type_ids: list[CustomFieldResource] = Field(min_length=1)
    field_definitions: list[FieldDefinition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_field_names(self) -> TypeDraft:
        names = [field.name for field in self.field_definitions]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate field definitions: {', '.join(duplicates)}")
        return self
