"""Fault injection and request counting, as one ASGI middleware in front of a sandbox app.

Faults are off by default. They can be set at start-up (`FaultConfig` passed to the app factory)
or at run time through `PUT /sandbox/faults`. Requests under `/sandbox/` are never faulted, so a
test can always switch faults off again.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ADMIN_PREFIX = "/sandbox/"


class FaultConfig(BaseModel):
    """What to inject. Rates are probabilities per request, drawn independently in this order:
    hang, 5xx, 429."""

    latency_ms: float = Field(default=0.0, ge=0)
    jitter_ms: float = Field(default=0.0, ge=0)
    error_rate: float = Field(default=0.0, ge=0, le=1)
    error_status: int = Field(default=503, ge=500, le=599)
    rate_limit_rate: float = Field(default=0.0, ge=0, le=1)
    retry_after_seconds: int = Field(default=1, ge=0)
    hang_rate: float = Field(default=0.0, ge=0, le=1)
    hang_seconds: float = Field(default=60.0, ge=0)
    seed: int | None = None


@dataclass
class RequestStats:
    """Requests served, keyed `"<METHOD> <route template>"`, and faults injected by kind."""

    served: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)

    def snapshot(self) -> dict[str, Any]:
        return {
            "served": dict(sorted(self.served.items())),
            "faults": dict(sorted(self.faults.items())),
            "total": sum(self.served.values()),
            "writes": sum(n for key, n in self.served.items() if not key.startswith("GET ")),
        }

    def reset(self) -> None:
        self.served.clear()
        self.faults.clear()


class FaultState:
    """The live configuration and counters of one sandbox."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.stats = RequestStats()
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)

    def draw(self) -> float:
        return self._rng.random()


class FaultInjectionMiddleware:
    """Counts every request by route template and injects the configured faults."""

    def __init__(self, app: ASGIApp, state: FaultState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        fault = await self._inject(scope, send)
        if fault:
            return
        await self.app(scope, receive, send)
        route = scope.get("route")
        template = getattr(route, "path", None) or "<unmatched>"
        self.state.stats.served[f"{scope['method']} {template}"] += 1

    async def _inject(self, scope: Scope, send: Send) -> bool:
        config = self.state.config
        delay = config.latency_ms + (
            self.state.draw() * config.jitter_ms if config.jitter_ms else 0
        )
        if delay:
            await asyncio.sleep(delay / 1000)
        stats = self.state.stats
        if config.hang_rate and self.state.draw() < config.hang_rate:
            stats.faults["hang"] += 1
            await asyncio.sleep(config.hang_seconds)
            await _send_json(
                send, 504, {"statusCode": 504, "message": "Gateway timeout (injected)"}
            )
            return True
        if config.error_rate and self.state.draw() < config.error_rate:
            stats.faults[str(config.error_status)] += 1
            body = {"statusCode": config.error_status, "message": "Injected server error"}
            await _send_json(send, config.error_status, body)
            return True
        if config.rate_limit_rate and self.state.draw() < config.rate_limit_rate:
            stats.faults["429"] += 1
            body = {"statusCode": 429, "message": "Too many requests (injected)"}
            headers = [(b"retry-after", str(config.retry_after_seconds).encode())]
            await _send_json(send, 429, body, headers)
            return True
        return False


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body).encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            *(headers or []),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": payload})
