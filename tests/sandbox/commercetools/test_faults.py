"""Fault injection and request counters of `sandbox.common`, mounted on this sandbox."""

from __future__ import annotations

import time

import httpx

from tests.sandbox.commercetools.conftest import ok


async def test_server_errors(http: httpx.AsyncClient, ct: httpx.AsyncClient) -> None:
    ok(await http.put("/sandbox/faults", json={"error_rate": 1.0, "error_status": 502}))
    response = await ct.get("orders")
    assert response.status_code == 502
    assert response.json()["statusCode"] == 502
    assert (await http.get("/sandbox/requests")).status_code == 200
    ok(await http.delete("/sandbox/faults"))
    ok(await ct.get("orders"))


async def test_rate_limit_with_retry_after(http: httpx.AsyncClient, ct: httpx.AsyncClient) -> None:
    ok(await http.put("/sandbox/faults", json={"rate_limit_rate": 1.0, "retry_after_seconds": 7}))
    response = await ct.post("orders/import", json={})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"


async def test_partial_error_rate_is_reproducible(
    http: httpx.AsyncClient, ct: httpx.AsyncClient
) -> None:
    async def statuses() -> list[int]:
        ok(await http.put("/sandbox/faults", json={"error_rate": 0.5, "seed": 42}))
        return [(await ct.get("channels")).status_code for _ in range(40)]

    first = await statuses()
    assert set(first) == {200, 503}
    assert await statuses() == first


async def test_latency(http: httpx.AsyncClient, ct: httpx.AsyncClient) -> None:
    ok(await http.put("/sandbox/faults", json={"latency_ms": 150}))
    started = time.perf_counter()
    ok(await ct.get("channels"))
    assert time.perf_counter() - started >= 0.15


async def test_request_counters(http: httpx.AsyncClient, ct: httpx.AsyncClient) -> None:
    ok(await http.delete("/sandbox/requests"))
    ok(await ct.get("orders"))
    ok(await ct.get("orders", params={"limit": 1}))
    ok(await ct.get("categories/key=cat-00"))
    ok(await http.put("/sandbox/faults", json={"error_rate": 1.0}))
    await ct.get("orders")
    counters = ok(await http.get("/sandbox/requests"))
    assert counters["served"] == {
        "GET /{project_key}/categories/key={key}": 1,
        "GET /{project_key}/orders": 2,
    }
    assert counters["faults"] == {"503": 1}
    assert (counters["total"], counters["writes"]) == (3, 0)
