"""Fluent locations -> commercetools channels: the draft, the store details, and the update
actions that change only what differs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.commercetools.actions import (
    ChangeName,
    SetAddress,
    SetCustomField,
    SetCustomType,
    SetGeoLocation,
    SetRoles,
)
from connector.commercetools.drafts import NumberType, StringType
from connector.commercetools.enums import ChannelRole
from connector.commercetools.models import Channel
from connector.mapping.channels import (
    FIELD_LATITUDE,
    FIELD_LOCATION_STATUS,
    FIELD_OPENING_SCHEDULE,
    OWNED_FIELDS,
    ChannelRules,
    channel_actions,
    channel_draft,
    channel_field_definitions,
    channel_spec,
)
from connector.syncs import UnmappableError
from tests.unit.syncs.factories import (
    CHANNEL_TYPE_ID,
    apply_channel_actions,
    created_channel,
    location,
)

RULES = ChannelRules(locale="en", type_key="fluent-connector-channel")


def as_created(**location_args: Any) -> Channel:
    return created_channel(channel_draft(channel_spec(location(**location_args)), RULES))


def actions_for(channel: Channel, **location_args: Any) -> list[Any]:
    return channel_actions(
        channel_spec(location(**location_args)), channel, RULES, type_id=CHANNEL_TYPE_ID
    )


def test_a_location_becomes_a_channel_draft_keyed_by_its_ref() -> None:
    draft = channel_draft(channel_spec(location("ST-001")), RULES)

    assert draft.to_wire() == {
        "key": "ST-001",
        "roles": ["InventorySupply", "ProductDistribution"],
        "name": {"en": "Berlin Store 1"},
        "address": {
            "country": "DE",
            "streetName": "Hauptstrasse 5",
            "postalCode": "10115",
            "city": "Berlin",
            "state": "BE",
        },
        "geoLocation": {"type": "Point", "coordinates": [13.405, 52.52]},
        "custom": {
            "type": {"typeId": "type", "key": "fluent-connector-channel"},
            "fields": {
                "fluentLocationType": "STORE",
                "fluentLocationStatus": "ACTIVE",
                "fluentPhone": "+49 30 1234567",
                "fluentLatitude": 52.52,
                "fluentLongitude": 13.405,
                "fluentTimeZone": "Europe/Berlin",
                "fluentOpeningSchedule": draft.custom.fields[FIELD_OPENING_SCHEDULE],  # type: ignore[union-attr]
            },
        },
    }


def test_the_opening_schedule_is_compact_json_with_every_day() -> None:
    schedule = channel_spec(location()).fields[FIELD_OPENING_SCHEDULE]

    decoded = json.loads(schedule)
    assert decoded["allHours"] is False
    assert decoded["monStart"] == 900
    assert decoded["sunEnd"] == 2000
    assert schedule == json.dumps(decoded, sort_keys=True, separators=(",", ":"))


def test_without_name_the_channel_is_named_after_the_ref() -> None:
    assert channel_spec(location("WH-005", name=None)).name == "WH-005"


def test_a_location_without_address_or_schedule_has_none_and_no_such_fields() -> None:
    spec = channel_spec(location(address=False, schedule=False))

    assert spec.address is None
    assert spec.geo_location is None
    assert set(spec.fields) == {"fluentLocationType", "fluentLocationStatus", "fluentPhone"}


def test_the_country_code_is_normalised() -> None:
    spec = channel_spec(location(country=" de "))

    assert spec.address is not None
    assert spec.address.country == "DE"


@pytest.mark.parametrize("country", ["Germany", "", None, "D1"])
def test_a_country_that_is_not_an_iso_code_is_a_clear_failure(country: str | None) -> None:
    with pytest.raises(UnmappableError, match="not an ISO 3166-1 alpha-2 code"):
        channel_spec(location(country=country))


def test_coordinates_out_of_range_are_a_clear_failure() -> None:
    with pytest.raises(UnmappableError, match="coordinates out of range"):
        channel_spec(location(latitude=95.0))


def test_missing_coordinates_mean_no_geo_location() -> None:
    spec = channel_spec(location(latitude=None))

    assert spec.geo_location is None
    assert FIELD_LATITUDE not in spec.fields


def test_the_channel_type_defines_every_owned_field() -> None:
    definitions = channel_field_definitions()

    assert [d.name for d in definitions] == list(OWNED_FIELDS)
    types = {d.name: type(d.type) for d in definitions}
    assert types["fluentLatitude"] is NumberType
    assert types["fluentLongitude"] is NumberType
    assert types["fluentLocationStatus"] is StringType


def test_an_unchanged_channel_needs_no_action() -> None:
    assert actions_for(as_created()) == []


def test_a_deactivated_location_changes_only_the_status_field() -> None:
    actions = actions_for(as_created(), status="INACTIVE")

    assert actions == [SetCustomField(name=FIELD_LOCATION_STATUS, value="INACTIVE")]


def test_missing_roles_are_added_and_other_roles_kept() -> None:
    channel = as_created().model_copy(update={"roles": ["Primary", "InventorySupply"]})

    actions = actions_for(channel)

    assert actions == [
        SetRoles(
            roles=[
                ChannelRole.INVENTORY_SUPPLY,
                ChannelRole.PRIMARY,
                ChannelRole.PRODUCT_DISTRIBUTION,
            ]
        )
    ]


def test_a_renamed_location_changes_its_locale_and_keeps_the_others() -> None:
    channel = as_created().model_copy(update={"name": {"en": "Old", "de": "Alt"}})

    assert actions_for(channel) == [ChangeName(name={"en": "Berlin Store 1", "de": "Alt"})]


def test_a_moved_location_sets_address_geo_location_and_coordinates() -> None:
    actions = actions_for(as_created(), latitude=48.1, longitude=11.5)

    assert [type(a) for a in actions] == [SetGeoLocation, SetCustomField, SetCustomField]
    assert actions[0].geo_location.coordinates == (11.5, 48.1)


def test_a_changed_address_sets_the_whole_address() -> None:
    actions = actions_for(as_created(), country="AT")

    assert [type(a) for a in actions] == [SetAddress]


def test_a_removed_address_is_removed() -> None:
    actions = actions_for(as_created(), address=False)

    assert SetAddress(address=None) in actions
    assert SetGeoLocation(geo_location=None) in actions
    assert SetCustomField(name="fluentTimeZone", value=None) in actions


def test_a_channel_without_custom_fields_gets_the_type_with_every_field() -> None:
    channel = as_created().model_copy(update={"custom": None})

    (action,) = actions_for(channel)

    assert isinstance(action, SetCustomType)
    assert action.fields == channel_spec(location()).fields


def test_a_channel_with_another_custom_type_is_refused_not_stripped() -> None:
    channel = as_created()
    assert channel.custom is not None
    foreign = channel.custom.model_copy(
        update={"type": channel.custom.type.model_copy(update={"id": "other"})}
    )

    with pytest.raises(UnmappableError, match="has another custom type"):
        actions_for(channel.model_copy(update={"custom": foreign}))


def test_numbers_from_commercetools_compare_by_value() -> None:
    channel = as_created(latitude=52.0, longitude=13.0)
    assert channel.custom is not None
    fields = {**channel.custom.fields, "fluentLatitude": 52, "fluentLongitude": 13}
    channel = channel.model_copy(
        update={"custom": channel.custom.model_copy(update={"fields": fields})}
    )

    assert actions_for(channel, latitude=52.0, longitude=13.0) == []


def test_foreign_custom_fields_of_our_type_are_left_alone() -> None:
    channel = as_created()
    assert channel.custom is not None
    fields = {**channel.custom.fields, "merchantNote": "keep"}
    channel = channel.model_copy(
        update={"custom": channel.custom.model_copy(update={"fields": fields})}
    )

    assert actions_for(channel) == []


locations = st.builds(
    location,
    status=st.sampled_from(["ACTIVE", "INACTIVE"]),
    name=st.one_of(st.none(), st.text(min_size=1, max_size=10)),
    country=st.sampled_from(["DE", "AT", "ch"]),
    latitude=st.one_of(st.none(), st.floats(-90, 90)),
    longitude=st.floats(-180, 180),
    address=st.booleans(),
    schedule=st.booleans(),
)


@settings(max_examples=100, deadline=None)
@given(before=locations, after=locations)
def test_after_applying_the_actions_the_next_diff_is_empty(before: Any, after: Any) -> None:
    channel = created_channel(channel_draft(channel_spec(before), RULES))
    spec = channel_spec(after)

    updated = apply_channel_actions(
        channel, channel_actions(spec, channel, RULES, type_id=CHANNEL_TYPE_ID)
    )

    assert channel_actions(spec, updated, RULES, type_id=CHANNEL_TYPE_ID) == []
