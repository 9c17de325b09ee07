"""Custom objects, where the connector keeps its sync watermarks."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from pydantic import ValidationError

from connector.commercetools.client import CommercetoolsClient
from connector.commercetools.drafts import CustomObjectDraft
from connector.errors import ConflictError
from tests.unit.commercetools import payloads
from tests.unit.commercetools.harness import API, mocked_client

CONTAINER = "commercetools-fluent-connector"


async def test_a_stored_object_is_read_by_container_and_key(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    stored = payloads.custom_object(value={"nextLower": "2026-03-01T12:00:00Z"}, version=7)
    route = router.get(f"{API}/custom-objects/{CONTAINER}/sync-catalog").respond(json=stored)

    found = await client.get_custom_object(CONTAINER, "sync-catalog")

    assert route.called
    assert found is not None
    assert found.version == 7
    assert found.value == {"nextLower": "2026-03-01T12:00:00Z"}


async def test_a_missing_object_is_none(client: CommercetoolsClient, router: respx.Router) -> None:
    router.get(f"{API}/custom-objects/{CONTAINER}/sync-inventory").respond(
        404, json=payloads.error(404, "ResourceNotFound", "not found")
    )

    assert await client.get_custom_object(CONTAINER, "sync-inventory") is None


async def test_an_empty_key_never_turns_into_a_container_query(
    client: CommercetoolsClient,
) -> None:
    with pytest.raises(ValueError, match="key must not be empty"):
        await client.get_custom_object(CONTAINER, "")


async def test_a_write_sends_the_draft_with_its_version(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.post(f"{API}/custom-objects").respond(json=payloads.custom_object(version=4))
    draft = CustomObjectDraft(container=CONTAINER, key="sync-catalog", value={"a": 1}, version=3)

    saved = await client.create_or_update_custom_object(draft)

    assert saved.version == 4
    assert json.loads(route.calls.last.request.content) == {
        "container": CONTAINER,
        "key": "sync-catalog",
        "value": {"a": 1},
        "version": 3,
    }


async def test_a_first_write_sends_no_version(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.post(f"{API}/custom-objects").respond(201, json=payloads.custom_object())

    await client.create_or_update_custom_object(
        CustomObjectDraft(container=CONTAINER, key="sync-catalog", value={})
    )

    assert "version" not in json.loads(route.calls.last.request.content)


async def test_a_concurrent_change_is_a_conflict_not_an_overwrite(router: respx.Router) -> None:
    router.post("https://auth.example.test/oauth/token").respond(
        json={"access_token": "t", "expires_in": 3600}
    )
    body = payloads.error(409, "ConcurrentModification", "version mismatch", currentVersion=5)
    router.post(f"{API}/custom-objects").mock(return_value=httpx.Response(409, json=body))
    draft = CustomObjectDraft(container=CONTAINER, key="sync-catalog", value={}, version=3)

    async with mocked_client(router) as client:
        with pytest.raises(ConflictError) as caught:
            await client.create_or_update_custom_object(draft)

    assert caught.value.current_version == 5


@pytest.mark.parametrize("name", ["", "a/b", "with space", "x" * 257])
def test_containers_and_keys_outside_the_allowed_alphabet_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        CustomObjectDraft(container=name, key="k", value={})
    with pytest.raises(ValidationError):
        CustomObjectDraft(container="c", key=name, value={})
