"""Shared by the intake tests: connector settings for a test, and a commercetools sandbox served
in process (ASGI transport, no thread) whose clock the test sets, with the intake activities
wired to it and to a Temporal client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from temporalio.client import Client

from activities import Dependencies
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
from connector.orders import FIELD_FLUENT_ORDER_REF
from sandbox.commercetools import CommercetoolsSandboxConfig, create_app, sandbox_of

PROJECT_KEY = "shop"
SANDBOX_URL = "http://ct"
ORDER_TYPE_KEY = "fc-order"
OTHER_FIELD = "giftMessage"


def intake_settings(
    *,
    task_queue: str,
    webhook_public_keys: list[str] | None = None,
    events_token: str | None = None,
    max_body_bytes: int = 1_048_576,
    orders: OrderSettings | None = None,
) -> Settings:
    """Settings whose commercetools side points at the in-process sandbox."""
    return Settings(
        commercetools=CommercetoolsSettings(
            project_key=PROJECT_KEY,
            client_id="sandbox-client",
            client_secret="sandbox-secret",
            api_url=SANDBOX_URL,
            auth_url=SANDBOX_URL,
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


@asynccontextmanager
async def intake_activities(
    temporal: Client, settings: Settings
) -> AsyncIterator[tuple[IntakeActivities, SandboxShop]]:
    """The intake activities over a fresh sandbox project, and a handle to drive it."""
    app = create_app(CommercetoolsSandboxConfig(project_key=PROJECT_KEY))
    store = sandbox_of(app).store

    def set_clock(moment: datetime) -> None:
        store.clock = lambda: moment

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=SANDBOX_URL) as root:
        token = await root.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("sandbox-client", "sandbox-secret"),
        )
        headers = {"authorization": f"Bearer {token.json()['access_token']}"}
        async with (
            httpx.AsyncClient(
                transport=transport, base_url=f"{SANDBOX_URL}/{PROJECT_KEY}/", headers=headers
            ) as http,
            CommercetoolsClient(settings.commercetools, transport=transport) as commercetools,
            FluentClient(settings.fluent) as fluent,
        ):
            await _order_type(http)
            deps = Dependencies(
                settings=settings, commercetools=commercetools, fluent=fluent, temporal=temporal
            )
            yield IntakeActivities(deps), SandboxShop(http=http, set_clock=set_clock)
