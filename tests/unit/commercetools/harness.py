"""A commercetools client wired to a respx router, with a controllable clock."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import respx

from connector.commercetools.client import CommercetoolsClient
from connector.config import CommercetoolsSettings

API = "https://api.example.test/demo"
AUTH = "https://auth.example.test/oauth/token"
TOKEN_LIFETIME = 172_800
LITERAL = re.compile(r'"(?:[^"\\]|\\["\\])*"')
"""A string literal as `predicates.quote` writes it."""


def make_settings(**overrides: object) -> CommercetoolsSettings:
    values: dict[str, object] = {
        "project_key": "demo",
        "client_id": "connector-client",
        "client_secret": "s3cret",
        "api_url": "https://api.example.test",
        "auth_url": "https://auth.example.test",
        "scopes": "manage_orders:demo view_products:demo",
        "conflict_retries": 3,
        **overrides,
    }
    return CommercetoolsSettings(**values)  # type: ignore[arg-type]


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class TokenIssuer:
    """The auth endpoint: issues `token-1`, `token-2`, ... with a fixed lifetime."""

    def __init__(self, lifetime: int = TOKEN_LIFETIME) -> None:
        self.lifetime = lifetime
        self._numbers = itertools.count(1)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = {
            "access_token": f"token-{next(self._numbers)}",
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "scope": "manage_orders:demo",
        }
        return httpx.Response(200, json=body)


def bearer(request: httpx.Request) -> str:
    return request.headers["Authorization"].removeprefix("Bearer ")


@asynccontextmanager
async def mocked_client(
    router: respx.Router, clock: FakeClock | None = None, **overrides: object
) -> AsyncIterator[CommercetoolsClient]:
    transport = httpx.MockTransport(router.async_handler)
    async with CommercetoolsClient(
        make_settings(**overrides), transport=transport, clock=clock or FakeClock()
    ) as client:
        yield client
