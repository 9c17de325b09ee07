"""The master-data syncs' vocabulary: what the sync workflows, their activities, the schedules,
the webhook handlers and the operator CLI exchange. Plain pydantic models, importable without
Temporal.

Three syncs (`SyncKind`) keep master data in step: the catalog (commercetools -> Fluent),
locations (Fluent -> commercetools channels) and inventory (Fluent aggregate stock ->
commercetools). Each run reports `SyncStats` per entity type, answers a `progress` query with a
`SyncProgress`, ends with a `SyncResult`, and leaves a `SyncWatermark` in a commercetools custom
object, so the next run (scheduled or manual, also after a redeploy) continues where it ended
and retries what failed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

PROGRESS_QUERY = "progress"
RESYNC_SIGNAL = "resync"

WATERMARK_CONTAINER = "commercetools-fluent-connector"
"""The commercetools custom-object container that holds the connector's sync state."""

MAX_FAILURE_DETAILS = 200
"""Failures kept with their reasons per entity type and run. Beyond this the count stays exact
and the next run is a full one, so no failure is forgotten. 200 commercetools ids also fit one
`id in (...)` predicate under the API's length limit."""


class SyncMode(StrEnum):
    """DELTA reads what changed since the watermark (with an overlap); FULL reads everything."""

    DELTA = "delta"
    FULL = "full"


class SyncKind(StrEnum):
    CATALOG = "catalog"
    LOCATIONS = "locations"
    INVENTORY = "inventory"

    @property
    def workflow_type(self) -> str:
        return _WORKFLOW_TYPES[self]

    @property
    def manual_workflow_id(self) -> str:
        """Runs started by hand share one id per kind, so two manual starts cannot overlap."""
        return f"sync-{self.value}"

    def schedule_id(self, mode: SyncMode = SyncMode.DELTA) -> str:
        suffix = "" if mode is SyncMode.DELTA else f"-{mode.value}"
        return f"sync-{self.value}{suffix}-schedule"

    @property
    def watermark_key(self) -> str:
        return f"sync-{self.value}"


CATALOG_SYNC_WORKFLOW = "CatalogSyncWorkflow"
LOCATION_SYNC_WORKFLOW = "LocationSyncWorkflow"
INVENTORY_SYNC_WORKFLOW = "InventorySyncWorkflow"
CATALOG_CHANGE_WORKFLOW = "CatalogChangeWorkflow"
LOCATION_CHANGE_WORKFLOW = "LocationChangeWorkflow"
RECONCILE_ORDERS_WORKFLOW = "ReconcileOrdersWorkflow"
RECONCILE_SCHEDULE_ID = "reconcile-orders-schedule"

_WORKFLOW_TYPES = {
    SyncKind.CATALOG: CATALOG_SYNC_WORKFLOW,
    SyncKind.LOCATIONS: LOCATION_SYNC_WORKFLOW,
    SyncKind.INVENTORY: INVENTORY_SYNC_WORKFLOW,
}

ENTITY_CATEGORY = "category"
ENTITY_PRODUCT = "product"
ENTITY_LOCATION = "location"
ENTITY_SKU = "sku"

ENTITIES: dict[SyncKind, tuple[str, ...]] = {
    SyncKind.CATALOG: (ENTITY_CATEGORY, ENTITY_PRODUCT),
    SyncKind.LOCATIONS: (ENTITY_LOCATION,),
    SyncKind.INVENTORY: (ENTITY_SKU,),
}
"""The entity types each sync reports statistics for, in processing order. Ids are
commercetools ids for categories and products, Fluent location refs, and SKUs."""


class SyncPhase(StrEnum):
    STARTING = "starting"
    WAITING = "waiting for a running sync"
    CATEGORIES = "categories"
    PRODUCTS = "products"
    RETRIES = "retrying last run's failures"
    LOCATIONS = "locations"
    INVENTORY = "inventory"
    SAVING = "saving the watermark"
    DONE = "done"
    SKIPPED = "skipped"


class UnmappableError(ValueError):
    """An entity that cannot be expressed on the other platform (no SKU, no name in the
    configured locale, ...). The sync records it as that entity's failure, with this message,
    and goes on."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SyncFailure(_Frozen):
    """One entity that could not be synced, and why (the platform's message)."""

    entity: str
    id: str
    reason: str


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


class EntityResult(_Frozen):
    """What syncing one entity did: its outcome and how many write requests it took."""

    outcome: Outcome
    writes: int = 0
    failure: SyncFailure | None = None

    @classmethod
    def failed(cls, entity: str, entity_id: str, reason: str, *, writes: int = 0) -> EntityResult:
        return cls(
            outcome=Outcome.FAILED,
            writes=writes,
            failure=SyncFailure(entity=entity, id=entity_id, reason=reason),
        )

    @classmethod
    def of_writes(cls, *, created: bool, writes: int) -> EntityResult:
        """Created when the entity itself was created; updated when anything else was written."""
        if created:
            return cls(outcome=Outcome.CREATED, writes=writes)
        return cls(outcome=Outcome.UPDATED if writes else Outcome.UNCHANGED, writes=writes)


class SyncStats(BaseModel):
    """Counts for one entity type. `failures` keeps the first `MAX_FAILURE_DETAILS` failures
    with their reasons; `failed` is always exact."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    writes: int = 0
    failures: list[SyncFailure] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def processed(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    @property
    def failures_truncated(self) -> bool:
        return self.failed > len(self.failures)

    def record(self, result: EntityResult) -> None:
        match result.outcome:
            case Outcome.CREATED:
                self.created += 1
            case Outcome.UPDATED:
                self.updated += 1
            case Outcome.UNCHANGED:
                self.unchanged += 1
            case Outcome.FAILED:
                self.failed += 1
                if result.failure is not None and len(self.failures) < MAX_FAILURE_DETAILS:
                    self.failures.append(result.failure)
        self.writes += result.writes

    def add(self, other: SyncStats) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.writes += other.writes
        room = MAX_FAILURE_DETAILS - len(self.failures)
        self.failures.extend(other.failures[: max(room, 0)])


StatsByEntity = dict[str, SyncStats]


def empty_stats(kind: SyncKind) -> StatsByEntity:
    return {entity: SyncStats() for entity in ENTITIES[kind]}


def add_stats(total: StatsByEntity, more: StatsByEntity) -> None:
    """Add `more` into `total`, entity type by entity type."""
    for entity, stats in more.items():
        total.setdefault(entity, SyncStats()).add(stats)


class RetryEntity(_Frozen):
    """An entity that failed in an earlier run and is retried by the next one even if it did
    not change again."""

    entity: str
    id: str


class SyncWindow(_Frozen):
    """What a run reads: changes from `lower` (None: everything) up to `upper`, the moment
    the run began; plus the failures of the last run, by entity type."""

    lower: datetime | None
    upper: datetime
    retry: tuple[RetryEntity, ...] = ()

    @property
    def is_full(self) -> bool:
        return self.lower is None

    def retry_ids(self, entity: str) -> list[str]:
        return [item.id for item in self.retry if item.entity == entity]


class LastRun(_Frozen):
    """Which run wrote the watermark, for operators reading the custom object."""

    workflow_id: str
    run_id: str
    mode: SyncMode
    finished_at: datetime
    processed: int
    failed: int


class SyncWatermark(BaseModel):
    """The durable state of one sync kind, shared by scheduled and manual runs.

    `next_lower` is the lower bound of the next delta window (the last run's start minus the
    overlap); None until a run has completed, so the first run reads everything. `retry` lists
    what failed last time; `full_required` is set when more failed than can be listed."""

    kind: SyncKind
    next_lower: datetime | None = None
    retry: list[RetryEntity] = Field(default_factory=list)
    full_required: bool = False
    last_run: LastRun | None = None

    def window_for(self, mode: SyncMode, started_at: datetime) -> SyncWindow:
        """The window of a run that starts now: full when asked, when no run has completed yet,
        or when the last run's failures could not all be listed."""
        if mode is SyncMode.FULL or self.next_lower is None or self.full_required:
            return SyncWindow(lower=None, upper=started_at)
        return SyncWindow(lower=self.next_lower, upper=started_at, retry=tuple(self.retry))

    @classmethod
    def completed(
        cls,
        kind: SyncKind,
        window: SyncWindow,
        stats: StatsByEntity,
        *,
        overlap: timedelta,
        last_run: LastRun,
    ) -> SyncWatermark:
        """The watermark once a run over `window` finished with `stats`: the next window starts
        `overlap` before this one's end (timestamps come from distributed systems), and what
        failed is retried."""
        failures = [failure for entity in stats.values() for failure in entity.failures]
        return cls(
            kind=kind,
            next_lower=window.upper - overlap,
            retry=list(dict.fromkeys(RetryEntity(entity=f.entity, id=f.id) for f in failures)),
            full_required=any(entity.failures_truncated for entity in stats.values()),
            last_run=last_run,
        )


class SyncInput(BaseModel):
    """How to run one sync. `carried` is set only by continue-as-new."""

    mode: SyncMode = SyncMode.DELTA
    trigger: Literal["schedule", "operator"] = "schedule"
    """Who started the run (shown with the input in the Temporal UI)."""
    wait_if_busy: bool = False
    """A run that finds another run of its kind going waits for it (a daily full reconcile must
    not be lost to a five-minute delta) instead of ending as skipped."""
    history_limit: int | None = Field(default=None, ge=10)
    """Continue as new once the history has this many events, besides whenever Temporal
    suggests it (tests use a low limit; production relies on Temporal's suggestion)."""
    carried: CarriedSyncState | None = None


class CarriedSyncState(BaseModel):
    """Everything a run carries into its continuation."""

    started_at: datetime
    window: SyncWindow
    phase: SyncPhase
    cursor: str | None = None
    done: int = 0
    total: int | None = None
    stats: StatsByEntity
    continuations: int = 0


SyncInput.model_rebuild()


class SyncProgress(BaseModel):
    """The answer of the `progress` query."""

    kind: SyncKind
    mode: SyncMode
    phase: SyncPhase
    done: int = 0
    total: int | None = None
    started_at: datetime | None = None
    window_lower: datetime | None = None
    waiting_for: str | None = None
    stats: StatsByEntity = Field(default_factory=dict)


class SyncResult(BaseModel):
    """The result of a sync run, also printed by `starter.py sync --json`."""

    kind: SyncKind
    mode: SyncMode
    status: Literal["completed", "skipped"]
    skipped_because: str | None = None
    started_at: datetime
    finished_at: datetime
    window_lower: datetime | None = None
    window_upper: datetime | None = None
    continuations: int = 0
    stats: StatsByEntity = Field(default_factory=dict)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def duration_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def total(self) -> SyncStats:
        combined = SyncStats()
        for stats in self.stats.values():
            combined.add(stats)
        return combined


class RunningSync(_Frozen):
    """A sync run found going (through Temporal's visibility)."""

    workflow_id: str
    run_id: str
    started_at: datetime | None

    def describe(self) -> str:
        since = f" since {self.started_at:%Y-%m-%d %H:%M:%S} UTC" if self.started_at else ""
        return f"{self.workflow_id} (run {self.run_id}){since}"


# --- real-time changes --------------------------------------------------------------------------


class CatalogResource(StrEnum):
    PRODUCT = "product"
    CATEGORY = "category"


class CatalogChangeInput(_Frozen):
    """One commercetools product or category to bring into Fluent now, as announced by a
    message. The sync reads the entity's current state rather than trusting the message type
    (messages arrive unordered): a product that is no longer published, or a deleted category,
    is deactivated in Fluent. `key` (the resource key from the message) and `message_id` name
    the entity when it can no longer be read."""

    resource: CatalogResource
    id: str
    version: int | None = None
    key: str | None = None
    message_type: str
    message_id: str


class LocationChangeInput(_Frozen):
    """One Fluent location to bring into commercetools now."""

    ref: str


def catalog_change_workflow_id(change: CatalogChangeInput) -> str:
    """Redeliveries of one change (same resource version, else same message) map to one
    workflow."""
    revision = change.version if change.version is not None else f"m{change.message_id}"
    return f"catalog-{change.resource.value}-{change.id}-{revision}"


def location_change_workflow_id(ref: str) -> str:
    """One workflow per location; news arriving while it runs is signalled into it."""
    return f"location-{ref}"
