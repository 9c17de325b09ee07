"""The sandbox served by uvicorn over real HTTP, as the demo and integration tests run it."""

from __future__ import annotations

import asyncio
import json

import httpx

from sandbox.common.serving import serve_in_thread
from sandbox.fluent import AutopilotConfig, FluentSandboxConfig, create_app
from tests.sandbox.fluent.conftest import CREDENTIALS, FAST_RETRIES, Fluent


async def test_an_order_completes_over_http_with_the_autopilot_and_webhooks(
    demo_seed, signing_key_path, receiver
):
    config = FluentSandboxConfig(
        seed=demo_seed,
        webhook_urls=[receiver.url],
        webhook_signing_key_path=signing_key_path,
        webhook_retry_delays_seconds=FAST_RETRIES,
        autopilot=AutopilotConfig(enabled=True, step_interval_seconds=0.02),
    )
    app = create_app(config)
    with serve_in_thread(app, name="fluent-sandbox") as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            token = (await http.post("/oauth/token", data=CREDENTIALS)).json()["access_token"]
            fluent = Fluent(app=app, http=http, headers={"authorization": f"Bearer {token}"})
            await fluent.create_product("SKU-00000-1")
            buyer = await fluent.create_customer()
            order = await fluent.create_order("HD-1", {"SKU-00000-1": 1}, customer_id=buyer)
            await fluent.create_fulfilment("F-1", order, "ST-001")
            for _ in range(300):
                if await fluent.order_status("HD-1") == "COMPLETE":
                    break
                await asyncio.sleep(0.02)
            assert await fluent.order_status("HD-1") == "COMPLETE"
            for _ in range(300):
                statuses = {json.loads(body)["entityStatus"] for body in receiver.bodies()}
                if (
                    "COMPLETE" in statuses
                    and (await http.get("/sandbox/state")).json()["pendingWebhooks"] == 0
                ):
                    break
                await asyncio.sleep(0.02)
        fulfilment_statuses = [
            json.loads(body)["entityStatus"]
            for body in receiver.bodies()
            if json.loads(body)["entityType"] == "FULFILMENT"
        ]
        assert sorted(fulfilment_statuses) == sorted(
            ["CREATED", "AWAITING_WAVE", "PICK_PACK", "FULFILLED", "SHIPPED", "COMPLETE"]
        )
