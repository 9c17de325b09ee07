"""Channels (`/channels`): stores and warehouses, with roles, address, geo location, custom fields.

Keys are required and unique. Roles are validated against `ChannelRoleEnum`; a draft without
roles gets `InventorySupply`, as on the platform.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from sandbox.commercetools.custom_fields import (
    SetCustomField,
    SetCustomType,
    apply_custom_field,
    apply_custom_type,
    build_custom,
    stored_address,
)
from sandbox.commercetools.resources.base import (
    KEY_UNIQUE,
    ResourceSpec,
    set_optional,
    update_adapter,
)
from sandbox.commercetools.store import Resource, Store, UpdateContext
from sandbox.commercetools.wire import (
    BaseAddress,
    CustomFieldsDraft,
    GeoJsonPoint,
    LocalizedString,
    UserKey,
    WireModel,
)

ChannelRole = Literal[
    "InventorySupply", "ProductDistribution", "OrderExport", "OrderImport", "Primary"
]


class ChannelDraft(WireModel):
    key: UserKey
    roles: list[ChannelRole] | None = None
    name: LocalizedString | None = None
    description: LocalizedString | None = None
    address: BaseAddress | None = None
    custom: CustomFieldsDraft | None = None
    geo_location: GeoJsonPoint | None = None


class ChangeName(WireModel):
    action: Literal["changeName"]
    name: LocalizedString


class ChangeDescription(WireModel):
    action: Literal["changeDescription"]
    description: LocalizedString


class ChangeKey(WireModel):
    action: Literal["changeKey"]
    key: UserKey


class SetAddress(WireModel):
    action: Literal["setAddress"]
    address: BaseAddress | None = None


class SetGeoLocation(WireModel):
    action: Literal["setGeoLocation"]
    geo_location: GeoJsonPoint | None = None


class SetRoles(WireModel):
    action: Literal["setRoles"]
    roles: list[ChannelRole]


class AddRoles(WireModel):
    action: Literal["addRoles"]
    roles: list[ChannelRole]


class RemoveRoles(WireModel):
    action: Literal["removeRoles"]
    roles: list[ChannelRole]


ChannelActionUnion = (
    ChangeName
    | ChangeDescription
    | ChangeKey
    | SetAddress
    | SetGeoLocation
    | SetRoles
    | AddRoles
    | RemoveRoles
    | SetCustomType
    | SetCustomField
)
ChannelAction = Annotated[ChannelActionUnion, Field(discriminator="action")]


def _distinct(roles: list[str]) -> list[str]:
    return list(dict.fromkeys(roles))


def create(store: Store, draft: ChannelDraft, resource_id: str | None = None) -> Resource:
    resource = store.base_fields(resource_id)
    resource["key"] = draft.key
    resource["roles"] = (
        _distinct(list(draft.roles)) if draft.roles is not None else ["InventorySupply"]
    )
    set_optional(resource, "name", draft.name)
    set_optional(resource, "description", draft.description)
    set_optional(resource, "address", stored_address(store, draft.address))
    set_optional(resource, "geoLocation", draft.geo_location.wire() if draft.geo_location else None)
    set_optional(resource, "custom", build_custom(store, draft.custom, "channel"))
    return store.insert("channel", resource)


def apply(context: UpdateContext, action: ChannelActionUnion) -> None:
    resource = context.resource
    if isinstance(action, ChangeName):
        resource["name"] = action.name
    elif isinstance(action, ChangeDescription):
        resource["description"] = action.description
    elif isinstance(action, ChangeKey):
        resource["key"] = action.key
    elif isinstance(action, SetAddress):
        set_optional(resource, "address", stored_address(context.store, action.address))
    elif isinstance(action, SetGeoLocation):
        location = action.geo_location.wire() if action.geo_location else None
        set_optional(resource, "geoLocation", location)
    elif isinstance(action, SetRoles):
        resource["roles"] = _distinct(list(action.roles))
    elif isinstance(action, AddRoles):
        resource["roles"] = _distinct([*resource["roles"], *action.roles])
    elif isinstance(action, RemoveRoles):
        resource["roles"] = [role for role in resource["roles"] if role not in action.roles]
    elif isinstance(action, SetCustomType):
        apply_custom_type(context.store, resource, action.type, action.fields, "channel")
    else:
        apply_custom_field(context.store, resource, action.name, action.value, "channel")


SPEC: ResourceSpec[ChannelDraft, ChannelActionUnion] = ResourceSpec(
    path="channels",
    type_id="channel",
    scope="channels",
    unique=(KEY_UNIQUE,),
    draft=TypeAdapter(ChannelDraft),
    create=create,
    update=update_adapter(ChannelAction),
    apply=apply,
)
