"""Failures are classified into the shared taxonomy, keeping commercetools' codes and message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from connector.commercetools.client import CommercetoolsClient
from connector.errors import (
    AlreadyExistsError,
    ConflictError,
    ConnectorError,
    NotFoundError,
    PermanentError,
    TransientError,
    parse_retry_after,
)
from tests.unit.commercetools import payloads
from tests.unit.commercetools.harness import API

ORDER_URL = f"{API}/orders/order-1"


async def fail_with(
    client: CommercetoolsClient, router: respx.Router, response: httpx.Response
) -> ConnectorError:
    router.get(ORDER_URL).mock(return_value=response)
    with pytest.raises(ConnectorError) as caught:
        await client.get_order("order-1")
    return caught.value


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_transient(
    client: CommercetoolsClient, router: respx.Router, status: int
) -> None:
    body = payloads.error(status, "General", "Write operations are temporarily unavailable")
    error = await fail_with(client, router, httpx.Response(status, json=body))

    assert type(error) is TransientError
    assert error.platform == "commercetools"
    assert error.status_code == status
    assert error.codes == ("General",)
    assert error.message == "GET /orders/order-1: Write operations are temporarily unavailable"


async def test_a_gateway_error_page_keeps_its_text(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    html = "<html><body>502 Bad Gateway</body></html>" + "x" * 1000
    error = await fail_with(client, router, httpx.Response(502, text=html))

    assert isinstance(error, TransientError)
    assert error.codes == ()
    assert "502 Bad Gateway" in error.message
    assert len(error.message) < 600


async def test_an_empty_error_body_falls_back_to_the_reason_phrase(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    error = await fail_with(client, router, httpx.Response(503))

    assert isinstance(error, TransientError)
    assert error.message == "GET /orders/order-1: Service Unavailable"


@pytest.mark.parametrize(("header", "expected"), [("3", 3.0), ("0.5", 0.5), (None, None)])
async def test_429_is_transient_with_retry_after_seconds(
    client: CommercetoolsClient, router: respx.Router, header: str | None, expected: float | None
) -> None:
    headers = {"Retry-After": header} if header else {}
    body = payloads.error(429, "TooManyRequests", "Too many requests")
    error = await fail_with(client, router, httpx.Response(429, json=body, headers=headers))

    assert isinstance(error, TransientError)
    assert error.status_code == 429
    assert error.retry_after == expected


async def test_429_with_retry_after_as_http_date(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    error = await fail_with(client, router, httpx.Response(429, headers={"Retry-After": when}))

    assert isinstance(error, TransientError)
    assert error.retry_after is not None
    assert 25 <= error.retry_after <= 30


NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 2 ", 2.0),
        ("1.5", 1.5),
        ("-4", 0.0),
        ("Sun, 01 Mar 2026 12:01:30 GMT", 90.0),
        ("Sun, 01 Mar 2026 11:59:00 GMT", 0.0),
        ("Sunday, 01-Mar-26 12:00:10 GMT", 10.0),
        ("soon", None),
        ("", None),
        ("nan", None),
        ("inf", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


async def test_409_concurrent_modification_is_a_conflict_with_the_current_version(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    body = payloads.error(
        409,
        "ConcurrentModification",
        "Object order-1 has a different version than expected. Expected: 3 - Actual: 5.",
        currentVersion=5,
    )
    error = await fail_with(client, router, httpx.Response(409, json=body))

    assert isinstance(error, ConflictError)
    assert error.current_version == 5
    assert error.codes == ("ConcurrentModification",)
    assert "Expected: 3 - Actual: 5" in error.message


async def test_409_without_a_version_is_still_a_conflict(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    body = payloads.error(409, "ConcurrentModification", "conflict")
    error = await fail_with(client, router, httpx.Response(409, json=body))

    assert isinstance(error, ConflictError)
    assert error.current_version is None


async def test_404_is_not_found(client: CommercetoolsClient, router: respx.Router) -> None:
    body = payloads.error(404, "ResourceNotFound", "The Resource with ID 'order-1' was not found.")
    error = await fail_with(client, router, httpx.Response(404, json=body))

    assert isinstance(error, NotFoundError)
    assert error.codes == ("ResourceNotFound",)
    assert "'order-1' was not found" in error.message


async def test_duplicate_field_is_already_exists_with_field_and_value(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    body = payloads.error(
        400,
        "DuplicateField",
        "A duplicate value '\"store-berlin\"' exists for field 'key'.",
        field="key",
        duplicateValue="store-berlin",
        conflictingResource={"typeId": "channel", "id": "chan-1"},
    )
    error = await fail_with(client, router, httpx.Response(400, json=body))

    assert isinstance(error, AlreadyExistsError)
    assert error.codes == ("DuplicateField",)
    assert "field='key'" in error.message
    assert 'duplicateValue="store-berlin"' in error.message


@pytest.mark.parametrize(
    "code",
    [
        "DuplicateFieldWithConflictingResource",
        "DuplicateStandalonePriceScope",
        "DuplicatePriceKey",
        "EnumKeyAlreadyExists",
    ],
)
async def test_other_duplicate_codes_are_already_exists(
    client: CommercetoolsClient, router: respx.Router, code: str
) -> None:
    body = payloads.error(400, code, "already there")
    error = await fail_with(client, router, httpx.Response(400, json=body))

    assert isinstance(error, AlreadyExistsError)


async def test_a_duplicate_mixed_with_invalid_input_is_permanent_not_already_exists(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    body = {
        "statusCode": 400,
        "message": "Two problems",
        "errors": [
            {"code": "DuplicateField", "message": "dup", "field": "key", "duplicateValue": "k"},
            {"code": "InvalidInput", "message": "quantity must be positive"},
        ],
    }
    error = await fail_with(client, router, httpx.Response(400, json=body))

    assert type(error) is PermanentError
    assert error.codes == ("DuplicateField", "InvalidInput")
    assert "quantity must be positive" in error.message


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "InvalidInput"),
        (400, "InvalidOperation"),
        (400, "InvalidJsonInput"),
        (400, "ReferencedResourceNotFound"),
        (403, "insufficient_scope"),
        (413, "ContentTooLarge"),
        (422, "General"),
    ],
)
async def test_other_client_errors_are_permanent(
    client: CommercetoolsClient, router: respx.Router, status: int, code: str
) -> None:
    body = payloads.error(status, code, f"failed with {code}")
    error = await fail_with(client, router, httpx.Response(status, json=body))

    assert type(error) is PermanentError
    assert error.status_code == status
    assert error.codes == (code,)
    assert str(error) == f"[commercetools {status} {code}] GET /orders/order-1: failed with {code}"


@pytest.mark.parametrize(
    "exception",
    [
        httpx.ConnectTimeout("connect"),
        httpx.ReadTimeout("read"),
        httpx.WriteTimeout("write"),
        httpx.PoolTimeout("pool"),
    ],
)
async def test_timeouts_are_transient(
    client: CommercetoolsClient, router: respx.Router, exception: Exception
) -> None:
    router.get(ORDER_URL).mock(side_effect=exception)

    with pytest.raises(TransientError) as caught:
        await client.get_order("order-1")

    assert caught.value.message == f"GET /orders/order-1: timed out ({type(exception).__name__})"
    assert caught.value.__cause__ is exception


@pytest.mark.parametrize(
    "exception",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadError("connection reset by peer"),
        httpx.RemoteProtocolError("server disconnected without sending a response"),
    ],
)
async def test_connection_errors_are_transient(
    client: CommercetoolsClient, router: respx.Router, exception: Exception
) -> None:
    router.get(ORDER_URL).mock(side_effect=exception)

    with pytest.raises(TransientError, match=str(exception)):
        await client.get_order("order-1")


async def test_a_success_status_with_a_body_that_is_not_json_is_transient(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    router.get(ORDER_URL).respond(200, text="<html>maintenance</html>")

    with pytest.raises(TransientError, match="not JSON"):
        await client.get_order("order-1")


async def test_a_response_missing_required_fields_is_permanent_and_names_them(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    broken = payloads.order()
    del broken["orderState"]
    broken["totalPrice"] = {"currencyCode": "EUR"}
    router.get(ORDER_URL).respond(json=broken)

    with pytest.raises(PermanentError) as caught:
        await client.get_order("order-1")

    assert "orderState" in caught.value.message
    assert "totalPrice.centAmount" in caught.value.message
    assert "ada@example.com" not in caught.value.message


async def test_the_client_does_not_retry_transient_errors(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.get(ORDER_URL).respond(503)

    with pytest.raises(TransientError):
        await client.get_order("order-1")

    assert route.call_count == 1
