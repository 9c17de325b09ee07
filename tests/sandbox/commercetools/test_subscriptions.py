"""Push delivery of messages as Pub/Sub push requests, over real HTTP on both sides."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.commercetools.app import create_app
from sandbox.commercetools.config import CommercetoolsSandboxConfig, PushTarget
from sandbox.common.serving import serve_in_thread
from sandbox.seed import SeedData
from tests.sandbox.commercetools.conftest import CLIENT

CATEGORY = {"name": {"en": "Pushed"}, "slug": {"en": "pushed"}, "key": "pushed"}


class Receiver:
    """A push endpoint that fails the first `failures` requests, then acknowledges."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.requests: list[dict[str, Any]] = []
        self._condition = threading.Condition()
        self.app = Starlette(routes=[Route("/push", self._handle, methods=["POST"])])

    async def _handle(self, request: Request) -> Response:
        body = await request.json()
        with self._condition:
            self.requests.append(
                {"body": body, "authorization": request.headers.get("authorization")}
            )
            count = len(self.requests)
            self._condition.notify_all()
        return Response(status_code=503 if count <= self.failures else 204)

    def wait_for(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        with self._condition:
            assert self._condition.wait_for(lambda: len(self.requests) >= count, timeout), (
                f"expected {count} pushes, got {len(self.requests)}"
            )
            return list(self.requests)


def decode(push: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(push["body"]["message"]["data"])))


@contextmanager
def running(seed: SeedData, targets: list[PushTarget], **config: Any) -> Iterator[httpx.Client]:
    settings = CommercetoolsSandboxConfig(
        seed=seed, subscriptions=targets, push_initial_backoff_seconds=0.02, **config
    )
    with serve_in_thread(create_app(settings), name="ct-sandbox") as server:
        with httpx.Client(base_url=server.url) as raw:
            form = {"grant_type": "client_credentials"}
            token = raw.post("/oauth/token", data=form, auth=CLIENT).json()["access_token"]
        with httpx.Client(
            base_url=server.url, headers={"authorization": f"Bearer {token}"}
        ) as client:
            yield client


@contextmanager
def receiving(receiver: Receiver) -> Iterator[str]:
    with serve_in_thread(receiver.app, name="receiver") as server:
        yield f"{server.url}/push"


def wait_until_settled(client: httpx.Client, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        state = client.get("/sandbox/subscriptions").json()
        if not state["pending"] or time.monotonic() > deadline:
            return dict(state)
        time.sleep(0.01)


def test_push_envelope(demo_seed: SeedData) -> None:
    receiver = Receiver()
    with receiving(receiver) as url:
        target = PushTarget(name="orders", url=url, token=SecretStr("push-secret"))
        with running(demo_seed, [target]) as ct:
            category = ct.post("/demo/categories", json=CATEGORY).json()
            [push] = receiver.wait_for(1)
    envelope = push["body"]
    assert set(envelope) == {"message", "subscription"}
    assert envelope["subscription"] == "projects/commercetools-sandbox/subscriptions/orders"
    message = envelope["message"]
    assert message["messageId"] == message["message_id"]
    assert message["publishTime"] == message["publish_time"]
    assert message["attributes"] == {}
    assert push["authorization"] == "Bearer push-secret"
    payload = decode(push)
    assert payload["notificationType"] == "Message"
    assert payload["projectKey"] == "demo"
    assert payload["type"] == "CategoryCreated"
    assert payload["resource"] == {"typeId": "category", "id": category["id"]}
    assert payload["category"] == category
    assert (payload["sequenceNumber"], payload["resourceVersion"], payload["version"]) == (1, 1, 1)


def test_retried_until_acknowledged(demo_seed: SeedData) -> None:
    receiver = Receiver(failures=2)
    with receiving(receiver) as url, running(demo_seed, [PushTarget(url=url)]) as ct:
        ct.post("/demo/categories", json=CATEGORY)
        pushes = receiver.wait_for(3)
        state = wait_until_settled(ct)
    assert len({p["body"]["message"]["messageId"] for p in pushes}) == 1
    assert [decode(p)["type"] for p in pushes] == ["CategoryCreated"] * 3
    [target] = state["targets"]
    assert (target["delivered"], target["attempts"], target["failures"], target["pending"]) == (
        1,
        3,
        2,
        0,
    )
    assert state["recent"][0]["attempts"] == 3
    assert state["recent"][0]["lastStatus"] == 204


def test_filters_and_replay(demo_seed: SeedData) -> None:
    receiver = Receiver()
    with receiving(receiver) as url:
        target = PushTarget(url=url, message_types=["CategorySlugChanged"])
        with running(demo_seed, [target]) as ct:
            category = ct.post("/demo/categories", json=CATEGORY).json()
            actions = [{"action": "changeSlug", "slug": {"en": "moved"}}]
            ct.post(f"/demo/categories/{category['id']}", json={"version": 1, "actions": actions})
            [first] = receiver.wait_for(1)
            message_id = decode(first)["id"]
            replay = ct.post(f"/sandbox/subscriptions/replay/{message_id}").json()
            assert replay == {"messageId": message_id, "queued": 1}
            pushes = receiver.wait_for(2)
            assert ct.post("/sandbox/subscriptions/replay/unknown").status_code == 404
    assert [decode(p)["type"] for p in pushes] == ["CategorySlugChanged"] * 2
    assert decode(pushes[0]) == decode(pushes[1])
    assert decode(pushes[0])["oldSlug"] == {"en": "pushed"}


def test_targets_are_configured_at_run_time(demo_seed: SeedData) -> None:
    receiver = Receiver()
    with receiving(receiver) as url, running(demo_seed, []) as ct:
        ct.post("/demo/categories", json=CATEGORY)
        targets = [{"name": "late", "url": url, "resource_type_ids": ["category"]}]
        state = ct.put("/sandbox/subscriptions", json=targets).json()
        assert [t["name"] for t in state["targets"]] == ["late"]
        duplicate = ct.put("/sandbox/subscriptions", json=targets * 2)
        assert duplicate.status_code == 400
        ct.post("/demo/categories", json={**CATEGORY, "key": "second", "slug": {"en": "second"}})
        [push] = receiver.wait_for(1)
    assert decode(push)["category"]["key"] == "second"


def test_shutdown_stops_pending_retries(demo_seed: SeedData) -> None:
    receiver = Receiver(failures=10**6)
    with receiving(receiver) as url:
        with running(demo_seed, [PushTarget(url=url)]) as ct:
            ct.post("/demo/categories", json=CATEGORY)
            receiver.wait_for(2)
            assert len(ct.get("/sandbox/subscriptions").json()["pending"]) == 1
            stopping = time.monotonic()
        assert time.monotonic() - stopping < 5
