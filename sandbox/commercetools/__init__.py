"""A local emulator of the commercetools HTTP API the connector uses (like LocalStack for AWS).

`create_app(CommercetoolsSandboxConfig(...))` returns an ASGI app serving OAuth client
credentials, the project's resources with commercetools' JSON, query predicates, versions,
errors and messages, and pushes new messages as Google Pub/Sub push requests. See README.md in
this folder for what is emulated and how to drive it from tests and the demo.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.commercetools.app import (
        CommercetoolsSandbox,
        create_app,
        sandbox_of,
    )
    from sandbox.commercetools.config import (
        CommercetoolsSandboxConfig,
        PushTarget,
    )
    from sandbox.commercetools.seed import load_seed

# Imported on first use, so that reading a config (as the operator CLI does) does not load the
# whole app and FastAPI.
_EXPORTS = {
    "CommercetoolsSandbox": "sandbox.commercetools.app",
    "CommercetoolsSandboxConfig": "sandbox.commercetools.config",
    "PushTarget": "sandbox.commercetools.config",
    "create_app": "sandbox.commercetools.app",
    "load_seed": "sandbox.commercetools.seed",
    "sandbox_of": "sandbox.commercetools.app",
}

__all__ = [
    "CommercetoolsSandbox",
    "CommercetoolsSandboxConfig",
    "PushTarget",
    "create_app",
    "load_seed",
    "sandbox_of",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
