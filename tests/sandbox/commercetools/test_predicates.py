"""The where-predicate language: tokenizer, parser (precedence, errors) and evaluation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.commercetools.predicates import (
    And,
    Compare,
    Contains,
    In,
    IsDefined,
    IsEmpty,
    Nested,
    Not,
    Or,
    PredicateError,
    Value,
    matches,
    parse,
    tokenize,
)

ORDER = {
    "id": "b2c1",
    "orderNumber": "1001",
    "version": 3,
    "orderState": "Open",
    "createdAt": "2026-01-15T10:00:00.000Z",
    "totalPrice": {"currencyCode": "EUR", "centAmount": 4990},
    "isGift": False,
    "lineItems": [
        {"id": "li-1", "variant": {"sku": "SKU-1"}, "quantity": 2},
        {"id": "li-2", "variant": {"sku": "SKU-2"}, "quantity": 1},
    ],
    "shippingInfo": {"shippingMethod": {"typeId": "shipping-method", "id": "sm-1"}},
    "custom": {"type": {"typeId": "type", "id": "t-1"}, "fields": {"fluent-ref": "F-9"}},
    "supplyChannel": {"typeId": "channel", "id": "ch-1"},
    "roles": ["InventorySupply", "OrderExport"],
    "syncInfo": [],
    "name": {"en": "Blue shirt", "de": "Blaues Hemd"},
}


def check(predicate: str, resource: dict[str, Any] = ORDER) -> bool:
    return matches(parse(predicate), resource)


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        ('orderNumber = "1001"', True),
        ('orderNumber = "1002"', False),
        ('orderNumber != "1002"', True),
        ('orderNumber <> "1001"', False),
        ("version > 2", True),
        ("version >= 3", True),
        ("version < 3", False),
        ("version <= 3", True),
        ('id > "b2c0"', True),
        ('id < "b2c0"', False),
        ("isGift = false", True),
        ("isGift = true", False),
        ('orderState in ("Open", "Confirmed")', True),
        ('orderState not in ("Open", "Confirmed")', False),
        ('orderState in ("Cancelled")', False),
        ("orderNumber is defined", True),
        ("store is defined", False),
        ("store is not defined", True),
        ("syncInfo is empty", True),
        ("lineItems is not empty", True),
        ('roles contains "OrderExport"', True),
        ('roles contains "Primary"', False),
        ('roles contains any ("Primary", "OrderExport")', True),
        ('roles contains all ("InventorySupply", "OrderExport")', True),
        ('roles contains all ("InventorySupply", "Primary")', False),
        ('supplyChannel(id = "ch-1")', True),
        ('supplyChannel(id = "ch-2")', False),
        ('lineItems(variant(sku = "SKU-2"))', True),
        ('lineItems(variant(sku = "SKU-3"))', False),
        ('lineItems(variant(sku = "SKU-1") and quantity = 1)', False),
        ('lineItems(variant(sku = "SKU-2") and quantity = 1)', True),
        ('custom(fields(fluent-ref = "F-9"))', True),
        ('shippingInfo(shippingMethod(id = "sm-1"))', True),
        ('name(en = "Blue shirt")', True),
        ('name(de = "Blue shirt")', False),
        ('totalPrice(centAmount >= 4990 and currencyCode = "EUR")', True),
        ('createdAt >= "2026-01-15T10:00:00Z"', True),
        ('createdAt > "2026-01-15T10:00:00.000Z"', False),
        ('createdAt > "2026-01-15T09:59:59.999+00:00"', True),
        ('createdAt < "2026-01-15T11:00:00+01:00"', False),
        ('not(orderState = "Open")', False),
        ('not(orderState = "Open") or version = 3', True),
        ('orderState = "Cancelled" or orderState = "Open" and version = 3', True),
        ('(orderState = "Cancelled" or orderState = "Open") and version = 4', False),
        ('ORDERSTATE = "Open"', False),
        ('orderState = "Open" AND version = 3', True),
        ('missing = "x"', False),
        ('missing != "x"', False),
        ('version = "3"', True),
        ("orderNumber = 1001", False),
        ('name = "Blue shirt"', False),
    ],
)
def test_evaluation(predicate: str, expected: bool) -> None:
    assert check(predicate) is expected


def test_and_binds_tighter_than_or() -> None:
    tree = parse("a = 1 or b = 2 and c = 3")
    assert tree == Or(
        (
            Compare("a", "=", Value.of(1)),
            And((Compare("b", "=", Value.of(2)), Compare("c", "=", Value.of(3)))),
        )
    )


def test_syntax_tree_of_every_form() -> None:
    tree = parse(
        'not(x in ("a", "b")) and y not in (1) and z is defined and w is not empty '
        'and v contains any ("q") and n(m <> 1.5)'
    )
    assert tree == And(
        (
            Not(In("x", (Value.of("a"), Value.of("b")))),
            In("y", (Value.of(1),), negated=True),
            IsDefined("z"),
            IsEmpty("w", negated=True),
            Contains("v", "any", (Value.of("q"),)),
            Nested("n", Compare("m", "!=", Value.of(1.5))),
        )
    )


def test_string_escapes_and_numbers() -> None:
    assert parse(r'k = "say \"hi\" \\ \u00e9"') == Compare("k", "=", Value.of('say "hi" \\ é'))
    assert parse("k = -12") == Compare("k", "=", Value.of(-12))
    assert parse("k = 2.5e3") == Compare("k", "=", Value.of(2500.0))


def test_input_variables() -> None:
    tree = parse("key = :key and sku in :skus", {"key": ["k-1"], "skus": ["a", "b"]})
    assert check_tree(tree, {"key": "k-1", "sku": "b"})
    assert not check_tree(tree, {"key": "k-1", "sku": "c"})


def check_tree(tree: Any, resource: dict[str, Any]) -> bool:
    return matches(tree, resource)


@pytest.mark.parametrize(
    ("predicate", "position", "fragment"),
    [
        ('key = "a" and', 13, "end of input, expected a field name"),
        ('key = "a" key = "b"', 10, "token 'key', expected 'and', 'or'"),
        ("key ==", 5, "token '=', expected a value"),
        ('key = "unterminated', 6, "unterminated string"),
        ("key = #", 6, "unexpected character '#'"),
        ('(key = "a"', 10, "expected ')'"),
        ("key in ()", 8, "expected a value"),
        ('key in ("a" "b")', 12, "expected ',' or ')'"),
        ("key is maybe", 7, "expected 'defined' or 'empty'"),
        ("key not = 1", 8, "expected 'in' after 'not'"),
        ("key", 3, "expected an operator"),
        ("= 1", 0, "expected a field name"),
        ("and = 1", 0, "expected a field name"),
        ('key = "\\x"', 6, "invalid escape sequence"),
        ("key = :missing", 6, "input variable ':missing' has no value"),
        ("   ", 0, "empty predicate"),
    ],
)
def test_syntax_errors_name_the_problem_and_position(
    predicate: str, position: int, fragment: str
) -> None:
    with pytest.raises(PredicateError) as caught:
        parse(predicate)
    assert caught.value.position == position
    assert fragment in str(caught.value)
    assert str(caught.value).endswith(f"at position {position}")


def test_scalar_variable_with_several_values_is_an_error() -> None:
    with pytest.raises(PredicateError, match="exactly one value"):
        parse("key = :k", {"k": ["a", "b"]})


def test_tokenizer_positions() -> None:
    tokens = tokenize('a(b >= "x")')
    assert [(t.kind, t.position) for t in tokens] == [
        ("ident", 0),
        ("lparen", 1),
        ("ident", 2),
        ("op", 4),
        ("string", 7),
        ("rparen", 10),
        ("end", 11),
    ]


@given(st.text())
def test_any_string_literal_round_trips(text: str) -> None:
    predicate = f"key = {json.dumps(text)}"
    assert matches(parse(predicate), {"key": text})
    assert not matches(parse(predicate), {"key": text + "x"})


@given(st.lists(st.booleans(), min_size=3, max_size=3), st.sampled_from(["and", "or"]))
def test_boolean_structure_matches_python(flags: list[bool], operator: str) -> None:
    resource = {f"f{i}": flag for i, flag in enumerate(flags)}
    other = "or" if operator == "and" else "and"
    predicate = f"f0 = true {operator} f1 = true {other} f2 = true"
    a, b, c = flags
    expected = (a and b) or c if operator == "and" else a or (b and c)
    assert matches(parse(predicate), resource) is expected
    negated = f"not(f0 = true {operator} f1 = true)"
    assert matches(parse(negated), resource) is not (a and b if operator == "and" else a or b)


@given(st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6))
def test_numeric_comparisons_match_python(left: int, right: int) -> None:
    resource = {"n": left}
    for op, expected in (
        ("=", left == right),
        ("!=", left != right),
        (">", left > right),
        (">=", left >= right),
        ("<", left < right),
        ("<=", left <= right),
    ):
        assert matches(parse(f"n {op} {right}"), resource) is expected
