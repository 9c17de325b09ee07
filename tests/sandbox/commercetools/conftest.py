"""Fixtures for the commercetools sandbox tests: an app with the demo seed and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sandbox.commercetools.app import CommercetoolsSandbox, create_app, sandbox_of
from sandbox.commercetools.config import CommercetoolsSandboxConfig
from sandbox.seed import SeedData, generate

CLIENT = ("sandbox-client", "sandbox-secret")


@pytest.fixture(scope="session")
def demo_seed() -> SeedData:
    return generate()


@pytest.fixture
def app(demo_seed: SeedData) -> FastAPI:
    return create_app(CommercetoolsSandboxConfig(seed=demo_seed))


@pytest.fixture
def sandbox(app: FastAPI) -> CommercetoolsSandbox:
    return sandbox_of(app)


async def fetch_token(http: httpx.AsyncClient, scope: str | None = None) -> str:
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    response = await http.post("/oauth/token", data=form, auth=CLIENT)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Unauthenticated client at the root of the app (for auth and admin routes)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ct") as client:
        yield client


@pytest.fixture
async def ct(http: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """Authenticated client whose relative URLs start at `/demo/`."""
    token = await fetch_token(http)
    async with httpx.AsyncClient(
        transport=http._transport,
        base_url="http://ct/demo/",
        headers={"authorization": f"Bearer {token}"},
    ) as client:
        yield client


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body, after checking the status (showing the body when it differs)."""
    assert response.status_code == status, response.text
    return response.json()


def error_code(response: httpx.Response, status: int) -> str:
    body = ok(response, status)
    assert body["statusCode"] == status
    assert body["message"] == body["errors"][0]["message"]
    return str(body["errors"][0]["code"])


async def update(
    ct: httpx.AsyncClient, path: str, resource: dict[str, Any], *actions: dict[str, Any]
) -> httpx.Response:
    """POST the actions at the resource's current version."""
    body = {"version": resource["version"], "actions": list(actions)}
    return await ct.post(f"{path}/{resource['id']}", json=body)
