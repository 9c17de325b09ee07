"""Fluent billing accounts and invoices for what a fulfilment actually filled.

One invoice per fulfilment, ref `INV-<fulfilment ref>`, for exactly its filled quantities. Each
item's net and tax are the line's commercetools totals scaled by filled / ordered and rounded
half to even in minor units; the invoice totals are sums of those integers. So the invoices of
fulfilments that together fill a line add up to the line's total within one minor unit per
invoice item, and no float ever takes part in the arithmetic.
"""

from __future__ import annotations

from datetime import datetime

from connector.commercetools.models import LineItem, Order
from connector.fluent.models import (
    AmountInput,
    CatalogueEntityKey,
    CreateBillingAccountInput,
    CreateInvoiceInput,
    CurrencyKey,
    EntityId,
    InvoiceItemInput,
    OrderLinkInput,
    QuantityInput,
    RefKey,
    TaxTypeInput,
)
from connector.mapping.money import common_currency, scale, tax_of, to_float
from connector.mapping.orders import (
    InvalidOrderError,
    blank_to_none,
    customer_email,
    line_sku,
    named_address,
    order_country,
    person_name,
    street_address,
)
from connector.orders import FulfilmentRecord

BILLING_ACCOUNT_TYPE = "CUSTOMER"
INVOICE_TYPE = "ORDER"
INVOICE_ITEM_TYPE = "ITEM"
TAX_GROUP = "STANDARD"
DEFAULT_TARIFF = "DEFAULT"


def billing_account_ref(customer_ref: str) -> str:
    return f"BA-{customer_ref}"


def invoice_ref(fulfilment_ref: str) -> str:
    return f"INV-{fulfilment_ref}"


def billing_account_input(
    order: Order, *, customer_ref: str, retailer_id: str
) -> CreateBillingAccountInput:
    """The Fluent customer's billing account, named after the payer (billing address, else
    shipping address, else the e-mail)."""
    named = named_address(order)
    address = order.billing_address or order.shipping_address
    name = (person_name(named) if named else None) or customer_email(order)
    if name is None:
        raise InvalidOrderError("the order names no buyer (no address name and no e-mail)")
    return CreateBillingAccountInput(
        ref=billing_account_ref(customer_ref),
        type=BILLING_ACCOUNT_TYPE,
        name=name,
        customer=RefKey(ref=customer_ref),
        address=street_address(address) if address else None,
        retailer=EntityId(id=retailer_id),
    )


def _tax_country(order: Order) -> str:
    country = order_country(order)
    if country is None:
        raise InvalidOrderError(f"order {order.id} has no country to tax its invoice in")
    return country


def _tariff(line: LineItem) -> str:
    return (blank_to_none(line.tax_rate.name) if line.tax_rate else None) or DEFAULT_TARIFF


def _description(order: Order, line: LineItem) -> str | None:
    if order.locale and order.locale in line.name:
        return line.name[order.locale]
    return next(iter(line.name.values()), None)


def _filled_lines(order: Order, record: FulfilmentRecord) -> list[tuple[LineItem, int]]:
    """(line item, filled quantity) in the record's line order, one entry per line item."""
    filled: dict[str, int] = {}
    for entry in record.lines:
        if entry.filled > 0:
            filled[entry.line_item_id] = filled.get(entry.line_item_id, 0) + entry.filled
    if not filled:
        raise ValueError(f"fulfilment {record.ref} filled nothing: there is nothing to invoice")
    lines: list[tuple[LineItem, int]] = []
    for line_id, quantity in filled.items():
        line = order.line_item(line_id)
        if line is None:
            raise ValueError(f"fulfilment {record.ref} fills {line_id}, not a line of {order.id}")
        if quantity > line.quantity:
            raise ValueError(
                f"fulfilment {record.ref} filled {quantity} of line item {line_id}, which "
                f"ordered only {line.quantity}"
            )
        lines.append((line, quantity))
    return lines


def _net_and_tax(line: LineItem) -> tuple[int, int]:
    """The line's net total and tax in minor units; untaxed lines are all net."""
    if line.taxed_price is not None:
        return line.taxed_price.total_net.cent_amount, tax_of(line.taxed_price)
    return line.total_price.cent_amount, 0


def invoice_input(
    order: Order,
    record: FulfilmentRecord,
    *,
    fluent_order_ref: str,
    billing_account_ref: str,
    catalogue_ref: str,
    issued_at: datetime,
    retailer_id: str,
) -> CreateInvoiceInput:
    """The invoice for what `record` filled: one item per filled line (net, tax and unit net
    price scaled from the line's totals, so discounts are included), totals summed in minor
    units. `ValueError` when it filled nothing or more than a line ordered."""
    lines = _filled_lines(order, record)
    currency, digits = common_currency(line.total_price for line, _ in lines)
    country = _tax_country(order)
    ref = invoice_ref(record.ref)
    items: list[InvoiceItemInput] = []
    net_sum = tax_sum = 0
    for number, (line, filled) in enumerate(lines, start=1):
        line_net, line_tax = _net_and_tax(line)
        net = scale(line_net, filled, line.quantity)
        tax = scale(line_tax, filled, line.quantity)
        net_sum += net
        tax_sum += tax
        items.append(
            InvoiceItemInput(
                ref=f"{ref}-{number}",
                type=INVOICE_ITEM_TYPE,
                description=_description(order, line),
                product=CatalogueEntityKey.of(line_sku(line), catalogue_ref),
                unit_quantity=QuantityInput(quantity=filled),
                unit_tax_type=TaxTypeInput(country=country, group=TAX_GROUP, tariff=_tariff(line)),
                unit_amount=AmountInput(amount=to_float(scale(line_net, 1, line.quantity), digits)),
                amount=AmountInput(amount=to_float(net, digits)),
                tax_amount=AmountInput(amount=to_float(tax, digits)),
            )
        )
    total = AmountInput(amount=to_float(net_sum + tax_sum, digits))
    return CreateInvoiceInput(
        ref=ref,
        type=INVOICE_TYPE,
        billing_account=RefKey(ref=billing_account_ref),
        order=OrderLinkInput(ref=fluent_order_ref, retailer=EntityId(id=retailer_id)),
        items=items,
        issue_date=issued_at,
        currency=CurrencyKey(alphabetic_code=currency),
        default_tax_type=TaxTypeInput(
            country=country, group=TAX_GROUP, tariff=_tariff(lines[0][0])
        ),
        sub_total_amount=AmountInput(amount=to_float(net_sum, digits)),
        total_tax=AmountInput(amount=to_float(tax_sum, digits)),
        total_amount=total,
        total_balance=total,
    )
