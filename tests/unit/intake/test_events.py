"""commercetools event deliveries: every envelope shape, broken bodies, and classification."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.commercetools.models import Message
from connector.events import (
    CancelOrder,
    CatalogChange,
    CommercetoolsEvent,
    Envelope,
    EventParseError,
    Ignored,
    StartOrder,
    classify,
    event_from_message,
    interpret,
    parse_event,
)

ORDER_ID = "6c6ad5d0-4c22-4f57-9a8e-0b0a6d0b9f10"
EMAIL = "jane.doe@example.com"


def order_message(message_type: str = "OrderCreated", **extra: Any) -> dict[str, Any]:
    """A message as a subscription puts it on a queue (Platform format)."""
    message: dict[str, Any] = {
        "notificationType": "Message",
        "projectKey": "shop",
        "id": "msg-1",
        "version": 1,
        "sequenceNumber": 1,
        "resource": {"typeId": "order", "id": ORDER_ID},
        "resourceVersion": 1,
        "resourceUserProvidedIdentifiers": {"orderNumber": "10001"},
        "type": message_type,
        "createdAt": "2026-01-31T12:00:00.123Z",
        "lastModifiedAt": "2026-01-31T12:00:00.123Z",
    }
    if message_type in ("OrderCreated", "OrderImported"):
        message["order"] = {
            "id": ORDER_ID,
            "orderNumber": "10001",
            "customerEmail": EMAIL,
            "shippingAddress": {"country": "DE", "streetName": "Secret Street"},
        }
    message.update(extra)
    return message


def raw(document: Any) -> bytes:
    return json.dumps(document).encode()


def b64(document: Any) -> str:
    return base64.b64encode(raw(document)).decode()


def pubsub(data: str, **message: Any) -> dict[str, Any]:
    return {
        "message": {
            "data": data,
            "messageId": "1000000000000001",
            "publishTime": "2026-01-31T12:00:01Z",
            "attributes": {},
            **message,
        },
        "subscription": "projects/p/subscriptions/connector",
    }


def cloudevent(message: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "specversion": "1.0",
        "id": message.get("id", "ce-1"),
        "type": f"com.commercetools.order.message.{message.get('type', 'OrderCreated')}",
        "source": "/shop/orders",
        "subject": message.get("resource", {}).get("id", ORDER_ID),
        "time": message["createdAt"],
        "data": message,
    }
    event.update(overrides)
    return event


def parsed(body: Any, headers: dict[str, str] | None = None) -> CommercetoolsEvent:
    result = parse_event(raw(body), headers)
    assert isinstance(result, CommercetoolsEvent), result
    return result


def parse_error(body: bytes, headers: dict[str, str] | None = None) -> str:
    with pytest.raises(EventParseError) as caught:
        parse_event(body, headers)
    return str(caught.value)


# --- shapes -------------------------------------------------------------------------------------


def test_pubsub_envelope_with_a_platform_message() -> None:
    event = parsed(pubsub(b64(order_message())))
    assert event.envelope is Envelope.PUBSUB
    assert event.delivery_id == "1000000000000001"
    assert event.message_id == "msg-1"
    assert event.type == "OrderCreated"
    assert (event.resource_type_id, event.resource_id) == ("order", ORDER_ID)
    assert event.resource_version == 1
    assert event.sequence_number == 1
    assert event.order_number == "10001"
    assert event.created_at == datetime(2026, 1, 31, 12, 0, 0, 123000, tzinfo=UTC)
    assert event.payload_included


def test_pubsub_snake_case_message_id_and_url_safe_base64() -> None:
    data = base64.urlsafe_b64encode(raw(order_message())).decode()
    envelope = {"message": {"data": data, "message_id": "42"}, "subscription": "s"}
    event = parsed(envelope)
    assert event.delivery_id == "42"
    assert event.message_id == "msg-1"


def test_pubsub_envelope_data_with_whitespace_is_decoded() -> None:
    data = b64(order_message())
    event = parsed(pubsub(data[:10] + "\n" + data[10:]))
    assert event.message_id == "msg-1"


def test_pubsub_envelope_with_a_structured_cloudevent() -> None:
    event = parsed(pubsub(b64(cloudevent(order_message()))))
    assert event.envelope is Envelope.PUBSUB
    assert event.type == "OrderCreated"
    assert event.resource_id == ORDER_ID


def test_pubsub_envelope_with_cloudevent_attributes() -> None:
    message = order_message()
    del message["id"], message["resource"]
    attributes = {
        "ce-specversion": "1.0",
        "ce-id": "ce-7",
        "ce-type": "com.commercetools.order.message.OrderCreated",
        "ce-source": "/shop/orders",
        "ce-subject": ORDER_ID,
    }
    event = parsed(pubsub(b64(message), attributes=attributes))
    assert event.message_id == "ce-7"
    assert event.resource_id == ORDER_ID
    assert event.delivery_id == "1000000000000001"


def test_platform_format_message() -> None:
    event = parsed(order_message())
    assert event.envelope is Envelope.PLATFORM
    assert event.delivery_id is None
    assert event.message_id == "msg-1"


def test_bare_message_as_the_messages_api_returns_it() -> None:
    message = order_message()
    del message["notificationType"], message["projectKey"]
    assert parsed(message).order_number == "10001"


def test_structured_cloudevent() -> None:
    event = parsed(cloudevent(order_message()))
    assert event.envelope is Envelope.CLOUDEVENT
    assert event.message_id == "msg-1"
    assert event.type == "OrderCreated"


def test_cloudevent_data_without_id_and_resource_uses_id_and_subject() -> None:
    message = order_message()
    del message["id"], message["resource"], message["type"]
    event = parsed(cloudevent(message, id="ce-1", subject="order-9"))
    assert (event.message_id, event.resource_id, event.resource_type_id) == (
        "ce-1",
        "order-9",
        "order",
    )
    assert event.type == "OrderCreated"


def test_binary_mode_cloudevent_headers() -> None:
    message = order_message("OrderStateChanged", orderState="Cancelled", oldOrderState="Open")
    headers = {
        "Ce-Specversion": "1.0",
        "Ce-Id": "msg-1",
        "Ce-Type": "com.commercetools.order.message.OrderStateChanged",
        "Ce-Source": "/shop/orders",
        "Ce-Subject": ORDER_ID,
        "Content-Type": "application/json",
    }
    event = parsed(message, headers)
    assert event.envelope is Envelope.CLOUDEVENT
    assert event.order_state == "Cancelled"


@pytest.mark.parametrize("notification", ["ResourceCreated", "ResourceUpdated", "ResourceDeleted"])
def test_change_notifications_are_ignored(notification: str) -> None:
    body = {
        "notificationType": notification,
        "projectKey": "shop",
        "resource": {"typeId": "order", "id": ORDER_ID},
        "version": 2,
        "modifiedAt": "2026-01-31T12:00:00Z",
    }
    result = parse_event(raw(body))
    assert isinstance(result, Ignored)
    assert notification in result.reason
    assert f"order {ORDER_ID}" in result.reason


def test_change_notification_without_resource_is_still_ignored() -> None:
    result = parse_event(raw({"notificationType": "ResourceUpdated"}))
    assert isinstance(result, Ignored)
    assert "a resource" in result.reason


def test_subscription_test_notification_is_ignored() -> None:
    body = {
        "notificationType": "ResourceCreated",
        "projectKey": "shop",
        "resource": {"typeId": "subscription", "id": "sub-1"},
        "version": 1,
        "modifiedAt": "2026-01-31T12:00:00Z",
    }
    assert interpret(raw(pubsub(b64(body)))) == Ignored(reason="subscription test notification")


def test_cloudevent_change_notification_is_ignored() -> None:
    event = cloudevent(order_message(), type="com.commercetools.product.change.ResourceUpdated")
    result = parse_event(raw(event))
    assert isinstance(result, Ignored)
    assert "ResourceUpdated for product" in result.reason


def test_event_notifications_are_ignored_with_their_id() -> None:
    body = {
        "notificationType": "Event",
        "id": "ev-1",
        "type": "ImportContainerCreated",
        "resourceType": "import-api",
        "data": {},
        "createdAt": "2026-01-31T12:00:00Z",
    }
    result = parse_event(raw(body))
    assert isinstance(result, Ignored)
    assert result.message_id == "ev-1"
    assert "ImportContainerCreated" in result.reason


def test_unknown_notification_type_is_ignored_for_forward_compatibility() -> None:
    result = parse_event(raw({"notificationType": "Hologram", "id": "x"}))
    assert isinstance(result, Ignored)
    assert "Hologram" in result.reason


# --- broken bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "body is not JSON"),
        (b"{not json", "body is not JSON"),
        (b"\xff\xfe\x00garbage", "body is not"),
        (b"[1, 2]", "body is a JSON array, expected an object"),
        (b'"text"', "body is a JSON string"),
        (b"3", "body is a JSON number"),
        (b"null", "body is a JSON null"),
        (b"true", "body is a JSON boolean"),
    ],
)
def test_bodies_that_are_not_json_objects(body: bytes, expected: str) -> None:
    assert expected in parse_error(body)


@pytest.mark.parametrize(
    ("envelope", "expected"),
    [
        ({"message": "x"}, "message must be an object"),
        ({"message": {"messageId": "1"}}, "message.data is missing"),
        ({"message": {"data": 5}}, "message.data: Input should be a valid string"),
        ({"message": {"data": "***"}}, "message.data is not valid base64"),
        ({"message": {"data": "bm90IGpzb24="}}, "decoded message.data is not JSON"),
        ({"message": {"data": b64([1])}}, "decoded message.data is a JSON array"),
        (
            {"message": {"data": b64(pubsub(b64(order_message())))}},
            "holds another Pub/Sub envelope",
        ),
        ({"message": {"data": b64({"hello": 1})}}, "decoded message.data has an unknown shape"),
    ],
)
def test_broken_pubsub_envelopes(envelope: dict[str, Any], expected: str) -> None:
    assert expected in parse_error(raw(envelope))


def test_a_broken_pubsub_payload_keeps_the_delivery_id_for_the_log() -> None:
    with pytest.raises(EventParseError) as caught:
        parse_event(raw(pubsub("***")))
    assert caught.value.delivery_id == "1000000000000001"


def test_attributes_must_be_strings() -> None:
    error = parse_error(raw(pubsub(b64(order_message()), attributes={"a": 1})))
    assert "message.attributes.a" in error


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"id": None}, "id: Input should be a valid string"),
        ({"type": 7}, "type: Input should be a valid string"),
        ({"resource": None}, "resource: Input should be a valid dictionary"),
        ({"resource": {"typeId": "order"}}, "resource.id: Field required"),
        ({"resource": {"typeId": "order", "id": 5}}, "resource.id: Input should be a valid string"),
        ({"sequenceNumber": "many"}, "sequenceNumber: Input should be a valid integer"),
        ({"resourceVersion": 1.5}, "resourceVersion: Input should be a valid integer"),
        ({"createdAt": "yesterday"}, "createdAt: Input should be a valid datetime"),
        ({"createdAt": "2026-01-31T12:00:00"}, "createdAt: Input should have timezone info"),
        ({"orderState": ["Cancelled"]}, "orderState: Input should be a valid string"),
        ({"resourceUserProvidedIdentifiers": {"orderNumber": 1}}, "orderNumber"),
    ],
)
def test_messages_with_wrong_types(change: dict[str, Any], expected: str) -> None:
    message = order_message(**change)
    error = parse_error(raw(message))
    assert expected in error
    assert error.startswith("body (message):")


@pytest.mark.parametrize("missing", ["id", "type", "resource"])
def test_platform_message_missing_a_required_field(missing: str) -> None:
    message = order_message()
    del message[missing]
    assert f"{missing}: Field required" in parse_error(raw(message))


def test_errors_never_repeat_personal_data() -> None:
    message = order_message(resource={"typeId": "order", "id": EMAIL.encode().hex()})
    message["resource"]["id"] = {"email": EMAIL}
    message["order"]["orderNumber"] = {"secret": EMAIL}
    error = parse_error(raw(pubsub(b64(message))))
    assert EMAIL not in error
    assert "Secret Street" not in error


def test_non_string_notification_type() -> None:
    assert "notificationType must be a string" in parse_error(raw({"notificationType": 1}))


def test_unknown_shape_lists_the_keys_it_saw() -> None:
    error = parse_error(raw({"hello": 1, "world": 2}))
    assert "unknown shape" in error
    assert "got keys: hello, world" in error
    many = parse_error(raw({f"k{i:02d}": i for i in range(12)}))
    assert many.endswith("k07, ...")
    assert "got keys: none" in parse_error(b"{}")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"specversion": "0.3"}, "specversion '0.3' is not supported"),
        ({"type": "com.example.order.created"}, "is not a commercetools event type"),
        ({"data": None}, "CloudEvent data is missing"),
        ({"data": [1]}, "data: Input should be a valid dictionary"),
        ({"id": None}, "CloudEvent: id: Input should be a valid string"),
        ({"source": None}, "source: Input should be a valid string"),
        (
            {"type": "com.commercetools.order.message.OrderImported"},
            "disagrees with its data's type 'OrderCreated'",
        ),
    ],
)
def test_broken_cloudevents(change: dict[str, Any], expected: str) -> None:
    assert expected in parse_error(raw(cloudevent(order_message(), **change)))


def test_cloudevent_without_subject_or_resource() -> None:
    message = order_message()
    del message["resource"]
    event = cloudevent(message)
    del event["subject"]
    assert "neither a subject nor data.resource" in parse_error(raw(event))


def test_binary_mode_cloudevent_with_a_body_that_is_not_an_object() -> None:
    error = parse_error(b"[]", {"ce-specversion": "1.0"})
    assert "CloudEvent data (binary mode body) is a JSON array" in error


def test_binary_mode_cloudevent_missing_attributes() -> None:
    error = parse_error(raw(order_message()), {"ce-specversion": "1.0"})
    assert "type: Field required" in error


# --- classification -----------------------------------------------------------------------------


@pytest.mark.parametrize("message_type", ["OrderCreated", "OrderImported"])
def test_order_creation_starts_the_workflow(message_type: str) -> None:
    intent = interpret(raw(pubsub(b64(order_message(message_type)))))
    assert intent == StartOrder(order_id=ORDER_ID, order_number="10001", message_id="msg-1")


def test_order_number_falls_back_to_the_order_payload_then_none() -> None:
    message = order_message(resourceUserProvidedIdentifiers={})
    assert interpret(raw(message)) == StartOrder(
        order_id=ORDER_ID, order_number="10001", message_id="msg-1"
    )
    del message["order"]
    message["payloadNotIncluded"] = {"reason": "too large", "payloadType": "OrderCreated"}
    event = parsed(message)
    assert not event.payload_included
    assert classify(event) == StartOrder(order_id=ORDER_ID, order_number=None, message_id="msg-1")


def test_cancellation_signals_the_workflow() -> None:
    message = order_message("OrderStateChanged", orderState="Cancelled", oldOrderState="Confirmed")
    intent = interpret(raw(message))
    assert intent == CancelOrder(
        order_id=ORDER_ID,
        order_number="10001",
        reason="commercetools order state changed from Confirmed to Cancelled",
        message_id="msg-1",
    )


def test_cancellation_without_the_old_state() -> None:
    intent = interpret(raw(order_message("OrderStateChanged", orderState="Cancelled")))
    assert isinstance(intent, CancelOrder)
    assert "from an unknown state" in intent.reason


@pytest.mark.parametrize("state", ["Open", "Confirmed", "Complete"])
def test_other_order_state_changes_are_ignored(state: str) -> None:
    intent = interpret(raw(order_message("OrderStateChanged", orderState=state)))
    assert intent == Ignored(
        reason=f"order state changed to {state}: only cancellations are acted upon",
        message_id="msg-1",
    )


def test_state_change_without_payload_is_ignored_with_the_reason() -> None:
    payload_missing = {"reason": "too large", "payloadType": "OrderStateChanged"}
    message = order_message("OrderStateChanged", payloadNotIncluded=payload_missing)
    intent = interpret(raw(message))
    assert isinstance(intent, Ignored)
    assert "without its payload" in intent.reason
    assert "without an orderState" in str(interpret(raw(order_message("OrderStateChanged"))))


def test_order_message_about_another_resource_is_ignored() -> None:
    message = order_message(resource={"typeId": "cart", "id": "c-1"})
    intent = interpret(raw(message))
    assert intent == Ignored(reason="OrderCreated about a cart, not an order", message_id="msg-1")


@pytest.mark.parametrize(
    "message_type",
    ["OrderShipmentStateChanged", "DeliveryAdded", "OrderCustomFieldChanged", "OrderDeleted"],
)
def test_other_order_messages_are_ignored(message_type: str) -> None:
    intent = interpret(raw(order_message(message_type)))
    assert intent == Ignored(
        reason=f"{message_type} messages are not acted upon", message_id="msg-1"
    )


def catalog_message(type_id: str, message_type: str) -> dict[str, Any]:
    return order_message(
        message_type,
        resource={"typeId": type_id, "id": f"{type_id}-1"},
        resourceVersion=7,
        resourceUserProvidedIdentifiers={"key": f"{type_id}-key"},
    )


@pytest.mark.parametrize(
    ("type_id", "message_type"),
    [
        ("product", "ProductCreated"),
        ("product", "ProductPublished"),
        ("product", "ProductUnpublished"),
        ("product", "ProductDeleted"),
        ("category", "CategoryCreated"),
        ("category", "CategorySlugChanged"),
        ("category", "CategoryDeleted"),
    ],
)
def test_catalog_changes(type_id: str, message_type: str) -> None:
    intent = interpret(raw(pubsub(b64(catalog_message(type_id, message_type)))))
    assert intent == CatalogChange(
        resource_type_id=type_id,
        resource_id=f"{type_id}-1",
        resource_version=7,
        resource_key=f"{type_id}-key",
        message_type=message_type,
        message_id="msg-1",
    )


@pytest.mark.parametrize(
    ("type_id", "message_type"),
    [
        ("product", "ProductPriceChanged"),
        ("product", "ProductSlugChanged"),
        ("product", "CategoryCreated"),
        ("category", "ProductPublished"),
        ("customer", "CustomerCreated"),
        ("inventory-entry", "InventoryEntryQuantitySet"),
    ],
)
def test_other_messages_are_ignored(type_id: str, message_type: str) -> None:
    intent = interpret(raw(catalog_message(type_id, message_type)))
    assert isinstance(intent, Ignored)
    assert intent.reason == f"{message_type} messages are not acted upon"


def test_event_from_a_messages_api_message() -> None:
    message = Message.model_validate(
        {
            "id": "m-9",
            "version": 1,
            "type": "OrderStateChanged",
            "sequenceNumber": 3,
            "resource": {"typeId": "order", "id": ORDER_ID},
            "resourceVersion": 4,
            "resourceUserProvidedIdentifiers": {"orderNumber": "10001", "key": "k"},
            "createdAt": "2026-01-31T12:00:00Z",
            "orderState": "Cancelled",
            "oldOrderState": "Open",
        }
    )
    event = event_from_message(message)
    assert event.envelope is Envelope.MESSAGES_API
    assert (event.message_id, event.order_number, event.resource_key) == ("m-9", "10001", "k")
    assert (event.sequence_number, event.resource_version) == (3, 4)
    assert isinstance(classify(event), CancelOrder)


def test_event_from_a_message_without_identifiers() -> None:
    message = Message.model_validate(
        {
            "id": "m-1",
            "version": 1,
            "type": "CategoryCreated",
            "sequenceNumber": 1,
            "resource": {"typeId": "category", "id": "cat-1"},
            "resourceVersion": 1,
            "createdAt": "2026-01-31T12:00:00Z",
        }
    )
    event = event_from_message(message)
    assert event.order_number is None
    assert event.resource_key is None


# --- properties ---------------------------------------------------------------------------------


def parse_outcome(body: bytes) -> CommercetoolsEvent | Ignored | EventParseError:
    """The parse result, or the EventParseError (any other exception propagates)."""
    try:
        return parse_event(body)
    except EventParseError as error:
        return error


@given(st.binary(max_size=300))
def test_any_bytes_parse_or_raise_event_parse_error(body: bytes) -> None:
    outcome = parse_outcome(body)
    assert isinstance(outcome, CommercetoolsEvent | Ignored) or str(outcome)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@given(
    st.dictionaries(
        st.sampled_from(
            ["id", "type", "resource", "notificationType", "specversion", "message", "data"]
        ),
        json_values,
    )
)
def test_any_json_object_parses_or_raises_event_parse_error(document: dict[str, Any]) -> None:
    outcome = parse_outcome(raw(document))
    assert isinstance(outcome, CommercetoolsEvent | Ignored) or str(outcome)


identifiers = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P")), min_size=1, max_size=20
)


@given(
    message_id=identifiers,
    order_id=identifiers,
    order_number=st.none() | identifiers,
    message_type=st.sampled_from(["OrderCreated", "OrderImported", "OrderStateChanged"]),
    state=st.sampled_from(["Open", "Cancelled"]),
    version=st.integers(min_value=1, max_value=2**40),
)
def test_every_envelope_gives_the_same_intent(
    message_id: str,
    order_id: str,
    order_number: str | None,
    message_type: str,
    state: str,
    version: int,
) -> None:
    message = order_message(
        message_type,
        id=message_id,
        resource={"typeId": "order", "id": order_id},
        resourceVersion=version,
        resourceUserProvidedIdentifiers={"orderNumber": order_number} if order_number else {},
        orderState=state,
    )
    message.pop("order", None)
    binary_headers = {
        "ce-specversion": "1.0",
        "ce-id": message_id,
        "ce-type": f"com.commercetools.order.message.{message_type}",
        "ce-source": "/shop/orders",
        "ce-subject": order_id,
    }
    intents = {
        interpret(raw(message)),
        interpret(raw(pubsub(b64(message)))),
        interpret(raw(cloudevent(message))),
        interpret(raw(pubsub(b64(cloudevent(message))))),
        interpret(raw(message), binary_headers),
    }
    assert len(intents) == 1
    (intent,) = intents
    assert not isinstance(intent, Ignored) or message_type == "OrderStateChanged"
    if isinstance(intent, StartOrder | CancelOrder):
        assert (intent.order_id, intent.order_number) == (order_id, order_number)
