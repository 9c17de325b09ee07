"""The demo's processes: the Temporal dev server, both sandboxes, the connector's webhook app and
its worker, each a child process in its own process group with its own environment and log file.

`DemoStack` starts them in dependency order, wires them together (the commercetools sandbox
pushes order and catalog messages to the webhook app with a generated bearer token; the Fluent
sandbox posts signed webhooks to it, whose public key the connector is given), waits until each
one answers, and on exit stops exactly the processes it started, in reverse order: SIGTERM to
the process group, SIGKILL when it does not end in time. Nothing is read from the caller's
connector settings or `.env`: the demo's processes get their whole configuration from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from cli.common import CliError
from connector.config import CommercetoolsSettings, FluentSettings, TemporalSettings
from connector.events import ORDER_MESSAGE_TYPES
from connector.temporal import data_converter, installed_binary, search_attribute_flags
from sandbox.commercetools.config import CommercetoolsSandboxConfig
from sandbox.common.serving import PortInUseError, ensure_port_free, free_port
from sandbox.fluent.config import FluentSandboxConfig

PROJECT_ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
NAMESPACE = "default"
CONNECTOR_ENV_PREFIXES = ("CT_", "FLUENT_", "TEMPORAL_", "CONNECTOR_", "ORDERS_", "SYNC_")
ORDER_EXPORT_CHANNEL_KEY = "fluent-order-export"
CATALOG_RESOURCE_TYPES = ("product", "category")
WORKER_GRACE_SECONDS = 5
READY_POLL_SECONDS = 0.1
PROBE_TIMEOUT_SECONDS = 2.0
LOG_TAIL_LINES = 15
# The sandboxes run with their default credentials; the connector is told these.
COMMERCETOOLS_SANDBOX = CommercetoolsSandboxConfig()
FLUENT_SANDBOX = FluentSandboxConfig()
# The worker serves the default task queues (its environment sets none).
ORDER_TASK_QUEUE: str = TemporalSettings.model_fields["order_task_queue"].default
SYNC_TASK_QUEUE: str = TemporalSettings.model_fields["sync_task_queue"].default


# --- ports ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortSetting:
    """One port of the demo: its flag, environment variable, default and what listens on it."""

    name: str
    flag: str
    env: str
    default: int
    component: str


PORT_SETTINGS = (
    PortSetting("temporal", "--temporal-port", "DEMO_TEMPORAL_PORT", 7233, "Temporal dev server"),
    PortSetting("temporal_ui", "--ui-port", "DEMO_UI_PORT", 8233, "Temporal Web UI"),
    PortSetting(
        "commercetools",
        "--commercetools-port",
        "DEMO_COMMERCETOOLS_PORT",
        8081,
        "commercetools sandbox",
    ),
    PortSetting("fluent", "--fluent-port", "DEMO_FLUENT_PORT", 8082, "Fluent sandbox"),
    PortSetting(
        "connector", "--connector-port", "DEMO_CONNECTOR_PORT", 8080, "connector webhook app"
    ),
)


@dataclass(frozen=True)
class DemoPorts:
    temporal: int
    temporal_ui: int
    commercetools: int
    fluent: int
    connector: int


def _port_number(text: str, origin: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise CliError(f"{origin} must be a port number, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise CliError(f"{origin} must be between 0 and 65535, got {port}")
    return port


def resolve_ports(flags: Mapping[str, int | None], environ: Mapping[str, str]) -> DemoPorts:
    """Each port from its flag, else its environment variable, else its default; 0 picks a
    free port. Every port must be distinct and free on 127.0.0.1 (one-line error naming it)."""
    chosen: dict[str, int] = {}
    for setting in PORT_SETTINGS:
        flag_value = flags.get(setting.name)
        if flag_value is not None:
            port = _port_number(str(flag_value), setting.flag)
        elif setting.env in environ:
            port = _port_number(environ[setting.env], setting.env)
        else:
            port = setting.default
        chosen[setting.name] = port or free_port(HOST)
    by_port: dict[int, PortSetting] = {}
    for setting in PORT_SETTINGS:
        port = chosen[setting.name]
        if port in by_port:
            raise CliError(
                f"port {port} is given to both the {by_port[port].component} and the "
                f"{setting.component}: choose another with {setting.flag} or {setting.env}"
            )
        by_port[port] = setting
        try:
            ensure_port_free(HOST, port, setting.component)
        except PortInUseError:
            raise CliError(
                f"port {port} on {HOST} is already in use (wanted by the {setting.component}): "
                f"stop what uses it or choose another with {setting.flag} or {setting.env}"
            ) from None
    return DemoPorts(**chosen)


# --- what the processes are told ------------------------------------------------------------------


@dataclass(frozen=True)
class DemoTopology:
    """Where everything listens and the credentials they share (the sandboxes' defaults)."""

    ports: DemoPorts
    state_dir: Path
    autopilot_interval: float
    events_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def temporal_address(self) -> str:
        return f"{HOST}:{self.ports.temporal}"

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.ports.temporal_ui}"

    @property
    def commercetools_url(self) -> str:
        return f"http://{HOST}:{self.ports.commercetools}"

    @property
    def fluent_url(self) -> str:
        return f"http://{HOST}:{self.ports.fluent}"

    @property
    def connector_url(self) -> str:
        return f"http://{HOST}:{self.ports.connector}"

    @property
    def env_file(self) -> Path:
        return self.state_dir / "demo.env"

    def connector_env(self, webhook_public_key: str) -> dict[str, str]:
        """The connector's settings for the webhook app, the worker and `starter.py`."""
        ct, fluent = COMMERCETOOLS_SANDBOX, FLUENT_SANDBOX
        return {
            "CT_PROJECT_KEY": ct.project_key,
            "CT_CLIENT_ID": ct.client_id,
            "CT_CLIENT_SECRET": ct.client_secret.get_secret_value(),
            "CT_API_URL": self.commercetools_url,
            "CT_AUTH_URL": self.commercetools_url,
            "FLUENT_HOST": self.fluent_url,
            "FLUENT_ACCOUNT_ID": fluent.account_id,
            "FLUENT_RETAILER_ID": fluent.retailer_id,
            "FLUENT_CLIENT_ID": fluent.client_id,
            "FLUENT_CLIENT_SECRET": fluent.client_secret,
            "FLUENT_USERNAME": fluent.username,
            "FLUENT_PASSWORD": fluent.password,
            "FLUENT_NETWORK_REF": fluent.network_ref,
            "FLUENT_VIRTUAL_CATALOGUE_REF": fluent.virtual_catalogue_ref,
            "FLUENT_WEBHOOK_PUBLIC_KEYS": webhook_public_key,
            "TEMPORAL_ADDRESS": self.temporal_address,
            "TEMPORAL_NAMESPACE": NAMESPACE,
            # No client profile from the user's home directory: the demo server is local.
            "TEMPORAL_CONFIG_FILE": os.devnull,
            "TEMPORAL_GRACEFUL_SHUTDOWN_SECONDS": str(WORKER_GRACE_SECONDS),
            "CONNECTOR_WEBHOOK_HOST": HOST,
            "CONNECTOR_WEBHOOK_PORT": str(self.ports.connector),
            "CONNECTOR_COMMERCETOOLS_EVENTS_TOKEN": self.events_token,
            "ORDERS_ORDER_EXPORT_CHANNEL_KEY": ORDER_EXPORT_CHANNEL_KEY,
        }

    def commercetools_settings(self) -> CommercetoolsSettings:
        """For the demo's own reads."""
        return sandbox_commercetools_settings(self.commercetools_url)

    def fluent_settings(self) -> FluentSettings:
        return sandbox_fluent_settings(self.fluent_url)

    def push_targets(self) -> list[dict[str, Any]]:
        """The commercetools sandbox's subscriptions: order messages and catalog changes, each
        pushed to the connector's `/commercetools/events` with the bearer token."""
        url = f"{self.connector_url}/commercetools/events"
        return [
            {
                "name": "connector-orders",
                "url": url,
                "token": self.events_token,
                "message_types": list(ORDER_MESSAGE_TYPES),
            },
            {
                "name": "connector-catalog",
                "url": url,
                "token": self.events_token,
                "resource_type_ids": list(CATALOG_RESOURCE_TYPES),
            },
        ]


def sandbox_commercetools_settings(url: str) -> CommercetoolsSettings:
    """The connector's settings for a commercetools sandbox at `url` with its default API
    client; nothing comes from the caller's environment or `.env` that could point elsewhere."""
    ct = COMMERCETOOLS_SANDBOX
    return CommercetoolsSettings(
        _env_file=None,
        project_key=ct.project_key,
        client_id=ct.client_id,
        client_secret=ct.client_secret,
        api_url=url,
        auth_url=url,
        scopes="",
    )


def sandbox_fluent_settings(url: str) -> FluentSettings:
    """The connector's settings for a Fluent sandbox at `url` with its default account, users
    and network (see `sandbox_commercetools_settings`)."""
    fluent = FLUENT_SANDBOX
    return FluentSettings(
        _env_file=None,
        host=url,
        account_id=fluent.account_id,
        retailer_id=fluent.retailer_id,
        client_id=fluent.client_id,
        client_secret=fluent.client_secret,
        username=fluent.username,
        password=fluent.password,
        product_catalogue_ref="",
        inventory_catalogue_ref="",
        network_ref=fluent.network_ref,
        virtual_catalogue_ref=fluent.virtual_catalogue_ref,
    )


def base_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment without any connector or Temporal setting, so nothing from the
    shell changes what the demo's processes do."""
    kept = {k: v for k, v in environ.items() if not k.startswith(CONNECTOR_ENV_PREFIXES)}
    return {**kept, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(PROJECT_ROOT)}


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    """`KEY='value'` lines an operator can source (`set -a; . FILE; set +a`)."""
    lines = [f"{key}='{value}'" for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)


# --- child processes ------------------------------------------------------------------------------


class ComponentError(CliError):
    """A component failed to start or to answer; the message names it."""

    def __init__(self, component: str, problem: str) -> None:
        super().__init__(f"{component}: {problem}")
        self.component = component


@dataclass
class Child:
    key: str
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])

    def stop(self, grace_seconds: float) -> None:
        """SIGTERM to the child's process group, SIGKILL if it is still there after the grace
        period. A child that already ended is only reaped: its group id may be reused."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class ChildProcesses:
    """The processes the demo started, each leading its own process group (so a Ctrl-C in the
    terminal reaches only the demo, which stops them in order)."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.children: list[Child] = []

    def start(
        self, key: str, name: str, argv: Sequence[str], env: Mapping[str, str], cwd: Path
    ) -> Child:
        log_path = self.log_dir / f"{key}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                list(argv),
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child = Child(key=key, name=name, process=process, log_path=log_path)
        self.children.append(child)
        return child

    def exited(self) -> Child | None:
        """The first child that ended (by itself: the demo stops them only on its way out)."""
        return next((child for child in self.children if child.returncode is not None), None)

    def stop_all(self, grace_seconds: Callable[[Child], float]) -> None:
        """Newest first, so the worker stops while Temporal still answers. The children stay
        listed (ended) for their exit codes and logs."""
        for child in reversed(self.children):
            child.stop(grace_seconds(child))


async def run_to_completion(
    argv: Sequence[str], env: Mapping[str, str], cwd: Path
) -> tuple[int, str, str]:
    """Run a short-lived child (e.g. `starter.py sync`) in its own process group; its exit
    code, stdout and stderr. Killed with its group when the caller is cancelled (or times out
    with `asyncio.timeout`)."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=dict(env),
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = await process.communicate()
    except BaseException:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        raise
    code = await process.wait()  # already ended: this only reads its exit code
    return code, stdout.decode(errors="replace"), stderr.decode(errors="replace")


# --- probes ---------------------------------------------------------------------------------------

Probe = Callable[[], Awaitable[str | None]]
"""Answers None when the component is ready, else why not (one short phrase)."""


def http_probe(http: httpx.AsyncClient, url: str) -> Probe:
    async def probe() -> str | None:
        try:
            response = await http.get(url, timeout=PROBE_TIMEOUT_SECONDS)
        except httpx.HTTPError as error:
            return f"{url} does not answer ({type(error).__name__})"
        if response.status_code != 200:
            return f"{url} answers HTTP {response.status_code}"
        return None

    return probe


async def task_queue_pollers(client: Client, task_queue: str) -> dict[str, int]:
    """How many pollers serve the workflow and activity tasks of a queue."""
    counts = {}
    for kind, value in (
        ("workflow", TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        ("activity", TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    ):
        response = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=task_queue),
                task_queue_type=value,
            ),
            timeout=timedelta(seconds=PROBE_TIMEOUT_SECONDS),
        )
        counts[kind] = len(response.pollers)
    return counts


# --- the stack ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    address: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class DemoStack:
    """Starts, checks and stops the demo's processes. Use as `async with DemoStack(...)`: leaving
    the block (normally, on error or on cancellation) stops every process it started."""

    def __init__(self, topology: DemoTopology, environ: Mapping[str, str], ready_timeout: float):
        self.topology = topology
        self.ready_timeout = ready_timeout
        self.base_env = base_environment(environ)
        self.processes = ChildProcesses(topology.state_dir)
        self.http = httpx.AsyncClient()
        self.connector_env: dict[str, str] = {}
        self._temporal: Client | None = None

    async def __aenter__(self) -> DemoStack:
        self.topology.state_dir.mkdir(parents=True, exist_ok=True)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.processes.stop_all(
            lambda child: WORKER_GRACE_SECONDS + 5.0 if child.key == "worker" else 5.0
        )
        await self.http.aclose()

    @property
    def temporal(self) -> Client:
        if self._temporal is None:
            raise RuntimeError("Temporal is connected by start()")
        return self._temporal

    @property
    def log_paths(self) -> dict[str, Path]:
        return {child.name: child.log_path for child in self.processes.children}

    async def start(self) -> None:
        """Everything, in dependency order; raises `ComponentError` naming what failed."""
        topology = self.topology
        python = sys.executable
        temporal = self._spawn(
            "temporal",
            "Temporal dev server",
            [
                installed_binary("temporal"),
                "server",
                "start-dev",
                "--ip",
                HOST,
                "--port",
                str(topology.ports.temporal),
                "--ui-port",
                str(topology.ports.temporal_ui),
                "--ui-disable-news-fetch",
                *search_attribute_flags(),
            ],
        )
        commercetools = self._spawn(
            "commercetools",
            "commercetools sandbox",
            [
                python,
                "-m",
                "sandbox.commercetools",
                "--host",
                HOST,
                "--port",
                str(topology.ports.commercetools),
                "--seed",
                "demo",
            ],
        )
        fluent = self._spawn(
            "fluent",
            "Fluent sandbox",
            [
                python,
                "-m",
                "sandbox.fluent",
                "--host",
                HOST,
                "--port",
                str(topology.ports.fluent),
                "--seed",
                "demo",
                "--webhook-url",
                f"{topology.connector_url}/fluent/webhooks",
                "--autopilot",
                "--autopilot-interval",
                str(topology.autopilot_interval),
            ],
        )
        await asyncio.gather(
            self._wait(temporal, self._temporal_probe),
            self._wait(temporal, http_probe(self.http, topology.ui_url)),
            self._wait(
                commercetools, http_probe(self.http, f"{topology.commercetools_url}/sandbox/store")
            ),
            self._wait(fluent, http_probe(self.http, f"{topology.fluent_url}/sandbox/state")),
        )
        await self._wire_commercetools()
        public_key = await self._fluent_public_key()
        self.connector_env = topology.connector_env(public_key)
        write_env_file(topology.env_file, self.connector_env)

        webhooks = self._spawn(
            "webhooks",
            "connector webhook app",
            [python, "-m", "connector.webhooks"],
            self.connector_env,
        )
        worker = self._spawn(
            "worker",
            "connector worker",
            [python, str(PROJECT_ROOT / "worker.py")],
            self.connector_env,
        )
        await asyncio.gather(
            self._wait(webhooks, http_probe(self.http, f"{topology.connector_url}/readyz")),
            self._wait(worker, self._worker_probe),
        )

    async def check(self) -> list[ComponentStatus]:
        """Ask every component once whether it answers (for `demo --check` and the summary)."""
        topology = self.topology
        checks: list[tuple[str, str, Probe]] = [
            ("Temporal dev server", topology.temporal_address, self._temporal_probe),
            ("Temporal Web UI", topology.ui_url, http_probe(self.http, topology.ui_url)),
            (
                "commercetools sandbox",
                topology.commercetools_url,
                self._commercetools_wired_probe,
            ),
            (
                "Fluent sandbox",
                topology.fluent_url,
                http_probe(self.http, f"{topology.fluent_url}/sandbox/state"),
            ),
            (
                "connector webhook app",
                topology.connector_url,
                self._webhook_app_probe,
            ),
            ("connector worker", "task queues", self._worker_probe),
        ]
        problems = await asyncio.gather(*(probe() for _, _, probe in checks))
        statuses = [
            ComponentStatus(name=name, address=address, problem=problem)
            for (name, address, _), problem in zip(checks, problems, strict=True)
        ]
        for child in self.processes.children:
            if child.returncode is not None:
                statuses.append(
                    ComponentStatus(
                        name=child.name,
                        address=str(child.log_path),
                        problem=f"exited with code {child.returncode}",
                    )
                )
        return statuses

    def exited_child(self) -> Child | None:
        return self.processes.exited()

    # --- internals --------------------------------------------------------------------------------

    def _spawn(
        self, key: str, name: str, argv: Sequence[str], extra_env: Mapping[str, str] | None = None
    ) -> Child:
        env = {**self.base_env, **(extra_env or {})}
        return self.processes.start(key, name, argv, env, cwd=self.topology.state_dir)

    async def _wait(self, child: Child, probe: Probe) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while True:
            if child.returncode is not None:
                raise ComponentError(
                    child.name,
                    f"exited with code {child.returncode} during start-up (log: {child.log_path})"
                    + _tail(child),
                )
            problem = await probe()
            if problem is None:
                return
            if time.monotonic() > deadline:
                raise ComponentError(
                    child.name,
                    f"not ready after {self.ready_timeout:.0f} s: {problem} "
                    f"(log: {child.log_path})" + _tail(child),
                )
            await asyncio.sleep(READY_POLL_SECONDS)

    async def _temporal_probe(self) -> str | None:
        try:
            if self._temporal is None:
                self._temporal = await Client.connect(
                    self.topology.temporal_address,
                    namespace=NAMESPACE,
                    data_converter=data_converter(),
                )
            serving = await self._temporal.service_client.check_health(
                timeout=timedelta(seconds=PROBE_TIMEOUT_SECONDS)
            )
        except Exception as error:  # the SDK raises RuntimeError or RPCError while it starts
            return f"{self.topology.temporal_address} does not answer ({type(error).__name__})"
        return None if serving else "the frontend is not serving yet"

    async def _worker_probe(self) -> str | None:
        if self._temporal is None:
            return "Temporal is not connected"
        missing = []
        try:
            for queue in (ORDER_TASK_QUEUE, SYNC_TASK_QUEUE):
                pollers = await task_queue_pollers(self._temporal, queue)
                missing += [f"{queue} ({kind})" for kind, count in pollers.items() if not count]
        except Exception as error:  # RPCError while the server starts, or a timeout
            return f"cannot describe the task queues ({type(error).__name__})"
        return f"no poller on {', '.join(missing)}" if missing else None

    async def _webhook_app_probe(self) -> str | None:
        url = self.topology.connector_url
        for path in ("/healthz", "/readyz"):
            problem = await http_probe(self.http, url + path)()
            if problem is not None:
                return problem
        return None

    async def _commercetools_wired_probe(self) -> str | None:
        url = f"{self.topology.commercetools_url}/sandbox/subscriptions"
        try:
            response = await self.http.get(url, timeout=PROBE_TIMEOUT_SECONDS)
            response.raise_for_status()
        except httpx.HTTPError as error:
            return f"{url} does not answer ({type(error).__name__})"
        targets = {target.get("name") for target in response.json().get("targets", [])}
        wanted = {target["name"] for target in self.topology.push_targets()}
        missing = sorted(wanted - targets)
        return f"push subscriptions missing: {', '.join(missing)}" if missing else None

    async def _wire_commercetools(self) -> None:
        url = f"{self.topology.commercetools_url}/sandbox/subscriptions"
        response = await self.http.put(url, json=self.topology.push_targets())
        if response.status_code != 200:
            raise ComponentError(
                "commercetools sandbox",
                f"refused the push subscriptions: HTTP {response.status_code} {response.text}",
            )

    async def _fluent_public_key(self) -> str:
        url = f"{self.topology.fluent_url}/sandbox/webhook-public-key"
        response = await self.http.get(url)
        if response.status_code != 200:
            raise ComponentError(
                "Fluent sandbox", f"no webhook public key: HTTP {response.status_code}"
            )
        return str(response.json()["publicKey"])


def _tail(child: Child) -> str:
    tail = child.log_tail()
    return f"\n--- last lines of {child.log_path} ---\n{tail}" if tail else ""
