"""What every resource module provides, and the helpers they share.

A `ResourceSpec` ties a URL segment (`orders`) to its reference type id (`order`), the OAuth
scope group that guards it, its unique fields, and how to create and update it. The routes in
`sandbox.commercetools.api` are generated from the specs, so every resource gets the same
query, get, key, update and delete semantics.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter

from sandbox.commercetools.errors import invalid_input, invalid_json, referenced_not_found
from sandbox.commercetools.store import Resource, Store, UniqueField, UpdateContext, top_level
from sandbox.commercetools.wire import ResourceIdentifier, Update

DraftT = TypeVar("DraftT")
ActionT = TypeVar("ActionT")


def _unchanged(resource: Resource) -> Resource:
    return resource


@dataclass(frozen=True)
class ResourceSpec(Generic[DraftT, ActionT]):
    path: str
    type_id: str
    scope: str
    unique: tuple[UniqueField, ...]
    draft: TypeAdapter[DraftT] | None = None
    create: Callable[[Store, DraftT], Resource] | None = None
    update: TypeAdapter[Update[ActionT]] | None = None
    apply: Callable[[UpdateContext, ActionT], None] | None = None
    working_copy: Callable[[Resource], Resource] = copy.deepcopy
    created_body: Callable[[Resource], Resource] = _unchanged
    deletable: bool = True


KEY_UNIQUE = UniqueField("key", top_level("key"))


def resolve(store: Store, identifier: ResourceIdentifier, type_id: str) -> Resource:
    """The resource an identifier (`{typeId?, id?, key?}`) points at, or a 400 naming it."""
    if identifier.type_id is not None and identifier.type_id != type_id:
        raise invalid_json(f"typeId: expected '{type_id}', got '{identifier.type_id}'")
    collection = store.collection(type_id)
    if identifier.id is not None:
        found = collection.get(identifier.id)
        if found is None:
            raise referenced_not_found(type_id, resource_id=identifier.id)
        if identifier.key is not None and found.get("key") != identifier.key:
            raise invalid_input(
                f"The {type_id} with id '{identifier.id}' does not have key '{identifier.key}'."
            )
        return found
    found = collection.find("key", identifier.key) if collection.has_unique("key") else None
    if found is None:
        raise referenced_not_found(type_id, key=identifier.key)
    return found


def set_optional(target: Resource, name: str, value: Any) -> None:
    """Set `name`, or remove it when `value` is None (how "set" actions unset a field)."""
    if value is None:
        target.pop(name, None)
    else:
        target[name] = value


def update_adapter(action: Any) -> TypeAdapter[Update[Any]]:
    """The `{version, actions}` body for a discriminated union of actions."""
    return TypeAdapter(Update[action])
