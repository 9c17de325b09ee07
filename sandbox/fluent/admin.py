"""The sandbox's own routes under `/sandbox/`: what store staff, an admin or a test would do.

No token needed; never faulted or counted (see `sandbox.common.faults`).

- `POST /sandbox/fulfilments/{ref or id}/pick | fulfil | articles | ship | ready-for-collection |
  deliver | collect` and `GET /sandbox/fulfilments/{ref or id}`; `GET /sandbox/orders/{ref or id}`
- `POST /sandbox/locations`, `PATCH /sandbox/locations/{ref}` (webhooks: location create/update)
- `PUT /sandbox/stock` (set on hand), `GET /sandbox/stock?sku=...` (on hand, reserved, ATS)
- `GET|PUT /sandbox/autopilot`, `POST /sandbox/autopilot/step`
- `GET|PUT /sandbox/webhooks`, `POST /sandbox/webhooks/replay`, `GET /sandbox/webhook-public-key`
- `POST /sandbox/clock/advance`, `GET /sandbox/state`
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from sandbox.fluent.clock import format_datetime
from sandbox.fluent.config import AutopilotConfig
from sandbox.fluent.errors import InvalidInputError, NotFoundError
from sandbox.fluent.lifecycle import ItemOutcome
from sandbox.fluent.models import Fulfilment, Order
from sandbox.fluent.service import FluentSandbox, SandboxDep
from sandbox.fluent.store import ArticleSpec, LocationChanges, LocationSpec


class _Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class ItemOutcomeIn(_Body):
    ref: str
    filled_quantity: int | None = Field(default=None, ge=0)
    rejected_quantity: int | None = Field(default=None, ge=0)


class FulfilIn(_Body):
    """Per item (by fulfilment item ref) what was filled and rejected; unlisted: all filled."""

    items: list[ItemOutcomeIn] = Field(default_factory=list)


class ArticleIn(_Body):
    ref: str | None = None
    carrier: str = "SANDBOX_POST"
    consignment_reference: str | None = None
    tracking_label: str | None = None
    label_url: str | None = None
    name: str | None = None
    description: str | None = None
    weight: float = Field(default=1.0, gt=0)
    height: float = Field(default=10.0, gt=0)
    length: float = Field(default=30.0, gt=0)
    width: float = Field(default=20.0, gt=0)

    def spec(self) -> ArticleSpec:
        return ArticleSpec(
            ref=self.ref,
            carrier_ref=self.carrier,
            consignment_reference=self.consignment_reference,
            tracking_label=self.tracking_label,
            label_url=self.label_url,
            name=self.name,
            description=self.description,
            weight=self.weight,
            height=self.height,
            length=self.length,
            width=self.width,
        )


class ArticlesIn(_Body):
    articles: list[ArticleIn] = Field(default_factory=lambda: [ArticleIn()], min_length=1)


class OpeningHoursIn(_Body):
    """Every day from `open` to `close`, as HHMM (e.g. 900 and 2000)."""

    open: int = Field(ge=0, le=2359)
    close: int = Field(ge=0, le=2359)


class LocationIn(_Body):
    ref: str = Field(min_length=1)
    name: str = Field(min_length=1)
    type: str = "STORE"
    status: str = "ACTIVE"
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    country: str | None = None
    time_zone: str | None = None
    phone: str | None = None
    opening_hours: OpeningHoursIn | None = None  # None: open all hours


class LocationPatch(_Body):
    name: str | None = None
    type: str | None = None
    status: str | None = None
    phone: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    country: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    time_zone: str | None = None
    opening_hours: OpeningHoursIn | None = None
    all_hours: bool | None = None


class StockEntry(_Body):
    location_ref: str
    sku_ref: str
    on_hand: int = Field(ge=0)


class StockIn(_Body):
    positions: list[StockEntry] = Field(min_length=1)


class ClockAdvance(_Body):
    seconds: float = Field(ge=0)


class WebhookTargets(_Body):
    targets: list[str]

    @field_validator("targets")
    @classmethod
    def _http_urls(cls, targets: list[str]) -> list[str]:
        bad = [t for t in targets if not t.startswith(("http://", "https://"))]
        if bad:
            raise ValueError(f"webhook targets must be http(s) URLs: {bad}")
        return targets


class ReplayIn(_Body):
    entity_type: str
    entity_id: str | None = None
    entity_ref: str | None = None
    fresh_id: bool = False


def fulfilment_json(fulfilment: Fulfilment) -> dict[str, Any]:
    return {
        "id": str(fulfilment.id),
        "ref": fulfilment.ref,
        "type": fulfilment.type,
        "status": fulfilment.status,
        "locationRef": fulfilment.location_ref,
        "transfer": fulfilment.is_transfer,
        "order": {
            "id": str(fulfilment.order.id),
            "ref": fulfilment.order.ref,
            "status": fulfilment.order.status,
        },
        "items": [
            {
                "ref": item.ref,
                "productRef": item.order_item.product_ref,
                "requestedQuantity": item.requested_quantity,
                "filledQuantity": item.filled_quantity,
                "rejectedQuantity": item.rejected_quantity,
                "status": item.status,
            }
            for item in fulfilment.items
        ],
        "articles": [
            {
                "ref": article.ref,
                "consignments": [
                    {
                        "consignmentReference": link.consignment.consignment_reference,
                        "trackingLabel": link.consignment.tracking_label,
                        "labelUrl": link.consignment.label_url,
                        "carrier": link.consignment.carrier.ref,
                    }
                    for link in article.consignment_articles
                ],
            }
            for article in fulfilment.articles
        ],
    }


def order_json(order: Order) -> dict[str, Any]:
    return {
        "id": str(order.id),
        "ref": order.ref,
        "type": order.type,
        "status": order.status,
        "fulfilments": [fulfilment_json(f) for f in order.fulfilments],
    }


def _fulfilment(sandbox: FluentSandbox, key: str) -> Fulfilment:
    """By ref, else by id."""
    store = sandbox.store
    found = store.fulfilment_by_ref(key) or store.fulfilments.get(key)
    if found is None:
        raise NotFoundError(f"Fulfilment with ref or id '{key}' not found")
    return found


def _order(sandbox: FluentSandbox, key: str) -> Order:
    store = sandbox.store
    found = store.order_by_ref(key) or store.orders.get(key)
    if found is None:
        raise NotFoundError(f"Order with ref or id '{key}' not found")
    return found


router = APIRouter(prefix="/sandbox", tags=["sandbox"])


@router.get("/fulfilments/{key}")
async def get_fulfilment(key: str, sandbox: SandboxDep) -> dict[str, Any]:
    return fulfilment_json(_fulfilment(sandbox, key))


@router.get("/orders/{key}")
async def get_order(key: str, sandbox: SandboxDep) -> dict[str, Any]:
    return order_json(_order(sandbox, key))


@router.post("/fulfilments/{key}/pick")
async def pick(key: str, sandbox: SandboxDep) -> dict[str, Any]:
    return fulfilment_json(sandbox.lifecycle.pick(_fulfilment(sandbox, key)))


@router.post("/fulfilments/{key}/fulfil")
async def fulfil(key: str, sandbox: SandboxDep, body: FulfilIn | None = None) -> dict[str, Any]:
    outcomes: dict[str, ItemOutcome] = {}
    for item in (body or FulfilIn()).items:
        if item.ref in outcomes:
            raise InvalidInputError(f"item '{item.ref}' is listed twice")
        outcomes[item.ref] = ItemOutcome(item.filled_quantity, item.rejected_quantity)
    return fulfilment_json(sandbox.lifecycle.fulfil(_fulfilment(sandbox, key), outcomes))


@router.post("/fulfilments/{key}/articles")
async def add_articles(
    key: str, sandbox: SandboxDep, body: ArticlesIn | None = None
) -> dict[str, Any]:
    fulfilment = _fulfilment(sandbox, key)
    specs = [article.spec() for article in (body or ArticlesIn()).articles]
    sandbox.lifecycle.add_articles(fulfilment, specs)
    return fulfilment_json(fulfilment)


@router.post("/fulfilments/{key}/ship")
async def ship(key: str, sandbox: SandboxDep) -> dict[str, Any]:
    return fulfilment_json(sandbox.lifecycle.ship(_fulfilment(sandbox, key)))


@router.post("/fulfilments/{key}/ready-for-collection")
async def ready_for_collection(key: str, sandbox: SandboxDep) -> dict[str, Any]:
    return fulfilment_json(sandbox.lifecycle.ready_for_collection(_fulfilment(sandbox, key)))


@router.post("/fulfilments/{key}/deliver")
async def deliver(key: str, sandbox: SandboxDep) -> dict[str, Any]:
    return fulfilment_json(sandbox.lifecycle.deliver(_fulfilment(sandbox, key)))


@router.post("/fulfilments/{key}/collect")
async def collect(key: str, sandbox: SandboxDep) -> dict[str, Any]:
    return fulfilment_json(sandbox.lifecycle.collect(_fulfilment(sandbox, key)))


def _location_json(sandbox: FluentSandbox, ref: str) -> dict[str, Any]:
    location = sandbox.store.require_location(ref)
    address = location.primary_address
    return {
        "id": str(location.id),
        "ref": location.ref,
        "name": location.name,
        "type": location.type,
        "status": location.status,
        "phone": location.support_phone_number,
        "address": {
            "id": str(address.id),
            "street": address.street,
            "city": address.city,
            "postcode": address.postcode,
            "country": address.country,
            "latitude": address.latitude,
            "longitude": address.longitude,
            "timeZone": address.time_zone,
        },
        "updatedOn": format_datetime(location.updated_on),
    }


@router.post("/locations", status_code=201)
async def create_location(body: LocationIn, sandbox: SandboxDep) -> dict[str, Any]:
    hours = body.opening_hours
    sandbox.store.create_location(
        LocationSpec(
            ref=body.ref,
            name=body.name,
            type=body.type,
            status=body.status,
            latitude=body.latitude,
            longitude=body.longitude,
            street=body.street,
            city=body.city,
            state=body.state,
            postcode=body.postcode,
            country=body.country,
            time_zone=body.time_zone,
            phone=body.phone,
            opening_hours=(hours.open, hours.close) if hours else None,
        )
    )
    return _location_json(sandbox, body.ref)


@router.patch("/locations/{ref}")
async def update_location(ref: str, body: LocationPatch, sandbox: SandboxDep) -> dict[str, Any]:
    location = sandbox.store.require_location(ref)
    hours = body.opening_hours
    if hours is not None and body.all_hours:
        raise InvalidInputError("give openingHours or allHours, not both")
    changes = body.model_dump(exclude={"opening_hours"})
    sandbox.store.update_location(
        location,
        LocationChanges(**changes, opening_hours=(hours.open, hours.close) if hours else None),
    )
    return _location_json(sandbox, ref)


def _stock_json(sandbox: FluentSandbox, sku: str) -> dict[str, Any]:
    store = sandbox.store
    virtual = store.virtual_position_of(sku)
    positions = store.positions_of([sku])
    return {
        "skuRef": sku,
        "availableToSell": virtual.quantity if virtual else 0,
        "positions": [
            {
                "locationRef": position.location_ref,
                "locationStatus": store.require_location(position.location_ref).status,
                "onHand": position.on_hand,
                "reserved": position.reserved,
                "available": position.available,
            }
            for position in positions
        ],
    }


@router.get("/stock")
async def get_stock(sku: str, sandbox: SandboxDep) -> dict[str, Any]:
    return _stock_json(sandbox, sku)


@router.put("/stock")
async def set_stock(body: StockIn, sandbox: SandboxDep) -> list[dict[str, Any]]:
    for entry in body.positions:
        sandbox.store.require_location(entry.location_ref)
    for entry in body.positions:
        sandbox.store.set_on_hand(entry.location_ref, entry.sku_ref, entry.on_hand)
    skus = dict.fromkeys(entry.sku_ref for entry in body.positions)
    return [_stock_json(sandbox, sku) for sku in skus]


@router.get("/autopilot")
async def get_autopilot(sandbox: SandboxDep) -> dict[str, Any]:
    return {
        "config": sandbox.autopilot.config.model_dump(),
        "running": sandbox.autopilot.running,
        "stepsTaken": dict(sandbox.autopilot.steps_taken),
    }


@router.put("/autopilot")
async def put_autopilot(config: AutopilotConfig, sandbox: SandboxDep) -> dict[str, Any]:
    await sandbox.autopilot.configure(config)
    return await get_autopilot(sandbox)


@router.post("/autopilot/step")
async def autopilot_step(sandbox: SandboxDep) -> dict[str, int]:
    """One tick now, whether or not the timer runs: deterministic tests drive it this way."""
    return dict(sandbox.autopilot.step())


@router.get("/webhook-public-key")
async def webhook_public_key(sandbox: SandboxDep) -> dict[str, str]:
    signer = sandbox.webhooks.signer
    return {
        "publicKey": signer.public_key_der_base64,
        "pem": signer.public_key_pem,
        "algorithm": "SHA512withRSA",
        "header": "fluent-signature",
    }


def _webhooks_json(sandbox: FluentSandbox) -> dict[str, Any]:
    webhooks = sandbox.webhooks
    return {
        "targets": webhooks.targets,
        "pending": webhooks.pending,
        "deliveries": [attempt.to_json() for attempt in webhooks.log],
    }


@router.get("/webhooks")
async def get_webhooks(sandbox: SandboxDep) -> dict[str, Any]:
    return _webhooks_json(sandbox)


@router.put("/webhooks")
async def put_webhooks(body: WebhookTargets, sandbox: SandboxDep) -> dict[str, Any]:
    sandbox.webhooks.targets = list(body.targets)
    return _webhooks_json(sandbox)


@router.post("/webhooks/replay")
async def replay_webhook(body: ReplayIn, sandbox: SandboxDep) -> dict[str, Any]:
    if (body.entity_id is None) == (body.entity_ref is None):
        raise InvalidInputError("give exactly one of entityId and entityRef")
    try:
        return sandbox.webhooks.replay(
            body.entity_type,
            entity_id=body.entity_id,
            entity_ref=body.entity_ref,
            fresh_id=body.fresh_id,
        )
    except LookupError as error:
        raise NotFoundError(str(error)) from None


@router.post("/clock/advance")
async def advance_clock(body: ClockAdvance, sandbox: SandboxDep) -> dict[str, Any]:
    now = sandbox.clock.advance(body.seconds)
    return {"now": format_datetime(now), "offsetSeconds": sandbox.clock.offset_seconds}


@router.get("/state")
async def state(sandbox: SandboxDep) -> dict[str, Any]:
    config = sandbox.config
    return {
        "accountId": config.account_id,
        "retailerId": config.retailer_id,
        "networkRef": config.network_ref,
        "productCatalogueRef": sandbox.store.product_catalogue.ref,
        "inventoryCatalogueRef": sandbox.store.inventory_catalogue.ref,
        "virtualCatalogueRef": sandbox.store.virtual_catalogue.ref,
        "now": format_datetime(sandbox.clock.now()),
        "counts": sandbox.store.counts(),
        "openFulfilments": len(sandbox.lifecycle.open_fulfilments),
        "autopilotRunning": sandbox.autopilot.running,
        "pendingWebhooks": sandbox.webhooks.pending,
    }
