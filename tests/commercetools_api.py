"""A raw, authenticated HTTP client of a commercetools project (the sandbox or the emulator),
for arranging what the connector's client does not write. Shared by every test layer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

SANDBOX_CREDENTIALS = ("sandbox-client", "sandbox-secret")
"""The API client the commercetools sandbox is configured with by default."""


@asynccontextmanager
async def project_api(
    url: str,
    project_key: str,
    *,
    credentials: tuple[str, str] = SANDBOX_CREDENTIALS,
    transport: httpx.AsyncBaseTransport | None = None,
    **options: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    """A client rooted at the project (`base_url` ends with `/{project_key}/`) carrying a
    client-credentials token of the server at `url`; `options` go to both HTTP clients."""
    async with httpx.AsyncClient(base_url=url, transport=transport, **options) as root:
        response = await root.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=credentials
        )
        response.raise_for_status()
        token = response.json()["access_token"]
    async with httpx.AsyncClient(
        base_url=f"{url}/{project_key}/",
        transport=transport,
        headers={"Authorization": f"Bearer {token}"},
        **options,
    ) as api:
        yield api
