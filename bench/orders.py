"""Order intake benchmark: orders placed as a shopper places them, end to end through the
connector on the embedded stack.

The stack is the demo's (`docs/demo.md`): the Temporal dev server (a child process, in-memory
SQLite), the connector's webhook app (`python -m connector.webhooks`) and worker (`python
worker.py`) as child processes with the demo's environment, and both sandboxes served in this
process (they stand in for the SaaS platforms, and the benchmark reads their stores). The
commercetools sandbox pushes `OrderCreated` to the webhook app (Pub/Sub envelope, bearer token);
the Fluent sandbox posts its signed webhooks to it. Before the orders: `setup`'s types and
channels, the shop's address type, and the catalog sync.

Each order is one of the demo's scenarios (`cli.demo_orders`: one-store and split home
delivery, click & collect at the store and with a transfer), with SKUs of its own whose Fluent
stock is set beforehand so the scenario's plan is the right one; the cart is made beforehand
too. The clock starts when the shopper sends `POST /orders` (checkout) and stops inside the
Fluent sandbox's store when the Fluent order is created ("in Fluent") and when the last of the
planned fulfilments is created ("sourced"); all clocks are `time.monotonic`.

Phases: warm-up orders (not counted); lifecycle orders, one at a time with the sandbox's
auto-pilot playing the store staff at a fast step, checkout to the workflow's completion;
one-at-a-time orders (latency without queueing); then concurrent shoppers, each checking out
its next order as soon as its last one is sourced (a steady number of orders in flight:
sourced orders per second over the middle 80 % of the run, and the latencies at that load).
Activities, signals and history events per order come from the workflow histories: up to the
end of the activity that creates the fulfilments for intake to sourced, the whole history for
the lifecycle.

    python -m bench.orders [--orders N] [--shoppers N] [--one-at-a-time N] [--lifecycle N]
                           [--autopilot-step S] [--warmup N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from bench.figures import (
    at_least,
    latency_ms,
    machine,
    per_second,
    positive_seconds,
    steady_rate,
    write_figures,
)
from bench.sync_support import dev_server, sandbox_settings
from cli.demo_orders import (
    LINES_PER_ORDER,
    SCENARIOS,
    Cart,
    DemoShop,
    PlannedOrder,
    planned_order,
)
from cli.demo_stack import (
    ORDER_EXPORT_CHANNEL_KEY,
    ORDER_TASK_QUEUE,
    PROJECT_ROOT,
    SYNC_TASK_QUEUE,
    ChildProcesses,
    DemoPorts,
    DemoTopology,
    Probe,
    base_environment,
    http_probe,
    task_queue_pollers,
)
from connector.commercetools.client import CommercetoolsClient
from connector.config import OrderSettings, Settings
from connector.orders import OrderStatus, Stage, order_workflow_id
from connector.setup import provision_channels, provision_types
from connector.sync_control import start_sync
from connector.syncs import SyncKind, SyncMode
from connector.temporal import exit_process
from sandbox.commercetools import CommercetoolsSandboxConfig, PushTarget
from sandbox.commercetools import create_app as create_commercetools
from sandbox.common.serving import free_port, serve_in_thread
from sandbox.fluent.app import create_app as create_fluent
from sandbox.fluent.config import AutopilotConfig, FluentSandboxConfig
from sandbox.fluent.models import Fulfilment, Order
from sandbox.fluent.service import sandbox_of
from sandbox.fluent.store import EntityChange
from sandbox.seed import SeedData, SeedSize, generate

READY_SECONDS = 60.0
READY_POLL_SECONDS = 0.1
SOURCED_WITHIN_SECONDS = 30.0
LIFECYCLE_WITHIN_SECONDS = 60.0
CHILD_STOP_SECONDS = 10.0
HISTORY_WITHIN_SECONDS = 10.0
FLUENT_ORDER_TARGET_SECONDS = 1.0  # the issue: "within a second the order exists in Fluent"
ENSURE_FULFILMENTS_ACTIVITY = "ensure_fulfilments"


# --- what the Fluent sandbox's store saw, and when -------------------------------------------


@dataclass
class FluentArrivals:
    """When each Fluent order and fulfilment came to exist, recorded by a listener inside the
    Fluent sandbox's store (its thread), and futures that resolve once an order is sourced."""

    loop: asyncio.AbstractEventLoop
    orders: dict[str, float] = field(default_factory=dict)  # order ref -> created at
    fulfilments: dict[str, dict[str, tuple[str, float]]] = field(default_factory=dict)
    _expected: dict[str, tuple[int, asyncio.Future[None]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on_change(self, change: EntityChange) -> None:
        """Store listener: the first time an order or fulfilment is seen is its creation."""
        now = time.monotonic()
        entity = change.entity
        if isinstance(entity, Order):
            order_ref = entity.ref
            with self._lock:
                self.orders.setdefault(order_ref, now)
        elif isinstance(entity, Fulfilment):
            order_ref = entity.order.ref
            with self._lock:
                created = self.fulfilments.setdefault(order_ref, {})
                created.setdefault(entity.ref, (entity.location_ref, now))
        else:
            return
        self.loop.call_soon_threadsafe(self._settle, order_ref)

    def expect(self, order_ref: str, fulfilments: int) -> asyncio.Future[None]:
        """A future resolved once `order_ref` has `fulfilments` fulfilments."""
        future = self.loop.create_future()
        self._expected[order_ref] = (fulfilments, future)
        self._settle(order_ref)
        return future

    def _settle(self, order_ref: str) -> None:
        expected = self._expected.get(order_ref)
        if expected is None:
            return
        count, future = expected
        with self._lock:
            have = len(self.fulfilments.get(order_ref, {}))
        if have >= count and not future.done():
            future.set_result(None)

    def fluent_order_at(self, order_ref: str) -> float:
        with self._lock:
            return self.orders[order_ref]

    def sourced_at(self, order_ref: str) -> float:
        with self._lock:
            return max(at for _, at in self.fulfilments[order_ref].values())

    def locations(self, order_ref: str) -> list[str]:
        with self._lock:
            return sorted(ref for ref, _ in self.fulfilments.get(order_ref, {}).values())


# --- the stack ---------------------------------------------------------------------------------


@dataclass
class Checkout:
    """One order placed: its scenario, commercetools id and the monotonic checkout time."""

    planned: PlannedOrder
    order_number: str
    order_id: str
    at: float

    @property
    def expected_locations(self) -> list[str]:
        return sorted(self.planned.scenario.expected)


@dataclass
class OrderStack:
    temporal: Client
    shop: DemoShop
    arrivals: FluentArrivals
    fluent_url: str
    http: httpx.AsyncClient
    seed: SeedData
    _planned: int = 0

    def plan(self) -> PlannedOrder:
        """The next order, cycling through the scenarios, with SKUs of its own."""
        self._planned += 1
        scenario = SCENARIOS[(self._planned - 1) % len(SCENARIOS)]
        return planned_order(self._planned, scenario, self.seed)

    async def prepare(self) -> Cart:
        """The next order's stock and the shopper's cart, before the checkout."""
        planned = self.plan()
        await self.shop.stock_for(planned)
        return await self.shop.cart(planned)

    async def checkout(self, cart: Cart) -> Checkout:
        number = f"BENCH-{cart.planned.index:05d}"
        at = time.monotonic()
        order_id = await self.shop.check_out(cart, number)
        return Checkout(cart.planned, number, order_id, at)

    async def sourced(self, checkout: Checkout, within: float) -> None:
        future = self.arrivals.expect(
            checkout.order_number, len(checkout.planned.scenario.expected)
        )
        try:
            await asyncio.wait_for(future, within)
        except TimeoutError:
            have = self.arrivals.locations(checkout.order_number)
            raise RuntimeError(
                f"order {checkout.order_number} ({checkout.planned.scenario.key}) not sourced "
                f"within {within:.0f} s: fulfilments at {have or 'no location'}, expected "
                f"{checkout.expected_locations}"
            ) from None

    async def autopilot(self, *, enabled: bool, step_seconds: float) -> None:
        config = AutopilotConfig(enabled=enabled, step_interval_seconds=step_seconds)
        response = await self.http.put(
            f"{self.fluent_url}/sandbox/autopilot", json=config.model_dump()
        )
        response.raise_for_status()


async def _until_ready(children: ChildProcesses, probes: Sequence[Probe]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        exited = children.exited()
        if exited is not None:
            raise RuntimeError(
                f"{exited.name} exited with code {exited.returncode} while starting:\n"
                + exited.log_tail()
            )
        problems = [problem for probe in probes if (problem := await probe())]
        if not problems:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready within {READY_SECONDS:.0f} s: {'; '.join(problems)}")
        await asyncio.sleep(READY_POLL_SECONDS)


@asynccontextmanager
async def order_stack(products: int, workdir: Path) -> AsyncIterator[OrderStack]:
    seed = generate(dataclasses.replace(SeedSize.demo(), products=products))
    async with dev_server() as env, AsyncExitStack() as exits:
        temporal_address = env.client.service_client.config.target_host
        topology = DemoTopology(
            ports=DemoPorts(
                temporal=int(temporal_address.rsplit(":", 1)[1]),
                temporal_ui=0,
                commercetools=free_port(),
                fluent=free_port(),
                connector=free_port(),
            ),
            state_dir=workdir,
            autopilot_interval=1.0,
        )
        commercetools_app = create_commercetools(
            CommercetoolsSandboxConfig(
                seed=seed,
                subscriptions=[PushTarget(**target) for target in topology.push_targets()],
            )
        )
        fluent_app = create_fluent(
            FluentSandboxConfig(
                seed=seed, webhook_urls=[f"{topology.connector_url}/fluent/webhooks"]
            )
        )
        fluent = sandbox_of(fluent_app)
        arrivals = FluentArrivals(asyncio.get_running_loop())
        fluent.store.subscribe(arrivals.on_change)
        exits.enter_context(
            serve_in_thread(
                commercetools_app, port=topology.ports.commercetools, name="bench-commercetools"
            )
        )
        exits.enter_context(
            serve_in_thread(fluent_app, port=topology.ports.fluent, name="bench-fluent")
        )

        children = ChildProcesses(workdir)
        exits.callback(children.stop_all, lambda _: CHILD_STOP_SECONDS)
        environment = {
            **base_environment(os.environ),
            **topology.connector_env(fluent.webhooks.signer.public_key_der_base64),
        }
        python = sys.executable
        children.start(
            "webhooks",
            "connector webhook app",
            [python, "-m", "connector.webhooks"],
            environment,
            workdir,
        )
        children.start(
            "worker",
            "connector worker",
            [python, str(PROJECT_ROOT / "worker.py")],
            environment,
            workdir,
        )
        http = await exits.enter_async_context(httpx.AsyncClient(timeout=30.0))

        async def workers_polling() -> str | None:
            counts = [
                await task_queue_pollers(env.client, q) for q in (ORDER_TASK_QUEUE, SYNC_TASK_QUEUE)
            ]
            return None if all(all(c.values()) for c in counts) else "the worker is not polling yet"

        await _until_ready(
            children, [http_probe(http, f"{topology.connector_url}/readyz"), workers_polling]
        )
        settings = _settings(topology)
        async with CommercetoolsClient(settings.commercetools) as commercetools:
            await provision_types(commercetools, settings)
            await provision_channels(commercetools, settings)
        shop_settings = topology.commercetools_settings()
        shop = DemoShop(
            http,
            commercetools_url=topology.commercetools_url,
            project_key=shop_settings.project_key,
            client_id=shop_settings.client_id,
            client_secret=shop_settings.client_secret.get_secret_value(),
            fluent_url=topology.fluent_url,
            location_refs=[location.ref for location in seed.locations],
        )
        await shop.prepare()
        sync = await start_sync(env.client, settings, SyncKind.CATALOG, SyncMode.FULL)
        result = await sync.result()
        if result.total.failed:
            raise RuntimeError(f"the catalog sync failed for {result.total.failed} entities")
        yield OrderStack(
            temporal=env.client,
            shop=shop,
            arrivals=arrivals,
            fluent_url=topology.fluent_url,
            http=http,
            seed=seed,
        )


def _settings(topology: DemoTopology) -> Settings:
    """What the worker child reads from its environment, for the setup run from here."""
    settings = sandbox_settings(
        topology.commercetools_url,
        topology.fluent_url,
        sync_task_queue=SYNC_TASK_QUEUE,
        order_task_queue=ORDER_TASK_QUEUE,
    )
    return settings.model_copy(
        update={"orders": OrderSettings(order_export_channel_key=ORDER_EXPORT_CHANNEL_KEY)}
    )


# --- the phases --------------------------------------------------------------------------------


async def one_at_a_time(stack: OrderStack, count: int) -> list[Checkout]:
    """Each order placed once the one before is sourced: latency without queueing."""
    checkouts = []
    for _ in range(count):
        checkout = await stack.checkout(await stack.prepare())
        await stack.sourced(checkout, SOURCED_WITHIN_SECONDS)
        checkouts.append(checkout)
    return checkouts


async def concurrent(stack: OrderStack, count: int, shoppers: int) -> list[Checkout]:
    """`count` orders (stock and carts made first) from `shoppers` concurrent shoppers, each
    checking out its next order as soon as its last one is sourced: a steady `shoppers` orders
    in flight, so the rate and latencies are those of a sustained load, not of a queue."""
    carts = iter([await stack.prepare() for _ in range(count)])
    checkouts: list[Checkout] = []

    async def shopper() -> None:
        for cart in carts:
            checkout = await stack.checkout(cart)
            checkouts.append(checkout)
            await stack.sourced(checkout, SOURCED_WITHIN_SECONDS)

    async with asyncio.TaskGroup() as group:
        for _ in range(shoppers):
            group.create_task(shopper())
    return checkouts


async def lifecycle(
    stack: OrderStack, count: int, step_seconds: float, earlier: Sequence[Checkout]
) -> tuple[list[Checkout], list[float], list[str]]:
    """Orders one at a time with the auto-pilot on: checkout to the workflow's completion. The
    `earlier` orders are completed too before the auto-pilot stops, so no lifecycle keeps
    running in the background of the later phases. Returns the orders, their seconds to
    completion and the problems of those that did not end COMPLETE."""
    await stack.autopilot(enabled=True, step_seconds=step_seconds)
    checkouts, seconds, problems = [], [], []
    for _ in range(count):
        checkout = await stack.checkout(await stack.prepare())
        problem = await completed(stack.temporal, checkout)
        seconds.append(time.monotonic() - checkout.at)
        checkouts.append(checkout)
        if problem:
            problems.append(problem)
    for checkout in earlier:
        problem = await completed(stack.temporal, checkout)
        if problem:
            problems.append(problem)
    await stack.autopilot(enabled=False, step_seconds=step_seconds)
    return checkouts, seconds, problems


async def completed(temporal: Client, checkout: Checkout) -> str | None:
    """Wait for the order's workflow to end; why it did not end COMPLETE, or None."""
    handle = temporal.get_workflow_handle(
        order_workflow_id(checkout.order_id), result_type=OrderStatus
    )
    try:
        async with asyncio.timeout(LIFECYCLE_WITHIN_SECONDS):
            while True:  # the push may not have started the workflow yet
                try:
                    await handle.describe()
                    break
                except RPCError as error:
                    if error.status != RPCStatusCode.NOT_FOUND:
                        raise
                await asyncio.sleep(READY_POLL_SECONDS)
            status = await handle.result()
    except TimeoutError:
        return f"{checkout.order_number}: not complete within {LIFECYCLE_WITHIN_SECONDS:.0f} s"
    if status.stage is not Stage.COMPLETE or status.issues:
        issues = "; ".join(issue.reason for issue in status.issues)
        return f"{checkout.order_number}: ended {status.stage} {issues}".strip()
    return None


# --- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryCounts:
    events: int
    activities: int
    signals: int


def count_history(
    events: Iterable[HistoryEvent], until_activity: str | None
) -> HistoryCounts | None:
    """Events, scheduled activities and signals: all of them, or up to the completion of the
    first `until_activity` (None while it has not completed)."""
    total = activities = signals = 0
    scheduled: dict[int, str] = {}
    for event in events:
        total += 1
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            activities += 1
            attributes = event.activity_task_scheduled_event_attributes
            scheduled[event.event_id] = attributes.activity_type.name
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            signals += 1
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            done = scheduled.get(event.activity_task_completed_event_attributes.scheduled_event_id)
            if until_activity is not None and done == until_activity:
                return HistoryCounts(total, activities, signals)
    return None if until_activity is not None else HistoryCounts(total, activities, signals)


async def history_counts(
    temporal: Client, checkout: Checkout, until_activity: str | None
) -> HistoryCounts:
    """The counts of the order's workflow history. The fulfilments exist in Fluent a moment
    before the activity that created them is recorded as completed: wait for that."""
    handle = temporal.get_workflow_handle(order_workflow_id(checkout.order_id))
    deadline = time.monotonic() + HISTORY_WITHIN_SECONDS
    while True:
        history = await handle.fetch_history()
        counts = count_history(history.events, until_activity)
        if counts is not None:
            return counts
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{checkout.order_number}: {until_activity} not completed within "
                f"{HISTORY_WITHIN_SECONDS:.0f} s of the fulfilments' creation"
            )
        await asyncio.sleep(READY_POLL_SECONDS)


async def per_order(
    temporal: Client, checkouts: Sequence[Checkout], until_activity: str | None
) -> dict[str, float | int]:
    counts = [await history_counts(temporal, checkout, until_activity) for checkout in checkouts]

    def mean(values: Sequence[int]) -> float:
        return round(sum(values) / len(values), 1)

    return {
        "orders": len(counts),
        "activities_per_order": mean([c.activities for c in counts]),
        "signals_per_order": mean([c.signals for c in counts]),
        "history_events_per_order": mean([c.events for c in counts]),
        "max_history_events": max(c.events for c in counts),
    }


def intake_latencies(arrivals: FluentArrivals, checkouts: Sequence[Checkout]) -> dict[str, Any]:
    in_fluent = [arrivals.fluent_order_at(c.order_number) - c.at for c in checkouts]
    sourced = [arrivals.sourced_at(c.order_number) - c.at for c in checkouts]
    within_target = sum(seconds <= FLUENT_ORDER_TARGET_SECONDS for seconds in in_fluent)
    return {
        "orders": len(checkouts),
        "checkout_to_fluent_order": latency_ms(in_fluent),
        "checkout_to_sourced": latency_ms(sourced),
        "fluent_order_within_1s_share": round(within_target / len(checkouts), 3),
    }


def throughput(arrivals: FluentArrivals, checkouts: Sequence[Checkout]) -> dict[str, Any]:
    first_checkout = min(c.at for c in checkouts)
    sourced = [arrivals.sourced_at(c.order_number) for c in checkouts]
    return {
        "seconds": round(max(sourced) - first_checkout, 2),
        "sourced_per_second": per_second(len(checkouts), max(sourced) - first_checkout),
        "sustained_sourced_per_second": steady_rate(sourced),
        **intake_latencies(arrivals, checkouts),
    }


def unexpected_plans(arrivals: FluentArrivals, checkouts: Sequence[Checkout]) -> list[str]:
    """Orders whose fulfilments are not at the locations their scenario plans."""
    return [
        f"{c.order_number} ({c.planned.scenario.key}): fulfilments at "
        f"{arrivals.locations(c.order_number)}, expected {c.expected_locations}"
        for c in checkouts
        if arrivals.locations(c.order_number) != c.expected_locations
    ]


# --- command line ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    warmup: int
    lifecycle: int
    one_at_a_time: int
    concurrent: int
    shoppers: int

    @property
    def total(self) -> int:
        return self.warmup + self.lifecycle + self.one_at_a_time + self.concurrent


QUICK = Sizes(warmup=1, lifecycle=1, one_at_a_time=2, concurrent=4, shoppers=2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.orders",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--orders", type=at_least(1), default=120, help="orders placed by the concurrent shoppers"
    )
    parser.add_argument(
        "--shoppers", type=at_least(1), default=8, help="concurrent shoppers (orders in flight)"
    )
    parser.add_argument(
        "--one-at-a-time",
        type=at_least(1),
        default=20,
        help="orders placed once the last is sourced",
    )
    parser.add_argument(
        "--lifecycle",
        type=at_least(0),
        default=4,
        help="orders run to COMPLETE (0: skip the phase)",
    )
    parser.add_argument(
        "--autopilot-step",
        type=positive_seconds,
        default=0.1,
        help="seconds between store staff steps",
    )
    parser.add_argument("--warmup", type=at_least(0), default=4, help="orders not counted")
    parser.add_argument("--quick", action="store_true", help="a few orders, to check the harness")
    return parser


def sizes_of(args: argparse.Namespace) -> Sizes:
    if args.quick:
        return QUICK
    return Sizes(
        warmup=args.warmup,
        lifecycle=args.lifecycle,
        one_at_a_time=args.one_at_a_time,
        concurrent=args.orders,
        shoppers=args.shoppers,
    )


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    host = machine()
    sizes = sizes_of(args)
    demo = SeedSize.demo()
    products = max(
        demo.products, math.ceil(sizes.total * LINES_PER_ORDER / demo.variants_per_product)
    )
    with tempfile.TemporaryDirectory(prefix="bench-orders-") as workdir:
        log(f"orders: starting the stack ({products} products; logs in {workdir})")
        async with order_stack(products, Path(workdir)) as stack:
            temporal, arrivals = stack.temporal, stack.arrivals
            log(f"orders: {sizes.warmup} warm-up orders")
            warmup = await one_at_a_time(stack, sizes.warmup)
            lifecycle_figures: dict[str, Any] | None = None
            finished: list[Checkout] = []
            problems: list[str] = []
            if sizes.lifecycle:
                step = args.autopilot_step
                log(f"orders: {sizes.lifecycle} orders to COMPLETE, auto-pilot step {step} s")
                finished, seconds, problems = await lifecycle(
                    stack, sizes.lifecycle, args.autopilot_step, warmup
                )
                lifecycle_figures = {
                    "autopilot_step_seconds": args.autopilot_step,
                    "checkout_to_complete": latency_ms(seconds),
                    **await per_order(temporal, finished, until_activity=None),
                }
            log(f"orders: {sizes.one_at_a_time} orders one at a time")
            alone = await one_at_a_time(stack, sizes.one_at_a_time)
            log(f"orders: {sizes.concurrent} orders from {sizes.shoppers} concurrent shoppers")
            loaded = await concurrent(stack, sizes.concurrent, sizes.shoppers)
            log("orders: reading the workflow histories")
            intake = await per_order(temporal, [*alone, *loaded], ENSURE_FULFILMENTS_ACTIVITY)
            everything = [*warmup, *finished, *alone, *loaded]
            figures = {
                "benchmark": "orders",
                "machine": host,
                "parameters": {
                    **dataclasses.asdict(sizes),
                    "products": products,
                    "locations": demo.locations,
                    "scenarios": [scenario.key for scenario in SCENARIOS],
                    "quick": args.quick,
                },
                "one_at_a_time": intake_latencies(arrivals, alone),
                "concurrent": throughput(arrivals, loaded),
                "intake_to_sourced_history": intake,
                "lifecycle": lifecycle_figures,
                "problems": [*unexpected_plans(arrivals, everything), *problems],
            }
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    figures = asyncio.run(measure(build_parser().parse_args(argv)))
    write_figures(figures)
    return 1 if figures["problems"] else 0


if __name__ == "__main__":
    exit_process(main())
