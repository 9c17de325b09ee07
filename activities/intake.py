"""Activities of order intake: read commercetools messages, hand them to order workflows, and
find orders that never reached Fluent.

Thin by design: the messages poller workflow keeps the watermark and the recently seen ids, the
reconciliation workflow only runs `reconcile_orders`; these methods query commercetools and
call `connector.intake`, which every intake path shares. All of them are safe to retry: starts
are idempotent by workflow id, and a duplicated cancel signal changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus

from activities.dependencies import Dependencies
from connector.commercetools.models import Message, Order
from connector.commercetools.predicates import datetime_literal, in_list, quote
from connector.events import (
    ORDER_MESSAGE_TYPES,
    CancelOrder,
    CommercetoolsEvent,
    Ignored,
    StartOrder,
    classify,
    event_from_message,
)
from connector.intake import IntakeOutcome, act_on_order, order_workflow_status, start_order
from connector.orders import FIELD_FLUENT_ORDER_REF, OrderTrigger

MESSAGES_PAGE_SIZE = 500
DEFAULT_MAX_MESSAGES_PER_POLL = 1_000
MAX_LISTED_ORDERS = 1_000
"""Reconciliation lists at most this many orders per category (the counts stay exact), which
keeps its result far below Temporal's payload limit."""


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True)


class IntakeCounts(_Message):
    """How many order messages led to what (the poller's running totals)."""

    started: int = 0
    already_started: int = 0
    cancel_signalled: int = 0
    cancel_started: int = 0
    cancel_too_late: int = 0
    ignored: int = 0

    def plus(self, other: IntakeCounts) -> IntakeCounts:
        return IntakeCounts.model_validate(
            {name: getattr(self, name) + getattr(other, name) for name in IntakeCounts.model_fields}
        )

    def counted(self, outcome: IntakeOutcome | None) -> IntakeCounts:
        """These counts plus one `outcome` (None: an ignored message)."""
        name = "ignored" if outcome is None else _COUNTER_OF[outcome]
        return self.model_copy(update={name: getattr(self, name) + 1})

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name in IntakeCounts.model_fields)


_COUNTER_OF = {
    IntakeOutcome.STARTED: "started",
    IntakeOutcome.ALREADY_STARTED: "already_started",
    IntakeOutcome.CANCEL_SIGNALLED: "cancel_signalled",
    IntakeOutcome.CANCEL_STARTED: "cancel_started",
    IntakeOutcome.CANCEL_TOO_LATE: "cancel_too_late",
}


class PollRequest(_Message):
    """Order messages created at or after `since`, except those already dispatched."""

    since: datetime
    exclude_ids: tuple[str, ...] = ()
    max_messages: int = DEFAULT_MAX_MESSAGES_PER_POLL


class PollResult(_Message):
    """New messages in (createdAt, id) order; `complete` is False when `max_messages` cut the
    read short and the poller should poll again at once."""

    events: tuple[CommercetoolsEvent, ...] = ()
    complete: bool = True


class DispatchRequest(_Message):
    events: tuple[CommercetoolsEvent, ...]


class ReconcileRequest(_Message):
    """Orders created in [`since` or `now - window`, `now - min age`]; unset values come from
    the settings (`ORDERS_RECONCILE_WINDOW`, `ORDERS_RECONCILE_MIN_AGE`)."""

    now: datetime
    since: datetime | None = None
    window: timedelta | None = None


class ReconciledOrder(_Message):
    order_id: str
    order_number: str | None = None
    created_at: datetime
    workflow_status: str | None = None
    """The status of the order's workflow when it has one (ended without an export marker)."""


class ReconcileResult(_Message):
    since: datetime
    until: datetime
    examined: int = 0
    """Orders in the window without the Fluent export marker."""
    missing: int = 0
    """Of those, orders that had no workflow at all."""
    started: tuple[ReconciledOrder, ...] = ()
    already_running: int = 0
    ended_without_export: tuple[ReconciledOrder, ...] = ()
    """Orders whose workflow has ended without exporting them (invalid, cancelled, failed):
    reconciliation never restarts those; an operator should look at them."""
    started_count: int = 0
    ended_count: int = 0
    truncated: bool = False
    """True when a list holds only the first `MAX_LISTED_ORDERS` entries."""


class ReconcileProgress(_Message):
    """Heartbeat details: where a retried attempt resumes, and what it had found so far."""

    cursor: str
    result: ReconcileResult


def _after(message: Message) -> str:
    """Messages strictly after `message` in (createdAt, id) order."""
    created = datetime_literal(message.created_at)
    return f"createdAt > {created} or (createdAt = {created} and id > {quote(message.id)})"


def _with(
    listed: tuple[ReconciledOrder, ...], order: ReconciledOrder
) -> tuple[bool, tuple[ReconciledOrder, ...]]:
    """(truncated, list) after adding `order` within `MAX_LISTED_ORDERS`."""
    if len(listed) >= MAX_LISTED_ORDERS:
        return True, listed
    return False, (*listed, order)


class IntakeActivities:
    """Registered by the order worker; holds the worker's clients and settings."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    @activity.defn(name="poll_order_messages")
    async def poll_order_messages(self, request: PollRequest) -> PollResult:
        """Page through `/messages` of the order types by (createdAt, id) from `since`."""
        where = [
            in_list("type", ORDER_MESSAGE_TYPES),
            f"createdAt >= {datetime_literal(request.since)}",
        ]
        excluded = frozenset(request.exclude_ids)
        events: list[CommercetoolsEvent] = []
        last: Message | None = None
        while True:
            cursor = [_after(last)] if last is not None else []
            page = await self._deps.commercetools.query_messages(
                where=[*where, *cursor], limit=MESSAGES_PAGE_SIZE
            )
            events += (event_from_message(m) for m in page if m.id not in excluded)
            activity.heartbeat(len(events))
            if len(page) < MESSAGES_PAGE_SIZE:
                return PollResult(events=tuple(events), complete=True)
            if len(events) >= request.max_messages:
                return PollResult(events=tuple(events), complete=False)
            last = page[-1]

    @activity.defn(name="dispatch_order_messages")
    async def dispatch_order_messages(self, request: DispatchRequest) -> IntakeCounts:
        """Start or cancel the order workflow of each message, in the given order."""
        counts = IntakeCounts()
        task_queue = self._deps.settings.temporal.order_task_queue
        for event in request.events:
            intent = classify(event)
            outcome: IntakeOutcome | None = None
            if isinstance(intent, StartOrder | CancelOrder):
                outcome = await act_on_order(
                    self._deps.temporal, intent, trigger=OrderTrigger.POLLER, task_queue=task_queue
                )
            else:
                why = intent.reason if isinstance(intent, Ignored) else "not an order message"
                activity.logger.info("message %s ignored: %s", event.message_id, why)
            counts = counts.counted(outcome)
            activity.heartbeat(counts.total)
        return counts

    @activity.defn(name="reconcile_orders")
    async def reconcile_orders(self, request: ReconcileRequest) -> ReconcileResult:
        """Start the workflow of every order in the window that has no Fluent export marker
        and no workflow. Resumes after the last examined order when retried."""
        orders = self._deps.settings.orders
        until = request.now - orders.reconcile_min_age
        since = request.since or request.now - (request.window or orders.reconcile_window)
        where = [
            f"createdAt >= {datetime_literal(since)}",
            f"createdAt <= {datetime_literal(until)}",
            f"custom is not defined or custom(fields({FIELD_FLUENT_ORDER_REF} is not defined))",
        ]
        result = ReconcileResult(since=since, until=until)
        details = activity.info().heartbeat_details
        if details:
            progress = ReconcileProgress.model_validate(details[0])
            result = progress.result
            where.append(f"id > {quote(progress.cursor)}")
        async for page in self._deps.commercetools.iterate_orders(where=where):
            for order in page:
                result = await self._reconcile_one(order, result)
                activity.heartbeat(ReconcileProgress(cursor=order.id, result=result))
        return result

    async def _reconcile_one(self, order: Order, result: ReconcileResult) -> ReconcileResult:
        temporal = self._deps.temporal
        result = result.model_copy(update={"examined": result.examined + 1})
        status = await order_workflow_status(temporal, order.id)
        entry = ReconciledOrder(
            order_id=order.id, order_number=order.order_number, created_at=order.created_at
        )
        if status is None:
            result = result.model_copy(update={"missing": result.missing + 1})
            started = await start_order(
                temporal,
                order.id,
                trigger=OrderTrigger.RECONCILE,
                order_number=order.order_number,
                task_queue=self._deps.settings.temporal.order_task_queue,
            )
            if not started:  # started by another intake path a moment ago
                return result.model_copy(update={"already_running": result.already_running + 1})
            activity.logger.info("reconcile started the workflow of order %s", order.id)
            truncated, listed = _with(result.started, entry)
            return result.model_copy(
                update={
                    "started": listed,
                    "started_count": result.started_count + 1,
                    "truncated": result.truncated or truncated,
                }
            )
        if status == WorkflowExecutionStatus.RUNNING:
            return result.model_copy(update={"already_running": result.already_running + 1})
        ended = entry.model_copy(update={"workflow_status": status.name})
        truncated, listed = _with(result.ended_without_export, ended)
        return result.model_copy(
            update={
                "ended_without_export": listed,
                "ended_count": result.ended_count + 1,
                "truncated": result.truncated or truncated,
            }
        )
