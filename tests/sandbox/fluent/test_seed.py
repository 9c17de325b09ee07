"""Seed loading: the network, its locations and stock; sizes the benchmarks use."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from sandbox.fluent.clock import SandboxClock
from sandbox.fluent.seed import load_seed
from sandbox.fluent.store import FluentStore
from sandbox.seed import SeedSize, generate
from tests.sandbox.fluent import documents


def _store(network_ref: str = "NETWORK_DEMO") -> FluentStore:
    return FluentStore(
        clock=SandboxClock(),
        retailer_id="1",
        network_ref=network_ref,
        product_catalogue_ref="PC:MASTER:1",
        inventory_catalogue_ref="DEFAULT:1",
        virtual_catalogue_ref="ATS:1",
    )


async def test_the_network_serves_every_seeded_location(fluent, demo_seed):
    data = await fluent.gql(documents.NETWORK_LOCATIONS, {"ref": "NETWORK_DEMO", "first": 100})
    nodes = [edge["node"] for edge in data["network"]["locations"]["edges"]]
    assert [n["ref"] for n in nodes] == [loc.ref for loc in demo_seed.locations]
    seeded = demo_seed.locations[0]
    first = nodes[0]
    assert (first["name"], first["type"], first["status"]) == (
        seeded.name,
        seeded.type,
        seeded.status,
    )
    assert first["supportPhoneNumber"] == seeded.phone
    address = first["primaryAddress"]
    assert (address["latitude"], address["longitude"]) == (
        seeded.address.latitude,
        seeded.address.longitude,
    )
    assert address["timeZone"] == seeded.address.time_zone
    assert address["ref"] == seeded.ref
    assert first["openingSchedule"] == {
        "allHours": False,
        "monStart": 900,
        "monEnd": 2000,
        "sunStart": 900,
        "sunEnd": 2000,
    }
    warehouse = next(n for n in nodes if n["type"] == "WAREHOUSE")
    assert warehouse["openingSchedule"]["allHours"] is True
    assert {n["status"] for n in nodes} == {"ACTIVE", "INACTIVE"}


async def test_network_locations_page_and_filter_by_update(fluent):
    first = await fluent.gql(documents.NETWORK_LOCATIONS, {"ref": "NETWORK_DEMO", "first": 5})
    connection = first["network"]["locations"]
    assert connection["pageInfo"]["hasNextPage"] is True
    await fluent.admin("POST", "/clock/advance", {"seconds": 10})
    since = (await fluent.admin("GET", "/state"))["now"]
    await fluent.admin("PATCH", "/locations/ST-003", {"phone": "+49 40 1234"})
    changed = await fluent.gql(
        documents.NETWORK_LOCATIONS, {"ref": "NETWORK_DEMO", "updatedOn": {"from": since}}
    )
    nodes = [e["node"] for e in changed["network"]["locations"]["edges"]]
    assert [(n["ref"], n["supportPhoneNumber"]) for n in nodes] == [("ST-003", "+49 40 1234")]
    assert (await fluent.gql(documents.NETWORK_LOCATIONS, {"ref": "OTHER"}))["network"] is None


def test_load_seed_creates_locations_positions_and_virtual_positions(demo_seed):
    store = _store()
    summary = load_seed(store, demo_seed)
    assert summary.locations == len(demo_seed.locations) == len(store.locations)
    assert summary.inventory_positions == len(demo_seed.stock)
    assert summary.virtual_positions == len(set(demo_seed.skus))
    assert len(store.products) == 0  # the connector's catalog sync creates products
    active = {loc.ref for loc in demo_seed.locations if loc.status == "ACTIVE"}
    sku = demo_seed.stock[0].sku
    expected = sum(s.on_hand for s in demo_seed.stock if s.sku == sku and s.location_ref in active)
    virtual = store.virtual_position_of(sku)
    assert virtual is not None
    assert virtual.quantity == expected


def test_every_nth_location_is_inactive():
    data = generate(SeedSize(products=1, variants_per_product=1, locations=9, inactive_every=3))
    inactive = [i for i, loc in enumerate(data.locations) if loc.status == "INACTIVE"]
    assert inactive == [2, 5, 8]
    everyone = generate(SeedSize(products=1, variants_per_product=1, locations=9, inactive_every=0))
    assert {loc.status for loc in everyone.locations} == {"ACTIVE"}


def test_a_seed_for_another_network_is_refused(demo_seed):
    with pytest.raises(ValueError, match="NETWORK_DEMO"):
        load_seed(_store("OTHER"), demo_seed)


def test_the_bench_seed_loads_in_reasonable_time_and_memory():
    data = generate(SeedSize.bench())
    tracemalloc.start()
    started = time.perf_counter()
    store = _store()
    summary = load_seed(store, data)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert summary.locations == 200
    assert summary.inventory_positions == len(data.stock) == 360_000
    assert summary.virtual_positions == 30_000
    print(f"bench seed: {seconds:.1f} s, peak {peak / 2**20:.0f} MiB traced")
    assert seconds < 30
    assert peak < 400 * 2**20
