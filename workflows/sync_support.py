"""The steps every master-data sync workflow shares (deterministic code only).

A run (1) makes sure it is the only run of its kind (an older run going on ends this one as
skipped, or makes it wait when it is a full reconcile that must not be lost), (2) reads the
durable watermark and fixes its window (changes since the last run's start minus the overlap,
up to now; everything for a full run), (3) works through its phases in batch activities, each
returning a cursor and statistics, continuing as new when Temporal suggests it (carrying the
cursor, the window and the statistics), and (4) saves the watermark with what failed, so the
next run retries it. The `progress` query and the current details in the Temporal UI follow
each batch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.sync_common import (
        ClaimRequest,
        CompletedRun,
        PagesRequest,
        PagesResult,
        SyncControlActivities,
    )
    from connector.syncs import (
        PROGRESS_QUERY,
        CarriedSyncState,
        LastRun,
        RunningSync,
        StatsByEntity,
        SyncInput,
        SyncKind,
        SyncMode,
        SyncPhase,
        SyncProgress,
        SyncResult,
        add_stats,
        empty_stats,
    )

CONTROL_TIMEOUT = timedelta(minutes=1)
BY_ID_TIMEOUT = timedelta(minutes=10)
"""For the activities that sync a list of entities by id or ref."""
BATCH_TIMEOUT = timedelta(hours=1)
BATCH_HEARTBEAT = timedelta(minutes=2)
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=10,
)
"""Transient failures (5xx, 429, timeouts) retry for about a quarter of an hour; then the run
fails visibly and the next scheduled run repeats its window (the watermark did not move).
Permanent failures of single entities never fail the run: they are counted and retried next
run."""

BUSY_POLL = timedelta(seconds=30)
BUSY_PATIENCE = timedelta(hours=6)
"""How long a run that must not be lost waits for a running sync of its kind to finish."""

BatchActivity = Callable[[Any, PagesRequest], Awaitable[PagesResult]]
ByIdActivity = Callable[[Any, list[str]], Awaitable[StatsByEntity]]


class SyncRun:
    """State and steps of one sync workflow; the workflow class holds one."""

    def __init__(self, kind: SyncKind) -> None:
        self.kind = kind
        self.input = SyncInput()
        self.phase = SyncPhase.STARTING
        self.state: CarriedSyncState | None = None
        self.waiting_for: RunningSync | None = None

    # --- what operators see -------------------------------------------------------------------

    def progress(self) -> SyncProgress:
        state = self.state
        return SyncProgress(
            kind=self.kind,
            mode=self.effective_mode,
            phase=self.phase,
            done=state.done if state else 0,
            total=state.total if state else None,
            started_at=state.started_at if state else None,
            window_lower=state.window.lower if state else None,
            waiting_for=self.waiting_for.describe() if self.waiting_for else None,
            stats=state.stats if state else {},
        )

    @property
    def effective_mode(self) -> SyncMode:
        """FULL when the run reads everything (asked for, or no usable watermark yet)."""
        if self.state is not None and self.state.window.is_full:
            return SyncMode.FULL
        return self.input.mode

    def _show(self) -> None:
        state = self.state
        if state is None:
            return
        counts = ", ".join(
            f"{entity}: {s.created} created, {s.updated} updated, {s.unchanged} unchanged, "
            f"{s.failed} failed"
            for entity, s in state.stats.items()
            if s.processed
        )
        total = f"/{state.total}" if state.total is not None else ""
        workflow.set_current_details(
            f"{self.kind.value} sync ({self.effective_mode.value}), {self.phase.value}: "
            f"{state.done}{total} done" + (f"; {counts}" if counts else "")
        )

    # --- the run ------------------------------------------------------------------------------

    async def begin(self, input: SyncInput, first_phase: SyncPhase) -> SyncResult | None:
        """Claim the run and fix its window; a `SyncResult` when the run is skipped."""
        self.input = input
        if input.carried is not None:
            self.state = input.carried
            self.phase = self.state.phase
            self._show()
            return None
        info = workflow.info()
        claim = ClaimRequest(
            kind=self.kind,
            workflow_id=info.workflow_id,
            run_id=info.run_id,
            started_at=info.start_time,
        )
        waited = timedelta()
        while (running := await self._find_running(claim)) is not None:
            if not input.wait_if_busy or waited >= BUSY_PATIENCE:
                return self._skipped(running)
            self.phase, self.waiting_for = SyncPhase.WAITING, running
            workflow.set_current_details(f"waiting for {running.describe()} to finish")
            await workflow.sleep(BUSY_POLL)
            waited += BUSY_POLL
        self.waiting_for = None
        watermark = await workflow.execute_activity_method(
            SyncControlActivities.load_watermark,
            self.kind,
            start_to_close_timeout=CONTROL_TIMEOUT,
            retry_policy=RETRY,
            summary=f"read the {self.kind.value} watermark",
        )
        now = workflow.now()
        self.state = CarriedSyncState(
            started_at=now,
            window=watermark.window_for(input.mode, now),
            phase=first_phase,
            stats=empty_stats(self.kind),
        )
        self.phase = first_phase
        self._show()
        return None

    async def _find_running(self, claim: ClaimRequest) -> RunningSync | None:
        return await workflow.execute_activity_method(
            SyncControlActivities.find_running_sync,
            claim,
            start_to_close_timeout=CONTROL_TIMEOUT,
            retry_policy=RETRY,
            summary=f"is another {self.kind.value} sync running?",
        )

    def _skipped(self, running: RunningSync) -> SyncResult:
        self.phase = SyncPhase.SKIPPED
        reason = f"a {self.kind.value} sync is already running: {running.describe()}"
        workflow.set_current_details(f"skipped: {reason}")
        now = workflow.now()
        return SyncResult(
            kind=self.kind,
            mode=self.input.mode,
            status="skipped",
            skipped_because=reason,
            started_at=workflow.info().start_time,
            finished_at=now,
        )

    @property
    def carried(self) -> CarriedSyncState:
        if self.state is None:
            raise RuntimeError("the run has not begun")
        return self.state

    def enter(self, phase: SyncPhase) -> None:
        self.carried.phase = phase
        self.carried.cursor = None
        self.phase = phase
        self._show()

    def record(self, stats: StatsByEntity) -> None:
        add_stats(self.carried.stats, stats)
        self.carried.done += sum(entity.processed for entity in stats.values())
        self._show()

    async def retry_failures(
        self, entity: str, by_id: ByIdActivity, what: str, *, then: SyncPhase
    ) -> None:
        """In the retries phase, sync again what failed last run (`what` names the kind of
        entity for operators), then enter `then`."""
        if self.carried.phase is not SyncPhase.RETRIES:
            return
        ids = self.carried.window.retry_ids(entity)
        if ids:
            self.record(
                await workflow.execute_activity_method(
                    by_id,
                    ids,
                    start_to_close_timeout=BY_ID_TIMEOUT,
                    retry_policy=RETRY,
                    summary=f"retry {len(ids)} {what} that failed last run",
                )
            )
        self.enter(then)

    async def batches(self, phase: SyncPhase, batch: BatchActivity, then: SyncPhase) -> None:
        """Run `batch` from the carried cursor until it reports the phase finished; continue
        as new between batches when Temporal suggests it."""
        state = self.carried
        while state.phase is phase:
            result = await workflow.execute_activity_method(
                batch,
                PagesRequest(window=state.window, cursor=state.cursor),
                start_to_close_timeout=BATCH_TIMEOUT,
                heartbeat_timeout=BATCH_HEARTBEAT,
                retry_policy=RETRY,
                summary=f"{phase.value} after {state.cursor}" if state.cursor else phase.value,
            )
            state.cursor = result.cursor
            self.record(result.stats)
            if result.finished:
                self.enter(then)
            await self.continue_as_new_if_suggested()

    async def continue_as_new_if_suggested(self) -> None:
        info = workflow.info()
        limit = self.input.history_limit
        over_limit = limit is not None and info.get_current_history_length() >= limit
        if not (over_limit or info.is_continue_as_new_suggested()):
            return
        await workflow.wait_condition(workflow.all_handlers_finished)
        carried = self.carried.model_copy(update={"continuations": self.carried.continuations + 1})
        workflow.continue_as_new(self.input.model_copy(update={"carried": carried}))

    async def finish(self) -> SyncResult:
        """Save the watermark (with what failed) and report."""
        state = self.carried
        self.enter(SyncPhase.SAVING)
        info = workflow.info()
        total_failed = sum(entity.failed for entity in state.stats.values())
        await workflow.execute_activity_method(
            SyncControlActivities.save_watermark,
            CompletedRun(
                kind=self.kind,
                window=state.window,
                stats=state.stats,
                last_run=LastRun(
                    workflow_id=info.workflow_id,
                    run_id=info.run_id,
                    mode=self.effective_mode,
                    finished_at=workflow.now(),
                    processed=state.done,
                    failed=total_failed,
                ),
            ),
            start_to_close_timeout=CONTROL_TIMEOUT,
            retry_policy=RETRY,
            summary=f"save the {self.kind.value} watermark",
        )
        self.phase = SyncPhase.DONE
        self._show()
        return SyncResult(
            kind=self.kind,
            mode=self.effective_mode,
            status="completed",
            started_at=state.started_at,
            finished_at=workflow.now(),
            window_lower=state.window.lower,
            window_upper=state.window.upper,
            continuations=state.continuations,
            stats=state.stats,
        )


class SyncWorkflow:
    """Base of the scheduled sync workflows: the run of `kind` they hold and its progress
    query. Each subclass defines its `@workflow.run` from the steps of `SyncRun`."""

    kind: ClassVar[SyncKind]

    def __init__(self) -> None:
        self._run = SyncRun(self.kind)

    @workflow.query(name=PROGRESS_QUERY)
    def progress(self) -> SyncProgress:
        return self._run.progress()


def change_completed(kind: SyncKind, started_at: datetime, stats: StatsByEntity) -> SyncResult:
    """The result of a real-time sync of single entities (no window, no watermark)."""
    return SyncResult(
        kind=kind,
        mode=SyncMode.DELTA,
        status="completed",
        started_at=started_at,
        finished_at=workflow.now(),
        stats=stats,
    )
