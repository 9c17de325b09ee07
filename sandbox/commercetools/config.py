"""Configuration of the commercetools sandbox: project, credentials, taxes, faults, push targets."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from sandbox.common.faults import FaultConfig
from sandbox.seed import SeedData


class PushTarget(BaseModel):
    """Where new messages are pushed, as a Google Pub/Sub push subscription delivers them.

    `message_types` and `resource_type_ids` filter what is pushed (empty: everything), like a
    commercetools subscription's `messages: [{resourceTypeId, types}]`.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="connector", pattern=r"^[A-Za-z0-9_.~+%-]{1,255}$")
    url: str = Field(pattern=r"^https?://")
    token: SecretStr | None = None
    message_types: list[str] = Field(default_factory=list)
    resource_type_ids: list[str] = Field(default_factory=list)

    def wants(self, message: dict[str, object]) -> bool:
        resource = message.get("resource")
        type_id = resource.get("typeId") if isinstance(resource, dict) else None
        return (not self.message_types or message.get("type") in self.message_types) and (
            not self.resource_type_ids or type_id in self.resource_type_ids
        )


class CommercetoolsSandboxConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    project_key: str = Field(default="demo", pattern=r"^[a-z0-9-]{2,36}$")
    client_id: str = "sandbox-client"
    client_secret: SecretStr = SecretStr("sandbox-secret")
    token_ttl_seconds: float = Field(default=172_800, gt=0)
    tax_rate: float = Field(default=0.19, ge=0, le=1)
    tax_included_in_price: bool = True
    faults: FaultConfig = Field(default_factory=FaultConfig)
    subscriptions: list[PushTarget] = Field(default_factory=list)
    pubsub_project: str = "commercetools-sandbox"
    push_initial_backoff_seconds: float = Field(default=0.2, gt=0)
    push_max_backoff_seconds: float = Field(default=10.0, gt=0)
    push_timeout_seconds: float = Field(default=10.0, gt=0)
    push_concurrency: int = Field(default=8, ge=1)
    seed: SeedData | None = None
