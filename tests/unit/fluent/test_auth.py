"""OAuth: the token request Fluent expects, caching, renewal ahead of expiry, 401 handling."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from connector.errors import PermanentError, TransientError
from connector.fluent.client import FluentClient

from .conftest import FakeClock, GraphqlStub, make_settings, token_response

CUSTOMER_PAGE: dict[str, Any] = {"customers": {"edges": []}}


async def test_token_request_is_the_password_grant_form_fluent_expects(
    client: FluentClient, graphql: GraphqlStub, token_route: respx.Route
) -> None:
    graphql.data("CustomerByUsername", CUSTOMER_PAGE)

    await client.find_customer("someone")

    request = token_route.calls.last.request
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "username": ["api_user"],
        "password": ["api-password"],
        "client_id": ["ACME"],
        "client_secret": ["client-secret"],
        "grant_type": ["password"],
        "scope": ["api"],
    }
    assert request.url.query == b""  # credentials never travel in the URL
    assert graphql.authorizations == ["Bearer token-1"]


async def test_token_is_cached_between_requests(
    client: FluentClient, graphql: GraphqlStub, token_route: respx.Route, clock: FakeClock
) -> None:
    graphql.data("CustomerByUsername", CUSTOMER_PAGE, CUSTOMER_PAGE, CUSTOMER_PAGE)

    for _ in range(3):
        await client.find_customer("someone")
        clock.advance(3600)

    assert token_route.call_count == 1


async def test_token_is_renewed_ahead_of_expiry(
    client: FluentClient, graphql: GraphqlStub, token_route: respx.Route, clock: FakeClock
) -> None:
    token_route.side_effect = [token_response("token-1", 3600), token_response("token-2", 3600)]
    graphql.data("CustomerByUsername", CUSTOMER_PAGE, CUSTOMER_PAGE, CUSTOMER_PAGE)

    await client.find_customer("a")
    clock.advance(3600 - 301)  # more than the 300 s margin before expiry: still good
    await client.find_customer("b")
    clock.advance(2)  # now within the margin
    await client.find_customer("c")

    assert token_route.call_count == 2
    assert graphql.authorizations == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


async def test_short_lived_token_is_renewed_at_half_its_lifetime(
    client: FluentClient, graphql: GraphqlStub, token_route: respx.Route, clock: FakeClock
) -> None:
    token_route.side_effect = [token_response("token-1", 60), token_response("token-2", 60)]
    graphql.data("CustomerByUsername", CUSTOMER_PAGE, CUSTOMER_PAGE, CUSTOMER_PAGE)

    await client.find_customer("a")
    clock.advance(29)
    await client.find_customer("b")
    clock.advance(1)
    await client.find_customer("c")

    assert graphql.authorizations == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


async def test_concurrent_callers_share_one_token_request(
    client: FluentClient, graphql: GraphqlStub, token_route: respx.Route
) -> None:
    graphql.data("CustomerByUsername", *[CUSTOMER_PAGE] * 10)

    await asyncio.gather(*(client.find_customer(f"user-{n}") for n in range(10)))

    assert token_route.call_count == 1


async def test_401_renews_the_token_once_and_retries(
    client: FluentClient, graphql: GraphqlStub, token_route: respx.Route
) -> None:
    token_route.side_effect = [token_response("revoked"), token_response("token-2")]
    graphql.answer(
        "CustomerByUsername",
        httpx.Response(401, json={"error": "invalid_token"}),
        {"data": CUSTOMER_PAGE},
    )

    assert await client.find_customer("someone") is None

    assert token_route.call_count == 2
    assert graphql.authorizations == ["Bearer revoked", "Bearer token-2"]


async def test_second_401_is_permanent(
    client: FluentClient, graphql: GraphqlStub, token_route: respx.Route
) -> None:
    token_route.side_effect = [token_response("token-1"), token_response("token-2")]
    graphql.answer("CustomerByUsername", httpx.Response(401), httpx.Response(401))

    with pytest.raises(PermanentError) as caught:
        await client.find_customer("someone")

    assert caught.value.status_code == 401
    assert token_route.call_count == 2


async def test_concurrent_401s_cause_one_renewal(
    client: FluentClient, router: respx.MockRouter, token_route: respx.Route
) -> None:
    token_route.side_effect = [token_response("revoked"), token_response("token-2")]

    def revoked_token_is_refused(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer revoked":
            return httpx.Response(401)
        return httpx.Response(200, json={"data": CUSTOMER_PAGE})

    router.post("/graphql").mock(side_effect=revoked_token_is_refused)

    await asyncio.gather(*(client.find_customer(f"user-{n}") for n in range(5)))

    assert token_route.call_count == 2


@pytest.mark.parametrize("status", [400, 401, 403])
async def test_rejected_credentials_are_permanent_and_say_which_settings(
    client: FluentClient, token_route: respx.Route, status: int
) -> None:
    token_route.return_value = httpx.Response(status, json={"error": "invalid_grant"})

    with pytest.raises(PermanentError) as caught:
        await client.find_customer("someone")

    assert "FLUENT_PASSWORD" in str(caught.value)
    assert "api-password" not in str(caught.value)


async def test_token_endpoint_outage_is_transient(
    client: FluentClient, token_route: respx.Route
) -> None:
    token_route.return_value = httpx.Response(503, text="maintenance")

    with pytest.raises(TransientError):
        await client.find_customer("someone")


async def test_token_response_without_access_token_is_permanent(
    client: FluentClient, token_route: respx.Route
) -> None:
    token_route.return_value = httpx.Response(200, json={"token_type": "bearer"})

    with pytest.raises(PermanentError, match="token response"):
        await client.find_customer("someone")


async def test_client_closes_its_connection_pool() -> None:
    client = FluentClient(make_settings())
    async with client:
        pass
    with pytest.raises(RuntimeError):
        await client.request_json("GET", "/anything")
