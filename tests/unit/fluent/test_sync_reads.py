"""The reads the master-data syncs use: resumable pages with cursors, and the network check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from connector.errors import NotFoundError
from connector.fluent.client import FluentClient, Page

from .conftest import GraphqlStub, connection

SINCE = datetime(2026, 3, 1, 12, tzinfo=UTC)


async def collect(pages: AsyncIterator[Page[Any]]) -> list[Page[Any]]:
    return [page async for page in pages]


def positions(*skus: str) -> list[dict[str, Any]]:
    return [{"ref": f"ATS:{sku}", "productRef": sku, "quantity": 3} for sku in skus]


async def test_virtual_position_pages_carry_the_cursor_to_resume_from(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data(
        "VirtualPositions",
        {"virtualPositions": connection(*positions("A", "B"), has_next=True, cursor_prefix="p1-")},
        {"virtualPositions": connection(*positions("C"), cursor_prefix="p2-")},
    )

    pages = await collect(client.virtual_position_pages(updated_since=SINCE, page_size=2))

    assert [[p.product_ref for p in page.items] for page in pages] == [["A", "B"], ["C"]]
    assert [(page.cursor, page.has_next) for page in pages] == [("p1-2", True), ("p2-1", False)]
    sent = graphql.sent("VirtualPositions")
    assert sent[0] == {
        "catalogue": {"ref": "ATS:1"},
        "updatedOn": {"from": "2026-03-01T12:00:00.000Z"},
        "first": 2,
    }
    assert sent[1]["after"] == "p1-2"


async def test_pages_resume_after_a_given_cursor(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data("VirtualPositions", {"virtualPositions": connection(*positions("C"))})

    pages = await collect(client.virtual_position_pages("ATS:2", after="p1-2"))

    assert graphql.sent("VirtualPositions")[0]["after"] == "p1-2"
    assert graphql.sent("VirtualPositions")[0]["catalogue"] == {"ref": "ATS:2"}
    assert pages[0].cursor == "c1"


async def test_an_empty_page_keeps_the_cursor_it_started_after(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data("VirtualPositions", {"virtualPositions": connection()})

    (page,) = await collect(client.virtual_position_pages(after="p9-9"))

    assert page.items == []
    assert page.cursor == "p9-9"
    assert not page.has_next


async def test_inventory_position_pages_read_the_whole_catalogue_or_what_changed(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    node = {"ref": "P1", "productRef": "A", "locationRef": "ST-001", "onHand": 4}
    graphql.data(
        "InventoryPositionsUpdated",
        {"inventoryPositions": connection(node)},
        {"inventoryPositions": connection(node)},
    )

    (full,) = await collect(client.inventory_position_pages())
    (delta,) = await collect(client.inventory_position_pages(updated_since=SINCE))

    assert full.items[0].on_hand == 4
    assert delta.items[0].location_ref == "ST-001"
    first, second = graphql.sent("InventoryPositionsUpdated")
    assert first == {"catalogue": {"ref": "DEFAULT:7"}, "first": 100}
    assert second["updatedOn"] == {"from": "2026-03-01T12:00:00.000Z"}


async def test_location_pages_of_an_unknown_network_say_which_network(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data("NetworkLocations", {"network": None})

    with pytest.raises(NotFoundError, match="Fluent network NET_X not found"):
        await collect(client.network_location_pages("NET_X"))


async def test_location_pages_of_the_configured_network(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    location = {"id": "1", "ref": "ST-001", "name": "Berlin", "status": "ACTIVE"}
    graphql.data(
        "NetworkLocations",
        {"network": {"id": "9", "ref": "NET_ALL", "locations": connection(location)}},
    )

    (page,) = await collect(client.network_location_pages(updated_since=SINCE, after="x"))

    assert page.items[0].ref == "ST-001"
    assert graphql.sent("NetworkLocations")[0] == {
        "networkRef": "NET_ALL",
        "updatedOn": {"from": "2026-03-01T12:00:00.000Z"},
        "after": "x",
        "first": 100,
    }


async def test_the_network_check_finds_the_network_or_none(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data(
        "NetworkByRef",
        {"network": {"id": "9", "ref": "NET_ALL", "type": "BASE", "status": "ACTIVE"}},
        {"network": None},
    )

    found = await client.network()
    missing = await client.network("NET_X")

    assert found is not None
    assert found.ref == "NET_ALL"
    assert missing is None
    assert [v["ref"] for v in graphql.sent("NetworkByRef")] == ["NET_ALL", "NET_X"]


async def test_a_location_is_looked_up_within_the_network(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    location = {"id": "1", "ref": "ST-001", "name": "Berlin", "status": "ACTIVE"}
    graphql.data(
        "NetworkLocationByRef",
        {"network": {"id": "9", "ref": "NET_ALL", "locations": connection(location)}},
        {"network": {"id": "9", "ref": "NET_ALL", "locations": connection()}},
        {"network": None},
    )

    found = await client.network_location("ST-001")
    elsewhere = await client.network_location("WH-999")
    with pytest.raises(NotFoundError, match="Fluent network NET_X not found"):
        await client.network_location("ST-001", "NET_X")

    assert found is not None
    assert found.ref == "ST-001"
    assert elsewhere is None
    assert graphql.sent("NetworkLocationByRef")[0] == {"networkRef": "NET_ALL", "ref": "ST-001"}


async def test_the_product_catalogue_check_finds_it_or_none(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data(
        "ProductCatalogueByRef",
        {"productCatalogue": {"id": "3", "ref": "PC:MASTER:7", "type": "MASTER", "name": "M"}},
        {"productCatalogue": None},
    )

    found = await client.product_catalogue()
    missing = await client.product_catalogue("PC:OTHER")

    assert found is not None
    assert found.ref == "PC:MASTER:7"
    assert missing is None
    assert [v["ref"] for v in graphql.sent("ProductCatalogueByRef")] == ["PC:MASTER:7", "PC:OTHER"]
