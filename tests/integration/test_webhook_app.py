"""The connector's HTTP app against the real Temporal dev server, with a fake order workflow
(registered under the real workflow type name) that records what it receives."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi import FastAPI
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from connector.config import Settings
from connector.errors import TransientError
from connector.events import CatalogChange
from connector.fluent.models import Order as FluentOrder
from connector.fluent.models import WebhookEvent
from connector.intake import COMMERCETOOLS_ORDER_ID_ATTRIBUTE
from connector.orders import (
    CancelRequest,
    FluentNews,
    OrderTrigger,
    order_workflow_id,
)
from connector.temporal import data_converter
from connector.webhooks import (
    IntakeContext,
    create_app,
    register_catalog_handler,
    register_location_handler,
)
from sandbox.common.serving import free_port
from tests.intake_support import FakeOrderWorkflow, finish, intake_settings, recorded

pytestmark = pytest.mark.integration

TOKEN = "push-token-123"
MAX_BODY = 4096
TASK_QUEUE = f"webhook-app-{uuid.uuid4().hex[:8]}"


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fluent_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_key_base64(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def make_settings(*, keys: list[str], token: str | None = TOKEN) -> Settings:
    return intake_settings(
        task_queue=TASK_QUEUE,
        webhook_public_keys=keys,
        events_token=token,
        max_body_bytes=MAX_BODY,
    )


class FakeFluent:
    """Fluent orders by ref, for the resolver; `down` makes every lookup fail transiently."""

    def __init__(self) -> None:
        self.orders: dict[str, FluentOrder] = {}
        self.down = False

    def add(self, ref: str, ct_order_id: str) -> None:
        attribute = {
            "name": COMMERCETOOLS_ORDER_ID_ATTRIBUTE,
            "type": "STRING",
            "value": ct_order_id,
        }
        self.orders[ref] = FluentOrder.model_validate(
            {"id": f"id-{ref}", "ref": ref, "type": "HD", "attributes": [attribute]}
        )

    async def find_order(self, ref: str) -> FluentOrder | None:
        if self.down:
            raise TransientError("Fluent answered 503", platform="fluent", status_code=503)
        return self.orders.get(ref)


@pytest.fixture(scope="module")
async def worker(dev_env: WorkflowEnvironment) -> AsyncIterator[Worker]:
    async with Worker(
        dev_env.client,
        task_queue=TASK_QUEUE,
        workflows=[FakeOrderWorkflow],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ) as running:
        yield running


@pytest.fixture
def fluent() -> FakeFluent:
    return FakeFluent()


@pytest.fixture
def app(
    dev_env: WorkflowEnvironment, worker: Worker, fluent: FakeFluent, fluent_key: rsa.RSAPrivateKey
) -> FastAPI:
    settings = make_settings(keys=[public_key_base64(fluent_key)])
    return create_app(settings, temporal=dev_env.client, fluent=fluent)


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://connector") as client:
        yield client


# --- helpers ------------------------------------------------------------------------------------


def new_order_id() -> str:
    return str(uuid.uuid4())


def order_message(
    order_id: str, message_type: str = "OrderCreated", **extra: Any
) -> dict[str, Any]:
    return {
        "notificationType": "Message",
        "projectKey": "shop",
        "id": str(uuid.uuid4()),
        "version": 1,
        "sequenceNumber": 1,
        "resource": {"typeId": "order", "id": order_id},
        "resourceVersion": 1,
        "resourceUserProvidedIdentifiers": {"orderNumber": f"N-{order_id[:8]}"},
        "type": message_type,
        "createdAt": "2026-01-31T12:00:00.000Z",
        "lastModifiedAt": "2026-01-31T12:00:00.000Z",
        **extra,
    }


def pubsub(message: dict[str, Any]) -> dict[str, Any]:
    data = base64.b64encode(json.dumps(message).encode()).decode()
    return {
        "message": {"data": data, "messageId": "99", "attributes": {}},
        "subscription": "projects/p/subscriptions/connector",
    }


async def push(
    http: httpx.AsyncClient, body: Any, *, token: str | None = TOKEN, raw: bytes | None = None
) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    content = raw if raw is not None else json.dumps(body).encode()
    return await http.post("/commercetools/events", content=content, headers=headers)


def webhook(entity_type: str, entity_ref: str, **extra: Any) -> bytes:
    event = {
        "id": str(uuid.uuid4()),
        "name": "fc.connect.order.webhook.status-update",
        "accountId": "ACME",
        "retailerId": "1",
        "entityId": "9001",
        "entityRef": entity_ref,
        "entityType": entity_type,
        "entityStatus": "BOOKED",
        "type": "NORMAL",
        "attributes": None,
        **extra,
    }
    return json.dumps(event, separators=(",", ":")).encode()


def signature(key: rsa.RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA512())).decode()


async def post_webhook(
    http: httpx.AsyncClient, body: bytes, key: rsa.RSAPrivateKey | None
) -> httpx.Response:
    headers = {"fluent-signature": signature(key, body)} if key else {}
    return await http.post("/fluent/webhooks", content=body, headers=headers)


# --- commercetools events -----------------------------------------------------------------------


async def test_events_need_the_bearer_token(http: httpx.AsyncClient) -> None:
    body = pubsub(order_message(new_order_id(), "OrderShipmentStateChanged"))
    assert (await push(http, body, token=None)).status_code == 401
    assert (await push(http, body, token="wrong")).status_code == 401
    basic = await http.post(
        "/commercetools/events", json=body, headers={"authorization": f"Basic {TOKEN}"}
    )
    assert basic.status_code == 401
    accepted = await push(http, body)
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "ignored"


async def test_malformed_events_get_a_400_naming_the_problem(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="connector.webhooks")
    response = await push(http, None, raw=b"{nope")
    assert response.status_code == 400
    assert "body is not JSON" in response.json()["detail"]
    bad_base64 = {"message": {"data": "***", "messageId": "77"}}
    response = await push(http, bad_base64)
    assert response.status_code == 400
    assert response.json()["detail"] == "Pub/Sub envelope: message.data is not valid base64"
    assert "delivery_id=77" in caplog.text


async def test_events_larger_than_the_limit_get_413(http: httpx.AsyncClient) -> None:
    huge = pubsub(order_message(new_order_id(), padding="x" * MAX_BODY))
    assert (await push(http, huge)).status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no content-length: counted while streaming
        for _ in range(MAX_BODY // 512 + 2):
            yield b" " * 512

    streamed = await http.post(
        "/commercetools/events", content=chunks(), headers={"authorization": f"Bearer {TOKEN}"}
    )
    assert streamed.status_code == 413


async def test_order_created_pushed_three_times_starts_one_workflow(
    http: httpx.AsyncClient, dev_env: WorkflowEnvironment
) -> None:
    order_id = new_order_id()
    outcomes = []
    for _ in range(3):
        response = await push(http, pubsub(order_message(order_id)))
        assert response.status_code == 200
        outcomes.append(response.json()["outcome"])
    assert outcomes == ["started", "already-started", "already-started"]
    handle = dev_env.client.get_workflow_handle(order_workflow_id(order_id))
    description = await handle.describe()
    assert description.status == WorkflowExecutionStatus.RUNNING
    assert await description.static_summary() == f"commercetools order N-{order_id[:8]}"
    assert (await recorded(dev_env.client, order_id)).trigger is OrderTrigger.SUBSCRIPTION


async def test_order_imported_starts_the_workflow_and_closed_ones_are_not_restarted(
    http: httpx.AsyncClient, dev_env: WorkflowEnvironment
) -> None:
    order_id = new_order_id()
    response = await push(http, order_message(order_id, "OrderImported"))
    assert response.json()["outcome"] == "started"
    await finish(dev_env.client, order_id)
    again = await push(http, order_message(order_id, "OrderImported"))
    assert again.status_code == 200
    assert again.json()["outcome"] == "already-started"


async def test_cancellation_signals_the_running_workflow(
    http: httpx.AsyncClient, dev_env: WorkflowEnvironment
) -> None:
    order_id = new_order_id()
    await push(http, pubsub(order_message(order_id)))
    cancelled = order_message(
        order_id, "OrderStateChanged", orderState="Cancelled", oldOrderState="Open"
    )
    response = await push(http, pubsub(cancelled))
    assert response.status_code == 200
    assert response.json()["outcome"] == "cancel-signalled"
    seen = await recorded(dev_env.client, order_id)
    assert seen.cancels == [
        CancelRequest(reason="commercetools order state changed from Open to Cancelled")
    ]


async def test_cancellation_before_creation_signals_with_start(
    http: httpx.AsyncClient, dev_env: WorkflowEnvironment
) -> None:
    order_id = new_order_id()
    cancelled = order_message(order_id, "OrderStateChanged", orderState="Cancelled")
    response = await push(http, pubsub(cancelled))
    assert response.json()["outcome"] == "cancel-started"
    seen = await recorded(dev_env.client, order_id)
    assert len(seen.cancels) == 1
    created = await push(http, pubsub(order_message(order_id)))
    assert created.json()["outcome"] == "already-started"
    await finish(dev_env.client, order_id)
    late = await push(http, pubsub(cancelled))
    assert late.status_code == 200
    assert late.json()["outcome"] == "cancel-too-late"


async def test_catalog_changes_go_to_the_registered_handler(
    app: FastAPI, http: httpx.AsyncClient, dev_env: WorkflowEnvironment
) -> None:
    message = order_message(
        "ignored", "ProductPublished", resource={"typeId": "product", "id": "p-1"}
    )
    unhandled = await push(http, pubsub(message))
    assert unhandled.status_code == 202
    assert unhandled.json()["reason"] == "no catalog handler registered"

    received: list[tuple[CatalogChange, IntakeContext]] = []

    async def handler(change: CatalogChange, context: IntakeContext) -> None:
        received.append((change, context))

    register_catalog_handler(app, handler)
    handled = await push(http, pubsub(message))
    assert handled.status_code == 200
    ((change, context),) = received
    assert (change.resource_type_id, change.resource_id) == ("product", "p-1")
    assert context.temporal is dev_env.client
    assert context.settings.temporal.order_task_queue == TASK_QUEUE


async def test_catalog_handler_failures_reach_the_sender(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    async def handler(change: CatalogChange, context: IntakeContext) -> None:
        raise TransientError("Fluent is down", platform="fluent", status_code=503)

    register_catalog_handler(app, handler)
    message = order_message("x", "CategoryCreated", resource={"typeId": "category", "id": "c-1"})
    response = await push(http, pubsub(message))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"


async def test_subscription_test_notification_is_acknowledged(http: httpx.AsyncClient) -> None:
    notification = {
        "notificationType": "ResourceCreated",
        "projectKey": "shop",
        "resource": {"typeId": "subscription", "id": "sub-1"},
        "version": 1,
        "modifiedAt": "2026-01-31T12:00:00Z",
    }
    response = await push(http, pubsub(notification))
    assert response.status_code == 200
    assert response.json() == {"status": "ignored", "reason": "subscription test notification"}


# --- Fluent webhooks ----------------------------------------------------------------------------


async def test_signed_order_webhook_reaches_the_workflow(
    http: httpx.AsyncClient,
    dev_env: WorkflowEnvironment,
    fluent: FakeFluent,
    fluent_key: rsa.RSAPrivateKey,
) -> None:
    order_id = new_order_id()
    await push(http, pubsub(order_message(order_id)))
    fluent.add("HD-1", order_id)
    response = await post_webhook(http, webhook("ORDER", "HD-1"), fluent_key)
    assert response.status_code == 200
    assert response.json() == {"status": "delivered", "orderId": order_id}
    fulfilment_event = webhook(
        "FULFILMENT",
        "HD-1-F1",
        name="fc.connect.fulfilment.webhook.status-update",
        entityStatus="SHIPPED",
        rootEntityType="ORDER",
        rootEntityRef="HD-1",
        rootEntityId="77",
    )
    assert (await post_webhook(http, fulfilment_event, fluent_key)).status_code == 200
    seen = await recorded(dev_env.client, order_id)
    assert seen.news == [
        FluentNews(
            event_name="fc.connect.order.webhook.status-update",
            entity_type="ORDER",
            entity_ref="HD-1",
            entity_id="9001",
            status="BOOKED",
        ),
        FluentNews(
            event_name="fc.connect.fulfilment.webhook.status-update",
            entity_type="FULFILMENT",
            entity_ref="HD-1-F1",
            entity_id="9001",
            status="SHIPPED",
        ),
    ]


async def test_unsigned_or_forged_webhooks_are_refused(
    http: httpx.AsyncClient, fluent: FakeFluent, fluent_key: rsa.RSAPrivateKey
) -> None:
    fluent.add("HD-2", new_order_id())
    body = webhook("ORDER", "HD-2")
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    missing = await post_webhook(http, body, None)
    assert missing.status_code == 401
    assert "fluent-signature header is missing" in missing.json()["detail"]
    assert (await post_webhook(http, body, forger)).status_code == 401
    changed = await http.post(
        "/fluent/webhooks",
        content=body.replace(b"HD-2", b"HD-3"),
        headers={"fluent-signature": signature(fluent_key, body)},
    )
    assert changed.status_code == 401
    assert "does not match" in changed.json()["detail"]


async def test_without_public_keys_every_webhook_is_refused(
    dev_env: WorkflowEnvironment,
    fluent: FakeFluent,
    fluent_key: rsa.RSAPrivateKey,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="connector.webhooks")
    app = create_app(make_settings(keys=[], token=None), temporal=dev_env.client, fluent=fluent)
    assert "FLUENT_WEBHOOK_PUBLIC_KEYS is empty" in caplog.text
    assert "CONNECTOR_COMMERCETOOLS_EVENTS_TOKEN is not set" in caplog.text
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://connector") as http:
        response = await post_webhook(http, webhook("ORDER", "HD-9"), fluent_key)
        assert response.status_code == 401
        assert response.json()["detail"] == "no webhook public keys are configured"
        unprotected = await push(
            http, pubsub(order_message(new_order_id(), "OrderDeleted")), token=None
        )
        assert unprotected.status_code == 200


async def test_malformed_signed_webhooks_get_400(
    http: httpx.AsyncClient, fluent_key: rsa.RSAPrivateKey
) -> None:
    not_json = b"{oops"
    response = await post_webhook(http, not_json, fluent_key)
    assert response.status_code == 400
    missing_ref = json.dumps({"id": "1", "name": "x", "accountId": "A", "retailerId": "1"}).encode()
    response = await post_webhook(http, missing_ref, fluent_key)
    assert response.status_code == 400
    assert "entityRef: Field required" in response.json()["detail"]


async def test_webhook_body_limit(http: httpx.AsyncClient, fluent_key: rsa.RSAPrivateKey) -> None:
    body = webhook("ORDER", "HD-1", meta={"padding": "x" * MAX_BODY})
    assert (await post_webhook(http, body, fluent_key)).status_code == 413


async def test_webhooks_for_unknown_or_finished_orders_are_accepted_with_202(
    http: httpx.AsyncClient,
    dev_env: WorkflowEnvironment,
    fluent: FakeFluent,
    fluent_key: rsa.RSAPrivateKey,
) -> None:
    unknown = await post_webhook(http, webhook("ORDER", "NOPE"), fluent_key)
    assert unknown.status_code == 202
    assert "no commercetools order for Fluent order NOPE" in unknown.json()["reason"]

    never_started = new_order_id()
    fluent.add("HD-4", never_started)
    response = await post_webhook(http, webhook("ORDER", "HD-4"), fluent_key)
    assert response.status_code == 202
    assert response.json()["reason"] == "the order's workflow is not running"

    finished = new_order_id()
    await push(http, pubsub(order_message(finished)))
    await finish(dev_env.client, finished)
    fluent.add("HD-5", finished)
    assert (await post_webhook(http, webhook("ORDER", "HD-5"), fluent_key)).status_code == 202


async def test_location_webhooks_go_to_the_registered_handler(
    app: FastAPI, http: httpx.AsyncClient, fluent_key: rsa.RSAPrivateKey
) -> None:
    by_name = webhook("LOCATION", "STORE-1", name="fc.connect.location.update")
    by_type = webhook("LOCATION", "STORE-2", name="something.else")
    assert (await post_webhook(http, by_name, fluent_key)).status_code == 202

    received: list[WebhookEvent] = []

    async def handler(event: WebhookEvent, context: IntakeContext) -> None:
        received.append(event)

    register_location_handler(app, handler)
    assert (await post_webhook(http, by_name, fluent_key)).status_code == 200
    assert (await post_webhook(http, by_type, fluent_key)).status_code == 200
    assert [event.entity_ref for event in received] == ["STORE-1", "STORE-2"]


async def test_other_entities_are_ignored(
    http: httpx.AsyncClient, fluent_key: rsa.RSAPrivateKey
) -> None:
    response = await post_webhook(http, webhook("PRODUCT", "SKU-1"), fluent_key)
    assert response.status_code == 202
    assert response.json()["reason"] == "not an order or location event"


async def test_fluent_outage_during_the_lookup_gives_503(
    http: httpx.AsyncClient, fluent: FakeFluent, fluent_key: rsa.RSAPrivateKey
) -> None:
    fluent.down = True
    response = await post_webhook(http, webhook("ORDER", "HD-6"), fluent_key)
    assert response.status_code == 503
    assert response.json()["detail"] == "fluent is unavailable; retry later"


# --- probes and an unreachable Temporal ---------------------------------------------------------


async def test_probes(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


async def test_unreachable_temporal_gives_503_on_both_endpoints(
    fluent: FakeFluent, fluent_key: rsa.RSAPrivateKey
) -> None:
    unreachable = await Client.connect(
        f"127.0.0.1:{free_port()}", lazy=True, data_converter=data_converter()
    )
    settings = make_settings(keys=[public_key_base64(fluent_key)])
    app = create_app(settings, temporal=unreachable, fluent=fluent)
    order_id = new_order_id()
    fluent.add("HD-7", order_id)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://connector") as http:
        created = await push(http, pubsub(order_message(order_id)))
        assert created.status_code == 503
        assert created.json()["detail"] == "Temporal is unavailable; retry later"
        cancelled = order_message(order_id, "OrderStateChanged", orderState="Cancelled")
        assert (await push(http, pubsub(cancelled))).status_code == 503
        news = await post_webhook(http, webhook("ORDER", "HD-7"), fluent_key)
        assert news.status_code == 503
        assert (await http.get("/readyz")).status_code == 503
        assert (await http.get("/healthz")).status_code == 200


async def test_lifespan_creates_a_lazy_client_from_the_environment(
    dev_env: WorkflowEnvironment,
    fluent_key: rsa.RSAPrivateKey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = make_settings(keys=[public_key_base64(fluent_key)])
    for address, expected in (
        (dev_env.client.service_client.config.target_host, 200),
        (f"127.0.0.1:{free_port()}", 503),
    ):
        monkeypatch.setenv("TEMPORAL_ADDRESS", address)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://c") as http:
                assert (await http.get("/readyz")).status_code == expected
