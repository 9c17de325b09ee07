"""Fluent locations -> commercetools channels (pure).

A location of the configured network becomes the channel whose key is the location ref, with
the roles InventorySupply and ProductDistribution, the location name in the configured locale,
the primary address, `geoLocation` `[longitude, latitude]`, and the store details as custom
fields of the channel type `SYNC_CHANNEL_TYPE_KEY` (defined by `starter.py setup` from
`channel_field_definitions()`): type, status, phone, latitude, longitude, time zone and the
opening schedule (JSON). A deactivated location only changes the status field: channels are
never deleted.

The connector owns those fields: the name in other locales, other roles and other custom
fields are kept. `channel_actions` returns exactly the update actions for what differs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from connector.commercetools.actions import (
    ChangeName,
    ChannelUpdateAction,
    SetAddress,
    SetCustomField,
    SetCustomType,
    SetGeoLocation,
    SetRoles,
)
from connector.commercetools.drafts import (
    AddressDraft,
    ChannelDraft,
    CustomFieldsDraft,
    FieldDefinition,
    GeoJsonPoint,
    NumberType,
    ResourceIdentifier,
    StringType,
)
from connector.commercetools.enums import ChannelRole
from connector.commercetools.models import Address, Channel
from connector.fluent.models import Location
from connector.syncs import UnmappableError

CHANNEL_ROLES = (ChannelRole.INVENTORY_SUPPLY, ChannelRole.PRODUCT_DISTRIBUTION)

FIELD_LOCATION_TYPE = "fluentLocationType"
FIELD_LOCATION_STATUS = "fluentLocationStatus"
FIELD_PHONE = "fluentPhone"
FIELD_LATITUDE = "fluentLatitude"
FIELD_LONGITUDE = "fluentLongitude"
FIELD_TIME_ZONE = "fluentTimeZone"
FIELD_OPENING_SCHEDULE = "fluentOpeningSchedule"

_FIELDS: tuple[tuple[str, str, bool], ...] = (
    (FIELD_LOCATION_TYPE, "Fluent location type", False),
    (FIELD_LOCATION_STATUS, "Fluent location status", False),
    (FIELD_PHONE, "Phone", False),
    (FIELD_LATITUDE, "Latitude", True),
    (FIELD_LONGITUDE, "Longitude", True),
    (FIELD_TIME_ZONE, "Time zone", False),
    (FIELD_OPENING_SCHEDULE, "Opening schedule (JSON)", False),
)
OWNED_FIELDS = tuple(name for name, _, _ in _FIELDS)

_ADDRESS_FIELDS = ("street_name", "postal_code", "city", "state", "country")


def channel_field_definitions() -> list[FieldDefinition]:
    """The custom fields of the channel type, for `starter.py setup`."""
    return [
        FieldDefinition(
            name=name,
            label={"en": label},
            type=NumberType() if numeric else StringType(),
            input_hint=None if numeric else "SingleLine",
        )
        for name, label, numeric in _FIELDS
    ]


class ChannelRules(BaseModel):
    model_config = ConfigDict(frozen=True)

    locale: str
    type_key: str


class ChannelSpec(BaseModel):
    """The fields of a channel the connector owns, as they should be."""

    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    address: AddressDraft | None
    geo_location: GeoJsonPoint | None
    fields: dict[str, Any]


def opening_schedule_json(location: Location) -> str | None:
    """The opening schedule as compact JSON with sorted keys (stable, so it compares)."""
    schedule = location.opening_schedule
    if schedule is None:
        return None
    return json.dumps(schedule.model_dump(by_alias=True), sort_keys=True, separators=(",", ":"))


def channel_spec(location: Location) -> ChannelSpec:
    """Raises `UnmappableError` when the address cannot be a commercetools address."""
    primary = location.primary_address
    address = None
    geo = None
    if primary is not None:
        country = (primary.country or "").strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise UnmappableError(
                f"location {location.ref}: country {primary.country!r} is not an ISO 3166-1 "
                "alpha-2 code, which commercetools addresses need"
            )
        address = AddressDraft(
            country=country,
            street_name=primary.street,
            postal_code=primary.postcode,
            city=primary.city,
            state=primary.state,
        )
        if primary.latitude is not None and primary.longitude is not None:
            try:
                geo = GeoJsonPoint.at(latitude=primary.latitude, longitude=primary.longitude)
            except ValidationError as exc:
                raise UnmappableError(
                    f"location {location.ref}: coordinates out of range: {exc.errors()[0]['msg']}"
                ) from None
    fields = {
        FIELD_LOCATION_TYPE: location.type,
        FIELD_LOCATION_STATUS: location.status,
        FIELD_PHONE: location.support_phone_number,
        FIELD_LATITUDE: primary.latitude if primary else None,
        FIELD_LONGITUDE: primary.longitude if primary else None,
        FIELD_TIME_ZONE: primary.time_zone if primary else None,
        FIELD_OPENING_SCHEDULE: opening_schedule_json(location),
    }
    return ChannelSpec(
        key=location.ref,
        name=location.name or location.ref,
        address=address,
        geo_location=geo,
        fields={name: value for name, value in fields.items() if value is not None},
    )


def channel_draft(spec: ChannelSpec, rules: ChannelRules) -> ChannelDraft:
    return ChannelDraft(
        key=spec.key,
        roles=list(CHANNEL_ROLES),
        name={rules.locale: spec.name},
        address=spec.address,
        geo_location=spec.geo_location,
        custom=CustomFieldsDraft.of_type(rules.type_key, spec.fields),
    )


def _same(left: Any, right: Any) -> bool:
    """Equal, with numbers compared exactly (commercetools may answer 52 for 52.0)."""
    numbers = (int, float)
    if isinstance(left, numbers) and isinstance(right, numbers):
        if isinstance(left, bool) or isinstance(right, bool):
            return left is right
        return Decimal(str(left)) == Decimal(str(right))
    return bool(left == right)


def _address_differs(wanted: AddressDraft | None, current: Address | None) -> bool:
    if wanted is None or current is None:
        return (wanted is None) != (current is None)
    return any(getattr(wanted, name) != getattr(current, name) for name in _ADDRESS_FIELDS)


def _geo_differs(wanted: GeoJsonPoint | None, current: Channel) -> bool:
    existing = current.geo_location
    if wanted is None or existing is None:
        return wanted is not None or existing is not None
    return not all(
        _same(a, b) for a, b in zip(wanted.coordinates, existing.coordinates, strict=True)
    )


def _custom_field_actions(
    spec: ChannelSpec, current: Mapping[str, Any]
) -> list[ChannelUpdateAction]:
    actions: list[ChannelUpdateAction] = []
    for name in OWNED_FIELDS:
        wanted = spec.fields.get(name)
        existing = current.get(name)
        if wanted is None and existing is None:
            continue
        if wanted is None or existing is None or not _same(wanted, existing):
            actions.append(SetCustomField(name=name, value=wanted))
    return actions


def channel_actions(
    spec: ChannelSpec, channel: Channel, rules: ChannelRules, *, type_id: str
) -> list[ChannelUpdateAction]:
    """The update actions that bring `channel` in line with `spec`; none when it is.
    `type_id` is the id of the channel type `rules.type_key` (a channel's custom fields name
    their type by id). A channel that carries another custom type is refused rather than
    stripped of that type's fields."""
    actions: list[ChannelUpdateAction] = []
    known_roles = {role for role in ChannelRole if role in channel.roles}
    if not set(CHANNEL_ROLES) <= known_roles:
        actions.append(SetRoles(roles=sorted(known_roles | set(CHANNEL_ROLES))))
    names = channel.name or {}
    if names.get(rules.locale) != spec.name:
        actions.append(ChangeName(name={**names, rules.locale: spec.name}))
    if _address_differs(spec.address, channel.address):
        actions.append(SetAddress(address=spec.address))
    if _geo_differs(spec.geo_location, channel):
        actions.append(SetGeoLocation(geo_location=spec.geo_location))
    custom = channel.custom
    if custom is None:
        type_key = ResourceIdentifier(type_id="type", key=rules.type_key)
        actions.append(SetCustomType(type=type_key, fields=spec.fields))
    elif custom.type.id != type_id:
        raise UnmappableError(
            f"channel {spec.key} has another custom type ({custom.type.id}); the store details "
            f"need the type {rules.type_key}: add its fields to that type or remove it"
        )
    else:
        actions.extend(_custom_field_actions(spec, custom.fields))
    return actions
