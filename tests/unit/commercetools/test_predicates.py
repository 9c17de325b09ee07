"""Predicate helpers: safe quoting, `in` lists, and batching under the length limit."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.commercetools.predicates import (
    DEFAULT_MAX_PREDICATE_CHARS,
    batched_in,
    datetime_literal,
    in_list,
    quote,
    unquote,
)
from tests.unit.commercetools.harness import LITERAL


def literals_in(predicate: str) -> list[str]:
    return [unquote(match) for match in LITERAL.findall(predicate)]


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("abc", '"abc"'),
        ("", '""'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ('\\"', '"\\\\\\""'),
        ("ümlaut ✓", '"ümlaut ✓"'),
    ],
)
def test_quote(value: str, literal: str) -> None:
    assert quote(value) == literal
    assert unquote(literal) == value


@pytest.mark.parametrize("bad", ["abc", '"abc', 'abc"', '"', '"a"b"', '"a\\n"', '"a\\"'])
def test_unquote_rejects_what_quote_cannot_produce(bad: str) -> None:
    with pytest.raises(ValueError, match="literal"):
        unquote(bad)


@given(st.text())
def test_quote_round_trips(value: str) -> None:
    assert unquote(quote(value)) == value


@given(st.text())
def test_a_quoted_value_is_exactly_one_literal(value: str) -> None:
    """Whatever the value, it cannot close the literal early and inject predicate syntax."""
    literal = quote(value)
    assert LITERAL.fullmatch(literal)


def test_in_list() -> None:
    assert in_list("key", ["a", 'b"c']) == 'key in ("a", "b\\"c")'


def test_in_list_needs_a_value() -> None:
    with pytest.raises(ValueError, match="at least one value"):
        in_list("key", [])


@pytest.mark.parametrize(
    ("moment", "literal"),
    [
        (datetime(2026, 1, 31, 12, 0, tzinfo=UTC), '"2026-01-31T12:00:00.000Z"'),
        (
            datetime(2026, 1, 31, 13, 0, 0, 123_987, tzinfo=timezone(timedelta(hours=1))),
            '"2026-01-31T12:00:00.123Z"',
        ),
    ],
)
def test_datetime_literal_is_utc_with_milliseconds(moment: datetime, literal: str) -> None:
    assert datetime_literal(moment) == literal


def test_datetime_literal_needs_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        datetime_literal(datetime(2026, 1, 1))


def test_batched_in_fits_small_lists_in_one_predicate() -> None:
    assert batched_in("sku", ["a", "b"]) == ['sku in ("a", "b")']


def test_batched_in_of_nothing_is_no_predicate() -> None:
    assert batched_in("key", []) == []


def test_batched_in_splits_at_the_limit_exactly() -> None:
    # 'k in ("aa", "bb")' is 17 characters.
    assert batched_in("k", ["aa", "bb", "cc"], max_chars=17) == [
        'k in ("aa", "bb")',
        'k in ("cc")',
    ]
    assert batched_in("k", ["aa", "bb", "cc"], max_chars=16) == [
        'k in ("aa")',
        'k in ("bb")',
        'k in ("cc")',
    ]


def test_batched_in_drops_repeated_values_keeping_first_order() -> None:
    assert batched_in("key", ["b", "a", "b", "a", "c"]) == ['key in ("b", "a", "c")']


def test_batched_in_rejects_a_value_that_alone_exceeds_the_limit() -> None:
    with pytest.raises(ValueError, match="alone makes a predicate"):
        batched_in("key", ["x" * 20], max_chars=20)


def test_ten_thousand_skus_stay_under_the_default_limit() -> None:
    skus = [f"SKU-{n:08d}" for n in range(10_000)]

    predicates = batched_in("sku", skus)

    assert len(predicates) > 1
    assert all(len(predicate) <= DEFAULT_MAX_PREDICATE_CHARS for predicate in predicates)
    assert [sku for predicate in predicates for sku in literals_in(predicate)] == skus


@given(values=st.lists(st.text(max_size=30)), slack=st.integers(min_value=0, max_value=340))
def test_batches_cover_every_value_once_and_each_is_under_the_limit(
    values: list[str], slack: int
) -> None:
    """Any limit at which every value fits alone (`slack` above the longest single one)."""
    max_chars = max((len(in_list("sku", [v])) for v in values), default=0) + slack
    predicates = batched_in("sku", values, max_chars=max_chars)

    assert all(len(predicate) <= max_chars for predicate in predicates)
    assert all(predicate.startswith("sku in (") for predicate in predicates)
    covered = [value for predicate in predicates for value in literals_in(predicate)]
    assert covered == list(dict.fromkeys(values))


@given(
    values=st.lists(st.text(min_size=1, max_size=10), min_size=1), max_chars=st.integers(40, 200)
)
def test_batches_are_packed(values: list[str], max_chars: int) -> None:
    """No batch could have taken the first value of the next one: a greedy split, so the
    number of requests stays minimal."""
    predicates = batched_in("k", values, max_chars=max_chars)

    for current, following in itertools.pairwise(predicates):
        first_next = quote(literals_in(following)[0])
        assert len(current) + len(", ") + len(first_next) > max_chars
