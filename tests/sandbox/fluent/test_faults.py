"""The shared fault injection and request counters in front of the Fluent sandbox."""

from __future__ import annotations

import httpx

from sandbox.fluent import FluentSandboxConfig, create_app
from tests.sandbox.fluent.conftest import CREDENTIALS

QUERY = "{ orders(first: 1) { edges { cursor } } }"


async def test_requests_are_counted_by_route(fluent):
    await fluent.admin("DELETE", "/requests")
    await fluent.post_graphql(QUERY)
    await fluent.post_graphql(QUERY)
    await fluent.http.get("/api/v4.1/job/1", headers=fluent.headers)
    counts = await fluent.admin("GET", "/requests")
    assert counts["served"] == {"GET /api/v4.1/job/{job_id}": 1, "POST /graphql": 2}
    assert counts["writes"] == 2


async def test_injected_server_errors_hit_the_api_but_not_the_sandbox_routes(fluent):
    await fluent.admin("PUT", "/faults", {"error_rate": 1.0, "error_status": 503})
    response = await fluent.post_graphql(QUERY)
    assert response.status_code == 503
    token = await fluent.http.post("/oauth/token", data=CREDENTIALS)
    assert token.status_code == 503
    assert (await fluent.http.get("/sandbox/state")).status_code == 200
    assert (await fluent.admin("GET", "/requests"))["faults"] == {"503": 2}
    await fluent.admin("DELETE", "/faults")
    assert (await fluent.post_graphql(QUERY)).status_code == 200


async def test_rate_limiting_answers_429_with_retry_after(fluent):
    await fluent.admin("PUT", "/faults", {"rate_limit_rate": 1.0, "retry_after_seconds": 60})
    response = await fluent.post_graphql(QUERY)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"


async def test_faults_can_be_configured_at_start(fluent_factory):
    async with fluent_factory() as fluent:
        assert (await fluent.admin("GET", "/faults"))["error_rate"] == 0
    config = {"seed": None, "faults": {"error_rate": 1.0}}
    app = create_app(FluentSandboxConfig(**config))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fluent.test"
    ) as http:
        assert (await http.post("/oauth/token", data=CREDENTIALS)).status_code == 503
