"""commercetools orders -> Fluent customers and orders: classification, validation, inputs.

Pure and deterministic (no I/O, clock or randomness), so the order workflow calls these in its
own code. An order that cannot go to Fluent raises `InvalidOrderError` listing every problem at
once, so an operator fixes the order in one pass; a misconfigured `OrderPolicy` pattern raises a
plain `ValueError` (a setup bug, not the order's fault).

How Fluent finds its way back: every Fluent order carries the attribute
`commercetoolsOrderId` (`ATTRIBUTE_CT_ORDER_ID`, type STRING) with the commercetools order id.
A Fluent webhook names only the Fluent entity; the webhook receiver reads this attribute from
the order (or the fulfilment's order) and signals workflow `order-<commercetools order id>`.
Fluent refs are derived from commercetools data only, so a retried create finds what a first
attempt made.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence

from connector.commercetools.models import Address, LineItem, Order
from connector.config import OrderPolicy
from connector.fluent.models import (
    Attribute,
    CreateCustomerInput,
    CreateOrderInput,
    CustomerAddressInput,
    EntityId,
    FulfilmentChoiceInput,
    Location,
    OrderItemInput,
    StreetAddressInput,
)
from connector.mapping.money import common_currency, money_to_float, scale, tax_of, to_float
from connector.orders import FluentContext, OrderType
from connector.sourcing import Coordinates, OrderLine, SourcingError

ATTRIBUTE_CT_ORDER_ID = "commercetoolsOrderId"
"""Fluent order attribute holding the commercetools order id: the webhook receiver's key."""
ATTRIBUTE_CT_ORDER_NUMBER = "commercetoolsOrderNumber"

FLUENT_REF_MAX_LENGTH = 255
HD_FULFILMENT_TYPE = "HD_PFS"
CC_FULFILMENT_TYPE = "CC_PFS"
GUEST_CUSTOMER_ID = "guest"


class InvalidOrderError(ValueError):
    """The order cannot be exported as it is; `problems` lists every reason, in a stable order."""

    problems: tuple[str, ...]

    def __init__(self, problems: Sequence[str] | str) -> None:
        found = (problems,) if isinstance(problems, str) else tuple(problems)
        if not found:
            raise ValueError("an InvalidOrderError needs at least one problem")
        self.problems = found
        super().__init__(found)  # args round-trip through pickle

    def __str__(self) -> str:
        return "; ".join(self.problems)


def blank_to_none(value: str | None) -> str | None:
    """Stripped text, with blank treated as absent (commercetools keeps "" for untyped fields)."""
    stripped = value.strip() if value is not None else ""
    return stripped or None


def _render(pattern: str, values: Mapping[str, str], setting: str) -> str:
    """Fill `{name}` placeholders. Only plain names are allowed (no format spec or conversion),
    so a pattern can never evaluate anything but the documented values."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ValueError(f"{setting} {pattern!r} is not a valid pattern: {exc}") from None
    rendered: list[str] = []
    for literal, name, spec, conversion in parts:
        rendered.append(literal)
        if name is None:
            continue
        if name not in values:
            known = ", ".join(f"{{{known}}}" for known in values)
            raise ValueError(
                f"{setting} {pattern!r} uses unknown placeholder {{{name}}}; known: {known}"
            )
        if spec or conversion:
            raise ValueError(
                f"{setting} {pattern!r}: placeholder {{{name}}} takes no format spec or conversion"
            )
        rendered.append(values[name])
    return "".join(rendered)


# --- classification and validation ------------------------------------------------------------


def pickup_location_ref(order: Order, policy: OrderPolicy) -> str | None:
    """The Fluent location the buyer collects from, from the order custom field named by
    `policy.pickup_location_field`."""
    value = order.custom_field(policy.pickup_location_field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidOrderError(
            f"custom field {policy.pickup_location_field} must be a text (a Fluent location "
            f"ref), got {type(value).__name__} {value!r}"
        )
    return blank_to_none(value)


def classify_order(order: Order, policy: OrderPolicy) -> OrderType:
    """Click & collect when the buyer named a pickup location or chose a collect shipping
    method; home delivery otherwise."""
    if pickup_location_ref(order, policy) is not None:
        return OrderType.CC
    if order.shipping_method_key in policy.cc_shipping_methods:
        return OrderType.CC
    return OrderType.HD


def customer_email(order: Order) -> str | None:
    """The buyer's e-mail: the order's, else the shipping, else the billing address's."""
    candidates = (
        order.customer_email,
        order.shipping_address.email if order.shipping_address else None,
        order.billing_address.email if order.billing_address else None,
    )
    return next((email for email in map(blank_to_none, candidates) if email), None)


def order_country(order: Order) -> str | None:
    """Where the order is sold: its country, else the shipping, else the billing address's.
    Its invoices are taxed there, and a pickup store whose own country is no code is placed
    there."""
    candidates = (
        order.country,
        order.shipping_address.country if order.shipping_address else None,
        order.billing_address.country if order.billing_address else None,
    )
    return next((country for country in map(blank_to_none, candidates) if country), None)


def _line_item_problems(order: Order) -> list[str]:
    if not order.line_items:
        return ["the order has no line items"]
    problems: list[str] = []
    for item in order.line_items:
        if blank_to_none(item.variant.sku) is None:
            problems.append(f"line item {item.id} has no SKU")
        if item.quantity < 1:
            problems.append(f"line item {item.id} has quantity {item.quantity}; at least 1")
    try:
        common_currency([order.total_price, *(item.total_price for item in order.line_items)])
    except ValueError as exc:
        problems.append(f"the order mixes currencies: {exc}")
    return problems


def _shipping_address_problems(order: Order) -> list[str]:
    address = order.shipping_address
    if address is None:
        return ["a home delivery order needs a shipping address"]
    required = {
        "country": address.country,
        "city": address.city,
        "postalCode": address.postal_code,
        "streetName": address.street_name,
    }
    missing = [name for name, value in required.items() if blank_to_none(value) is None]
    if missing:
        return [f"the shipping address has no {', '.join(missing)}"]
    return []


def validate_order(order: Order, order_type: OrderType, policy: OrderPolicy) -> None:
    """Raise `InvalidOrderError` naming everything that keeps the order from Fluent."""
    problems: list[str] = []
    if order.shipping_mode == "Multiple":
        problems.append(
            "shipping mode Multiple (several shipping addresses) is not supported; "
            "only orders with one shipping address can be exported"
        )
    elif order.shipping_info is None:
        problems.append(
            "the order has no shipping method (shippingInfo), so commercetools cannot "
            "record its deliveries"
        )
    problems.extend(_line_item_problems(order))
    if customer_email(order) is None:
        problems.append(
            "the order has no customer e-mail (customerEmail, shipping or billing address email)"
        )
    if order_country(order) is None:
        problems.append(
            "the order names no country (country, shipping or billing address) to tax the "
            "invoices of its shipments in"
        )
    if order_type is OrderType.HD:
        problems.extend(_shipping_address_problems(order))
    else:
        try:
            ref = pickup_location_ref(order, policy)
        except InvalidOrderError as exc:
            problems.extend(exc.problems)
        else:
            if ref is None:
                problems.append(
                    "a click & collect order needs a pickup location: custom field "
                    f"{policy.pickup_location_field} is empty"
                )
    try:
        fluent_order_ref(order, policy)
    except InvalidOrderError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InvalidOrderError(problems)


def validate_pickup_location(ref: str, location: Location | None) -> None:
    """The pickup location must be a location of the sourcing network and ACTIVE to receive a CC
    order (`location` is None when it is not in the network)."""
    if location is None:
        raise InvalidOrderError(f"pickup location {ref} is not a location of the Fluent network")
    if location.status != "ACTIVE":
        raise InvalidOrderError(
            f"pickup location {ref} is {location.status or 'without a status'}, not ACTIVE"
        )


# --- refs and customers -----------------------------------------------------------------------


def fluent_order_ref(order: Order, policy: OrderPolicy) -> str:
    """The Fluent order ref, derived from the commercetools order so a retried create finds it."""
    values = {
        "order_number": blank_to_none(order.order_number) or order.id,
        "order_id": order.id,
    }
    ref = _render(policy.order_ref_pattern, values, "order_ref_pattern")
    if not 1 <= len(ref) <= FLUENT_REF_MAX_LENGTH:
        raise InvalidOrderError(
            f"the Fluent order ref {ref!r} has {len(ref)} characters; Fluent accepts 1 to "
            f"{FLUENT_REF_MAX_LENGTH} (check order_ref_pattern)"
        )
    return ref


def customer_username(order: Order, policy: OrderPolicy, retailer_id: str) -> str:
    """The Fluent customer username. With the default pattern it depends only on retailer and
    e-mail, so a guest and a registered buyer with one e-mail share one Fluent customer."""
    email = customer_email(order)
    if email is None:
        raise InvalidOrderError("the order has no customer e-mail to name its Fluent customer")
    values = {
        "retailer_id": retailer_id,
        "email": email.lower(),
        "customer_id": blank_to_none(order.customer_id) or GUEST_CUSTOMER_ID,
    }
    username = _render(policy.customer_username_pattern, values, "customer_username_pattern")
    if not 1 <= len(username) <= FLUENT_REF_MAX_LENGTH:
        raise InvalidOrderError(
            f"the Fluent customer username has {len(username)} characters; Fluent accepts 1 "
            f"to {FLUENT_REF_MAX_LENGTH} (check customer_username_pattern)"
        )
    return username


def person_name(address: Address) -> str | None:
    """ "First Last" of an address; None when it names nobody."""
    parts = (blank_to_none(address.first_name), blank_to_none(address.last_name))
    return " ".join(part for part in parts if part) or None


def named_address(order: Order) -> Address | None:
    """Billing before shipping: the payer names the customer, unless only shipping has a name."""
    for address in (order.billing_address, order.shipping_address):
        if address and person_name(address):
            return address
    return None


def _phone(order: Order) -> str | None:
    for address in (order.billing_address, order.shipping_address):
        if address:
            phone = blank_to_none(address.phone) or blank_to_none(address.mobile)
            if phone:
                return phone
    return None


def customer_input(order: Order, policy: OrderPolicy, fluent: FluentContext) -> CreateCustomerInput:
    """The Fluent customer for the order's buyer. The 2022 schema requires a first name, so a
    buyer without one is named by the local part of their e-mail."""
    email = customer_email(order)
    if email is None:
        raise InvalidOrderError("the order has no customer e-mail to create a Fluent customer")
    named = named_address(order)
    first_name = (
        (blank_to_none(named.first_name) if named else None) or email.split("@", 1)[0] or email
    )
    country_source = order.billing_address or order.shipping_address
    return CreateCustomerInput(
        username=customer_username(order, policy, fluent.retailer_id),
        primary_email=email,
        first_name=first_name,
        last_name=blank_to_none(named.last_name) if named else None,
        primary_phone=_phone(order),
        country=blank_to_none(country_source.country)
        if country_source
        else blank_to_none(order.country),
        timezone=policy.customer_timezone,
        retailer=EntityId(id=fluent.retailer_id),
    )


# --- order lines and the Fluent order ---------------------------------------------------------


def _coordinate(value: object, limit: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if -limit <= number <= limit else None


def shipping_coordinates(order: Order) -> Coordinates | None:
    """Delivery coordinates from the shipping address custom fields `latitude`/`longitude`,
    when both are there and valid; sourcing picks the closest location with them."""
    address = order.shipping_address
    if address is None or address.custom is None:
        return None
    latitude = _coordinate(address.custom.fields.get("latitude"), 90.0)
    longitude = _coordinate(address.custom.fields.get("longitude"), 180.0)
    if latitude is None or longitude is None:
        return None
    try:
        return Coordinates(latitude=latitude, longitude=longitude)
    except SourcingError:  # NaN passes the range check above but not the model
        return None


def line_sku(item: LineItem) -> str:
    """The line's SKU, which Fluent knows the product by; a line without one cannot go."""
    sku = blank_to_none(item.variant.sku)
    if sku is None:
        raise InvalidOrderError(f"line item {item.id} has no SKU")
    return sku


def order_lines(order: Order) -> tuple[OrderLine, ...]:
    """What sourcing plans: one line per line item, keyed by the line item id."""
    return tuple(
        OrderLine(ref=item.id, sku=line_sku(item), quantity=item.quantity)
        for item in order.line_items
    )


def _order_item(item: LineItem, catalogue_ref: str | None) -> OrderItemInput:
    unit = item.price.value
    digits = item.total_price.fraction_digits
    taxed = item.taxed_price
    line_total = taxed.total_gross.cent_amount if taxed else item.total_price.cent_amount
    tax = tax_of(taxed) if taxed else None
    return OrderItemInput(
        ref=item.id,
        product_ref=line_sku(item),
        product_catalogue_ref=catalogue_ref,
        quantity=item.quantity,
        price=money_to_float(unit),
        # What one unit really cost, discounts included: the line total spread over units.
        paid_price=to_float(scale(line_total, 1, item.quantity), digits),
        total_price=to_float(line_total, digits),
        tax_price=to_float(scale(tax, 1, item.quantity), digits) if tax is not None else None,
        total_tax_price=to_float(tax, digits) if tax is not None else None,
        currency=item.total_price.currency_code,
    )


def street_line(address: Address) -> str | None:
    """Fluent has one street field: name and number, then any additional street info."""
    street = " ".join(
        part
        for part in (blank_to_none(address.street_name), blank_to_none(address.street_number))
        if part
    )
    extra = blank_to_none(address.additional_street_info)
    return ", ".join(part for part in (street, extra) if part) or None


def street_address(address: Address) -> StreetAddressInput:
    """A commercetools address as Fluent holds one (blank parts left out; the region stands in
    for a missing state)."""
    return StreetAddressInput(
        name=person_name(address),
        company_name=blank_to_none(address.company),
        street=street_line(address),
        city=blank_to_none(address.city),
        state=blank_to_none(address.state) or blank_to_none(address.region),
        postcode=blank_to_none(address.postal_code),
        country=blank_to_none(address.country),
    )


def _delivery_address(order: Order, ref: str) -> CustomerAddressInput:
    address = order.shipping_address
    if address is None:
        raise InvalidOrderError("a home delivery order needs a shipping address")
    coordinates = shipping_coordinates(order)
    return CustomerAddressInput(
        ref=f"{ref}-DA",
        latitude=coordinates.latitude if coordinates else None,
        longitude=coordinates.longitude if coordinates else None,
        **street_address(address).model_dump(exclude={"latitude", "longitude"}),
    )


def _fulfilment_choice(
    order: Order,
    order_type: OrderType,
    *,
    ref: str,
    policy: OrderPolicy,
    pickup_location_ref: str | None,
) -> FulfilmentChoiceInput:
    method = order.shipping_method_key
    delivery_type = policy.default_delivery_type
    if method is not None:
        delivery_type = policy.delivery_types.get(method, delivery_type)
    shipping = order.shipping_info
    shipping_price = shipping_tax = None
    if shipping is not None:
        digits = shipping.price.fraction_digits
        taxed = shipping.taxed_price
        gross = taxed.total_gross.cent_amount if taxed else shipping.price.cent_amount
        shipping_price = to_float(gross, digits)
        shipping_tax = to_float(tax_of(taxed), digits) if taxed else None
    delivery_address = pickup = None
    if order_type is OrderType.HD:
        fulfilment_type = HD_FULFILMENT_TYPE
        delivery_address = _delivery_address(order, ref)
    else:
        fulfilment_type = CC_FULFILMENT_TYPE
        pickup = blank_to_none(pickup_location_ref)
        if pickup is None:
            raise InvalidOrderError("a click & collect order needs a pickup location ref")
    return FulfilmentChoiceInput(
        delivery_type=delivery_type,
        fulfilment_type=fulfilment_type,
        pickup_location_ref=pickup,
        delivery_address=delivery_address,
        currency=order.total_price.currency_code,
        fulfilment_price=shipping_price,
        fulfilment_tax_price=shipping_tax,
    )


def fluent_order_input(
    order: Order,
    order_type: OrderType,
    *,
    customer_id: str,
    policy: OrderPolicy,
    fluent: FluentContext,
    pickup_location_ref: str | None,
) -> CreateOrderInput:
    """The Fluent order for a validated commercetools order (see `validate_order`). Items are
    keyed by the commercetools line item id, which is how fulfilments map back to lines."""
    ref = fluent_order_ref(order, policy)
    common_currency([order.total_price, *(item.total_price for item in order.line_items)])
    catalogue = blank_to_none(fluent.product_catalogue_ref)
    taxed = order.taxed_price
    digits = order.total_price.fraction_digits
    attributes = [Attribute(name=ATTRIBUTE_CT_ORDER_ID, type="STRING", value=order.id)]
    order_number = blank_to_none(order.order_number)
    if order_number is not None:
        attributes.append(
            Attribute(name=ATTRIBUTE_CT_ORDER_NUMBER, type="STRING", value=order_number)
        )
    return CreateOrderInput(
        ref=ref,
        type=order_type.value,
        customer=EntityId(id=customer_id),
        retailer=EntityId(id=fluent.retailer_id),
        items=[_order_item(item, catalogue) for item in order.line_items],
        fulfilment_choice=_fulfilment_choice(
            order, order_type, ref=ref, policy=policy, pickup_location_ref=pickup_location_ref
        ),
        total_price=money_to_float(taxed.total_gross if taxed else order.total_price),
        total_tax_price=to_float(tax_of(taxed), digits) if taxed else None,
        attributes=attributes,
    )
