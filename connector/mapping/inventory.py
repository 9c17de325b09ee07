"""Fluent stock figures -> commercetools inventory entries on one channel (pure).

One figure per SKU: the quantity of its positions in the aggregate virtual catalogue (e.g.
`ATS:1`), or the sum of `onHand` of its per-location inventory positions (setting
`SYNC_INVENTORY_SOURCE`). Inactive positions count nothing and a position without a figure
counts zero; a negative total (oversold) becomes 0, since commercetools stock is absolute and
not below zero.

Each figure becomes the inventory entry of that SKU on the configured channel, with the
deterministic key `inventory_entry_key(channel key, SKU)`: created when missing, set with
`changeQuantity` (absolute, so a retried write changes nothing) when different, untouched when
equal.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from connector.commercetools.actions import ChangeQuantity
from connector.commercetools.drafts import InventoryEntryDraft, ResourceIdentifier
from connector.commercetools.models import InventoryEntry
from connector.fluent.models import InventoryPosition, VirtualPosition

INACTIVE = "INACTIVE"
MAX_KEY_LENGTH = 256
_KEY_SAFE = re.compile(r"[A-Za-z0-9-]")


def _escape(text: str) -> str:
    """Key-safe and injective: letters, digits and `-` stay; every other character becomes
    `_` and the hex of its UTF-8 bytes (`_` itself too, so no two texts collide)."""
    return "".join(
        char if _KEY_SAFE.fullmatch(char) else "".join(f"_{byte:02X}" for byte in char.encode())
        for char in text
    )


def inventory_entry_key(channel_key: str, sku: str) -> str:
    """`<channel key>-<SKU>` made key-safe (`[A-Za-z0-9_-]`, 2-256 characters); a key that
    would be longer keeps its start and ends with a hash of the whole, so it stays unique."""
    key = f"{_escape(channel_key)}-{_escape(sku)}"
    if len(key) <= MAX_KEY_LENGTH:
        return key
    digest = hashlib.sha256(f"{channel_key}\x00{sku}".encode()).hexdigest()
    return f"{key[: MAX_KEY_LENGTH - len(digest) - 1]}-{digest}"


def virtual_stock(positions: Iterable[VirtualPosition]) -> dict[str, int]:
    """Quantity per SKU from aggregate virtual positions (one per group; groups add up)."""
    totals: defaultdict[str, int] = defaultdict(int)
    for position in positions:
        if position.product_ref is None:
            continue
        counted = 0 if position.status == INACTIVE else position.quantity or 0
        totals[position.product_ref] += counted
    return {sku: max(total, 0) for sku, total in totals.items()}


def location_stock(positions: Iterable[InventoryPosition]) -> dict[str, int]:
    """On-hand per SKU summed over the locations that hold it."""
    totals: defaultdict[str, int] = defaultdict(int)
    for position in positions:
        counted = 0 if position.status == INACTIVE else position.on_hand or 0
        totals[position.product_ref] += counted
    return {sku: max(total, 0) for sku, total in totals.items()}


class InventoryTarget(BaseModel):
    """The channel that holds the aggregate stock."""

    model_config = ConfigDict(frozen=True)

    channel_id: str
    channel_key: str


class QuantityChange(BaseModel):
    """Set the stock of an existing entry."""

    model_config = ConfigDict(frozen=True)

    sku: str
    entry_id: str
    action: ChangeQuantity


InventoryWrite = InventoryEntryDraft | QuantityChange


def inventory_write(
    sku: str, quantity: int, existing: InventoryEntry | None, target: InventoryTarget
) -> InventoryWrite | None:
    """The one write that makes commercetools hold `quantity` of `sku`, or None when it does."""
    if quantity < 0:
        raise ValueError(f"stock of {sku} must not be negative, got {quantity}")
    if existing is None:
        return InventoryEntryDraft(
            sku=sku,
            key=inventory_entry_key(target.channel_key, sku),
            supply_channel=ResourceIdentifier(type_id="channel", id=target.channel_id),
            quantity_on_stock=quantity,
        )
    if existing.quantity_on_stock == quantity:
        return None
    return QuantityChange(sku=sku, entry_id=existing.id, action=ChangeQuantity(quantity=quantity))
