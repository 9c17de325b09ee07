"""`starter.py demo`: the whole connector on a laptop (Temporal dev server and both sandboxes).

- `starter.py demo` (what `make demo` runs): starts the Temporal dev server, both sandboxes
  (demo seed, Fluent auto-pilot on), the connector's webhook app and worker, wires them
  together, runs `setup` and the three syncs (showing their statistics), places the scripted
  orders (`cli.demo_orders`), prints where to look and each order's journey as it ends, and runs
  until Ctrl-C; then it stops every process it started and nothing else.
- `--check`: the same start-up, every component asked once, stop; exit 0, or 1 naming what
  does not answer (2 when start-up itself fails, naming the component).
- `--orders N --exit-when-done [--json]`: N scripted orders (cycling through the scenarios) run
  to the end, their journeys printed (as JSON with `--json`); exit 0 only if every order ended
  as its scenario expects, 1 otherwise, within `--timeout` seconds.

Ports come from flags, then `DEMO_*_PORT`, then the defaults (see `docs/demo.md`); logs and the
operator's environment file (`demo.env`) go to `--state-dir` (default `.demo/`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from temporalio.service import RPCError

from cli.common import CliError, console, errors, print_json
from cli.demo_orders import (
    DemoShop,
    DemoShopError,
    Journey,
    PlacedOrder,
    check_scenarios,
    collect_journey,
    current_status,
    plan_orders,
    wait_for_outcome,
)
from cli.demo_stack import (
    PORT_SETTINGS,
    PROJECT_ROOT,
    ComponentError,
    ComponentStatus,
    DemoStack,
    DemoTopology,
    resolve_ports,
    run_to_completion,
)
from cli.syncs import render_result
from connector.commercetools.client import CommercetoolsClient
from connector.errors import ConnectorError
from connector.fluent.client import FluentClient
from connector.schedules import Change
from connector.setup import SetupReport
from connector.syncs import SyncKind, SyncResult
from sandbox.seed import SeedData, SeedSize, generate

DEFAULT_ORDERS = 4
DEFAULT_TIMEOUT_SECONDS = 180.0
DEFAULT_AUTOPILOT_INTERVAL = 1.0
READY_TIMEOUT_SECONDS = 60.0
PROVISION_TIMEOUT_SECONDS = 300.0
WATCH_INTERVAL_SECONDS = 0.5
# `starter.py sync` exits 1 with nothing on stdout and this on stderr when a run is going.
SYNC_BUSY_EXIT_CODE = 1
SYNC_BUSY_MESSAGE = "is already running"
SYNC_RETRY_SECONDS = 1.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
INTERRUPTED = 130
ModelT = TypeVar("ModelT", bound=BaseModel)


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run the connector on the embedded default: Temporal dev server + sandboxes",
        description=(
            "Start the Temporal dev server, both sandboxes, the connector's webhook app and "
            "worker; run setup and the syncs; place scripted orders; run until Ctrl-C. Needs "
            "no configuration: every process gets its settings from the demo."
        ),
    )
    demo.add_argument("--check", action="store_true", help="start, verify, stop; exit 0 if ok")
    demo.add_argument(
        "--orders",
        type=order_count,
        default=None,
        metavar="N",
        help=f"place N scripted orders, cycling through the scenarios (default {DEFAULT_ORDERS})",
    )
    demo.add_argument(
        "--exit-when-done",
        action="store_true",
        help="stop when the orders have ended; exit 0 only if each ended as expected",
    )
    demo.add_argument(
        "--json", action="store_true", help="print the journeys (or the --check result) as JSON"
    )
    demo.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="with --exit-when-done: how long the orders may take "
        f"(default {DEFAULT_TIMEOUT_SECONDS:.0f})",
    )
    demo.add_argument(
        "--autopilot-interval",
        type=seconds,
        default=DEFAULT_AUTOPILOT_INTERVAL,
        metavar="SECONDS",
        help="seconds between the simulated store staff's steps "
        f"(default {DEFAULT_AUTOPILOT_INTERVAL})",
    )
    demo.add_argument(
        "--state-dir",
        type=Path,
        default=PROJECT_ROOT / ".demo",
        metavar="DIR",
        help="where the logs and demo.env go (default .demo/ in the project)",
    )
    ports = demo.add_argument_group("ports", "0 picks a free port")
    for setting in PORT_SETTINGS:
        ports.add_argument(
            setting.flag,
            type=int,
            default=None,
            dest=f"port_{setting.name}",
            metavar="PORT",
            help=f"{setting.component} (default ${setting.env} or {setting.default})",
        )
    demo.set_defaults(handler=demo_command)


def order_count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


@dataclass(frozen=True)
class DemoOptions:
    check: bool
    orders: int
    exit_when_done: bool
    as_json: bool
    timeout: float
    topology: DemoTopology

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> DemoOptions:
        if args.check and (args.orders is not None or args.exit_when_done):
            raise CliError(
                "--check starts, verifies and stops: it takes no --orders or --exit-when-done"
            )
        if args.json and not (args.check or args.exit_when_done):
            raise CliError(
                "--json needs --exit-when-done or --check (the demo otherwise runs until Ctrl-C)"
            )
        flags = {setting.name: getattr(args, f"port_{setting.name}") for setting in PORT_SETTINGS}
        topology = DemoTopology(
            ports=resolve_ports(flags, os.environ),
            state_dir=args.state_dir.resolve(),
            autopilot_interval=args.autopilot_interval,
        )
        return cls(
            check=args.check,
            orders=0 if args.check else (DEFAULT_ORDERS if args.orders is None else args.orders),
            exit_when_done=args.exit_when_done,
            as_json=args.json,
            timeout=args.timeout,
            topology=topology,
        )


async def demo_command(args: argparse.Namespace) -> int:
    """Run the demo; SIGINT or SIGTERM (Ctrl-C) stops it, at any point, and every process it
    started with it."""
    options = DemoOptions.from_args(args)
    progress = errors if options.as_json else console
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    stopped_by: list[str] = []

    def stop(sig: signal.Signals) -> None:
        if not stopped_by:
            progress.print(f"\n{sig.name}: stopping every process the demo started ...")
        stopped_by.append(sig.name)
        task.cancel()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop, sig)
    demo = Demo(options, progress)
    try:
        return await demo.run()
    except asyncio.CancelledError:
        if not stopped_by:
            raise
        while task.uncancel():
            pass
        progress.print("Stopped.")
        return 0 if demo.running_until_stopped else INTERRUPTED
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


class Demo:
    """One run of the demo. `running_until_stopped` turns true once it only waits for Ctrl-C
    (stopping then is the normal end, exit code 0)."""

    def __init__(self, options: DemoOptions, progress: Console) -> None:
        self.options = options
        self.progress = progress
        self.running_until_stopped = False
        self.seed: SeedData = generate(SeedSize.demo())  # what the sandboxes load with --seed demo
        check_scenarios(self.seed)

    async def run(self) -> int:
        options, topology = self.options, self.options.topology
        async with DemoStack(topology, os.environ, READY_TIMEOUT_SECONDS) as stack:
            self.progress.print(
                f"Starting the demo (logs in {_shown(topology.state_dir)}): Temporal dev server, "
                "commercetools and Fluent sandboxes, connector webhook app and worker ..."
            )
            await stack.start()
            statuses = await stack.check()
            if options.check:
                return self._report_check(stack, statuses)
            failing = [status for status in statuses if not status.ok]
            if failing:
                raise ComponentError(failing[0].name, failing[0].problem or "does not answer")
            self.progress.print(f"All {len(statuses)} components answer.")
            syncs = await self._provision(stack)
            async with (
                CommercetoolsClient(topology.commercetools_settings()) as commercetools,
                FluentClient(topology.fluent_settings()) as fluent,
            ):
                placed = await self._place_orders(stack)
                self._where_to_look(stack, placed)
                if not options.exit_when_done:
                    self.running_until_stopped = True
                    await self._run_until_stopped(stack, placed, commercetools, fluent)
                journeys = await self._follow(stack, placed, commercetools, fluent)
                return self._report_journeys(stack, statuses, syncs, journeys)

    # --- check ------------------------------------------------------------------------------------

    def _report_check(self, stack: DemoStack, statuses: list[ComponentStatus]) -> int:
        ok = all(status.ok for status in statuses)
        if self.options.as_json:
            print_json(
                {
                    "ok": ok,
                    "components": [_component_json(status) for status in statuses],
                    "logs": {name: str(path) for name, path in stack.log_paths.items()},
                }
            )
        else:
            console.print(_components_table(statuses))
        for status in statuses:
            if not status.ok:
                errors.print(f"[red]error:[/red] {status.name}: {status.problem}")
        if ok:
            self.progress.print("Every component answers; stopping.")
        return 0 if ok else 1

    # --- setup and syncs --------------------------------------------------------------------------

    async def _provision(self, stack: DemoStack) -> dict[str, SyncResult]:
        """`starter.py setup`, then the three syncs at once, as an operator would run them."""
        self.progress.print("Running setup ...")
        code, stdout, stderr = await self._starter(stack, "setup", "--json")
        report = _parsed(SetupReport, stdout, f"setup (exit code {code})", stderr)
        failed = [step for step in report.steps if step.change is Change.FAILED]
        if failed:
            raise CliError(
                "setup failed: " + "; ".join(f"{s.area} {s.name}: {s.detail}" for s in failed)
            )
        changes = dict.fromkeys(Change, 0)
        for step in report.steps:
            changes[step.change] += 1
        self.progress.print(
            "Setup: " + ", ".join(f"{n} {change.value}" for change, n in changes.items() if n)
        )
        self.progress.print("Running the catalog, locations and inventory syncs ...")
        outcomes = await asyncio.gather(*(self._sync(stack, kind) for kind in SyncKind))
        results = {}
        for kind, result in zip(SyncKind, outcomes, strict=True):
            results[kind.value] = result
            if not self.options.as_json:
                render_result(result)
            if result.total.failed:
                self.progress.print(
                    f"[yellow]warning:[/yellow] the {kind.value} sync failed for "
                    f"{result.total.failed} entities (see above); orders may not find them"
                )
        return results

    async def _sync(self, stack: DemoStack, kind: SyncKind) -> SyncResult:
        """`starter.py sync KIND --full --json`; started again when it was not started because
        a run of that kind was going (a schedule setup applied may tick at the same moment)."""
        while True:
            code, stdout, stderr = await self._starter(
                stack, "sync", kind.value, "--full", "--json"
            )
            busy = code == SYNC_BUSY_EXIT_CODE and not stdout.strip()
            if busy and SYNC_BUSY_MESSAGE in stderr:
                await asyncio.sleep(SYNC_RETRY_SECONDS)
                continue
            return _parsed(SyncResult, stdout, f"the {kind.value} sync (exit code {code})", stderr)

    async def _starter(self, stack: DemoStack, *argv: str) -> tuple[int, str, str]:
        env = {**stack.base_env, **stack.connector_env}
        command = [sys.executable, str(PROJECT_ROOT / "starter.py"), *argv]
        try:
            async with asyncio.timeout(PROVISION_TIMEOUT_SECONDS):
                return await run_to_completion(command, env, cwd=self.options.topology.state_dir)
        except TimeoutError:
            raise CliError(
                f"`starter.py {' '.join(argv)}` did not finish within "
                f"{PROVISION_TIMEOUT_SECONDS:.0f} s"
            ) from None

    # --- orders -----------------------------------------------------------------------------------

    async def _place_orders(self, stack: DemoStack) -> list[PlacedOrder]:
        planned = plan_orders(self.options.orders, self.seed)
        if not planned:
            return []
        topology = stack.topology
        settings = topology.commercetools_settings()
        shop = DemoShop(
            stack.http,
            commercetools_url=topology.commercetools_url,
            project_key=settings.project_key,
            client_id=settings.client_id,
            client_secret=settings.client_secret.get_secret_value(),
            fluent_url=topology.fluent_url,
            location_refs=[location.ref for location in self.seed.locations],
        )
        placed = []
        try:
            await shop.prepare()
            for order in planned:
                placed.append(await shop.place(order))
                lines = zip(order.skus, order.scenario.quantities, strict=True)
                self.progress.print(
                    f"Placed {order.number}: {order.scenario.title} "
                    f"({', '.join(f'{quantity} x {sku}' for sku, quantity in lines)})"
                )
        except DemoShopError as error:
            raise CliError(f"placing the scripted orders: {error}") from None
        return placed

    async def _follow(
        self,
        stack: DemoStack,
        placed: Sequence[PlacedOrder],
        commercetools: CommercetoolsClient,
        fluent: FluentClient,
    ) -> list[Journey]:
        if not placed:
            return []
        self.progress.print(
            f"Waiting for {len(placed)} orders to end (at most {self.options.timeout:.0f} s) ..."
        )
        deadline = asyncio.get_running_loop().time() + self.options.timeout
        return list(
            await asyncio.gather(
                *(self._journey(stack, order, commercetools, fluent, deadline) for order in placed)
            )
        )

    async def _journey(
        self,
        stack: DemoStack,
        order: PlacedOrder,
        commercetools: CommercetoolsClient,
        fluent: FluentClient,
        deadline: float,
    ) -> Journey:
        try:
            async with asyncio.timeout_at(deadline):
                state, status = await wait_for_outcome(stack.temporal, order.workflow_id)
        except TimeoutError:
            state, status = await current_status(stack.temporal, order.workflow_id)
        try:
            return await collect_journey(order, state, status, commercetools, fluent)
        except ConnectorError as error:
            raise CliError(f"reading the journey of {order.planned.number}: {error}") from None

    async def _run_until_stopped(
        self,
        stack: DemoStack,
        placed: Sequence[PlacedOrder],
        commercetools: CommercetoolsClient,
        fluent: FluentClient,
    ) -> NoReturn:
        """Print each journey as its order ends, until Ctrl-C (cancellation) or until one of
        the processes dies (`ComponentError`)."""

        async def announce(order: PlacedOrder) -> None:
            try:
                state, status = await wait_for_outcome(stack.temporal, order.workflow_id)
                journey = await collect_journey(order, state, status, commercetools, fluent)
            except (ConnectorError, RPCError) as error:
                self.progress.print(
                    f"[yellow]warning:[/yellow] cannot follow {order.planned.number}: {error}"
                )
                return
            console.print(render_journey(journey))

        announcers = [asyncio.create_task(announce(order)) for order in placed]
        try:
            await self._watch(stack)
        finally:
            for announcer in announcers:
                announcer.cancel()
            await asyncio.gather(*announcers, return_exceptions=True)

    async def _watch(self, stack: DemoStack) -> NoReturn:
        while True:
            child = stack.exited_child()
            if child is not None:
                raise ComponentError(
                    child.name,
                    f"exited unexpectedly with code {child.returncode} (log: {child.log_path})",
                )
            await asyncio.sleep(WATCH_INTERVAL_SECONDS)

    # --- output -----------------------------------------------------------------------------------

    def _where_to_look(self, stack: DemoStack, placed: Sequence[PlacedOrder]) -> None:
        topology = stack.topology
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        table.add_row("Temporal Web UI", f"{topology.ui_url}  (order-<id> and sync workflows)")
        table.add_row(
            "commercetools sandbox",
            f"{topology.commercetools_url}  (/sandbox/subscriptions, /sandbox/requests)",
        )
        table.add_row(
            "Fluent sandbox",
            f"{topology.fluent_url}  (/sandbox/state, /sandbox/orders/<ref>, /sandbox/autopilot)",
        )
        table.add_row("connector webhook app", f"{topology.connector_url}  (/healthz, /readyz)")
        for name, path in stack.log_paths.items():
            table.add_row(f"log: {name}", _shown(path))
        example = placed[0].planned.number if placed else "<order number>"
        follow = (
            f"(set -a; . {_shown(topology.env_file)}; set +a; "
            f"{_shown(Path(sys.executable))} {_shown(PROJECT_ROOT / 'starter.py')} "
            f"order status {example})"
        )
        table.add_row("follow an order", follow)
        ending = (
            "The demo stops once the orders have ended."
            if self.options.exit_when_done
            else "Press Ctrl-C to stop every process the demo started."
        )
        self.progress.print(Panel(Group(table, ending), title="Where to look", expand=False))

    def _report_journeys(
        self,
        stack: DemoStack,
        statuses: list[ComponentStatus],
        syncs: dict[str, SyncResult],
        journeys: list[Journey],
    ) -> int:
        ok = all(journey.as_expected for journey in journeys)
        if self.options.as_json:
            print_json(
                {
                    "ok": ok,
                    "components": [_component_json(status) for status in statuses],
                    "syncs": {kind: r.model_dump(mode="json") for kind, r in syncs.items()},
                    "orders": [j.model_dump(mode="json", by_alias=True) for j in journeys],
                    "logs": {name: str(path) for name, path in stack.log_paths.items()},
                }
            )
        else:
            for journey in journeys:
                console.print(render_journey(journey))
        unexpected = [journey.ct_order_number for journey in journeys if not journey.as_expected]
        if unexpected:
            errors.print(
                f"[red]error:[/red] {len(unexpected)} of {len(journeys)} orders did not end as "
                f"expected: {', '.join(unexpected)}"
            )
            return 1
        self.progress.print(f"All {len(journeys)} orders ended as expected.")
        return 0


def _parsed(model: type[ModelT], stdout: str, what: str, stderr: str) -> ModelT:
    """What a `starter.py ... --json` child printed, or a one-line error with its reason."""
    try:
        return model.model_validate_json(stdout)
    except ValidationError:
        lines = (stderr.strip() or stdout.strip() or "no output").splitlines()
        raise CliError(f"{what} failed: {lines[-1]}") from None


def _shown(path: Path) -> str:
    """A path relative to the working directory when it is below it (shorter to copy)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _component_json(status: ComponentStatus) -> dict[str, Any]:
    return {
        "name": status.name,
        "address": status.address,
        "ok": status.ok,
        "problem": status.problem,
    }


def _components_table(statuses: Sequence[ComponentStatus]) -> Table:
    table = Table(title="Demo components")
    for column in ("Component", "Address", "Status"):
        table.add_column(column)
    for status in statuses:
        state = "[green]answers[/green]" if status.ok else f"[red]{status.problem}[/red]"
        table.add_row(status.name, status.address, state)
    return table


def render_journey(journey: Journey) -> Panel:
    """One order's journey: what was planned where, what shipped with which parcels and
    invoices, and how it ended."""
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold")
    header.add_column()
    header.add_row("Scenario", f"{journey.scenario}: {journey.title}")
    header.add_row(
        "Fluent order", f"{journey.fluent_order_ref or '-'} ({journey.fluent_status or '-'})"
    )
    header.add_row(
        "commercetools",
        f"order {journey.order_state}, shipment {journey.shipment_state or '-'}",
    )
    header.add_row("Workflow", f"{journey.workflow_id} ({journey.workflow_status})")

    fulfilments = Table(title="Fulfilments (Fluent)", title_justify="left")
    for column in ("Fulfilment", "Location", "Status", "Items filled"):
        fulfilments.add_column(column, overflow="fold")
    for fulfilment in journey.fulfilments:
        fulfilments.add_row(
            f"{fulfilment.ref}\n{fulfilment.kind}",
            f"{fulfilment.location_name or ''}\n{fulfilment.location_ref or '-'}",
            fulfilment.status or "",
            "\n".join(f"{line.sku} {line.filled}/{line.requested}" for line in fulfilment.lines),
        )
    deliveries = Table(title="Deliveries (commercetools)", title_justify="left")
    for column in ("Delivery", "Items", "Parcels", "Invoice"):
        deliveries.add_column(column, overflow="fold")
    for delivery in journey.deliveries:
        deliveries.add_row(
            delivery.key or "",
            "\n".join(f"{sku} x {quantity}" for sku, quantity in delivery.items.items()),
            "\n".join(
                f"{parcel.key}\n{parcel.carrier or '-'} {parcel.tracking_id or '-'}"
                for parcel in delivery.parcels
            ),
            delivery.invoice_ref or "",
        )
    verdict = (
        "[green]ended as expected[/green]"
        if journey.as_expected
        else "[red]not as expected:[/red]\n" + "\n".join(f"- {p}" for p in journey.problems)
    )
    return Panel(
        Group(header, fulfilments, deliveries, verdict),
        title=f"Order {journey.ct_order_number}",
        expand=False,
    )
