"""Models: connection flattening, link lifting, round trips, input validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from connector.fluent.client import fluent_datetime
from connector.fluent.models import (
    Article,
    Attribute,
    BatchStatus,
    CreateOrderInput,
    CustomerAddressInput,
    EntityId,
    FluentEvent,
    FulfilmentChoiceInput,
    Invoice,
    OrderDetails,
    OrderItem,
    OrderItemInput,
    StandardProduct,
    WebhookEvent,
    connection_nodes,
)

WEBHOOK = {
    "id": "0f6c2a4e-1111",
    "name": "fc.connect.order.webhook.status-update",
    "accountId": "ACME",
    "retailerId": 7,
    "entityId": 9001,
    "entityRef": "CT-1001",
    "entityType": "ORDER",
    "entitySubtype": "HD",
    "entityStatus": "BOOKED",
    "rootEntityId": 9001,
    "rootEntityRef": "CT-1001",
    "rootEntityType": "ORDER",
    "type": "NORMAL",
    "attributes": {},
    "meta": {"source": "rule"},
    "somethingNew": True,
}


def edges(*nodes: Any, has_next: bool = False) -> dict[str, Any]:
    return {
        "edges": [{"node": n, "cursor": str(i)} for i, n in enumerate(nodes)],
        "pageInfo": {"hasNextPage": has_next},
    }


@given(st.lists(st.integers(), max_size=20))
def test_connection_nodes_keep_every_node_in_order(values: list[int]) -> None:
    assert connection_nodes(edges(*values)) == values
    assert connection_nodes(values) == values


def test_connection_with_more_pages_is_refused() -> None:
    with pytest.raises(ValidationError, match="further pages"):
        OrderDetails.model_validate({"id": "1", "type": "HD", "fulfilments": edges(has_next=True)})


def test_null_connection_edges_and_missing_page_info() -> None:
    assert connection_nodes({"edges": None}) == []
    assert connection_nodes({"edges": [None, {"node": 1}]}) == [1]


def test_order_item_lifts_product_links_and_round_trips() -> None:
    item = OrderItem.model_validate(
        {"id": 5, "quantity": 2, "product": {"ref": "SKU", "catalogue": {"ref": "PC"}}}
    )

    assert (item.id, item.product_ref, item.product_catalogue_ref) == ("5", "SKU", "PC")
    assert OrderItem.model_validate(item.model_dump(by_alias=True)) == item
    assert OrderItem.model_validate(item.model_dump()) == item


def test_null_links_give_empty_fields() -> None:
    item = OrderItem.model_validate({"id": "5", "quantity": 1, "product": None})

    assert item.product_ref is None


def test_order_details_round_trip_through_json() -> None:
    details = OrderDetails.model_validate(
        {
            "id": "9001",
            "type": "CC",
            "customer": {"id": "1", "ref": "u"},
            "items": edges({"id": "oi", "quantity": 1, "product": {"ref": "S"}}),
            "fulfilments": edges(
                {
                    "id": "f",
                    "type": "CC_PFS",
                    "fromAddress": {"ref": "LOC"},
                    "items": edges({"id": "fi", "orderItem": {"id": "oi", "ref": "li"}}),
                    "articles": edges(
                        {
                            "id": "a",
                            "items": edges({"id": "ai", "quantity": 1}),
                            "consignmentArticles": edges({"consignment": {"id": "c"}}),
                        }
                    ),
                }
            ),
        }
    )

    assert OrderDetails.model_validate_json(details.model_dump_json(by_alias=True)) == details
    assert details.fulfilments[0].from_location_ref == "LOC"
    assert details.fulfilments[0].items[0].order_item_ref == "li"
    assert details.fulfilments[0].articles[0].consignments[0].id == "c"


def test_article_consignment_links_without_consignment_carry_nothing() -> None:
    article = Article.model_validate(
        {
            "id": "a",
            "consignmentArticles": edges({"consignment": None}, {"consignment": {"id": "c"}}),
        }
    )

    assert [c.id for c in article.consignments] == ["c"]


def test_product_category_refs_and_catalogue() -> None:
    product = StandardProduct.model_validate(
        {
            "ref": "P",
            "name": "n",
            "catalogue": {"ref": "PC"},
            "categories": edges({"ref": "a"}, {"ref": "b"}),
        }
    )

    assert (product.catalogue_ref, product.category_refs) == ("PC", ["a", "b"])
    assert StandardProduct.model_validate(product.model_dump(by_alias=True)) == product


def test_invoice_amounts_and_currency_are_flat() -> None:
    invoice = Invoice.model_validate(
        {"id": "1", "ref": "I", "currency": {"alphabeticCode": "EUR"}, "totalTax": {"amount": 1.9}}
    )

    assert (invoice.currency, invoice.total_tax, invoice.total_amount) == ("EUR", 1.9, None)
    assert Invoice.model_validate(invoice.model_dump(by_alias=True)) == invoice


def test_attribute_lookup_and_json_values() -> None:
    product = StandardProduct.model_validate(
        {
            "ref": "P",
            "name": "n",
            "attributes": [
                {"name": "count", "type": "INTEGER", "value": 3},
                {"name": "tags", "type": "JSON", "value": {"a": [1, "x"]}},
            ],
        }
    )

    assert product.attribute("count") == 3
    assert product.attribute("tags") == {"a": [1, "x"]}
    assert product.attribute("absent") is None


def test_webhook_event_accepts_numbers_for_ids_and_ignores_new_fields() -> None:
    event = WebhookEvent.model_validate(WEBHOOK)

    assert (event.retailer_id, event.entity_id, event.root_entity_id) == ("7", "9001", "9001")
    assert event.meta == {"source": "rule"}


@pytest.mark.parametrize(
    "field", ["id", "name", "accountId", "retailerId", "entityId", "entityRef", "entityType"]
)
def test_webhook_event_required_fields(field: str) -> None:
    payload = {k: v for k, v in WEBHOOK.items() if k != field}

    with pytest.raises(ValidationError, match=field):
        WebhookEvent.model_validate(payload)


def test_webhook_event_optional_fields_may_be_absent_or_null() -> None:
    required = {
        k: WEBHOOK[k]
        for k in ("id", "name", "accountId", "retailerId", "entityId", "entityRef", "entityType")
    }

    assert WebhookEvent.model_validate(required).attributes == {}
    assert WebhookEvent.model_validate(required | {"attributes": None}).attributes == {}
    assert WebhookEvent.model_validate(required | {"attributes": []}).attributes == []


def test_batch_status_from_either_id_field() -> None:
    assert BatchStatus.model_validate({"batchId": 4, "status": "COMPLETE"}).batch_id == "4"
    assert BatchStatus.model_validate({"id": "5", "status": "PENDING"}).batch_id == "5"


# --- inputs ---------------------------------------------------------------------------------


def order(**overrides: Any) -> CreateOrderInput:
    values: dict[str, Any] = {
        "ref": "CT-1",
        "type": "HD",
        "customer": EntityId(id="1"),
        "items": [OrderItemInput(ref="li-1", product_ref="SKU", quantity=1)],
        "fulfilment_choice": FulfilmentChoiceInput(
            delivery_type="STANDARD", delivery_address=CustomerAddressInput(ref="a")
        ),
    }
    return CreateOrderInput(**(values | overrides))


def test_hd_order_needs_a_delivery_address() -> None:
    with pytest.raises(ValidationError, match="delivery_address"):
        order(fulfilment_choice=FulfilmentChoiceInput(delivery_type="STANDARD"))


def test_cc_order_needs_a_pickup_location() -> None:
    with pytest.raises(ValidationError, match="pickup_location_ref"):
        order(type="CC")

    cc = order(
        type="CC",
        fulfilment_choice=FulfilmentChoiceInput(delivery_type="STANDARD", pickup_location_ref="L"),
    )
    assert cc.to_variables()["fulfilmentChoice"] == {
        "deliveryType": "STANDARD",
        "pickupLocationRef": "L",
    }


def test_custom_order_types_are_not_second_guessed() -> None:
    assert order(type="MIXED", fulfilment_choice=None).type == "MIXED"


def test_order_needs_items_with_unique_refs_and_positive_quantities() -> None:
    with pytest.raises(ValidationError, match="at least 1"):
        order(items=[])
    with pytest.raises(ValidationError, match="repeated: li-1"):
        order(items=[OrderItemInput(ref="li-1", product_ref="S", quantity=1)] * 2)
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        OrderItemInput(ref="li-1", product_ref="S", quantity=0)


def test_inputs_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="productReff"):
        OrderItemInput.model_validate({"ref": "x", "productReff": "S", "quantity": 1})


def test_coordinates_are_range_checked() -> None:
    with pytest.raises(ValidationError, match="latitude"):
        CustomerAddressInput(ref="a", latitude=91)


def test_event_needs_an_entity_ref_or_id() -> None:
    with pytest.raises(ValidationError, match="entity_ref or entity_id"):
        FluentEvent(name="CancelOrder", entity_type="ORDER")

    assert FluentEvent(name="X", entity_type="ORDER", entity_id="9").to_variables() == {
        "name": "X",
        "entityType": "ORDER",
        "entityId": "9",
        "attributes": {},
    }


def test_attribute_input_shape() -> None:
    assert Attribute(name="a", type="STRING", value="v").model_dump(by_alias=True) == {
        "name": "a",
        "type": "STRING",
        "value": "v",
    }


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05.000Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 678900, tzinfo=UTC), "2026-01-02T03:04:05.678Z"),
        (
            datetime(2026, 1, 2, 10, 0, tzinfo=timezone(timedelta(hours=10))),
            "2026-01-02T00:00:00.000Z",
        ),
    ],
)
def test_fluent_datetime(moment: datetime, text: str) -> None:
    assert fluent_datetime(moment) == text


def test_fluent_datetime_refuses_naive() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        fluent_datetime(datetime(2026, 1, 1))
