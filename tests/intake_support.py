"""Shared by the intake tests: connector settings for a test; a commercetools sandbox served in
process (ASGI transport, no thread) whose clock the test sets, with the intake activities wired
to it and to a Temporal client; and a fake order workflow registered under the real workflow
type name, which records what it receives and answers the status query."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from temporalio import workflow
from temporalio.client import Client

from activities.dependencies import Dependencies
from activities.intake import IntakeActivities
from connector.commercetools.client import CommercetoolsClient
from connector.config import (
    CommercetoolsSettings,
    ConnectorSettings,
    FluentSettings,
    OrderSettings,
    Settings,
    SyncSettings,
    TemporalSettings,
)
from connector.fluent.client import FluentClient
from connector.orders import (
    CANCEL_SIGNAL,
    FIELD_FLUENT_ORDER_REF,
    FLUENT_NEWS_SIGNAL,
    ORDER_WORKFLOW,
    STATUS_QUERY,
    CancelRequest,
    FluentNews,
    FulfilmentLine,
    FulfilmentRecord,
    Issue,
    IssueKind,
    OrderStatus,
    OrderTrigger,
    OrderType,
    OrderWorkflowInput,
    Stage,
    TimelineEntry,
    order_workflow_id,
)
from sandbox.commercetools import CommercetoolsSandboxConfig, create_app, sandbox_of
from tests.commercetools_api import project_api

PROJECT_KEY = "shop"
SANDBOX_URL = "http://ct"
ORDER_TYPE_KEY = "fc-order"
OTHER_FIELD = "giftMessage"


def intake_settings(
    *,
    task_queue: str,
    commercetools_url: str = SANDBOX_URL,
    webhook_public_keys: list[str] | None = None,
    events_token: str | None = None,
    max_body_bytes: int = 1_048_576,
    orders: OrderSettings | None = None,
) -> Settings:
    """Settings whose commercetools side points at a sandbox (by default the in-process one)."""
    return Settings(
        commercetools=CommercetoolsSettings(
            project_key=PROJECT_KEY,
            client_id="sandbox-client",
            client_secret="sandbox-secret",
            api_url=commercetools_url,
            auth_url=commercetools_url,
        ),
        fluent=FluentSettings(
            host="http://127.0.0.1:9",
            account_id="ACME",
            retailer_id="1",
            client_id="fl",
            client_secret="fl-secret",
            username="user",
            password="pw",
            webhook_public_keys=webhook_public_keys or [],
        ),
        temporal=TemporalSettings(order_task_queue=task_queue),
        connector=ConnectorSettings(
            commercetools_events_token=events_token, webhook_max_body_bytes=max_body_bytes
        ),
        orders=orders or OrderSettings(),
        sync=SyncSettings(),
    )


@dataclass
class SandboxShop:
    """Drives the sandbox through its HTTP API; `set_clock(moment)` stamps what is created
    from then on (resources and messages) with `moment`."""

    http: httpx.AsyncClient
    set_clock: Callable[[datetime], None]

    async def import_order(
        self, number: str, *, fluent_ref: str | None = None, other_field: bool = False
    ) -> dict[str, Any]:
        draft: dict[str, Any] = {
            "orderNumber": number,
            "totalPrice": {"currencyCode": "EUR", "centAmount": 1000},
        }
        fields = {FIELD_FLUENT_ORDER_REF: fluent_ref} if fluent_ref else {}
        if other_field:
            fields[OTHER_FIELD] = "Happy birthday"
        if fields:
            draft["custom"] = {"type": {"key": ORDER_TYPE_KEY}, "fields": fields}
        return await self._ok(await self.http.post("orders/import", json=draft), 201)

    async def change_state(self, order: dict[str, Any], state: str) -> dict[str, Any]:
        body = {
            "version": order["version"],
            "actions": [{"action": "changeOrderState", "orderState": state}],
        }
        return await self._ok(await self.http.post(f"orders/{order['id']}", json=body), 200)

    async def _ok(self, response: httpx.Response, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body


async def _order_type(http: httpx.AsyncClient) -> None:
    def field(name: str) -> dict[str, Any]:
        return {
            "name": name,
            "label": {"en": name},
            "required": False,
            "type": {"name": "String"},
            "inputHint": "SingleLine",
        }

    draft = {
        "key": ORDER_TYPE_KEY,
        "name": {"en": "connector order"},
        "resourceTypeIds": ["order"],
        "fieldDefinitions": [field(FIELD_FLUENT_ORDER_REF), field(OTHER_FIELD)],
    }
    response = await http.post("types", json=draft)
    assert response.status_code == 201, response.text


def sandbox_app() -> FastAPI:
    """A fresh, empty sandbox project."""
    return create_app(CommercetoolsSandboxConfig(project_key=PROJECT_KEY))


@asynccontextmanager
async def sandbox_shop(
    app: FastAPI, *, base_url: str = SANDBOX_URL, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[SandboxShop]:
    """Drive `app` (in process when `transport` is its ASGI transport, else over HTTP at
    `base_url`); defines the connector's order type first."""
    store = sandbox_of(app).store

    def set_clock(moment: datetime) -> None:
        store.clock = lambda: moment

    async with project_api(base_url, PROJECT_KEY, transport=transport) as http:
        await _order_type(http)
        yield SandboxShop(http=http, set_clock=set_clock)


@asynccontextmanager
async def intake_activities(
    temporal: Client, settings: Settings, *, app: FastAPI | None = None
) -> AsyncIterator[tuple[IntakeActivities, SandboxShop]]:
    """The intake activities over a sandbox project (a fresh one unless `app` is given; the
    settings must point at it), and a handle to drive it. Without `app` the sandbox is served
    in process."""
    served_in_process = app is None
    app = app or sandbox_app()
    transport = httpx.ASGITransport(app=app) if served_in_process else None
    base_url = SANDBOX_URL if served_in_process else settings.commercetools.resolved_api_url
    async with (
        sandbox_shop(app, base_url=base_url, transport=transport) as shop,
        CommercetoolsClient(settings.commercetools, transport=transport) as commercetools,
        FluentClient(settings.fluent) as fluent,
    ):
        deps = Dependencies(
            settings=settings, commercetools=commercetools, fluent=fluent, temporal=temporal
        )
        yield IntakeActivities(deps), shop


# --- the fake order workflow --------------------------------------------------------------------


class Recorded(BaseModel):
    trigger: OrderTrigger
    news: list[FluentNews]
    cancels: list[CancelRequest]


@workflow.defn(name=ORDER_WORKFLOW)
class FakeOrderWorkflow:
    """Runs until `finish`; its status shows one fulfilment, an issue, and a timeline entry per
    signal. Register it with `UnsandboxedWorkflowRunner` (it lives in a test module)."""

    @workflow.init
    def __init__(self, input: OrderWorkflowInput) -> None:
        self._input = input
        self._news: list[FluentNews] = []
        self._cancels: list[CancelRequest] = []
        self._timeline: list[TimelineEntry] = []
        self._finished = False

    @workflow.run
    async def run(self, input: OrderWorkflowInput) -> None:
        await workflow.wait_condition(lambda: self._finished)

    @workflow.signal(name=FLUENT_NEWS_SIGNAL)
    def fluent_news(self, news: FluentNews) -> None:
        self._news.append(news)
        self._timeline.append(TimelineEntry(at=workflow.now(), text=f"news {news.identity}"))

    @workflow.signal(name=CANCEL_SIGNAL)
    def cancel(self, request: CancelRequest) -> None:
        self._cancels.append(request)
        self._timeline.append(TimelineEntry(at=workflow.now(), text=f"cancel: {request.reason}"))

    @workflow.signal
    def finish(self) -> None:
        self._finished = True

    @workflow.query
    def recorded(self) -> Recorded:
        return Recorded(trigger=self._input.trigger, news=self._news, cancels=self._cancels)

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> OrderStatus:
        order_id = self._input.order_id
        lines = (
            FulfilmentLine(line_item_id="li-1", sku="SKU-1", requested=2, filled=1, rejected=1),
        )
        return OrderStatus(
            ct_order_id=order_id,
            ct_order_number=f"N-{order_id[:8]}",
            order_type=OrderType.HD,
            stage=Stage.CANCELLED if self._cancels else Stage.IN_FULFILMENT,
            fluent_order_ref=f"HD-{order_id[:8]}",
            fluent_status="BOOKED",
            ct_order_state="Confirmed",
            fulfilments=(
                FulfilmentRecord(
                    ref=f"HD-{order_id[:8]}-F1",
                    kind="HD",
                    location_ref="STORE-1",
                    location_name="Store One",
                    status="SHIPPED",
                    lines=lines,
                    invoice_ref=f"HD-{order_id[:8]}-F1-INV",
                ),
            ),
            delivery_keys=(f"HD-{order_id[:8]}-F1",),
            issues=(
                Issue(kind=IssueKind.UNFILLABLE, reason="1 x SKU-1 unfillable", at=workflow.now()),
            ),
            timeline=tuple(self._timeline),
            cancel_requested=self._cancels[-1] if self._cancels else None,
        )


async def recorded(client: Client, order_id: str) -> Recorded:
    handle = client.get_workflow_handle(order_workflow_id(order_id))
    result: Recorded = await handle.query(FakeOrderWorkflow.recorded)
    return result


async def finish(client: Client, order_id: str) -> None:
    handle = client.get_workflow_handle(order_workflow_id(order_id))
    await handle.signal(FakeOrderWorkflow.finish)
    await handle.result()
