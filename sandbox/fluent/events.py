"""Fluent's Event API: named events sent at an entity run the workflow's matching ruleset.

The sandbox's workflow has one ruleset reachable by events: `CancelOrder` on ORDER, which cancels
the order and its open fulfilments (see `Lifecycle.cancel_order`) or, once goods were shipped or
made ready for collection, fails with the reason. Any other event is recorded with status
`NO_MATCH` and changes nothing, as Fluent does when no ruleset matches. The entity an ORDER,
FULFILMENT or LOCATION event names must exist (404 otherwise).

`/event/sync` runs the ruleset before answering; `/event/async` answers PENDING and runs it right
after; `GET /event/{id}` shows the outcome of either.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from sandbox.fluent.clock import SandboxClock, format_datetime
from sandbox.fluent.errors import InvalidInputError, NotFoundError
from sandbox.fluent.lifecycle import Lifecycle, Scheduler, call_soon
from sandbox.fluent.models import Fulfilment, Location, Order
from sandbox.fluent.store import FluentStore

COMPLETE = "COMPLETE"
FAILED = "FAILED"
NO_MATCH = "NO_MATCH"
PENDING = "PENDING"


class EventRequest(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    name: str = Field(min_length=1)
    retailer_id: str | int
    entity_type: str = Field(min_length=1)
    entity_ref: str | None = None
    entity_id: str | int | None = None
    entity_subtype: str | None = None
    root_entity_type: str | None = None
    root_entity_ref: str | None = None
    root_entity_id: str | int | None = None
    account_id: str | None = None
    type: str | None = None
    source: str | None = None
    attributes: dict[str, Any] | list[dict[str, Any]] | None = None
    meta: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _names_an_entity(self) -> EventRequest:
        if self.entity_ref is None and self.entity_id is None:
            raise ValueError("entityRef or entityId is required")
        return self


@dataclass(slots=True)
class EventRecord:
    id: str
    request: EventRequest
    entity_id: str | None
    status: str
    generated_on: datetime
    message: str | None = None

    def answer(self) -> dict[str, Any]:
        """What `/event/sync` and `/event/async` return."""
        answer: dict[str, Any] = {
            "eventId": self.id,
            "entityId": self.entity_id,
            "eventStatus": self.status,
        }
        if self.message is not None:
            answer["message"] = self.message
        return answer

    def to_json(self) -> dict[str, Any]:
        """What `GET /event/{id}` returns."""
        request = self.request
        return {
            "id": self.id,
            "name": request.name,
            "type": request.type or "NORMAL",
            "retailerId": str(request.retailer_id),
            "entityType": request.entity_type,
            "entityId": self.entity_id,
            "entityRef": request.entity_ref,
            "entitySubtype": request.entity_subtype,
            "rootEntityType": request.root_entity_type,
            "rootEntityRef": request.root_entity_ref,
            "attributes": request.attributes,
            "eventStatus": self.status,
            "message": self.message,
            "generatedOn": format_datetime(self.generated_on),
        }


class EventService:
    def __init__(
        self,
        store: FluentStore,
        lifecycle: Lifecycle,
        clock: SandboxClock,
        *,
        account_id: str,
        scheduler: Scheduler = call_soon,
    ) -> None:
        self._account_id = account_id
        self._store = store
        self._lifecycle = lifecycle
        self._clock = clock
        self._schedule = scheduler
        self._events: dict[str, EventRecord] = {}

    def event(self, event_id: str) -> EventRecord:
        record = self._events.get(event_id)
        if record is None:
            raise NotFoundError(f"Event {event_id} not found")
        return record

    def submit(self, request: EventRequest, *, sync: bool) -> EventRecord:
        if str(request.retailer_id) != self._store.retailer_id:
            raise InvalidInputError(
                f"retailerId {request.retailer_id} is not this sandbox's retailer "
                f"({self._store.retailer_id})"
            )
        if request.account_id is not None and request.account_id != self._account_id:
            raise InvalidInputError(
                f"accountId {request.account_id} is not this sandbox's account ({self._account_id})"
            )
        entity = self._entity(request)
        record = EventRecord(
            id=str(uuid.uuid4()),
            request=request,
            entity_id=str(entity.id) if entity else _text(request.entity_id),
            status=PENDING,
            generated_on=self._clock.now(),
        )
        self._events[record.id] = record
        if sync:
            self._run(record, entity)
        else:
            self._schedule(lambda: self._run(record, entity))
        return record

    def _entity(self, request: EventRequest) -> Order | Fulfilment | Location | None:
        """The named entity for the types the workflow knows; None for other types."""
        entity_type = request.entity_type.upper()
        key = _text(request.entity_id)
        found: Order | Fulfilment | Location | None
        if entity_type == "ORDER":
            found = self._store.orders.get(key) if key else self._store.order_by_ref(_ref(request))
        elif entity_type == "FULFILMENT":
            found = (
                self._store.fulfilments.get(key)
                if key
                else self._store.fulfilment_by_ref(_ref(request))
            )
        elif entity_type == "LOCATION":
            found = (
                self._store.locations.get(key)
                if key
                else self._store.location_by_ref(_ref(request))
            )
        else:
            return None
        if found is None:
            raise NotFoundError(
                f"{entity_type} with {'id ' + key if key else 'ref ' + _ref(request)} not found"
            )
        return found

    def _run(self, record: EventRecord, entity: Order | Fulfilment | Location | None) -> None:
        if record.request.name == "CancelOrder" and isinstance(entity, Order):
            outcome = self._lifecycle.cancel_order(entity)
            record.status = COMPLETE if outcome.cancelled else FAILED
            record.message = outcome.reason
        else:
            record.status = NO_MATCH
            record.message = (
                f"no ruleset for event '{record.request.name}' on {record.request.entity_type}: "
                "recorded without effect"
            )


def _text(value: str | int | None) -> str | None:
    return None if value is None else str(value)


def _ref(request: EventRequest) -> str:
    assert request.entity_ref is not None  # the validator requires a ref when there is no id
    return request.entity_ref
