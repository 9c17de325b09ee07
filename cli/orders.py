"""Order commands: follow an order, start or cancel its workflow, reconcile, the messages poller."""

from __future__ import annotations

import argparse
import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.panel import Panel
from rich.table import Table
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.intake import ReconciledOrder, ReconcileResult
from cli.common import (
    CliError,
    console,
    errors,
    parse_duration,
    print_json,
    settings_or_exit,
    temporal_client,
)
from connector.commercetools.client import CommercetoolsClient
from connector.commercetools.models import Order
from connector.config import Settings
from connector.errors import ConnectorError, NotFoundError
from connector.intake import CancelOutcome, cancel_order, order_workflow_status, start_order
from connector.orders import STATUS_QUERY, OrderStatus, OrderTrigger, order_workflow_id
from workflows.messages_poller import (
    MESSAGES_POLLER_ID,
    MESSAGES_POLLER_WORKFLOW,
    POLLER_STATUS_QUERY,
    STOP_SIGNAL,
    PollerInput,
    PollerStatus,
)
from workflows.reconcile import RECONCILE_WORKFLOW, ReconcileInput, reconcile_workflow_id

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
QUERY_TIMEOUT = timedelta(seconds=15)
STOP_WAIT_SECONDS = 30.0


def register(subparsers: Any) -> None:
    order = subparsers.add_parser("order", help="follow or act on one order's workflow")
    order_commands = order.add_subparsers(dest="order_command", metavar="ACTION", required=True)

    status = order_commands.add_parser(
        "status", help="the lifecycle of one order (fulfilments, deliveries, invoices, timeline)"
    )
    status.add_argument("order", help="commercetools order id or order number")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(handler=order_status)

    start = order_commands.add_parser("start", help="start the workflow of an order by hand")
    start.add_argument("order", help="commercetools order id or order number")
    start.set_defaults(handler=order_start)

    cancel = order_commands.add_parser("cancel", help="ask an order's workflow to cancel it")
    cancel.add_argument("order", help="commercetools order id or order number")
    cancel.add_argument("--reason", default="cancelled by operator")
    cancel.set_defaults(handler=order_cancel)

    reconcile = subparsers.add_parser(
        "reconcile",
        help="start workflows for commercetools orders that never reached Fluent",
    )
    reconcile.add_argument(
        "--since", default=None, help="look back this far, e.g. 6h or 2d (default: setting)"
    )
    reconcile.add_argument("--json", action="store_true", help="print the result as JSON")
    reconcile.set_defaults(handler=reconcile_orders)

    poller = subparsers.add_parser(
        "poller", help="the commercetools messages poller, for projects without a subscription"
    )
    poller.add_argument("action", choices=("start", "stop", "status"))
    poller.add_argument(
        "--since",
        default=None,
        help="start: read messages from this far back, e.g. 1h (default: the overlap setting)",
    )
    poller.add_argument("--json", action="store_true", help="status: print it as JSON")
    poller.set_defaults(handler=poller_command)


# --- finding the order --------------------------------------------------------------------------


async def _find_order(settings: Settings, reference: str) -> Order:
    """The commercetools order with this id or, failing that, this order number."""
    async with CommercetoolsClient(settings.commercetools) as commercetools:
        try:
            if _UUID.match(reference):
                try:
                    return await commercetools.get_order(reference)
                except NotFoundError:
                    pass
            return await commercetools.get_order_by_number(reference)
        except NotFoundError:
            raise CliError(f"no commercetools order has the id or number {reference!r}") from None
        except ConnectorError as exc:
            raise CliError(f"cannot read order {reference!r} from commercetools: {exc}") from None


def _label(order_id: str, order_number: str | None) -> str:
    return f"order {order_number} ({order_id})" if order_number else f"order {order_id}"


# --- order status -------------------------------------------------------------------------------


async def order_status(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    async with temporal_client(settings) as client:
        order_id, workflow_status = await _locate_workflow(client, settings, args.order)
        status = await _query_status(client, order_id)
    if args.json:
        print_json(
            {
                "workflowId": order_workflow_id(order_id),
                "workflowStatus": workflow_status.name,
                "status": status.model_dump(mode="json"),
            }
        )
        return 0
    _render_status(status, workflow_status)
    return 0


async def _locate_workflow(
    client: Client, settings: Settings, reference: str
) -> tuple[str, WorkflowExecutionStatus]:
    """The order id and its workflow's status; an id is tried as is before commercetools is
    asked (by id or number)."""
    if _UUID.match(reference):
        workflow_status = await order_workflow_status(client, reference)
        if workflow_status is not None:
            return reference, workflow_status
    order = await _find_order(settings, reference)
    workflow_status = await order_workflow_status(client, order.id)
    if workflow_status is None:
        raise CliError(
            f"{_label(order.id, order.order_number)} has no workflow: it was never taken in. "
            f"Start it with `python starter.py order start {reference}`"
        )
    return order.id, workflow_status


async def _query_status(client: Client, order_id: str) -> OrderStatus:
    handle = client.get_workflow_handle(order_workflow_id(order_id))
    try:
        status: OrderStatus = await handle.query(
            STATUS_QUERY, result_type=OrderStatus, rpc_timeout=QUERY_TIMEOUT
        )
    except RPCError as exc:
        if exc.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.UNAVAILABLE):
            raise CliError(
                f"no worker answered the status query of {handle.id}: is `python worker.py` "
                "running?"
            ) from None
        raise CliError(f"cannot query {handle.id}: {exc}") from None
    return status


def _render_status(status: OrderStatus, workflow_status: WorkflowExecutionStatus) -> None:
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold")
    header.add_column()
    rows = [
        ("Workflow", f"{order_workflow_id(status.ct_order_id)} ({workflow_status.name})"),
        ("Order type", status.order_type.value if status.order_type else None),
        ("Stage", status.stage.value),
        ("Fluent order", _joined(status.fluent_order_ref, status.fluent_order_id)),
        ("Fluent status", status.fluent_status),
        ("commercetools", _joined(status.ct_order_state, status.ct_shipment_state)),
        ("Pickup location", status.pickup_location_ref),
        ("Cancellation", status.cancel_requested.reason if status.cancel_requested else None),
    ]
    for name, value in rows:
        if value:
            header.add_row(name, value)
    title = f"Order {status.ct_order_number or status.ct_order_id}"
    console.print(Panel(header, title=title, expand=False))

    if status.fulfilments:
        table = Table(title="Fulfilments")
        for column in ("Ref", "Kind", "Location", "Status", "Lines", "Invoice"):
            table.add_column(column)
        for fulfilment in status.fulfilments:
            lines = "\n".join(
                f"{line.sku} {line.filled}/{line.requested}"
                + (f" ({line.rejected} rejected)" if line.rejected else "")
                for line in fulfilment.lines
            )
            location = fulfilment.location_name or fulfilment.location_ref or ""
            table.add_row(
                fulfilment.ref,
                fulfilment.kind,
                location,
                fulfilment.status or "",
                lines,
                fulfilment.invoice_ref or "",
            )
        console.print(table)
    if status.delivery_keys:
        console.print(f"[bold]Deliveries:[/bold] {', '.join(status.delivery_keys)}")
    if status.invoice_refs:
        console.print(f"[bold]Invoices:[/bold] {', '.join(status.invoice_refs)}")
    if status.issues:
        issues = Table(title="Issues", title_style="bold red")
        for column in ("At", "Kind", "Reason"):
            issues.add_column(column)
        for issue in status.issues:
            issues.add_row(_when(issue.at), issue.kind.value, issue.reason)
        console.print(issues)
    if status.timeline:
        timeline = Table(title="Timeline")
        timeline.add_column("At")
        timeline.add_column("Event")
        for entry in status.timeline:
            timeline.add_row(_when(entry.at), entry.text)
        console.print(timeline)


def _joined(*values: str | None) -> str | None:
    present = [value for value in values if value]
    return " / ".join(present) if present else None


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


# --- start and cancel ---------------------------------------------------------------------------


async def order_start(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    order = await _find_order(settings, args.order)
    label = _label(order.id, order.order_number)
    async with temporal_client(settings) as client:
        started = await start_order(
            client,
            order.id,
            trigger=OrderTrigger.OPERATOR,
            order_number=order.order_number,
            task_queue=settings.temporal.order_task_queue,
        )
        if started:
            console.print(f"started {order_workflow_id(order.id)} for {label}")
            return 0
        existing = await order_workflow_status(client, order.id)
    state = existing.name if existing else "unknown state"
    console.print(f"{label} already has its workflow {order_workflow_id(order.id)} ({state})")
    return 0


_CANCEL_MESSAGES = {
    CancelOutcome.SIGNALLED: "asked the running workflow {workflow} to cancel {label}",
    CancelOutcome.STARTED_CANCELLED: (
        "{label} had no workflow: started {workflow} with the cancellation, so it will not be "
        "exported"
    ),
    CancelOutcome.ALREADY_CLOSED: "the workflow {workflow} of {label} has already ended",
}


async def order_cancel(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    order = await _find_order(settings, args.order)
    async with temporal_client(settings) as client:
        outcome = await cancel_order(
            client,
            order.id,
            reason=args.reason,
            task_queue=settings.temporal.order_task_queue,
            trigger=OrderTrigger.OPERATOR,
            order_number=order.order_number,
            source="operator",
        )
    message = _CANCEL_MESSAGES[outcome].format(
        workflow=order_workflow_id(order.id), label=_label(order.id, order.order_number)
    )
    console.print(message)
    return 1 if outcome is CancelOutcome.ALREADY_CLOSED else 0


# --- reconcile ----------------------------------------------------------------------------------


async def reconcile_orders(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    now = datetime.now(UTC)
    since = now - parse_duration(args.since) if args.since else None
    workflow_id = reconcile_workflow_id(now)
    async with temporal_client(settings) as client:
        errors.print(
            f"running {workflow_id} on task queue {settings.temporal.order_task_queue} "
            "(needs a running worker)"
        )
        try:
            result = await client.execute_workflow(
                RECONCILE_WORKFLOW,
                ReconcileInput(since=since),
                id=workflow_id,
                task_queue=settings.temporal.order_task_queue,
                result_type=ReconcileResult,
                static_summary="manual order reconciliation",
            )
        except WorkflowFailureError as exc:
            raise CliError(f"reconciliation failed: {exc.cause}") from None
    if args.json:
        print_json(result)
        return 0
    _render_reconcile(result)
    return 0


def _render_reconcile(result: ReconcileResult) -> None:
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("Window", f"{_when(result.since)} .. {_when(result.until)} UTC")
    summary.add_row("Orders without export marker", str(result.examined))
    summary.add_row("Without a workflow", str(result.missing))
    summary.add_row("Started now", str(result.started_count))
    summary.add_row("Workflow running", str(result.already_running))
    summary.add_row("Workflow ended without export", str(result.ended_count))
    console.print(Panel(summary, title="Order reconciliation", expand=False))
    for title, orders in (
        ("Started", result.started),
        ("Ended without export (look at these)", result.ended_without_export),
    ):
        if orders:
            console.print(_orders_table(title, orders))
    if result.truncated:
        console.print("[yellow]lists truncated; the counts above are complete[/yellow]")


def _orders_table(title: str, orders: tuple[ReconciledOrder, ...]) -> Table:
    with_status = any(order.workflow_status for order in orders)
    table = Table(title=title)
    for column in ("Order id", "Number", "Created", *(("Workflow",) if with_status else ())):
        table.add_column(column)
    for order in orders:
        cells = [order.order_id, order.order_number or "", _when(order.created_at)]
        table.add_row(*cells, *((order.workflow_status or "",) if with_status else ()))
    return table


# --- the messages poller ------------------------------------------------------------------------


async def poller_command(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    if args.since and args.action != "start":
        raise CliError("--since applies to `poller start` only")
    if args.json and args.action != "status":
        raise CliError("--json applies to `poller status` only")
    async with temporal_client(settings) as client:
        if args.action == "start":
            return await _poller_start(client, settings, args.since)
        if args.action == "stop":
            return await _poller_stop(client)
        return await _poller_status(client, as_json=args.json)


async def _poller_start(client: Client, settings: Settings, since: str | None) -> int:
    orders = settings.orders
    watermark = (
        datetime.now(UTC) - parse_duration(since) + orders.messages_overlap if since else None
    )
    poller_input = PollerInput(
        poll_interval=orders.messages_poll_interval,
        overlap=orders.messages_overlap,
        watermark=watermark,
    )
    try:
        await client.start_workflow(
            MESSAGES_POLLER_WORKFLOW,
            poller_input,
            id=MESSAGES_POLLER_ID,
            task_queue=settings.temporal.order_task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            static_summary="commercetools messages poller",
        )
    except WorkflowAlreadyStartedError:
        console.print(f"the messages poller ({MESSAGES_POLLER_ID}) is already running")
        return 0
    interval = int(orders.messages_poll_interval.total_seconds())
    console.print(f"started the messages poller ({MESSAGES_POLLER_ID}), polling every {interval}s")
    return 0


async def _poller_stop(client: Client) -> int:
    handle = client.get_workflow_handle(MESSAGES_POLLER_ID, result_type=PollerStatus)
    try:
        await handle.signal(STOP_SIGNAL)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            console.print("the messages poller is not running")
            return 0
        raise
    try:
        final = await asyncio.wait_for(handle.result(), timeout=STOP_WAIT_SECONDS)
    except TimeoutError:
        console.print("stop requested; the poller stops after its current poll")
        return 0
    console.print(f"stopped the messages poller at watermark {final.watermark.isoformat()}")
    return 0


async def _poller_status(client: Client, *, as_json: bool) -> int:
    handle = client.get_workflow_handle(MESSAGES_POLLER_ID, result_type=PollerStatus)
    try:
        description = await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise CliError(
                "the messages poller was never started: `python starter.py poller start`"
            ) from None
        raise
    running = description.status == WorkflowExecutionStatus.RUNNING
    status: PollerStatus
    if running:
        status = await handle.query(
            POLLER_STATUS_QUERY, result_type=PollerStatus, rpc_timeout=QUERY_TIMEOUT
        )
    elif description.status == WorkflowExecutionStatus.COMPLETED:
        status = await handle.result()
    else:
        state = description.status.name if description.status else "unknown"
        raise CliError(f"the messages poller is not running (its last run ended: {state})")
    if as_json:
        print_json({"running": running, "status": status.model_dump(mode="json")})
        return 0
    _render_poller(status, running)
    return 0


def _render_poller(status: PollerStatus, running: bool) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    counts = status.dispatched
    grid.add_row("State", "running" if running else "stopped")
    grid.add_row("Watermark", status.watermark.isoformat())
    grid.add_row("Interval / overlap", f"{status.poll_interval} / {status.overlap}")
    grid.add_row("Polls (failed)", f"{status.polls} ({status.failures})")
    grid.add_row("Last poll", status.last_poll_at.isoformat() if status.last_poll_at else "never")
    grid.add_row("Started", str(counts.started))
    grid.add_row("Already started", str(counts.already_started))
    grid.add_row(
        "Cancellations",
        f"{counts.cancel_signalled} signalled, {counts.cancel_started} before creation, "
        f"{counts.cancel_too_late} too late",
    )
    grid.add_row("Ignored", str(counts.ignored))
    if status.last_error:
        grid.add_row("Last error", f"[red]{status.last_error}[/red]")
    console.print(Panel(grid, title="commercetools messages poller", expand=False))
