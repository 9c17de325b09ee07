"""Start-up configuration of the Fluent sandbox.

Defaults describe a ready-to-use local account: the credentials below are what a developer puts
into the connector's `FLUENT_*` settings to talk to a sandbox started without options.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, InstanceOf, model_validator

from sandbox.common.faults import FaultConfig
from sandbox.seed import NETWORK_REF, SeedData

# Fluent's default delays between webhook attempts: immediate, then +2 s, +4 s, +8 s.
FLUENT_WEBHOOK_RETRY_DELAYS = (2.0, 4.0, 8.0)


class AutopilotConfig(BaseModel):
    """The simulated store staff. Off by default so tests drive every step themselves."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    step_interval_seconds: float = Field(default=0.5, gt=0)
    rejection_rate: float = Field(default=0.0, ge=0, le=1)
    seed: int | None = None


class FluentSandboxConfig(BaseModel):
    """Everything the sandbox needs at start; `seed=None` starts with an empty account."""

    model_config = ConfigDict(extra="forbid")

    account_id: str = "SANDBOX"
    retailer_id: str = Field(default="1", pattern=r"^[0-9]+$")
    client_id: str = "SANDBOX"
    client_secret: str = "sandbox-client-secret"
    username: str = "sandbox_admin"
    password: str = "sandbox-password"
    token_ttl_seconds: int = Field(default=86_400, gt=0)
    network_ref: str = NETWORK_REF
    virtual_catalogue_ref: str = "ATS:1"
    # None means Fluent's defaults for the retailer: PC:MASTER:<retailer>, DEFAULT:<retailer>.
    product_catalogue_ref: str | None = None
    inventory_catalogue_ref: str | None = None
    faults: FaultConfig = Field(default_factory=FaultConfig)
    webhook_urls: list[str] = Field(default_factory=list)
    webhook_signing_key_path: Path | None = None
    webhook_retry_delays_seconds: tuple[float, ...] = FLUENT_WEBHOOK_RETRY_DELAYS
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    autopilot: AutopilotConfig = Field(default_factory=AutopilotConfig)
    # How long a submitted batch stays PENDING, and how long it stays RUNNING, before it completes.
    batch_pending_seconds: float = Field(default=0.0, ge=0)
    batch_running_seconds: float = Field(default=0.0, ge=0)
    max_body_bytes: int = Field(default=2 * 1024 * 1024, gt=0)
    default_page_size: int = Field(default=100, gt=0)
    max_page_size: int = Field(default=5_000, gt=0)
    seed: InstanceOf[SeedData] | None = None

    @model_validator(mode="after")
    def _seed_matches_network(self) -> FluentSandboxConfig:
        if self.seed is not None and self.seed.network_ref != self.network_ref:
            raise ValueError(
                f"network_ref {self.network_ref!r} differs from the seed's network "
                f"{self.seed.network_ref!r}: the virtual catalogue would aggregate an empty network"
            )
        if any(delay < 0 for delay in self.webhook_retry_delays_seconds):
            raise ValueError("webhook_retry_delays_seconds must not be negative")
        return self

    @property
    def effective_product_catalogue_ref(self) -> str:
        return self.product_catalogue_ref or f"PC:MASTER:{self.retailer_id}"

    @property
    def effective_inventory_catalogue_ref(self) -> str:
        return self.inventory_catalogue_ref or f"DEFAULT:{self.retailer_id}"
