"""OAuth client credentials: caching, refresh ahead of expiry, shared refresh, 401 handling."""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from connector.commercetools.client import CommercetoolsClient, refresh_margin
from connector.errors import PermanentError, TransientError
from tests.unit.commercetools import payloads
from tests.unit.commercetools.harness import (
    API,
    AUTH,
    TOKEN_LIFETIME,
    FakeClock,
    TokenIssuer,
    bearer,
    mocked_client,
)


@pytest.fixture
def customer_route(router: respx.Router) -> respx.Route:
    return router.get(f"{API}/customers/cust-1").mock(
        return_value=httpx.Response(200, json=payloads.customer())
    )


async def test_one_token_serves_many_calls(
    client: CommercetoolsClient, token_route: respx.Route, customer_route: respx.Route
) -> None:
    for _ in range(5):
        await client.get_customer("cust-1")

    assert token_route.call_count == 1
    assert {bearer(call.request) for call in customer_route.calls} == {"token-1"}


async def test_token_request_uses_basic_auth_and_client_credentials_form(
    client: CommercetoolsClient, token_route: respx.Route, customer_route: respx.Route
) -> None:
    await client.get_customer("cust-1")

    request = token_route.calls.last.request
    scheme, _, encoded = request.headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "connector-client:s3cret"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["manage_orders:demo view_products:demo"],
    }


async def test_scope_is_omitted_when_not_configured(router: respx.Router) -> None:
    token_route = router.post(AUTH).mock(side_effect=TokenIssuer())
    router.get(f"{API}/customers/cust-1").respond(json=payloads.customer())

    async with mocked_client(router, scopes="") as client:
        await client.get_customer("cust-1")

    assert parse_qs(token_route.calls.last.request.content.decode()) == {
        "grant_type": ["client_credentials"]
    }


@pytest.mark.parametrize(
    ("lifetime", "margin"), [(TOKEN_LIFETIME, 300.0), (3_600, 300.0), (60, 6.0), (10, 1.0)]
)
def test_refresh_margin_is_five_minutes_or_a_tenth_of_a_short_life(
    lifetime: int, margin: float
) -> None:
    assert refresh_margin(lifetime) == pytest.approx(margin)


@pytest.mark.parametrize("lifetime", [TOKEN_LIFETIME, 60])
async def test_token_is_refreshed_ahead_of_expiry(
    router: respx.Router, clock: FakeClock, lifetime: int
) -> None:
    token_route = router.post(AUTH).mock(side_effect=TokenIssuer(lifetime))
    customers = router.get(f"{API}/customers/cust-1").respond(json=payloads.customer())
    margin = refresh_margin(lifetime)

    async with mocked_client(router, clock) as client:
        await client.get_customer("cust-1")
        clock.advance(lifetime - margin - 1)
        await client.get_customer("cust-1")
        clock.advance(1)
        await client.get_customer("cust-1")

    assert token_route.call_count == 2
    assert [bearer(call.request) for call in customers.calls] == ["token-1", "token-1", "token-2"]


async def test_concurrent_callers_share_one_refresh(router: respx.Router) -> None:
    issuer = TokenIssuer()
    token_requested = asyncio.Event()
    release_token = asyncio.Event()

    async def slow_token(request: httpx.Request) -> httpx.Response:
        token_requested.set()
        await release_token.wait()
        return issuer(request)

    token_route = router.post(AUTH).mock(side_effect=slow_token)
    customers = router.get(f"{API}/customers/cust-1").respond(json=payloads.customer())

    async with mocked_client(router) as client:
        calls = [asyncio.create_task(client.get_customer("cust-1")) for _ in range(10)]
        await token_requested.wait()
        await asyncio.sleep(0)  # let every caller reach the lock
        release_token.set()
        await asyncio.gather(*calls)

    assert token_route.call_count == 1
    assert {bearer(call.request) for call in customers.calls} == {"token-1"}
    assert customers.call_count == 10


async def test_a_401_refreshes_the_token_once_and_retries(
    client: CommercetoolsClient, router: respx.Router, token_route: respx.Route
) -> None:
    revoked = httpx.Response(401, json=payloads.error(401, "invalid_token", "token revoked"))
    customers = router.get(f"{API}/customers/cust-1").mock(
        side_effect=[revoked, httpx.Response(200, json=payloads.customer())]
    )

    customer = await client.get_customer("cust-1")

    assert customer.id == "cust-1"
    assert token_route.call_count == 2
    assert [bearer(call.request) for call in customers.calls] == ["token-1", "token-2"]


async def test_a_second_401_is_permanent(
    client: CommercetoolsClient, router: respx.Router, token_route: respx.Route
) -> None:
    router.get(f"{API}/customers/cust-1").respond(
        401, json=payloads.error(401, "invalid_token", "The token is invalid")
    )

    with pytest.raises(PermanentError) as caught:
        await client.get_customer("cust-1")

    assert caught.value.status_code == 401
    assert caught.value.codes == ("invalid_token",)
    assert "with a new token" in caught.value.message
    assert token_route.call_count == 2


async def test_the_refreshed_token_is_kept_for_later_calls(
    client: CommercetoolsClient, router: respx.Router, token_route: respx.Route
) -> None:
    revoked = httpx.Response(401, json=payloads.error(401, "invalid_token", "revoked"))
    ok = httpx.Response(200, json=payloads.customer())
    customers = router.get(f"{API}/customers/cust-1").mock(side_effect=[revoked, ok, ok])

    await client.get_customer("cust-1")
    await client.get_customer("cust-1")

    assert token_route.call_count == 2
    assert [bearer(call.request) for call in customers.calls] == ["token-1", "token-2", "token-2"]


async def test_wrong_client_credentials_are_permanent(router: respx.Router) -> None:
    router.post(AUTH).respond(
        401,
        json={
            "statusCode": 401,
            "message": "Please provide valid client credentials using HTTP Basic Authentication.",
            "errors": [{"code": "invalid_client", "message": "Please provide valid client ..."}],
            "error": "invalid_client",
            "error_description": "Please provide valid client credentials.",
        },
    )

    async with mocked_client(router) as client:
        with pytest.raises(PermanentError) as caught:
            await client.get_customer("cust-1")

    assert caught.value.codes == ("invalid_client",)
    assert caught.value.message.startswith("POST /oauth/token: Please provide valid client")
    assert "s3cret" not in str(caught.value)


async def test_oauth_error_format_without_errors_list_keeps_the_code(
    router: respx.Router,
) -> None:
    router.post(AUTH).respond(
        400, json={"error": "invalid_scope", "error_description": "unknown scope"}
    )

    async with mocked_client(router) as client:
        with pytest.raises(PermanentError) as caught:
            await client.get_customer("cust-1")

    assert caught.value.codes == ("invalid_scope",)
    assert "unknown scope" in caught.value.message


async def test_auth_endpoint_outage_is_transient(router: respx.Router) -> None:
    router.post(AUTH).respond(503, text="upstream unavailable", headers={"Retry-After": "7"})

    async with mocked_client(router) as client:
        with pytest.raises(TransientError) as caught:
            await client.get_customer("cust-1")

    assert caught.value.retry_after == 7
    assert "upstream unavailable" in caught.value.message


async def test_auth_timeout_is_transient(router: respx.Router) -> None:
    router.post(AUTH).mock(side_effect=httpx.ConnectTimeout("connect timed out"))

    async with mocked_client(router) as client:
        with pytest.raises(TransientError, match="timed out"):
            await client.get_customer("cust-1")


@pytest.mark.parametrize(
    "body",
    [
        {"token_type": "Bearer", "expires_in": 100},
        {"access_token": "", "expires_in": 100},
        {"access_token": "t", "expires_in": 0},
        ["not", "an", "object"],
    ],
)
async def test_a_malformed_token_response_is_permanent(router: respx.Router, body: object) -> None:
    router.post(AUTH).respond(200, json=body)

    async with mocked_client(router) as client:
        with pytest.raises(PermanentError, match="unexpected token"):
            await client.get_customer("cust-1")


async def test_a_failed_refresh_does_not_poison_the_next_call(
    router: respx.Router, clock: FakeClock
) -> None:
    outage = httpx.Response(503, text="down")
    issued = TokenIssuer()(httpx.Request("POST", AUTH))
    token_route = router.post(AUTH).mock(side_effect=[outage, issued])
    router.get(f"{API}/customers/cust-1").respond(json=payloads.customer())

    async with mocked_client(router, clock) as client:
        with pytest.raises(TransientError):
            await client.get_customer("cust-1")
        await client.get_customer("cust-1")

    assert token_route.call_count == 2
