"""Real HTTP peers for integration tests: the two sandboxes, the third-party commercetools
emulator, and a receiver for what the sandboxes post.

Servers are session-scoped and started lazily, so a test module pays only for the servers it
uses; clients are per test. Tests isolate themselves by unique keys (`unique()`), never by
resetting a server.

- `commercetools_sandbox`: `sandbox.commercetools` served by uvicorn in a thread, empty project;
  `running_commercetools_sandbox(config)` serves another one (seeded, with push targets, ...).
- `commercetools_mock`: `@labdigital/commercetools-mock` run by Node (tests/third_party/
  commercetools-mock/server.mjs). Skipped when `node` or the npm install is missing, unless
  `CONNECTOR_REQUIRE_REFERENCE=1` (CI), where a missing emulator fails the run.
- `ct_backend`: parametrised over both; a test marked `@pytest.mark.sandbox_only("why")` runs
  on the sandbox alone and is reported as skipped on the emulator with that reason.
- `fluent_sandbox`: `sandbox.fluent` served in a thread, empty, with webhooks going to
  `webhook_receiver`, a small app that records every POST it gets (`wait_for` one);
  `running_fluent_sandbox(config)` serves another one, for a test that must move its clock.

Each backend knows its credentials and builds connector settings and clients (`settings()`,
`client()`, with overrides such as a wrong secret); `RecordingTransport` lets a test see the
exchanges a client made (`ct_transport` / `fluent_transport` record those of `ct_client` /
`fluent_client`).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from connector.commercetools.client import CommercetoolsClient
from connector.config import CommercetoolsSettings, FluentSettings
from connector.fluent.client import FluentClient
from sandbox.commercetools import CommercetoolsSandbox, CommercetoolsSandboxConfig
from sandbox.commercetools import create_app as create_commercetools_app
from sandbox.commercetools import sandbox_of as commercetools_sandbox_of
from sandbox.common.serving import RunningServer, serve_in_thread
from sandbox.fluent.app import create_app as create_fluent_app
from sandbox.fluent.config import FluentSandboxConfig
from sandbox.fluent.service import FluentSandbox, sandbox_of
from tests.commercetools_api import project_api
from tests.conftest import PROJECT_ROOT

REQUIRE_REFERENCE = "CONNECTOR_REQUIRE_REFERENCE"
CTMOCK_DIR = PROJECT_ROOT / "tests" / "third_party" / "commercetools-mock"
CTMOCK_PACKAGE = CTMOCK_DIR / "node_modules" / "@labdigital" / "commercetools-mock"
CTMOCK_START_TIMEOUT_SECONDS = 30.0

SANDBOX = "sandbox"
CTMOCK = "commercetools-mock"
COMMERCETOOLS_BACKENDS = (SANDBOX, CTMOCK)


LOCAL_TLS = ssl.create_default_context()
"""Every server here speaks plain HTTP; sharing one TLS context spares each test client the
~30 ms httpx spends building its own."""


def local_transport() -> httpx.AsyncHTTPTransport:
    return httpx.AsyncHTTPTransport(verify=LOCAL_TLS)


def unique(prefix: str) -> str:
    """A key no other test (or earlier run against the same server) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sandbox_only(reason): the case runs against the commercetools sandbox only; "
        "on the third-party emulator it is skipped with the reason",
    )


# --- recording what a client sends ------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    status: int


class RecordingTransport(httpx.AsyncBaseTransport):
    """The real network, recording each exchange; pass it as a client's `transport`."""

    def __init__(self) -> None:
        self._network = local_transport()
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._network.handle_async_request(request)
        self.exchanges.append(Exchange(request.method, request.url.path, response.status_code))
        return response

    async def aclose(self) -> None:
        await self._network.aclose()

    def count(self, method: str, path_end: str, status: int | None = None) -> int:
        """Exchanges with this method whose path ends with `path_end` (and this status)."""
        return sum(
            1
            for exchange in self.exchanges
            if exchange.method == method
            and exchange.path.endswith(path_end)
            and (status is None or exchange.status == status)
        )


# --- commercetools ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CommercetoolsBackend:
    """A commercetools API on 127.0.0.1 (API and auth on the same host). `sandbox` is the
    running sandbox's state (store, push dispatcher, ...); None for the third-party emulator."""

    name: str
    url: str
    project_key: str
    client_id: str
    client_secret: str
    sandbox: CommercetoolsSandbox | None = None

    def settings(self, **overrides: Any) -> CommercetoolsSettings:
        values: dict[str, Any] = {
            "project_key": self.project_key,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "api_url": self.url,
            "auth_url": self.url,
            "timeout_seconds": 10.0,
            **overrides,
        }
        return CommercetoolsSettings(**values)

    def client(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        **overrides: Any,
    ) -> CommercetoolsClient:
        transport = transport or local_transport()
        return CommercetoolsClient(self.settings(**overrides), transport=transport, clock=clock)

    async def expire_tokens(self) -> None:
        """Invalidate every token issued so far (both servers serve this admin route)."""
        async with httpx.AsyncClient(verify=LOCAL_TLS) as http:
            response = await http.post(f"{self.url}/sandbox/tokens/expire")
            response.raise_for_status()

    @contextlib.asynccontextmanager
    async def api(self) -> AsyncIterator[httpx.AsyncClient]:
        """A raw, authenticated client rooted at the project (`base_url` ends with
        `/{projectKey}/`), for setting up what the connector's client does not write."""
        async with project_api(
            self.url,
            self.project_key,
            credentials=(self.client_id, self.client_secret),
            timeout=10.0,
            verify=LOCAL_TLS,
        ) as api:
            yield api


@contextlib.contextmanager
def running_commercetools_sandbox(
    config: CommercetoolsSandboxConfig,
) -> Iterator[CommercetoolsBackend]:
    """A commercetools sandbox of its own (seeded, with push targets, ...), lifespan on."""
    app = create_commercetools_app(config)
    with serve_in_thread(app, name="commercetools-sandbox") as server:
        yield CommercetoolsBackend(
            name=SANDBOX,
            url=server.url,
            project_key=config.project_key,
            client_id=config.client_id,
            client_secret=config.client_secret.get_secret_value(),
            sandbox=commercetools_sandbox_of(app),
        )


@pytest.fixture(scope="session")
def commercetools_sandbox() -> Iterator[CommercetoolsBackend]:
    """An empty project: tests create what they need under unique keys."""
    config = CommercetoolsSandboxConfig(project_key="integration")
    with running_commercetools_sandbox(config) as backend:
        yield backend


def _emulator_unavailable(reason: str) -> None:
    """Skip, or fail in CI: there the emulator is installed and its tests must run."""
    message = f"{CTMOCK} unavailable: {reason}"
    if os.environ.get(REQUIRE_REFERENCE) == "1":
        pytest.fail(f"{message} ({REQUIRE_REFERENCE}=1 requires it)")
    pytest.skip(message)


def _first_line(stream: IO[str], timeout: float) -> str | None:
    """The first line of a child's output, or None if none comes in time (or it exits)."""
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True)
    reader.start()
    try:
        return lines.get(timeout=timeout) or None
    except queue.Empty:
        return None


@pytest.fixture(scope="session")
def commercetools_mock() -> Iterator[CommercetoolsBackend]:
    node = shutil.which("node")
    if node is None:
        _emulator_unavailable("`node` is not on PATH")
    if not CTMOCK_PACKAGE.is_dir():
        _emulator_unavailable(f"run `npm ci --prefix {CTMOCK_DIR.relative_to(PROJECT_ROOT)}`")
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            [str(node), "server.mjs", "0"],
            cwd=CTMOCK_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert process.stdout is not None
        assert process.stdin is not None
        try:
            line = _first_line(process.stdout, CTMOCK_START_TIMEOUT_SECONDS)
            if line is None:
                process.kill()
                process.wait()
                errors.seek(0)
                pytest.fail(f"{CTMOCK} did not start: {errors.read()[-2000:]}")
            info = json.loads(line)
            yield CommercetoolsBackend(
                name=CTMOCK,
                url=info["url"],
                project_key=info["projectKey"],
                client_id=info["clientId"],
                client_secret=info["clientSecret"],
            )
        finally:
            process.stdin.close()  # the server exits when its stdin closes
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(params=COMMERCETOOLS_BACKENDS)
def ct_backend(request: pytest.FixtureRequest) -> CommercetoolsBackend:
    """Each commercetools backend in turn; see `sandbox_only` for cases the emulator cannot
    run."""
    name = request.param
    marker = request.node.get_closest_marker("sandbox_only")
    if name != SANDBOX and marker is not None:
        pytest.skip(f"sandbox only: {marker.args[0]}")
    fixture = "commercetools_sandbox" if name == SANDBOX else "commercetools_mock"
    backend: CommercetoolsBackend = request.getfixturevalue(fixture)
    return backend


@pytest.fixture
async def ct_transport() -> AsyncIterator[RecordingTransport]:
    transport = RecordingTransport()
    yield transport
    await transport.aclose()


@pytest.fixture
async def ct_client(
    ct_backend: CommercetoolsBackend, ct_transport: RecordingTransport
) -> AsyncIterator[CommercetoolsClient]:
    """The connector's client for `ct_backend`, recording its exchanges in `ct_transport`."""
    async with ct_backend.client(transport=ct_transport) as client:
        yield client


@pytest.fixture
async def ct_api(ct_backend: CommercetoolsBackend) -> AsyncIterator[httpx.AsyncClient]:
    async with ct_backend.api() as api:
        yield api


# --- receiving webhooks -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedPost:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Records every POST to `url` (any path below it) and answers 200."""

    server: RunningServer
    posts: list[ReceivedPost] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return self.server.url

    def record(self, post: ReceivedPost) -> None:
        with self._arrived:
            self.posts.append(post)
            self._arrived.notify_all()

    def wait_for(
        self, matches: Callable[[ReceivedPost], bool], *, timeout: float = 10.0
    ) -> ReceivedPost:
        """The first recorded post that `matches`, waiting for it if need be (blocking, which is
        safe: the servers that post run in threads of their own)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = next((post for post in self.posts if matches(post)), None)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no matching post within {timeout} s; got {len(self.posts)} others"
                    )
                self._arrived.wait(remaining)


def _receiver_app(record: Callable[[ReceivedPost], None]) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/{path:path}")
    async def receive(path: str, request: Request) -> Response:
        body = await request.body()
        record(ReceivedPost(f"/{path}", dict(request.headers), body))
        return Response(status_code=200)

    return app


@pytest.fixture(scope="session")
def webhook_receiver() -> Iterator[WebhookReceiver]:
    holder: list[WebhookReceiver] = []
    app = _receiver_app(lambda post: holder[0].record(post))
    with serve_in_thread(app, name="webhook-receiver") as server:
        holder.append(WebhookReceiver(server))
        yield holder[0]


# --- Fluent -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FluentBackend:
    """The Fluent sandbox on 127.0.0.1, with its running state for inspection."""

    url: str
    config: FluentSandboxConfig
    sandbox: FluentSandbox

    def settings(self, **overrides: Any) -> FluentSettings:
        config = self.config
        values: dict[str, Any] = {
            "host": self.url,
            "account_id": config.account_id,
            "retailer_id": config.retailer_id,
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "username": config.username,
            "password": config.password,
            "network_ref": config.network_ref,
            "virtual_catalogue_ref": config.virtual_catalogue_ref,
            "timeout_seconds": 10.0,
            **overrides,
        }
        return FluentSettings(**values)

    def client(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        **overrides: Any,
    ) -> FluentClient:
        transport = transport or local_transport()
        return FluentClient(self.settings(**overrides), transport=transport, clock=clock)

    @contextlib.asynccontextmanager
    async def admin(self) -> AsyncIterator[httpx.AsyncClient]:
        """A client for the sandbox's own `/sandbox/` routes (no token needed)."""
        async with httpx.AsyncClient(
            base_url=f"{self.url}/sandbox/", timeout=10.0, verify=LOCAL_TLS
        ) as http:
            yield http


@contextlib.contextmanager
def running_fluent_sandbox(config: FluentSandboxConfig) -> Iterator[FluentBackend]:
    """A Fluent sandbox of its own, for a test that changes what others rely on (its clock)."""
    app = create_fluent_app(config)
    with serve_in_thread(app, name="fluent-sandbox") as server:
        yield FluentBackend(server.url, config, sandbox_of(app))


@pytest.fixture(scope="session")
def fluent_sandbox(webhook_receiver: WebhookReceiver) -> Iterator[FluentBackend]:
    """An empty account (tests create what they need, with unique refs); every webhook goes to
    `webhook_receiver` at `/fluent`, without retries."""
    config = FluentSandboxConfig(
        webhook_urls=[f"{webhook_receiver.url}/fluent"], webhook_retry_delays_seconds=()
    )
    with running_fluent_sandbox(config) as backend:
        yield backend


@pytest.fixture
async def fluent_transport() -> AsyncIterator[RecordingTransport]:
    transport = RecordingTransport()
    yield transport
    await transport.aclose()


@pytest.fixture
async def fluent_client(
    fluent_sandbox: FluentBackend, fluent_transport: RecordingTransport
) -> AsyncIterator[FluentClient]:
    async with fluent_sandbox.client(transport=fluent_transport) as client:
        yield client


__all__ = [
    "COMMERCETOOLS_BACKENDS",
    "CTMOCK",
    "LOCAL_TLS",
    "SANDBOX",
    "CommercetoolsBackend",
    "Exchange",
    "FluentBackend",
    "ReceivedPost",
    "RecordingTransport",
    "WebhookReceiver",
    "local_transport",
    "running_commercetools_sandbox",
    "running_fluent_sandbox",
    "unique",
]
