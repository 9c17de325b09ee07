"""Money and tax arithmetic, in integer cents with commercetools' rounding (half even).

Pure functions over the wire shapes: `CentPrecisionMoney`, `TaxedItemPrice`, `TaxedPrice`.
Taxes use one rate (the sandbox's configured rate), either included in the price (gross prices,
the usual European setup) or added on top (net prices).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

JsonObject = dict[str, Any]

_ZERO_DIGIT = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
_THREE_DIGIT = frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])


def fraction_digits(currency: str) -> int:
    """ISO 4217 minor units of the currency."""
    if currency in _ZERO_DIGIT:
        return 0
    return 3 if currency in _THREE_DIGIT else 2


def typed_money(currency: str, cent_amount: int) -> JsonObject:
    return {
        "type": "centPrecision",
        "currencyCode": currency,
        "centAmount": cent_amount,
        "fractionDigits": fraction_digits(currency),
    }


def round_half_even(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def split_amount(amount: int, rate: float, included_in_price: bool) -> tuple[int, int]:
    """(net, gross) of `amount` cents, which is gross when the tax is included, else net."""
    factor = Decimal(str(rate))
    if included_in_price:
        net = round_half_even(Decimal(amount) / (1 + factor))
        return net, amount
    return amount, amount + round_half_even(Decimal(amount) * factor)


def taxed_item_price(
    currency: str, amount: int, rate: float, included_in_price: bool, rate_name: str
) -> JsonObject:
    """`TaxedItemPrice` of one line (or of the shipping) worth `amount` cents."""
    net, gross = split_amount(amount, rate, included_in_price)
    return {
        "totalNet": typed_money(currency, net),
        "totalGross": typed_money(currency, gross),
        "totalTax": typed_money(currency, gross - net),
        "taxPortions": [
            {"rate": rate, "amount": typed_money(currency, gross - net), "name": rate_name}
        ],
    }


def sum_taxed_prices(currency: str, items: Iterable[JsonObject]) -> JsonObject:
    """The cart's `TaxedPrice`: sums of the item prices, portions merged by name and rate."""
    net = gross = 0
    portions: dict[tuple[str, float], int] = {}
    for item in items:
        net += item["totalNet"]["centAmount"]
        gross += item["totalGross"]["centAmount"]
        for portion in item["taxPortions"]:
            slot = (portion.get("name", ""), portion["rate"])
            portions[slot] = portions.get(slot, 0) + portion["amount"]["centAmount"]
    return {
        "totalNet": typed_money(currency, net),
        "totalGross": typed_money(currency, gross),
        "taxPortions": [
            {"rate": rate, "amount": typed_money(currency, amount), "name": name}
            for (name, rate), amount in portions.items()
        ],
        "totalTax": typed_money(currency, gross - net),
    }
