"""Master-data commands: setup, the three syncs, and their schedules."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any, TypeVar

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.service import RPCError

from cli.common import CliError, console, errors, print_json, settings_or_exit, temporal_client
from connector.commercetools.client import CommercetoolsClient
from connector.fluent.client import FluentClient
from connector.schedules import Change, apply_schedules
from connector.setup import SetupStep, run_setup
from connector.sync_control import SyncAlreadyRunningError, start_sync
from connector.syncs import PROGRESS_QUERY, SyncKind, SyncMode, SyncProgress, SyncResult

ResultT = TypeVar("ResultT")
POLL_INTERVAL = timedelta(seconds=0.5)
QUERY_TIMEOUT = timedelta(seconds=10)
FAILURES_SHOWN = 20
_CHANGE_STYLES = {
    Change.CREATED: "green",
    Change.UPDATED: "yellow",
    Change.UNCHANGED: "dim",
    Change.SKIPPED: "cyan",
    Change.FAILED: "bold red",
}


def register(subparsers: Any) -> None:
    setup = subparsers.add_parser(
        "setup",
        help="provision custom types, channels and search attributes; check Fluent; apply the "
        "schedules (safe to repeat: a second run changes nothing)",
    )
    setup.add_argument("--json", action="store_true", help="print the steps as JSON")
    setup.set_defaults(handler=setup_command)

    sync = subparsers.add_parser(
        "sync",
        help="run a master-data sync now (one of a kind at a time); exit code 1 when entities "
        "failed",
    )
    sync.add_argument("kind", choices=[kind.value for kind in SyncKind])
    sync.add_argument("--full", action="store_true", help="everything, not just what changed")
    sync.add_argument("--wait", action="store_true", help="show progress and the statistics")
    sync.add_argument("--json", action="store_true", help="wait and print the statistics as JSON")
    sync.set_defaults(handler=sync_command)

    schedules = subparsers.add_parser(
        "schedules", help="the Temporal Schedules of the syncs and the order reconciliation"
    )
    schedules.add_argument("action", choices=("apply",), help="create or update them in place")
    schedules.add_argument("--json", action="store_true", help="print the outcome as JSON")
    schedules.set_defaults(handler=schedules_command)


# --- setup ------------------------------------------------------------------------------------


async def setup_command(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(temporal_client(settings))
        commercetools = await stack.enter_async_context(CommercetoolsClient(settings.commercetools))
        fluent = await stack.enter_async_context(FluentClient(settings.fluent))
        report = await _guard(run_setup(settings, commercetools, fluent, client))
    if args.json:
        print_json(report)
    else:
        _render_steps("Setup", report.steps)
        if report.failed:
            errors.print("[bold red]Setup is incomplete:[/bold red] see the failed steps above.")
        elif report.changed:
            console.print("Setup complete.")
        else:
            console.print("Nothing changed: everything was already in place.")
    return 1 if report.failed else 0


def _render_steps(title: str, steps: list[SetupStep]) -> None:
    table = Table(title=title)
    for column in ("Area", "Name", "Change", "Detail"):
        table.add_column(column, overflow="fold")
    for step in steps:
        style = _CHANGE_STYLES[step.change]
        table.add_row(step.area, step.name, f"[{style}]{step.change.value}[/]", step.detail)
    console.print(table)


async def _guard(work: Awaitable[ResultT]) -> ResultT:
    """Temporal refusing a call is one line for the operator, not a traceback."""
    try:
        return await work
    except RPCError as exc:
        raise CliError(f"Temporal refused: {exc.message}") from None


# --- schedules --------------------------------------------------------------------------------


async def schedules_command(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    async with temporal_client(settings) as client:
        outcomes = await _guard(apply_schedules(client, settings))
    if args.json:
        print_json([outcome.model_dump(mode="json") for outcome in outcomes])
        return 0
    steps = [
        SetupStep(area="Temporal schedule", name=o.schedule_id, change=o.change, detail=o.detail)
        for o in outcomes
    ]
    _render_steps("Schedules", steps)
    if all(outcome.change is Change.UNCHANGED for outcome in outcomes):
        console.print("Nothing changed: every schedule was already as configured.")
    return 0


# --- sync -------------------------------------------------------------------------------------


async def sync_command(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    kind = SyncKind(args.kind)
    mode = SyncMode.FULL if args.full else SyncMode.DELTA
    async with temporal_client(settings) as client:
        try:
            handle = await _guard(start_sync(client, settings, kind, mode))
        except SyncAlreadyRunningError as exc:
            errors.print(f"[yellow]Not started:[/yellow] {exc}")
            await _show_running(client, exc)
            return 1
        if not (args.wait or args.json):
            console.print(
                f"Started the {kind.value} sync ({mode.value}): workflow {handle.id}, run "
                f"{handle.result_run_id}. Follow it with `starter.py sync {kind.value} --wait` "
                "next time, or in the Temporal UI."
            )
            return 0
        result = await (
            _follow(client, handle, kind) if args.wait and not args.json else _result(handle)
        )
    if args.json:
        print_json(result)
    else:
        render_result(result)
    return 1 if result.total.failed else 0


async def _show_running(client: Client, exc: SyncAlreadyRunningError) -> None:
    try:
        progress: SyncProgress = await client.get_workflow_handle(
            exc.running.workflow_id, run_id=exc.running.run_id
        ).query(PROGRESS_QUERY, result_type=SyncProgress, rpc_timeout=QUERY_TIMEOUT)
    except RPCError:
        return
    total = f" of {progress.total}" if progress.total is not None else ""
    errors.print(f"It is in phase '{progress.phase.value}', {progress.done}{total} done.")


async def _result(handle: WorkflowHandle[Any, SyncResult]) -> SyncResult:
    try:
        return await handle.result()
    except WorkflowFailureError as exc:
        raise CliError(f"the sync failed: {exc.cause}") from None


async def _follow(
    client: Client, handle: WorkflowHandle[Any, SyncResult], kind: SyncKind
) -> SyncResult:
    """A live progress bar from the `progress` query until the result is in."""
    outcome = asyncio.ensure_future(_result(handle))
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
    )
    latest = client.get_workflow_handle(handle.id)  # follows continue-as-new
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"{kind.value} sync: starting", total=None)
        while not outcome.done():
            try:
                progress: SyncProgress = await latest.query(
                    PROGRESS_QUERY, result_type=SyncProgress, rpc_timeout=QUERY_TIMEOUT
                )
            except RPCError:
                pass  # between runs of a continue-as-new, or not started yet
            else:
                waiting = f" ({progress.waiting_for})" if progress.waiting_for else ""
                bar.update(
                    task,
                    description=f"{kind.value} sync: {progress.phase.value}{waiting}",
                    completed=progress.done,
                    total=progress.total,
                )
            await asyncio.wait({outcome}, timeout=POLL_INTERVAL.total_seconds())
    return await outcome


def render_result(result: SyncResult) -> None:
    if result.status == "skipped":
        console.print(f"[yellow]Skipped:[/yellow] {result.skipped_because}")
        return
    window = (
        f"changes since {result.window_lower:%Y-%m-%d %H:%M:%S} UTC"
        if result.window_lower
        else "everything"
    )
    table = Table(
        title=f"{result.kind.value} sync ({result.mode.value}, {window}) in "
        f"{result.duration_seconds:.1f} s"
    )
    for column in ("Entity", "Processed", "Created", "Updated", "Unchanged", "Failed", "Writes"):
        table.add_column(column, justify="left" if column == "Entity" else "right")
    for entity, stats in [*result.stats.items(), ("total", result.total)]:
        failed = f"[bold red]{stats.failed}[/]" if stats.failed else "0"
        table.add_row(
            entity,
            str(stats.processed),
            str(stats.created),
            str(stats.updated),
            str(stats.unchanged),
            failed,
            str(stats.writes),
            style="bold" if entity == "total" else None,
        )
    console.print(table)
    failures = [f for stats in result.stats.values() for f in stats.failures]
    if failures:
        listing = Table(title="Failures (retried by the next run)", title_style="bold red")
        for column in ("Entity", "Id", "Reason"):
            listing.add_column(column, overflow="fold")
        for failure in failures[:FAILURES_SHOWN]:
            listing.add_row(failure.entity, failure.id, failure.reason)
        console.print(listing)
        hidden = result.total.failed - min(len(failures), FAILURES_SHOWN)
        if hidden:
            console.print(f"... and {hidden} more failures (see --json)")
