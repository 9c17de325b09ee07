"""commercetools orders -> Fluent: classification, validation, refs, customers and orders."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.commercetools.models import Order
from connector.config import OrderPolicy
from connector.fluent.models import CreateOrderInput
from connector.mapping.orders import (
    ATTRIBUTE_CT_ORDER_ID,
    InvalidOrderError,
    classify_order,
    customer_email,
    customer_input,
    customer_username,
    fluent_order_input,
    fluent_order_ref,
    order_country,
    order_lines,
    pickup_location_ref,
    shipping_coordinates,
    validate_order,
    validate_pickup_location,
)
from connector.orders import OrderType
from connector.sourcing import Coordinates, OrderLine
from tests.unit.mapping.factories import (
    FLUENT,
    POLICY,
    address,
    cc_order,
    line_item,
    location,
    make_order,
    money,
)


def problems_of(order: Order, order_type: OrderType, policy: OrderPolicy = POLICY) -> list[str]:
    with pytest.raises(InvalidOrderError) as caught:
        validate_order(order, order_type, policy)
    return list(caught.value.problems)


# --- InvalidOrderError ------------------------------------------------------------------------


def test_invalid_order_error_lists_and_joins_problems() -> None:
    error = InvalidOrderError(["no e-mail", "no lines"])

    assert isinstance(error, ValueError)
    assert error.problems == ("no e-mail", "no lines")
    assert str(error) == "no e-mail; no lines"


def test_invalid_order_error_takes_one_problem_and_survives_pickling() -> None:
    single = InvalidOrderError("no lines")
    copy = pickle.loads(pickle.dumps(InvalidOrderError(["a", "b"])))

    assert single.problems == ("no lines",)
    assert copy.problems == ("a", "b")
    assert str(copy) == "a; b"


def test_invalid_order_error_needs_a_problem() -> None:
    with pytest.raises(ValueError, match="at least one problem"):
        InvalidOrderError([])


# --- pickup location and classification -------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"pickupLocationRef": "STORE-1"}, "STORE-1"),
        ({"pickupLocationRef": "  STORE-1 \n"}, "STORE-1"),
        ({"pickupLocationRef": ""}, None),
        ({"pickupLocationRef": "   "}, None),
        ({"other": "x"}, None),
        (None, None),
    ],
)
def test_pickup_location_ref_is_the_stripped_custom_field(
    fields: dict[str, Any] | None, expected: str | None
) -> None:
    assert pickup_location_ref(make_order(custom_fields=fields), POLICY) == expected


def test_pickup_location_field_is_configurable() -> None:
    order = make_order(custom_fields={"pickupLocationRef": "A", "collectAt": "B"})
    policy = POLICY.model_copy(update={"pickup_location_field": "collectAt"})

    assert pickup_location_ref(order, policy) == "B"


def test_a_pickup_location_that_is_not_text_is_an_invalid_order() -> None:
    order = make_order(custom_fields={"pickupLocationRef": 42})

    with pytest.raises(InvalidOrderError, match=r"pickupLocationRef must be a text.*int 42"):
        pickup_location_ref(order, POLICY)


@pytest.mark.parametrize(
    ("method", "fields", "expected"),
    [
        ("standard", None, OrderType.HD),
        (None, None, OrderType.HD),
        ("express", {"pickupLocationRef": ""}, OrderType.HD),
        ("click-collect", None, OrderType.CC),
        ("standard", {"pickupLocationRef": "STORE-1"}, OrderType.CC),
    ],
)
def test_classify_order(method: str | None, fields: Any, expected: OrderType) -> None:
    order = make_order(shipping_method=method, custom_fields=fields)

    assert classify_order(order, POLICY) is expected


def test_cc_shipping_methods_are_configurable() -> None:
    policy = POLICY.model_copy(update={"cc_shipping_methods": ["store-pickup"]})

    assert classify_order(make_order(shipping_method="store-pickup"), policy) is OrderType.CC
    assert classify_order(make_order(shipping_method="click-collect"), policy) is OrderType.HD


# --- validation -------------------------------------------------------------------------------


def test_a_complete_hd_order_and_a_complete_cc_order_are_valid() -> None:
    validate_order(make_order(), OrderType.HD, POLICY)
    validate_order(cc_order(shippingAddress=None), OrderType.CC, POLICY)


def test_validation_lists_every_problem_in_a_stable_order() -> None:
    order = make_order(
        lines=[line_item("li-1", sku=None), line_item("li-2", sku="  ", quantity=0)],
        customerEmail=None,
        shippingAddress=address(email=None, city="", postalCode=None),
        billingAddress=address(email=" "),
    )

    assert problems_of(order, OrderType.HD) == [
        "line item li-1 has no SKU",
        "line item li-2 has no SKU",
        "line item li-2 has quantity 0; at least 1",
        "the order has no customer e-mail (customerEmail, shipping or billing address email)",
        "the shipping address has no city, postalCode",
    ]


def test_an_order_without_line_items_is_invalid() -> None:
    assert problems_of(make_order(lines=[]), OrderType.HD) == ["the order has no line items"]


def test_multiple_shipping_addresses_are_not_supported() -> None:
    order = make_order(shippingMode="Multiple", shippingInfo=None)

    assert problems_of(order, OrderType.HD) == [
        "shipping mode Multiple (several shipping addresses) is not supported; only orders "
        "with one shipping address can be exported"
    ]


def test_an_order_without_shipping_info_cannot_hold_deliveries() -> None:
    [problem] = problems_of(make_order(shippingInfo=None), OrderType.HD)

    assert "no shipping method (shippingInfo)" in problem


def test_hd_needs_a_shipping_address_with_street_city_postcode_and_country() -> None:
    assert problems_of(make_order(shippingAddress=None), OrderType.HD) == [
        "a home delivery order needs a shipping address"
    ]
    incomplete = make_order(shippingAddress=address(country=" ", streetName=None))
    assert problems_of(incomplete, OrderType.HD) == [
        "the shipping address has no country, streetName"
    ]


def test_a_cc_order_by_shipping_method_without_a_pickup_location_is_invalid() -> None:
    order = make_order(shipping_method="click-collect")

    assert problems_of(order, OrderType.CC) == [
        "a click & collect order needs a pickup location: custom field pickupLocationRef is empty"
    ]


def test_a_cc_order_reports_a_non_text_pickup_location_with_the_rest() -> None:
    order = make_order(custom_fields={"pickupLocationRef": ["A"]}, customerEmail=None)
    order = order.model_copy(update={"shipping_address": None, "billing_address": None})

    problems = problems_of(order, OrderType.CC)

    assert len(problems) == 2
    assert problems[0].startswith("the order has no customer e-mail")
    assert problems[1].startswith("custom field pickupLocationRef must be a text")


def test_mixed_currencies_are_invalid() -> None:
    order = make_order(lines=[line_item("li-1"), line_item("li-2", currency="USD")])

    [problem] = problems_of(order, OrderType.HD)
    assert problem.startswith("the order mixes currencies")
    assert "USD" in problem


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "DE"),
        ({"country": " ", "shippingAddress": address(country="AT")}, "AT"),
        (
            {
                "country": None,
                "shippingAddress": address(country=""),
                "billingAddress": address(country="CH"),
            },
            "CH",
        ),
        ({"country": None, "shippingAddress": None, "billingAddress": None}, None),
    ],
)
def test_order_country_falls_back_to_the_addresses(
    overrides: dict[str, Any], expected: str | None
) -> None:
    assert order_country(make_order(**overrides)) == expected


def test_an_order_without_a_country_is_invalid_before_it_reaches_fluent() -> None:
    """Its first shipment could not be invoiced: refused now, not after the export."""
    order = cc_order(country=None, shippingAddress=None, billingAddress=address(country=" "))

    assert problems_of(order, OrderType.CC) == [
        "the order names no country (country, shipping or billing address) to tax the "
        "invoices of its shipments in"
    ]


def test_validation_includes_an_order_ref_fluent_cannot_take() -> None:
    policy = POLICY.model_copy(update={"order_ref_pattern": "{order_id}" * 30})
    order = make_order(id="x" * 10)

    [problem] = problems_of(order, OrderType.HD, policy)
    assert "has 300 characters" in problem


def test_validation_lets_a_broken_pattern_surface_as_a_setup_error() -> None:
    policy = POLICY.model_copy(update={"order_ref_pattern": "{order_numbr}"})

    with pytest.raises(ValueError, match="unknown placeholder") as caught:
        validate_order(make_order(), OrderType.HD, policy)
    assert not isinstance(caught.value, InvalidOrderError)


def test_pickup_location_must_exist_and_be_active() -> None:
    validate_pickup_location("STORE-1", location("STORE-1"))
    with pytest.raises(
        InvalidOrderError, match=r"^pickup location S is not a location of the Fluent network$"
    ):
        validate_pickup_location("S", None)
    with pytest.raises(InvalidOrderError, match=r"^pickup location S is INACTIVE, not ACTIVE$"):
        validate_pickup_location("S", location("S", status="INACTIVE"))
    with pytest.raises(InvalidOrderError, match="is without a status, not ACTIVE"):
        validate_pickup_location("S", location("S", status=None))


# --- refs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "overrides", "expected"),
    [
        ("{order_number}", {}, "N-1001"),
        ("{order_number}", {"orderNumber": None}, "order-1"),
        ("{order_number}", {"orderNumber": "  "}, "order-1"),
        ("CT-{order_id}", {}, "CT-order-1"),
        ("{order_number}/{order_id}", {}, "N-1001/order-1"),
        ("shop-{{literal}}-{order_number}", {}, "shop-{literal}-N-1001"),
    ],
)
def test_fluent_order_ref_follows_the_pattern(
    pattern: str, overrides: dict[str, Any], expected: str
) -> None:
    policy = POLICY.model_copy(update={"order_ref_pattern": pattern})

    assert fluent_order_ref(make_order(**overrides), policy) == expected


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{order_numbr}", r"unknown placeholder \{order_numbr\}; known: \{order_number\}"),
        ("{}", r"unknown placeholder \{\}"),
        ("{order_id.upper}", r"unknown placeholder \{order_id.upper\}"),
        ("{order_id:>40}", "takes no format spec or conversion"),
        ("{order_id!r}", "takes no format spec or conversion"),
        ("{order_id", "is not a valid pattern"),
    ],
)
def test_a_bad_order_ref_pattern_is_a_value_error_naming_it(pattern: str, message: str) -> None:
    policy = POLICY.model_copy(update={"order_ref_pattern": pattern})

    with pytest.raises(ValueError, match=message):
        fluent_order_ref(make_order(), policy)


@pytest.mark.parametrize(("pattern", "length"), [("", 0), ("{order_id}" + "x" * 249, 256)])
def test_an_order_ref_outside_1_to_255_characters_is_invalid(pattern: str, length: int) -> None:
    policy = POLICY.model_copy(update={"order_ref_pattern": pattern})

    with pytest.raises(InvalidOrderError, match=f"has {length} characters"):
        fluent_order_ref(make_order(), policy)


def test_an_order_ref_of_255_characters_is_accepted() -> None:
    policy = POLICY.model_copy(update={"order_ref_pattern": "{order_id}" + "x" * 248})

    assert len(fluent_order_ref(make_order(), policy)) == 255


# --- customers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "ada@example.com"),
        ({"customerEmail": " Ada@Example.com "}, "Ada@Example.com"),
        ({"customerEmail": None, "shippingAddress": address(email="ship@x.io")}, "ship@x.io"),
        (
            {
                "customerEmail": "",
                "shippingAddress": address(email=None),
                "billingAddress": address(email="bill@x.io"),
            },
            "bill@x.io",
        ),
        (
            {
                "customerEmail": None,
                "shippingAddress": None,
                "billingAddress": address(email=None),
            },
            None,
        ),
    ],
)
def test_customer_email_falls_back_to_the_addresses(
    overrides: dict[str, Any], expected: str | None
) -> None:
    assert customer_email(make_order(**overrides)) == expected


def test_guest_and_registered_buyers_with_one_email_share_a_username() -> None:
    registered = make_order(customerEmail="Ada@Example.COM ")
    guest = make_order(customerId=None, customerEmail="ada@example.com")

    assert customer_username(registered, POLICY, "7") == "7:ada@example.com"
    assert customer_username(guest, POLICY, "7") == "7:ada@example.com"


def test_customer_username_pattern_is_configurable() -> None:
    policy = POLICY.model_copy(update={"customer_username_pattern": "{customer_id}|{email}"})

    assert customer_username(make_order(), policy, "7") == "cust-1|ada@example.com"
    assert customer_username(make_order(customerId=None), policy, "7") == "guest|ada@example.com"


def test_customer_username_needs_an_email_and_a_known_pattern() -> None:
    no_email = make_order(customerEmail=None, shippingAddress=None, billingAddress=None)
    with pytest.raises(InvalidOrderError, match="no customer e-mail"):
        customer_username(no_email, POLICY, "7")
    policy = POLICY.model_copy(update={"customer_username_pattern": "{mail}"})
    with pytest.raises(ValueError, match=r"customer_username_pattern '\{mail\}'.*\{mail\}"):
        customer_username(make_order(), policy, "7")


def test_a_username_over_255_characters_is_invalid() -> None:
    order = make_order(customerEmail="a" * 250 + "@example.com")

    with pytest.raises(InvalidOrderError, match="username has 264 characters"):
        customer_username(order, POLICY, "7")


def test_customer_input_names_the_payer() -> None:
    customer = customer_input(make_order(), POLICY, FLUENT)

    assert customer.to_variables() == {
        "username": "7:ada@example.com",
        "primaryEmail": "ada@example.com",
        "firstName": "Charles",
        "lastName": "Babbage",
        "primaryPhone": "+49 30 123456",  # billing has none: the shipping phone
        "country": "DE",
        "timezone": "UTC",
        "promotionOptIn": False,
        "retailer": {"id": "7"},
    }


def test_customer_input_falls_back_to_shipping_name_and_mobile() -> None:
    order = make_order(
        billingAddress=address(firstName=" ", lastName=None, phone=None, country="AT"),
        shippingAddress=address(phone=None, mobile="+49 170 1"),
    )

    customer = customer_input(order, POLICY, FLUENT)

    assert (customer.first_name, customer.last_name) == ("Ada", "Lovelace")
    assert customer.primary_phone == "+49 170 1"
    assert customer.country == "AT"  # the billing country still


def test_customer_without_a_name_is_named_by_the_email_local_part() -> None:
    order = make_order(
        customerEmail="grace.hopper@navy.mil",
        shippingAddress=None,
        billingAddress=None,
    )

    customer = customer_input(order, POLICY, FLUENT)

    assert (customer.first_name, customer.last_name) == ("grace.hopper", None)
    assert customer.primary_phone is None
    assert customer.country == "DE"  # the order's country


def test_customer_timezone_is_configurable() -> None:
    policy = POLICY.model_copy(update={"customer_timezone": "Europe/Berlin"})

    assert customer_input(make_order(), policy, FLUENT).timezone == "Europe/Berlin"


def test_customer_input_needs_an_email() -> None:
    order = make_order(customerEmail=None, shippingAddress=None, billingAddress=None)

    with pytest.raises(InvalidOrderError, match="no customer e-mail"):
        customer_input(order, POLICY, FLUENT)


# --- coordinates and lines ---------------------------------------------------------------------


def with_geo(**fields: Any) -> Order:
    return make_order(
        shippingAddress=address(custom={"type": {"typeId": "type", "id": "geo"}, "fields": fields})
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"latitude": 52.5, "longitude": 13.4}, Coordinates(latitude=52.5, longitude=13.4)),
        ({"latitude": "52.5", "longitude": "-13"}, Coordinates(latitude=52.5, longitude=-13)),
        ({"latitude": 90, "longitude": -180}, Coordinates(latitude=90, longitude=-180)),
        ({"latitude": 52.5}, None),
        ({"latitude": 91, "longitude": 13.4}, None),
        ({"latitude": 52.5, "longitude": 181}, None),
        ({"latitude": True, "longitude": 13.4}, None),
        ({"latitude": "north", "longitude": 13.4}, None),
        ({"latitude": "nan", "longitude": 13.4}, None),
        ({"latitude": [1], "longitude": 13.4}, None),
    ],
)
def test_shipping_coordinates_need_both_valid_values(
    fields: dict[str, Any], expected: Coordinates | None
) -> None:
    assert shipping_coordinates(with_geo(**fields)) == expected


def test_no_shipping_address_or_custom_fields_means_no_coordinates() -> None:
    assert shipping_coordinates(make_order()) is None
    assert shipping_coordinates(make_order(shippingAddress=None)) is None


def test_order_lines_keep_the_line_order_and_ids() -> None:
    order = make_order(lines=[line_item("b", "SKU-B", 1), line_item("a", "SKU-A", 3)])

    assert order_lines(order) == (
        OrderLine(ref="b", sku="SKU-B", quantity=1),
        OrderLine(ref="a", sku="SKU-A", quantity=3),
    )


def test_order_lines_refuse_a_line_without_sku() -> None:
    with pytest.raises(InvalidOrderError, match="line item li-9 has no SKU"):
        order_lines(make_order(lines=[line_item("li-9", sku=None)]))


# --- the Fluent order -------------------------------------------------------------------------


def hd_input(order: Order, policy: OrderPolicy = POLICY) -> dict[str, Any]:
    created = fluent_order_input(
        order,
        OrderType.HD,
        customer_id="C-1",
        policy=policy,
        fluent=FLUENT,
        pickup_location_ref=None,
    )
    return created.to_variables()


def test_hd_order_input_in_full() -> None:
    order = make_order(
        lines=[
            line_item("li-1", "SKU-1", 2, 1999),
            # a discounted line: 3 x 10.00 for 25.00 gross
            line_item("li-2", "SKU-2", 3, 1000, total_cents=2500),
        ],
        shipping_method="express",
        shippingAddress=address(
            company="Engines Ltd",
            additionalStreetInfo="Hinterhaus",
            state=None,
            region="Mitte",
            custom={
                "type": {"typeId": "type", "id": "geo"},
                "fields": {"latitude": 52.5, "longitude": 13.4},
            },
        ),
    )

    assert hd_input(order) == {
        "ref": "N-1001",
        "type": "HD",
        "customer": {"id": "C-1"},
        "retailer": {"id": "7"},
        "items": [
            {
                "ref": "li-1",
                "productRef": "SKU-1",
                "productCatalogueRef": "PC:MASTER:7",
                "quantity": 2,
                "price": 19.99,
                "paidPrice": 19.99,
                "totalPrice": 39.98,
                "taxPrice": 3.19,  # 6.38 / 2
                "totalTaxPrice": 6.38,
                "currency": "EUR",
            },
            {
                "ref": "li-2",
                "productRef": "SKU-2",
                "productCatalogueRef": "PC:MASTER:7",
                "quantity": 3,
                "price": 10.0,
                "paidPrice": 8.33,  # 25.00 / 3, half-even in cents
                "totalPrice": 25.0,
                "taxPrice": 1.33,  # 3.99 / 3
                "totalTaxPrice": 3.99,
                "currency": "EUR",
            },
        ],
        "fulfilmentChoice": {
            "deliveryType": "EXPRESS",
            "fulfilmentType": "HD_PFS",
            "currency": "EUR",
            "fulfilmentPrice": 4.99,
            "fulfilmentTaxPrice": 0.8,
            "deliveryAddress": {
                "ref": "N-1001-DA",
                "name": "Ada Lovelace",
                "companyName": "Engines Ltd",
                "street": "Unter den Linden 1, Hinterhaus",
                "city": "Berlin",
                "state": "Mitte",
                "postcode": "10117",
                "country": "DE",
                "latitude": 52.5,
                "longitude": 13.4,
            },
        },
        "totalPrice": 69.97,
        "totalTaxPrice": 11.17,  # 6.38 + 3.99 + 0.80
        "attributes": [
            {"name": "commercetoolsOrderId", "type": "STRING", "value": "order-1"},
            {"name": "commercetoolsOrderNumber", "type": "STRING", "value": "N-1001"},
        ],
    }


def test_cc_order_input_names_the_pickup_location_and_no_address() -> None:
    created = fluent_order_input(
        cc_order(),
        OrderType.CC,
        customer_id="C-1",
        policy=POLICY,
        fluent=FLUENT,
        pickup_location_ref="STORE-1",
    )

    choice = created.to_variables()["fulfilmentChoice"]
    assert choice == {
        "deliveryType": "STANDARD",
        "fulfilmentType": "CC_PFS",
        "pickupLocationRef": "STORE-1",
        "currency": "EUR",
        "fulfilmentPrice": 4.99,
        "fulfilmentTaxPrice": 0.8,
    }
    assert created.type == "CC"


def test_cc_order_input_needs_a_pickup_location() -> None:
    with pytest.raises(InvalidOrderError, match="needs a pickup location ref"):
        fluent_order_input(
            cc_order(),
            OrderType.CC,
            customer_id="C-1",
            policy=POLICY,
            fluent=FLUENT,
            pickup_location_ref=" ",
        )


def test_hd_order_input_needs_a_shipping_address() -> None:
    with pytest.raises(InvalidOrderError, match="needs a shipping address"):
        hd_input(make_order(shippingAddress=None))


@pytest.mark.parametrize(
    ("method", "update", "expected"),
    [
        ("express", {}, "EXPRESS"),
        ("overnight", {}, "OVERNIGHT"),
        ("standard", {}, "STANDARD"),
        (None, {}, "STANDARD"),
        ("standard", {"default_delivery_type": "ECONOMY"}, "ECONOMY"),
        ("express", {"delivery_types": {"express": "SAME_DAY"}}, "SAME_DAY"),
        ("overnight", {"delivery_types": {"express": "SAME_DAY"}}, "STANDARD"),
    ],
)
def test_delivery_type_comes_from_the_shipping_method(
    method: str | None, update: dict[str, Any], expected: str
) -> None:
    policy = POLICY.model_copy(update=update)

    choice = hd_input(make_order(shipping_method=method), policy)["fulfilmentChoice"]
    assert choice["deliveryType"] == expected


def test_untaxed_order_sends_no_tax_and_pays_the_line_total() -> None:
    order = make_order(
        lines=[line_item("li-1", "SKU-1", 3, 1000, total_cents=2000, tax_rate=None)],
        shipping_cents=0,
        shippingInfo={"shippingMethodName": "x", "price": money(0)},
    )

    created = hd_input(order)

    [item] = created["items"]
    assert (item["price"], item["paidPrice"], item["totalPrice"]) == (10.0, 6.67, 20.0)
    assert "taxPrice" not in item
    assert "totalTaxPrice" not in item
    assert created["totalPrice"] == 20.0
    assert "totalTaxPrice" not in created
    assert created["fulfilmentChoice"]["fulfilmentPrice"] == 0.0
    assert "fulfilmentTaxPrice" not in created["fulfilmentChoice"]


def test_zero_decimal_currency_is_converted_exactly() -> None:
    order = make_order(lines=[line_item("li-1", "SKU-1", 3, 1000, currency="JPY", digits=0)])

    [item] = hd_input(order)["items"]
    assert (item["price"], item["paidPrice"], item["totalPrice"], item["currency"]) == (
        1000.0,
        1000.0,
        3000.0,
        "JPY",
    )


def test_order_without_number_carries_only_its_id_and_uses_the_id_as_ref() -> None:
    created = hd_input(make_order(orderNumber=None))

    assert created["ref"] == "order-1"
    assert created["fulfilmentChoice"]["deliveryAddress"]["ref"] == "order-1-DA"
    assert created["attributes"] == [
        {"name": ATTRIBUTE_CT_ORDER_ID, "type": "STRING", "value": "order-1"}
    ]


def test_order_ref_pattern_shapes_order_and_address_refs() -> None:
    policy = POLICY.model_copy(update={"order_ref_pattern": "CT-{order_id}"})

    created = hd_input(make_order(), policy)

    assert created["ref"] == "CT-order-1"
    assert created["fulfilmentChoice"]["deliveryAddress"]["ref"] == "CT-order-1-DA"


def test_blank_catalogue_ref_is_left_to_fluent() -> None:
    fluent = FLUENT.model_copy(update={"product_catalogue_ref": ""})

    created = fluent_order_input(
        make_order(),
        OrderType.HD,
        customer_id="C-1",
        policy=POLICY,
        fluent=fluent,
        pickup_location_ref=None,
    )

    assert created.items[0].product_catalogue_ref is None


def test_the_input_round_trips_through_its_model() -> None:
    created = hd_input(make_order(lines=[line_item("a"), line_item("b", "SKU-2")]))

    assert CreateOrderInput.model_validate(created).to_variables() == created


@given(
    st.lists(
        st.tuples(st.integers(1, 9), st.integers(0, 10**6), st.integers(0, 40)),
        min_size=1,
        max_size=6,
    )
)
def test_item_totals_are_the_exact_line_totals(specs: list[tuple[int, int, int]]) -> None:
    """Whatever the amounts, Fluent gets each line total and the order total to the cent."""
    lines = [
        line_item(f"li-{n}", f"SKU-{n}", quantity, unit, tax_rate=rate / 100)
        for n, (quantity, unit, rate) in enumerate(specs)
    ]
    order = make_order(lines=lines)

    created = hd_input(order)

    for item, line in zip(created["items"], order.line_items, strict=True):
        assert line.taxed_price is not None
        assert round(item["totalPrice"] * 100) == line.taxed_price.total_gross.cent_amount
        assert abs(item["paidPrice"] * line.quantity - item["totalPrice"]) <= 0.005 * line.quantity
    assert order.taxed_price is not None
    assert round(created["totalPrice"] * 100) == order.taxed_price.total_gross.cent_amount
