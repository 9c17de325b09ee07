"""Loads the shared seed data into a Fluent sandbox store.

The network with every location (type, status, address with coordinates and time zone, phone,
opening schedule) and the inventory positions from the seed's stock; the virtual catalogue over
that network exists in every store. Products and categories are not loaded: the connector's
catalog sync creates them, as it would in a fresh Fluent account. Loading emits no webhooks (the
data is there before anyone listens).
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.fluent.store import FluentStore, LocationSpec
from sandbox.seed import SeedData, SeedLocation


@dataclass(frozen=True, slots=True)
class SeedSummary:
    locations: int
    inventory_positions: int
    virtual_positions: int


def location_spec(location: SeedLocation) -> LocationSpec:
    address = location.address
    return LocationSpec(
        ref=location.ref,
        name=location.name,
        type=location.type,
        status=location.status,
        latitude=address.latitude,
        longitude=address.longitude,
        street=address.street,
        city=address.city,
        state=address.state,
        postcode=address.postcode,
        country=address.country,
        time_zone=address.time_zone,
        phone=location.phone,
        opening_hours=location.opening_hours,
    )


def load_seed(store: FluentStore, data: SeedData) -> SeedSummary:
    if data.network_ref != store.network.ref:
        raise ValueError(
            f"the seed's network {data.network_ref!r} is not the store's {store.network.ref!r}"
        )
    for location in data.locations:
        store.create_location(location_spec(location), notify=False)
    positions = store.load_positions(
        (stock.location_ref, stock.sku, stock.on_hand) for stock in data.stock
    )
    return SeedSummary(
        locations=len(data.locations),
        inventory_positions=positions,
        virtual_positions=len(store.virtual_positions),
    )
