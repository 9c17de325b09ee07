"""All settings of the connector, in one place.

Each group reads environment variables with its own prefix (and an optional `.env` file in the
working directory). Secrets are `SecretStr`: they print as `**********` and never reach logs or
workflow payloads. `load_settings()` turns any validation problem into one `SettingsError` line
that names the variable, so a misconfigured worker fails at start-up and says why.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import AnyHttpUrl, BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_FILE = ".env"


class SettingsError(Exception):
    """A missing or invalid setting; the message names the environment variable."""


def _split_list(value: Any) -> Any:
    """Accept a JSON list or a comma-separated string for list settings."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


def _parse_mapping(value: Any) -> Any:
    """Accept a JSON object or `KEY=VALUE,KEY=VALUE` for mapping settings."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return {}
        if text.startswith("{"):
            return json.loads(text)
        pairs = (part.split("=", 1) for part in text.split(",") if part.strip())
        return {key.strip(): val.strip() for key, val in pairs}
    return value


StrList = Annotated[list[str], NoDecode]
StrMap = Annotated[dict[str, str], NoDecode]


class _Group(BaseSettings):
    model_config = SettingsConfigDict(env_file=ENV_FILE, extra="ignore", frozen=True)


class CommercetoolsSettings(_Group):
    """The commercetools project and the API client the connector uses."""

    model_config = SettingsConfigDict(env_prefix="CT_")

    project_key: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    region: str = "europe-west1.gcp"
    api_url: AnyHttpUrl | None = None
    auth_url: AnyHttpUrl | None = None
    scopes: str = ""
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_connections: int = Field(default=20, ge=1)
    conflict_retries: int = Field(default=5, ge=1)

    @property
    def resolved_api_url(self) -> str:
        if self.api_url is not None:
            return str(self.api_url).rstrip("/")
        return f"https://api.{self.region}.commercetools.com"

    @property
    def resolved_auth_url(self) -> str:
        if self.auth_url is not None:
            return str(self.auth_url).rstrip("/")
        return f"https://auth.{self.region}.commercetools.com"


class FluentSettings(_Group):
    """The Fluent account, retailer and API user the connector uses."""

    model_config = SettingsConfigDict(env_prefix="FLUENT_")

    host: AnyHttpUrl
    account_id: str = Field(min_length=1)
    retailer_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    username: str = Field(min_length=1)
    password: SecretStr
    product_catalogue_ref: str = ""
    inventory_catalogue_ref: str = ""
    virtual_catalogue_ref: str = "ATS:1"
    network_ref: str = ""
    webhook_public_keys: StrList = []
    accept_legacy_md5_signature: bool = False
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_connections: int = Field(default=20, ge=1)

    _split = field_validator("webhook_public_keys", mode="before")(_split_list)

    @property
    def base_url(self) -> str:
        return str(self.host).rstrip("/")

    @property
    def catalogue_ref(self) -> str:
        """Product catalogue; Fluent's default is `PC:MASTER:<retailerId>`."""
        return self.product_catalogue_ref or f"PC:MASTER:{self.retailer_id}"

    @property
    def inventory_catalogue(self) -> str:
        """Inventory catalogue; Fluent's default is `DEFAULT:<retailerId>`."""
        return self.inventory_catalogue_ref or f"DEFAULT:{self.retailer_id}"


class TemporalSettings(_Group):
    """Task queues and worker tuning. The connection itself (`TEMPORAL_ADDRESS`,
    `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, TLS, profiles) is read by `temporalio.envconfig`."""

    model_config = SettingsConfigDict(env_prefix="TEMPORAL_")

    order_task_queue: str = "ct-fluent-orders"
    sync_task_queue: str = "ct-fluent-sync"
    max_concurrent_activities: int = Field(default=50, ge=1)
    graceful_shutdown_seconds: float = Field(default=20.0, ge=0)
    payload_encryption_key: SecretStr | None = None
    payload_previous_keys: Annotated[list[SecretStr], NoDecode] = []
    metrics_bind_address: str = ""

    _split = field_validator("payload_previous_keys", mode="before")(_split_list)


class SourcingMode(StrEnum):
    CONNECTOR = "connector"
    FLUENT = "fluent"


class ConnectorSettings(_Group):
    """Behaviour of the order integration and of the connector's HTTP app."""

    model_config = SettingsConfigDict(env_prefix="CONNECTOR_")

    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    commercetools_events_token: SecretStr | None = None
    webhook_max_body_bytes: int = Field(default=1_048_576, ge=1024)
    sourcing_mode: SourcingMode = SourcingMode.CONNECTOR


class Settings(BaseModel):
    """The whole tree; build it with `load_settings()`."""

    model_config = {"frozen": True}

    commercetools: CommercetoolsSettings
    fluent: FluentSettings
    temporal: TemporalSettings
    connector: ConnectorSettings


GroupT = TypeVar("GroupT", bound=_Group)


def _env_name(group: type[_Group], loc: tuple[int | str, ...]) -> str:
    prefix = str(group.model_config.get("env_prefix", ""))
    field = str(loc[0]) if loc else ""
    return f"{prefix}{field}".upper()


def load_group(group: type[GroupT], **overrides: Any) -> GroupT:
    """Build one settings group, turning validation errors into a one-line `SettingsError`."""
    try:
        return group(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = _env_name(group, tuple(error["loc"]))
            reason = "is missing" if error["type"] == "missing" else f"is invalid: {error['msg']}"
            problems.append(f"{name} {reason}")
        raise SettingsError("; ".join(problems)) from None
    except ValueError as exc:  # e.g. a list setting that is not valid JSON
        raise SettingsError(f"{group.__name__}: {exc}") from None


def load_settings() -> Settings:
    """Read every group from the environment (and `.env`)."""
    groups: dict[str, _Group] = {}
    errors: list[str] = []
    for name, group in (
        ("commercetools", CommercetoolsSettings),
        ("fluent", FluentSettings),
        ("temporal", TemporalSettings),
        ("connector", ConnectorSettings),
    ):
        try:
            groups[name] = load_group(group)
        except SettingsError as exc:
            errors.append(str(exc))
    if errors:
        raise SettingsError("; ".join(errors))
    return Settings.model_validate(groups)
