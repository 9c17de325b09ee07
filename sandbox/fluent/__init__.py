"""A local emulator of the Fluent Commerce APIs the connector uses (like LocalStack for AWS).

OAuth password grant, GraphQL (a strict subset of Fluent's schema, `schema.graphql`), the Event
and Batch APIs, signed webhooks with Fluent's retry schedule, a simple documented workflow engine
(`lifecycle`), store operations and an auto-pilot under `/sandbox/`. See README.md.
Nothing here imports the connector.
"""

from sandbox.fluent.app import create_app
from sandbox.fluent.config import AutopilotConfig, FluentSandboxConfig
from sandbox.fluent.service import FluentSandbox, sandbox_of

__all__ = ["AutopilotConfig", "FluentSandbox", "FluentSandboxConfig", "create_app", "sandbox_of"]
