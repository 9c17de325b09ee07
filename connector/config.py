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

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
    field_validator,
)
from pydantic.fields import FieldInfo
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
    model_config = SettingsConfigDict(
        env_file=ENV_FILE, extra="ignore", frozen=True, use_attribute_docstrings=True
    )


class CommercetoolsSettings(_Group):
    """The commercetools project and the API client the connector uses."""

    model_config = SettingsConfigDict(env_prefix="CT_")

    project_key: str = Field(min_length=1)
    """Key of the commercetools project."""
    client_id: str = Field(min_length=1)
    """API client id (commercetools Merchant Center > Settings > Developer settings)."""
    client_secret: SecretStr
    """API client secret."""
    region: str = "europe-west1.gcp"
    """Region of the project's hosts, e.g. `europe-west1.gcp`, `us-central1.gcp`,
    `eu-central-1.aws`; builds the API and auth URLs unless they are given."""
    api_url: AnyHttpUrl | None = None
    """API base URL; overrides the region (the demo points it at the sandbox)."""
    auth_url: AnyHttpUrl | None = None
    """Auth base URL (the token endpoint is `<auth_url>/oauth/token`); overrides the region."""
    scopes: str = ""
    """Space-separated OAuth scopes to ask for, e.g. `manage_orders:<project>`; empty asks for the
    API client's own scopes."""
    timeout_seconds: float = Field(default=30.0, gt=0)
    """Timeout of one HTTP request to commercetools."""
    max_connections: int = Field(default=20, ge=1)
    """Connections kept in the pool to commercetools."""
    conflict_retries: int = Field(default=5, ge=1)
    """Attempts of an update that meets `409 ConcurrentModification`: re-read, recompute, retry."""

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
    """Base URL of the Fluent account, e.g. `https://ACCOUNT.sandbox.api.fluentretail.com`."""
    account_id: str = Field(min_length=1)
    """Fluent account id."""
    retailer_id: str = Field(min_length=1)
    """Fluent retailer id the connector works for."""
    client_id: str = Field(min_length=1)
    """Fluent OAuth client id."""
    client_secret: SecretStr
    """Fluent OAuth client secret."""
    username: str = Field(min_length=1)
    """Fluent API user (password grant)."""
    password: SecretStr
    """Password of the Fluent API user."""
    product_catalogue_ref: str = ""
    """Product catalogue of the catalog sync and the order items; empty means Fluent's default
    `PC:MASTER:<retailer id>`."""
    inventory_catalogue_ref: str = ""
    """Inventory catalogue read for sourcing and per-location stock; empty means `DEFAULT:<retailer
    id>`."""
    virtual_catalogue_ref: str = "ATS:1"
    """Aggregate virtual catalogue the inventory sync reads (available to sell per product)."""
    network_ref: str = ""
    """Fluent network whose locations source orders and become commercetools channels."""
    webhook_public_keys: StrList = []
    """Public keys that sign Fluent webhooks (base64 DER or PEM), comma-separated or a JSON list;
    several at once for rotation. Without a key every webhook is refused."""
    accept_legacy_md5_signature: bool = False
    """Also accept the legacy `flex.signature` (MD5withRSA) header when `fluent-signature` is
    absent."""
    timeout_seconds: float = Field(default=30.0, gt=0)
    """Timeout of one HTTP request to Fluent."""
    max_connections: int = Field(default=20, ge=1)
    """Connections kept in the pool to Fluent."""

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
    """Task queue of the order lifecycles, the messages poller and reconciliation."""
    sync_task_queue: str = "ct-fluent-sync"
    """Task queue of the catalog, location and inventory syncs."""
    max_concurrent_activities: int = Field(default=50, ge=1)
    """Activities one worker runs at once, per task queue."""
    graceful_shutdown_seconds: float = Field(default=20.0, ge=0)
    """On SIGINT/SIGTERM, how long running activities may take to finish."""
    payload_encryption_key: SecretStr | None = None
    """When set, workflow payloads (orders, addresses, e-mails) are encrypted with AES-256-GCM
    under a key derived from it."""
    payload_previous_keys: Annotated[list[SecretStr], NoDecode] = []
    """Earlier payload keys, comma-separated, still accepted for reading after a rotation."""
    metrics_bind_address: str = ""
    """`host:port` where the worker serves Prometheus metrics; empty disables them."""

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
    """Interface the webhook app listens on."""
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    """Port the webhook app listens on."""
    commercetools_events_token: SecretStr | None = None
    """Bearer token `POST /commercetools/events` requires; when unset the endpoint is unprotected
    (a warning is logged)."""
    webhook_max_body_bytes: int = Field(default=1_048_576, ge=1024)
    """Largest request body the webhook app accepts (413 beyond)."""


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

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    sourcing_mode: SourcingMode = SourcingMode.CONNECTOR
    """`connector`: the workflow plans fulfilments (closest location, split, CC transfers);
    `fluent`: Fluent's own workflow sources and the connector follows."""
    pickup_location_field: str = "pickupLocationRef"
    """Order custom field holding a click & collect order's pickup location ref."""
    cc_shipping_methods: StrList = ["click-collect"]
    """Shipping method keys that make an order click & collect."""
    delivery_types: StrMap = {"express": "EXPRESS", "overnight": "OVERNIGHT"}
    """Shipping method key to Fluent delivery type (`STANDARD`, `EXPRESS`, `OVERNIGHT`), as
    `key=TYPE,...` or JSON."""
    default_delivery_type: str = "STANDARD"
    """Fluent delivery type of shipping methods not in the mapping."""
    order_ref_pattern: str = "{order_number}"
    """Fluent order ref from `{order_number}` (falls back to the id) and `{order_id}`."""
    customer_username_pattern: str = "{retailer_id}:{email}"
    """Fluent customer username from `{retailer_id}`, `{email}` (lower-cased) and `{customer_id}`;
    guest and registered buyers with one e-mail share a customer."""
    customer_timezone: str = "UTC"
    """Time zone of Fluent customers the connector creates."""
    order_status_mapping: StrMap = DEFAULT_ORDER_STATUS_MAPPING
    """Fluent order status to commercetools order state (many to one), as `STATUS=State,...` or
    JSON; a status mapped to Complete or Cancelled ends the lifecycle."""
    hd_delivery_statuses: StrList = ["SHIPPED"]
    """Fulfilment statuses at which a home delivery fulfilment becomes a commercetools delivery
    (and is invoiced)."""
    cc_delivery_statuses: StrList = ["READY_FOR_COLLECTION"]
    """Fulfilment statuses at which a click & collect fulfilment becomes a commercetools delivery
    (and is invoiced)."""
    delivered_statuses: StrList = ["COMPLETE", "DELIVERED", "COLLECTED"]
    """Fulfilment statuses meaning delivered or collected (shipment state Delivered)."""
    rejected_statuses: StrList = ["REJECTED", "PARTIALLY_FULFILLED", "SYSTEM_REJECTED"]
    """Fulfilment statuses whose unfilled quantities are sourced again."""
    max_resourcing_attempts: int = Field(default=2, ge=0)
    """Re-sourcing attempts for rejected quantities before they become a rejected fulfilment and
    the order is flagged."""
    cancel_event_name: str = "CancelOrder"
    """Fluent event sent to cancel an order."""
    stall_after: timedelta = timedelta(days=7)
    """No change from Fluent for this long flags the order as stalled (ISO 8601 duration or
    seconds)."""
    refresh_after: timedelta = timedelta(hours=1)
    """With no webhook for this long, the workflow reads the order from Fluent anyway (a lost
    webhook costs at most this delay)."""
    order_export_channel_key: str = ""
    """Channel (role OrderExport) for the orders' sync info; empty: no sync info."""
    order_type_key: str = "fluent-connector-order"
    """Custom type the connector puts on orders that have none (`setup` defines it)."""
    line_item_type_key: str = "fluent-connector-line-item"
    """Custom type of line items (fulfilment metadata)."""
    delivery_type_key: str = "fluent-connector-delivery"
    """Custom type of deliveries (fulfilment ref and status, invoice ref)."""
    parcel_type_key: str = "fluent-connector-parcel"
    """Custom type of parcels (tracking URL)."""

    _split = field_validator(
        "cc_shipping_methods",
        "hd_delivery_statuses",
        "cc_delivery_statuses",
        "delivered_statuses",
        "rejected_statuses",
        mode="before",
    )(_split_list)
    _map = field_validator("delivery_types", "order_status_mapping", mode="before")(_parse_mapping)

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
    """How often the messages poller reads `/messages` (projects without a subscription)."""
    messages_overlap: timedelta = timedelta(minutes=2)
    """How far each poll reaches back before the watermark (messages are deduplicated by id)."""
    reconcile_window: timedelta = timedelta(days=1)
    """How far back reconciliation looks for orders that never reached Fluent."""
    reconcile_min_age: timedelta = timedelta(minutes=5)
    """Reconciliation leaves orders younger than this to the live intake."""

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
    """Locale of names taken from commercetools (products, categories) and written to channels."""
    currency: str = "EUR"
    """Currency of the prices the catalog sync copies to Fluent."""
    country: str = ""
    """Country of the prices the catalog sync copies (empty: prices without a country)."""
    staged: bool = False
    """Sync staged product projections instead of published ones."""
    gtin_attribute: str = "gtin"
    """Variant attribute holding the GTIN (falls back to the SKU)."""
    product_attributes: StrList = []
    """Variant attributes copied to Fluent variant products, comma-separated."""
    fluent_product_type: str = "DEFAULT"
    """Type of the Fluent products the catalog sync creates."""
    fluent_category_type: str = "DEFAULT"
    """Type of the Fluent categories the catalog sync creates."""
    write_concurrency: int = Field(default=8, ge=1, le=64)
    """Concurrent writes of a sync activity."""
    window_overlap: timedelta = timedelta(minutes=2)
    """Overlap of consecutive delta windows (timestamps come from distributed systems)."""
    inventory_channel_key: str = "fluent-aggregate-stock"
    """commercetools channel (role InventorySupply) holding the aggregate stock; `setup` creates
    it."""
    inventory_source: InventorySource = InventorySource.AGGREGATE
    """`aggregate`: Fluent's virtual catalogue; `locations`: the sum of per-location positions."""
    catalog_interval: timedelta = timedelta(minutes=15)
    """Schedule of the catalog sync."""
    locations_interval: timedelta = timedelta(hours=1)
    """Schedule of the location sync."""
    inventory_interval: timedelta = timedelta(minutes=5)
    """Schedule of the inventory delta sync."""
    inventory_full_interval: timedelta = timedelta(days=1)
    """Schedule of the full inventory reconcile."""
    reconcile_interval: timedelta = timedelta(hours=1)
    """Schedule of order reconciliation."""
    channel_type_key: str = Field(
        default="fluent-connector-channel",
        min_length=2,
    )
    """Custom type of location channels (store details); `setup` defines it."""
    fluent_price_type: str = Field(
        default="DEFAULT",
        min_length=1,
    )
    """Type of the Fluent variant price the catalog sync owns."""
    pages_per_activity: int = Field(
        default=4,
        ge=1,
        le=100,
    )
    """Pages (of 500 products or Fluent positions, 100 locations) one sync activity works through
    before reporting progress to its workflow."""

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


GROUPS: tuple[tuple[str, type[_Group]], ...] = (
    ("commercetools", CommercetoolsSettings),
    ("fluent", FluentSettings),
    ("temporal", TemporalSettings),
    ("connector", ConnectorSettings),
    ("orders", OrderSettings),
    ("sync", SyncSettings),
)

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
    for name, group in GROUPS:
        try:
            groups[name] = load_group(group)
        except SettingsError as exc:
            errors.append(str(exc))
    if errors:
        raise SettingsError("; ".join(errors))
    return Settings.model_validate(groups)


def _shown_default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, dict):
        value = ",".join(f"{k}={v}" for k, v in value.items())
    elif isinstance(value, list):
        value = ",".join(str(v) for v in value)
    elif isinstance(value, timedelta):
        value = TypeAdapter(timedelta).dump_python(value, mode="json")
    elif isinstance(value, StrEnum):
        value = value.value
    return f"`{value}`"


def settings_reference() -> str:
    """The settings table of the README (generated; a test keeps the README in step)."""
    rows = ["| Variable | Default | What it does |", "|---|---|---|"]
    for _, group in GROUPS:
        prefix = str(group.model_config.get("env_prefix", ""))
        for name, field in group.model_fields.items():
            secret = " (secret)" if "SecretStr" in str(field.annotation) else ""
            text = " ".join((field.description or "").split())
            rows.append(f"| `{prefix}{name.upper()}`{secret} | {_shown_default(field)} | {text} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(settings_reference(), end="")
