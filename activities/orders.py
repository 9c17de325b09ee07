"""Activities of the order lifecycle: each one call (or one idempotent exchange) with a platform.

They hold no business decisions: the workflow decides, `connector/mapping` maps, these call.
Every create is idempotent (create-or-get by a ref derived from commercetools ids) and every
commercetools write converges on a desired state, so Temporal may retry any of them safely.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio import activity

from activities.dependencies import Dependencies
from connector.commercetools.actions import OrderUpdateAction
from connector.commercetools.models import Order
from connector.config import OrderPolicy
from connector.errors import PermanentError
from connector.fluent.models import (
    CreateBillingAccountInput,
    CreateCustomerInput,
    CreateFulfilmentInput,
    CreateInvoiceInput,
    CreateOrderInput,
    Customer,
    EventResponse,
    FluentEvent,
    Fulfilment,
    Invoice,
    Location,
    OrderDetails,
)
from connector.fluent.models import Order as FluentOrder
from connector.mapping.deliveries import build_order_actions
from connector.mapping.fulfilments import sourcing_candidates
from connector.orders import DesiredOrder, FluentContext, OrderSyncResult
from connector.sourcing import SourcingLocation


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True)


class LoadOrderRequest(_Message):
    order_id: str


class LoadedOrder(_Message):
    """The commercetools order and the rules it will be processed with."""

    order: Order
    policy: OrderPolicy
    fluent: FluentContext


class LocationRequest(_Message):
    ref: str
    network_ref: str


class SourcingNetworkRequest(_Message):
    network_ref: str
    skus: tuple[str, ...]
    inventory_catalogue_ref: str


class SourcingNetwork(_Message):
    """What the planner needs (candidates with stock of the ordered SKUs) and what building the
    fulfilments needs (the locations, for their address ids, names and types)."""

    candidates: tuple[SourcingLocation, ...]
    locations: dict[str, Location]


class FulfilmentsRequest(_Message):
    fulfilments: tuple[CreateFulfilmentInput, ...]


class FluentOrderRequest(_Message):
    order_id: str


class InvoiceRequest(_Message):
    billing_account: CreateBillingAccountInput
    invoice: CreateInvoiceInput


class OrderSyncRequest(_Message):
    desired: DesiredOrder
    policy: OrderPolicy


class OrderActivities:
    def __init__(self, deps: Dependencies) -> None:
        self._ct = deps.commercetools
        self._fluent = deps.fluent
        self._settings = deps.settings
        self._channel_ids: dict[str, str] = {}

    @activity.defn
    async def load_order(self, request: LoadOrderRequest) -> LoadedOrder:
        fluent = self._settings.fluent
        return LoadedOrder(
            order=await self._ct.get_order(request.order_id),
            policy=self._settings.orders.policy(),
            fluent=FluentContext(
                retailer_id=fluent.retailer_id,
                product_catalogue_ref=fluent.catalogue_ref,
                inventory_catalogue_ref=fluent.inventory_catalogue,
                network_ref=fluent.network_ref,
            ),
        )

    @activity.defn
    async def find_location(self, request: LocationRequest) -> Location | None:
        return await self._fluent.network_location(request.ref, request.network_ref)

    @activity.defn
    async def ensure_customer(self, customer: CreateCustomerInput) -> Customer:
        return await self._fluent.create_or_get_customer(customer)

    @activity.defn
    async def ensure_fluent_order(self, order: CreateOrderInput) -> FluentOrder:
        return await self._fluent.create_or_get_order(order)

    @activity.defn
    async def load_sourcing_network(self, request: SourcingNetworkRequest) -> SourcingNetwork:
        locations: dict[str, Location] = {}
        async for page in self._fluent.network_locations(request.network_ref):
            locations.update((location.ref, location) for location in page)
        positions = await self._fluent.inventory_positions(
            request.skus, catalogue_ref=request.inventory_catalogue_ref
        )
        candidates = sourcing_candidates(list(locations.values()), positions)
        return SourcingNetwork(candidates=candidates, locations=locations)

    @activity.defn
    async def ensure_fulfilments(self, request: FulfilmentsRequest) -> list[Fulfilment]:
        return [await self._fluent.create_or_get_fulfilment(f) for f in request.fulfilments]

    @activity.defn
    async def fetch_fluent_order(self, request: FluentOrderRequest) -> OrderDetails:
        return await self._fluent.order_details(request.order_id)

    @activity.defn
    async def ensure_invoice(self, request: InvoiceRequest) -> Invoice:
        await self._fluent.create_or_get_billing_account(request.billing_account)
        return await self._fluent.create_or_get_invoice(request.invoice)

    @activity.defn
    async def sync_commercetools_order(self, request: OrderSyncRequest) -> OrderSyncResult:
        """Converge the commercetools order on the desired state; no write when it matches."""
        desired, policy = request.desired, request.policy
        channel_id = await self._channel_id(desired.sync_channel_key)
        applied: list[str] = []

        def build(order: Order) -> list[OrderUpdateAction]:
            actions = build_order_actions(order, desired, policy, sync_channel_id=channel_id)
            applied[:] = [action.action for action in actions]  # the attempt that succeeds
            return actions

        order = await self._ct.update_order_with_retry(desired.order_id, build)
        return OrderSyncResult(
            version=order.version,
            actions=tuple(applied),
            order_state=order.order_state,
            shipment_state=order.shipment_state,
            delivery_keys=tuple(d.key for d in order.deliveries if d.key),
        )

    @activity.defn
    async def send_fluent_event(self, event: FluentEvent) -> EventResponse:
        return await self._fluent.send_event(event, sync=True)

    async def _channel_id(self, key: str | None) -> str | None:
        if not key:
            return None
        if key not in self._channel_ids:
            channel = await self._ct.get_channel_by_key(key)
            if channel is None:
                raise PermanentError(
                    f"order export channel {key!r} does not exist: run `starter.py setup`",
                    platform="commercetools",
                )
            self._channel_ids[key] = channel.id
        return self._channel_ids[key]

    def all(self) -> list[Callable[..., Any]]:
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
