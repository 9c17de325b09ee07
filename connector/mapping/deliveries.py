"""What the commercetools order should show, and the update actions that make it so.

`desired_order` turns the workflow's `OrderStatus` (plus Fluent's order details) into a
`DesiredOrder`; `build_order_actions` compares it with the order's CURRENT state and emits only
what is missing or different. That comparison is the connector's idempotency on the
commercetools side: after the actions are applied, building again yields no action, and the
409 re-fetch loop can rebuild from any newer version without writing anything twice.

Deliveries are keyed by the Fluent fulfilment ref and parcels by the Fluent article ref (both
through `item_key`), so a delivery or parcel that exists is recognised and never added again.
commercetools does not check that deliveries stay within the ordered quantities; the builder
caps every new delivery so that, per line item, all deliveries together never exceed it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from connector.commercetools.actions import (
    MAX_ACTIONS_PER_UPDATE,
    AddDelivery,
    AddParcelToDelivery,
    ChangeOrderState,
    ChangeShipmentState,
    OrderUpdateAction,
    SetCustomField,
    SetCustomType,
    SetDeliveryCustomField,
    SetDeliveryCustomType,
    SetLineItemCustomField,
    SetLineItemCustomType,
    SetParcelCustomField,
    SetParcelCustomType,
    SetParcelTrackingData,
    UpdateSyncInfo,
)
from connector.commercetools.drafts import (
    AddressDraft,
    CustomFieldsDraft,
    DeliveryItem,
    ParcelDraft,
    ResourceIdentifier,
    TrackingData,
)
from connector.commercetools.enums import OrderState, ShipmentState
from connector.commercetools.models import CustomFields, Delivery, LineItem, Order, Parcel
from connector.config import OrderPolicy
from connector.fluent.models import Article, Fulfilment, Location, OrderDetails
from connector.mapping.orders import order_country
from connector.mapping.statuses import ct_order_state, handed_over_statuses, shipment_state
from connector.orders import (
    FIELD_CONNECTOR_ISSUE,
    FIELD_FLUENT_ORDER_ID,
    FIELD_FLUENT_ORDER_REF,
    FIELD_FLUENT_STATUS,
    FIELD_FULFILMENT_METADATA,
    FIELD_FULFILMENT_REF,
    FIELD_FULFILMENT_STATUS,
    FIELD_INVOICE_REF,
    FIELD_TRACKING_URL,
    DesiredDelivery,
    DesiredOrder,
    FulfilmentRecord,
    OrderStatus,
    OrderType,
    Stage,
)

# --- keys -------------------------------------------------------------------------------------

KEY_MIN_LENGTH = 2
KEY_MAX_LENGTH = 256
_VALID_KEY = re.compile(r"[A-Za-z0-9_-]{2,256}")
_INVALID_CHARACTER = re.compile(r"[^A-Za-z0-9_-]")
_DIGEST_LENGTH = 16
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")


def item_key(ref: str) -> str:
    """A commercetools delivery or parcel key for a Fluent ref.

    A ref that is already a valid key (`[A-Za-z0-9_-]`, 2 to 256 characters) is the key, so
    keys read like the refs and the function is idempotent. Any other ref becomes its valid
    characters (others replaced by "-"), cut to fit, plus "_" and 16 hex digits of the SHA-256
    of the ref: distinct refs keep distinct keys (a collision needs a hash collision, or a ref
    that spells out another ref's hashed key)."""
    if _VALID_KEY.fullmatch(ref):
        return ref
    digest = hashlib.sha256(ref.encode("utf-8")).hexdigest()[:_DIGEST_LENGTH]
    readable = _INVALID_CHARACTER.sub("-", ref)[: KEY_MAX_LENGTH - _DIGEST_LENGTH - 1]
    return f"{readable}_{digest}"


# --- desired state ----------------------------------------------------------------------------


def pickup_address(location: Location, *, default_country: str | None = None) -> AddressDraft:
    """The store a click & collect delivery goes to, as a commercetools address.

    commercetools needs a two-letter country code; Fluent often holds a country name. Then
    `default_country` (the order's country) is used and Fluent's text kept in
    `additionalAddressInfo`; without a default that is a `ValueError`."""
    address = location.primary_address
    if address is None:
        raise ValueError(f"pickup location {location.ref} has no primary address")
    given = (address.country or "").strip()
    country = given.upper()
    note = None
    if not _COUNTRY_CODE.fullmatch(country):
        fallback = (default_country or "").strip().upper()
        if not _COUNTRY_CODE.fullmatch(fallback):
            raise ValueError(
                f"pickup location {location.ref} has country {address.country!r}, not a "
                "two-letter code, and the order gives no country to use instead"
            )
        country, note = fallback, f"country: {given}" if given else None
    return AddressDraft(
        country=country,
        company=location.name or address.company_name,
        street_name=address.street,
        postal_code=address.postcode,
        city=address.city,
        state=address.state,
        region=address.region,
        phone=location.support_phone_number,
        additional_address_info=note,
    )


def _tracking(article: Article) -> TrackingData | None:
    if not article.consignments:
        return None
    consignment = article.consignments[0]
    return TrackingData(
        tracking_id=consignment.consignment_reference or consignment.tracking_label,
        carrier=consignment.carrier_name or consignment.carrier_ref,
    )


def _filled_items(record: FulfilmentRecord) -> list[DeliveryItem]:
    filled: Counter[str] = Counter()
    for line in record.lines:
        if line.filled > 0:
            filled[line.line_item_id] += line.filled
    return [DeliveryItem(id=line_id, quantity=quantity) for line_id, quantity in filled.items()]


def parcels_for(
    fulfilment: Fulfilment, record: FulfilmentRecord, policy: OrderPolicy
) -> tuple[ParcelDraft, ...]:
    """One parcel per Fluent article, sorted by key. Tracking comes from the article's first
    consignment. Fluent does not say which lines an article holds, so items are filled in only
    when the fulfilment has exactly one article (then it holds everything filled)."""
    fulfilment_ref = fulfilment.ref or record.ref
    items = _filled_items(record) if len(fulfilment.articles) == 1 else []
    parcels: dict[str, ParcelDraft] = {}
    for article in fulfilment.articles:
        key = item_key(article.ref or f"{fulfilment_ref}-A{article.id}")
        if key in parcels:
            raise ValueError(f"fulfilment {fulfilment_ref} has two articles with parcel key {key}")
        label_url = next((c.label_url for c in article.consignments[:1] if c.label_url), None)
        parcels[key] = ParcelDraft(
            key=key,
            tracking_data=_tracking(article),
            items=items,
            custom=CustomFieldsDraft.of_type(
                policy.parcel_type_key, {FIELD_TRACKING_URL: label_url} if label_url else {}
            ),
        )
    return tuple(parcels[key] for key in sorted(parcels))


def _fulfilment_of(record: FulfilmentRecord, details: OrderDetails | None) -> Fulfilment | None:
    if details is None:
        return None
    return next(
        (
            fulfilment
            for fulfilment in details.fulfilments
            if (record.id is not None and fulfilment.id == record.id)
            or fulfilment.ref == record.ref
        ),
        None,
    )


def _deliveries(
    order: Order,
    status: OrderStatus,
    order_type: OrderType,
    details: OrderDetails | None,
    policy: OrderPolicy,
    pickup: Location | None,
) -> tuple[DesiredDelivery, ...]:
    handed_over = handed_over_statuses(order_type, policy)
    deliveries: list[DesiredDelivery] = []
    for record in status.fulfilments:
        items = _filled_items(record)
        if record.status not in handed_over or not items:
            continue
        address = None
        if order_type is OrderType.CC and pickup is not None:
            address = pickup_address(pickup, default_country=order_country(order))
        fulfilment = _fulfilment_of(record, details)
        fields: dict[str, Any] = {
            FIELD_FULFILMENT_REF: record.ref,
            FIELD_FULFILMENT_STATUS: record.status,
        }
        if record.invoice_ref:
            fields[FIELD_INVOICE_REF] = record.invoice_ref
        deliveries.append(
            DesiredDelivery(
                key=item_key(record.ref),
                items=tuple(items),
                parcels=parcels_for(fulfilment, record, policy) if fulfilment else (),
                address=address,
                fields=fields,
            )
        )
    return tuple(deliveries)


def _fulfilment_metadata(records: tuple[FulfilmentRecord, ...]) -> dict[str, dict[str, Any]]:
    """Per line item, a compact JSON list of the fulfilments that handle it (sorted by ref)."""
    entries: dict[str, list[dict[str, Any]]] = {}
    for record in sorted(records, key=lambda record: record.ref):
        for line in record.lines:
            entries.setdefault(line.line_item_id, []).append(
                {
                    "fulfilmentRef": record.ref,
                    "locationRef": record.location_ref,
                    "locationName": record.location_name,
                    "status": record.status,
                    "quantity": line.requested,
                }
            )
    return {
        line_id: {
            FIELD_FULFILMENT_METADATA: json.dumps(
                line_entries, separators=(",", ":"), ensure_ascii=False
            )
        }
        for line_id, line_entries in entries.items()
    }


def desired_order(
    *,
    order: Order,
    status: OrderStatus,
    details: OrderDetails | None,
    policy: OrderPolicy,
    pickup: Location | None,
    sync_channel_key: str | None,
) -> DesiredOrder:
    """What the commercetools order should show for the lifecycle's current status.

    Fluent order ref, id and status are written once known (never removed); `connectorIssue`
    always mirrors the open issue, so resolving it clears the field. A CC delivery's address is
    the pickup store when `pickup` is given, else (like HD) the order's shipping address. The
    sync channel and external id (the Fluent order id) are only set once Fluent has the order."""
    order_type = status.order_type
    if order_type is None and status.fulfilments:
        raise ValueError(f"order {order.id} has fulfilments but no order type")
    fields: dict[str, Any] = {}
    for name, value in (
        (FIELD_FLUENT_ORDER_REF, status.fluent_order_ref),
        (FIELD_FLUENT_ORDER_ID, status.fluent_order_id),
        (FIELD_FLUENT_STATUS, status.fluent_status),
    ):
        if value is not None:
            fields[name] = value
    issue = status.open_issue
    fields[FIELD_CONNECTOR_ISSUE] = issue.reason if issue else None
    # Without fulfilments the order type matters to nothing below; HD stands in for "unknown".
    effective_type = order_type or OrderType.HD
    ordered = {item.id: item.quantity for item in order.line_items}
    exported = sync_channel_key is not None and status.fluent_order_id is not None
    return DesiredOrder(
        order_id=order.id,
        order_fields=fields,
        order_state=ct_order_state(status.fluent_status, policy),
        shipment_state=shipment_state(
            effective_type,
            status.fulfilments,
            ordered,
            policy,
            cancelled=status.stage is Stage.CANCELLED,
        ),
        deliveries=_deliveries(order, status, effective_type, details, policy, pickup),
        line_item_fields=_fulfilment_metadata(status.fulfilments),
        sync_channel_key=sync_channel_key if exported else None,
        sync_external_id=status.fluent_order_id if exported else None,
    )


# --- convergence ------------------------------------------------------------------------------

ActionT = TypeVar("ActionT")


def _type_key(key: str) -> ResourceIdentifier:
    return ResourceIdentifier(type_id="type", key=key)


def _custom_changes(
    current: CustomFields | None,
    desired: Mapping[str, Any],
    *,
    set_type: Callable[[dict[str, Any]], ActionT],
    set_field: Callable[[str, Any], ActionT],
) -> list[ActionT]:
    """Without custom fields: one set-type action with the non-None desired fields. With them:
    one set-field action per differing field (None removes a present field). Sorted by name."""
    if current is None:
        present = {name: desired[name] for name in sorted(desired) if desired[name] is not None}
        return [set_type(present)] if present else []
    return [
        set_field(name, desired[name])
        for name in sorted(desired)
        if current.fields.get(name) != desired[name]
    ]


def _order_custom_actions(
    order: Order, desired: DesiredOrder, policy: OrderPolicy
) -> list[OrderUpdateAction]:
    return list(
        _custom_changes(
            order.custom,
            desired.order_fields,
            set_type=lambda fields: SetCustomType(
                type=_type_key(policy.order_type_key), fields=fields
            ),
            set_field=lambda name, value: SetCustomField(name=name, value=value),
        )
    )


def _state_actions(order: Order, desired: DesiredOrder) -> list[OrderUpdateAction]:
    actions: list[OrderUpdateAction] = []
    if desired.order_state is not None and desired.order_state != order.order_state:
        actions.append(ChangeOrderState(order_state=OrderState(desired.order_state)))
    if desired.shipment_state is not None and desired.shipment_state != order.shipment_state:
        actions.append(ChangeShipmentState(shipment_state=ShipmentState(desired.shipment_state)))
    return actions


def _capped(items: tuple[DeliveryItem, ...], room: Counter[str]) -> list[DeliveryItem]:
    """The part of `items` that still fits in `room` (remaining quantity per line item)."""
    kept: list[DeliveryItem] = []
    for item in items:
        quantity = min(item.quantity, room[item.id])
        if quantity > 0:
            kept.append(DeliveryItem(id=item.id, quantity=quantity))
            room[item.id] -= quantity
    return kept


def _typed_parcels(delivery: DesiredDelivery, policy: OrderPolicy) -> list[ParcelDraft]:
    """The delivery's parcels, each with the connector's parcel type unless it has one."""
    parcels: list[ParcelDraft] = []
    for parcel in delivery.parcels:
        if parcel.key is None:
            raise ValueError(
                f"a parcel of delivery {delivery.key} has no key, so it would be added again "
                "on every run"
            )
        if parcel.custom is None:
            parcel = parcel.model_copy(
                update={"custom": CustomFieldsDraft.of_type(policy.parcel_type_key)}
            )
        parcels.append(parcel)
    return parcels


def _new_delivery(
    delivery: DesiredDelivery,
    parcels: list[ParcelDraft],
    room: Counter[str],
    policy: OrderPolicy,
) -> AddDelivery | None:
    """The delivery with its items capped to `room` (which it then uses up); None when nothing
    fits. Parcels hold no more than their delivery."""
    items = _capped(delivery.items, room)
    if not items:
        return None
    fitted = Counter({item.id: item.quantity for item in items})
    fields = {name: value for name, value in delivery.fields.items() if value is not None}
    return AddDelivery(
        delivery_key=delivery.key,
        items=items,
        address=delivery.address,
        parcels=[
            parcel.model_copy(update={"items": _capped(tuple(parcel.items), Counter(fitted))})
            for parcel in parcels
        ],
        custom=CustomFieldsDraft.of_type(policy.delivery_type_key, fields),
    )


def _added_parcel(delivery_key: str, parcel: ParcelDraft) -> AddParcelToDelivery:
    return AddParcelToDelivery(
        delivery_key=delivery_key,
        parcel_key=parcel.key,
        measurements=parcel.measurements,
        tracking_data=parcel.tracking_data,
        items=parcel.items,
        custom=parcel.custom,
    )


def _same_tracking(current: Parcel, desired: TrackingData) -> bool:
    have = current.tracking_data.model_dump(exclude_none=True) if current.tracking_data else {}
    return have == desired.model_dump(exclude_none=True)


def _existing_parcel_actions(
    key: str, current: Parcel, desired: ParcelDraft
) -> list[OrderUpdateAction]:
    """Tracking as Fluent knows it (unknown tracking never erases known tracking), and the
    parcel's custom fields."""
    actions: list[OrderUpdateAction] = []
    if desired.tracking_data is not None and not _same_tracking(current, desired.tracking_data):
        actions.append(SetParcelTrackingData(parcel_key=key, tracking_data=desired.tracking_data))
    custom = desired.custom
    if custom is not None:
        actions.extend(
            _custom_changes(
                current.custom,
                custom.fields,
                set_type=lambda fields: SetParcelCustomType(
                    parcel_key=key, type=custom.type, fields=fields
                ),
                set_field=lambda name, value: SetParcelCustomField(
                    parcel_key=key, name=name, value=value
                ),
            )
        )
    return actions


def _delivery_custom_actions(
    current: Delivery, desired: DesiredDelivery, policy: OrderPolicy
) -> list[OrderUpdateAction]:
    key = desired.key
    return list(
        _custom_changes(
            current.custom,
            desired.fields,
            set_type=lambda fields: SetDeliveryCustomType(
                delivery_key=key, type=_type_key(policy.delivery_type_key), fields=fields
            ),
            set_field=lambda name, value: SetDeliveryCustomField(
                delivery_key=key, name=name, value=value
            ),
        )
    )


def _ordered_quantities(order: Order, desired: DesiredOrder) -> Counter[str]:
    """The order's quantities per line item, after checking that the desired deliveries can
    be held by this order at all."""
    if order.shipping_info is None:
        raise ValueError(
            f"order {order.id} has no shippingInfo, so commercetools cannot hold its deliveries"
        )
    keys = [delivery.key for delivery in desired.deliveries]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"desired deliveries repeat the keys {repeated}")
    ordered = Counter({item.id: item.quantity for item in order.line_items})
    for delivery in desired.deliveries:
        unknown = sorted({item.id for item in delivery.items} - set(ordered))
        if unknown:
            raise ValueError(f"delivery {delivery.key} names unknown line items {unknown}")
    return ordered


def _delivery_actions(
    order: Order, desired: DesiredOrder, policy: OrderPolicy
) -> list[OrderUpdateAction]:
    """Per desired delivery: add it (capped) or complete the existing one. Parcel keys are
    unique per order, so a parcel already anywhere on the order is only updated, never added."""
    if not desired.deliveries:
        return []
    room = _ordered_quantities(order, desired) - order.delivered_quantities()
    on_order = {p.key: p for d in order.deliveries for p in d.parcels if p.key is not None}
    claimed: set[str] = set()
    actions: list[OrderUpdateAction] = []
    for delivery in desired.deliveries:
        current = order.delivery_by_key(delivery.key)
        fresh: list[ParcelDraft] = []
        updates: list[OrderUpdateAction] = []
        for parcel in _typed_parcels(delivery, policy):
            key = parcel.key or ""  # never empty: _typed_parcels refuses parcels without key
            if key in on_order:
                updates.extend(_existing_parcel_actions(key, on_order[key], parcel))
            elif key not in claimed:
                claimed.add(key)
                fresh.append(parcel)
        if current is None:
            added = _new_delivery(delivery, fresh, room, policy)
            if added is not None:
                actions.append(added)
            actions.extend(updates)
        else:
            actions.extend(_added_parcel(delivery.key, parcel) for parcel in fresh)
            actions.extend(updates)
            actions.extend(_delivery_custom_actions(current, delivery, policy))
    return actions


def _line_item_actions(
    order: Order, desired: DesiredOrder, policy: OrderPolicy
) -> list[OrderUpdateAction]:
    unknown = sorted(set(desired.line_item_fields) - {item.id for item in order.line_items})
    if unknown:
        raise ValueError(f"desired line item fields name unknown line items {unknown}")
    actions: list[OrderUpdateAction] = []
    for item in order.line_items:
        fields = desired.line_item_fields.get(item.id)
        if fields:
            actions.extend(_line_item_custom_actions(item, fields, policy))
    return actions


def _line_item_custom_actions(
    item: LineItem, fields: Mapping[str, Any], policy: OrderPolicy
) -> list[OrderUpdateAction]:
    return list(
        _custom_changes(
            item.custom,
            fields,
            set_type=lambda values: SetLineItemCustomType(
                line_item_id=item.id, type=_type_key(policy.line_item_type_key), fields=values
            ),
            set_field=lambda name, value: SetLineItemCustomField(
                line_item_id=item.id, name=name, value=value
            ),
        )
    )


def _sync_actions(
    order: Order, desired: DesiredOrder, sync_channel_id: str | None
) -> list[OrderUpdateAction]:
    """Record the export once Fluent has the order (its id is the external id)."""
    external_id = desired.sync_external_id
    if sync_channel_id is None or external_id is None:
        return []
    if any(
        info.channel.id == sync_channel_id and info.external_id == external_id
        for info in order.sync_info
    ):
        return []
    return [
        UpdateSyncInfo(
            channel=ResourceIdentifier(type_id="channel", id=sync_channel_id),
            external_id=external_id,
        )
    ]


def build_order_actions(
    order: Order,
    desired: DesiredOrder,
    policy: OrderPolicy,
    *,
    sync_channel_id: str | None = None,
) -> list[OrderUpdateAction]:
    """The update actions that bring `order` to `desired`, and nothing else: applied to the
    order they make a second call return []. Order: order custom fields, order state, shipment
    state, deliveries and parcels (in desired order), line item fields (in line order), sync
    info (with `sync_channel_id`, once there is an external id). Existing deliveries are never
    re-added or removed, and their items never change.

    Raises `ValueError` beyond 500 actions (one update's limit). The first sync needs about one
    action per line item plus a few per fulfilment, so only an order with close to 500 line
    items gets there; it fails loudly rather than being half written."""
    if desired.order_id != order.id:
        raise ValueError(f"desired state is for order {desired.order_id}, not {order.id}")
    actions = [
        *_order_custom_actions(order, desired, policy),
        *_state_actions(order, desired),
        *_delivery_actions(order, desired, policy),
        *_line_item_actions(order, desired, policy),
        *_sync_actions(order, desired, sync_channel_id),
    ]
    if len(actions) > MAX_ACTIONS_PER_UPDATE:
        raise ValueError(
            f"order {order.id} needs {len(actions)} update actions; commercetools accepts at "
            f"most {MAX_ACTIONS_PER_UPDATE} per update"
        )
    return actions
