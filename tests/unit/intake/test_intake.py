"""The pure parts of intake: Temporal failure classification and the Fluent order resolver."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode

from connector.errors import TransientError
from connector.fluent.models import Order as FluentOrder
from connector.intake import (
    COMMERCETOOLS_ORDER_ID_ATTRIBUTE,
    FluentOrderResolver,
    order_summary,
    temporal_unavailable,
)


def rpc_error(status: RPCStatusCode) -> RPCError:
    return RPCError("boom", status, b"")


@pytest.mark.parametrize(
    "status",
    [
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.RESOURCE_EXHAUSTED,
        RPCStatusCode.CANCELLED,
        RPCStatusCode.ABORTED,
    ],
)
def test_unreachable_or_overloaded_temporal_is_unavailable(status: RPCStatusCode) -> None:
    assert temporal_unavailable(rpc_error(status))


@pytest.mark.parametrize(
    "status",
    [
        RPCStatusCode.INVALID_ARGUMENT,
        RPCStatusCode.PERMISSION_DENIED,
        RPCStatusCode.NOT_FOUND,
        RPCStatusCode.ALREADY_EXISTS,
        RPCStatusCode.INTERNAL,
        RPCStatusCode.UNAUTHENTICATED,
    ],
)
def test_other_rpc_failures_are_not_unavailability(status: RPCStatusCode) -> None:
    assert not temporal_unavailable(rpc_error(status))


def test_connection_failures_and_timeouts_are_unavailable() -> None:
    assert temporal_unavailable(RuntimeError("Failed client connect: Server connection error"))
    assert temporal_unavailable(TimeoutError())
    assert not temporal_unavailable(RuntimeError("something else"))
    assert not temporal_unavailable(ValueError("Failed client connect"))
    assert not temporal_unavailable(TransientError("fluent down", platform="fluent"))


def test_order_summary_names_the_order_without_personal_data() -> None:
    assert order_summary("id-1", "10001") == "commercetools order 10001"
    assert order_summary("id-1", None) == "commercetools order id-1"


def fluent_order(ref: str, ct_order_id: Any = None) -> FluentOrder:
    attributes = []
    if ct_order_id is not None:
        attributes.append(
            {"name": COMMERCETOOLS_ORDER_ID_ATTRIBUTE, "type": "STRING", "value": ct_order_id}
        )
    attributes.append({"name": "other", "type": "STRING", "value": "x"})
    return FluentOrder.model_validate(
        {"id": f"id-{ref}", "ref": ref, "type": "HD", "attributes": attributes}
    )


class FakeFluent:
    def __init__(self, orders: dict[str, FluentOrder]) -> None:
        self.orders = orders
        self.lookups: list[str] = []

    async def find_order(self, ref: str) -> FluentOrder | None:
        self.lookups.append(ref)
        return self.orders.get(ref)


async def test_resolver_maps_a_ref_through_the_commercetools_id_attribute() -> None:
    fluent = FakeFluent({"HD-1": fluent_order("HD-1", "ct-1")})
    resolver = FluentOrderResolver(fluent)
    assert await resolver.resolve("HD-1") == "ct-1"
    assert await resolver.resolve("HD-1") == "ct-1"
    assert fluent.lookups == ["HD-1"]


async def test_resolver_never_caches_unknown_orders() -> None:
    fluent = FakeFluent({})
    resolver = FluentOrderResolver(fluent)
    assert await resolver.resolve("HD-2") is None
    fluent.orders["HD-2"] = fluent_order("HD-2", "ct-2")
    assert await resolver.resolve("HD-2") == "ct-2"
    assert fluent.lookups == ["HD-2", "HD-2"]


@pytest.mark.parametrize("value", [None, "", 42, ["ct-1"]])
async def test_orders_without_a_usable_commercetools_id_resolve_to_none(value: Any) -> None:
    fluent = FakeFluent({"HD-3": fluent_order("HD-3", value)})
    resolver = FluentOrderResolver(fluent)
    assert await resolver.resolve("HD-3") is None
    assert await resolver.resolve("HD-3") is None
    assert fluent.lookups == ["HD-3", "HD-3"]


async def test_resolver_cache_is_bounded_and_least_recently_used() -> None:
    fluent = FakeFluent({f"R{i}": fluent_order(f"R{i}", f"ct-{i}") for i in range(4)})
    resolver = FluentOrderResolver(fluent, max_entries=2)
    for ref in ("R0", "R1", "R0", "R2"):  # R1 is the least recently used when R2 arrives
        await resolver.resolve(ref)
    fluent.lookups.clear()
    assert await resolver.resolve("R0") == "ct-0"
    assert await resolver.resolve("R2") == "ct-2"
    assert fluent.lookups == []
    assert await resolver.resolve("R1") == "ct-1"
    assert fluent.lookups == ["R1"]


async def test_resolver_errors_propagate_for_the_caller_to_classify() -> None:
    class DownFluent:
        async def find_order(self, ref: str) -> FluentOrder | None:
            raise TransientError("503", platform="fluent", status_code=503)

    with pytest.raises(TransientError):
        await FluentOrderResolver(DownFluent()).resolve("HD-4")


def test_resolver_cache_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FluentOrderResolver(FakeFluent({}), max_entries=0)
