"""Full iteration by ascending id (`where id > last`), never by offset."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from connector.commercetools.client import CommercetoolsClient
from connector.errors import PermanentError
from tests.unit.commercetools import payloads
from tests.unit.commercetools.harness import API


def query(request: httpx.Request) -> list[tuple[str, str]]:
    return list(request.url.params.multi_items())


def pages_of(ids: list[str], size: int) -> list[httpx.Response]:
    chunks = [ids[start : start + size] for start in range(0, len(ids), size)] or [[]]
    if len(ids) % size == 0 and ids:
        chunks.append([])  # a full last page needs one more request to see the end
    return [
        httpx.Response(200, json=payloads.page([{"id": id_, "n": id_} for id_ in chunk], size))
        for chunk in chunks
    ]


async def collect(client: CommercetoolsClient, resource: str, **kwargs: Any) -> list[list[str]]:
    return [
        [item["id"] for item in page] async for page in client.iterate_pages(resource, **kwargs)
    ]


async def test_pages_follow_the_last_id_with_exact_parameters(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    ids = [f"id-{n:02d}" for n in range(7)]
    route = router.get(f"{API}/categories").mock(side_effect=pages_of(ids, 3))

    pages = await collect(
        client, "categories", where=["key is defined", 'name(en = "x")'], page_size=3
    )

    assert pages == [ids[0:3], ids[3:6], ids[6:7]]
    base = [("limit", "3"), ("withTotal", "false"), ("sort", "id asc")]
    caller = [("where", "key is defined"), ("where", 'name(en = "x")')]
    assert [query(call.request) for call in route.calls] == [
        base + caller,
        base + caller + [("where", 'id > "id-02"')],
        base + caller + [("where", 'id > "id-05"')],
    ]
    assert all("offset" not in call.request.url.params for call in route.calls)


async def test_a_full_last_page_needs_one_more_request(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    ids = ["a", "b", "c", "d"]
    route = router.get(f"{API}/channels").mock(side_effect=pages_of(ids, 2))

    pages = await collect(client, "channels", page_size=2)

    assert pages == [["a", "b"], ["c", "d"]]
    assert route.call_count == 3
    assert query(route.calls.last.request)[-1] == ("where", 'id > "d"')


async def test_no_results_yield_no_pages(client: CommercetoolsClient, router: respx.Router) -> None:
    route = router.get(f"{API}/orders").respond(json=payloads.page([]))

    assert await collect(client, "orders") == []
    assert route.call_count == 1
    assert query(route.calls.last.request) == [
        ("limit", "500"),
        ("withTotal", "false"),
        ("sort", "id asc"),
    ]


async def test_extra_params_are_sent_on_every_page(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.get(f"{API}/product-projections").mock(
        side_effect=pages_of(["p1", "p2", "p3"], 2)
    )

    await collect(client, "product-projections", params={"staged": "true"}, page_size=2)

    assert all(call.request.url.params["staged"] == "true" for call in route.calls)


async def test_a_last_id_with_quotes_is_escaped(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.get(f"{API}/channels").mock(side_effect=pages_of(['we"ird\\id'], 1))

    await collect(client, "channels", page_size=1)

    assert query(route.calls.last.request)[-1] == ("where", 'id > "we\\"ird\\\\id"')


@pytest.mark.parametrize("page_size", [0, 501, -1])
async def test_page_size_must_be_within_the_api_limit(
    client: CommercetoolsClient, page_size: int
) -> None:
    with pytest.raises(ValueError, match="page_size"):
        await collect(client, "channels", page_size=page_size)


@pytest.mark.parametrize("name", ["limit", "offset", "sort", "where", "withTotal"])
async def test_paging_parameters_cannot_be_overridden(
    client: CommercetoolsClient, name: str
) -> None:
    with pytest.raises(ValueError, match=name):
        await collect(client, "channels", params={name: "x"})


async def test_a_single_string_where_is_rejected(client: CommercetoolsClient) -> None:
    with pytest.raises(TypeError, match="sequence of predicates"):
        await collect(client, "channels", where='key = "a"')


@pytest.mark.parametrize(
    "body",
    [{"limit": 500, "count": 0}, {"results": "nope"}, [1, 2]],
)
async def test_a_response_without_results_is_permanent(
    client: CommercetoolsClient, router: respx.Router, body: object
) -> None:
    router.get(f"{API}/channels").respond(json=body)

    with pytest.raises(PermanentError, match="results"):
        await collect(client, "channels")


@pytest.mark.parametrize("results", [[{"key": "no-id"}], [{"id": "a"}, {"id": 7}], ["a"]])
async def test_a_result_without_an_id_is_permanent(
    client: CommercetoolsClient, router: respx.Router, results: list[Any]
) -> None:
    router.get(f"{API}/channels").respond(json=payloads.page(results, 5))

    with pytest.raises(PermanentError, match="no id"):
        await collect(client, "channels", page_size=5)


@pytest.mark.parametrize("ids", [["b", "a"], ["a", "a"], ["a", "c", "b"]])
async def test_a_page_out_of_id_order_is_permanent_before_it_is_yielded(
    client: CommercetoolsClient, router: respx.Router, ids: list[str]
) -> None:
    router.get(f"{API}/channels").mock(side_effect=pages_of(ids, 5))

    pages = client.iterate_pages("channels", page_size=5)
    with pytest.raises(PermanentError, match="not in ascending id order") as refused:
        await anext(pages)
    assert "sort=id asc" in str(refused.value)


async def test_a_page_starting_before_the_last_id_is_permanent(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    """A server that ignores the sort (and returns another slice) would make the next page
    skip resources: the second page starts before the first one's last id."""
    router.get(f"{API}/channels").mock(
        side_effect=[
            httpx.Response(200, json=payloads.page([{"id": "c"}, {"id": "d"}], 2)),
            httpx.Response(200, json=payloads.page([{"id": "a"}, {"id": "e"}], 2)),
        ]
    )

    pages = client.iterate_pages("channels", page_size=2)
    assert [item["id"] for item in await anext(pages)] == ["c", "d"]
    with pytest.raises(PermanentError, match=r"'d' before 'a'"):
        await anext(pages)


async def test_typed_iteration_parses_each_page_into_models(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    products = [payloads.product_projection(f"p{n}", f"SKU-{n}") for n in range(2)]
    route = router.get(f"{API}/product-projections").respond(json=payloads.page(products))

    pages = [
        [(product.id, product.master_variant.sku) for product in page]
        async for page in client.iterate_product_projections(
            where=['lastModifiedAt >= "2026-01-01T00:00:00.000Z"'], staged=True
        )
    ]

    assert pages == [[("p0", "SKU-0"), ("p1", "SKU-1")]]
    assert route.call_count == 1
    sent = route.calls.last.request.url.params
    assert sent.get_list("where") == ['lastModifiedAt >= "2026-01-01T00:00:00.000Z"']
    assert sent["staged"] == "true"


async def test_product_projections_are_published_data_by_default(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.get(f"{API}/product-projections").respond(json=payloads.page([]))

    assert [page async for page in client.iterate_product_projections()] == []
    assert route.calls.last.request.url.params["staged"] == "false"
