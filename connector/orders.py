"""The order lifecycle's vocabulary: what the order workflow, its activities, the intake paths and
the operator CLI exchange. Plain frozen pydantic models, importable without Temporal.

The workflow keeps an `OrderStatus` (also the answer of its `status` query) and, after each piece
of news from Fluent, computes a `DesiredOrder`: what the commercetools order should look like
(custom fields, states, deliveries, line-item metadata). One activity then converges the
commercetools order on it with the 409 re-fetch helper, so every write is idempotent.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from connector.commercetools.drafts import AddressDraft, DeliveryItem, ParcelDraft
from connector.config import OrderPolicy

ORDER_WORKFLOW = "OrderWorkflow"
FLUENT_NEWS_SIGNAL = "fluent_news"
CANCEL_SIGNAL = "cancel"
STATUS_QUERY = "status"

# commercetools custom fields the connector writes (and `starter.py setup` defines).
FIELD_FLUENT_ORDER_REF = "fluentOrderRef"
FIELD_FLUENT_ORDER_ID = "fluentOrderId"
FIELD_FLUENT_STATUS = "fluentOrderStatus"
FIELD_CONNECTOR_ISSUE = "connectorIssue"
FIELD_FULFILMENT_METADATA = "fulfilmentMetadata"
FIELD_FULFILMENT_REF = "fluentFulfilmentRef"
FIELD_FULFILMENT_STATUS = "fluentFulfilmentStatus"
FIELD_INVOICE_REF = "fluentInvoiceRef"
FIELD_TRACKING_URL = "fluentTrackingUrl"


def order_workflow_id(ct_order_id: str) -> str:
    return f"order-{ct_order_id}"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OrderTrigger(StrEnum):
    """Which intake path started the workflow (shown in the UI; no behaviour depends on it)."""

    SUBSCRIPTION = "subscription"
    POLLER = "poller"
    RECONCILE = "reconcile"
    OPERATOR = "operator"


class OrderType(StrEnum):
    HD = "HD"
    CC = "CC"


class Stage(StrEnum):
    """Where the lifecycle stands, from the connector's point of view."""

    RECEIVED = "RECEIVED"  # workflow started, order not yet in Fluent
    EXPORTED = "EXPORTED"  # in Fluent, waiting for fulfilments
    IN_FULFILMENT = "IN_FULFILMENT"
    COMPLETE = "COMPLETE"
    CANCELLED = "CANCELLED"
    INVALID = "INVALID"
    FAILED = "FAILED"


class IssueKind(StrEnum):
    """Why an operator should look at an order (search attribute `OrderIssue`)."""

    INVALID_ORDER = "INVALID_ORDER"
    UNFILLABLE = "UNFILLABLE"
    STALLED = "STALLED"
    CANCEL_REFUSED = "CANCEL_REFUSED"
    FAILED = "FAILED"


class Issue(_Frozen):
    kind: IssueKind
    reason: str
    at: datetime


class FluentNews(_Frozen):
    """A Fluent webhook reduced to what identifies the change; the workflow fetches details.
    Webhook ids are random per post, so duplicates are recognised by entity and status."""

    event_name: str
    entity_type: str
    entity_ref: str | None = None
    entity_id: str | None = None
    status: str | None = None

    @property
    def identity(self) -> str:
        return f"{self.entity_type}:{self.entity_ref or self.entity_id}:{self.status}"


class CancelRequest(_Frozen):
    reason: str
    source: str = "commercetools"


class FluentContext(_Frozen):
    """The non-secret Fluent coordinates a workflow needs to build its inputs."""

    retailer_id: str
    product_catalogue_ref: str
    inventory_catalogue_ref: str
    network_ref: str


class FulfilmentLine(_Frozen):
    line_item_id: str
    sku: str
    requested: int
    filled: int = 0
    rejected: int = 0


class FulfilmentRecord(_Frozen):
    """One Fluent fulfilment as the workflow knows it."""

    ref: str
    id: str | None = None
    kind: str  # HD, CC_PICKUP, CC_TRANSFER or REJECTED
    location_ref: str | None = None
    location_name: str | None = None
    status: str | None = None
    lines: tuple[FulfilmentLine, ...] = ()
    invoice_ref: str | None = None
    resourced: bool = False  # its rejected quantities were handed to a new sourcing attempt


class TimelineEntry(_Frozen):
    at: datetime
    text: str


class OrderStatus(_Frozen):
    """The whole state of one lifecycle: the `status` query's answer and what continue-as-new
    carries. No secrets; personal data only as far as the payload codec protects it."""

    ct_order_id: str
    ct_order_number: str | None = None
    order_type: OrderType | None = None
    stage: Stage = Stage.RECEIVED
    fluent_order_ref: str | None = None
    fluent_order_id: str | None = None
    fluent_status: str | None = None
    ct_order_state: str | None = None
    ct_shipment_state: str | None = None
    pickup_location_ref: str | None = None
    fulfilments: tuple[FulfilmentRecord, ...] = ()
    delivery_keys: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    resourcing_attempts: int = 0
    cancel_requested: CancelRequest | None = None

    @property
    def invoice_refs(self) -> tuple[str, ...]:
        return tuple(f.invoice_ref for f in self.fulfilments if f.invoice_ref)

    @property
    def open_issue(self) -> Issue | None:
        return self.issues[-1] if self.issues else None


class OrderWorkflowInput(_Frozen):
    order_id: str
    trigger: OrderTrigger = OrderTrigger.OPERATOR
    carried: CarriedState | None = None


class CarriedState(_Frozen):
    """What a continued-as-new run needs besides the status."""

    status: OrderStatus
    policy: OrderPolicy
    fluent: FluentContext
    seen_news: tuple[str, ...] = ()
    excluded_by_line: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    last_news_at: datetime | None = None


OrderWorkflowInput.model_rebuild()


# --- the commercetools side: desired state -----------------------------------------------------


class DesiredDelivery(_Frozen):
    """A delivery that must exist on the commercetools order, keyed by the fulfilment ref.
    `address` None means the order's shipping address. Parcels are keyed by article ref;
    `fields` are the delivery's custom fields (fulfilment ref and status, invoice ref)."""

    key: str
    items: tuple[DeliveryItem, ...]
    parcels: tuple[ParcelDraft, ...] = ()
    address: AddressDraft | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class DesiredOrder(_Frozen):
    """What the commercetools order should look like. Only what is set here is written; the
    builder compares with the order's current state and emits only the missing changes."""

    order_id: str
    order_fields: dict[str, Any] = Field(default_factory=dict)
    order_state: str | None = None
    shipment_state: str | None = None
    deliveries: tuple[DesiredDelivery, ...] = ()
    line_item_fields: dict[str, dict[str, Any]] = Field(default_factory=dict)
    sync_channel_key: str | None = None
    sync_external_id: str | None = None


class OrderSyncResult(_Frozen):
    """What one convergence wrote (empty when nothing differed)."""

    version: int
    actions: tuple[str, ...] = ()
    order_state: str | None = None
    shipment_state: str | None = None
    delivery_keys: tuple[str, ...] = ()
