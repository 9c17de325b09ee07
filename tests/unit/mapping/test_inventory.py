"""Fluent stock -> commercetools inventory entries: figures, keys, and the one write per SKU."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.commercetools.actions import ChangeQuantity
from connector.commercetools.drafts import InventoryEntryDraft
from connector.mapping.inventory import (
    MAX_KEY_LENGTH,
    InventoryTarget,
    QuantityChange,
    inventory_entry_key,
    inventory_write,
    location_stock,
    virtual_stock,
)
from tests.unit.syncs.factories import inventory_entry, inventory_position, virtual_position

TARGET = InventoryTarget(channel_id="chan-agg", channel_key="fluent-aggregate-stock")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{2,256}$")


def test_a_plain_sku_gives_a_readable_key() -> None:
    assert inventory_entry_key("fluent-aggregate-stock", "SKU-00001-1") == (
        "fluent-aggregate-stock-SKU-00001-1"
    )


def test_unsafe_characters_are_escaped() -> None:
    assert inventory_entry_key("agg", "A B/ü_") == "agg-A_20B_2F_C3_BC_5F"


@given(st.text(min_size=1, max_size=300), st.text(min_size=1, max_size=300))
def test_keys_are_always_valid_commercetools_keys(channel: str, sku: str) -> None:
    assert KEY_PATTERN.fullmatch(inventory_entry_key(channel, sku))


@given(st.text(min_size=1, max_size=400), st.text(min_size=1, max_size=400))
def test_different_skus_never_share_a_key(first: str, second: str) -> None:
    if first != second:
        assert inventory_entry_key("agg", first) != inventory_entry_key("agg", second)


def test_a_long_key_is_shortened_with_a_hash_of_the_whole() -> None:
    key = inventory_entry_key("agg", "S" * 300)

    assert len(key) == MAX_KEY_LENGTH
    assert key.startswith("agg-SSS")
    assert key != inventory_entry_key("agg", "S" * 301)


def test_virtual_positions_give_one_figure_per_sku() -> None:
    positions = [
        virtual_position("SKU-1", 7),
        virtual_position("SKU-1", 3, group="G2"),
        virtual_position("SKU-2", None),
        virtual_position("SKU-3", 9, status="INACTIVE"),
        virtual_position("SKU-4", -4),
        virtual_position(None, 5),
    ]

    assert virtual_stock(positions) == {"SKU-1": 10, "SKU-2": 0, "SKU-3": 0, "SKU-4": 0}


def test_location_positions_are_summed_per_sku() -> None:
    positions = [
        inventory_position("SKU-1", "ST-001", 4),
        inventory_position("SKU-1", "ST-002", 6),
        inventory_position("SKU-1", "ST-003", 50, status="INACTIVE"),
        inventory_position("SKU-2", "ST-001", None),
        inventory_position("SKU-3", "ST-001", -2),
        inventory_position("SKU-3", "ST-002", 1),
    ]

    assert location_stock(positions) == {"SKU-1": 10, "SKU-2": 0, "SKU-3": 0}


def test_a_missing_entry_is_created_with_a_deterministic_key_on_the_channel() -> None:
    write = inventory_write("SKU-1", 12, None, TARGET)

    assert isinstance(write, InventoryEntryDraft)
    assert write.to_wire() == {
        "sku": "SKU-1",
        "key": "fluent-aggregate-stock-SKU-1",
        "supplyChannel": {"typeId": "channel", "id": "chan-agg"},
        "quantityOnStock": 12,
    }


def test_an_equal_entry_is_untouched() -> None:
    assert inventory_write("SKU-1", 12, inventory_entry("SKU-1", 12), TARGET) is None


def test_a_different_entry_gets_an_absolute_change_quantity() -> None:
    write = inventory_write("SKU-1", 0, inventory_entry("SKU-1", 12, entry_id="inv-9"), TARGET)

    assert write == QuantityChange(sku="SKU-1", entry_id="inv-9", action=ChangeQuantity(quantity=0))


def test_negative_stock_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        inventory_write("SKU-1", -1, None, TARGET)
