"""Push delivery of messages, as commercetools Connect event applications receive them.

Every new message is wrapped as commercetools puts it on a subscription (the message plus
`notificationType: "Message"` and `projectKey`), base64-encoded into a Google Pub/Sub push
request and POSTed to each matching `PushTarget`:

    {"message": {"data": <base64 JSON>, "messageId", "message_id", "publishTime",
                 "publish_time", "attributes": {}},
     "subscription": "projects/<pubsub project>/subscriptions/<target name>"}

Delivery is at least once and unordered: each (target, message) is retried with exponential
backoff (initial delay doubling up to a cap) until the receiver answers 2xx. Retries keep the
Pub/Sub `messageId`, as Pub/Sub redelivery does; `replay` pushes a message again the same way,
to test duplicate handling. Pending deliveries live in memory and are dropped on shutdown.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.commercetools.config import CommercetoolsSandboxConfig, PushTarget
from sandbox.commercetools.store import Resource, Store

RECENT_DELIVERIES = 200


@dataclass
class Delivery:
    """One message on its way to one target."""

    target: str
    message_id: str
    message_type: str
    pubsub_message_id: str
    attempts: int = 0
    delivered: bool = False
    last_status: int | None = None
    last_error: str | None = None
    next_attempt_in: float | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "messageId": self.message_id,
            "messageType": self.message_type,
            "pubsubMessageId": self.pubsub_message_id,
            "attempts": self.attempts,
            "delivered": self.delivered,
            "lastStatus": self.last_status,
            "lastError": self.last_error,
            "nextAttemptInSeconds": self.next_attempt_in,
        }


@dataclass
class TargetStats:
    delivered: int = 0
    attempts: int = 0
    failures: int = 0
    pending: set[asyncio.Task[None]] = field(default_factory=set)


class PushDispatcher:
    """Pushes the store's new messages to the configured targets, in the app's event loop."""

    def __init__(self, config: CommercetoolsSandboxConfig, store: Store) -> None:
        self._config = config
        self._store = store
        self._targets: dict[str, PushTarget] = {}
        self._stats: dict[str, TargetStats] = {}
        self._pending: dict[tuple[str, str], Delivery] = {}
        self._recent: deque[Delivery] = deque(maxlen=RECENT_DELIVERIES)
        self._pubsub_ids: dict[str, str] = {}
        self._counter = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self.configure(config.subscriptions)

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._client = httpx.AsyncClient(timeout=self._config.push_timeout_seconds)
        self._semaphore = asyncio.Semaphore(self._config.push_concurrency)
        self._store.add_listener(self._on_message)

    async def stop(self) -> None:
        self._store.remove_listener(self._on_message)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()
        self._loop = None

    # --- configuration and inspection -----------------------------------------------------------

    def configure(self, targets: list[PushTarget]) -> None:
        """Replace the targets; deliveries to removed targets stop."""
        names = [t.name for t in targets]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"push target names must be unique, repeated: {duplicates}")
        for name in set(self._targets) - set(names):
            for task in self._stats[name].pending:
                task.cancel()
        self._targets = {t.name: t for t in targets}
        self._stats = {name: self._stats.get(name, TargetStats()) for name in names}

    def snapshot(self) -> dict[str, Any]:
        return {
            "targets": [
                {
                    **target.model_dump(mode="json", by_alias=True),
                    "delivered": self._stats[target.name].delivered,
                    "attempts": self._stats[target.name].attempts,
                    "failures": self._stats[target.name].failures,
                    "pending": len(self._stats[target.name].pending),
                }
                for target in self._targets.values()
            ],
            "pending": [d.summary() for d in self._pending.values()],
            "recent": [d.summary() for d in self._recent],
        }

    def replay(self, message: Resource) -> int:
        """Push `message` again to every matching target; returns how many were queued."""
        targets = [t for t in self._targets.values() if t.wants(message)]
        for target in targets:
            self._schedule(target, message)
        return len(targets)

    # --- delivery -------------------------------------------------------------------------------

    def _on_message(self, message: Resource) -> None:
        """Store listener; may be called from any thread."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._schedule_matching, message)

    def _schedule_matching(self, message: Resource) -> None:
        for target in self._targets.values():
            if target.wants(message):
                self._schedule(target, message)

    def _schedule(self, target: PushTarget, message: Resource) -> None:
        pubsub_id = self._pubsub_ids.setdefault(message["id"], str(10**15 + next(self._counter)))
        delivery = Delivery(target.name, message["id"], message["type"], pubsub_id)
        task = asyncio.get_running_loop().create_task(self._deliver(target, message, delivery))
        stats = self._stats[target.name]
        self._tasks.add(task)
        stats.pending.add(task)
        key = (target.name, f"{message['id']}#{id(task)}")
        self._pending[key] = delivery

        def finished(done: asyncio.Task[None]) -> None:
            self._tasks.discard(done)
            stats.pending.discard(done)
            self._pending.pop(key, None)

        task.add_done_callback(finished)

    def envelope(self, target: PushTarget, message: Resource, pubsub_id: str) -> dict[str, Any]:
        payload = {**message, "notificationType": "Message", "projectKey": self._store.project_key}
        data = base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
        published = message["createdAt"]
        return {
            "message": {
                "data": data,
                "messageId": pubsub_id,
                "message_id": pubsub_id,
                "publishTime": published,
                "publish_time": published,
                "attributes": {},
            },
            "subscription": f"projects/{self._config.pubsub_project}/subscriptions/{target.name}",
        }

    async def _deliver(self, target: PushTarget, message: Resource, delivery: Delivery) -> None:
        assert self._client is not None
        assert self._semaphore is not None
        body = self.envelope(target, message, delivery.pubsub_message_id)
        headers = {"content-type": "application/json"}
        if target.token is not None:
            headers["authorization"] = f"Bearer {target.token.get_secret_value()}"
        stats = self._stats[target.name]
        delay = self._config.push_initial_backoff_seconds
        while True:
            delivery.attempts += 1
            stats.attempts += 1
            async with self._semaphore:
                try:
                    response = await self._client.post(target.url, json=body, headers=headers)
                    delivery.last_status = response.status_code
                    delivery.last_error = None if response.is_success else response.text[:200]
                except httpx.HTTPError as exc:
                    delivery.last_status = None
                    delivery.last_error = f"{type(exc).__name__}: {exc}"
            if delivery.last_status is not None and 200 <= delivery.last_status < 300:
                delivery.delivered = True
                delivery.next_attempt_in = None
                stats.delivered += 1
                self._recent.append(delivery)
                return
            stats.failures += 1
            delivery.next_attempt_in = delay
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._config.push_max_backoff_seconds)
