"""The indexed fast path of queries: `=` and `in` on indexed fields of the top-level AND narrow
a collection to the resources that may match, and the full evaluator still decides, so a query
over a `Collection` answers exactly as the same query over a plain list of its resources."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.commercetools import predicates
from sandbox.commercetools.query import parse_query, run_query
from sandbox.commercetools.store import Collection

Resource = dict[str, Any]


def no_lookup(type_id: str, resource_id: str) -> None:
    return None


def collection_of(resources: list[Resource]) -> Collection:
    collection = Collection("inventory-entry")
    for resource in resources:
        collection.put(resource)
    return collection


def ids(page: Resource) -> list[str]:
    return [resource["id"] for resource in page["results"]]


def query(resources: Any, *where: str, **params: str) -> Resource:
    pairs = [("where", w) for w in where] + list(params.items())
    return run_query(resources, parse_query(pairs), no_lookup)


@pytest.mark.parametrize(
    ("where", "pinned"),
    [
        ('sku = "a"', [("sku", {"a"})]),
        ('sku in ("a", "b")', [("sku", {"a", "b"})]),
        ('sku in ("a") and key = "k"', [("sku", {"a"}), ("key", {"k"})]),
        ('(sku = "a" and n > 1) and key = "k"', [("sku", {"a"}), ("key", {"k"})]),
        ('supplyChannel(id = "c") and sku in ("a")', [("sku", {"a"})]),
        ('sku = "a" or key = "k"', []),
        ('sku not in ("a")', []),
        ('sku != "a"', []),
        ("n = 3", []),
        ("flag = true", []),
        ('createdAt = "2026-01-01T00:00:00Z"', []),
        ('not(sku = "a")', []),
    ],
)
def test_pinned_fields_are_the_anded_string_equalities(
    where: str, pinned: list[tuple[str, set[str]]]
) -> None:
    found = predicates.pinned_fields([predicates.parse(where)])

    assert [(field, set(values)) for field, values in found] == pinned


def test_the_anded_where_parameters_are_pinned_together() -> None:
    nodes = [predicates.parse('sku = "a"'), predicates.parse('key in ("k", "l")')]

    assert predicates.pinned_fields(nodes) == [
        ("sku", frozenset({"a"})),
        ("key", frozenset({"k", "l"})),
    ]


def test_holders_follow_inserts_replacements_and_removals() -> None:
    collection = collection_of(
        [{"id": "1", "sku": "a"}, {"id": "2", "sku": "b"}, {"id": "3", "sku": "a"}]
    )
    collection.put({"id": "3", "sku": "c"})
    collection.remove("1")

    assert collection.holders("sku", ["a"]) == set()
    assert collection.holders("sku", ["b", "c"]) == {"2", "3"}
    assert collection.holders("name", ["a"]) is None


def test_resources_whose_value_is_not_a_string_are_always_holders() -> None:
    """`key = "3"` matches the number 3 and `key = "x"` a list holding "x"."""
    collection = collection_of([{"id": "1", "key": 3}, {"id": "2", "key": ["x"]}, {"id": "3"}])

    assert collection.holders("key", ["anything"]) == {"1", "2"}
    assert ids(query(collection, 'key = "3"')) == ["1"]
    assert ids(query(collection, 'key = "x"')) == ["2"]


def test_narrowed_results_keep_creation_order_across_replacements() -> None:
    collection = collection_of(
        [{"id": "z", "sku": "a"}, {"id": "m", "sku": "b"}, {"id": "a", "sku": "a"}]
    )
    collection.put({"id": "z", "sku": "b", "version": 2})

    assert ids(query(collection, 'sku in ("b", "a")')) == ["z", "m", "a"]
    assert [r["id"] for r in collection.in_creation_order({"a", "z", "gone"})] == ["z", "a"]


def test_an_inventory_lookup_by_sku_on_a_channel() -> None:
    entries = [
        {"id": f"e{n:03d}", "sku": f"SKU-{n % 50}", "supplyChannel": {"id": f"ch-{n // 50}"}}
        for n in range(200)
    ]
    collection = collection_of(entries)

    page = query(collection, 'supplyChannel(id = "ch-2") and sku in ("SKU-7", "SKU-8", "nope")')

    assert ids(page) == ["e107", "e108"]
    assert page["total"] == 2


VALUES = st.sampled_from(["a", "b", "1", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00Z"])
"""Strings that equal numbers ("1" = 1) and date-times that equal as instants included."""
FIELD_VALUES = st.one_of(
    st.none(), VALUES, st.integers(0, 2), st.lists(VALUES, max_size=2), st.booleans()
)


@st.composite
def resources(draw: st.DrawFn) -> list[Resource]:
    count = draw(st.integers(0, 12))
    found = []
    for n in range(count):
        resource: Resource = {"id": f"id-{draw(st.integers(0, 20)):02d}-{n}", "n": n % 4}
        for name in ("key", "sku"):
            value = draw(FIELD_VALUES)
            if value is not None:
                resource[name] = value
        found.append(resource)
    return found


def literal(value: str | int) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


TERMS = st.one_of(
    st.builds(
        lambda f, v: f"{f} = {literal(v)}",
        st.sampled_from(["key", "sku", "id"]),
        st.one_of(VALUES, st.integers(0, 2)),
    ),
    st.builds(
        lambda f, vs, neg: f"{f} {'not in' if neg else 'in'} ({', '.join(map(literal, vs))})",
        st.sampled_from(["key", "sku"]),
        st.lists(st.one_of(VALUES, st.integers(0, 2)), min_size=1, max_size=3),
        st.booleans(),
    ),
    st.builds(lambda n: f"n > {n}", st.integers(0, 3)),
    st.just("key is defined"),
)
PREDICATES = st.one_of(
    TERMS,
    st.builds(lambda a, b: f"{a} and {b}", TERMS, TERMS),
    st.builds(lambda a, b: f"{a} or {b}", TERMS, TERMS),
    st.builds(lambda a, b, c: f"({a} and {b}) and {c}", TERMS, TERMS, TERMS),
)


@settings(max_examples=400)
@given(stored=resources(), where=st.lists(PREDICATES, max_size=3), removed=st.integers(0, 12))
def test_a_collection_answers_as_the_full_evaluation_of_its_resources(
    stored: list[Resource], where: list[str], removed: int
) -> None:
    collection = collection_of(stored)
    collection.remove(stored[removed]["id"] if removed < len(stored) else "absent")

    indexed = query(collection, *where, limit="500")
    scanned = query(list(collection), *where, limit="500")

    assert indexed == scanned
