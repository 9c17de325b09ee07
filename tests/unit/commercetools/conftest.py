from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import respx

from connector.commercetools.client import CommercetoolsClient
from tests.unit.commercetools.harness import AUTH, FakeClock, TokenIssuer, mocked_client


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(assert_all_mocked=True, assert_all_called=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def token_route(router: respx.Router) -> respx.Route:
    return router.post(AUTH).mock(side_effect=TokenIssuer())


@pytest.fixture
async def client(
    router: respx.Router, clock: FakeClock, token_route: respx.Route
) -> AsyncIterator[CommercetoolsClient]:
    async with mocked_client(router, clock) as client:
        yield client
