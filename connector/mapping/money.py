"""Exact money arithmetic between commercetools and Fluent.

commercetools holds integer amounts in the currency's minor unit (`centAmount` with
`fractionDigits`); Fluent takes decimal numbers. Everything is computed in integer minor units
and converted once, at the end, through `Decimal`, so no float error ever accumulates. Scaling
(a share of a line, a unit price) rounds half to even, as commercetools itself does.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from connector.commercetools.models import TaxedItemPrice, TypedMoney


def to_float(minor_units: int, fraction_digits: int) -> float:
    """The nearest float to the exact decimal amount (e.g. 1999 cents, 2 digits -> 19.99)."""
    return float(Decimal(minor_units).scaleb(-fraction_digits))


def money_to_float(money: TypedMoney) -> float:
    return to_float(money.cent_amount, money.fraction_digits)


def scale(minor_units: int, numerator: int, denominator: int) -> int:
    """`minor_units * numerator / denominator`, rounded half to even, in exact integers."""
    if denominator <= 0:
        raise ValueError(f"cannot scale by {numerator}/{denominator}: denominator must be > 0")
    quotient, remainder = divmod(minor_units * numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        return quotient + 1
    return quotient


def tax_of(taxed: TaxedItemPrice) -> int:
    """The tax in minor units; commercetools may omit `totalTax`, then it is gross minus net."""
    if taxed.total_tax is not None:
        return taxed.total_tax.cent_amount
    return taxed.total_gross.cent_amount - taxed.total_net.cent_amount


def common_currency(amounts: Iterable[TypedMoney]) -> tuple[str, int]:
    """The one currency code and fraction digits of `amounts`; a mix means a broken order."""
    units = {(money.currency_code, money.fraction_digits) for money in amounts}
    if len(units) != 1:
        found = ", ".join(f"{code} ({digits} digits)" for code, digits in sorted(units))
        raise ValueError(f"expected amounts in one currency, found: {found or 'none'}")
    return units.pop()
