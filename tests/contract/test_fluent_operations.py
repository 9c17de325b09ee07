"""The GraphQL the connector sends to Fluent, held against Fluent's real schema (2022 SDL).

Two checks: every registered document validates against the schema; and the variables the
client really sends (recorded from every client method, with input models whose every field is
set) coerce against the operation's variable definitions, so a misspelt input field or a wrong
variable type fails here rather than in a customer's Fluent account.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLSchema,
    parse,
    validate,
)
from pydantic import BaseModel

from connector.config import FluentSettings
from connector.errors import PermanentError
from connector.fluent.client import FluentClient
from connector.fluent.models import (
    AmountInput,
    Attribute,
    CatalogueEntityKey,
    CreateBillingAccountInput,
    CreateCategoryInput,
    CreateCustomerInput,
    CreateFulfilmentInput,
    CreateInvoiceInput,
    CreateOrderInput,
    CreateStandardProductInput,
    CreateVariantProductInput,
    CurrencyKey,
    CustomerAddressInput,
    EntityId,
    FluentInput,
    FulfilmentChoiceInput,
    FulfilmentItemInput,
    InvoiceItemInput,
    OrderItemInput,
    OrderLinkInput,
    Price,
    QuantityInput,
    RefKey,
    StreetAddressInput,
    TaxTypeInput,
    UpdateCategoryInput,
    UpdateStandardProductInput,
    UpdateVariantProductInput,
)
from connector.fluent.operations import get_operation, operations
from tests.contract.fluent_schema import coercion_errors, load_fluent_schema

pytestmark = pytest.mark.contract


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return load_fluent_schema()


@pytest.mark.parametrize("name", sorted(operations()))
def test_document_validates_against_the_fluent_schema(schema: GraphQLSchema, name: str) -> None:
    errors = validate(schema, parse(get_operation(name).document))

    assert not errors, [error.message for error in errors]


def test_the_validator_rejects_an_unknown_field(schema: GraphQLSchema) -> None:
    document = get_operation("OrderDetails").document.replace("fulfilmentType", "fulfilmentTypo", 1)

    errors = validate(schema, parse(document))

    assert any("fulfilmentTypo" in error.message for error in errors)


def test_the_coercion_rejects_a_misspelt_input_field(schema: GraphQLSchema) -> None:
    variables = {"input": full_inputs()["CreateOrder"].to_variables()}
    assert coercion_errors(schema, "CreateOrder", variables) == []
    variables["input"]["items"][0]["productReff"] = "SKU-1"

    errors = coercion_errors(schema, "CreateOrder", variables)

    assert any("productReff" in error for error in errors), errors


# --- the variables the client sends ---------------------------------------------------------


def full_inputs() -> dict[str, FluentInput]:
    """One input per mutation, every field set (checked by `test_inputs_are_fully_populated`)."""
    catalogue = RefKey(ref="PC:MASTER:7")
    category = CatalogueEntityKey.of("shoes", "PC:MASTER:7")
    attributes = [Attribute(name="source", type="STRING", value="commercetools")]
    tax = TaxTypeInput(country="DE", group="STANDARD", tariff="19")
    prices = [Price(type="DEFAULT", currency="EUR", value=19.99)]
    amount = AmountInput(amount=19.99)
    address = CustomerAddressInput(
        ref="addr-1",
        company_name="ACME",
        name="Ada Lovelace",
        street="1 Main St",
        city="Berlin",
        state="BE",
        postcode="10115",
        region="EU",
        country="DE",
        latitude=52.5,
        longitude=13.4,
        time_zone="Europe/Berlin",
    )
    street_address = StreetAddressInput(
        **address.model_dump(exclude={"ref"}),
    )
    product_fields: dict[str, Any] = {
        "ref": "P1",
        "catalogue": catalogue,
        "summary": "summary",
        "categories": [category],
        "prices": prices,
        "tax_type": tax,
        "attributes": attributes,
        "type": "DEFAULT",
        "gtin": "4006381333931",
        "name": "Shoe",
    }
    return {
        "CreateCustomer": CreateCustomerInput(
            username="7:ada@example.com",
            primary_email="ada@example.com",
            first_name="Ada",
            last_name="Lovelace",
            primary_phone="+49 30 0000",
            country="DE",
            timezone="Europe/Berlin",
            promotion_opt_in=True,
            title="Dr",
            department="R&D",
            attributes=attributes,
            retailer=EntityId(id="7"),
        ),
        "CreateOrder": CreateOrderInput(
            ref="CT-1001",
            type="HD",
            customer=EntityId(id="501"),
            items=[
                OrderItemInput(
                    ref="li-1",
                    product_ref="SKU-1",
                    product_catalogue_ref="PC:MASTER:7",
                    quantity=2,
                    price=19.99,
                    paid_price=17.99,
                    total_price=35.98,
                    tax_price=5.74,
                    tax_type="GST",
                    total_tax_price=5.74,
                    currency="EUR",
                    attributes=attributes,
                )
            ],
            fulfilment_choice=FulfilmentChoiceInput(
                delivery_type="STANDARD",
                fulfilment_type="HD_PFS",
                pickup_location_ref="LOC_1",
                currency="EUR",
                delivery_instruction="leave at the door",
                fulfilment_price=4.95,
                fulfilment_tax_price=0.79,
                delivery_address=address,
            ),
            total_price=40.93,
            total_tax_price=6.53,
            attributes=attributes,
            retailer=EntityId(id="7"),
        ),
        "CreateFulfilment": CreateFulfilmentInput(
            ref="F1",
            type="HD_PFS",
            order=EntityId(id="9001"),
            delivery_type="STANDARD",
            eta="2 days",
            expiry_time=datetime(2026, 1, 3, tzinfo=UTC),
            from_address=EntityId(id="55"),
            to_address=EntityId(id="77"),
            customer=EntityId(id="501"),
            items=[
                FulfilmentItemInput(
                    ref="fi-1",
                    order_item=EntityId(id="oi1"),
                    requested_quantity=2,
                    filled_quantity=0,
                    rejected_quantity=0,
                )
            ],
            attributes=attributes,
        ),
        "CreateStandardProduct": CreateStandardProductInput(**product_fields),
        "UpdateStandardProduct": UpdateStandardProductInput(**product_fields, status="ACTIVE"),
        "CreateVariantProduct": CreateVariantProductInput(
            **(product_fields | {"ref": "V1"}), product=CatalogueEntityKey.of("P1", "PC:MASTER:7")
        ),
        "UpdateVariantProduct": UpdateVariantProductInput(
            **(product_fields | {"ref": "V1"}),
            status="ACTIVE",
            product=CatalogueEntityKey.of("P1", "PC:MASTER:7"),
        ),
        "CreateCategory": CreateCategoryInput(
            ref="shoes",
            catalogue=catalogue,
            type="DEFAULT",
            name="Shoes",
            summary="All shoes",
            parent_category=CatalogueEntityKey.of("apparel", "PC:MASTER:7"),
            attributes=attributes,
        ),
        "UpdateCategory": UpdateCategoryInput(
            ref="shoes",
            catalogue=catalogue,
            type="DEFAULT",
            status="ACTIVE",
            name="Shoes",
            summary="All shoes",
            parent_category=CatalogueEntityKey.of("apparel", "PC:MASTER:7"),
            attributes=attributes,
        ),
        "CreateBillingAccount": CreateBillingAccountInput(
            ref="BA-1",
            type="CUSTOMER",
            name="Ada Lovelace",
            customer=RefKey(ref="7:ada@example.com"),
            address=street_address,
            attributes=attributes,
            retailer=EntityId(id="7"),
        ),
        "CreateInvoice": CreateInvoiceInput(
            ref="INV-1",
            type="ORDER",
            billing_account=RefKey(ref="BA-1"),
            order=OrderLinkInput(ref="CT-1001", retailer=EntityId(id="7")),
            items=[
                InvoiceItemInput(
                    ref="ii-1",
                    type="PRODUCT",
                    description="Shoe",
                    product=CatalogueEntityKey.of("V1", "PC:MASTER:7"),
                    unit_quantity=QuantityInput(quantity=2, unit="EA"),
                    unit_tax_type=tax,
                    unit_amount=amount,
                    amount=amount,
                    tax_amount=amount,
                )
            ],
            issue_date=datetime(2026, 1, 2, tzinfo=UTC),
            due_date=datetime(2026, 2, 2, tzinfo=UTC),
            currency=CurrencyKey(alphabetic_code="EUR"),
            default_tax_type=tax,
            sub_total_amount=amount,
            total_tax=amount,
            total_amount=amount,
            total_balance=amount,
            attributes=attributes,
        ),
    }


def unset_fields(model: BaseModel, path: str = "") -> list[str]:
    """Fields left None anywhere in `model` (lists are checked element by element)."""
    missing: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        values = value if isinstance(value, list) else [value]
        if value is None or value == []:
            missing.append(f"{path}{name}")
        for item in values:
            if isinstance(item, BaseModel):
                missing.extend(unset_fields(item, f"{path}{name}."))
    return missing


@pytest.mark.parametrize("name", sorted(full_inputs()))
def test_inputs_are_fully_populated(name: str) -> None:
    assert unset_fields(full_inputs()[name]) == []


def empty_connection() -> dict[str, Any]:
    return {"edges": [], "pageInfo": {"hasNextPage": False}}


def more_pages(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {
        "edges": [{"cursor": f"cursor-{n}", "node": node} for n, node in enumerate(nodes)],
        "pageInfo": {"hasNextPage": True},
    }


def _article() -> dict[str, Any]:
    return {
        "id": "a1",
        "items": more_pages({"id": "ai1", "quantity": 1}),
        "consignmentArticles": more_pages({"consignment": {"id": "c1"}}),
    }


def _fulfilment() -> dict[str, Any]:
    return {
        "id": "f1",
        "type": "HD_PFS",
        "items": more_pages({"id": "fi1"}),
        "articles": more_pages(_article()),
    }


def _product() -> dict[str, Any]:
    return {
        "ref": "P1",
        "name": "Shoe",
        "catalogue": {"ref": "PC:MASTER:7"},
        "categories": more_pages({"ref": "shoes"}),
    }


# Answers that make the client use its follow-up queries; every follow-up gets an empty page.
SCRIPTED: dict[str, dict[str, Any]] = {
    "OrderDetails": {
        "orderById": {
            "id": "9001",
            "type": "HD",
            "items": more_pages({"id": "oi1", "quantity": 1}),
            "fulfilments": more_pages(_fulfilment()),
        }
    },
    "StandardProducts": {"standardProducts": {**more_pages(_product()), "pageInfo": {}}},
    "VariantProducts": {"variantProducts": {**more_pages(_product()), "pageInfo": {}}},
}
FOLLOW_UPS: dict[str, tuple[str, str]] = {
    "OrderItems": ("orderById", "items"),
    "OrderFulfilments": ("orderById", "fulfilments"),
    "FulfilmentItems": ("fulfilmentById", "items"),
    "FulfilmentArticles": ("fulfilmentById", "articles"),
    "ArticleItems": ("articleById", "items"),
    "ArticleConsignments": ("articleById", "consignmentArticles"),
    "StandardProductCategories": ("standardProduct", "categories"),
    "VariantProductCategories": ("variantProduct", "categories"),
}


class RecordingFluent:
    """A fake Fluent that records each GraphQL request and answers the scripted ones; any other
    operation gets an error, which ends that client call after its first request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 86400})
        body = json.loads(request.content)
        self.requests.append(body)
        name = body["operationName"]
        if name in SCRIPTED:
            return httpx.Response(200, json={"data": SCRIPTED[name]})
        if name in FOLLOW_UPS:
            parent, field = FOLLOW_UPS[name]
            return httpx.Response(200, json={"data": {parent: {field: empty_connection()}}})
        return httpx.Response(200, json={"errors": [{"message": "recorded", "code": "C9999E"}]})


async def _drain(pages: AsyncIterator[Any]) -> None:
    async for _ in pages:
        pass


def client_calls(client: FluentClient) -> list[Callable[[], Coroutine[Any, Any, Any]]]:
    """Every client method that sends GraphQL, with representative arguments."""
    inputs: dict[str, Any] = full_inputs()
    since = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        lambda: client.find_customer("7:ada@example.com"),
        lambda: client.create_customer(inputs["CreateCustomer"]),
        lambda: client.find_order("CT-1001"),
        lambda: client.create_order(inputs["CreateOrder"]),
        lambda: client.order_details("9001"),
        lambda: client.find_fulfilments(["F1", "F2"]),
        lambda: client.create_fulfilment(inputs["CreateFulfilment"]),
        lambda: _drain(client.network_locations("NET", updated_since=since)),
        lambda: client.get_location("LOC_1"),
        lambda: client.network("NET"),
        lambda: client.product_catalogue("PC:MASTER:7"),
        lambda: client.network_location("LOC_1", "NET"),
        lambda: _drain(client.network_location_pages("NET", updated_since=since, after="c1")),
        lambda: _drain(client.virtual_position_pages(updated_since=since, after="c1")),
        lambda: _drain(client.inventory_position_pages(updated_since=since, after="c1")),
        lambda: client.inventory_positions(["SKU-1"], location_refs=["LOC_1"]),
        lambda: _drain(client.virtual_positions(product_refs=["SKU-1"], updated_since=since)),
        lambda: client.standard_products(["P1"]),
        lambda: client.variant_products(["V1"]),
        lambda: client.categories(["shoes"]),
        lambda: client.create_standard_product(inputs["CreateStandardProduct"]),
        lambda: client.update_standard_product(inputs["UpdateStandardProduct"]),
        lambda: client.create_variant_product(inputs["CreateVariantProduct"]),
        lambda: client.update_variant_product(inputs["UpdateVariantProduct"]),
        lambda: client.create_category(inputs["CreateCategory"]),
        lambda: client.update_category(inputs["UpdateCategory"]),
        lambda: client.find_billing_account("BA-1"),
        lambda: client.create_billing_account(inputs["CreateBillingAccount"]),
        lambda: client.find_invoice("INV-1"),
        lambda: client.create_invoice(inputs["CreateInvoice"]),
    ]


@pytest.fixture(scope="module")
async def recorded_requests() -> list[dict[str, Any]]:
    fake = RecordingFluent()
    settings = FluentSettings(
        host="https://acme.sandbox.api.fluentretail.com",
        account_id="ACME",
        retailer_id="7",
        client_id="ACME",
        client_secret="secret",
        username="user",
        password="password",
    )
    async with FluentClient(settings, transport=httpx.MockTransport(fake)) as client:
        unexpected: list[PermanentError] = []
        for call in client_calls(client):
            try:
                await call()
            except PermanentError as error:
                if error.codes != ("C9999E",):
                    unexpected.append(error)
    assert unexpected == []
    return fake.requests


def test_every_operation_is_sent_by_some_client_method(
    recorded_requests: list[dict[str, Any]],
) -> None:
    assert {request["operationName"] for request in recorded_requests} == set(operations())


def test_sent_documents_are_the_registered_ones(
    recorded_requests: list[dict[str, Any]],
) -> None:
    for request in recorded_requests:
        assert request["query"] == get_operation(request["operationName"]).document


def test_sent_variables_coerce_against_the_fluent_schema(
    schema: GraphQLSchema, recorded_requests: list[dict[str, Any]]
) -> None:
    problems = {
        request["operationName"]: errors
        for request in recorded_requests
        if (errors := coercion_errors(schema, request["operationName"], request["variables"]))
    }

    assert problems == {}


def test_mutations_send_every_input_field(recorded_requests: list[dict[str, Any]]) -> None:
    """The recorded inputs are the fully populated ones, so the coercion covered every field."""
    inputs = full_inputs()
    for request in recorded_requests:
        name = request["operationName"]
        if name in inputs:
            assert request["variables"]["input"] == inputs[name].to_variables()
