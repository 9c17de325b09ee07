"""One running Fluent sandbox: its parts wired together, reachable from every route.

`FluentSandbox.build(config)` creates the store (seeded if the config has a seed), the workflow
engine, webhooks, auto-pilot, Batch and Event APIs; `start()`/`stop()` run in the app's lifespan.
Routes reach it through the `SandboxDep` dependency (it lives on `app.state.sandbox`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from graphql import GraphQLSchema

from sandbox.common.faults import FaultState
from sandbox.fluent.auth import TokenIssuer
from sandbox.fluent.autopilot import Autopilot
from sandbox.fluent.batch import BatchService
from sandbox.fluent.clock import SandboxClock
from sandbox.fluent.config import FluentSandboxConfig
from sandbox.fluent.events import EventService
from sandbox.fluent.graphql_api import GraphQLContext, build_executable_schema
from sandbox.fluent.lifecycle import Lifecycle
from sandbox.fluent.seed import SeedSummary, load_seed
from sandbox.fluent.store import FluentStore
from sandbox.fluent.webhooks import WebhookDispatcher, WebhookSigner


@dataclass
class FluentSandbox:
    config: FluentSandboxConfig
    clock: SandboxClock
    store: FluentStore
    lifecycle: Lifecycle
    webhooks: WebhookDispatcher
    autopilot: Autopilot
    batches: BatchService
    events: EventService
    tokens: TokenIssuer
    faults: FaultState
    schema: GraphQLSchema
    graphql_context: GraphQLContext
    seed_summary: SeedSummary | None

    @classmethod
    def build(cls, config: FluentSandboxConfig) -> FluentSandbox:
        clock = SandboxClock()
        store = FluentStore(
            clock=clock,
            retailer_id=config.retailer_id,
            network_ref=config.network_ref,
            product_catalogue_ref=config.effective_product_catalogue_ref,
            inventory_catalogue_ref=config.effective_inventory_catalogue_ref,
            virtual_catalogue_ref=config.virtual_catalogue_ref,
        )
        seed_summary = load_seed(store, config.seed) if config.seed is not None else None
        signer = (
            WebhookSigner.from_pem_file(config.webhook_signing_key_path)
            if config.webhook_signing_key_path
            else WebhookSigner.generate()
        )
        webhooks = WebhookDispatcher(
            signer,
            account_id=config.account_id,
            retailer_id=config.retailer_id,
            clock=clock,
            targets=config.webhook_urls,
            retry_delays=config.webhook_retry_delays_seconds,
            timeout_seconds=config.webhook_timeout_seconds,
        )
        store.subscribe(webhooks.on_change)
        lifecycle = Lifecycle(store)
        return cls(
            config=config,
            clock=clock,
            store=store,
            lifecycle=lifecycle,
            webhooks=webhooks,
            autopilot=Autopilot(lifecycle, config.autopilot),
            batches=BatchService(
                store,
                clock,
                pending_seconds=config.batch_pending_seconds,
                running_seconds=config.batch_running_seconds,
            ),
            events=EventService(store, lifecycle, clock, account_id=config.account_id),
            tokens=TokenIssuer(config, clock),
            faults=FaultState(config.faults),
            schema=build_executable_schema(),
            graphql_context=GraphQLContext(
                store=store,
                lifecycle=lifecycle,
                default_page_size=config.default_page_size,
                max_page_size=config.max_page_size,
            ),
            seed_summary=seed_summary,
        )

    async def start(self) -> None:
        if self.config.autopilot.enabled:
            self.autopilot.start()

    async def stop(self) -> None:
        await self.autopilot.stop()
        await self.batches.aclose()
        await self.webhooks.aclose()


def sandbox_of(app: FastAPI) -> FluentSandbox:
    """The sandbox an app created by `create_app` serves."""
    sandbox = app.state.sandbox
    if not isinstance(sandbox, FluentSandbox):
        raise TypeError("this app was not created by sandbox.fluent.create_app")
    return sandbox


def _current(request: Request) -> FluentSandbox:
    return sandbox_of(request.app)


SandboxDep = Annotated[FluentSandbox, Depends(_current)]
