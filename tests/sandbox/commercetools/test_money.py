"""Money and tax arithmetic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sandbox.commercetools.money import (
    fraction_digits,
    split_amount,
    sum_taxed_prices,
    taxed_item_price,
    typed_money,
)


def test_fraction_digits_follow_iso_4217() -> None:
    assert [fraction_digits(c) for c in ("EUR", "CHF", "JPY", "KWD")] == [2, 2, 0, 3]


def test_typed_money_shape() -> None:
    assert typed_money("EUR", 1999) == {
        "type": "centPrecision",
        "currencyCode": "EUR",
        "centAmount": 1999,
        "fractionDigits": 2,
    }


def test_gross_prices_are_split_with_half_even_rounding() -> None:
    assert split_amount(11900, 0.19, True) == (10000, 11900)
    # 1.19 / 1.19 = 1 exactly; 2.50 / 1.25 = 2.00; 0.05 / 1.1 = 0.04545 -> 0.05
    assert split_amount(119, 0.19, True) == (100, 119)
    assert split_amount(5, 0.1, True) == (5, 5)
    # 0.125 rounds to even: 12.5 cents of tax on 125 cents net at 10% -> 12
    assert split_amount(125, 0.1, False) == (125, 137)
    assert split_amount(135, 0.1, False) == (135, 149)


def test_taxed_item_price_and_totals() -> None:
    line = taxed_item_price("EUR", 11900, 0.19, True, "Standard")
    shipping = taxed_item_price("EUR", 490, 0.19, True, "Standard")
    total = sum_taxed_prices("EUR", [line, shipping])
    assert total["totalGross"]["centAmount"] == 12390
    assert total["totalNet"]["centAmount"] == 10000 + 412
    assert total["totalTax"]["centAmount"] == 1900 + 78
    assert total["taxPortions"] == [
        {"rate": 0.19, "amount": typed_money("EUR", 1978), "name": "Standard"}
    ]


@given(st.integers(0, 10**9), st.sampled_from([0.0, 0.07, 0.1, 0.19, 0.2, 0.25]), st.booleans())
def test_net_plus_tax_is_gross(amount: int, rate: float, included: bool) -> None:
    net, gross = split_amount(amount, rate, included)
    assert (gross if included else net) == amount
    assert 0 <= gross - net <= amount * rate + 1
    price = taxed_item_price("EUR", amount, rate, included, "r")
    assert (
        price["totalNet"]["centAmount"] + price["totalTax"]["centAmount"]
        == price["totalGross"]["centAmount"]
    )
