"""What the sync benchmarks (and the sync tests) share: the connector's settings for the two
sandboxes started with their default credentials, and a full local stack - the Temporal dev
server, both sandboxes served over HTTP and seeded, and a worker of the sync task queue wired as
`worker.py` wires it - with the sandboxes' request counters."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.dependencies import Dependencies
from cli.demo_stack import sandbox_commercetools_settings, sandbox_fluent_settings
from connector.commercetools.client import CommercetoolsClient
from connector.config import (
    ConnectorSettings,
    OrderSettings,
    Settings,
    SyncSettings,
    TemporalSettings,
)
from connector.fluent.client import FluentClient
from connector.setup import provision_channels, provision_types
from connector.sync_control import start_sync
from connector.syncs import SyncKind, SyncMode, SyncResult
from connector.temporal import SEARCH_ATTRIBUTES, data_converter, installed_binary
from sandbox.commercetools import CommercetoolsSandboxConfig
from sandbox.commercetools import create_app as create_commercetools
from sandbox.common.serving import serve_in_thread
from sandbox.fluent.app import create_app as create_fluent
from sandbox.fluent.config import FluentSandboxConfig
from sandbox.seed import SeedData
from worker import build_workers


def sandbox_settings(
    commercetools_url: str,
    fluent_url: str,
    *,
    sync_task_queue: str = "ct-fluent-sync",
    order_task_queue: str = "ct-fluent-orders",
    **sync: Any,
) -> Settings:
    """Connector settings for sandboxes started with their default credentials."""
    return Settings(
        commercetools=sandbox_commercetools_settings(commercetools_url),
        fluent=sandbox_fluent_settings(fluent_url),
        temporal=TemporalSettings(
            sync_task_queue=sync_task_queue, order_task_queue=order_task_queue
        ),
        connector=ConnectorSettings(),
        orders=OrderSettings(),
        sync=SyncSettings(**sync),
    )


@dataclass
class Counters:
    commercetools_url: str
    fluent_url: str

    async def reset(self) -> None:
        async with httpx.AsyncClient() as http:
            await http.delete(f"{self.commercetools_url}/sandbox/requests")
            await http.delete(f"{self.fluent_url}/sandbox/requests")
            await http.delete(f"{self.fluent_url}/sandbox/graphql-operations")

    async def read(self) -> dict[str, int]:
        """Writes and reads each sandbox served since the last reset."""
        async with httpx.AsyncClient() as http:
            ct = (await http.get(f"{self.commercetools_url}/sandbox/requests")).json()
            fluent = (await http.get(f"{self.fluent_url}/sandbox/graphql-operations")).json()
        return {
            "commercetools_requests": ct["total"],
            "commercetools_writes": ct["writes"],
            "fluent_queries": fluent["queries"],
            "fluent_mutations": fluent["mutations"],
        }


@dataclass
class Stack:
    client: Client
    settings: Settings
    counters: Counters

    async def run(self, kind: SyncKind, mode: SyncMode) -> tuple[SyncResult, float, dict[str, int]]:
        """One sync, started as an operator starts it; its result, seconds and requests."""
        await self.counters.reset()
        started = time.perf_counter()
        handle = await start_sync(self.client, self.settings, kind, mode)
        result = await handle.result()
        return result, time.perf_counter() - started, await self.counters.read()


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Processes started inside write their standard output to standard error."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


@asynccontextmanager
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """The Temporal dev server (a child process, in-memory SQLite) with the connector's search
    attributes, and a client of its default namespace."""
    with _stdout_to_stderr():  # the dev server prints its banner: keep stdout for the JSON
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=installed_binary("temporal"),
            data_converter=data_converter(),
            search_attributes=SEARCH_ATTRIBUTES,
        )
    try:
        yield env
    finally:
        await env.shutdown()


@asynccontextmanager
async def local_stack(seed: SeedData, **sync: Any) -> AsyncIterator[Stack]:
    async with dev_server() as env:
        with ExitStack() as servers:
            commercetools = servers.enter_context(
                serve_in_thread(
                    create_commercetools(CommercetoolsSandboxConfig(seed=seed)), name="bench-ct"
                )
            )
            fluent = servers.enter_context(
                serve_in_thread(create_fluent(FluentSandboxConfig(seed=seed)), name="bench-fl")
            )
            settings = sandbox_settings(commercetools.url, fluent.url, **sync)
            async with (
                CommercetoolsClient(settings.commercetools) as ct_client,
                FluentClient(settings.fluent) as fluent_client,
            ):
                deps = Dependencies(settings, ct_client, fluent_client, env.client)
                await provision_types(ct_client, settings)
                await provision_channels(ct_client, settings)
                (worker,) = build_workers(deps, ["sync"])
                async with worker:
                    yield Stack(env.client, settings, Counters(commercetools.url, fluent.url))
