"""commercetools event deliveries, parsed into typed events and classified into what to do.

`POST /commercetools/events` may receive a notification in any of these shapes:

1. A Google Pub/Sub push request, as commercetools Connect event applications receive them:
   `{"message": {"data": base64(JSON), "messageId", "attributes", "publishTime"},
   "subscription"}`. The decoded data is a Platform-format notification or a structured
   CloudEvent; CloudEvent attributes sent as Pub/Sub attributes (`ce-type`, ...) also work.
2. The Platform format: a message as a subscription puts it on a queue (the message plus
   `notificationType: "Message"` and `projectKey`), or a bare message as `GET /messages`
   returns it (`id`, `type`, `resource`, ...).
3. A CloudEvent 1.0: structured mode (JSON with `specversion`, `id`, `type`
   `com.commercetools.<resource>.message.<Type>`, `subject`, `data` = the message) or binary
   mode (`ce-*` headers, the body is the data).

Notifications that are well formed but are not messages are acknowledged and ignored, never
rejected (rejecting makes Pub/Sub redeliver them for days):
- change notifications (`notificationType` ResourceCreated/ResourceUpdated/ResourceDeleted,
  CloudEvent type `...change...`): the connector acts on messages, which carry the states it
  needs; a subscription that also sends changes costs nothing;
- the test notification commercetools sends when a subscription is created or its destination
  changes: a `ResourceCreated` about the subscription itself;
- `Event` notifications (Checkout and Import events) and notification types added later.

Anything else that cannot be read raises `EventParseError`, whose message names the problem and
never repeats the body (orders carry personal data).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from connector.commercetools.base import UtcDatetime, WireModel
from connector.commercetools.models import Message

ORDER_START_TYPES = ("OrderCreated", "OrderImported")
"""`OrderCreated` fires for orders made from a cart, `OrderImported` for `POST /orders/import`."""
ORDER_STATE_CHANGED = "OrderStateChanged"
ORDER_MESSAGE_TYPES = (*ORDER_START_TYPES, ORDER_STATE_CHANGED)
"""Every order message the connector acts on (the messages poller's type filter)."""
CANCELLED_ORDER_STATE = "Cancelled"
PRODUCT_CHANGE_TYPES = (
    "ProductCreated",
    "ProductPublished",
    "ProductUnpublished",
    "ProductDeleted",
)
"""Product messages that change the published catalog; staged edits only matter once published."""
CATEGORY_MESSAGE_PREFIX = "Category"
"""Every category message (`CategoryCreated`, `CategorySlugChanged`, ...) is a catalog change."""

CHANGE_NOTIFICATION_TYPES = ("ResourceCreated", "ResourceUpdated", "ResourceDeleted")
SUBSCRIPTION_RESOURCE = "subscription"

_CLOUDEVENT_TYPE = re.compile(
    r"^com\.commercetools\.(?P<resource>[a-z][a-z-]*)\.(?P<kind>message|change)\.(?P<name>\w+)$"
)
_CLOUDEVENT_ATTRIBUTES = ("specversion", "id", "type", "source", "subject", "time")
_MAX_KEYS_SHOWN = 8

ModelT = TypeVar("ModelT", bound=BaseModel)


class EventParseError(ValueError):
    """The body is not a commercetools event the connector can read; the message says why.
    `delivery_id` is the Pub/Sub message id when the envelope was readable (for the log)."""

    def __init__(self, message: str, *, delivery_id: str | None = None) -> None:
        super().__init__(message)
        self.delivery_id = delivery_id


class Envelope(StrEnum):
    """The outermost shape an event arrived in (for logs)."""

    PUBSUB = "pubsub"
    PLATFORM = "platform"
    CLOUDEVENT = "cloudevent"
    MESSAGES_API = "messages-api"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class CommercetoolsEvent(_Frozen):
    """One commercetools message, reduced to identifiers and states: no personal data."""

    message_id: str
    type: str
    resource_type_id: str
    resource_id: str
    resource_version: int | None = None
    sequence_number: int | None = None
    created_at: datetime | None = None
    order_number: str | None = None
    resource_key: str | None = None
    order_state: str | None = None
    old_order_state: str | None = None
    payload_included: bool = True
    envelope: Envelope
    delivery_id: str | None = None
    """The Pub/Sub message id, when the event came in a Pub/Sub envelope."""


class StartOrder(_Frozen):
    """Start the order's workflow (OrderCreated, OrderImported)."""

    kind: Literal["start"] = "start"
    order_id: str
    order_number: str | None = None
    message_id: str


class CancelOrder(_Frozen):
    """Ask the order's workflow to cancel the order (OrderStateChanged to Cancelled)."""

    kind: Literal["cancel"] = "cancel"
    order_id: str
    order_number: str | None = None
    reason: str
    message_id: str


class CatalogChange(_Frozen):
    """A product or category changed: the master-data sync of that one entity should run.
    `resource_version` (when known) lets a consumer dedupe redeliveries of the same change."""

    kind: Literal["catalog"] = "catalog"
    resource_type_id: Literal["product", "category"]
    resource_id: str
    resource_version: int | None = None
    resource_key: str | None = None
    message_type: str
    message_id: str


class Ignored(_Frozen):
    """Acknowledge and do nothing; `reason` says why (safe to log)."""

    kind: Literal["ignored"] = "ignored"
    reason: str
    message_id: str | None = None


Intent = StartOrder | CancelOrder | CatalogChange | Ignored


# --- wire models of what is read ----------------------------------------------------------------


class _Reference(WireModel):
    type_id: str
    id: str


class _Identifiers(WireModel):
    key: str | None = None
    order_number: str | None = None


class _OrderNumber(WireModel):
    order_number: str | None = None


class _PlatformMessage(WireModel):
    id: str
    type: str
    resource: _Reference
    resource_version: int | None = None
    sequence_number: int | None = None
    created_at: UtcDatetime | None = None
    resource_user_provided_identifiers: _Identifiers | None = None
    order: _OrderNumber | None = None
    order_state: str | None = None
    old_order_state: str | None = None
    payload_not_included: dict[str, Any] | None = None


class _CloudEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    specversion: str
    id: str
    type: str
    source: str
    subject: str | None = None
    data: dict[str, Any] | None = None


class _PubSubMessage(BaseModel):
    """Pub/Sub sends both spellings of its fields (`messageId` and `message_id`)."""

    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True)

    data: str
    message_id: str | None = None
    attributes: dict[str, str] | None = None


class _PubSubEnvelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message: _PubSubMessage


# --- parsing ------------------------------------------------------------------------------------


def validation_problems(error: ValidationError) -> str:
    """`field.path: what is wrong; ...` without the offending values (they may be personal)."""
    problems = []
    for problem in error.errors():
        path = ".".join(str(part) for part in problem["loc"])
        problems.append(f"{path}: {problem['msg']}" if path else problem["msg"])
    return "; ".join(problems)


def _validate(model: type[ModelT], value: Any, where: str) -> ModelT:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise EventParseError(f"{where}: {validation_problems(exc)}") from None


def _json_object(raw: bytes, where: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except UnicodeDecodeError:
        raise EventParseError(f"{where} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise EventParseError(f"{where} is not JSON ({exc.msg} at position {exc.pos})") from None
    if not isinstance(value, dict):
        raise EventParseError(f"{where} is a JSON {_json_kind(value)}, expected an object")
    return value


def _json_kind(value: Any) -> str:
    kinds: tuple[tuple[type, str], ...] = ((list, "array"), (str, "string"), (bool, "boolean"))
    for python_type, name in kinds:
        if isinstance(value, python_type):
            return name
    return "null" if value is None else "number"


def _decode_base64(data: str, where: str) -> bytes:
    compact = "".join(data.split())
    for altchars in (None, b"-_"):
        try:
            return base64.b64decode(compact, altchars=altchars, validate=True)
        except (binascii.Error, ValueError):
            continue
    raise EventParseError(f"{where} is not valid base64")


def _lower_keys(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {key.lower(): value for key, value in (headers or {}).items()}


def _binary_cloudevent(attributes: Mapping[str, str], data: dict[str, Any]) -> dict[str, Any]:
    """A structured CloudEvent from binary-mode `ce-*` attributes and the data."""
    event: dict[str, Any] = {
        name: attributes[f"ce-{name}"]
        for name in _CLOUDEVENT_ATTRIBUTES
        if f"ce-{name}" in attributes
    }
    event["data"] = data
    return event


def parse_event(
    body: bytes, headers: Mapping[str, str] | None = None
) -> CommercetoolsEvent | Ignored:
    """Read one delivery (the raw body and its HTTP headers). Returns the message it carries,
    or `Ignored` for well-formed notifications that are not messages."""
    lowered = _lower_keys(headers)
    if "ce-specversion" in lowered:
        data = _json_object(body, "CloudEvent data (binary mode body)")
        return _from_cloudevent(_binary_cloudevent(lowered, data), Envelope.CLOUDEVENT, None)
    document = _json_object(body, "body")
    if _is_pubsub_envelope(document):
        return _from_pubsub(document)
    if "specversion" in document:
        return _from_cloudevent(document, Envelope.CLOUDEVENT, None)
    return _from_notification(document, "body", Envelope.PLATFORM, None)


def _is_pubsub_envelope(document: Mapping[str, Any]) -> bool:
    return "message" in document and not {"resource", "specversion", "notificationType"} & set(
        document
    )


def _from_pubsub(document: dict[str, Any]) -> CommercetoolsEvent | Ignored:
    if not isinstance(document["message"], dict):
        raise EventParseError("Pub/Sub envelope: message must be an object")
    if "data" not in document["message"]:
        raise EventParseError("Pub/Sub envelope: message.data is missing")
    envelope = _validate(_PubSubEnvelope, document, "Pub/Sub envelope")
    pubsub = envelope.message
    try:
        return _from_pubsub_data(pubsub)
    except EventParseError as error:
        raise EventParseError(str(error), delivery_id=pubsub.message_id) from None


def _from_pubsub_data(pubsub: _PubSubMessage) -> CommercetoolsEvent | Ignored:
    raw = _decode_base64(pubsub.data, "Pub/Sub envelope: message.data")
    where = "Pub/Sub envelope: decoded message.data"
    inner = _json_object(raw, where)
    attributes = _lower_keys(pubsub.attributes)
    if "ce-type" in attributes and "specversion" not in inner:
        event = _binary_cloudevent(attributes, inner)
        return _from_cloudevent(event, Envelope.PUBSUB, pubsub.message_id)
    if _is_pubsub_envelope(inner):
        raise EventParseError(f"{where} holds another Pub/Sub envelope")
    return _from_notification(inner, where, Envelope.PUBSUB, pubsub.message_id)


def _from_notification(
    document: dict[str, Any], where: str, envelope: Envelope, delivery_id: str | None
) -> CommercetoolsEvent | Ignored:
    if "specversion" in document:
        return _from_cloudevent(document, envelope, delivery_id)
    if "notificationType" in document:
        notification_type = document["notificationType"]
        if not isinstance(notification_type, str):
            raise EventParseError(f"{where}: notificationType must be a string")
        if notification_type != "Message":
            return _ignored_notification(notification_type, document)
        return _from_message(document, where, envelope, delivery_id)
    if {"id", "type", "resource"} <= set(document):
        return _from_message(document, where, envelope, delivery_id)
    keys = sorted(document)
    shown = ", ".join(keys[:_MAX_KEYS_SHOWN]) + (", ..." if len(keys) > _MAX_KEYS_SHOWN else "")
    raise EventParseError(
        f"{where} has an unknown shape: expected a Pub/Sub push envelope (message.data), a "
        f"commercetools message (id, type, resource) or a CloudEvent (specversion); "
        f"got keys: {shown or 'none'}"
    )


def _ignored_notification(notification_type: str, document: Mapping[str, Any]) -> Ignored:
    resource = document.get("resource")
    type_id = resource.get("typeId") if isinstance(resource, dict) else None
    resource_id = resource.get("id") if isinstance(resource, dict) else None
    if notification_type in CHANGE_NOTIFICATION_TYPES:
        if type_id == SUBSCRIPTION_RESOURCE:
            return Ignored(reason="subscription test notification")
        what = f"{type_id} {resource_id}" if type_id else "a resource"
        return Ignored(
            reason=f"change notification {notification_type} for {what}: the connector acts "
            "on messages only"
        )
    if notification_type == "Event":
        event_id = document.get("id")
        return Ignored(
            reason=f"event notification {document.get('type')}: not used by the connector",
            message_id=event_id if isinstance(event_id, str) else None,
        )
    return Ignored(reason=f"unknown notificationType {notification_type!r}")


def _from_message(
    document: dict[str, Any], where: str, envelope: Envelope, delivery_id: str | None
) -> CommercetoolsEvent:
    message = _validate(_PlatformMessage, document, f"{where} (message)")
    identifiers = message.resource_user_provided_identifiers or _Identifiers()
    order_number = identifiers.order_number or (
        message.order.order_number if message.order else None
    )
    return CommercetoolsEvent(
        message_id=message.id,
        type=message.type,
        resource_type_id=message.resource.type_id,
        resource_id=message.resource.id,
        resource_version=message.resource_version,
        sequence_number=message.sequence_number,
        created_at=message.created_at,
        order_number=order_number,
        resource_key=identifiers.key,
        order_state=message.order_state,
        old_order_state=message.old_order_state,
        payload_included=message.payload_not_included is None,
        envelope=envelope,
        delivery_id=delivery_id,
    )


def _from_cloudevent(
    document: dict[str, Any], envelope: Envelope, delivery_id: str | None
) -> CommercetoolsEvent | Ignored:
    event = _validate(_CloudEvent, document, "CloudEvent")
    if event.specversion != "1.0":
        raise EventParseError(f"CloudEvent specversion {event.specversion!r} is not supported")
    match = _CLOUDEVENT_TYPE.match(event.type)
    if match is None:
        raise EventParseError(f"CloudEvent type {event.type!r} is not a commercetools event type")
    resource_type, kind, name = match.group("resource", "kind", "name")
    if kind == "change":
        return Ignored(
            reason=f"change notification {name} for {resource_type} {event.subject}: the "
            "connector acts on messages only"
        )
    if event.data is None:
        raise EventParseError("CloudEvent data is missing (expected the message as an object)")
    message = dict(event.data)
    if message.setdefault("type", name) != name:
        raise EventParseError(
            f"CloudEvent type {event.type!r} disagrees with its data's type {message['type']!r}"
        )
    message.setdefault("id", event.id)
    if "resource" not in message:
        if event.subject is None:
            raise EventParseError("CloudEvent has neither a subject nor data.resource")
        message["resource"] = {"typeId": resource_type, "id": event.subject}
    return _from_message(message, "CloudEvent data", envelope, delivery_id)


def event_from_message(message: Message) -> CommercetoolsEvent:
    """The event of a message read from `GET /messages` (the messages poller's path), read as
    a pushed message would be."""
    return _from_message(
        message.model_dump(mode="json", by_alias=True), "message", Envelope.MESSAGES_API, None
    )


# --- classification -----------------------------------------------------------------------------


def classify(event: CommercetoolsEvent) -> Intent:
    """What the connector does with a message."""
    message_id = event.message_id
    if event.type in ORDER_MESSAGE_TYPES:
        if event.resource_type_id != "order":
            return Ignored(
                reason=f"{event.type} about a {event.resource_type_id}, not an order",
                message_id=message_id,
            )
        if event.type in ORDER_START_TYPES:
            return StartOrder(
                order_id=event.resource_id, order_number=event.order_number, message_id=message_id
            )
        return _classify_state_change(event)
    if event.resource_type_id == "product" and event.type in PRODUCT_CHANGE_TYPES:
        return _catalog_change("product", event)
    if event.resource_type_id == "category" and event.type.startswith(CATEGORY_MESSAGE_PREFIX):
        return _catalog_change("category", event)
    return Ignored(reason=f"{event.type} messages are not acted upon", message_id=message_id)


def _classify_state_change(event: CommercetoolsEvent) -> Intent:
    if event.order_state is None:
        why = "without its payload" if not event.payload_included else "without an orderState"
        return Ignored(
            reason=f"{ORDER_STATE_CHANGED} {why}: the new order state is unknown",
            message_id=event.message_id,
        )
    if event.order_state != CANCELLED_ORDER_STATE:
        return Ignored(
            reason=f"order state changed to {event.order_state}: only cancellations are acted upon",
            message_id=event.message_id,
        )
    previous = event.old_order_state or "an unknown state"
    return CancelOrder(
        order_id=event.resource_id,
        order_number=event.order_number,
        reason=f"commercetools order state changed from {previous} to {CANCELLED_ORDER_STATE}",
        message_id=event.message_id,
    )


def _catalog_change(
    resource_type_id: Literal["product", "category"], event: CommercetoolsEvent
) -> CatalogChange:
    return CatalogChange(
        resource_type_id=resource_type_id,
        resource_id=event.resource_id,
        resource_version=event.resource_version,
        resource_key=event.resource_key,
        message_type=event.type,
        message_id=event.message_id,
    )


def interpret(body: bytes, headers: Mapping[str, str] | None = None) -> Intent:
    """`parse_event` then `classify`: what to do with one delivery."""
    parsed = parse_event(body, headers)
    return parsed if isinstance(parsed, Ignored) else classify(parsed)
