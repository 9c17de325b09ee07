"""A small in-memory world for the order workflow tests: a commercetools order and a Fluent
account (customers, orders, fulfilments, locations, stock), behind activities with the real
names. The workflow code, the mappings and the sourcing planner run for real; only the platforms
are replaced. Tests move fulfilments through their life as a store would, then signal news.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity

from activities.orders import (
    FluentOrderRequest,
    FulfilmentsRequest,
    InvoiceRequest,
    LoadedOrder,
    LoadOrderRequest,
    LocationRequest,
    OrderSyncRequest,
    SourcingNetwork,
    SourcingNetworkRequest,
)
from connector.commercetools.models import Order
from connector.config import OrderPolicy
from connector.errors import PermanentError
from connector.fluent.models import (
    CreateCustomerInput,
    CreateFulfilmentInput,
    CreateInvoiceInput,
    CreateOrderInput,
    Customer,
    EventResponse,
    FluentEvent,
    Fulfilment,
    InventoryPosition,
    Invoice,
    Location,
    OrderDetails,
)
from connector.fluent.models import Order as FluentOrder
from connector.mapping.deliveries import build_order_actions
from connector.mapping.fulfilments import sourcing_candidates
from connector.orders import FluentContext, OrderSyncResult
from tests.unit.mapping.applier import apply_actions
from tests.unit.mapping.factories import location

Json = dict[str, Any]
CONTEXT = FluentContext(
    retailer_id="7",
    product_catalogue_ref="PC:MASTER:7",
    inventory_catalogue_ref="DEFAULT:7",
    network_ref="NET-1",
)
SHIPPED_STATUSES = {"SHIPPED", "READY_FOR_COLLECTION", "COMPLETE"}

# Real places: the order ships to Berlin Mitte.
BERLIN = (52.5200, 13.4050)
POTSDAM = (52.3906, 13.0645)
LEIPZIG = (51.3397, 12.3731)
HAMBURG = (53.5511, 9.9937)


def store(
    ref: str, at: tuple[float, float], *, kind: str = "STORE", status: str = "ACTIVE"
) -> Location:
    return location(
        ref, latitude=at[0], longitude=at[1], type=kind, status=status, name=f"Store {ref}"
    )


@dataclass
class FluentWorld:
    """Fluent as the store staff and Fluent's workflow engine would leave it."""

    locations: dict[str, Location]
    stock: dict[tuple[str, str], int]
    customers: dict[str, Customer] = field(default_factory=dict)
    order: Json | None = None
    fulfilments: dict[str, Json] = field(default_factory=dict)
    invoices: dict[str, CreateInvoiceInput] = field(default_factory=dict)
    events: list[FluentEvent] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100))

    def next_id(self) -> str:
        return str(next(self.ids))

    # --- what store staff and Fluent's workflow do --------------------------------------------

    def set_order_status(self, status: str) -> None:
        assert self.order is not None
        self.order["status"] = status

    def advance(
        self,
        ref: str,
        status: str,
        *,
        filled: dict[str, int] | None = None,
        tracking: str | None = None,
    ) -> None:
        """Move fulfilment `ref` to `status`; `filled` per line item id (the rest rejected)
        when the store fulfils; `tracking` books an article on a consignment."""
        fulfilment = self.fulfilments[ref]
        fulfilment["status"] = status
        if filled is not None:
            for item in fulfilment["items"]:
                line = item["orderItem"]["ref"]
                amount = filled.get(line, item["requestedQuantity"])
                item["filledQuantity"] = amount
                item["rejectedQuantity"] = item["requestedQuantity"] - amount
        if tracking is not None:
            article_id = self.next_id()
            fulfilment["articles"].append(
                {
                    "id": article_id,
                    "ref": f"{ref}-ART{len(fulfilment['articles']) + 1}",
                    "consignmentArticles": {
                        "edges": [
                            {
                                "node": {
                                    "consignment": {
                                        "id": self.next_id(),
                                        "consignmentReference": tracking,
                                        "trackingLabel": tracking,
                                        "labelUrl": f"https://carrier.example/{tracking}",
                                        "carrier": {"id": "1", "ref": "dhl", "name": "DHL"},
                                    }
                                }
                            }
                        ]
                    },
                }
            )

    def ship_everything(self, ref: str, status: str = "SHIPPED") -> None:
        self.advance(ref, status, filled={}, tracking=f"TRK-{ref}")

    def announce_fulfilment(self, ref: str, location_ref: str, lines: dict[str, int]) -> None:
        """Fluent sourcing mode: Fluent's own workflow creates a fulfilment."""
        assert self.order is not None
        items = {i["ref"]: i for i in self.order["items"]}
        self._add_fulfilment(
            ref=ref,
            type="HD_PFS",
            location_ref=location_ref,
            items=[(items[line]["id"], line, qty, 0) for line, qty in lines.items()],
            attributes=[],
        )

    # --- what the activities see ----------------------------------------------------------------

    def _add_fulfilment(
        self,
        *,
        ref: str,
        type: str,
        location_ref: str | None,
        items: list[tuple[str, str, int, int]],
        attributes: list[Json],
    ) -> Json:
        loc = self.locations.get(location_ref) if location_ref else None
        fulfilment = {
            "id": self.next_id(),
            "ref": ref,
            "type": type,
            "status": "CREATED",
            "fromAddress": {
                "id": f"addr-{location_ref}",
                "ref": location_ref,
                "name": loc.name if loc else None,
            }
            if location_ref
            else None,
            "items": [
                {
                    "id": self.next_id(),
                    "ref": f"{ref}-{n}",
                    "requestedQuantity": requested,
                    "filledQuantity": 0,
                    "rejectedQuantity": rejected,
                    "orderItem": {"id": item_id, "ref": line},
                }
                for n, (item_id, line, requested, rejected) in enumerate(items, start=1)
            ],
            "articles": [],
            "attributes": attributes,
        }
        if items and all(rejected == requested for _, _, requested, rejected in items):
            fulfilment["status"] = "SYSTEM_REJECTED"  # what Fluent does with unsourceable items
        self.fulfilments[ref] = fulfilment
        return fulfilment

    def create_fulfilment(self, draft: CreateFulfilmentInput) -> Fulfilment:
        if draft.ref not in self.fulfilments:
            by_address = {f"addr-{ref}": ref for ref in self.locations}
            location_ref = by_address.get(draft.from_address.id) if draft.from_address else None
            assert self.order is not None
            item_refs = {i["id"]: i["ref"] for i in self.order["items"]}
            self._add_fulfilment(
                ref=draft.ref,
                type=draft.type,
                location_ref=location_ref,
                items=[
                    (
                        i.order_item.id,
                        item_refs[i.order_item.id],
                        i.requested_quantity,
                        i.rejected_quantity,
                    )
                    for i in draft.items or []
                ],
                attributes=[a.model_dump(by_alias=True) for a in draft.attributes or []],
            )
        return Fulfilment.model_validate(self.fulfilments[draft.ref])

    def details(self) -> OrderDetails:
        assert self.order is not None
        return OrderDetails.model_validate(
            {**self.order, "fulfilments": list(self.fulfilments.values())}
        )


class OrderWorld:
    """The activities of the order task queue over one commercetools order and `FluentWorld`."""

    def __init__(
        self,
        order: Order,
        fluent: FluentWorld,
        policy: OrderPolicy | None = None,
    ) -> None:
        self.ct_order = order
        self.fluent = fluent
        self.policy = policy or OrderPolicy()
        self.calls: Counter[str] = Counter()
        self.ct_writes: list[list[str]] = []

    def activities(self) -> list[Any]:
        return [
            self.load_order,
            self.find_location,
            self.ensure_customer,
            self.ensure_fluent_order,
            self.load_sourcing_network,
            self.ensure_fulfilments,
            self.fetch_fluent_order,
            self.ensure_invoice,
            self.sync_commercetools_order,
            self.send_fluent_event,
        ]

    @activity.defn(name="load_order")
    async def load_order(self, request: LoadOrderRequest) -> LoadedOrder:
        self.calls["load_order"] += 1
        return LoadedOrder(order=self.ct_order, policy=self.policy, fluent=CONTEXT)

    @activity.defn(name="find_location")
    async def find_location(self, request: LocationRequest) -> Location | None:
        self.calls["find_location"] += 1
        return self.fluent.locations.get(request.ref)

    @activity.defn(name="ensure_customer")
    async def ensure_customer(self, customer: CreateCustomerInput) -> Customer:
        self.calls["ensure_customer"] += 1
        existing = self.fluent.customers.get(customer.username)
        if existing is None:
            existing = Customer(
                id=self.fluent.next_id(), ref=customer.username, username=customer.username
            )
            self.fluent.customers[customer.username] = existing
        return existing

    @activity.defn(name="ensure_fluent_order")
    async def ensure_fluent_order(self, order: CreateOrderInput) -> FluentOrder:
        self.calls["ensure_fluent_order"] += 1
        if self.fluent.order is None:
            choice = order.fulfilment_choice
            assert choice is not None
            self.fluent.order = {
                "id": "F-ORDER-1",
                "ref": order.ref,
                "type": order.type,
                "status": "RECEIVED",
                "attributes": [a.model_dump(by_alias=True) for a in order.attributes or []],
                "fulfilmentChoice": {
                    "deliveryType": choice.delivery_type,
                    "pickupLocationRef": choice.pickup_location_ref,
                    "deliveryAddress": {"id": "addr-DA", "ref": choice.delivery_address.ref}
                    if choice.delivery_address
                    else None,
                },
                "items": [
                    {
                        "id": f"oi-{item.ref}",
                        "ref": item.ref,
                        "quantity": item.quantity,
                        "product": {"ref": item.product_ref},
                    }
                    for item in order.items
                ],
            }
        return FluentOrder.model_validate(self.fluent.order)

    @activity.defn(name="load_sourcing_network")
    async def load_sourcing_network(self, request: SourcingNetworkRequest) -> SourcingNetwork:
        self.calls["load_sourcing_network"] += 1
        positions = [
            {"ref": f"{loc}:{sku}", "productRef": sku, "locationRef": loc, "onHand": qty}
            for (loc, sku), qty in self.fluent.stock.items()
            if sku in request.skus
        ]
        candidates = sourcing_candidates(
            list(self.fluent.locations.values()),
            [InventoryPosition.model_validate(p) for p in positions],
        )
        return SourcingNetwork(candidates=candidates, locations=dict(self.fluent.locations))

    @activity.defn(name="ensure_fulfilments")
    async def ensure_fulfilments(self, request: FulfilmentsRequest) -> list[Fulfilment]:
        self.calls["ensure_fulfilments"] += 1
        return [self.fluent.create_fulfilment(f) for f in request.fulfilments]

    @activity.defn(name="fetch_fluent_order")
    async def fetch_fluent_order(self, request: FluentOrderRequest) -> OrderDetails:
        self.calls["fetch_fluent_order"] += 1
        return self.fluent.details()

    @activity.defn(name="ensure_invoice")
    async def ensure_invoice(self, request: InvoiceRequest) -> Invoice:
        self.calls["ensure_invoice"] += 1
        invoice = request.invoice
        self.fluent.invoices.setdefault(invoice.ref, invoice)
        return Invoice(id=self.fluent.next_id(), ref=invoice.ref)

    @activity.defn(name="sync_commercetools_order")
    async def sync_commercetools_order(self, request: OrderSyncRequest) -> OrderSyncResult:
        self.calls["sync_commercetools_order"] += 1
        actions = build_order_actions(self.ct_order, request.desired, request.policy)
        if actions:
            self.ct_order = apply_actions(self.ct_order, actions)
            self.ct_writes.append([a.action for a in actions])
        order = self.ct_order
        return OrderSyncResult(
            version=order.version,
            actions=tuple(a.action for a in actions),
            order_state=order.order_state,
            shipment_state=order.shipment_state,
            delivery_keys=tuple(d.key for d in order.deliveries if d.key),
        )

    @activity.defn(name="send_fluent_event")
    async def send_fluent_event(self, event: FluentEvent) -> EventResponse:
        self.calls["send_fluent_event"] += 1
        self.fluent.events.append(event)
        fulfilments = self.fluent.fulfilments.values()
        if any(f["status"] in SHIPPED_STATUSES for f in fulfilments):
            return EventResponse(event_id="E1", event_status="FAILED")
        for fulfilment in fulfilments:
            fulfilment["status"] = "CANCELLED"
        self.fluent.set_order_status("CANCELLED")
        return EventResponse(event_id="E1", event_status="COMPLETE")


class RefusingWorld(OrderWorld):
    """A commercetools that refuses the order update for good (e.g. a field the order's own
    custom type lacks)."""

    @activity.defn(name="sync_commercetools_order")
    async def sync_commercetools_order(self, request: OrderSyncRequest) -> OrderSyncResult:
        raise PermanentError("field fluentOrderRef is not defined", platform="commercetools")
