"""Billing accounts and invoices: exactly what was filled, in exact minor units."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.fluent.models import CreateBillingAccountInput, CreateInvoiceInput
from connector.mapping.invoices import (
    billing_account_input,
    billing_account_ref,
    invoice_input,
    invoice_ref,
)
from connector.mapping.orders import InvalidOrderError
from connector.orders import FulfilmentRecord
from tests.unit.mapping.factories import ISSUED, address, line_item, make_order, record


def cents(amount: float) -> int:
    return round(amount * 100)


def invoice(order_kwargs: dict[str, object], filled: FulfilmentRecord) -> CreateInvoiceInput:
    return invoice_input(
        make_order(**order_kwargs),
        filled,
        fluent_order_ref="N-1001",
        billing_account_ref="BA-7:ada@example.com",
        catalogue_ref="PC:MASTER:7",
        issued_at=ISSUED,
        retailer_id="7",
    )


def test_refs() -> None:
    assert billing_account_ref("7:ada@example.com") == "BA-7:ada@example.com"
    assert invoice_ref("N-1001-F1") == "INV-N-1001-F1"


# --- billing accounts ---------------------------------------------------------------------------


def test_billing_account_is_named_after_the_payer() -> None:
    account = billing_account_input(make_order(), customer_ref="7:ada@example.com", retailer_id="7")

    assert account.to_variables() == {
        "ref": "BA-7:ada@example.com",
        "type": "CUSTOMER",
        "name": "Charles Babbage",
        "customer": {"ref": "7:ada@example.com"},
        "address": {
            "name": "Charles Babbage",
            "street": "Unter den Linden 1",
            "city": "Berlin",
            "postcode": "10117",
            "country": "DE",
        },
        "retailer": {"id": "7"},
    }


def test_billing_account_falls_back_to_shipping_then_email() -> None:
    shipping_only = make_order(billingAddress=None)
    nameless = make_order(
        billingAddress=address(firstName=None, lastName=None, company="Engines Ltd"),
        shippingAddress=None,
    )

    account = billing_account_input(shipping_only, customer_ref="c", retailer_id="7")
    assert account.name == "Ada Lovelace"
    assert account.address is not None
    assert account.address.name == "Ada Lovelace"
    account = billing_account_input(nameless, customer_ref="c", retailer_id="7")
    assert account.name == "ada@example.com"
    assert account.address is not None
    assert (account.address.name, account.address.company_name) == (None, "Engines Ltd")


def test_billing_account_without_addresses_has_no_address() -> None:
    order = make_order(billingAddress=None, shippingAddress=None)

    account = billing_account_input(order, customer_ref="c", retailer_id="7")

    assert (account.name, account.address) == ("ada@example.com", None)


def test_billing_account_needs_a_name_or_email() -> None:
    order = make_order(billingAddress=None, shippingAddress=None, customerEmail=None)

    with pytest.raises(InvalidOrderError, match="names no buyer"):
        billing_account_input(order, customer_ref="c", retailer_id="7")


# --- invoices ---------------------------------------------------------------------------------


def test_invoice_for_a_partial_and_a_discounted_line_in_full() -> None:
    lines = [
        line_item("li-1", "SKU-1", 2, 1999),  # net 33.60, tax 6.38
        line_item("li-2", "SKU-2", 3, 1000, total_cents=2500),  # net 21.01, tax 3.99
    ]
    filled = record("N-1001-F1", lines=(("li-1", 2, 1, 1), ("li-2", 3, 3, 0)))

    created = invoice({"lines": lines}, filled)

    tax_type = {"country": "DE", "group": "STANDARD", "tariff": "19% VAT"}
    assert created.to_variables() == {
        "ref": "INV-N-1001-F1",
        "type": "ORDER",
        "billingAccount": {"ref": "BA-7:ada@example.com"},
        "order": {"ref": "N-1001", "retailer": {"id": "7"}},
        "items": [
            {
                "ref": "INV-N-1001-F1-1",
                "type": "ITEM",
                "description": "Produkt SKU-1",
                "product": {"ref": "SKU-1", "catalogue": {"ref": "PC:MASTER:7"}},
                "unitQuantity": {"quantity": 1},
                "unitTaxType": tax_type,
                "unitAmount": {"amount": 16.8},
                "amount": {"amount": 16.8},
                "taxAmount": {"amount": 3.19},
            },
            {
                "ref": "INV-N-1001-F1-2",
                "type": "ITEM",
                "description": "Produkt SKU-2",
                "product": {"ref": "SKU-2", "catalogue": {"ref": "PC:MASTER:7"}},
                "unitQuantity": {"quantity": 3},
                "unitTaxType": tax_type,
                "unitAmount": {"amount": 7.0},  # 21.01 / 3, half-even in cents
                "amount": {"amount": 21.01},
                "taxAmount": {"amount": 3.99},
            },
        ],
        "issueDate": "2026-03-05T09:30:00Z",
        "currency": {"alphabeticCode": "EUR"},
        "defaultTaxType": tax_type,
        "subTotalAmount": {"amount": 37.81},
        "totalTax": {"amount": 7.18},
        "totalAmount": {"amount": 44.99},
        "totalBalance": {"amount": 44.99},
    }
    assert CreateInvoiceInput.model_validate(created.to_variables()) == created


def test_untaxed_lines_are_invoiced_net_with_the_default_tariff() -> None:
    lines = [line_item("li-1", "SKU-1", 4, 250, total_cents=900, tax_rate=None)]

    created = invoice({"lines": lines, "locale": None}, record(lines=(("li-1", 4, 3, 1),)))

    [item] = created.items or []
    assert (item.amount.amount, item.tax_amount.amount, item.unit_amount.amount) == (6.75, 0, 2.25)
    assert item.description == "Product SKU-1"  # no order locale: the first name
    assert created.default_tax_type.tariff == "DEFAULT"
    assert (created.total_amount.amount, created.total_tax.amount) == (6.75, 0)


def test_tax_country_falls_back_to_the_addresses() -> None:
    shipping = invoice({"country": None, "shippingAddress": address(country="AT")}, record())
    billing = invoice(
        {"country": None, "shippingAddress": None, "billingAddress": address(country="CH")},
        record(),
    )

    assert shipping.default_tax_type.country == "AT"
    assert billing.default_tax_type.country == "CH"
    with pytest.raises(InvalidOrderError, match="no country to tax"):
        invoice({"country": None, "shippingAddress": None, "billingAddress": None}, record())


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ((("li-1", 2, 0, 2),), "filled nothing: there is nothing to invoice"),
        ((("li-9", 1, 1, 0),), "fills li-9, not a line of order-1"),
        ((("li-1", 3, 3, 0),), "filled 3 of line item li-1, which ordered only 2"),
        ((("li-1", 1, 1, 0), ("li-1", 2, 2, 0)), "filled 3 of line item li-1"),
    ],
)
def test_invoice_refuses_what_cannot_be_invoiced(
    lines: tuple[tuple[str, int, int, int], ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        invoice({}, record(lines=lines))


def test_invoice_refuses_mixed_currencies() -> None:
    lines = [line_item("li-1"), line_item("li-2", "SKU-2", currency="USD")]

    with pytest.raises(ValueError, match="one currency"):
        invoice({"lines": lines}, record(lines=(("li-1", 2, 2, 0), ("li-2", 2, 2, 0))))


def test_invoice_in_a_zero_decimal_currency() -> None:
    lines = [line_item("li-1", "SKU-1", 3, 1000, currency="JPY", digits=0, tax_rate=0.1)]

    created = invoice({"lines": lines}, record(lines=(("li-1", 3, 1, 0),)))

    assert created.currency.alphabetic_code == "JPY"
    # 3000 gross -> 2727 net, 273 tax; one of three: 909 and 91
    assert (created.sub_total_amount.amount, created.total_tax.amount) == (909.0, 91.0)


@st.composite
def line_and_split(draw: st.DrawFn) -> tuple[int, int, float, list[int]]:
    quantity = draw(st.integers(1, 12))
    unit = draw(st.integers(0, 100_000))
    rate = draw(st.sampled_from([0.0, 0.05, 0.07, 0.1, 0.19, 0.2, 0.21, 0.25]))
    cuts = sorted(draw(st.lists(st.integers(1, quantity - 1), max_size=4)) if quantity > 1 else [])
    bounds = [0, *cuts, quantity]
    parts = [b - a for a, b in itertools.pairwise(bounds) if b > a]
    return quantity, unit, rate, parts


@given(line_and_split())
def test_invoices_that_fill_a_line_add_up_to_its_total(
    spec: tuple[int, int, float, list[int]],
) -> None:
    """However a line is split over fulfilments, its invoices add up to the line's gross total
    within one cent per invoice item, and every invoice's totals are exact sums."""
    quantity, unit, rate, parts = spec
    line = line_item("li-1", "SKU-1", quantity, unit, tax_rate=rate)
    invoices = [
        invoice({"lines": [line]}, record(f"F{n}", lines=(("li-1", part, part, 0),)))
        for n, part in enumerate(parts)
    ]

    gross = sum(cents(i.total_amount.amount) for i in invoices)
    assert abs(gross - line["taxedPrice"]["totalGross"]["centAmount"]) <= len(parts)
    for created in invoices:
        items = created.items or []
        net = sum(cents(item.amount.amount) for item in items)
        tax = sum(cents(item.tax_amount.amount) for item in items)
        assert cents(created.sub_total_amount.amount) == net
        assert cents(created.total_tax.amount) == tax
        assert cents(created.total_amount.amount) == net + tax
        assert created.total_balance == created.total_amount


def test_billing_account_input_round_trips() -> None:
    account = billing_account_input(make_order(), customer_ref="c", retailer_id="7")

    assert CreateBillingAccountInput.model_validate(account.to_variables()) == account
