"""Read models parse realistic payloads, ignore unknown fields, and normalise timestamps."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from connector.commercetools.enums import OrderState, ShipmentState
from connector.commercetools.models import (
    Category,
    Channel,
    Customer,
    InventoryEntry,
    Message,
    Order,
    ProductProjection,
    Type,
)
from tests.unit.commercetools import payloads


def test_order_with_everything_the_connector_reads() -> None:
    order = Order.model_validate(payloads.order())

    assert order.id == "order-1"
    assert order.order_number == "N-order-1"
    assert order.order_state == OrderState.OPEN
    assert order.shipment_state == ShipmentState.PENDING
    assert order.store is not None
    assert order.store.key == "de-store"
    assert order.shipping_method_key == "standard"
    assert order.custom_field("fluentOrderRef") == "CT-order-1"
    assert order.custom_field("attempts") == 2
    assert order.custom_field("missing") is None
    assert order.total_price.amount == Decimal("44.97")
    assert order.taxed_price is not None
    assert order.taxed_price.tax_portions[0].amount.cent_amount == 718
    assert order.sync_info[0].external_id == "F-1"

    line = order.line_items[0]
    assert (line.variant.sku, line.quantity, line.price.value.cent_amount) == ("SKU-1", 2, 1999)
    assert line.supply_channel is not None
    assert line.supply_channel.id == "chan-1"
    assert line.tax_rate is not None
    assert line.tax_rate.amount == pytest.approx(0.19)
    assert line.custom is not None
    assert line.custom.fields == {"gift": True}
    assert line.state[0].quantity == 2

    address = order.shipping_address
    assert address is not None
    assert (address.first_name, address.additional_street_info, address.building) == (
        "Ada",
        "Hinterhaus",
        "B",
    )
    assert (address.apartment, address.company, address.region, address.state) == (
        "4",
        "Analytical Engines GmbH",
        "Mitte",
        "Berlin",
    )
    assert (address.key, address.email, address.phone) == (
        "home",
        "ada@example.com",
        "+49 30 123456",
    )


def test_timestamps_are_utc_aware() -> None:
    order = Order.model_validate(payloads.order())

    assert order.created_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert order.last_modified_at == datetime(2026, 3, 2, 11, 30, 15, 123_000, tzinfo=UTC)
    assert order.last_modified_at.tzinfo is UTC


def test_a_timestamp_without_a_zone_is_rejected() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        Order.model_validate(payloads.order(createdAt="2026-03-01T10:00:00"))


def test_deliveries_and_parcels() -> None:
    order = Order.model_validate(
        payloads.order(
            deliveries=[payloads.delivery("FUL-1", "li-1", 1), payloads.delivery("FUL-2")]
        )
    )

    delivery = order.delivery_by_key("FUL-1")
    assert delivery is not None
    parcel = delivery.parcel_by_key("FUL-1-P1")
    assert parcel is not None
    assert parcel.tracking_data is not None
    assert (parcel.tracking_data.tracking_id, parcel.tracking_data.carrier) == ("1Z999", "DHL")
    assert parcel.measurements is not None
    assert parcel.measurements.weight_in_gram == 500
    assert delivery.parcel_by_key("nope") is None
    assert order.delivery_by_key("FUL-3") is None
    assert order.delivered_quantities() == {"li-1": 2}


def test_an_order_without_shipping_info_has_no_deliveries_or_method() -> None:
    payload = payloads.order()
    del payload["shippingInfo"]
    payload["custom"] = None

    order = Order.model_validate(payload)

    assert order.deliveries == []
    assert order.shipping_method_key is None
    assert order.delivered_quantities() == {}
    assert order.custom_field("fluentOrderRef") is None


def test_an_unexpanded_shipping_method_has_no_key() -> None:
    payload = payloads.order()
    payload["shippingInfo"]["shippingMethod"] = {"typeId": "shipping-method", "id": "sm-1"}

    assert Order.model_validate(payload).shipping_method_key is None


def test_line_item_lookup() -> None:
    order = Order.model_validate(payloads.order())

    assert order.line_item("li-1") is order.line_items[0]
    assert order.line_item("li-9") is None


def test_product_projection() -> None:
    product = ProductProjection.model_validate(payloads.product_projection("p1", "SKU-9"))

    assert [variant.sku for variant in product.all_variants] == ["SKU-9", "SKU-9-L"]
    master = product.master_variant
    assert master.attribute("gtin") == "4006381333931"
    assert master.attribute("color") == {"key": "red", "label": {"en": "Red"}}
    assert master.attribute("absent") is None
    assert master.prices[0].value.amount == Decimal("19.99")
    assert master.prices[0].channel is not None
    assert master.images[0].dimensions is not None
    assert master.images[0].dimensions.w == 800
    assert product.name == {"en": "Shirt", "de": "Hemd"}
    assert product.categories[0].id == "cat-1"


def test_category_with_and_without_parent() -> None:
    child = Category.model_validate(payloads.category("c1", "c0"))
    root = Category.model_validate(payloads.category("c0", None))

    assert child.parent is not None
    assert child.parent.id == "c0"
    assert [ancestor.id for ancestor in child.ancestors] == ["c0"]
    assert root.parent is None
    assert root.ancestors == []
    assert child.order_hint == "0.5"


def test_channel() -> None:
    channel = Channel.model_validate(payloads.channel())

    assert channel.roles == ["InventorySupply", "ProductDistribution"]
    assert channel.geo_location is not None
    assert (channel.geo_location.latitude, channel.geo_location.longitude) == (52.517, 13.3889)
    assert channel.custom is not None
    assert channel.custom.fields["fluentRef"] == "LOC-1"
    assert channel.address is not None
    assert channel.address.city == "Berlin"


def test_inventory_entry() -> None:
    entry = InventoryEntry.model_validate(payloads.inventory_entry(quantity=5))

    assert (entry.sku, entry.quantity_on_stock, entry.available_quantity) == ("SKU-1", 5, 4)
    assert entry.supply_channel is not None
    assert entry.supply_channel.id == "chan-1"


def test_customer() -> None:
    customer = Customer.model_validate(payloads.customer())

    assert (customer.email, customer.customer_number) == ("ada@example.com", "C-1001")
    assert customer.addresses[0].id == "addr-1"
    assert customer.default_shipping_address_id == "addr-1"


def test_type_with_a_set_field() -> None:
    custom_type = Type.model_validate(payloads.custom_type())

    tags = custom_type.field_definition("tags")
    assert tags is not None
    assert tags.type.name == "Set"
    assert tags.type.element_type is not None
    assert tags.type.element_type.name == "String"
    assert custom_type.field_definition("nope") is None


def test_order_created_message_carries_the_order() -> None:
    message = Message.model_validate(payloads.message(order=payloads.order()))

    assert message.type == "OrderCreated"
    assert message.order is not None
    assert message.order.id == "order-1"
    assert message.resource.type_id == "order"
    assert message.resource_user_provided_identifiers is not None
    assert message.resource_user_provided_identifiers.order_number == "N-order-1"


def test_state_changed_and_other_messages() -> None:
    changed = Message.model_validate(
        payloads.message(
            message_type="OrderStateChanged", orderState="Cancelled", oldOrderState="Open"
        )
    )
    published = Message.model_validate(
        payloads.message(
            message_type="ProductPublished",
            productProjection=payloads.product_projection(),
            scope="All",
            removedImageUrls=[],
        )
    )
    category = Message.model_validate(
        payloads.message(message_type="CategoryCreated", category=payloads.category())
    )
    delivery = Message.model_validate(
        payloads.message(message_type="DeliveryAdded", delivery=payloads.delivery())
    )

    assert (changed.order_state, changed.old_order_state) == (OrderState.CANCELLED, "Open")
    assert changed.order is None
    assert published.product_projection is not None
    assert category.category is not None
    assert delivery.delivery is not None
    assert delivery.delivery.key == "FUL-1"


def test_a_page_of_500_product_projections_parses_quickly() -> None:
    page = [payloads.product_projection(f"p{n}", f"SKU-{n}") for n in range(500)]
    adapter = TypeAdapter(list[ProductProjection])

    started = time.perf_counter()
    products = adapter.validate_python(page)
    elapsed = time.perf_counter() - started

    assert len(products) == 500
    assert elapsed < 1.0, f"parsing 500 product projections took {elapsed:.2f}s"
