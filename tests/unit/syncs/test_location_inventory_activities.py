"""The location and inventory sync activities against both sandboxes in process: channels from
the network's locations, aggregate stock on one channel, only differences written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from activities.inventory import InventoryActivities
from activities.locations import LocationActivities
from activities.sync_common import PagesRequest
from connector.errors import PermanentError
from connector.mapping.channels import FIELD_LOCATION_STATUS, FIELD_OPENING_SCHEDULE
from connector.mapping.inventory import inventory_entry_key
from connector.syncs import ENTITY_LOCATION, ENTITY_SKU, SyncWindow
from sandbox.fluent.store import LocationChanges
from tests.unit.syncs.platforms import Platforms, platforms

CHANNEL_TYPE = "fluent-connector-channel"
AGGREGATE_CHANNEL = "fluent-aggregate-stock"


def everything() -> PagesRequest:
    return PagesRequest(window=SyncWindow(lower=None, upper=datetime.now(UTC)))


def since(moment: datetime) -> PagesRequest:
    return PagesRequest(window=SyncWindow(lower=moment, upper=moment + timedelta(hours=2)))


def later(world: Platforms) -> datetime:
    """Moves Fluent's clock an hour ahead; what changes from now on is newer than the return."""
    moment = world.fluent_sandbox.clock.now()
    world.fluent_sandbox.clock.advance(3600)
    return moment + timedelta(minutes=30)


# --- locations --------------------------------------------------------------------------------


async def test_every_location_of_the_network_becomes_a_channel() -> None:
    async with platforms() as world:
        result = await world.environment.run(
            LocationActivities(world.deps).sync_location_pages, everything()
        )

        assert result.finished
        assert result.stats[ENTITY_LOCATION].created == len(world.seed.locations)
        channels = await world.commercetools.channels_by_keys(
            loc.ref for loc in world.seed.locations
        )
        for location in world.seed.locations:
            channel = channels[location.ref]
            assert set(channel.roles) == {"InventorySupply", "ProductDistribution"}
            assert channel.name == {"en": location.name}
            assert channel.geo_location is not None
            assert channel.geo_location.coordinates == (
                location.address.longitude,
                location.address.latitude,
            )
            assert channel.address is not None
            assert channel.address.city == location.address.city
            assert channel.custom is not None
            assert channel.custom.fields[FIELD_LOCATION_STATUS] == location.status
            assert (FIELD_OPENING_SCHEDULE in channel.custom.fields) is True


async def test_a_second_location_run_writes_nothing() -> None:
    async with platforms() as world:
        activities = LocationActivities(world.deps)
        await world.environment.run(activities.sync_location_pages, everything())
        world.clear_requests()

        result = await world.environment.run(activities.sync_location_pages, everything())

        assert world.ct_requests.commercetools_writes() == {}
        assert result.stats[ENTITY_LOCATION].unchanged == len(world.seed.locations)


async def test_a_deactivated_location_updates_its_channel_status_only() -> None:
    async with platforms() as world:
        activities = LocationActivities(world.deps)
        await world.environment.run(activities.sync_location_pages, everything())
        active = next(loc for loc in world.seed.locations if loc.status == "ACTIVE")
        moment = later(world)
        store = world.fluent_sandbox.store
        store.update_location(
            store.require_location(active.ref), LocationChanges(status="INACTIVE")
        )
        world.clear_requests()

        result = await world.environment.run(activities.sync_location_pages, since(moment))

        assert result.stats[ENTITY_LOCATION].processed == 1
        assert result.stats[ENTITY_LOCATION].updated == 1
        assert sum(world.ct_requests.commercetools_writes().values()) == 1
        channel = await world.commercetools.get_channel_by_key(active.ref)
        assert channel is not None
        assert channel.custom is not None
        assert channel.custom.fields[FIELD_LOCATION_STATUS] == "INACTIVE"


async def test_locations_by_ref_refuse_refs_outside_the_network() -> None:
    async with platforms() as world:
        activities = LocationActivities(world.deps)
        first = world.seed.locations[0].ref

        stats = await world.environment.run(activities.sync_locations_by_ref, [first, "NOPE"])

        assert stats[ENTITY_LOCATION].created == 1
        (failure,) = stats[ENTITY_LOCATION].failures
        assert failure.id == "NOPE"
        assert failure.reason == "location NOPE is not a location of the network NETWORK_DEMO"


async def test_without_the_channel_type_the_sync_says_to_run_setup() -> None:
    async with platforms(provisioned=False) as world:
        with pytest.raises(
            PermanentError, match=r"fluent-connector-channel does not exist.*starter\.py setup"
        ):
            await world.environment.run(
                LocationActivities(world.deps).sync_location_pages, everything()
            )


# --- inventory --------------------------------------------------------------------------------


async def test_aggregate_stock_becomes_one_entry_per_sku_on_the_channel() -> None:
    async with platforms() as world:
        result = await world.environment.run(
            InventoryActivities(world.deps).sync_inventory_pages, everything()
        )

        reads = [
            label for label in world.ct_requests.sent if label.startswith("GET /demo/inventory")
        ]
        skus = list(world.seed.skus)
        assert len(reads) == 1
        assert result.finished
        assert result.stats[ENTITY_SKU].created == len(skus)
        channel = await world.commercetools.get_channel_by_key(AGGREGATE_CHANNEL)
        assert channel is not None
        entries = await world.commercetools.inventory_by_skus(skus, supply_channel_id=channel.id)
        store = world.fluent_sandbox.store
        for sku in skus:
            virtual = store.virtual_position_of(sku)
            assert virtual is not None
            assert entries[sku].quantity_on_stock == max(virtual.quantity, 0)
            assert entries[sku].key == inventory_entry_key(AGGREGATE_CHANNEL, sku)


async def test_a_second_inventory_run_writes_nothing() -> None:
    async with platforms() as world:
        activities = InventoryActivities(world.deps)
        await world.environment.run(activities.sync_inventory_pages, everything())
        world.clear_requests()

        result = await world.environment.run(activities.sync_inventory_pages, everything())

        assert world.ct_requests.commercetools_writes() == {}
        assert result.stats[ENTITY_SKU].unchanged == len(list(world.seed.skus))


async def test_changed_stock_updates_exactly_the_changed_entries() -> None:
    async with platforms() as world:
        activities = InventoryActivities(world.deps)
        await world.environment.run(activities.sync_inventory_pages, everything())
        stock = [s for s in world.seed.stock if s.location_ref == world.seed.locations[0].ref]
        moment = later(world)
        store = world.fluent_sandbox.store
        for entry in stock[:2]:
            store.set_on_hand(entry.location_ref, entry.sku, entry.on_hand + 5)
        world.clear_requests()

        result = await world.environment.run(activities.sync_inventory_pages, since(moment))

        writes = world.ct_requests.commercetools_writes()
        assert sum(writes.values()) == 2
        assert all(label.startswith("POST /demo/inventory/") for label in writes)
        assert result.stats[ENTITY_SKU].updated == 2
        channel = await world.commercetools.get_channel_by_key(AGGREGATE_CHANNEL)
        assert channel is not None
        entries = await world.commercetools.inventory_by_skus(
            [s.sku for s in stock[:2]], supply_channel_id=channel.id
        )
        for entry in stock[:2]:
            virtual = store.virtual_position_of(entry.sku)
            assert virtual is not None
            assert entries[entry.sku].quantity_on_stock == virtual.quantity


async def test_per_location_positions_can_be_summed_instead() -> None:
    async with platforms(inventory_source="locations") as world:
        result = await world.environment.run(
            InventoryActivities(world.deps).sync_inventory_pages, everything()
        )

        totals: dict[str, int] = {}
        for entry in world.seed.stock:
            totals[entry.sku] = totals.get(entry.sku, 0) + entry.on_hand
        assert result.stats[ENTITY_SKU].created == len(totals)
        channel = await world.commercetools.get_channel_by_key(AGGREGATE_CHANNEL)
        assert channel is not None
        entries = await world.commercetools.inventory_by_skus(totals, supply_channel_id=channel.id)
        assert {sku: e.quantity_on_stock for sku, e in entries.items()} == totals


async def test_skus_that_failed_last_time_are_synced_by_sku() -> None:
    async with platforms() as world:
        sku = next(iter(world.seed.skus))

        stats = await world.environment.run(
            InventoryActivities(world.deps).sync_inventory_skus, [sku, sku]
        )

        assert stats[ENTITY_SKU].created == 1


async def test_without_the_inventory_channel_the_sync_says_to_run_setup() -> None:
    async with platforms(provisioned=False) as world:
        with pytest.raises(PermanentError, match="fluent-aggregate-stock does not exist"):
            await world.environment.run(
                InventoryActivities(world.deps).sync_inventory_pages, everything()
            )
