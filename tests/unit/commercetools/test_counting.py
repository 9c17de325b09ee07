"""Counting product projections, for the catalog sync's progress total."""

from __future__ import annotations

import pytest
import respx

from connector.commercetools.client import CommercetoolsClient
from connector.errors import PermanentError
from tests.unit.commercetools import payloads
from tests.unit.commercetools.harness import API


async def test_the_count_asks_for_the_total_of_one_result(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.get(f"{API}/product-projections").respond(
        json={**payloads.page([payloads.product_projection()], limit=1), "total": 1234}
    )

    total = await client.count_product_projections(
        where=['lastModifiedAt >= "2026-03-01T00:00:00.000Z"'], staged=True
    )

    assert total == 1234
    params = route.calls.last.request.url.params
    assert params["limit"] == "1"
    assert params["withTotal"] == "true"
    assert params["staged"] == "true"
    assert params.get_list("where") == ['lastModifiedAt >= "2026-03-01T00:00:00.000Z"']


async def test_an_answer_without_total_is_a_clear_error(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    router.get(f"{API}/product-projections").respond(json=payloads.page([]))

    with pytest.raises(PermanentError, match="has no `total`"):
        await client.count_product_projections()
