"""409 handling: re-fetch, rebuild the actions from the new state, retry; never resend blindly."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import pytest
import respx

from connector.commercetools import actions as a
from connector.commercetools import drafts as d
from connector.commercetools.client import CommercetoolsClient, update_with_retry
from connector.commercetools.models import Order
from connector.errors import ConflictError, NotFoundError
from tests.unit.commercetools import payloads
from tests.unit.commercetools.harness import API


@dataclass
class Resource:
    version: int
    tags: tuple[str, ...]


class FakeStore:
    """A versioned resource that other writers change between our read and our write."""

    def __init__(self, tags: tuple[str, ...] = ()) -> None:
        self.current = Resource(1, tags)
        self.fetches = 0
        self.writes: list[tuple[int, list[str]]] = []
        self.concurrent_writes: list[tuple[str, ...]] = []

    async def fetch(self) -> Resource:
        self.fetches += 1
        return self.current

    async def apply(self, seen: Resource, actions: Sequence[str]) -> Resource:
        self.writes.append((seen.version, list(actions)))
        if self.concurrent_writes:
            self.current = Resource(self.current.version + 1, self.concurrent_writes.pop(0))
        if seen.version != self.current.version:
            raise ConflictError(
                "version mismatch",
                platform="commercetools",
                status_code=409,
                codes=["ConcurrentModification"],
                current_version=self.current.version,
            )
        self.current = Resource(seen.version + 1, self.current.tags + tuple(actions))
        return self.current


def add_tag(tag: str):
    def build(resource: Resource) -> list[str]:
        return [] if tag in resource.tags else [tag]

    return build


async def test_no_conflict_writes_once() -> None:
    store = FakeStore()

    result = await update_with_retry(store.fetch, add_tag("x"), store.apply, attempts=3)

    assert result == Resource(2, ("x",))
    assert store.writes == [(1, ["x"])]


async def test_a_conflict_re_fetches_rebuilds_and_retries() -> None:
    store = FakeStore()
    store.concurrent_writes = [("other",)]

    result = await update_with_retry(store.fetch, add_tag("x"), store.apply, attempts=3)

    assert result == Resource(3, ("other", "x"))
    assert store.fetches == 2
    assert store.writes == [(1, ["x"]), (2, ["x"])]


async def test_after_a_conflict_an_already_applied_change_is_not_written_again() -> None:
    store = FakeStore()
    store.concurrent_writes = [("x",)]  # someone else (or our own earlier attempt) added it

    result = await update_with_retry(store.fetch, add_tag("x"), store.apply, attempts=3)

    assert result == Resource(2, ("x",))
    assert store.writes == [(1, ["x"])]
    assert store.fetches == 2


async def test_nothing_to_do_means_no_write() -> None:
    store = FakeStore(tags=("x",))

    result = await update_with_retry(store.fetch, add_tag("x"), store.apply, attempts=3)

    assert result is store.current
    assert store.writes == []


async def test_exhausted_attempts_raise_the_last_conflict() -> None:
    store = FakeStore()
    store.concurrent_writes = [("a",), ("b",), ("c",), ("d",)]

    with pytest.raises(ConflictError) as caught:
        await update_with_retry(store.fetch, add_tag("x"), store.apply, attempts=3)

    assert caught.value.current_version == 4
    assert "gave up after 3 attempts" in caught.value.__notes__
    assert len(store.writes) == 3


async def test_other_errors_are_not_retried() -> None:
    fetches = 0

    async def fetch() -> Resource:
        nonlocal fetches
        fetches += 1
        return Resource(1, ())

    async def apply(resource: Resource, actions: Sequence[str]) -> Resource:
        raise NotFoundError("gone", platform="commercetools", status_code=404)

    with pytest.raises(NotFoundError):
        await update_with_retry(fetch, add_tag("x"), apply, attempts=5)
    assert fetches == 1


async def test_attempts_must_be_positive() -> None:
    store = FakeStore()

    with pytest.raises(ValueError, match="attempts"):
        await update_with_retry(store.fetch, add_tag("x"), store.apply, attempts=0)


def add_delivery_once(order: Order) -> list[a.OrderUpdateAction]:
    """The kind of builder activities write: look at the current state first."""
    if order.delivery_by_key("FUL-7"):
        return []
    return [a.AddDelivery(delivery_key="FUL-7", items=[d.DeliveryItem(id="li-1", quantity=1)])]


async def test_update_order_with_retry_stops_when_the_refetched_order_has_the_delivery(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    reads = router.get(f"{API}/orders/order-1").mock(
        side_effect=[
            httpx.Response(200, json=payloads.order(version=3, deliveries=[])),
            httpx.Response(
                200, json=payloads.order(version=4, deliveries=[payloads.delivery("FUL-7")])
            ),
        ]
    )
    conflict = payloads.error(409, "ConcurrentModification", "stale", currentVersion=4)
    writes = router.post(f"{API}/orders/order-1").respond(409, json=conflict)

    order = await client.update_order_with_retry("order-1", add_delivery_once)

    assert order.version == 4
    assert reads.call_count == 2
    assert writes.call_count == 1
    assert json.loads(writes.calls.last.request.content)["version"] == 3


async def test_update_order_with_retry_uses_the_new_version(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    router.get(f"{API}/orders/order-1").mock(
        side_effect=[
            httpx.Response(200, json=payloads.order(version=3, deliveries=[])),
            httpx.Response(200, json=payloads.order(version=5, deliveries=[])),
        ]
    )
    conflict = payloads.error(409, "ConcurrentModification", "stale", currentVersion=5)
    updated = payloads.order(version=6, deliveries=[payloads.delivery("FUL-7")])
    writes = router.post(f"{API}/orders/order-1").mock(
        side_effect=[httpx.Response(409, json=conflict), httpx.Response(200, json=updated)]
    )

    order = await client.update_order_with_retry("order-1", add_delivery_once)

    assert order.version == 6
    assert [json.loads(call.request.content)["version"] for call in writes.calls] == [3, 5]


async def test_update_order_with_retry_gives_up_after_the_configured_attempts(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    router.get(f"{API}/orders/order-1").respond(json=payloads.order(version=3, deliveries=[]))
    conflict = payloads.error(409, "ConcurrentModification", "stale", currentVersion=9)
    writes = router.post(f"{API}/orders/order-1").respond(409, json=conflict)

    with pytest.raises(ConflictError):
        await client.update_order_with_retry("order-1", add_delivery_once)

    assert writes.call_count == 3  # conflict_retries in the test settings
