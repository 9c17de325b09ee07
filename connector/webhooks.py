"""The connector's HTTP app: commercetools events and Fluent webhooks in, Temporal starts and
signals out. `python -m connector.webhooks [--host H] [--port P]` serves it with uvicorn.

- `POST /commercetools/events`: subscription notifications (see `connector.events` for the
  shapes). OrderCreated/OrderImported start the order's workflow, OrderStateChanged to
  Cancelled signals it (signal-with-start), catalog changes go to the registered catalog
  handler. Protected by `CONNECTOR_COMMERCETOOLS_EVENTS_TOKEN` (bearer) when set.
- `POST /fluent/webhooks`: signed Fluent webhooks. Order events (the entity or its root entity
  is an ORDER) are signalled to the order's workflow; location events go to the registered
  location handler. Unsigned or wrongly signed posts are refused, always.
- `GET /healthz` (the process runs) and `GET /readyz` (Temporal answers).

The app answers 2xx only after Temporal has durably accepted the start or the signal, and 503
when Temporal (or, for the order lookup, Fluent) is unreachable, so the sender retries: nothing
accepted is ever lost. Duplicate deliveries are harmless (workflow ids and signal dedupe).

Handlers for catalog changes and Fluent location events are registered by the master-data code
with `register_catalog_handler` / `register_location_handler` (stored as
`app.state.catalog_handler` / `app.state.location_handler`); without one, such events are
acknowledged with 202 and logged. Logs never contain bodies, tokens or personal data.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from temporalio.client import Client
from temporalio.service import RPCError

from connector.config import Settings, SettingsError, load_settings
from connector.errors import ConnectorError, TransientError
from connector.events import (
    CancelOrder,
    CatalogChange,
    EventParseError,
    Ignored,
    StartOrder,
    interpret,
    validation_problems,
)
from connector.fluent.client import FluentClient
from connector.fluent.models import WebhookEvent
from connector.fluent.signatures import WebhookSignatureError, WebhookVerifier
from connector.intake import (
    FluentOrderResolver,
    OrderLookup,
    act_on_order,
    notify_order,
    temporal_unavailable,
)
from connector.orders import FluentNews, OrderTrigger
from connector.sync_control import register_sync_handlers
from connector.temporal import connect, exit_process

log = logging.getLogger("connector.webhooks")

ORDER_ENTITY = "ORDER"
LOCATION_ENTITY = "LOCATION"
LOCATION_EVENT_NAMES = frozenset({"fc.connect.location.create", "fc.connect.location.update"})
READINESS_TIMEOUT = timedelta(seconds=3)
RETRY_AFTER_SECONDS = "5"
MAX_LOGGED_ERROR = 300


@dataclass(frozen=True)
class IntakeContext:
    """What a registered handler may use: the settings and the Temporal client."""

    settings: Settings
    temporal: Client


class CatalogHandler(Protocol):
    """Acts on one catalog change (e.g. starts that entity's sync); returns once Temporal has
    accepted the work. Raising makes the sender redeliver (503 when Temporal is down)."""

    async def __call__(self, change: CatalogChange, context: IntakeContext) -> None: ...


class LocationHandler(Protocol):
    """Acts on one verified Fluent location webhook; same contract as `CatalogHandler`."""

    async def __call__(self, event: WebhookEvent, context: IntakeContext) -> None: ...


def register_catalog_handler(app: FastAPI, handler: CatalogHandler) -> None:
    app.state.catalog_handler = handler


def register_location_handler(app: FastAPI, handler: LocationHandler) -> None:
    app.state.location_handler = handler


def _log(level: int, event: str, **fields: object) -> None:
    """One line `event key=value ...`; the fields also go to `extra` for JSON formatters."""
    present = {key: value for key, value in fields.items() if value is not None}
    details = " ".join(f"{key}={value}" for key, value in present.items())
    log.log(level, "%s %s", event, details, extra={"fields": present})


def _answer(status_code: int, status: str, **fields: object) -> JSONResponse:
    body = {"status": status, **{k: v for k, v in fields.items() if v is not None}}
    return JSONResponse(body, status_code=status_code)


def _unavailable(what: str, error: BaseException) -> JSONResponse:
    reason = f"{type(error).__name__}: {error}"[:MAX_LOGGED_ERROR]
    _log(logging.WARNING, "dependency unavailable", dependency=what, error=reason)
    response = _answer(503, "unavailable", detail=f"{what} is unavailable; retry later")
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


class _BodyTooLargeError(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing (without reading on) anything longer than `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _BodyTooLargeError
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _BodyTooLargeError
    return bytes(body)


def _too_large(limit: int) -> JSONResponse:
    return _answer(413, "rejected", detail=f"body exceeds {limit} bytes")


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@dataclass
class _Runtime:
    """The app's collaborators; the lifespan creates those not injected by the caller."""

    settings: Settings
    verifier: WebhookVerifier | None
    temporal: Client | None = None
    resolver: FluentOrderResolver | None = None

    def context(self) -> IntakeContext:
        return IntakeContext(settings=self.settings, temporal=self.client())

    def client(self) -> Client:
        if self.temporal is None:
            raise RuntimeError("the Temporal client is created by the app's lifespan")
        return self.temporal

    def order_resolver(self) -> FluentOrderResolver:
        if self.resolver is None:
            raise RuntimeError("the Fluent order resolver is created by the app's lifespan")
        return self.resolver


def _webhook_verifier(settings: Settings) -> WebhookVerifier | None:
    keys = settings.fluent.webhook_public_keys
    if not keys:
        log.error(
            "FLUENT_WEBHOOK_PUBLIC_KEYS is empty: every Fluent webhook will be refused with 401 "
            "(the connector never accepts unsigned data)"
        )
        return None
    return WebhookVerifier(keys, accept_legacy_md5=settings.fluent.accept_legacy_md5_signature)


def create_app(
    settings: Settings,
    *,
    temporal: Client | None = None,
    fluent: OrderLookup | None = None,
) -> FastAPI:
    """The HTTP app. Collaborators not given here are created at start-up (a lazily connected
    Temporal client, so the app starts and reports not-ready while Temporal is down; a
    `FluentClient` for the order lookup). Raises `WebhookKeyError` on unusable key material."""
    runtime = _Runtime(settings=settings, verifier=_webhook_verifier(settings), temporal=temporal)
    if fluent is not None:
        runtime.resolver = FluentOrderResolver(fluent)
    if settings.connector.commercetools_events_token is None:
        log.warning(
            "CONNECTOR_COMMERCETOOLS_EVENTS_TOKEN is not set: POST /commercetools/events accepts "
            "unauthenticated requests; set it and configure the subscription's push token"
        )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if runtime.temporal is None:
                runtime.temporal = await connect(settings.temporal, lazy=True)
            if runtime.resolver is None:
                client = await stack.enter_async_context(FluentClient(settings.fluent))
                runtime.resolver = FluentOrderResolver(client)
            yield

    app = FastAPI(
        title="commercetools-fluent connector",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.catalog_handler = None
    app.state.location_handler = None
    _add_error_handlers(app)
    _add_commercetools_route(app, runtime)
    _add_fluent_route(app, runtime)
    _add_probes(app, runtime)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """Unreachable dependencies become 503 (the sender retries); anything else is a 500."""

    async def failure(request: Request, error: Exception) -> JSONResponse:
        if isinstance(error, TransientError):
            return _unavailable(error.platform, error)
        if temporal_unavailable(error):
            return _unavailable("Temporal", error)
        log.error("failed %s %s", request.method, request.url.path, exc_info=error)
        return _answer(500, "error", detail=f"internal error ({type(error).__name__})")

    for error_type in (RPCError, RuntimeError, TimeoutError, ConnectorError):
        app.add_exception_handler(error_type, failure)


def _add_commercetools_route(app: FastAPI, runtime: _Runtime) -> None:
    settings = runtime.settings
    expected = settings.connector.commercetools_events_token
    limit = settings.connector.webhook_max_body_bytes
    task_queue = settings.temporal.order_task_queue

    @app.post("/commercetools/events")
    async def commercetools_events(request: Request) -> JSONResponse:
        if expected is not None:
            provided = _bearer_token(request)
            if provided is None or not hmac.compare_digest(
                provided.encode(), expected.get_secret_value().encode()
            ):
                why = "missing" if provided is None else "wrong"
                _log(logging.WARNING, "commercetools event refused", reason=f"{why} bearer token")
                return _answer(401, "unauthorized", detail="a valid bearer token is required")
        try:
            body = await _read_body(request, limit)
        except _BodyTooLargeError:
            _log(logging.WARNING, "commercetools event refused", reason="body too large")
            return _too_large(limit)
        try:
            intent = interpret(body, request.headers)
        except EventParseError as error:
            _log(
                logging.WARNING,
                "commercetools event malformed",
                delivery_id=error.delivery_id,
                problem=error,
            )
            return _answer(400, "malformed", detail=str(error))
        if isinstance(intent, Ignored):
            _log(
                logging.INFO,
                "commercetools event ignored",
                message_id=intent.message_id,
                reason=intent.reason,
            )
            return _answer(200, "ignored", reason=intent.reason)
        if isinstance(intent, CatalogChange):
            return await _catalog_change(app, runtime, intent)
        return await _order_intent(runtime.client(), intent, task_queue)


async def _order_intent(
    client: Client, intent: StartOrder | CancelOrder, task_queue: str
) -> JSONResponse:
    outcome = await act_on_order(
        client, intent, trigger=OrderTrigger.SUBSCRIPTION, task_queue=task_queue
    )
    _log(
        logging.INFO,
        "commercetools event accepted",
        message_id=intent.message_id,
        action=intent.kind,
        order_id=intent.order_id,
        order_number=intent.order_number,
        outcome=outcome.value,
    )
    return _answer(200, "accepted", action=intent.kind, orderId=intent.order_id, outcome=outcome)


async def _catalog_change(app: FastAPI, runtime: _Runtime, change: CatalogChange) -> JSONResponse:
    handler: CatalogHandler | None = app.state.catalog_handler
    fields: dict[str, object] = {
        "message_id": change.message_id,
        "type": change.message_type,
        "resource": f"{change.resource_type_id}/{change.resource_id}",
    }
    if handler is None:
        _log(logging.INFO, "catalog change not handled: no catalog handler", **fields)
        return _answer(202, "ignored", reason="no catalog handler registered")
    await handler(change, runtime.context())
    _log(logging.INFO, "catalog change accepted", **fields)
    return _answer(200, "accepted", action="catalog")


def _parse_webhook(body: bytes) -> WebhookEvent:
    try:
        return WebhookEvent.model_validate_json(body)
    except ValidationError as exc:
        raise ValueError(validation_problems(exc)) from None


def _order_ref(event: WebhookEvent) -> str | None:
    """The Fluent order a webhook is about: the entity itself or its root entity."""
    if event.entity_type == ORDER_ENTITY:
        return event.entity_ref
    if event.root_entity_type == ORDER_ENTITY and event.root_entity_ref:
        return event.root_entity_ref
    return None


def _add_fluent_route(app: FastAPI, runtime: _Runtime) -> None:
    limit = runtime.settings.connector.webhook_max_body_bytes

    @app.post("/fluent/webhooks")
    async def fluent_webhooks(request: Request) -> JSONResponse:
        try:
            body = await _read_body(request, limit)
        except _BodyTooLargeError:
            _log(logging.WARNING, "fluent webhook refused", reason="body too large")
            return _too_large(limit)
        if runtime.verifier is None:
            _log(logging.WARNING, "fluent webhook refused", reason="no public keys configured")
            return _answer(401, "unauthorized", detail="no webhook public keys are configured")
        try:
            runtime.verifier.verify(body, request.headers)
        except WebhookSignatureError as error:
            _log(logging.WARNING, "fluent webhook refused", reason=error.reason)
            return _answer(401, "unauthorized", detail=error.reason)
        try:
            event = _parse_webhook(body)
        except ValueError as error:
            _log(logging.WARNING, "fluent webhook malformed", problem=error)
            return _answer(400, "malformed", detail=f"not a Fluent webhook event: {error}")
        fields: dict[str, object] = {
            "webhook_id": event.id,
            "name": event.name,
            "entity": f"{event.entity_type}/{event.entity_ref}",
            "status": event.entity_status,
        }
        order_ref = _order_ref(event)
        if order_ref is not None:
            return await _order_news(runtime, event, order_ref, fields)
        if event.entity_type == LOCATION_ENTITY or event.name in LOCATION_EVENT_NAMES:
            return await _location_event(app, runtime, event, fields)
        _log(logging.INFO, "fluent webhook ignored", reason="not an order or location", **fields)
        return _answer(202, "ignored", reason="not an order or location event")


async def _order_news(
    runtime: _Runtime, event: WebhookEvent, order_ref: str, fields: dict[str, object]
) -> JSONResponse:
    ct_order_id = await runtime.order_resolver().resolve(order_ref)
    if ct_order_id is None:
        _log(logging.INFO, "fluent webhook for an unknown order", order_ref=order_ref, **fields)
        return _answer(
            202, "ignored", reason=f"no commercetools order for Fluent order {order_ref}"
        )
    news = FluentNews(
        event_name=event.name,
        entity_type=event.entity_type,
        entity_ref=event.entity_ref,
        entity_id=event.entity_id,
        status=event.entity_status,
    )
    delivered = await notify_order(runtime.client(), ct_order_id, news)
    if not delivered:
        _log(logging.INFO, "fluent webhook: no running workflow", order_id=ct_order_id, **fields)
        return _answer(202, "ignored", reason="the order's workflow is not running")
    _log(logging.INFO, "fluent webhook delivered", order_id=ct_order_id, **fields)
    return _answer(200, "delivered", orderId=ct_order_id)


async def _location_event(
    app: FastAPI, runtime: _Runtime, event: WebhookEvent, fields: dict[str, object]
) -> JSONResponse:
    handler: LocationHandler | None = app.state.location_handler
    if handler is None:
        _log(logging.INFO, "location webhook not handled: no location handler", **fields)
        return _answer(202, "ignored", reason="no location handler registered")
    await handler(event, runtime.context())
    _log(logging.INFO, "location webhook accepted", **fields)
    return _answer(200, "accepted", action="location")


def _add_probes(app: FastAPI, runtime: _Runtime) -> None:
    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        return _answer(200, "ok")

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        try:
            serving = await runtime.client().service_client.check_health(timeout=READINESS_TIMEOUT)
        except Exception as error:
            if temporal_unavailable(error):
                return _unavailable("Temporal", error)
            raise
        if not serving:
            return _answer(503, "unavailable", detail="Temporal is not serving")
        return _answer(200, "ready")


# --- command line -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m connector.webhooks",
        description=(
            "Serve the connector's HTTP app: commercetools events (POST /commercetools/events), "
            "Fluent webhooks (POST /fluent/webhooks), /healthz and /readyz."
        ),
    )
    parser.add_argument("--host", help="interface to bind (default: CONNECTOR_WEBHOOK_HOST)")
    parser.add_argument("--port", type=int, help="port (default: CONNECTOR_WEBHOOK_PORT)")
    parser.add_argument(
        "--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: configuration: {exc}", file=sys.stderr)
        return 2
    try:
        app = create_app(settings)
    except ValueError as exc:  # unusable webhook key material
        print(f"error: configuration: {exc}", file=sys.stderr)
        return 2
    register_sync_handlers(app)
    uvicorn.run(
        app,
        host=args.host or settings.connector.webhook_host,
        port=args.port or settings.connector.webhook_port,
        log_level=args.log_level.lower(),
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    exit_process(main())
