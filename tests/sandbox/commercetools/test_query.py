"""Query parameters and paging semantics, on plain resources (no HTTP)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.commercetools.errors import ApiError
from sandbox.commercetools.query import Query, expand, parse_query, run_query

RESOURCES: list[dict[str, Any]] = [
    {"id": f"id-{i:02d}", "key": f"k{i % 3}", "n": i, "name": {"en": f"name {9 - i}"}}
    for i in range(10)
]
TARGETS = {("channel", "ch-1"): {"id": "ch-1", "key": "berlin"}}


def lookup(type_id: str, resource_id: str) -> dict[str, Any] | None:
    return TARGETS.get((type_id, resource_id))


def run(*params: tuple[str, str]) -> dict[str, Any]:
    return run_query(RESOURCES, parse_query(params), lookup)


def test_defaults() -> None:
    assert parse_query([]) == Query()
    page = run()
    assert (page["limit"], page["offset"], page["count"], page["total"]) == (20, 0, 10, 10)
    assert list(page) == ["limit", "offset", "count", "total", "results"]


def test_several_where_parameters_are_anded() -> None:
    page = run(("where", 'key = "k1"'), ("where", "n > 3"))
    assert [r["n"] for r in page["results"]] == [4, 7]


def test_sort_several_keys_and_nested_paths() -> None:
    page = run(("sort", "key desc"), ("sort", "n asc"))
    assert [r["n"] for r in page["results"]] == [2, 5, 8, 1, 4, 7, 0, 3, 6, 9]
    page = run(("sort", "name.en asc"), ("limit", "3"))
    assert [r["n"] for r in page["results"]] == [9, 8, 7]


def test_without_total() -> None:
    page = run(("withTotal", "false"), ("limit", "4"), ("offset", "8"))
    assert "total" not in page
    assert page["count"] == 2


def test_iteration_by_id_visits_everything_once() -> None:
    seen: list[str] = []
    last = None
    while True:
        params = [("sort", "id asc"), ("limit", "3"), ("withTotal", "false")]
        if last is not None:
            params.append(("where", f'id > "{last}"'))
        page = run(*params)
        seen.extend(r["id"] for r in page["results"])
        if page["count"] < 3:
            break
        last = page["results"][-1]["id"]
    assert seen == [r["id"] for r in RESOURCES]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ([("limit", "501")], "limit: must be between 0 and 500, got 501"),
        ([("limit", "-1")], "limit: must be between 0 and 500"),
        ([("limit", "ten")], "limit: invalid integer 'ten'"),
        ([("offset", "10001")], "offset: must be between 0 and 10000"),
        ([("limit", "1"), ("limit", "2")], "limit: given more than once"),
        ([("withTotal", "yes")], "withTotal: expected 'true' or 'false'"),
        ([("sort", "id")], "sort: invalid sort expression 'id'"),
        ([("sort", "id up")], "sort: invalid sort expression"),
        ([("expand", "lineItems[0].x")], "expand: invalid reference expansion path"),
        ([("where", "id >")], "where: Syntax error while parsing 'where'"),
        ([("wehre", "id > 1")], "wehre: unknown query parameter"),
    ],
)
def test_bad_parameters_are_invalid_input(params: list[tuple[str, str]], fragment: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_query(params)
    assert caught.value.status_code == 400
    assert caught.value.code == "InvalidInput"
    assert caught.value.message.startswith("Malformed parameter: ")
    assert fragment in caught.value.message


def test_limits_at_the_bounds_are_accepted() -> None:
    assert parse_query([("limit", "500"), ("offset", "10000")]).limit == 500
    assert run(("limit", "0"))["results"] == []


def test_extra_parameters_and_variables_are_allowed() -> None:
    query = parse_query(
        [("staged", "true"), ("where", "key = :k"), ("var.k", "k2")], extra=frozenset({"staged"})
    )
    assert [r["n"] for r in run_query(RESOURCES, query, lookup)["results"]] == [2, 5, 8]


def test_expand_adds_obj_without_touching_the_original() -> None:
    order: dict[str, Any] = {
        "id": "o-1",
        "lineItems": [
            {"id": "li-1", "supplyChannel": {"typeId": "channel", "id": "ch-1"}},
            {"id": "li-2"},
            {"id": "li-3", "supplyChannel": {"typeId": "channel", "id": "gone"}},
        ],
    }
    expanded = expand(order, [("lineItems", "supplyChannel")], lookup)
    assert expanded["lineItems"][0]["supplyChannel"]["obj"] == {"id": "ch-1", "key": "berlin"}
    assert "supplyChannel" not in expanded["lineItems"][1]
    assert "obj" not in expanded["lineItems"][2]["supplyChannel"]
    assert "obj" not in order["lineItems"][0]["supplyChannel"]


def test_expand_paths_parse_with_and_without_brackets() -> None:
    assert parse_query([("expand", "lineItems[*].supplyChannel")]).expand == (
        ("lineItems", "supplyChannel"),
    )
    assert parse_query([("expand", "shippingInfo.shippingMethod")]).expand == (
        ("shippingInfo", "shippingMethod"),
    )


@given(
    st.lists(st.integers(0, 50), max_size=30),
    st.integers(0, 40),
    st.integers(0, 40),
    st.booleans(),
)
def test_paging_is_a_slice_of_the_sorted_matches(
    values: list[int], limit: int, offset: int, descending: bool
) -> None:
    resources: list[dict[str, Any]] = [{"id": f"{i:03d}", "n": v} for i, v in enumerate(values)]
    direction = "desc" if descending else "asc"
    params = [
        ("where", "n >= 10"),
        ("sort", f"n {direction}"),
        ("sort", "id asc"),
        ("limit", str(limit)),
        ("offset", str(offset)),
    ]
    page = run_query(resources, parse_query(params), lookup)
    expected = sorted((r for r in resources if r["n"] >= 10), key=lambda r: r["id"])
    expected.sort(key=lambda r: r["n"], reverse=descending)
    assert page["results"] == expected[offset : offset + limit]
    assert page["total"] == len(expected)
    assert page["count"] == len(page["results"])
