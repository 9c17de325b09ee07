"""OAuth client credentials, token expiry, scopes and project keys, over HTTP."""

from __future__ import annotations

import httpx

from sandbox.commercetools.app import CommercetoolsSandbox
from tests.sandbox.commercetools.conftest import CLIENT, error_code, fetch_token, ok

FORM = {"grant_type": "client_credentials"}


async def test_token_response(http: httpx.AsyncClient) -> None:
    body = ok(await http.post("/oauth/token", data=FORM, auth=CLIENT))
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 172800
    assert body["scope"] == "manage_project:demo"
    assert len(body["access_token"]) >= 20


async def test_wrong_secret_is_invalid_client(http: httpx.AsyncClient) -> None:
    response = await http.post("/oauth/token", data=FORM, auth=("sandbox-client", "wrong"))
    assert error_code(response, 401) == "invalid_client"
    assert response.json()["error"] == "invalid_client"
    assert "HTTP Basic" in response.json()["error_description"]


async def test_missing_credentials_and_bad_grant(http: httpx.AsyncClient) -> None:
    assert error_code(await http.post("/oauth/token", data=FORM), 401) == "invalid_client"
    response = await http.post("/oauth/token", data={"grant_type": "password"}, auth=CLIENT)
    assert error_code(response, 400) == "unsupported_grant_type"


async def test_scope_for_another_project_is_refused(http: httpx.AsyncClient) -> None:
    form = {**FORM, "scope": "manage_orders:other"}
    response = await http.post("/oauth/token", data=form, auth=CLIENT)
    assert error_code(response, 400) == "invalid_scope"


async def test_api_needs_a_valid_bearer_token(http: httpx.AsyncClient) -> None:
    assert error_code(await http.get("/demo/orders"), 401) == "invalid_token"
    response = await http.get("/demo/orders", headers={"authorization": "Bearer nope"})
    assert error_code(response, 401) == "invalid_token"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_expired_tokens_are_refused(
    http: httpx.AsyncClient, sandbox: CommercetoolsSandbox
) -> None:
    token = await fetch_token(http)
    headers = {"authorization": f"Bearer {token}"}
    ok(await http.get("/demo/orders", headers=headers))
    issued_at = sandbox.tokens.clock()
    sandbox.tokens.clock = lambda: issued_at + sandbox.config.token_ttl_seconds + 1
    assert error_code(await http.get("/demo/orders", headers=headers), 401) == "invalid_token"


async def test_admin_route_expires_every_token(http: httpx.AsyncClient) -> None:
    token = await fetch_token(http)
    headers = {"authorization": f"Bearer {token}"}
    assert ok(await http.post("/sandbox/tokens/expire")) == {"expired": 1}
    assert error_code(await http.get("/demo/orders", headers=headers), 401) == "invalid_token"
    fresh = await fetch_token(http)
    ok(await http.get("/demo/orders", headers={"authorization": f"Bearer {fresh}"}))


async def test_scopes_limit_what_a_token_may_do(http: httpx.AsyncClient) -> None:
    token = await fetch_token(http, "view_orders:demo manage_channels:demo")
    headers = {"authorization": f"Bearer {token}"}
    ok(await http.get("/demo/orders", headers=headers))
    ok(await http.get("/demo/channels", headers=headers))
    response = await http.post("/demo/carts", headers=headers, json={"currency": "EUR"})
    assert error_code(response, 403) == "insufficient_scope"
    assert "manage_orders" in response.json()["message"]
    assert error_code(await http.get("/demo/messages", headers=headers), 403) == (
        "insufficient_scope"
    )


async def test_published_products_scope_reads_current_projections_only(
    http: httpx.AsyncClient,
) -> None:
    token = await fetch_token(http, "view_published_products:demo")
    headers = {"authorization": f"Bearer {token}"}
    ok(await http.get("/demo/product-projections", headers=headers))
    ok(await http.get("/demo/product-projections/key=prod-00001", headers=headers))
    staged = await http.get("/demo/product-projections", params={"staged": "true"}, headers=headers)
    assert error_code(staged, 403) == "insufficient_scope"
    assert error_code(await http.get("/demo/products", headers=headers), 403) == (
        "insufficient_scope"
    )


async def test_unknown_project_is_not_found(http: httpx.AsyncClient) -> None:
    token = await fetch_token(http)
    response = await http.get("/other/orders", headers={"authorization": f"Bearer {token}"})
    assert error_code(response, 404) == "ResourceNotFound"
    assert "other" in response.json()["message"]
