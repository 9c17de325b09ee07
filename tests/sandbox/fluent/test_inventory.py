"""Inventory positions and the aggregate virtual positions (available to sell)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.fluent.clock import SandboxClock
from sandbox.fluent.models import VirtualPosition
from sandbox.fluent.store import FluentStore, LocationChanges, LocationSpec
from tests.sandbox.fluent import documents
from tests.sandbox.fluent.conftest import Fluent

SKU = "SKU-00002-1"
ATS = {"ref": "ATS:1"}


async def _ats(fluent: Fluent, sku: str = SKU) -> int:
    data = await fluent.gql(documents.VIRTUAL_POSITIONS, {"catalogue": ATS, "products": [sku]})
    [edge] = data["virtualPositions"]["edges"]
    assert edge["node"]["productRef"] == sku
    assert edge["node"]["groupRef"] == "NETWORK_DEMO"
    assert edge["node"]["catalogue"] == ATS
    return int(edge["node"]["quantity"])


async def test_available_to_sell_is_on_hand_minus_reserved_over_active_locations(fluent):
    seeded = {p["locationRef"]: 0 for p in (await fluent.stock(SKU))["positions"]}
    await fluent.set_stock(SKU, {**seeded, "ST-001": 5, "ST-002": 7, "ST-007": 100})
    # ST-007 is INACTIVE in the demo seed: its 100 do not count.
    assert await _ats(fluent) == 12

    await fluent.create_product(SKU)
    buyer = await fluent.create_customer()
    order = await fluent.create_order("HD-1", {SKU: 3}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001")
    assert await _ats(fluent) == 9

    await fluent.admin("PATCH", "/locations/ST-002", {"status": "INACTIVE"})
    assert await _ats(fluent) == 2
    await fluent.admin("PATCH", "/locations/ST-007", {"status": "ACTIVE"})
    assert await _ats(fluent) == 102


async def test_a_location_never_counts_below_zero(fluent):
    seeded = {p["locationRef"]: 0 for p in (await fluent.stock(SKU))["positions"]}
    await fluent.set_stock(SKU, {**seeded, "ST-001": 1, "ST-002": 4})
    await fluent.create_product(SKU)
    buyer = await fluent.create_customer()
    order = await fluent.create_order("HD-1", {SKU: 3}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001")  # sourced on stale stock
    assert await _ats(fluent) == 4


async def test_inventory_positions_by_product_and_location_page(fluent):
    variables = {"products": [SKU], "catalogue": {"ref": "DEFAULT:1"}, "first": 3}
    first = await fluent.gql(documents.INVENTORY_POSITIONS, variables)
    connection = first["inventoryPositions"]
    assert connection["pageInfo"]["hasNextPage"] is True
    rest = await fluent.gql(
        documents.INVENTORY_POSITIONS,
        {**variables, "first": 10, "after": connection["edges"][-1]["cursor"]},
    )
    nodes = [e["node"] for e in connection["edges"] + rest["inventoryPositions"]["edges"]]
    assert len(nodes) == 8  # the demo seed stocks every SKU at all eight locations
    assert {n["productRef"] for n in nodes} == {SKU}
    assert nodes[0]["ref"] == f"{SKU}:{nodes[0]['locationRef']}"
    assert nodes[0]["catalogue"] == {"ref": "DEFAULT:1"}
    one = await fluent.gql(
        documents.INVENTORY_POSITIONS, {"products": [SKU], "locations": ["ST-003"]}
    )
    assert [e["node"]["locationRef"] for e in one["inventoryPositions"]["edges"]] == ["ST-003"]


async def test_positions_updated_since_a_moment_across_the_catalogue(fluent):
    await fluent.admin("POST", "/clock/advance", {"seconds": 60})
    since = (await fluent.admin("GET", "/state"))["now"]
    await fluent.set_stock(SKU, {"ST-002": 3})
    await fluent.set_stock("SKU-00009-3", {"WH-005": 4})
    query = """query ($updatedOn: DateRange, $after: String) {
      inventoryPositions(catalogue: {ref: "DEFAULT:1"}, updatedOn: $updatedOn, first: 1,
                         after: $after) {
        edges { cursor node { productRef locationRef onHand } }
        pageInfo { hasNextPage }
      }
    }"""
    first = (await fluent.gql(query, {"updatedOn": {"from": since}}))["inventoryPositions"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await fluent.gql(
        query, {"updatedOn": {"from": since}, "after": first["edges"][-1]["cursor"]}
    )
    nodes = [e["node"] for e in first["edges"] + rest["inventoryPositions"]["edges"]]
    assert nodes == [
        {"productRef": SKU, "locationRef": "ST-002", "onHand": 3},
        {"productRef": "SKU-00009-3", "locationRef": "WH-005", "onHand": 4},
    ]
    assert rest["inventoryPositions"]["pageInfo"]["hasNextPage"] is False


async def test_an_unknown_catalogue_has_no_positions(fluent):
    data = await fluent.gql(
        documents.INVENTORY_POSITIONS, {"products": [SKU], "catalogue": {"ref": "OTHER"}}
    )
    assert data["inventoryPositions"]["edges"] == []
    virtual = await fluent.gql(documents.VIRTUAL_POSITIONS, {"catalogue": {"ref": "ATS:9"}})
    assert virtual["virtualPositions"]["edges"] == []


async def test_virtual_positions_page_through_every_product_and_filter_by_update(fluent):
    seen: list[str] = []
    after = None
    while True:
        data = await fluent.gql(
            documents.VIRTUAL_POSITIONS, {"catalogue": ATS, "first": 25, "after": after}
        )
        connection = data["virtualPositions"]
        seen += [e["node"]["productRef"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["edges"][-1]["cursor"]
    assert len(seen) == len(set(seen)) == 72  # 24 products x 3 variants
    await fluent.admin("POST", "/clock/advance", {"seconds": 60})
    since = (await fluent.admin("GET", "/state"))["now"]
    await fluent.set_stock(SKU, {"ST-001": 999})
    changed = await fluent.gql(
        documents.VIRTUAL_POSITIONS, {"catalogue": ATS, "updatedOn": {"from": since}}
    )
    assert [e["node"]["productRef"] for e in changed["virtualPositions"]["edges"]] == [SKU]


async def test_single_positions_by_ref(fluent):
    query = """query ($ip: String!, $vp: String!) {
      inventoryPosition(ref: $ip, catalogue: {ref: "DEFAULT:1"}) { locationRef productRef onHand }
      virtualPosition(ref: $vp, catalogue: {ref: "ATS:1"}) { productRef quantity }
    }"""
    data = await fluent.gql(query, {"ip": f"{SKU}:ST-001", "vp": SKU})
    assert data["inventoryPosition"]["locationRef"] == "ST-001"
    assert data["virtualPosition"]["productRef"] == SKU


async def test_stock_changes_need_known_locations(fluent):
    response = await fluent.http.put(
        "/sandbox/stock", json={"positions": [{"locationRef": "XX", "skuRef": SKU, "onHand": 1}]}
    )
    assert response.status_code == 404
    negative = await fluent.http.put(
        "/sandbox/stock",
        json={"positions": [{"locationRef": "ST-001", "skuRef": SKU, "onHand": -1}]},
    )
    assert negative.status_code == 400


# -- the incremental figures against a recomputation, under random operations ------------------

_LOCATIONS = ("L1", "L2", "L3")
_PRODUCTS = ("P1", "P2")
_operation = st.one_of(
    st.tuples(
        st.just("on_hand"),
        st.sampled_from(_LOCATIONS),
        st.sampled_from(_PRODUCTS),
        st.integers(0, 20),
    ),
    st.tuples(
        st.just("reserve"),
        st.sampled_from(_LOCATIONS),
        st.sampled_from(_PRODUCTS),
        st.integers(0, 15),
    ),
    st.tuples(
        st.just("release"),
        st.sampled_from(_LOCATIONS),
        st.sampled_from(_PRODUCTS),
        st.integers(0, 15),
    ),
    st.tuples(
        st.just("consume"),
        st.sampled_from(_LOCATIONS),
        st.sampled_from(_PRODUCTS),
        st.integers(0, 15),
    ),
    st.tuples(
        st.just("status"),
        st.sampled_from(_LOCATIONS),
        st.sampled_from(["ACTIVE", "INACTIVE"]),
        st.just(0),
    ),
)


def _virtual(store: FluentStore, product_ref: str) -> VirtualPosition:
    virtual = store.virtual_position_of(product_ref)
    assert virtual is not None
    return virtual


def _store() -> FluentStore:
    store = FluentStore(
        clock=SandboxClock(),
        retailer_id="1",
        network_ref="N",
        product_catalogue_ref="PC:MASTER:1",
        inventory_catalogue_ref="DEFAULT:1",
        virtual_catalogue_ref="ATS:1",
    )
    for ref in _LOCATIONS:
        store.create_location(
            LocationSpec(ref=ref, name=ref, type="STORE", status="ACTIVE", latitude=0, longitude=0)
        )
    return store


@settings(max_examples=200, deadline=None)
@given(st.lists(_operation, max_size=40))
def test_incremental_available_to_sell_equals_a_recomputation(operations):
    store = _store()
    for kind, location, other, quantity in operations:
        if kind == "on_hand":
            store.set_on_hand(location, other, quantity)
        elif kind == "reserve":
            store.reserve(location, other, quantity)
        elif kind == "release":
            store.release(location, other, quantity)
        elif kind == "consume":
            store.consume(location, other, quantity)
        else:
            store.update_location(store.require_location(location), LocationChanges(status=other))
    expected = store.recompute_virtual_quantities()
    actual = {ref: _virtual(store, ref).quantity for ref in expected}
    assert actual == expected
    for position in store.inventory_positions:
        assert position.on_hand >= 0
        assert position.reserved >= 0


def test_virtual_positions_remember_when_their_quantity_changed():
    store = _store()
    store.set_on_hand("L1", "P1", 5)
    virtual = _virtual(store, "P1")
    before = virtual.updated_on
    store.clock.advance(10)
    store.set_on_hand("L1", "P1", 5)
    assert virtual.updated_on == before  # same figure, no change
    store.set_on_hand("L1", "P1", 6)
    assert virtual.updated_on > before
