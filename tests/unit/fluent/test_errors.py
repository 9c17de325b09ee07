"""Classification of Fluent's failures: GraphQL error codes, HTTP statuses, transport errors."""

from __future__ import annotations

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from connector.errors import (
    AlreadyExistsError,
    ConnectorError,
    NotFoundError,
    PermanentError,
    TransientError,
)
from connector.fluent.client import FluentClient
from connector.fluent.errors import classify_graphql_errors, error_codes

from .conftest import GraphqlStub


@pytest.mark.parametrize(
    ("error", "codes"),
    [
        ({"message": "x", "extensions": {"code": "C0011E"}}, ["C0011E"]),
        ({"message": "x", "code": "S0001E"}, ["S0001E"]),
        ({"message": "[C0121E] Unique constraint violated"}, ["C0121E"]),
        ({"message": "C0120E: Order not found; see T0042E"}, ["C0120E", "T0042E"]),
        ({"message": "C0120E twice C0120E", "code": "C0120E"}, ["C0120E"]),
        ({"message": "no code here, not even XC0011E9"}, []),
        ({"message": "warning", "extensions": {"code": "C0300W"}}, ["C0300W"]),
        ({"message": None, "extensions": "not a mapping"}, []),
    ],
)
def test_error_codes_are_read_from_extensions_code_and_message(
    error: dict[str, object], codes: list[str]
) -> None:
    assert error_codes(error) == codes


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ({"message": "Rate limited", "extensions": {"code": "C0011E"}}, TransientError),
        ({"message": "Internal", "extensions": {"code": "S0001E"}}, TransientError),
        ({"message": "Database busy", "code": "S1234E"}, TransientError),
        ({"message": "Order ref exists", "extensions": {"code": "C0121E"}}, AlreadyExistsError),
        ({"message": "Customer exists", "extensions": {"code": "C0123E"}}, AlreadyExistsError),
        ({"message": "Duplicate product ref", "code": "C0128E"}, AlreadyExistsError),
        ({"message": "ERROR: duplicate key value violates unique constraint"}, AlreadyExistsError),
        ({"message": "Order with ref X already exists"}, AlreadyExistsError),
        ({"message": "Entity", "extensions": {"code": "C0120E"}}, NotFoundError),
        ({"message": "Location LOC_9 not found"}, NotFoundError),
        ({"message": "Query too complex", "extensions": {"code": "C0001E"}}, PermanentError),
        ({"message": "Carrier said no", "extensions": {"code": "T0100E"}}, PermanentError),
        ({"message": "Validation error of type FieldUndefined"}, PermanentError),
    ],
)
def test_each_code_class_maps_to_its_error(error: dict[str, object], expected: type) -> None:
    result = classify_graphql_errors([error])

    assert type(result) is expected
    assert result.platform == "fluent"
    assert str(error["message"]) in result.message


def test_rate_limit_asks_to_retry_after_60_seconds() -> None:
    result = classify_graphql_errors([{"message": "slow down", "extensions": {"code": "C0011E"}}])

    assert isinstance(result, TransientError)
    assert result.retry_after == 60
    assert result.codes == ("C0011E",)


def test_server_error_code_has_no_retry_after() -> None:
    result = classify_graphql_errors([{"message": "x", "extensions": {"code": "S0001E"}}])

    assert isinstance(result, TransientError)
    assert result.retry_after is None


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["S0001E", "C0121E"], AlreadyExistsError),
        (["C0121E", "C0120E"], NotFoundError),
        (["C0120E", "C0001E"], PermanentError),
        (["C0011E", "S0001E"], TransientError),
    ],
)
def test_with_several_errors_the_least_retryable_decides(codes: list[str], expected: type) -> None:
    errors = [{"message": f"error {code}", "extensions": {"code": code}} for code in codes]

    result = classify_graphql_errors(errors)

    assert type(result) is expected
    assert result.codes == tuple(codes)


def test_empty_errors_list_is_permanent() -> None:
    assert type(classify_graphql_errors([])) is PermanentError


@given(
    letter=st.sampled_from("CST"),
    number=st.integers(min_value=0, max_value=9999),
    severity=st.sampled_from("EW"),
    where=st.sampled_from(["extensions", "code", "message"]),
)
def test_classification_follows_the_code_letter(
    letter: str, number: int, severity: str, where: str
) -> None:
    code = f"{letter}{number:04d}{severity}"
    error: dict[str, object] = {"message": "failure"}
    if where == "extensions":
        error["extensions"] = {"code": code}
    elif where == "code":
        error["code"] = code
    else:
        error["message"] = f"failure {code}"

    result = classify_graphql_errors([error])

    assert result.codes == (code,)
    if letter == "S" or code == "C0011E":
        assert type(result) is TransientError
    elif code in {"C0121E", "C0123E", "C0128E"}:
        assert type(result) is AlreadyExistsError
    elif code == "C0120E":
        assert type(result) is NotFoundError
    else:
        assert type(result) is PermanentError


# --- through the client ---------------------------------------------------------------------


async def test_graphql_errors_in_a_200_raise_the_classified_error(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.answer(
        "CustomerByUsername",
        {"data": None, "errors": [{"message": "Too many", "extensions": {"code": "C0011E"}}]},
    )

    with pytest.raises(TransientError) as caught:
        await client.find_customer("someone")

    assert caught.value.retry_after == 60
    assert caught.value.status_code is None


async def test_warnings_alone_do_not_fail_a_response_with_data(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.answer(
        "CustomerByUsername",
        {
            "data": {"customers": {"edges": []}},
            "errors": [{"message": "deprecated", "extensions": {"code": "C0500W"}}],
        },
    )

    assert await client.find_customer("someone") is None


async def test_partial_data_with_an_error_still_fails(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.answer(
        "CustomerByUsername",
        {"data": {"customers": None}, "errors": [{"message": "boom", "code": "S0001E"}]},
    )

    with pytest.raises(TransientError):
        await client.find_customer("someone")


@pytest.mark.parametrize(
    ("response", "expected", "retry_after"),
    [
        (httpx.Response(500, text="oops"), TransientError, None),
        (httpx.Response(502), TransientError, None),
        (httpx.Response(503, headers={"Retry-After": "7"}), TransientError, 7.0),
        (httpx.Response(429, headers={"Retry-After": "12"}), TransientError, 12.0),
        (httpx.Response(429, headers={"Retry-After": "inf"}), TransientError, None),
        (httpx.Response(429), TransientError, None),
        (httpx.Response(400, text="bad request"), PermanentError, None),
        (httpx.Response(403, text="forbidden"), PermanentError, None),
        (httpx.Response(404, text="no such path"), NotFoundError, None),
        (httpx.Response(413, text="too large"), PermanentError, None),
        (
            httpx.Response(400, json={"errors": [{"message": "x", "code": "C0121E"}]}),
            AlreadyExistsError,
            None,
        ),
        (
            httpx.Response(400, json={"errors": [{"message": "x", "code": "C0011E"}]}),
            TransientError,
            60.0,
        ),
    ],
)
async def test_http_statuses_map_to_error_classes(
    client: FluentClient,
    graphql: GraphqlStub,
    response: httpx.Response,
    expected: type[ConnectorError],
    retry_after: float | None,
) -> None:
    graphql.answer("CustomerByUsername", response)

    with pytest.raises(ConnectorError) as caught:
        await client.find_customer("someone")

    assert type(caught.value) is expected
    assert caught.value.status_code == response.status_code
    if isinstance(caught.value, TransientError):
        assert caught.value.retry_after == retry_after


async def test_413_says_the_body_is_too_large(client: FluentClient, graphql: GraphqlStub) -> None:
    graphql.answer("CustomerByUsername", httpx.Response(413))

    with pytest.raises(PermanentError, match="too large"):
        await client.find_customer("someone")


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("connection refused"),
        httpx.RemoteProtocolError("server hung up"),
    ],
)
async def test_timeouts_and_connection_failures_are_transient(
    client: FluentClient, router: respx.MockRouter, token_route: respx.Route, failure: Exception
) -> None:
    router.post("/graphql").mock(side_effect=failure)

    with pytest.raises(TransientError, match="/graphql"):
        await client.find_customer("someone")


async def test_non_json_success_is_permanent(client: FluentClient, graphql: GraphqlStub) -> None:
    graphql.answer("CustomerByUsername", httpx.Response(200, text="<html>login</html>"))

    with pytest.raises(PermanentError, match="non-JSON"):
        await client.find_customer("someone")


async def test_an_answer_the_models_cannot_read_is_permanent_and_names_the_fields(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    """Retrying cannot change Fluent's answer: an order lifecycle (which retries transient
    failures forever) must stop with a reason instead. Values may be personal: not shown."""
    node = {"id": "9001", "ref": "CT-1001", "attributes": [{"name": "email", "value": "a@b.c"}]}
    graphql.data("OrderByRef", {"orders": {"edges": [{"node": node}]}})

    with pytest.raises(PermanentError) as caught:
        await client.find_order("CT-1001")

    message = caught.value.message
    assert message.startswith("unexpected Order in response")
    assert "type: Field required" in message
    assert "attributes.0.type: Field required" in message
    assert "a@b.c" not in message


async def test_response_without_data_is_permanent(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.answer("CustomerByUsername", {"data": None})

    with pytest.raises(PermanentError, match="no data"):
        await client.find_customer("someone")


async def test_unknown_operation_is_a_programming_error(client: FluentClient) -> None:
    with pytest.raises(KeyError, match="NoSuchOperation"):
        await client.graphql("NoSuchOperation", {})
