"""Sourcing plans -> Fluent fulfilments, and Fluent fulfilments -> the workflow's records.

Each fulfilment the connector creates carries two attributes, `sourcingKind` (HD, CC_PICKUP,
CC_TRANSFER or REJECTED) and `sourcingLocationRef`, so a record rebuilt from Fluent alone (after
a restart, or when Fluent did the sourcing) still knows why the fulfilment exists. Fulfilment
refs are `<order ref>-F<n>` (planned) and `<order ref>-R<n>` (what nobody could fill), with the
sequence kept by the workflow, so a retried create finds the fulfilment a first attempt made.

Records know a line's SKU only when told: `record_for` takes an optional map line item id ->
SKU and leaves the SKU "" when the line is not in it; `merge_fulfilments` always supplies one
(from the Fluent order's items and the records), so lines that reach re-sourcing have their SKU.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

from connector.fluent.models import (
    Attribute,
    CreateFulfilmentInput,
    EntityId,
    Fulfilment,
    FulfilmentItemInput,
    InventoryPosition,
    Location,
    OrderDetails,
)
from connector.fluent.models import Order as FluentOrder
from connector.orders import FulfilmentLine, FulfilmentRecord, OrderType
from connector.sourcing import (
    Coordinates,
    OrderLine,
    PlannedItem,
    SourcingError,
    SourcingLocation,
    SourcingPlan,
)

ATTRIBUTE_SOURCING_KIND = "sourcingKind"
ATTRIBUTE_SOURCING_LOCATION = "sourcingLocationRef"

KIND_HD = "HD"
KIND_CC_PICKUP = "CC_PICKUP"
KIND_CC_TRANSFER = "CC_TRANSFER"
KIND_REJECTED = "REJECTED"
KINDS = frozenset({KIND_HD, KIND_CC_PICKUP, KIND_CC_TRANSFER, KIND_REJECTED})

ACTIVE = "ACTIVE"
WAREHOUSE = "WAREHOUSE"


# --- sourcing input ---------------------------------------------------------------------------


def _location_coordinates(location: Location) -> Coordinates | None:
    address = location.primary_address
    if address is None or address.latitude is None or address.longitude is None:
        return None
    try:
        return Coordinates(latitude=address.latitude, longitude=address.longitude)
    except SourcingError:  # out of range or not finite: treated as unknown
        return None


def sourcing_candidates(
    locations: Sequence[Location], positions: Sequence[InventoryPosition]
) -> tuple[SourcingLocation, ...]:
    """The network as the planner sees it. Stock is the sum of on-hand over a location's
    positions (unknown on-hand counts 0); positions of locations not in `locations` are not
    candidates' stock and are ignored."""
    stock: dict[str, Counter[str]] = {location.ref: Counter() for location in locations}
    for position in positions:
        at = stock.get(position.location_ref or "")
        if at is not None:
            at[position.product_ref] += position.on_hand or 0
    return tuple(
        SourcingLocation(
            ref=location.ref,
            coordinates=_location_coordinates(location),
            active=location.status == ACTIVE,
            stock=dict(stock[location.ref]),
        )
        for location in locations
    )


# --- fulfilments to create --------------------------------------------------------------------


def fulfilment_ref(order_ref: str, sequence: int) -> str:
    return f"{order_ref}-F{_checked_sequence(sequence)}"


def rejected_fulfilment_ref(order_ref: str, sequence: int) -> str:
    return f"{order_ref}-R{_checked_sequence(sequence)}"


def _checked_sequence(sequence: int) -> int:
    if sequence < 1:
        raise ValueError(f"fulfilment sequence numbers start at 1, got {sequence}")
    return sequence


def _fulfilment_type(kind: str, location: Location) -> str:
    from_warehouse = location.type == WAREHOUSE
    if kind == KIND_HD:
        return "HD_PFDC" if from_warehouse else "HD_PFS"
    if kind == KIND_CC_TRANSFER:
        return "CC_PFDC" if from_warehouse else "CC_PFS"
    return "CC_PFS"


def _address_id(location: Location, role: str) -> EntityId:
    address = location.primary_address
    if address is None or not address.id:
        raise ValueError(f"location {location.ref} ({role}) has no primary address id")
    return EntityId(id=address.id)


def _order_item_ids(order: FluentOrder) -> dict[str, str]:
    return {item.ref: item.id for item in order.items if item.ref}


def _order_item(ids: Mapping[str, str], line_ref: str, order: FluentOrder) -> EntityId:
    item_id = ids.get(line_ref)
    if item_id is None:
        raise ValueError(f"Fluent order {order.ref or order.id} has no item with ref {line_ref}")
    return EntityId(id=item_id)


def _order_ref(order: FluentOrder) -> str:
    if not order.ref:
        raise ValueError(f"Fluent order {order.id} has no ref to derive fulfilment refs from")
    return order.ref


def fulfilment_inputs(
    plan: SourcingPlan,
    *,
    order: FluentOrder,
    locations: Mapping[str, Location],
    first_sequence: int,
) -> tuple[CreateFulfilmentInput, ...]:
    """One fulfilment per planned one, numbered from `first_sequence`. `locations` must hold
    every planned location and, for CC, the pickup location. A missing location, address id or
    order item is a bug in the caller, hence `ValueError`."""
    order_ref = _order_ref(order)
    item_ids = _order_item_ids(order)
    choice = order.fulfilment_choice
    delivery_type = choice.delivery_type if choice else None
    inputs: list[CreateFulfilmentInput] = []
    for offset, planned in enumerate(plan.fulfilments):
        ref = fulfilment_ref(order_ref, first_sequence + offset)
        source = _location(locations, planned.location_ref)
        if planned.kind == KIND_HD:
            address = choice.delivery_address if choice else None
            if address is None or not address.id:
                raise ValueError(f"Fluent order {order_ref} has no delivery address id")
            to_address = EntityId(id=address.id)
        else:
            pickup_ref = planned.destination_location_ref or (
                choice.pickup_location_ref if choice else None
            )
            if not pickup_ref:
                raise ValueError(f"Fluent order {order_ref} has no pickup location ref")
            to_address = _address_id(_location(locations, pickup_ref), "pickup location")
        inputs.append(
            CreateFulfilmentInput(
                ref=ref,
                type=_fulfilment_type(planned.kind, source),
                order=EntityId(id=order.id),
                delivery_type=delivery_type,
                from_address=_address_id(source, "fulfilling location"),
                to_address=to_address,
                items=[
                    FulfilmentItemInput(
                        ref=f"{ref}-{number}",
                        order_item=_order_item(item_ids, item.line_ref, order),
                        requested_quantity=item.quantity,
                    )
                    for number, item in enumerate(planned.items, start=1)
                ],
                attributes=[
                    Attribute(name=ATTRIBUTE_SOURCING_KIND, type="STRING", value=planned.kind),
                    Attribute(
                        name=ATTRIBUTE_SOURCING_LOCATION, type="STRING", value=planned.location_ref
                    ),
                ],
            )
        )
    return tuple(inputs)


def _location(locations: Mapping[str, Location], ref: str) -> Location:
    location = locations.get(ref)
    if location is None:
        raise ValueError(f"location {ref} is not among the locations given")
    return location


def rejected_fulfilment_input(
    items: Sequence[PlannedItem], *, order: FluentOrder, ref: str
) -> CreateFulfilmentInput:
    """A fulfilment recording what no location could fill: every item requested and rejected
    in full, from nowhere, so Fluent's order shows (and escalates) the shortfall."""
    if not items:
        raise ValueError("a rejected fulfilment needs at least one item")
    fulfilment_types = {OrderType.HD.value: "HD_PFS", OrderType.CC.value: "CC_PFS"}
    fulfilment_type = fulfilment_types.get(order.type)
    if fulfilment_type is None:
        raise ValueError(f"Fluent order {order.ref or order.id} has unsupported type {order.type}")
    item_ids = _order_item_ids(order)
    choice = order.fulfilment_choice
    return CreateFulfilmentInput(
        ref=ref,
        type=fulfilment_type,
        order=EntityId(id=order.id),
        delivery_type=choice.delivery_type if choice else None,
        items=[
            FulfilmentItemInput(
                ref=f"{ref}-{number}",
                order_item=_order_item(item_ids, item.line_ref, order),
                requested_quantity=item.quantity,
                filled_quantity=0,
                rejected_quantity=item.quantity,
            )
            for number, item in enumerate(items, start=1)
        ],
        attributes=[Attribute(name=ATTRIBUTE_SOURCING_KIND, type="STRING", value=KIND_REJECTED)],
    )


# --- records from Fluent ----------------------------------------------------------------------


def _lines(fulfilment: Fulfilment, skus: Mapping[str, str]) -> tuple[FulfilmentLine, ...]:
    """One line per commercetools line item, in first-appearance order (Fluent may split a
    line over several items of one fulfilment)."""
    totals: dict[str, list[int]] = {}
    for item in fulfilment.items:
        line_id = item.order_item_ref
        if not line_id:
            raise ValueError(
                f"item {item.ref or item.id} of fulfilment {fulfilment.ref or fulfilment.id} "
                "names no order item ref (a commercetools line item id)"
            )
        requested = item.requested_quantity
        if requested is None:
            requested = item.filled_quantity + item.rejected_quantity
        sums = totals.setdefault(line_id, [0, 0, 0])
        sums[0] += requested
        sums[1] += item.filled_quantity
        sums[2] += item.rejected_quantity
    return tuple(
        FulfilmentLine(
            line_item_id=line_id,
            sku=skus.get(line_id, ""),
            requested=requested,
            filled=filled,
            rejected=rejected,
        )
        for line_id, (requested, filled, rejected) in totals.items()
    )


def _kind(fulfilment: Fulfilment, order_type: OrderType, pickup_location_ref: str | None) -> str:
    """The `sourcingKind` attribute when it holds a known kind; otherwise inferred (Fluent
    sourced it, or the attribute was edited): the order type and where it ships from."""
    declared = fulfilment.attribute(ATTRIBUTE_SOURCING_KIND)
    if isinstance(declared, str) and declared in KINDS:
        return declared
    if order_type is OrderType.HD:
        return KIND_HD
    if pickup_location_ref is not None and fulfilment.from_location_ref == pickup_location_ref:
        return KIND_CC_PICKUP
    return KIND_CC_TRANSFER


def record_for(
    fulfilment: Fulfilment,
    *,
    order_type: OrderType,
    pickup_location_ref: str | None,
    location_names: Mapping[str, str],
    skus: Mapping[str, str] | None = None,
) -> FulfilmentRecord:
    """The record of a Fluent fulfilment. Its ref is Fluent's ref (its id when Fluent has no
    ref); line SKUs come from `skus` (line item id -> SKU), "" when unknown."""
    location_ref = fulfilment.from_location_ref
    address = fulfilment.from_address
    name = location_names.get(location_ref) if location_ref else None
    return FulfilmentRecord(
        ref=fulfilment.ref or fulfilment.id,
        id=fulfilment.id,
        kind=_kind(fulfilment, order_type, pickup_location_ref),
        location_ref=location_ref,
        location_name=name or (address.name or address.company_name if address else None),
        status=fulfilment.status,
        lines=_lines(fulfilment, skus or {}),
    )


def _known_skus(records: Iterable[FulfilmentRecord], details: OrderDetails) -> dict[str, str]:
    skus = {item.ref: item.product_ref for item in details.items if item.ref and item.product_ref}
    for record in records:
        for line in record.lines:
            if line.sku:
                skus.setdefault(line.line_item_id, line.sku)
    return skus


def merge_fulfilments(
    records: Sequence[FulfilmentRecord],
    details: OrderDetails,
    *,
    order_type: OrderType,
    pickup_location_ref: str | None,
    location_names: Mapping[str, str],
) -> tuple[FulfilmentRecord, ...]:
    """The records refreshed from Fluent: a known record takes Fluent's id, status and lines
    (and a location it lacked) but keeps its kind, invoice ref and `resourced` flag; a record
    Fluent does not show (yet) stays as it is; fulfilments only Fluent knows (it sourced them)
    are appended by ref."""
    skus = _known_skus(records, details)
    by_ref = {f.ref or f.id: f for f in details.fulfilments}
    by_id = {f.id: f for f in details.fulfilments}
    matched: set[str] = set()
    merged: list[FulfilmentRecord] = []
    for record in records:
        fulfilment = by_ref.get(record.ref) or (by_id.get(record.id) if record.id else None)
        if fulfilment is None:
            merged.append(record)
            continue
        matched.add(fulfilment.id)
        fresh = record_for(
            fulfilment,
            order_type=order_type,
            pickup_location_ref=pickup_location_ref,
            location_names=location_names,
            skus=skus,
        )
        merged.append(
            record.model_copy(
                update={
                    "id": fresh.id,
                    "status": fresh.status,
                    "lines": fresh.lines,
                    "location_ref": record.location_ref or fresh.location_ref,
                    "location_name": record.location_name or fresh.location_name,
                }
            )
        )
    unknown = [f for f in details.fulfilments if f.id not in matched]
    new_records = (
        record_for(
            fulfilment,
            order_type=order_type,
            pickup_location_ref=pickup_location_ref,
            location_names=location_names,
            skus=skus,
        )
        for fulfilment in unknown
    )
    return (*merged, *sorted(new_records, key=lambda record: record.ref))


# --- re-sourcing ------------------------------------------------------------------------------


def _never_filled(line: FulfilmentLine, closed_as_rejected: bool) -> int:
    """What a fulfilment will not fill of a line: its rejected quantity, final as soon as Fluent
    reports it (whatever status the fulfilment moved on to), and, once the fulfilment is closed
    in a rejected status, also whatever it left unfilled without counting it as rejected."""
    if closed_as_rejected:
        return max(line.rejected, line.requested - line.filled, 0)
    return max(line.rejected, 0)


def _to_resource(
    records: Sequence[FulfilmentRecord], statuses: Collection[str]
) -> Iterator[tuple[FulfilmentRecord, list[tuple[FulfilmentLine, int]]]]:
    """Records whose never-filled units still wait for a new sourcing attempt, with them.
    Records of kind REJECTED are the connector's own "nobody can fill this": never retried."""
    for record in records:
        if record.resourced or record.kind == KIND_REJECTED:
            continue
        closed = record.status in statuses
        lines = [(line, _never_filled(line, closed)) for line in record.lines]
        lines = [(line, quantity) for line, quantity in lines if quantity > 0]
        if lines:
            yield record, lines


def rejected_lines(
    records: Sequence[FulfilmentRecord], statuses: Collection[str]
) -> tuple[OrderLine, ...]:
    """What to source again, summed per line item in first-appearance order: the rejected
    quantities of records not yet `resourced`, plus the unfilled rest of those closed in one of
    `statuses` (normally `policy.rejected_statuses`). After handing them to a new attempt, flag
    exactly these records with `mark_resourced(records, statuses)`."""
    totals: dict[str, int] = {}
    skus: dict[str, str] = {}
    for record, lines in _to_resource(records, statuses):
        for line, quantity in lines:
            if not line.sku:
                raise ValueError(
                    f"line item {line.line_item_id} of fulfilment {record.ref} has no SKU to "
                    "source it again (build records with merge_fulfilments or pass skus)"
                )
            totals[line.line_item_id] = totals.get(line.line_item_id, 0) + quantity
            skus[line.line_item_id] = line.sku
    return tuple(
        OrderLine(ref=line_id, sku=skus[line_id], quantity=quantity)
        for line_id, quantity in totals.items()
    )


def mark_resourced(
    records: Sequence[FulfilmentRecord], statuses: Collection[str]
) -> tuple[FulfilmentRecord, ...]:
    """The records with `resourced` set on exactly those `rejected_lines` took units from, so
    the same units are never sourced twice."""
    taken = {record.ref for record, _ in _to_resource(records, statuses)}
    return tuple(
        record.model_copy(update={"resourced": True}) if record.ref in taken else record
        for record in records
    )


def exclusions(
    records: Sequence[FulfilmentRecord], statuses: Collection[str] = ()
) -> frozenset[str]:
    """Locations that rejected something, to leave out when sourcing again (already re-sourced
    records included): any with a rejected quantity, and, when `statuses` (the rejected
    statuses) is given, any whose fulfilment was closed in one of them with units unfilled."""
    refs: set[str] = set()
    for record in records:
        if record.location_ref is None or record.kind == KIND_REJECTED:
            continue
        closed = record.status in statuses
        if any(_never_filled(line, closed) > 0 for line in record.lines):
            refs.add(record.location_ref)
    return frozenset(refs)
