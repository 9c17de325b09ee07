"""Fixtures of the Fluent client tests: settings, a fake clock, and a respx-mocked Fluent that
answers GraphQL by operation name and records what the client sent."""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from connector.config import FluentSettings
from connector.fluent.client import FluentClient

BASE_URL = "https://acme.sandbox.api.fluentretail.com"


def make_settings(**overrides: Any) -> FluentSettings:
    values: dict[str, Any] = {
        "host": BASE_URL,
        "account_id": "ACME",
        "retailer_id": "7",
        "client_id": "ACME",
        "client_secret": "client-secret",
        "username": "api_user",
        "password": "api-password",
        "network_ref": "NET_ALL",
        "product_catalogue_ref": "PC:MASTER:7",
        "inventory_catalogue_ref": "DEFAULT:7",
        "virtual_catalogue_ref": "ATS:1",
    }
    values.update(overrides)
    return FluentSettings(**values)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def token_response(token: str = "token-1", expires_in: int = 86_400) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "access_token": token,
            "token_type": "bearer",
            "expires_in": expires_in,
            "scope": "api",
            "Retailer_id": 7,
        },
    )


class GraphqlStub:
    """The /graphql endpoint: answers queued per operation name, requests recorded."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.authorizations: list[str | None] = []
        self._answers: dict[str, deque[Any]] = defaultdict(deque)

    def answer(self, operation: str, *answers: Any) -> None:
        """Queue answers: a dict is a 200 JSON body (`{"data": ...}` or `{"errors": ...}`),
        an `httpx.Response` is sent as is."""
        self._answers[operation].extend(answers)

    def data(self, operation: str, *payloads: dict[str, Any]) -> None:
        self.answer(operation, *({"data": payload} for payload in payloads))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        self.authorizations.append(request.headers.get("Authorization"))
        queue = self._answers[body["operationName"]]
        if not queue:
            raise AssertionError(f"unexpected {body['operationName']} {body['variables']}")
        answer = queue.popleft()
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=answer)

    def sent(self, operation: str) -> list[dict[str, Any]]:
        """The variables of every request of `operation`, in order."""
        return [r["variables"] for r in self.requests if r["operationName"] == operation]

    def assert_drained(self) -> None:
        left = {name: len(queue) for name, queue in self._answers.items() if queue}
        assert not left, f"answers never requested: {left}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def token_route(router: respx.MockRouter) -> respx.Route:
    return router.post("/oauth/token").mock(return_value=token_response())


@pytest.fixture
def graphql(router: respx.MockRouter, token_route: respx.Route) -> Iterator[GraphqlStub]:
    stub = GraphqlStub()
    router.post("/graphql").mock(side_effect=stub)
    yield stub
    stub.assert_drained()


@pytest.fixture
async def client(clock: FakeClock, router: respx.MockRouter) -> AsyncIterator[FluentClient]:
    async with FluentClient(make_settings(), clock=clock) as fluent:
        yield fluent


def connection(
    *nodes: dict[str, Any], has_next: bool = False, cursor_prefix: str = "c"
) -> dict[str, Any]:
    """A Relay connection of `nodes` with cursors `<prefix>1`, `<prefix>2`, ..."""
    return {
        "edges": [
            {"cursor": f"{cursor_prefix}{index}", "node": node}
            for index, node in enumerate(nodes, 1)
        ],
        "pageInfo": {"hasNextPage": has_next},
    }
