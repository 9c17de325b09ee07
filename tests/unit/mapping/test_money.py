"""Exact money conversion: minor units to Fluent decimals, half-even scaling, one currency."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.commercetools.models import TaxedItemPrice, TypedMoney
from connector.mapping.money import common_currency, money_to_float, scale, tax_of, to_float
from tests.unit.mapping.factories import money


@pytest.mark.parametrize(
    ("cents", "digits", "expected"),
    [(1999, 2, 19.99), (5, 0, 5.0), (1234, 3, 1.234), (-250, 2, -2.5), (0, 2, 0.0), (1, 2, 0.01)],
)
def test_to_float_gives_the_decimal_amount(cents: int, digits: int, expected: float) -> None:
    assert to_float(cents, digits) == expected


def test_money_to_float_reads_the_fraction_digits() -> None:
    assert money_to_float(TypedMoney.model_validate(money(1500, "JPY", 0))) == 1500.0
    assert money_to_float(TypedMoney.model_validate(money(1500, "KWD", 3))) == 1.5


@given(st.integers(min_value=0, max_value=10**12))
def test_to_float_matches_the_written_decimal(cents: int) -> None:
    assert to_float(cents, 2) == float(f"{cents // 100}.{cents % 100:02d}")


@pytest.mark.parametrize(
    ("amount", "numerator", "denominator", "expected"),
    [
        (5, 1, 2, 2),  # 2.5 -> even 2
        (15, 1, 2, 8),  # 7.5 -> even 8
        (-5, 1, 2, -2),  # -2.5 -> even -2
        (-15, 1, 2, -8),
        (7, 1, 3, 2),  # 2.33
        (10, 2, 3, 7),  # 6.67
        (3998, 1, 2, 1999),
        (1000, 3, 3, 1000),
        (0, 1, 7, 0),
    ],
)
def test_scale_rounds_half_to_even(
    amount: int, numerator: int, denominator: int, expected: int
) -> None:
    assert scale(amount, numerator, denominator) == expected


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.integers(min_value=0, max_value=1000),
    st.integers(min_value=1, max_value=1000),
)
def test_scale_equals_decimal_half_even(amount: int, numerator: int, denominator: int) -> None:
    exact = Decimal(amount) * numerator / Decimal(denominator)
    assert scale(amount, numerator, denominator) == int(
        exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    )


def test_scale_refuses_a_zero_denominator() -> None:
    with pytest.raises(ValueError, match="denominator must be > 0"):
        scale(10, 1, 0)


def test_tax_is_total_tax_or_gross_minus_net() -> None:
    with_tax = TaxedItemPrice.model_validate(
        {"totalNet": money(840), "totalGross": money(1000), "totalTax": money(160)}
    )
    without_tax = TaxedItemPrice.model_validate({"totalNet": money(840), "totalGross": money(1000)})
    assert tax_of(with_tax) == 160
    assert tax_of(without_tax) == 160


def test_common_currency_names_the_mix() -> None:
    eur, usd = TypedMoney.model_validate(money(1)), TypedMoney.model_validate(money(1, "USD"))
    assert common_currency([eur, eur]) == ("EUR", 2)
    with pytest.raises(ValueError, match=r"EUR \(2 digits\), USD \(2 digits\)"):
        common_currency([usd, eur])
    with pytest.raises(ValueError, match="found: none"):
        common_currency([])
