"""Request bodies the sandbox accepts: the drafts and update-action pieces several resources share.

Incoming JSON is validated strictly (JSON types, camelCase names, no unknown fields) so that a
client sending a misspelt or unsupported field gets a clear 400 instead of having it silently
dropped. Validation failures become `InvalidJsonInput` with a `detailedErrorMessage` naming the
path, as commercetools reports deserialization errors ("actions -> orderState: ...").
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import ErrorDetails

from sandbox.commercetools.errors import ApiError, invalid_json
from sandbox.commercetools.money import typed_money

MAX_UPDATE_ACTIONS = 500
KEY_PATTERN = r"^[A-Za-z0-9_-]+$"

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
UserKey = Annotated[str, StringConstraints(min_length=2, max_length=256, pattern=KEY_PATTERN)]
LocalizedString = dict[str, str]
JsonObject = dict[str, Any]


class WireModel(BaseModel):
    """Base of every request model: camelCase on the wire, strict JSON types, no unknown fields."""

    model_config = ConfigDict(
        alias_generator=to_camel, extra="forbid", strict=True, frozen=True, validate_by_name=False
    )

    def wire(self) -> JsonObject:
        """The model as commercetools JSON (aliases, absent fields left out)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class ResourceIdentifier(WireModel):
    """`{typeId?, id?, key?}`: refers to an existing resource by id or by key."""

    type_id: str | None = None
    id: str | None = None
    key: str | None = None

    @model_validator(mode="after")
    def _id_or_key(self) -> ResourceIdentifier:
        if self.id is None and self.key is None:
            raise ValueError("a resource identifier needs 'id' or 'key'")
        return self

    def describe(self) -> str:
        return f"id '{self.id}'" if self.id is not None else f"key '{self.key}'"


class Money(WireModel):
    currency_code: CurrencyCode
    cent_amount: int
    type: Literal["centPrecision"] | None = None
    fraction_digits: int | None = Field(default=None, ge=0)

    def typed(self) -> JsonObject:
        """As the platform stores it: `CentPrecisionMoney` with the currency's fraction digits."""
        return typed_money(self.currency_code, self.cent_amount)


class CustomFieldsDraft(WireModel):
    type: ResourceIdentifier
    fields: dict[str, Any] | None = None


class BaseAddress(WireModel):
    id: str | None = None
    key: str | None = None
    country: CountryCode
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
    # A write is an AddressDraft: its custom fields name a Type for resource `address`.
    custom: CustomFieldsDraft | None = None


class TrackingData(WireModel):
    tracking_id: str | None = None
    carrier: str | None = None
    provider: str | None = None
    provider_transaction: str | None = None
    is_return: bool | None = None


class ParcelMeasurements(WireModel):
    height_in_millimeter: int | None = Field(default=None, ge=0)
    length_in_millimeter: int | None = Field(default=None, ge=0)
    width_in_millimeter: int | None = Field(default=None, ge=0)
    weight_in_gram: int | None = Field(default=None, ge=0)


class DeliveryItem(WireModel):
    id: str
    quantity: int = Field(ge=0)


class GeoJsonPoint(WireModel):
    type: Literal["Point"]
    coordinates: tuple[
        Annotated[float, Field(ge=-180, le=180)], Annotated[float, Field(ge=-90, le=90)]
    ]


class Attribute(WireModel):
    name: str = Field(min_length=1)
    value: Any


class ImageDimensions(WireModel):
    w: int = Field(ge=0)
    h: int = Field(ge=0)


class Image(WireModel):
    url: str
    dimensions: ImageDimensions
    label: str | None = None


class PriceDraft(WireModel):
    key: str | None = None
    value: Money
    country: CountryCode | None = None
    channel: ResourceIdentifier | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    custom: CustomFieldsDraft | None = None


ActionT = TypeVar("ActionT")


class Update(WireModel, Generic[ActionT]):
    """`{version, actions}` of `POST /{resource}/{id}`."""

    version: int = Field(ge=1)
    actions: list[ActionT] = Field(max_length=MAX_UPDATE_ACTIONS)


ModelT = TypeVar("ModelT")


def parse_body(adapter: TypeAdapter[ModelT], raw: bytes) -> ModelT:
    """Validate a request body; failures become commercetools' `InvalidJsonInput`."""
    try:
        return adapter.validate_json(raw)
    except ValidationError as exc:
        raise _as_api_error(exc) from None


def _as_api_error(exc: ValidationError) -> ApiError:
    details = [_describe(error) for error in exc.errors(include_url=False)]
    return invalid_json("; ".join(details))


def _describe(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "json_invalid":
        return str(error["msg"])
    path = _path(error["loc"])
    if kind == "missing":
        problem = "Missing required value"
    elif kind == "extra_forbidden":
        problem = "Unknown field (not part of this request in commercetools, or not emulated)"
    elif kind == "union_tag_invalid":
        context = error.get("ctx", {})
        problem = (
            f"Unknown action '{context.get('tag')}'. Known actions: {context.get('expected_tags')}"
        )
    elif kind == "union_tag_not_found":
        problem = "Missing required value 'action'"
    else:
        problem = f"{error['msg']} (got {_short(error.get('input'))})"
    return f"{path}: {problem}" if path else problem


def _path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int) and parts:
            parts[-1] += f"[{item}]"
        else:
            parts.append(str(item))
    return " -> ".join(parts)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
