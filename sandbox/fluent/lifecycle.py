"""The sandbox's stand-in for Fluent's workflow engine: what orders and fulfilments go through.

Fulfilments (created by the connector, which does the sourcing):

    CREATED -> AWAITING_WAVE                        right after the mutation answers; the open
                                                    quantities are reserved at the location
    CREATED -> SYSTEM_REJECTED                      instead, when every item was rejected upfront
    AWAITING_WAVE -> PICK_PACK                      pick
    PICK_PACK -> FULFILLED | PARTIALLY_FULFILLED | REJECTED
                                                    fulfil (rejected quantities are released)
    FULFILLED | PARTIALLY_FULFILLED                 articles may be added (parcel + consignment)
      home delivery:      -> SHIPPED -> COMPLETE    ship (needs an article), deliver
      click & collect:    -> READY_FOR_COLLECTION -> COMPLETE
                                                    ready for collection, collect
      transfer (click & collect from another location to the pickup location):
                          -> SHIPPED -> READY_FOR_COLLECTION -> COMPLETE
    any open status -> CANCELLED                    the CancelOrder event, before anything left

Stock: shipping consumes the filled quantities at the fulfilling location (on hand and
reservation go down); a direct click & collect consumes them when collected.

Orders: CREATED -> RECEIVED right after the mutation answers. From then on the order's status
follows its fulfilments (those past CREATED): every fulfilment final -> COMPLETE if any was
completed, else ESCALATED; any SYSTEM_REJECTED fulfilment -> ESCALATED; otherwise by the open
fulfilments: all awaiting wave -> BOOKED, all shipped home deliveries ->
AWAITING_COURIER_COLLECTION, all ready for collection -> AWAITING_CUSTOMER_COLLECTION, any other
mix -> PICK_PACK. CANCELLED and COMPLETE orders do not change any more.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sandbox.fluent.errors import InvalidInputError, TransitionError
from sandbox.fluent.models import Article, Fulfilment, FulfilmentItem, Order
from sandbox.fluent.store import ArticleSpec, FluentStore

CREATED = "CREATED"
RECEIVED = "RECEIVED"
BOOKED = "BOOKED"
AWAITING_WAVE = "AWAITING_WAVE"
PICK_PACK = "PICK_PACK"
FULFILLED = "FULFILLED"
PARTIALLY_FULFILLED = "PARTIALLY_FULFILLED"
REJECTED = "REJECTED"
SYSTEM_REJECTED = "SYSTEM_REJECTED"
SHIPPED = "SHIPPED"
READY_FOR_COLLECTION = "READY_FOR_COLLECTION"
COMPLETE = "COMPLETE"
CANCELLED = "CANCELLED"
ESCALATED = "ESCALATED"
AWAITING_COURIER_COLLECTION = "AWAITING_COURIER_COLLECTION"
AWAITING_CUSTOMER_COLLECTION = "AWAITING_CUSTOMER_COLLECTION"

FINAL_FULFILMENT_STATUSES = frozenset({COMPLETE, REJECTED, SYSTEM_REJECTED, CANCELLED})
FINAL_ORDER_STATUSES = frozenset({COMPLETE, CANCELLED})
PACKED = frozenset({FULFILLED, PARTIALLY_FULFILLED})
# Once goods left the shelf for the customer an order can no longer be cancelled.
_HANDED_OVER = frozenset({SHIPPED, READY_FOR_COLLECTION, COMPLETE})

Scheduler = Callable[[Callable[[], None]], None]


def call_soon(callback: Callable[[], None]) -> None:
    """Runs `callback` on the event loop once the current request has produced its answer."""
    asyncio.get_running_loop().call_soon(callback)


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What the store did with one fulfilment item; unset parts are derived from the other."""

    filled: int | None = None
    rejected: int | None = None


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    cancelled: bool
    reason: str


class Lifecycle:
    def __init__(self, store: FluentStore, scheduler: Scheduler = call_soon) -> None:
        self._store = store
        self._schedule = scheduler
        self._open: dict[int, Fulfilment] = {}

    @property
    def open_fulfilments(self) -> list[Fulfilment]:
        """Fulfilments not yet in a final status, oldest first."""
        return [self._open[key] for key in sorted(self._open)]

    # -- reactions to the API ----------------------------------------------------------------

    def order_created(self, order: Order) -> None:
        self._schedule(lambda: self._receive(order))

    def fulfilment_created(self, fulfilment: Fulfilment) -> None:
        self._open[fulfilment.id] = fulfilment
        self._schedule(lambda: self._accept(fulfilment))

    def _receive(self, order: Order) -> None:
        if order.status == CREATED:
            self._store.set_status(order, RECEIVED)

    def _accept(self, fulfilment: Fulfilment) -> None:
        if fulfilment.status != CREATED:
            return
        if all(item.open_quantity == 0 for item in fulfilment.items):
            for item in fulfilment.items:
                self._store.set_item_status(item, REJECTED)
            self._set_status(fulfilment, SYSTEM_REJECTED)
        else:
            self._set_status(fulfilment, AWAITING_WAVE)

    # -- store operations --------------------------------------------------------------------

    def pick(self, fulfilment: Fulfilment) -> Fulfilment:
        self._require(fulfilment, "pick", {AWAITING_WAVE})
        self._set_status(fulfilment, PICK_PACK)
        return fulfilment

    def fulfil(
        self, fulfilment: Fulfilment, outcomes: Mapping[str, ItemOutcome] | None = None
    ) -> Fulfilment:
        """Records filled and rejected quantities per item ref (default: all filled)."""
        self._require(fulfilment, "fulfil", {PICK_PACK})
        outcomes = dict(outcomes or {})
        unknown = sorted(set(outcomes) - {item.ref for item in fulfilment.items})
        if unknown:
            raise InvalidInputError(f"fulfilment '{fulfilment.ref}' has no items {unknown}")
        decided = [
            (item, *self._split(item, outcomes.get(item.ref, ItemOutcome())))
            for item in fulfilment.items
        ]
        for item, filled, rejected in decided:
            item.filled_quantity = filled
            item.rejected_quantity += rejected
            if rejected:
                self._store.release(fulfilment.location_ref, item.order_item.product_ref, rejected)
            self._store.set_item_status(item, _item_status(item))
        total_filled = sum(item.filled_quantity for item in fulfilment.items)
        if total_filled == 0:
            status = REJECTED
        elif total_filled == sum(item.requested_quantity for item in fulfilment.items):
            status = FULFILLED
        else:
            status = PARTIALLY_FULFILLED
        self._set_status(fulfilment, status)
        return fulfilment

    @staticmethod
    def _split(item: FulfilmentItem, outcome: ItemOutcome) -> tuple[int, int]:
        open_quantity = item.open_quantity
        filled, rejected = outcome.filled, outcome.rejected
        if filled is None and rejected is None:
            filled, rejected = open_quantity, 0
        elif filled is None:
            filled = open_quantity - (rejected or 0)
        elif rejected is None:
            rejected = open_quantity - filled
        if filled < 0 or rejected is None or rejected < 0 or filled + rejected != open_quantity:
            raise InvalidInputError(
                f"item '{item.ref}': filled ({filled}) and rejected ({rejected}) must be "
                f"non-negative and add up to its open quantity {open_quantity}"
            )
        return filled, rejected

    def add_articles(self, fulfilment: Fulfilment, specs: Sequence[ArticleSpec]) -> list[Article]:
        self._require(fulfilment, "add an article to", PACKED)
        if not specs:
            raise InvalidInputError("at least one article is required")
        return [self._store.create_article(fulfilment, spec) for spec in specs]

    def ship(self, fulfilment: Fulfilment) -> Fulfilment:
        if fulfilment.is_click_and_collect and not fulfilment.is_transfer:
            raise TransitionError(
                f"fulfilment '{fulfilment.ref}' is collected at its own location: use "
                "ready-for-collection instead of ship"
            )
        self._require(fulfilment, "ship", PACKED)
        if not fulfilment.articles:
            raise TransitionError(
                f"fulfilment '{fulfilment.ref}' has no article: add one (with its tracking) first"
            )
        self._consume(fulfilment)
        self._set_status(fulfilment, SHIPPED)
        return fulfilment

    def ready_for_collection(self, fulfilment: Fulfilment) -> Fulfilment:
        if not fulfilment.is_click_and_collect:
            raise TransitionError(f"fulfilment '{fulfilment.ref}' is a home delivery: ship it")
        self._require(
            fulfilment, "make ready for collection", {SHIPPED} if fulfilment.is_transfer else PACKED
        )
        self._set_status(fulfilment, READY_FOR_COLLECTION)
        return fulfilment

    def deliver(self, fulfilment: Fulfilment) -> Fulfilment:
        if fulfilment.is_click_and_collect:
            raise TransitionError(f"fulfilment '{fulfilment.ref}' is click & collect: collect it")
        self._require(fulfilment, "deliver", {SHIPPED})
        self._set_status(fulfilment, COMPLETE)
        return fulfilment

    def collect(self, fulfilment: Fulfilment) -> Fulfilment:
        if not fulfilment.is_click_and_collect:
            raise TransitionError(f"fulfilment '{fulfilment.ref}' is a home delivery: deliver it")
        self._require(fulfilment, "collect", {READY_FOR_COLLECTION})
        if not fulfilment.is_transfer:
            self._consume(fulfilment)
        self._set_status(fulfilment, COMPLETE)
        return fulfilment

    def cancel_order(self, order: Order) -> CancelOutcome:
        """Cancels the order and its open fulfilments unless goods were already handed over."""
        if order.status == CANCELLED:
            return CancelOutcome(True, f"order '{order.ref}' was already cancelled")
        if order.status == COMPLETE:
            return CancelOutcome(False, f"order '{order.ref}' is COMPLETE")
        handed_over = [f.ref for f in order.fulfilments if f.status in _HANDED_OVER]
        if handed_over:
            return CancelOutcome(
                False,
                f"order '{order.ref}' cannot be cancelled: fulfilments {handed_over} were "
                "already shipped or made ready for collection",
            )
        for fulfilment in order.fulfilments:
            if fulfilment.status in FINAL_FULFILMENT_STATUSES:
                continue
            for item in fulfilment.items:
                if item.open_quantity:
                    self._store.release(
                        fulfilment.location_ref, item.order_item.product_ref, item.open_quantity
                    )
                self._store.set_item_status(item, CANCELLED)
            self._set_status(fulfilment, CANCELLED, refresh_order=False)
        self._store.set_status(order, CANCELLED)
        return CancelOutcome(True, f"order '{order.ref}' cancelled")

    def advance(self, fulfilment: Fulfilment, rng: random.Random, rejection_rate: float) -> str:
        """One step of the auto-pilot; returns what it did (`wait` when nothing is due)."""
        status = fulfilment.status
        if status == AWAITING_WAVE:
            self.pick(fulfilment)
            return "pick"
        if status == PICK_PACK:
            outcomes = {
                item.ref: ItemOutcome(rejected=rng.randint(1, item.open_quantity))
                for item in fulfilment.items
                if item.open_quantity and rng.random() < rejection_rate
            }
            self.fulfil(fulfilment, outcomes)
            return "fulfil"
        if status in PACKED:
            if not fulfilment.articles:
                self.add_articles(fulfilment, [ArticleSpec()])
                return "add-article"
            if fulfilment.is_click_and_collect and not fulfilment.is_transfer:
                self.ready_for_collection(fulfilment)
                return "ready-for-collection"
            self.ship(fulfilment)
            return "ship"
        if status == SHIPPED:
            if fulfilment.is_transfer:
                self.ready_for_collection(fulfilment)
                return "ready-for-collection"
            self.deliver(fulfilment)
            return "deliver"
        if status == READY_FOR_COLLECTION:
            self.collect(fulfilment)
            return "collect"
        return "wait"

    # -- internals ---------------------------------------------------------------------------

    @staticmethod
    def _require(fulfilment: Fulfilment, action: str, allowed: frozenset[str] | set[str]) -> None:
        if fulfilment.status not in allowed:
            raise TransitionError(
                f"cannot {action} fulfilment '{fulfilment.ref}' in status {fulfilment.status} "
                f"(allowed from {', '.join(sorted(allowed))})"
            )

    def _consume(self, fulfilment: Fulfilment) -> None:
        for item in fulfilment.items:
            if item.filled_quantity:
                self._store.consume(
                    fulfilment.location_ref, item.order_item.product_ref, item.filled_quantity
                )

    def _set_status(
        self, fulfilment: Fulfilment, status: str, *, refresh_order: bool = True
    ) -> None:
        self._store.set_status(fulfilment, status)
        if status in FINAL_FULFILMENT_STATUSES:
            self._open.pop(fulfilment.id, None)
        if refresh_order:
            self._refresh_order(fulfilment.order)

    def _refresh_order(self, order: Order) -> None:
        status = derive_order_status(order)
        if status is not None:
            self._store.set_status(order, status)


def _item_status(item: FulfilmentItem) -> str:
    if item.filled_quantity == 0:
        return REJECTED
    if item.rejected_quantity:
        return PARTIALLY_FULFILLED
    return FULFILLED


def _stage(fulfilment: Fulfilment) -> str:
    """The order status an open fulfilment stands for."""
    if fulfilment.status in (CREATED, AWAITING_WAVE):
        return BOOKED
    if fulfilment.status == SHIPPED and not fulfilment.is_transfer:
        return AWAITING_COURIER_COLLECTION
    if fulfilment.status == READY_FOR_COLLECTION:
        return AWAITING_CUSTOMER_COLLECTION
    return PICK_PACK


def derive_order_status(order: Order) -> str | None:
    """The status the order's fulfilments call for; None when they call for no change."""
    if order.status in FINAL_ORDER_STATUSES:
        return None
    live = [f for f in order.fulfilments if f.status != CREATED]
    if not live:
        return None
    open_fulfilments = [f for f in live if f.status not in FINAL_FULFILMENT_STATUSES]
    if not open_fulfilments:
        return COMPLETE if any(f.status == COMPLETE for f in live) else ESCALATED
    if any(f.status == SYSTEM_REJECTED for f in live):
        return ESCALATED
    stages = {_stage(f) for f in open_fulfilments}
    return stages.pop() if len(stages) == 1 else PICK_PACK
