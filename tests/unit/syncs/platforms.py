"""Both sandboxes served in process (ASGI transports, no threads or sockets) for the sync
activity tests, the connector's settings and clients pointed at them, and transports that
record every request so a test can count exactly which writes a sync made."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
from fastapi import FastAPI
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment

from activities.dependencies import Dependencies
from bench.sync_support import sandbox_settings
from connector.commercetools.client import CommercetoolsClient
from connector.config import Settings
from connector.fluent.client import FluentClient
from connector.setup import provision_channels, provision_types
from sandbox.commercetools import CommercetoolsSandboxConfig
from sandbox.commercetools import create_app as create_commercetools
from sandbox.commercetools.app import CommercetoolsSandbox
from sandbox.commercetools.app import sandbox_of as commercetools_of
from sandbox.fluent.app import create_app as create_fluent
from sandbox.fluent.config import FluentSandboxConfig
from sandbox.fluent.service import FluentSandbox
from sandbox.fluent.service import sandbox_of as fluent_of
from sandbox.seed import SeedData, SeedSize, generate
from tests.commercetools_api import project_api

SMALL = SeedSize(
    products=7, variants_per_product=2, locations=6, root_categories=2, subcategories_per_root=2
)
CT_URL = "http://ct.test"
FLUENT_URL = "http://fluent.test"
PROJECT_KEY = "demo"


def sync_settings(
    commercetools_url: str = CT_URL, fluent_url: str = FLUENT_URL, **options: Any
) -> Settings:
    """Connector settings for the in-process sandboxes (see `bench.sync_support`)."""
    return sandbox_settings(commercetools_url, fluent_url, **options)


class Recorder(httpx.AsyncBaseTransport):
    """Forwards to a transport and records `METHOD path` (with the GraphQL operation name)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        label = f"{request.method} {request.url.path}"
        if request.url.path.endswith("/graphql"):
            label += f" {json.loads(request.content).get('operationName')}"
        self.sent.append(label)
        return await self.inner.handle_async_request(request)

    def clear(self) -> None:
        self.sent.clear()

    def commercetools_writes(self) -> Counter[str]:
        """Writes to the project (token requests are not writes)."""
        return Counter(
            label for label in self.sent if not label.startswith("GET ") and "/oauth/" not in label
        )

    def fluent_mutations(self) -> Counter[str]:
        """GraphQL mutations by operation (every Fluent write is one)."""
        return Counter(
            label.rsplit(" ", 1)[1]
            for label in self.sent
            if label.startswith("POST /graphql ")
            and label.rsplit(" ", 1)[1].startswith(("Create", "Update"))
        )


@dataclass
class Platforms:
    seed: SeedData
    settings: Settings
    commercetools_app: FastAPI
    fluent_app: FastAPI
    commercetools: CommercetoolsClient
    fluent: FluentClient
    ct_requests: Recorder
    fluent_requests: Recorder
    shop: httpx.AsyncClient
    """An authenticated client at the project's root, to change data as a merchant would."""
    environment: ActivityEnvironment = field(default_factory=ActivityEnvironment)

    @property
    def deps(self) -> Dependencies:
        """Dependencies for activities that do not use Temporal (the syncs' batches)."""
        return Dependencies(
            settings=self.settings,
            commercetools=self.commercetools,
            fluent=self.fluent,
            temporal=cast(Client, None),
        )

    @property
    def ct_sandbox(self) -> CommercetoolsSandbox:
        return commercetools_of(self.commercetools_app)

    @property
    def fluent_sandbox(self) -> FluentSandbox:
        return fluent_of(self.fluent_app)

    def clear_requests(self) -> None:
        self.ct_requests.clear()
        self.fluent_requests.clear()

    async def shop_json(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.shop.request(method, path, json=body)
        assert response.is_success, response.text
        return response.json()

    async def update_product(self, product_id: str, *actions: dict[str, Any]) -> Any:
        """Apply the actions to the product and publish it."""
        product = await self.shop_json("GET", f"products/{product_id}")
        body = {"version": product["version"], "actions": [*actions, {"action": "publish"}]}
        return await self.shop_json("POST", f"products/{product_id}", body)


@asynccontextmanager
async def platforms(
    seed_size: SeedSize = SMALL, *, provisioned: bool = True, **sync: Any
) -> AsyncIterator[Platforms]:
    """Seeded sandboxes, the connector's clients for them, and (when `provisioned`) the
    commercetools types and channels `starter.py setup` creates."""
    seed = generate(seed_size)
    settings = sync_settings(**sync)
    ct_app = create_commercetools(CommercetoolsSandboxConfig(seed=seed))
    fluent_app = create_fluent(FluentSandboxConfig(seed=seed))
    ct_requests = Recorder(httpx.ASGITransport(app=ct_app))
    fluent_requests = Recorder(httpx.ASGITransport(app=fluent_app))
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(fluent_app.router.lifespan_context(fluent_app))
        commercetools = await stack.enter_async_context(
            CommercetoolsClient(settings.commercetools, transport=ct_requests)
        )
        fluent = await stack.enter_async_context(
            FluentClient(settings.fluent, transport=fluent_requests)
        )
        shop = await stack.enter_async_context(
            project_api(CT_URL, PROJECT_KEY, transport=httpx.ASGITransport(app=ct_app))
        )
        if provisioned:
            await provision_types(commercetools, settings)
            await provision_channels(commercetools, settings)
        yield Platforms(
            seed=seed,
            settings=settings,
            commercetools_app=ct_app,
            fluent_app=fluent_app,
            commercetools=commercetools,
            fluent=fluent,
            ct_requests=ct_requests,
            fluent_requests=fluent_requests,
            shop=shop,
        )
