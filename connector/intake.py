"""The Temporal side of order intake: start, cancel and notify order workflows by business key.

Every intake path (the subscription endpoint, the messages poller, reconciliation, the operator
CLI) goes through these functions, so a duplicate trigger from any of them lands on the same
workflow id `order-<commercetools order id>` and never starts a second lifecycle: the id reuse
policy REJECT_DUPLICATE refuses a new run after a closed one, the conflict policy USE_EXISTING
attaches to a running one. Workflows are started by type name, so this module does not import
the workflow code.

`FluentOrderResolver` maps Fluent webhooks back to workflows: the order workflow creates every
Fluent order with the attribute `commercetoolsOrderId` (see `COMMERCETOOLS_ORDER_ID_ATTRIBUTE`),
which is the only link from a Fluent order ref to the commercetools order id.
"""

from __future__ import annotations

from collections import OrderedDict
from enum import StrEnum
from typing import Any, Protocol

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from connector.events import CancelOrder, StartOrder
from connector.fluent.models import Order as FluentOrder
from connector.mapping.orders import ATTRIBUTE_CT_ORDER_ID
from connector.orders import (
    CANCEL_SIGNAL,
    FLUENT_NEWS_SIGNAL,
    ORDER_WORKFLOW,
    CancelRequest,
    FluentNews,
    OrderTrigger,
    OrderWorkflowInput,
    order_workflow_id,
)

COMMERCETOOLS_ORDER_ID_ATTRIBUTE = ATTRIBUTE_CT_ORDER_ID
"""The Fluent order attribute holding the commercetools order id: the one the order mapping
writes at order creation."""

DEFAULT_RESOLVER_CACHE_SIZE = 10_000

_UNAVAILABLE_STATUSES = frozenset(
    {
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.RESOURCE_EXHAUSTED,
        RPCStatusCode.CANCELLED,
        RPCStatusCode.ABORTED,
    }
)
_CONNECT_FAILURE_PREFIX = "Failed client connect"


def temporal_unavailable(error: BaseException) -> bool:
    """True when a Temporal call failed because the service is unreachable, overloaded or timed
    out: the caller should ask its sender to retry later (HTTP 503). Other failures (bad
    request, permission denied, ...) will not heal by retrying the same call."""
    if isinstance(error, RPCError):
        return error.status in _UNAVAILABLE_STATUSES
    if isinstance(error, TimeoutError):
        return True
    # A lazily connected client raises RuntimeError when it cannot reach the server.
    return isinstance(error, RuntimeError) and str(error).startswith(_CONNECT_FAILURE_PREFIX)


def order_summary(order_id: str, order_number: str | None) -> str:
    """The workflow's static summary in the Temporal UI; numbers and ids only, no personal data."""
    return f"commercetools order {order_number or order_id}"


def _started(handle: WorkflowHandle[Any, Any]) -> bool:
    """Whether a start call created a run (False when USE_EXISTING attached to a running one).
    The SDK keeps the server's start response on the handle; its `started` flag says which."""
    response = handle._start_workflow_response
    if response is None:
        raise RuntimeError("this Temporal SDK does not report whether a start created a run")
    return response.started


async def start_order(
    client: Client,
    order_id: str,
    *,
    trigger: OrderTrigger,
    order_number: str | None,
    task_queue: str,
) -> bool:
    """Start the order's workflow; False when it already runs or has already run."""
    try:
        handle = await _start_lifecycle(
            client, order_id, trigger=trigger, order_number=order_number, task_queue=task_queue
        )
    except WorkflowAlreadyStartedError:
        return False
    return _started(handle)


async def _start_lifecycle(
    client: Client,
    order_id: str,
    *,
    trigger: OrderTrigger,
    order_number: str | None,
    task_queue: str,
    cancel: CancelRequest | None = None,
) -> WorkflowHandle[Any, Any]:
    """Start the one lifecycle of the order, or join the running one (signalled `cancel` when
    given); `WorkflowAlreadyStartedError` when it has already run."""
    return await client.start_workflow(
        ORDER_WORKFLOW,
        OrderWorkflowInput(order_id=order_id, trigger=trigger),
        id=order_workflow_id(order_id),
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary=order_summary(order_id, order_number),
        start_signal=CANCEL_SIGNAL if cancel is not None else None,
        start_signal_args=[cancel] if cancel is not None else [],
    )


class CancelOutcome(StrEnum):
    SIGNALLED = "signalled"
    """The running lifecycle received the cancellation."""
    STARTED_CANCELLED = "started-cancelled"
    """No lifecycle existed: one was started with the cancellation as its first signal, so it
    ends without exporting the order."""
    ALREADY_CLOSED = "already-closed"
    """The lifecycle has already ended; there is nothing left to cancel."""


async def cancel_order(
    client: Client,
    order_id: str,
    *,
    reason: str,
    task_queue: str,
    trigger: OrderTrigger,
    order_number: str | None = None,
    source: str = "commercetools",
) -> CancelOutcome:
    """Signal-with-start `cancel`: a cancellation that arrives before (or without) the order's
    creation event still reaches the one lifecycle of that order."""
    try:
        handle = await _start_lifecycle(
            client,
            order_id,
            trigger=trigger,
            order_number=order_number,
            task_queue=task_queue,
            cancel=CancelRequest(reason=reason, source=source),
        )
    except WorkflowAlreadyStartedError:
        return CancelOutcome.ALREADY_CLOSED
    return CancelOutcome.STARTED_CANCELLED if _started(handle) else CancelOutcome.SIGNALLED


async def notify_order(client: Client, ct_order_id: str, news: FluentNews) -> bool:
    """Signal Fluent's news to the order's workflow; False when no such workflow is running
    (never started, or already closed)."""
    handle = client.get_workflow_handle(order_workflow_id(ct_order_id))
    try:
        await handle.signal(FLUENT_NEWS_SIGNAL, news)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def order_workflow_status(client: Client, order_id: str) -> WorkflowExecutionStatus | None:
    """The status of the order's latest workflow run, or None when it never had one."""
    try:
        description = await client.get_workflow_handle(order_workflow_id(order_id)).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return description.status


class IntakeOutcome(StrEnum):
    """What one order intent did, for logs and counters."""

    STARTED = "started"
    ALREADY_STARTED = "already-started"
    CANCEL_SIGNALLED = "cancel-signalled"
    CANCEL_STARTED = "cancel-started"
    CANCEL_TOO_LATE = "cancel-too-late"


_CANCEL_OUTCOMES = {
    CancelOutcome.SIGNALLED: IntakeOutcome.CANCEL_SIGNALLED,
    CancelOutcome.STARTED_CANCELLED: IntakeOutcome.CANCEL_STARTED,
    CancelOutcome.ALREADY_CLOSED: IntakeOutcome.CANCEL_TOO_LATE,
}


async def act_on_order(
    client: Client, intent: StartOrder | CancelOrder, *, trigger: OrderTrigger, task_queue: str
) -> IntakeOutcome:
    """Carry out an order intent from a commercetools message; returns only once Temporal has
    durably accepted the start or the signal."""
    if isinstance(intent, StartOrder):
        started = await start_order(
            client,
            intent.order_id,
            trigger=trigger,
            order_number=intent.order_number,
            task_queue=task_queue,
        )
        return IntakeOutcome.STARTED if started else IntakeOutcome.ALREADY_STARTED
    outcome = await cancel_order(
        client,
        intent.order_id,
        reason=intent.reason,
        task_queue=task_queue,
        trigger=trigger,
        order_number=intent.order_number,
    )
    return _CANCEL_OUTCOMES[outcome]


class OrderLookup(Protocol):
    """The part of `FluentClient` the resolver needs."""

    async def find_order(self, ref: str) -> FluentOrder | None: ...


class FluentOrderResolver:
    """Fluent order ref -> commercetools order id, through the order's `commercetoolsOrderId`
    attribute. A bounded LRU cache keeps webhook handling fast; only found mappings are cached
    (an unknown order may be created a moment later), and a mapping never changes once made."""

    def __init__(
        self, fluent: OrderLookup, *, max_entries: int = DEFAULT_RESOLVER_CACHE_SIZE
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        self._fluent = fluent
        self._max_entries = max_entries
        self._cache: OrderedDict[str, str] = OrderedDict()

    async def resolve(self, fluent_order_ref: str) -> str | None:
        """The commercetools order id, or None when Fluent has no such order or the order
        carries no commercetools id (it was not created by this connector)."""
        cached = self._cache.get(fluent_order_ref)
        if cached is not None:
            self._cache.move_to_end(fluent_order_ref)
            return cached
        order = await self._fluent.find_order(fluent_order_ref)
        if order is None:
            return None
        ct_order_id = order.attribute(COMMERCETOOLS_ORDER_ID_ATTRIBUTE)
        if not isinstance(ct_order_id, str) or not ct_order_id:
            return None
        self._cache[fluent_order_ref] = ct_order_id
        if len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
        return ct_order_id
