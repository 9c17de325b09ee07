"""Fixtures shared by every test layer: the Temporal servers and the reference files."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from connector.temporal import (
    SEARCH_ATTRIBUTES,
    data_converter,
    installed_binary,
    register_search_attributes,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = PROJECT_ROOT.parent / "shared" / "reference"


def reference_file(name: str) -> Path:
    """A file of `../shared/reference`. Skips when the folder is absent, except in CI
    (`CONNECTOR_REQUIRE_REFERENCE=1`), where a contract test must run or fail."""
    path = REFERENCE_DIR / name
    if not path.is_file():
        reason = f"{path} is absent: contract tests need ../shared/reference beside the project"
        if os.environ.get("CONNECTOR_REQUIRE_REFERENCE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server: one global clock, so its tests run serially."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=installed_binary("temporal-test-server"),
        data_converter=data_converter(),
    )
    await register_search_attributes(env.client)
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real dev server (in-memory SQLite) with the connector's search attributes."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=installed_binary("temporal"),
        data_converter=data_converter(),
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_extra_args=[
            "--dynamic-config-value",
            "limit.historyCount.suggestContinueAsNew=200",
        ],
    )
    try:
        yield env
    finally:
        await env.shutdown()
