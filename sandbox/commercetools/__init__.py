"""A local emulator of the commercetools HTTP API the connector uses (like LocalStack for AWS).

`create_app(CommercetoolsSandboxConfig(...))` returns an ASGI app serving OAuth client
credentials, the project's resources with commercetools' JSON, query predicates, versions,
errors and messages, and pushes new messages as Google Pub/Sub push requests. See README.md in
this folder for what is emulated and how to drive it from tests and the demo.
"""

from sandbox.commercetools.app import CommercetoolsSandbox, create_app, sandbox_of
from sandbox.commercetools.config import CommercetoolsSandboxConfig, PushTarget
from sandbox.commercetools.seed import load_seed

__all__ = [
    "CommercetoolsSandbox",
    "CommercetoolsSandboxConfig",
    "PushTarget",
    "create_app",
    "load_seed",
    "sandbox_of",
]
