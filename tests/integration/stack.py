"""The whole connector over real HTTP, for the order lifecycle tests: both sandboxes (demo seed)
and the connector's webhook app served in threads and wired as the demo wires them (the
commercetools sandbox pushes to `/commercetools/events` with a bearer token, the Fluent sandbox
posts signed webhooks to `/fluent/webhooks`), the order and sync workers either in process or as
a `worker.py` child process a test can kill, all on a Temporal namespace of its own on the
session's dev server (so no other module's syncs, schedules or workflows meet these).

Before a test runs, `setup`'s custom types exist, the shop's address Type exists and the catalog
sync has put the seed's products into Fluent (the Fluent sandbox refuses unknown products).
`ConnectorStack` gives the test the shop (`cli.demo_orders.DemoShop`), the store staff (the
Fluent sandbox's store operations) and ways to wait for the connector's effects.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from google.protobuf.duration_pb2 import Duration
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, RegisterNamespaceRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.dependencies import Dependencies
from cli.demo_orders import SCENARIOS, DemoShop, PlacedOrder, PlannedOrder, planned_order
from cli.demo_stack import (
    PROJECT_ROOT,
    Child,
    ChildProcesses,
    DemoPorts,
    DemoTopology,
    base_environment,
)
from connector.commercetools.client import CommercetoolsClient
from connector.commercetools.models import Order
from connector.config import Settings, load_settings
from connector.fluent.client import FluentClient
from connector.orders import STATUS_QUERY, OrderStatus, order_workflow_id
from connector.setup import provision_types
from connector.sync_control import start_sync
from connector.syncs import SyncKind, SyncMode
from connector.temporal import data_converter, register_search_attributes
from connector.webhooks import create_app as create_webhook_app
from sandbox.commercetools import CommercetoolsSandboxConfig
from sandbox.commercetools import create_app as create_commercetools_app
from sandbox.common.serving import free_port, serve_in_thread
from sandbox.fluent.app import create_app as create_fluent_app
from sandbox.fluent.config import AutopilotConfig, FluentSandboxConfig
from sandbox.fluent.service import FluentSandbox
from sandbox.fluent.service import sandbox_of as fluent_of
from sandbox.seed import SeedData, SeedSize, generate
from worker import build_workers

T = TypeVar("T")

WAIT_SECONDS = 30.0
POLL_SECONDS = 0.1
WEBHOOK_RETRY_DELAYS = (0.2, 0.5, 1.0)
AUTOPILOT_STEP_SECONDS = 0.2


async def eventually(
    probe: Callable[[], Awaitable[T | None]], what: str, within: float = WAIT_SECONDS
) -> T:
    """The first non-None answer of `probe`, asked every 0.1 s; fails naming `what`."""
    deadline = time.monotonic() + within
    while True:
        answer = await probe()
        if answer is not None:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:.0f} s: {what}")
        await asyncio.sleep(POLL_SECONDS)


@dataclass
class ConnectorStack:
    """The running stack and a test's hands on it: the shop, the store staff, the sandboxes'
    own routes, the Fluent sandbox's state (`fluent.store`, to count what Fluent holds), and
    waits for the connector's effects. `env` is the connector's configuration as environment
    variables (what a worker process is started with); `settings` the same, read."""

    settings: Settings
    env: dict[str, str]
    temporal: Client
    fluent: FluentSandbox
    topology: DemoTopology
    http: httpx.AsyncClient
    shop: DemoShop
    seed: SeedData
    workdir: Path
    worker_processes: ChildProcesses
    _orders_planned: int = field(default=0)
    _worker_starts: int = field(default=0)

    # --- the shop --------------------------------------------------------------------------------

    def plan(self, scenario_key: str) -> PlannedOrder:
        """A scripted order of that scenario with SKUs no earlier order of this stack used."""
        self._orders_planned += 1
        scenario = next(s for s in SCENARIOS if s.key == scenario_key)
        return planned_order(self._orders_planned, scenario, self.seed)

    async def place(self, scenario_key: str) -> PlacedOrder:
        return await self.shop.place(self.plan(scenario_key))

    async def ct(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.shop.api(method, path, expect=(200, 201), **kwargs)
        return response.json()

    async def order(self, order_id: str) -> Order:
        return Order.model_validate(
            await self.ct(
                "GET", f"orders/{order_id}", params={"expand": "shippingInfo.shippingMethod"}
            )
        )

    async def messages(self, order_id: str, message_type: str) -> list[dict[str, Any]]:
        where = f'resource(id = "{order_id}") and type = "{message_type}"'
        page = await self.ct("GET", "messages", params={"where": where, "limit": 500})
        return list(page["results"])

    # --- the stores and the sandboxes' own routes ------------------------------------------------

    async def fluent_admin(self, method: str, path: str, json: Any = None) -> Any:
        response = await self.http.request(
            method, f"{self.topology.fluent_url}/sandbox/{path}", json=json
        )
        assert response.is_success, f"{method} /sandbox/{path}: {response.text}"
        return response.json()

    async def commercetools_admin(self, method: str, path: str) -> Any:
        response = await self.http.request(
            method, f"{self.topology.commercetools_url}/sandbox/{path}"
        )
        assert response.is_success, f"{method} /sandbox/{path}: {response.text}"
        return response.json()

    async def store_operation(self, fulfilment_ref: str, operation: str, json: Any = None) -> Any:
        return await self.fluent_admin("POST", f"fulfilments/{fulfilment_ref}/{operation}", json)

    async def pack(self, fulfilment_ref: str, *, carrier: str, tracking: str) -> None:
        """Pick, fill everything, and add one article with this tracking number."""
        await self.store_operation(fulfilment_ref, "pick")
        await self.store_operation(fulfilment_ref, "fulfil")
        article = {"carrier": carrier, "consignmentReference": tracking}
        await self.store_operation(fulfilment_ref, "articles", {"articles": [article]})

    async def autopilot(self, *, enabled: bool) -> None:
        config = AutopilotConfig(enabled=enabled, step_interval_seconds=AUTOPILOT_STEP_SECONDS)
        await self.fluent_admin("PUT", "autopilot", config.model_dump())

    async def fluent_operations(self) -> dict[str, int]:
        """GraphQL requests the connector made so far, by `<kind> <root field>`."""
        counts = await self.fluent_admin("GET", "graphql-operations")
        return dict(counts["operations"])

    # --- the connector's side --------------------------------------------------------------------

    async def status(self, order_id: str) -> OrderStatus | None:
        """The order workflow's status query, None while it does not exist yet."""
        handle = self.temporal.get_workflow_handle(order_workflow_id(order_id))
        try:
            result: OrderStatus = await handle.query(STATUS_QUERY, result_type=OrderStatus)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return None
            raise
        return result

    async def until_status(
        self, order_id: str, condition: Callable[[OrderStatus], bool], what: str
    ) -> OrderStatus:
        async def probe() -> OrderStatus | None:
            status = await self.status(order_id)
            return status if status is not None and condition(status) else None

        return await eventually(probe, f"order {order_id}: {what}")

    async def until_order(
        self, order_id: str, condition: Callable[[Order], bool], what: str
    ) -> Order:
        async def probe() -> Order | None:
            order = await self.order(order_id)
            return order if condition(order) else None

        return await eventually(probe, f"commercetools order {order_id}: {what}")

    async def finished(self, order_id: str, within: float = WAIT_SECONDS) -> OrderStatus:
        """The workflow's final status once it completed (fails if it failed or hangs)."""
        handle = self.temporal.get_workflow_handle(
            order_workflow_id(order_id), result_type=OrderStatus
        )
        async with asyncio.timeout(within):
            result: OrderStatus = await handle.result()
        description = await handle.describe()
        assert description.status == WorkflowExecutionStatus.COMPLETED
        return result

    async def runs(self, order_id: str) -> int:
        """How many runs the order's workflow id ever had (one lifecycle: exactly one)."""
        query = f"WorkflowId = '{order_workflow_id(order_id)}'"
        return len([run async for run in self.temporal.list_workflows(query)])

    # --- the worker process ----------------------------------------------------------------------

    def start_worker_process(self) -> Child:
        """`worker.py` as a child process; its log is `worker-<n>.log` in the work directory."""
        self._worker_starts += 1
        return self.worker_processes.start(
            f"worker-{self._worker_starts}",
            "connector worker",
            [sys.executable, str(PROJECT_ROOT / "worker.py")],
            {**base_environment(os.environ), **self.env},
            cwd=self.workdir,
        )

    def kill_worker_process(self) -> None:
        """SIGKILL, as a crash or an OOM kill would: no shutdown, no goodbye to Temporal."""
        for child in self.worker_processes.children:
            if child.returncode is None:
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()


async def fresh_namespace(client: Client) -> str:
    """A namespace of its own with the connector's search attributes."""
    name = f"orders-{uuid.uuid4().hex[:8]}"
    await client.workflow_service.register_namespace(
        RegisterNamespaceRequest(
            namespace=name, workflow_execution_retention_period=Duration(seconds=86_400)
        )
    )
    await eventually(lambda: _namespace_known(client, name), f"namespace {name} registered")
    await register_search_attributes(client, namespace=name)
    return name


async def _namespace_known(client: Client, name: str) -> bool | None:
    try:
        await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=name))
    except RPCError:
        return None
    return True


@contextmanager
def _environment(values: dict[str, str], workdir: Path) -> Iterator[None]:
    """The connector's settings as an operator sets them: environment variables, and a working
    directory without a stray `.env`. The webhook app reads them when it starts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)
        for name, value in values.items():
            patch.setenv(name, value)
        yield


@asynccontextmanager
async def _in_process_worker(settings: Settings, temporal: Client) -> AsyncIterator[None]:
    """Both task queues served in this process, wired as `worker.py` wires them."""
    async with AsyncExitStack() as stack:
        deps = Dependencies(
            settings=settings,
            commercetools=await stack.enter_async_context(
                CommercetoolsClient(settings.commercetools)
            ),
            fluent=await stack.enter_async_context(FluentClient(settings.fluent)),
            temporal=temporal,
        )
        for worker in build_workers(deps, ["orders", "sync"]):
            await stack.enter_async_context(worker)
        yield


@asynccontextmanager
async def connector_stack(
    dev_env: WorkflowEnvironment, workdir: Path, *, worker_process: bool = False
) -> AsyncIterator[ConnectorStack]:
    """Everything running and provisioned; the worker in this process unless `worker_process`
    (then a `worker.py` child, killed with its process group at the end)."""
    seed = generate(SeedSize.demo())
    dev_target = dev_env.client.service_client.config.target_host
    topology = DemoTopology(
        ports=DemoPorts(
            temporal=int(dev_target.rsplit(":", 1)[1]),
            temporal_ui=0,
            commercetools=free_port(),
            fluent=free_port(),
            connector=free_port(),
        ),
        state_dir=workdir,
        autopilot_interval=AUTOPILOT_STEP_SECONDS,
    )
    commercetools_app = create_commercetools_app(
        CommercetoolsSandboxConfig(
            seed=seed, push_initial_backoff_seconds=0.1, push_max_backoff_seconds=1.0
        )
    )
    fluent_app = create_fluent_app(
        FluentSandboxConfig(
            seed=seed,
            webhook_urls=[f"{topology.connector_url}/fluent/webhooks"],
            webhook_retry_delays_seconds=WEBHOOK_RETRY_DELAYS,
        )
    )
    fluent = fluent_of(fluent_app)
    namespace = await fresh_namespace(dev_env.client)
    suffix = uuid.uuid4().hex[:8]
    env = {
        **topology.connector_env(fluent.webhooks.signer.public_key_der_base64),
        "TEMPORAL_ADDRESS": dev_target,
        "TEMPORAL_NAMESPACE": namespace,
        "TEMPORAL_ORDER_TASK_QUEUE": f"orders-{suffix}",
        "TEMPORAL_SYNC_TASK_QUEUE": f"sync-{suffix}",
        "ORDERS_ORDER_EXPORT_CHANNEL_KEY": "",
    }
    temporal = await Client.connect(
        dev_target, namespace=namespace, data_converter=data_converter()
    )
    with (
        _environment(env, workdir),
        serve_in_thread(
            commercetools_app, port=topology.ports.commercetools, name="stack-commercetools"
        ),
        serve_in_thread(fluent_app, port=topology.ports.fluent, name="stack-fluent"),
    ):
        settings = load_settings()
        with serve_in_thread(
            create_webhook_app(settings), port=topology.ports.connector, name="stack-webhooks"
        ):
            async with AsyncExitStack() as exits:
                http = await exits.enter_async_context(httpx.AsyncClient(timeout=10.0))
                ct_settings = topology.commercetools_settings()
                shop = DemoShop(
                    http,
                    commercetools_url=topology.commercetools_url,
                    project_key=ct_settings.project_key,
                    client_id=ct_settings.client_id,
                    client_secret=ct_settings.client_secret.get_secret_value(),
                    fluent_url=topology.fluent_url,
                    location_refs=[location.ref for location in seed.locations],
                )
                processes = ChildProcesses(workdir)
                exits.callback(processes.stop_all, lambda _: 10.0)
                stack = ConnectorStack(
                    settings=settings,
                    env=env,
                    temporal=temporal,
                    fluent=fluent,
                    topology=topology,
                    http=http,
                    shop=shop,
                    seed=seed,
                    workdir=workdir,
                    worker_processes=processes,
                )
                if worker_process:
                    stack.start_worker_process()
                else:
                    await exits.enter_async_context(_in_process_worker(settings, temporal))
                await _provision(stack)
                yield stack


async def _provision(stack: ConnectorStack) -> None:
    """What `make demo` does before orders: the push subscriptions, the custom types, the shop's
    address Type, and the catalog in Fluent."""
    response = await stack.http.put(
        f"{stack.topology.commercetools_url}/sandbox/subscriptions",
        json=stack.topology.push_targets(),
    )
    assert response.status_code == 200, response.text
    readiness = await stack.http.get(f"{stack.topology.connector_url}/readyz")
    assert readiness.status_code == 200, readiness.text
    async with CommercetoolsClient(stack.settings.commercetools) as commercetools:
        steps = await provision_types(commercetools, stack.settings)
    assert all(step.change.value != "failed" for step in steps), steps
    await stack.shop.prepare()
    handle = await start_sync(stack.temporal, stack.settings, SyncKind.CATALOG, SyncMode.FULL)
    async with asyncio.timeout(60):
        result = await handle.result()
    assert result.status == "completed", result
    assert not result.total.failed, result
