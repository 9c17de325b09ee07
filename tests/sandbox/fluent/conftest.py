"""Fixtures for the Fluent sandbox tests: a sandbox app over httpx's ASGI transport (lifespan
running), a token, GraphQL helpers, and a webhook receiver over real HTTP."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common.serving import serve_in_thread
from sandbox.fluent import FluentSandbox, FluentSandboxConfig, create_app, sandbox_of
from sandbox.seed import SeedData, SeedSize, generate
from tests.sandbox.fluent import documents

CREDENTIALS = {
    "username": "sandbox_admin",
    "password": "sandbox-password",
    "client_id": "SANDBOX",
    "client_secret": "sandbox-client-secret",
    "grant_type": "password",
    "scope": "api",
}
FAST_RETRIES = (0.05, 0.1, 0.2)
# What the sandbox answers: JSON, untyped by nature.
Json = Any


@dataclass
class Fluent:
    """A running sandbox and an authorised client for it."""

    app: FastAPI
    http: httpx.AsyncClient
    headers: dict[str, str]

    @property
    def sandbox(self) -> FluentSandbox:
        return sandbox_of(self.app)

    async def post_graphql(self, query: str, variables: dict[str, Any] | None = None):
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers
        )

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> Json:
        """The `data` of a request that must succeed."""
        response = await self.post_graphql(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def gql_error(self, query: str, variables: dict[str, Any] | None = None) -> Json:
        """The single error of a request that must fail."""
        response = await self.post_graphql(query, variables)
        assert response.status_code == 200, response.text
        errors = response.json()["errors"]
        assert len(errors) == 1, errors
        return errors[0]

    async def admin(self, method: str, path: str, json: Any = None) -> Json:
        response = await self.http.request(method, f"/sandbox{path}", json=json)
        assert response.is_success, response.text
        return response.json()

    async def set_stock(self, sku: str, on_hand: dict[str, int]) -> None:
        positions = [
            {"locationRef": ref, "skuRef": sku, "onHand": qty} for ref, qty in on_hand.items()
        ]
        await self.admin("PUT", "/stock", {"positions": positions})

    async def stock(self, sku: str) -> Json:
        return await self.admin("GET", f"/stock?sku={sku}")

    async def settle(self) -> None:
        """Lets the deferred workflow steps and webhook deliveries finish."""
        await self.http.get("/sandbox/state")
        await self.sandbox.webhooks.drain()

    # -- data set-up through the API, as the connector would do it ---------------------------

    async def create_product(self, sku: str, *, catalogue: str = "PC:MASTER:1") -> None:
        """A standard product with one variant whose ref is the SKU."""
        base = {"catalogue": {"ref": catalogue}, "type": "DEFAULT", "gtin": f"G-{sku}"}
        await self.gql(
            documents.CREATE_STANDARD_PRODUCT,
            {"input": {**base, "ref": f"P-{sku}", "name": f"Product {sku}"}},
        )
        await self.gql(
            documents.CREATE_VARIANT_PRODUCT,
            {
                "input": {
                    **base,
                    "ref": sku,
                    "name": f"Variant {sku}",
                    "product": {"ref": f"P-{sku}", "catalogue": {"ref": catalogue}},
                }
            },
        )

    async def create_customer(self, username: str = "buyer@example.com") -> Json:
        data = await self.gql(
            documents.CREATE_CUSTOMER,
            {
                "input": {
                    "username": username,
                    "primaryEmail": username,
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "timezone": "Europe/Berlin",
                    "promotionOptIn": False,
                    "retailer": {"id": self.retailer_id},
                }
            },
        )
        return data["createCustomer"]["id"]

    @property
    def retailer_id(self) -> str:
        return str(self.sandbox.store.retailer.id)

    async def create_order(
        self,
        ref: str,
        lines: dict[str, int],
        *,
        customer_id: str,
        order_type: str = "HD",
        pickup_location_ref: str | None = None,
    ) -> Json:
        choice: dict[str, Any] = {"deliveryType": "STANDARD"}
        if order_type == "HD":
            choice["deliveryAddress"] = {
                "ref": f"{ref}-ADDR",
                "name": "Ada Lovelace",
                "street": "Unter den Linden 1",
                "city": "Berlin",
                "postcode": "10117",
                "country": "DE",
                "latitude": 52.517,
                "longitude": 13.389,
            }
        else:
            choice["pickupLocationRef"] = pickup_location_ref
        items = [
            {"ref": f"{ref}-{sku}", "productRef": sku, "quantity": qty, "price": 10.0}
            for sku, qty in lines.items()
        ]
        variables = {
            "input": {
                "ref": ref,
                "type": order_type,
                "retailer": {"id": self.retailer_id},
                "customer": {"id": customer_id},
                "fulfilmentChoice": choice,
                "items": items,
            }
        }
        return (await self.gql(documents.CREATE_ORDER, variables))["createOrder"]

    async def address_id(self, location_ref: str) -> Json:
        data = await self.gql(documents.LOCATION_ADDRESS, {"ref": location_ref})
        return data["location"]["primaryAddress"]["id"]

    async def create_fulfilment(
        self,
        ref: str,
        order: dict[str, Any],
        location_ref: str,
        quantities: dict[str, int] | None = None,
        *,
        rejected: dict[str, int] | None = None,
        fulfilment_type: str | None = None,
    ) -> Json:
        """Fulfils `quantities` per SKU (default: every order item in full) from a location."""
        items = order["items"]["edges"]
        by_sku = {edge["node"]["product"]["ref"]: edge["node"] for edge in items}
        wanted = quantities or {sku: node["quantity"] for sku, node in by_sku.items()}
        rejected = rejected or {}
        variables = {
            "input": {
                "ref": ref,
                "type": fulfilment_type or f"{order['type']}_PFS",
                "order": {"id": order["id"]},
                "fromAddress": {"id": await self.address_id(location_ref)},
                "items": [
                    {
                        "ref": f"{ref}-{sku}",
                        "orderItem": {"id": by_sku[sku]["id"]},
                        "requestedQuantity": qty,
                        "filledQuantity": 0,
                        "rejectedQuantity": rejected.get(sku, 0),
                    }
                    for sku, qty in wanted.items()
                ],
            }
        }
        return (await self.gql(documents.CREATE_FULFILMENT, variables))["createFulfilment"]

    async def order_status(self, ref: str) -> Json:
        return (await self.admin("GET", f"/orders/{ref}"))["status"]


@pytest.fixture(scope="session")
def demo_seed() -> SeedData:
    return generate(SeedSize.demo())


@pytest.fixture(scope="session")
def signing_key_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RSA key for every sandbox of the session (generating one per app is slow)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("keys") / "webhook.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


FluentFactory = Callable[..., AbstractAsyncContextManager[Fluent]]


@pytest.fixture
def fluent_factory(demo_seed: SeedData, signing_key_path: Path) -> FluentFactory:
    """`async with fluent_factory(**config) as fluent:` a seeded sandbox with a token."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Fluent]:
        settings: dict[str, Any] = {
            "seed": demo_seed,
            "webhook_signing_key_path": signing_key_path,
            "webhook_retry_delays_seconds": FAST_RETRIES,
            "webhook_timeout_seconds": 2.0,
            **overrides,
        }
        app = create_app(FluentSandboxConfig(**settings))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://fluent.test"
            ) as http,
        ):
            response = await http.post("/oauth/token", data=CREDENTIALS)
            token = response.json()["access_token"]
            yield Fluent(app=app, http=http, headers={"authorization": f"Bearer {token}"})

    return start


@pytest.fixture
async def fluent(fluent_factory: FluentFactory) -> AsyncIterator[Fluent]:
    async with fluent_factory() as running:
        yield running


@dataclass
class Receiver:
    """A webhook endpoint over real HTTP that answers with the statuses it is told to."""

    url: str = ""
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # consumed one per request; then 200
    gate: threading.Event | None = None  # when set up, requests wait for it (up to 5 s)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle(self, request: Request) -> Response:
        if self.gate is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.gate.wait, 5)
        body = await request.body()
        with self.lock:
            self.requests.append((dict(request.headers), body))
            status = self.statuses.pop(0) if self.statuses else 200
        return Response(status_code=status)

    def bodies(self) -> list[bytes]:
        with self.lock:
            return [body for _, body in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    app = Starlette(routes=[Route("/hooks", hook.handle, methods=["POST"])])
    with serve_in_thread(app, name="webhook-receiver") as server:
        hook.url = f"{server.url}/hooks"
        yield hook
