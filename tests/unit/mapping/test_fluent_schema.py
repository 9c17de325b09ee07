"""The inputs the order mappings produce, coerced against Fluent's real schema (2022 SDL) as the
variables of the mutations that send them: a field the schema lacks, a wrong type or a missing
required field fails here rather than in a customer's Fluent account."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema

from connector.fluent.models import FluentInput
from connector.mapping.fulfilments import fulfilment_inputs, rejected_fulfilment_input
from connector.mapping.invoices import billing_account_input, invoice_input
from connector.mapping.orders import customer_input, fluent_order_input
from connector.orders import OrderType
from connector.sourcing import PlannedFulfilment, PlannedItem, SourcingPlan
from tests.contract.fluent_schema import coercion_errors, load_fluent_schema
from tests.unit.mapping.factories import (
    FLUENT,
    ISSUED,
    POLICY,
    address,
    cc_order,
    fluent_order,
    location,
    make_order,
    record,
)

pytestmark = pytest.mark.contract


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return load_fluent_schema()


def produced_inputs() -> list[tuple[str, FluentInput]]:
    geo = {"type": {"typeId": "type", "id": "geo"}, "fields": {"latitude": 1, "longitude": 2}}
    hd = make_order(shippingAddress=address(company="Engines Ltd", custom=geo))
    plan = SourcingPlan(
        fulfilments=(
            PlannedFulfilment(
                location_ref="LOC-1",
                kind="HD",
                items=(PlannedItem(line_ref="li-1", sku="SKU-1", quantity=2),),
                distance_km=3.0,
            ),
        ),
        unfillable=(),
        optimal=True,
    )
    order = fluent_order()
    return [
        ("CreateCustomer", customer_input(hd, POLICY, FLUENT)),
        (
            "CreateOrder",
            fluent_order_input(
                hd,
                OrderType.HD,
                customer_id="1",
                policy=POLICY,
                fluent=FLUENT,
                pickup_location_ref=None,
            ),
        ),
        (
            "CreateOrder",
            fluent_order_input(
                cc_order(),
                OrderType.CC,
                customer_id="1",
                policy=POLICY,
                fluent=FLUENT,
                pickup_location_ref="STORE-1",
            ),
        ),
        *(
            ("CreateFulfilment", created)
            for created in fulfilment_inputs(
                plan, order=order, locations={"LOC-1": location()}, first_sequence=1
            )
        ),
        (
            "CreateFulfilment",
            rejected_fulfilment_input(plan.fulfilments[0].items, order=order, ref="N-1001-R1"),
        ),
        ("CreateBillingAccount", billing_account_input(hd, customer_ref="c", retailer_id="7")),
        (
            "CreateInvoice",
            invoice_input(
                hd,
                record(),
                fluent_order_ref="N-1001",
                billing_account_ref="BA-c",
                catalogue_ref="PC:MASTER:7",
                issued_at=ISSUED,
                retailer_id="7",
            ),
        ),
    ]


@pytest.mark.parametrize(
    ("operation", "produced"), produced_inputs(), ids=lambda value: str(value)[:20]
)
def test_produced_inputs_coerce_against_the_fluent_schema(
    schema: GraphQLSchema, operation: str, produced: FluentInput
) -> None:
    assert coercion_errors(schema, operation, {"input": produced.to_variables()}) == []
