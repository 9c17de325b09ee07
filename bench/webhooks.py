"""Webhook app benchmark: the connector's HTTP app (`connector.webhooks`) served by uvicorn over
real HTTP against the Temporal dev server, driven by an httpx load generator with a bounded
number of requests in flight, both in this process's event loop.

- commercetools events: `OrderCreated` messages of new orders, each in the Google Pub/Sub push
  envelope the commercetools sandbox builds (the message taken from a real checkout in the
  sandbox, ids renewed per order), with the bearer token. Each one parses the envelope and
  starts the order's workflow (`REJECT_DUPLICATE` / `USE_EXISTING`), answered once Temporal
  accepted the start.
- Fluent webhooks: order and fulfilment status webhooks of those orders, signed as the Fluent
  sandbox signs them (RSA SHA-512). Each one verifies the signature, parses the event, resolves
  the Fluent order ref to the commercetools order id (from the resolver's cache: every order
  was resolved once during the warm-up) and signals the order's workflow.

No worker serves the order task queue, so the figures are the app and Temporal accepting the
work, not the workflows doing it. Warm-up requests are excluded; latencies are per request
from the generator's side (`time.perf_counter`). The generator shares the process (and the
interpreter lock) with the app, so a separate load generator (e.g. `wrk`) would measure more.

    python -m bench.webhooks [--events N] [--webhooks N] [--concurrency N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import logging
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from bench.figures import at_least, latency_ms, machine, per_second, write_figures
from bench.sync_support import dev_server, sandbox_settings
from cli.demo_orders import SCENARIOS, DemoShop, planned_order
from connector.config import ConnectorSettings, Settings
from connector.fluent.models import Order as FluentOrder
from connector.intake import COMMERCETOOLS_ORDER_ID_ATTRIBUTE
from connector.temporal import exit_process
from connector.webhooks import create_app
from sandbox.commercetools import CommercetoolsSandboxConfig, PushTarget, sandbox_of
from sandbox.commercetools import create_app as create_commercetools
from sandbox.commercetools.subscriptions import PushDispatcher
from sandbox.common.serving import free_port
from sandbox.fluent.webhooks import (
    FULFILMENT_STATUS_EVENT,
    ORDER_STATUS_EVENT,
    SIGNATURE_HEADER,
    WebhookSigner,
)
from sandbox.seed import SeedSize, generate

EVENTS_PATH = "/commercetools/events"
WEBHOOKS_PATH = "/fluent/webhooks"
HOST = "127.0.0.1"
SHOP_URL = "http://commercetools.sandbox"
EVENTS_TOKEN = "bench-push-token"
# A Fluent order's news as the sandbox posts it: (entity type, status), in lifecycle order.
ORDER_NEWS = (
    ("ORDER", "BOOKED"),
    ("FULFILMENT", "CREATED"),
    ("FULFILMENT", "PICK_PACK"),
    ("FULFILMENT", "SHIPPED"),
    ("ORDER", "COMPLETE"),
)


@dataclass(frozen=True)
class Post:
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Run:
    """What one phase of load produced."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)

    def figures(self) -> dict[str, Any]:
        return {
            "requests": len(self.latencies),
            "seconds": round(self.seconds, 2),
            "requests_per_second": per_second(len(self.latencies), self.seconds),
            "latency": latency_ms(self.latencies),
            "http_statuses": {str(code): n for code, n in sorted(self.statuses.items())},
            "outcomes": dict(sorted(self.outcomes.items())),
        }


async def drive(http: httpx.AsyncClient, posts: Sequence[Post], concurrency: int) -> Run:
    """Send every post once, at most `concurrency` at a time, each sender taking the next one
    as soon as its answer is in."""
    run = Run()
    pending = iter(posts)

    async def sender() -> None:
        for post in pending:
            started = time.perf_counter()
            response = await http.post(post.path, content=post.body, headers=post.headers)
            run.latencies.append(time.perf_counter() - started)
            run.statuses[response.status_code] += 1
            answer = response.json()
            run.outcomes[str(answer.get("outcome") or answer.get("status"))] += 1

    started = time.perf_counter()
    async with asyncio.TaskGroup() as senders:
        for _ in range(concurrency):
            senders.create_task(sender())
    run.seconds = time.perf_counter() - started
    return run


class FluentOrders:
    """The Fluent order lookup the resolver calls on a cache miss: Fluent orders carrying the
    commercetools order id, as the order workflow creates them. Counts its calls, so the
    figures show that measured webhooks were resolved from the cache."""

    def __init__(self) -> None:
        self.orders: dict[str, FluentOrder] = {}
        self.lookups = 0

    def add(self, ref: str, ct_order_id: str) -> None:
        attribute = {
            "name": COMMERCETOOLS_ORDER_ID_ATTRIBUTE,
            "type": "STRING",
            "value": ct_order_id,
        }
        self.orders[ref] = FluentOrder.model_validate(
            {"id": str(len(self.orders) + 1), "ref": ref, "type": "HD", "attributes": [attribute]}
        )

    async def find_order(self, ref: str) -> FluentOrder | None:
        self.lookups += 1
        return self.orders.get(ref)


async def order_created_template() -> tuple[dict[str, Any], PushTarget, PushDispatcher]:
    """A real `OrderCreated` message: one checkout in a demo-seeded commercetools sandbox
    (served in process), and the sandbox's push dispatcher to wrap messages like it."""
    seed = generate(SeedSize.demo())
    config = CommercetoolsSandboxConfig(seed=seed)
    app = create_commercetools(config)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport) as http:
        shop = DemoShop(
            http,
            commercetools_url=SHOP_URL,
            project_key=config.project_key,
            client_id=config.client_id,
            client_secret=config.client_secret.get_secret_value(),
            fluent_url="http://fluent.unused",
            location_refs=(),
        )
        await shop.prepare()
        planned = planned_order(1, SCENARIOS[0], seed)
        await shop.check_out(await shop.cart(planned), planned.number)
        page = await shop.api(
            "GET", "messages", params={"where": 'type = "OrderCreated"'}, expect=(200,)
        )
    (message,) = page.json()["results"]
    target = PushTarget(name="connector", url=f"http://{HOST}{EVENTS_PATH}")
    return message, target, sandbox_of(app).dispatcher


def order_created_posts(
    count: int, template: dict[str, Any], target: PushTarget, dispatcher: PushDispatcher
) -> tuple[list[Post], list[str]]:
    """`count` pushes of `OrderCreated` for new orders, and the orders' ids."""
    posts, order_ids = [], []
    for index in range(count):
        order_id = str(uuid.uuid4())
        message = copy.deepcopy(template)
        message["id"] = str(uuid.uuid4())
        message["resource"]["id"] = order_id
        message["order"]["id"] = order_id
        message["order"]["orderNumber"] = f"BENCH-{index:06d}"
        envelope = dispatcher.envelope(target, message, str(10**15 + index))
        posts.append(
            Post(
                EVENTS_PATH,
                json.dumps(envelope).encode(),
                {"content-type": "application/json", "authorization": f"Bearer {EVENTS_TOKEN}"},
            )
        )
        order_ids.append(order_id)
    return posts, order_ids


def webhook_posts(order_refs: Sequence[str], signer: WebhookSigner, numbers: range) -> list[Post]:
    """Signed webhooks number `numbers`: the n-th is about order n modulo the orders, and its
    news is the next in `ORDER_NEWS` each time the orders come round again."""
    posts = []
    for index in numbers:
        order_ref = order_refs[index % len(order_refs)]
        entity_type, status = ORDER_NEWS[(index // len(order_refs)) % len(ORDER_NEWS)]
        is_order = entity_type == "ORDER"
        payload: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "name": ORDER_STATUS_EVENT if is_order else FULFILMENT_STATUS_EVENT,
            "accountId": "SANDBOX",
            "retailerId": "1",
            "entityId": str(index + 1),
            "entityRef": order_ref if is_order else f"{order_ref}-F1",
            "entityType": entity_type,
            "entitySubtype": "HD" if is_order else "HD_PFS",
            "entityStatus": status,
            "rootEntityId": str(index + 1),
            "rootEntityRef": order_ref,
            "rootEntityType": "ORDER",
            "type": "NORMAL",
            "attributes": {},
            "meta": {},
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"content-type": "application/json", SIGNATURE_HEADER: signer.sign(body)}
        posts.append(Post(WEBHOOKS_PATH, body, headers))
    return posts


@asynccontextmanager
async def served(app: FastAPI, port: int) -> AsyncIterator[str]:
    """Serve `app` with uvicorn as a task of this event loop."""
    server = uvicorn.Server(
        uvicorn.Config(app, host=HOST, port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises what stopped it
            raise RuntimeError("the webhook app stopped while starting")
        await asyncio.sleep(0.01)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        await task


def app_settings(port: int, public_key: str, task_queue: str) -> Settings:
    settings = sandbox_settings(
        "http://commercetools.unused", "http://fluent.unused", order_task_queue=task_queue
    )
    return settings.model_copy(
        update={
            "fluent": settings.fluent.model_copy(update={"webhook_public_keys": [public_key]}),
            "connector": ConnectorSettings(
                webhook_host=HOST,
                webhook_port=port,
                commercetools_events_token=SecretStr(EVENTS_TOKEN),
            ),
        }
    )


def log_app_lines_to_devnull() -> None:
    """The app's own INFO line per request is part of its cost in production: keep it, out of
    the benchmark's output."""
    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the process
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    app_log = logging.getLogger("connector.webhooks")
    app_log.setLevel(logging.INFO)
    app_log.addHandler(handler)
    app_log.propagate = False


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.webhooks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--events", type=at_least(1), default=600, help="commercetools events sent concurrently"
    )
    parser.add_argument(
        "--webhooks", type=at_least(1), default=1200, help="Fluent webhooks sent concurrently"
    )
    parser.add_argument(
        "--sequential", type=at_least(1), default=100, help="of each, sent one at a time (latency)"
    )
    parser.add_argument("--concurrency", type=at_least(1), default=16, help="requests in flight")
    parser.add_argument(
        "--warmup", type=at_least(0), default=50, help="commercetools events not counted"
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the harness")
    return parser


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    host = machine()
    events, webhooks, sequential, warmup = args.events, args.webhooks, args.sequential, args.warmup
    if args.quick:
        events, webhooks, sequential, warmup = 20, 20, 5, 5
    log_app_lines_to_devnull()
    log("webhooks: a checkout in the commercetools sandbox for a real OrderCreated message")
    template, target, dispatcher = await order_created_template()
    event_posts, order_ids = order_created_posts(
        warmup + sequential + events, template, target, dispatcher
    )
    order_refs = [f"BENCH-{index:06d}" for index in range(len(order_ids))]
    signer = WebhookSigner.generate()
    orders = len(order_refs)
    log(f"webhooks: signing {orders + sequential + webhooks} webhooks")
    webhook_batches = [
        webhook_posts(order_refs, signer, range(start, start + count))
        for start, count in ((0, orders), (orders, sequential), (orders + sequential, webhooks))
    ]
    fluent = FluentOrders()
    for ref, order_id in zip(order_refs, order_ids, strict=True):
        fluent.add(ref, order_id)

    port = free_port(HOST)
    task_queue = f"bench-webhooks-{uuid.uuid4().hex[:8]}"
    async with dev_server() as env:
        settings = app_settings(port, signer.public_key_der_base64, task_queue)
        app = create_app(settings, temporal=env.client, fluent=fluent)
        limits = httpx.Limits(
            max_connections=args.concurrency, max_keepalive_connections=args.concurrency
        )
        async with (
            served(app, port) as url,
            httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http,
        ):
            log(f"webhooks: commercetools events: {warmup} warm-up, {sequential} one at a time,")
            log(f"  {events} with {args.concurrency} in flight")
            await drive(http, event_posts[:warmup], args.concurrency)
            events_alone = await drive(http, event_posts[warmup : warmup + sequential], 1)
            events_loaded = await drive(http, event_posts[warmup + sequential :], args.concurrency)
            log(f"webhooks: Fluent webhooks: {orders} warm-up (one per order, filling the cache),")
            log(f"  {sequential} one at a time, {webhooks} with {args.concurrency} in flight")
            await drive(http, webhook_batches[0], args.concurrency)
            lookups_before = fluent.lookups
            webhooks_alone = await drive(http, webhook_batches[1], 1)
            webhooks_loaded = await drive(http, webhook_batches[2], args.concurrency)
            lookups = fluent.lookups - lookups_before
    return {
        "benchmark": "webhooks",
        "machine": host,
        "parameters": {
            "concurrency": args.concurrency,
            "warmup_events": warmup,
            "order_created_body_bytes": len(event_posts[0].body),
            "webhook_body_bytes": len(webhook_batches[1][0].body),
            "worker": "none: the figures are the app and Temporal accepting the work",
            "quick": args.quick,
        },
        "commercetools_events": {
            "one_at_a_time": events_alone.figures(),
            "concurrent": events_loaded.figures(),
        },
        "fluent_webhooks": {
            "one_at_a_time": webhooks_alone.figures(),
            "concurrent": webhooks_loaded.figures(),
            "fluent_lookups": lookups,
        },
    }


def failed_requests(figures: dict[str, Any]) -> int:
    return sum(
        count
        for kind in ("commercetools_events", "fluent_webhooks")
        for phase in ("one_at_a_time", "concurrent")
        for code, count in figures[kind][phase]["http_statuses"].items()
        if int(code) >= 300
    )


def main(argv: Sequence[str] | None = None) -> int:
    figures = asyncio.run(measure(build_parser().parse_args(argv)))
    write_figures(figures)
    return 1 if failed_requests(figures) else 0


if __name__ == "__main__":
    exit_process(main())
