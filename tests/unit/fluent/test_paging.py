"""Cursor paging: `paginate` and the completion of nested connections."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.errors import NotFoundError, PermanentError
from connector.fluent.client import FluentClient
from connector.fluent.models import Location

from .conftest import GraphqlStub, connection


def location(ref: str) -> dict[str, object]:
    return {"id": ref.lower(), "ref": ref, "name": f"Store {ref}", "type": "STORE"}


def network(*nodes: dict[str, object], has_next: bool, prefix: str) -> dict[str, object]:
    return {
        "network": {
            "id": "1",
            "ref": "NET_ALL",
            "locations": connection(*nodes, has_next=has_next, cursor_prefix=prefix),
        }
    }


async def test_paginate_follows_the_last_edge_cursor_across_three_pages(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data(
        "NetworkLocations",
        network(location("A"), location("B"), has_next=True, prefix="p1-"),
        network(location("C"), location("D"), has_next=True, prefix="p2-"),
        network(location("E"), has_next=False, prefix="p3-"),
    )

    pages = [
        [node["ref"] for node in page]
        async for page in client.paginate(
            "NetworkLocations", {"networkRef": "NET_ALL"}, ("network", "locations"), page_size=2
        )
    ]

    assert pages == [["A", "B"], ["C", "D"], ["E"]]
    sent = graphql.sent("NetworkLocations")
    assert [variables.get("after") for variables in sent] == [None, "p1-2", "p2-2"]
    assert all(variables["first"] == 2 for variables in sent)
    assert all(variables["networkRef"] == "NET_ALL" for variables in sent)


async def test_paginate_keeps_an_explicit_first(client: FluentClient, graphql: GraphqlStub) -> None:
    graphql.data("NetworkLocations", network(has_next=False, prefix="x"))

    pages = [
        page
        async for page in client.paginate(
            "NetworkLocations", {"networkRef": "N", "first": 7}, ("network", "locations")
        )
    ]

    assert pages == [[]]
    assert graphql.sent("NetworkLocations")[0]["first"] == 7


async def test_next_page_without_a_cursor_is_an_error_not_a_loop(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data(
        "NetworkLocations",
        {"network": {"locations": {"edges": [], "pageInfo": {"hasNextPage": True}}}},
    )

    with pytest.raises(PermanentError, match="no cursor"):
        async for _ in client.paginate(
            "NetworkLocations", {"networkRef": "N"}, ("network", "locations")
        ):
            pass


async def test_network_locations_filter_by_update_time_and_build_models(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    store = location("S1") | {
        "status": "ACTIVE",
        "supportPhoneNumber": "+61 2 0000",
        "primaryAddress": {
            "id": "55",
            "ref": "S1",
            "street": "1 Main St",
            "latitude": -33.86,
            "longitude": 151.2,
            "timeZone": "Australia/Sydney",
        },
        "openingSchedule": {"allHours": False, "monStart": 900, "monEnd": 1700},
        "attributes": [{"name": "region", "type": "STRING", "value": "NSW"}],
    }
    graphql.data(
        "NetworkLocations",
        network(store, has_next=True, prefix="a"),
        network(location("S2"), has_next=False, prefix="b"),
    )
    since = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)

    pages = [page async for page in client.network_locations(updated_since=since)]

    assert [[loc.ref for loc in page] for page in pages] == [["S1"], ["S2"]]
    first: Location = pages[0][0]
    assert first.primary_address is not None
    assert (first.primary_address.latitude, first.primary_address.longitude) == (-33.86, 151.2)
    assert first.primary_address.time_zone == "Australia/Sydney"
    assert first.opening_schedule is not None
    assert first.opening_schedule.mon_start == 900
    assert first.attribute("region") == "NSW"
    sent = graphql.sent("NetworkLocations")
    assert sent[0]["updatedOn"] == {"from": "2026-03-01T12:30:00.000Z"}
    assert sent[0]["networkRef"] == "NET_ALL"
    assert sent[1]["after"] == "a1"


async def test_network_locations_without_since_sends_no_filter(
    client: FluentClient, graphql: GraphqlStub
) -> None:
    graphql.data("NetworkLocations", network(has_next=False, prefix="x"))

    assert [page async for page in client.network_locations("OTHER_NET")] == [[]]
    assert "updatedOn" not in graphql.sent("NetworkLocations")[0]
    assert graphql.sent("NetworkLocations")[0]["networkRef"] == "OTHER_NET"


async def test_unknown_network_is_not_found(client: FluentClient, graphql: GraphqlStub) -> None:
    graphql.data("NetworkLocations", {"network": None})

    with pytest.raises(NotFoundError, match="NET_ALL"):
        async for _ in client.network_locations():
            pass


async def test_naive_since_is_refused(client: FluentClient) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        async for _ in client.network_locations(updated_since=datetime(2026, 1, 1)):
            pass
