"""All settings of the connector, in one place.

Each group reads environment variables with its own prefix (and an optional `.env` file in the
working directory). Secrets are `SecretStr`: they print as `**********` and never reach logs or
workflow payloads. `load_settings()` turns any validation problem into one `SettingsError` line
that names the variable, so a misconfigured worker fails at start-up and says why.
"""

from __future__ import annotations

import json
from datetime import timedelta
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
    """Who plans the fulfilments of an order: the connector (`connector/sourcing.py`) or
    Fluent's own workflow."""

    CONNECTOR = "connector"
    FLUENT = "fluent"


class ConnectorSettings(_Group):
    """The connector's HTTP app (commercetools events and Fluent webhooks)."""

    model_config = SettingsConfigDict(env_prefix="CONNECTOR_")

    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    commercetools_events_token: SecretStr | None = None
    webhook_max_body_bytes: int = Field(default=1_048_576, ge=1024)


CT_ORDER_STATES = ("Open", "Confirmed", "Complete", "Cancelled")

DEFAULT_ORDER_STATUS_MAPPING = {
    "CREATED": "Open",
    "RECEIVED": "Open",
    "PENDING_PAYMENT": "Open",
    "ESCALATED": "Open",
    "BOOKED": "Confirmed",
    "PICK_PACK": "Confirmed",
    "PICK_PACK_CC": "Confirmed",
    "AWAITING_COURIER_COLLECTION": "Confirmed",
    "AWAITING_CUSTOMER_COLLECTION": "Confirmed",
    "COMPLETE": "Complete",
    "CANCELLED": "Cancelled",
}


class OrderPolicy(BaseModel):
    """The non-secret rules of the order lifecycle. A workflow receives a copy at its start, so
    its history records the rules it ran with and a replay never depends on today's env."""

    model_config = {"frozen": True}

    sourcing_mode: SourcingMode = SourcingMode.CONNECTOR
    pickup_location_field: str = "pickupLocationRef"
    cc_shipping_methods: StrList = ["click-collect"]
    delivery_types: StrMap = {"express": "EXPRESS", "overnight": "OVERNIGHT"}
    default_delivery_type: str = "STANDARD"
    order_ref_pattern: str = "{order_number}"
    customer_username_pattern: str = "{retailer_id}:{email}"
    customer_timezone: str = "UTC"
    order_status_mapping: StrMap = DEFAULT_ORDER_STATUS_MAPPING
    hd_delivery_statuses: StrList = ["SHIPPED"]
    cc_delivery_statuses: StrList = ["READY_FOR_COLLECTION"]
    delivered_statuses: StrList = ["COMPLETE", "DELIVERED", "COLLECTED"]
    rejected_statuses: StrList = ["REJECTED", "PARTIALLY_FULFILLED", "SYSTEM_REJECTED"]
    max_resourcing_attempts: int = Field(default=2, ge=0)
    cancel_event_name: str = "CancelOrder"
    stall_after: timedelta = timedelta(days=7)
    refresh_after: timedelta = timedelta(hours=1)
    order_export_channel_key: str = ""
    order_type_key: str = "fluent-connector-order"
    line_item_type_key: str = "fluent-connector-line-item"
    delivery_type_key: str = "fluent-connector-delivery"
    parcel_type_key: str = "fluent-connector-parcel"

    _split = field_validator(
        "cc_shipping_methods",
        "hd_delivery_statuses",
        "cc_delivery_statuses",
        "delivered_statuses",
        "rejected_statuses",
        mode="before",
    )(_split_list)
    _map = field_validator("delivery_types", "order_status_mapping", mode="before")(
        _parse_mapping
    )

    @field_validator("order_status_mapping")
    @classmethod
    def _known_order_states(cls, mapping: dict[str, str]) -> dict[str, str]:
        unknown = sorted({v for v in mapping.values() if v not in CT_ORDER_STATES})
        if unknown:
            raise ValueError(f"unknown commercetools order states {unknown}; use {CT_ORDER_STATES}")
        return mapping


class OrderSettings(_Group, OrderPolicy):
    """The order lifecycle, read from `ORDERS_*`; see `OrderPolicy` for what each rule does."""

    model_config = SettingsConfigDict(env_prefix="ORDERS_")

    messages_poll_interval: timedelta = timedelta(seconds=15)
    messages_overlap: timedelta = timedelta(minutes=2)
    reconcile_window: timedelta = timedelta(days=1)
    reconcile_min_age: timedelta = timedelta(minutes=5)

    def policy(self) -> OrderPolicy:
        return OrderPolicy.model_validate(self.model_dump(include=set(OrderPolicy.model_fields)))


class InventorySource(StrEnum):
    """Where aggregate stock comes from: Fluent's aggregate virtual catalogue, or the sum of
    per-location inventory positions."""

    AGGREGATE = "aggregate"
    LOCATIONS = "locations"


class SyncSettings(_Group):
    """Master data syncs: catalog to Fluent, locations and inventory to commercetools."""

    model_config = SettingsConfigDict(env_prefix="SYNC_")

    locale: str = "en"
    currency: str = "EUR"
    country: str = ""
    staged: bool = False
    gtin_attribute: str = "gtin"
    product_attributes: StrList = []
    fluent_product_type: str = "DEFAULT"
    fluent_category_type: str = "DEFAULT"
    write_concurrency: int = Field(default=8, ge=1, le=64)
    window_overlap: timedelta = timedelta(minutes=2)
    inventory_channel_key: str = "fluent-aggregate-stock"
    inventory_source: InventorySource = InventorySource.AGGREGATE
    catalog_interval: timedelta = timedelta(minutes=15)
    locations_interval: timedelta = timedelta(hours=1)
    inventory_interval: timedelta = timedelta(minutes=5)
    inventory_full_interval: timedelta = timedelta(days=1)
    reconcile_interval: timedelta = timedelta(hours=1)
    channel_type_key: str = Field(
        default="fluent-connector-channel",
        min_length=2,
        description="Custom type of location channels (store details); `setup` defines it. "
        "Default fluent-connector-channel.",
    )
    fluent_price_type: str = Field(
        default="DEFAULT",
        min_length=1,
        description="Type of the Fluent variant price the catalog sync owns. Default DEFAULT.",
    )
    pages_per_activity: int = Field(
        default=4,
        ge=1,
        le=100,
        description="Pages (of 500 products or Fluent positions, 100 locations) one sync "
        "activity works through before reporting progress to its workflow. Default 4.",
    )

    _split = field_validator("product_attributes", mode="before")(_split_list)


class Settings(BaseModel):
    """The whole tree; build it with `load_settings()`."""

    model_config = {"frozen": True}

    commercetools: CommercetoolsSettings
    fluent: FluentSettings
    temporal: TemporalSettings
    connector: ConnectorSettings
    orders: OrderSettings
    sync: SyncSettings


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
        ("orders", OrderSettings),
        ("sync", SyncSettings),
    ):
        try:
            groups[name] = load_group(group)
        except SettingsError as exc:
            errors.append(str(exc))
    if errors:
        raise SettingsError("; ".join(errors))
    return Settings.model_validate(groups)
