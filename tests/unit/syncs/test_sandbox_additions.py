"""What the syncs added to the sandboxes: commercetools custom objects (where the sync
watermarks live), driven through the connector's client, and the Fluent sandbox's GraphQL
operation counters (how tests tell Fluent reads from writes)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from connector.commercetools.client import CommercetoolsClient
from connector.commercetools.drafts import CustomObjectDraft
from connector.errors import ConflictError, PermanentError
from connector.fluent.models import CreateCategoryInput, RefKey
from sandbox.commercetools import CommercetoolsSandboxConfig, create_app
from sandbox.fluent.operation_counts import operation_labels
from tests.unit.syncs.platforms import CT_URL, FLUENT_URL, platforms, sync_settings

CONTAINER = "commercetools-fluent-connector"


@pytest.fixture
async def client() -> AsyncIterator[CommercetoolsClient]:
    app = create_app(CommercetoolsSandboxConfig())
    settings = sync_settings().commercetools
    async with CommercetoolsClient(settings, transport=httpx.ASGITransport(app=app)) as client:
        yield client


def draft(value: dict[str, object], version: int | None = None) -> CustomObjectDraft:
    return CustomObjectDraft(container=CONTAINER, key="sync-catalog", value=value, version=version)


async def test_an_object_is_created_read_and_replaced(client: CommercetoolsClient) -> None:
    assert await client.get_custom_object(CONTAINER, "sync-catalog") is None

    created = await client.create_or_update_custom_object(draft({"n": 1}))
    replaced = await client.create_or_update_custom_object(draft({"n": 2}, version=1))
    read = await client.get_custom_object(CONTAINER, "sync-catalog")

    assert created.version == 1
    assert replaced.version == 2
    assert read is not None
    assert read.value == {"n": 2}
    assert read.id == created.id


async def test_a_stale_version_is_a_conflict(client: CommercetoolsClient) -> None:
    await client.create_or_update_custom_object(draft({"n": 1}))
    await client.create_or_update_custom_object(draft({"n": 2}))

    with pytest.raises(ConflictError) as caught:
        await client.create_or_update_custom_object(draft({"n": 3}, version=1))

    assert caught.value.current_version == 2


async def test_a_version_for_a_missing_object_is_refused(client: CommercetoolsClient) -> None:
    with pytest.raises(PermanentError, match="does not exist"):
        await client.create_or_update_custom_object(draft({"n": 1}, version=3))


async def test_containers_are_listed_and_objects_deleted() -> None:
    app = create_app(CommercetoolsSandboxConfig())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=CT_URL) as http:
        token = await http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("sandbox-client", "sandbox-secret"),
        )
        http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        for key in ("b", "a"):
            body = {"container": "c", "key": key, "value": {"k": key}}
            assert (await http.post("/demo/custom-objects", json=body)).status_code == 201

        listed = (await http.get("/demo/custom-objects/c")).json()
        deleted = await http.delete("/demo/custom-objects/c/a")
        gone = await http.get("/demo/custom-objects/c/a")

    assert [doc["key"] for doc in listed["results"]] == ["a", "b"]
    assert deleted.json()["key"] == "a"
    assert gone.status_code == 404
    assert gone.json()["errors"][0]["code"] == "ResourceNotFound"


async def test_fluent_graphql_requests_are_counted_by_operation() -> None:
    async with platforms() as world:
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=world.fluent_app), base_url=FLUENT_URL
        )
        async with http:
            await http.delete("/sandbox/graphql-operations")
            await world.fluent.categories(["cat-00"])
            await world.fluent.create_category(
                CreateCategoryInput(
                    ref="new", catalogue=RefKey(ref="PC:MASTER:1"), type="DEFAULT", name="New"
                )
            )
            counted = (await http.get("/sandbox/graphql-operations")).json()
            reset = (await http.delete("/sandbox/graphql-operations")).json()

    assert counted == {
        "operations": {"mutation createCategory": 1, "query categories": 1},
        "mutations": 1,
        "queries": 1,
    }
    assert reset["operations"] == {}


def test_an_unparsable_or_ambiguous_request_counts_nothing() -> None:
    assert operation_labels("query {", None) == ()
    assert operation_labels("query A { a } query B { b }", None) == ()
    assert operation_labels("query A { a } query B { b c }", "B") == ("query b", "query c")
