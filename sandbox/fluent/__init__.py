"""A local emulator of the Fluent Commerce APIs the connector uses (like LocalStack for AWS).

OAuth password grant, GraphQL (a strict subset of Fluent's schema, `schema.graphql`), the Event
and Batch APIs, signed webhooks with Fluent's retry schedule, a simple documented workflow engine
(`lifecycle`), store operations and an auto-pilot under `/sandbox/`. See README.md.
Nothing here imports the connector.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.fluent.app import create_app
    from sandbox.fluent.config import (
        AutopilotConfig,
        FluentSandboxConfig,
    )
    from sandbox.fluent.service import FluentSandbox, sandbox_of

# Imported on first use, so that reading a config (as the operator CLI does) does not load the
# whole app and FastAPI.
_EXPORTS = {
    "AutopilotConfig": "sandbox.fluent.config",
    "FluentSandbox": "sandbox.fluent.service",
    "FluentSandboxConfig": "sandbox.fluent.config",
    "create_app": "sandbox.fluent.app",
    "sandbox_of": "sandbox.fluent.service",
}

__all__ = ["AutopilotConfig", "FluentSandbox", "FluentSandboxConfig", "create_app", "sandbox_of"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
