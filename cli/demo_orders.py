"""The demo's scripted orders and their journeys.

Four scenarios, each made to happen for real through the connector's sourcing: before an order
is placed, the Fluent sandbox's stock of its SKUs is set (`PUT /sandbox/stock`) so that exactly
the intended locations can fill it; then a shopper places it through the commercetools API (a
cart with line items by SKU, a shipping address with coordinates in its custom fields, a
shipping method, the pickup location for click & collect; an order from the cart). The
sandbox's auto-pilot plays the store staff; the connector does the rest.

- `hd-one-store`: home delivery near Berlin; the Berlin and Hamburg stores both hold
  everything, the closer one (Berlin) fills it alone.
- `hd-split`: home delivery near Munich; Munich holds one SKU, Stuttgart the other, nobody both:
  split over those two.
- `cc-at-store`: click & collect at Hamburg, which holds everything: one pickup fulfilment.
- `cc-transfer`: click & collect at Cologne, which holds one SKU; the other comes from the
  closest location that has it (the Frankfurt warehouse, Dresden being further) by transfer.

A journey gathers what happened to one order from where it happened: the order workflow's
status (fulfilments and their kinds), Fluent (order status, fulfilments, invoices) and
commercetools (deliveries, parcels, states); `journey_problems` says how it differs from what the
scenario expects.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowFailureError,
)
from temporalio.service import RPCError, RPCStatusCode

from connector.commercetools.client import CommercetoolsClient
from connector.commercetools.models import Order
from connector.config import OrderPolicy
from connector.fluent.client import FluentClient
from connector.orders import (
    FIELD_INVOICE_REF,
    STATUS_QUERY,
    FulfilmentRecord,
    OrderStatus,
    OrderType,
    order_workflow_id,
)
from sandbox.seed import SeedData

ADDRESS_TYPE_KEY = "demo-address-coordinates"
HD_SHIPPING_METHOD = "standard"
CC_SHIPPING_METHOD = "click-collect"
COMPLETE_ORDER_STATE = "Complete"
DELIVERED_SHIPMENT_STATE = "Delivered"
FLUENT_COMPLETE = "COMPLETE"
FOLLOW_POLL_SECONDS = 0.25
QUERY_TIMEOUT = timedelta(seconds=10)


@dataclass(frozen=True)
class Shopper:
    first_name: str
    last_name: str
    street: str
    number: str
    postal_code: str
    city: str
    latitude: float
    longitude: float
    country: str = "DE"

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}@example.com".lower()


@dataclass(frozen=True)
class Scenario:
    """One scripted order. `quantities` are its lines (one SKU each); `stock` is what each
    location can sell of each line's SKU before the order (every other location: nothing);
    `expected` is the fulfilments the connector must plan: location ref -> kind."""

    key: str
    title: str
    order_type: OrderType
    shopper: Shopper
    quantities: tuple[int, ...]
    stock: Mapping[str, tuple[int, ...]]
    expected: Mapping[str, str]
    pickup_location_ref: str | None = None


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        key="hd-one-store",
        title="home delivery filled by one store",
        order_type=OrderType.HD,
        shopper=Shopper(
            "Anna", "Schmidt", "Alexanderplatz", "1", "10178", "Berlin", 52.5219, 13.4132
        ),
        quantities=(2, 1),
        stock={"ST-001": (3, 2), "ST-003": (5, 5)},
        expected={"ST-001": "HD"},
    ),
    Scenario(
        key="hd-split",
        title="home delivery split over two stores",
        order_type=OrderType.HD,
        shopper=Shopper("Ben", "Huber", "Marienplatz", "8", "80331", "Munich", 48.1374, 11.5755),
        quantities=(1, 1),
        stock={"ST-002": (2, 0), "ST-006": (0, 2)},
        expected={"ST-002": "HD", "ST-006": "HD"},
    ),
    Scenario(
        key="cc-at-store",
        title="click & collect at the pickup store",
        order_type=OrderType.CC,
        shopper=Shopper(
            "Clara", "Meyer", "Jungfernstieg", "10", "20354", "Hamburg", 53.5527, 9.9925
        ),
        quantities=(1, 2),
        stock={"ST-003": (2, 3), "ST-001": (5, 5)},
        expected={"ST-003": "CC_PICKUP"},
        pickup_location_ref="ST-003",
    ),
    Scenario(
        key="cc-transfer",
        title="click & collect with a transfer to the pickup store",
        order_type=OrderType.CC,
        shopper=Shopper(
            "David", "Wagner", "Hohe Strasse", "52", "50667", "Cologne", 50.9384, 6.9568
        ),
        quantities=(1, 1),
        stock={"ST-004": (2, 0), "WH-005": (0, 3), "ST-008": (0, 3)},
        expected={"ST-004": "CC_PICKUP", "WH-005": "CC_TRANSFER"},
        pickup_location_ref="ST-004",
    ),
)


def check_scenarios(seed: SeedData) -> None:
    """Every location a scenario names must be an ACTIVE location of the seed's network."""
    active = {location.ref for location in seed.locations if location.status == "ACTIVE"}
    for scenario in SCENARIOS:
        named = {*scenario.stock, *scenario.expected}
        if scenario.pickup_location_ref:
            named.add(scenario.pickup_location_ref)
        unknown = sorted(named - active)
        if unknown:
            raise ValueError(f"scenario {scenario.key} names inactive or unknown {unknown}")
        if any(len(units) != len(scenario.quantities) for units in scenario.stock.values()):
            raise ValueError(f"scenario {scenario.key}: stock per line must match its lines")


@dataclass(frozen=True)
class PlannedOrder:
    """The n-th scripted order (from 1): its scenario, number and SKUs. Consecutive orders use
    different SKUs, so orders under way never compete for the same stock."""

    index: int
    scenario: Scenario
    skus: tuple[str, ...]

    @property
    def number(self) -> str:
        return f"DEMO-{self.index:04d}"


LINES_PER_ORDER = max(len(scenario.quantities) for scenario in SCENARIOS)


def planned_order(index: int, scenario: Scenario, seed: SeedData) -> PlannedOrder:
    """The `index`-th order (from 1) as `scenario`, with the seed's SKUs from position
    `(index - 1) * LINES_PER_ORDER` on (wrapping around)."""
    skus = list(seed.skus)
    start = (index - 1) * LINES_PER_ORDER
    chosen = tuple(skus[(start + line) % len(skus)] for line in range(len(scenario.quantities)))
    return PlannedOrder(index=index, scenario=scenario, skus=chosen)


def plan_orders(count: int, seed: SeedData) -> list[PlannedOrder]:
    """`count` orders cycling through the scenarios."""
    return [
        planned_order(index, SCENARIOS[(index - 1) % len(SCENARIOS)], seed)
        for index in range(1, count + 1)
    ]


@dataclass(frozen=True)
class Cart:
    """A shopper's cart for a planned order, ready for checkout."""

    planned: PlannedOrder
    id: str
    version: int


@dataclass(frozen=True)
class PlacedOrder:
    planned: PlannedOrder
    order_id: str

    @property
    def workflow_id(self) -> str:
        return order_workflow_id(self.order_id)


class DemoShop:
    """The shop's and the stores' hands: the commercetools API as a storefront uses it, and
    the Fluent sandbox's stock route as a store manager would."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        commercetools_url: str,
        project_key: str,
        client_id: str,
        client_secret: str,
        fluent_url: str,
        location_refs: Sequence[str],
    ) -> None:
        self._http = http
        self._ct_url = commercetools_url
        self._api = f"{commercetools_url}/{project_key}"
        self._credentials = (client_id, client_secret)
        self._fluent_url = fluent_url
        self._location_refs = tuple(location_refs)
        self._token: str | None = None
        self._policy = OrderPolicy()

    async def prepare(self) -> None:
        """The shop's own address Type for delivery coordinates, created when missing."""
        found = await self.api("GET", f"types/key={ADDRESS_TYPE_KEY}", expect=(200, 404))
        if found.status_code == 200:
            return
        number = {"name": "Number"}
        await self.api(
            "POST",
            "types",
            json={
                "key": ADDRESS_TYPE_KEY,
                "name": {"en": "Address coordinates"},
                "resourceTypeIds": ["address"],
                "fieldDefinitions": [
                    {"name": name, "label": {"en": name}, "required": False, "type": number}
                    for name in ("latitude", "longitude")
                ],
            },
            expect=(201,),
        )

    async def place(self, planned: PlannedOrder) -> PlacedOrder:
        """Set the stock the scenario needs, then check out as the shopper."""
        await self.stock_for(planned)
        cart = await self.cart(planned)
        return PlacedOrder(planned=planned, order_id=await self.check_out(cart, planned.number))

    async def stock_for(self, planned: PlannedOrder) -> None:
        """The stock of the order's SKUs that makes exactly its scenario's plan the right one."""
        for line, sku in enumerate(planned.skus):
            wanted = {ref: units[line] for ref, units in planned.scenario.stock.items()}
            await self.set_available(sku, wanted)

    async def cart(self, planned: PlannedOrder) -> Cart:
        """The shopper's cart (`cart_draft`)."""
        response = await self.api(
            "POST", "carts", json=cart_draft(planned, self._policy), expect=(201,)
        )
        cart = response.json()
        return Cart(planned=planned, id=str(cart["id"]), version=int(cart["version"]))

    async def check_out(self, cart: Cart, order_number: str) -> str:
        """The order from the cart (`POST /orders`); its id."""
        response = await self.api(
            "POST",
            "orders",
            json={
                "cart": {"typeId": "cart", "id": cart.id},
                "version": cart.version,
                "orderNumber": order_number,
            },
            expect=(201,),
        )
        return str(response.json()["id"])

    async def set_available(self, sku: str, available: Mapping[str, int]) -> None:
        """Make each location able to sell exactly `available[ref]` (0 where not named): on
        hand = what is reserved by orders under way + the wanted quantity."""
        response = await self._http.get(f"{self._fluent_url}/sandbox/stock", params={"sku": sku})
        _expect(response, (200,), f"reading the Fluent stock of {sku}")
        reserved = {p["locationRef"]: int(p["reserved"]) for p in response.json()["positions"]}
        positions = [
            {
                "locationRef": ref,
                "skuRef": sku,
                "onHand": reserved.get(ref, 0) + available.get(ref, 0),
            }
            for ref in self._location_refs
        ]
        response = await self._http.put(
            f"{self._fluent_url}/sandbox/stock", json={"positions": positions}
        )
        _expect(response, (200,), f"setting the Fluent stock of {sku}")

    async def api(
        self,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...],
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """A call to the project's API with the shop's token; `DemoShopError` unless the
        answer has one of the `expect`ed statuses."""
        if self._token is None:
            response = await self._http.post(
                f"{self._ct_url}/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=self._credentials,
            )
            _expect(response, (200,), "getting a commercetools token")
            self._token = str(response.json()["access_token"])
        response = await self._http.request(
            method,
            f"{self._api}/{path}",
            json=json,
            params=params,
            headers={"Authorization": f"Bearer {self._token}"},
        )
        _expect(response, expect, f"{method} /{path} on the commercetools sandbox")
        return response


def cart_draft(planned: PlannedOrder, policy: OrderPolicy) -> dict[str, Any]:
    """What a storefront sends at checkout: lines by SKU, the shopper's address with its
    coordinates, the shipping method and, for click & collect, the pickup location."""
    scenario, shopper = planned.scenario, planned.scenario.shopper
    address = {
        "firstName": shopper.first_name,
        "lastName": shopper.last_name,
        "streetName": shopper.street,
        "streetNumber": shopper.number,
        "postalCode": shopper.postal_code,
        "city": shopper.city,
        "country": shopper.country,
        "email": shopper.email,
    }
    coordinates = {
        "type": {"typeId": "type", "key": ADDRESS_TYPE_KEY},
        "fields": {"latitude": shopper.latitude, "longitude": shopper.longitude},
    }
    cc = scenario.order_type is OrderType.CC
    draft: dict[str, Any] = {
        "currency": "EUR",
        "country": shopper.country,
        "locale": "en",
        "customerEmail": shopper.email,
        "lineItems": [
            {"sku": sku, "quantity": quantity}
            for sku, quantity in zip(planned.skus, scenario.quantities, strict=True)
        ],
        "shippingAddress": {**address, "custom": coordinates},
        "billingAddress": address,
        "shippingMethod": {
            "typeId": "shipping-method",
            "key": CC_SHIPPING_METHOD if cc else HD_SHIPPING_METHOD,
        },
    }
    if scenario.pickup_location_ref is not None:
        draft["custom"] = {
            "type": {"typeId": "type", "key": policy.order_type_key},
            "fields": {policy.pickup_location_field: scenario.pickup_location_ref},
        }
    return draft


class DemoShopError(Exception):
    """A sandbox refused what the demo asked; the message says what and why."""


def _expect(response: httpx.Response, statuses: tuple[int, ...], what: str) -> None:
    if response.status_code not in statuses:
        raise DemoShopError(f"{what}: HTTP {response.status_code} {response.text[:300]}")


# --- journeys ---------------------------------------------------------------------------------


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class JourneyLine(_Wire):
    sku: str
    requested: int
    filled: int
    rejected: int


class JourneyFulfilment(_Wire):
    ref: str
    kind: str
    location_ref: str | None
    location_name: str | None
    status: str | None
    lines: tuple[JourneyLine, ...]
    invoice_ref: str | None


class JourneyParcel(_Wire):
    key: str | None
    carrier: str | None = None
    tracking_id: str | None = None


class JourneyDelivery(_Wire):
    key: str | None
    items: dict[str, int]  # SKU -> quantity
    parcels: tuple[JourneyParcel, ...]
    invoice_ref: str | None


class JourneyInvoice(_Wire):
    ref: str
    fulfilment_ref: str
    found_in_fluent: bool
    total: float | None = None


class Journey(_Wire):
    """What happened to one scripted order, and whether that is what its scenario expects."""

    scenario: str
    title: str
    ct_order_id: str
    ct_order_number: str
    workflow_id: str
    workflow_status: str
    fluent_order_ref: str | None = None
    fluent_status: str | None = None
    fluent_fulfilment_count: int = 0
    order_state: str | None = None
    shipment_state: str | None = None
    ordered: dict[str, int] = {}  # SKU -> quantity
    fulfilments: tuple[JourneyFulfilment, ...] = ()
    deliveries: tuple[JourneyDelivery, ...] = ()
    invoices: tuple[JourneyInvoice, ...] = ()
    issues: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def as_expected(self) -> bool:
        return not self.problems


async def wait_for_outcome(client: Client, workflow_id: str) -> tuple[str, OrderStatus | None]:
    """Wait until the order's workflow exists and ends; its final execution status and its
    result (None when it failed). Cancel the caller to stop waiting."""
    handle = client.get_workflow_handle(workflow_id, result_type=OrderStatus)
    while True:
        try:
            await handle.describe()
            break
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
        await asyncio.sleep(FOLLOW_POLL_SECONDS)  # the push has not reached the connector yet
    try:
        status = await handle.result()
    except WorkflowFailureError:  # failed, but also terminated, cancelled or timed out
        return _state(await handle.describe()), None
    return WorkflowExecutionStatus.COMPLETED.name, status


async def current_status(client: Client, workflow_id: str) -> tuple[str, OrderStatus | None]:
    """Where an order's workflow stands now (for orders that did not finish in time); its
    status query's answer unless no worker gave one."""
    handle = client.get_workflow_handle(workflow_id, result_type=OrderStatus)
    try:
        description = await handle.describe()
    except RPCError as error:
        return ("NOT_STARTED" if error.status == RPCStatusCode.NOT_FOUND else "UNKNOWN"), None
    try:
        status = await handle.query(
            STATUS_QUERY, result_type=OrderStatus, rpc_timeout=QUERY_TIMEOUT
        )
    except RPCError:
        return _state(description), None
    return _state(description), status


def _state(description: WorkflowExecutionDescription) -> str:
    return description.status.name if description.status else "UNKNOWN"


async def collect_journey(
    placed: PlacedOrder,
    workflow_status: str,
    status: OrderStatus | None,
    commercetools: CommercetoolsClient,
    fluent: FluentClient,
) -> Journey:
    """The order as the workflow, commercetools and Fluent each see it, checked."""
    order = await commercetools.get_order(placed.order_id)
    skus = {item.id: item.variant.sku or item.id for item in order.line_items}
    fulfilments = tuple(_fulfilment(record) for record in status.fulfilments) if status else ()
    fluent_order_ref = status.fluent_order_ref if status else None
    fluent_status, fluent_fulfilments = None, 0
    if fluent_order_ref:
        found = await fluent.find_order(fluent_order_ref)
        if found is not None:
            details = await fluent.order_details(found.id)
            fluent_status, fluent_fulfilments = details.status, len(details.fulfilments)
    invoices = []
    for fulfilment in fulfilments:
        if fulfilment.invoice_ref:
            invoice = await fluent.find_invoice(fulfilment.invoice_ref)
            invoices.append(
                JourneyInvoice(
                    ref=fulfilment.invoice_ref,
                    fulfilment_ref=fulfilment.ref,
                    found_in_fluent=invoice is not None,
                    total=invoice.total_amount if invoice else None,
                )
            )
    journey = Journey(
        scenario=placed.planned.scenario.key,
        title=placed.planned.scenario.title,
        ct_order_id=order.id,
        ct_order_number=order.order_number or placed.planned.number,
        workflow_id=placed.workflow_id,
        workflow_status=workflow_status,
        fluent_order_ref=fluent_order_ref,
        fluent_status=fluent_status,
        fluent_fulfilment_count=fluent_fulfilments,
        order_state=order.order_state,
        shipment_state=order.shipment_state,
        ordered=_ordered(order, skus),
        fulfilments=fulfilments,
        deliveries=_deliveries(order, skus),
        invoices=tuple(invoices),
        issues=tuple(f"{i.kind.value}: {i.reason}" for i in status.issues) if status else (),
    )
    problems = journey_problems(placed.planned.scenario, journey)
    return journey.model_copy(update={"problems": tuple(problems)})


def _fulfilment(record: FulfilmentRecord) -> JourneyFulfilment:
    return JourneyFulfilment(
        ref=record.ref,
        kind=record.kind,
        location_ref=record.location_ref,
        location_name=record.location_name,
        status=record.status,
        lines=tuple(
            JourneyLine(
                sku=line.sku, requested=line.requested, filled=line.filled, rejected=line.rejected
            )
            for line in record.lines
        ),
        invoice_ref=record.invoice_ref,
    )


def _ordered(order: Order, skus: Mapping[str, str]) -> dict[str, int]:
    quantities: Counter[str] = Counter()
    for item in order.line_items:
        quantities[skus[item.id]] += item.quantity
    return dict(quantities)


def _deliveries(order: Order, skus: Mapping[str, str]) -> tuple[JourneyDelivery, ...]:
    deliveries = []
    for delivery in order.deliveries:
        items: Counter[str] = Counter()
        for item in delivery.items:
            items[skus.get(item.id, item.id)] += item.quantity
        invoice_ref = delivery.custom.fields.get(FIELD_INVOICE_REF) if delivery.custom else None
        deliveries.append(
            JourneyDelivery(
                key=delivery.key,
                items=dict(items),
                parcels=tuple(
                    JourneyParcel(
                        key=parcel.key,
                        carrier=parcel.tracking_data.carrier if parcel.tracking_data else None,
                        tracking_id=(
                            parcel.tracking_data.tracking_id if parcel.tracking_data else None
                        ),
                    )
                    for parcel in delivery.parcels
                ),
                invoice_ref=invoice_ref if isinstance(invoice_ref, str) else None,
            )
        )
    return tuple(deliveries)


def journey_problems(scenario: Scenario, journey: Journey) -> list[str]:
    """Everything in which the journey differs from the scenario's expected outcome: the planned
    fulfilments (locations and kinds, each in Fluent once), deliveries covering every line with
    tracked parcels, one invoice per shipped fulfilment (in Fluent, on its delivery), and the
    final states (Fluent COMPLETE; commercetools Complete and Delivered)."""
    problems: list[str] = []
    if journey.workflow_status != WorkflowExecutionStatus.COMPLETED.name:
        problems.append(f"the order workflow is {journey.workflow_status}, not COMPLETED")
    problems += [f"the workflow reports an issue: {issue}" for issue in journey.issues]
    if journey.fluent_status != FLUENT_COMPLETE:
        problems.append(f"the Fluent order is {journey.fluent_status or 'missing'}, not COMPLETE")
    if journey.order_state != COMPLETE_ORDER_STATE:
        problems.append(f"the commercetools order is {journey.order_state}, not Complete")
    if journey.shipment_state != DELIVERED_SHIPMENT_STATE:
        problems.append(f"the shipment state is {journey.shipment_state}, not Delivered")

    planned = sorted((f.location_ref or "-", f.kind) for f in journey.fulfilments)
    expected = sorted(scenario.expected.items())
    if planned != expected:
        problems.append(f"fulfilments {planned}, expected {expected}")
    if journey.fluent_fulfilment_count != len(journey.fulfilments):
        problems.append(
            f"Fluent holds {journey.fluent_fulfilment_count} fulfilments, the workflow knows "
            f"{len(journey.fulfilments)}"
        )
    problems += [
        f"fulfilment {f.ref} ended {f.status}, not COMPLETE"
        for f in journey.fulfilments
        if f.status != FLUENT_COMPLETE
    ]

    delivered: Counter[str] = Counter()
    for delivery in journey.deliveries:
        delivered.update(delivery.items)
        if not delivery.parcels:
            problems.append(f"delivery {delivery.key} has no parcel")
        problems += [
            f"parcel {parcel.key} of delivery {delivery.key} has no tracking number"
            for parcel in delivery.parcels
            if not parcel.tracking_id
        ]
    for sku, quantity in sorted(journey.ordered.items()):
        if delivered[sku] != quantity:
            problems.append(f"{sku}: {delivered[sku]} delivered of {quantity} ordered")

    invoices = {invoice.fulfilment_ref: invoice for invoice in journey.invoices}
    delivery_invoices = {d.key: d.invoice_ref for d in journey.deliveries}
    for fulfilment in journey.fulfilments:
        if not any(line.filled for line in fulfilment.lines):
            continue
        invoice = invoices.get(fulfilment.ref)
        if invoice is None:
            problems.append(f"fulfilment {fulfilment.ref} shipped without an invoice")
            continue
        if not invoice.found_in_fluent:
            problems.append(f"invoice {invoice.ref} is not in Fluent")
        if delivery_invoices.get(fulfilment.ref) != invoice.ref:
            problems.append(f"the delivery of {fulfilment.ref} does not name invoice {invoice.ref}")
    return problems
