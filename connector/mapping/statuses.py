"""Fluent statuses -> commercetools order and shipment states.

Which statuses mean what is configuration (`OrderPolicy`), with the defaults of Fluent's own
connector; this module only applies it. Counts are per commercetools line item id and never
exceed what was ordered, whatever Fluent reports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from connector.commercetools.enums import ShipmentState
from connector.config import OrderPolicy
from connector.orders import FulfilmentRecord, OrderType


def ct_order_state(fluent_status: str | None, policy: OrderPolicy) -> str | None:
    """The commercetools order state for a Fluent order status; None leaves the state as is
    (unknown statuses included: Fluent workflows define their own)."""
    if fluent_status is None:
        return None
    return policy.order_status_mapping.get(fluent_status)


def handed_over_statuses(order_type: OrderType, policy: OrderPolicy) -> frozenset[str]:
    """Fulfilment statuses in which the goods have left for (or wait for) the buyer: the order
    type's delivery statuses plus the delivered ones. These fulfilments become deliveries."""
    own = policy.hd_delivery_statuses if order_type is OrderType.HD else policy.cc_delivery_statuses
    return frozenset(own) | frozenset(policy.delivered_statuses)


def _filled(records: Sequence[FulfilmentRecord], statuses: frozenset[str]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for record in records:
        if record.status in statuses:
            for line in record.lines:
                if line.filled > 0:
                    totals[line.line_item_id] += line.filled
    return totals


def shipped_quantities(
    records: Sequence[FulfilmentRecord], order_type: OrderType, policy: OrderPolicy
) -> Counter[str]:
    """Filled quantities per line item of fulfilments that were handed over (shipped, ready for
    collection, or already delivered)."""
    return _filled(records, handed_over_statuses(order_type, policy))


def delivered_quantities(records: Sequence[FulfilmentRecord], policy: OrderPolicy) -> Counter[str]:
    """Filled quantities per line item of fulfilments the buyer has received."""
    return _filled(records, frozenset(policy.delivered_statuses))


def shipment_state(
    order_type: OrderType,
    records: Sequence[FulfilmentRecord],
    ordered: Mapping[str, int],
    policy: OrderPolicy,
    *,
    cancelled: bool,
) -> str | None:
    """The commercetools shipment state, or None to leave it as it is (nothing handed over).

    Quantities count only up to what each line ordered, so an over-filling fulfilment cannot
    make an order look delivered; lines that are not in `ordered` do not count."""
    wanted = {line: quantity for line, quantity in ordered.items() if quantity > 0}
    shipped = shipped_quantities(records, order_type, policy)
    delivered = delivered_quantities(records, policy)
    shipped_capped = {line: min(shipped[line], quantity) for line, quantity in wanted.items()}
    anything_shipped = any(shipped_capped.values())
    if cancelled and not anything_shipped:
        return ShipmentState.CANCELED.value
    if not anything_shipped:
        return None
    if all(delivered[line] >= quantity for line, quantity in wanted.items()):
        return ShipmentState.DELIVERED.value
    if all(shipped_capped[line] >= quantity for line, quantity in wanted.items()):
        ready = order_type is OrderType.CC
        return (ShipmentState.READY if ready else ShipmentState.SHIPPED).value
    return ShipmentState.PARTIAL.value
