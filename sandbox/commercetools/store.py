"""The in-memory project: collections of resources as commercetools JSON, and the messages.

Stored resources are never mutated in place. An update deep-copies the resource, applies the
actions to the copy, checks the unique fields and swaps the copy in, so a failing action leaves
nothing behind, readers (and other threads) always see a consistent version, and responses can
hand out stored objects without copying. The version goes up once per update request that
changes the resource; an update that changes nothing keeps the version and creates no messages,
as on the real platform.

Messages are created in the same step as the change they describe, numbered per resource
(`sequenceNumber`), stored in the `message` collection (queryable like any resource) and handed
to listeners (the subscription dispatcher).
"""

from __future__ import annotations

import contextlib
import copy
import random
import threading
import uuid
from collections.abc import Callable, Generator, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.commercetools.errors import (
    concurrent_modification,
    duplicate_field,
    not_found,
)

Resource = dict[str, Any]
MessageListener = Callable[[Resource], None]
Payload = Resource | Callable[[Resource], Resource]

SEED_NAMESPACE = uuid.UUID("6f1c2a8e-3d4b-4e5f-9a6b-7c8d9e0f1a2b")


_ids = random.Random()


def new_id() -> str:
    """A random (version 4) UUID string; much cheaper than `uuid.uuid4()` for bulk seeding."""
    digits = f"{_ids.getrandbits(128):032x}"
    variant = "89ab"[int(digits[16], 16) & 3]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:]}"


def timestamp(moment: datetime | None = None) -> str:
    """commercetools' date-time format: UTC, millisecond precision, `Z`."""
    moment = moment or datetime.now(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def reference(type_id: str, resource_id: str) -> Resource:
    return {"typeId": type_id, "id": resource_id}


def seeded_id(type_id: str, natural_key: str) -> str:
    """A stable id for seeded resources, so the demo data has the same ids on every start."""
    return str(uuid.uuid5(SEED_NAMESPACE, f"{type_id}:{natural_key}"))


@dataclass(frozen=True)
class UniqueField:
    """A value (or several) that no two resources of a collection may share.

    `values` extracts the hashable values of a resource; `reported` turns one of them into the
    `duplicateValue` of the DuplicateField error, `message` optionally words the error.
    """

    name: str
    values: Callable[[Resource], Iterable[Hashable]]
    reported: Callable[[Any], Any] = lambda value: value
    message: Callable[[Any], str] | None = None


def top_level(name: str) -> Callable[[Resource], Iterable[Hashable]]:
    def values(resource: Resource) -> Iterable[Hashable]:
        value = resource.get(name)
        return () if value is None else (value,)

    return values


QUERY_INDEXED_FIELDS = ("id", "key", "sku", "orderNumber")
"""Top-level fields whose `=` and `in` predicates are answered from an index (`holders`)."""


class FieldIndex:
    """The ids of the resources holding each string value of one top-level field. Resources
    whose value is there but not a string are kept apart as always possible: a predicate may
    still match them (`version = "3"` matches 3, `tags = "x"` a list holding "x")."""

    def __init__(self, field_name: str) -> None:
        self.field_name = field_name
        self._by_value: dict[str, set[str]] = {}
        self._others: set[str] = set()

    def add(self, resource: Resource) -> None:
        value = resource.get(self.field_name)
        if isinstance(value, str):
            self._by_value.setdefault(value, set()).add(resource["id"])
        elif value is not None:
            self._others.add(resource["id"])

    def discard(self, resource: Resource) -> None:
        value = resource.get(self.field_name)
        if isinstance(value, str):
            holders = self._by_value.get(value)
            if holders is not None:
                holders.discard(resource["id"])
                if not holders:
                    del self._by_value[value]
        else:
            self._others.discard(resource["id"])

    def holders(self, values: Iterable[str]) -> set[str]:
        """The ids of every resource that may hold one of `values` (a superset)."""
        found = set(self._others)
        for value in values:
            found |= self._by_value.get(value, set())
        return found


class Collection:
    """Resources of one type by id, in creation order, with unique-value indexes and the
    query indexes of `QUERY_INDEXED_FIELDS`."""

    def __init__(self, type_id: str, unique: Sequence[UniqueField] = ()) -> None:
        self.type_id = type_id
        self._items: dict[str, Resource] = {}
        self._positions: dict[str, int] = {}
        self._created = 0
        self._unique = tuple(unique)
        self._indexes: dict[str, dict[Hashable, str]] = {u.name: {} for u in self._unique}
        self._queried = {name: FieldIndex(name) for name in QUERY_INDEXED_FIELDS}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Resource]:
        return iter(list(self._items.values()))

    def get(self, resource_id: str) -> Resource | None:
        return self._items.get(resource_id)

    def holders(self, field_name: str, values: Iterable[str]) -> set[str] | None:
        """The ids of the resources whose `field_name` may equal one of `values` (a superset:
        the predicate still decides); None when the field has no query index."""
        index = self._queried.get(field_name)
        return None if index is None else index.holders(values)

    def in_creation_order(self, ids: Iterable[str]) -> list[Resource]:
        """The resources with these ids that (still) exist, oldest first, as iteration
        yields them."""
        found = [
            (position, resource)
            for resource_id in ids
            if (position := self._positions.get(resource_id)) is not None
            and (resource := self._items.get(resource_id)) is not None
        ]
        found.sort(key=lambda pair: pair[0])
        return [resource for _, resource in found]

    def find(self, unique_name: str, value: Hashable) -> Resource | None:
        """The resource holding `value` in the unique field `unique_name` (e.g. "key")."""
        resource_id = self._indexes[unique_name].get(value)
        return None if resource_id is None else self._items[resource_id]

    def has_unique(self, unique_name: str) -> bool:
        return unique_name in self._indexes

    def check_unique(self, resource: Resource) -> None:
        for unique in self._unique:
            index = self._indexes[unique.name]
            seen: set[Hashable] = set()
            for value in unique.values(resource):
                owner = index.get(value)
                if value in seen or (owner is not None and owner != resource["id"]):
                    reported = unique.reported(value)
                    text = unique.message(reported) if unique.message else None
                    raise duplicate_field(unique.name, reported, text)
                seen.add(value)

    def put(self, resource: Resource) -> None:
        """Insert or replace; the caller has checked uniqueness."""
        previous = self._items.get(resource["id"])
        for unique in self._unique:
            index = self._indexes[unique.name]
            if previous is not None:
                for value in unique.values(previous):
                    index.pop(value, None)
            for value in unique.values(resource):
                index[value] = resource["id"]
        for queried in self._queried.values():
            if previous is not None:
                queried.discard(previous)
            queried.add(resource)
        if previous is None:
            self._positions[resource["id"]] = self._created
            self._created += 1
        self._items[resource["id"]] = resource

    def remove(self, resource_id: str) -> Resource | None:
        previous = self._items.pop(resource_id, None)
        if previous is not None:
            self._positions.pop(resource_id, None)
            for unique in self._unique:
                for value in unique.values(previous):
                    self._indexes[unique.name].pop(value, None)
            for queried in self._queried.values():
                queried.discard(previous)
        return previous


@dataclass
class UpdateContext:
    """What an update action sees: the store, the working copy, and the messages it creates."""

    store: Store
    resource: Resource
    messages: list[tuple[str, Payload]] = field(default_factory=list)

    def emit(self, message_type: str, payload: Payload) -> None:
        """Queue a message; a callable payload is built from the final, versioned resource."""
        self.messages.append(
            (message_type, payload if callable(payload) else copy.deepcopy(payload))
        )


@dataclass(frozen=True)
class Pricing:
    """How carts are taxed: one rate for every line and the shipping."""

    tax_rate: float = 0.19
    included_in_price: bool = True
    rate_name: str = "Standard"


class Store:
    """One commercetools project. Writes hold `lock`; reads need no lock (see module doc)."""

    def __init__(
        self,
        project_key: str,
        unique_fields: Mapping[str, Sequence[UniqueField]],
        *,
        pricing: Pricing | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.project_key = project_key
        self.pricing = pricing or Pricing()
        self.clock = clock
        self.lock = threading.RLock()
        self.collections = {tid: Collection(tid, unique) for tid, unique in unique_fields.items()}
        self.collections.setdefault("message", Collection("message"))
        self._sequence_numbers: dict[str, int] = {}
        self._listeners: list[MessageListener] = []
        self._silenced = False

    # --- reading --------------------------------------------------------------------------------

    def now(self) -> str:
        return timestamp(self.clock())

    def collection(self, type_id: str) -> Collection:
        return self.collections[type_id]

    def get(self, type_id: str, resource_id: str) -> Resource:
        resource = self.collections[type_id].get(resource_id)
        if resource is None:
            raise not_found(resource_id=resource_id)
        return resource

    def get_by_key(self, type_id: str, key: str) -> Resource:
        resource = self.collections[type_id].find("key", key)
        if resource is None:
            raise not_found(key=key)
        return resource

    def lookup(self, type_id: str, resource_id: str) -> Resource | None:
        """For reference expansion: any collection, None when absent."""
        collection = self.collections.get(type_id)
        return None if collection is None else collection.get(resource_id)

    # --- writing --------------------------------------------------------------------------------

    def base_fields(self, resource_id: str | None = None) -> Resource:
        now = self.now()
        return {
            "id": resource_id or new_id(),
            "version": 1,
            "createdAt": now,
            "lastModifiedAt": now,
        }

    def insert(
        self, type_id: str, resource: Resource, messages: Iterable[tuple[str, Payload]] = ()
    ) -> Resource:
        """Store a new resource (built on `base_fields`) and create its messages."""
        with self.lock:
            collection = self.collections[type_id]
            if collection.get(resource["id"]) is not None:
                raise duplicate_field("id", resource["id"])
            collection.check_unique(resource)
            published = self._number_messages(type_id, resource, list(messages))
            collection.put(resource)
            self._publish(published)
            return resource

    def update(
        self,
        type_id: str,
        resource_id: str,
        version: int,
        mutate: Callable[[UpdateContext], None],
        *,
        working_copy: Callable[[Resource], Resource] = copy.deepcopy,
    ) -> Resource:
        """Apply `mutate` to a copy of the resource at `version`, all or nothing."""
        with self.lock:
            collection = self.collections[type_id]
            current = collection.get(resource_id)
            if current is None:
                raise not_found(resource_id=resource_id)
            if current["version"] != version:
                raise concurrent_modification(resource_id, version, current["version"])
            context = UpdateContext(self, working_copy(current))
            mutate(context)
            working = context.resource
            if working == current:
                return current
            working["version"] = current["version"] + 1
            working["lastModifiedAt"] = self.now()
            collection.check_unique(working)
            published = self._number_messages(type_id, working, context.messages)
            collection.put(working)
            self._publish(published)
            return working

    def delete(self, type_id: str, resource_id: str, version: int) -> Resource:
        with self.lock:
            current = self.get(type_id, resource_id)
            if current["version"] != version:
                raise concurrent_modification(resource_id, version, current["version"])
            self.collections[type_id].remove(resource_id)
            return current

    @contextlib.contextmanager
    def without_messages(self) -> Generator[None]:
        """Write pre-existing data (the seed): no messages are created meanwhile."""
        with self.lock:
            self._silenced = True
            try:
                yield
            finally:
                self._silenced = False

    def add_listener(self, listener: MessageListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: MessageListener) -> None:
        self._listeners.remove(listener)

    def _number_messages(
        self, type_id: str, resource: Resource, messages: list[tuple[str, Payload]]
    ) -> list[Resource]:
        """Build the message resources; records the last sequence number on orders."""
        if not messages or self._silenced:
            return []
        sequence = self._sequence_numbers.get(resource["id"], 0)
        built: list[Resource] = []
        pending_payloads: list[tuple[Resource, Payload]] = []
        for message_type, payload in messages:
            sequence += 1
            now = self.now()
            message: Resource = {
                "id": new_id(),
                "version": 1,
                "sequenceNumber": sequence,
                "resource": reference(type_id, resource["id"]),
                "resourceVersion": resource["version"],
                "resourceUserProvidedIdentifiers": user_provided_identifiers(resource),
                "type": message_type,
                "createdAt": now,
                "lastModifiedAt": now,
            }
            built.append(message)
            pending_payloads.append((message, payload))
        if "lastMessageSequenceNumber" in resource:
            resource["lastMessageSequenceNumber"] = sequence
        for message, payload in pending_payloads:
            message.update(payload(resource) if callable(payload) else payload)
        self._sequence_numbers[resource["id"]] = sequence
        return built

    def _publish(self, messages: list[Resource]) -> None:
        collection = self.collections["message"]
        for message in messages:
            collection.put(message)
        for message in messages:
            for listener in list(self._listeners):
                listener(message)


def user_provided_identifiers(resource: Resource) -> Resource:
    """`resourceUserProvidedIdentifiers` of a message: the natural keys the resource has."""
    found = {
        name: resource[name]
        for name in ("key", "externalId", "orderNumber", "customerNumber", "sku")
        if resource.get(name) is not None
    }
    slug = resource.get("slug") or resource.get("masterData", {}).get("staged", {}).get("slug")
    if slug:
        found["slug"] = slug
    return found
