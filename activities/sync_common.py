"""What every master-data sync activity shares: the run guard, the durable watermark, the
batch contract (a cursor in, a cursor and statistics out, resumable from heartbeats), bounded
concurrent writes, and the isolation of one failing entity.

Batch activities work through `SYNC_PAGES_PER_ACTIVITY` pages from a cursor and heartbeat a
`Checkpoint` (the cursor of the last finished page and the statistics so far) after every page
and while writing. A retried attempt resumes from the last checkpoint, so no page is counted
twice and finished pages are not read again. Writes are diff-based, so redoing a half-written
page changes nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from datetime import datetime
from functools import partial
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from temporalio import activity

from activities.dependencies import Dependencies
from connector.commercetools.drafts import CustomObjectDraft
from connector.errors import PermanentError
from connector.fluent.client import Page
from connector.sync_control import running_syncs
from connector.syncs import (
    WATERMARK_CONTAINER,
    EntityResult,
    LastRun,
    RunningSync,
    StatsByEntity,
    SyncKind,
    SyncStats,
    SyncWatermark,
    SyncWindow,
    UnmappableError,
)

ResultT = TypeVar("ResultT")
ItemT = TypeVar("ItemT")
EntityJob = Callable[[], Awaitable[EntityResult]]


class ClaimRequest(BaseModel):
    kind: SyncKind
    workflow_id: str
    run_id: str
    started_at: datetime


class PagesRequest(BaseModel):
    """Work through the next pages of the window (`SYNC_PAGES_PER_ACTIVITY` of them) after
    `cursor`."""

    window: SyncWindow
    cursor: str | None = None


class CompletedRun(BaseModel):
    kind: SyncKind
    window: SyncWindow
    stats: StatsByEntity
    last_run: LastRun


class PagesResult(BaseModel):
    stats: StatsByEntity
    cursor: str | None
    finished: bool
    pages: int
    processed: int


class Checkpoint(BaseModel):
    """Heartbeat details: where a retried attempt resumes, with what it had counted."""

    cursor: str | None
    pages: int
    stats: StatsByEntity

    def beat(self) -> None:
        """Heartbeat the checkpoint as it is now: the SDK encodes details later, when the
        statistics may have moved on, so a snapshot is sent."""
        activity.heartbeat(self.model_dump(mode="json"))

    def after_page(self, cursor: str | None) -> Checkpoint:
        """The checkpoint once the page ending at `cursor` is done, heartbeated."""
        done = Checkpoint(cursor=cursor, pages=self.pages + 1, stats=self.stats)
        done.beat()
        return done

    def result(self, entity: str, *, finished: bool) -> PagesResult:
        """The batch's answer from here; `entity` is in the statistics even when the batch
        had nothing to do."""
        tally(entity, [], self.stats)
        return PagesResult(
            stats=self.stats,
            cursor=self.cursor,
            finished=finished,
            pages=self.pages,
            processed=sum(counted.processed for counted in self.stats.values()),
        )


def resume_from(request: PagesRequest) -> Checkpoint:
    """The last heartbeat's checkpoint after a retry; else the start the request asks for."""
    details = activity.info().heartbeat_details
    if details:
        try:
            return Checkpoint.model_validate(details[0])
        except ValidationError:
            activity.logger.warning("unreadable heartbeat details; starting the batch over")
    return Checkpoint(cursor=request.cursor, pages=0, stats={})


async def through_pages(
    request: PagesRequest,
    entity: str,
    pages_after: Callable[[str | None], AsyncIterator[Page[ItemT]]],
    sync_page: Callable[[list[ItemT], Checkpoint], Awaitable[list[EntityResult]]],
    *,
    max_pages: int,
) -> PagesResult:
    """The batch contract over a Fluent connection: from the last checkpoint (or the
    request's cursor), sync page after page of `entity`, heartbeating the cursor of each
    finished page, until the connection ends or `max_pages` pages are done. `sync_page` gets
    the checkpoint before its page, to heartbeat while it writes."""
    checkpoint = resume_from(request)
    async for page in pages_after(checkpoint.cursor):
        tally(entity, await sync_page(page.items, checkpoint), checkpoint.stats)
        checkpoint = checkpoint.after_page(page.cursor)
        if page.has_next and checkpoint.pages >= max_pages:
            return checkpoint.result(entity, finished=False)
    return checkpoint.result(entity, finished=True)


async def first_page(pages: AsyncIterator[list[ItemT]]) -> list[ItemT]:
    """The first page of a paged read (empty when there is none); the read stops there."""
    async with aclosing(pages) as reading:  # type: ignore[type-var]
        async for page in reading:
            return page
    return []


def known_first(
    known: ItemT, read_again: Callable[[], Awaitable[ItemT]]
) -> Callable[[], Awaitable[ItemT]]:
    """A fetch for `update_with_retry` that starts from the state already read in bulk and
    reads again only after a version conflict."""
    pending = [known]

    async def fetch() -> ItemT:
        return pending.pop() if pending else await read_again()

    return fetch


class EntityWrites:
    """Counts one entity's write requests and bounds how many run at once across a batch."""

    def __init__(self, limiter: asyncio.Semaphore) -> None:
        self.limiter = limiter
        self.count = 0

    async def send(self, call: Callable[[], Awaitable[ResultT]]) -> ResultT:
        async with self.limiter:
            result = await call()
        self.count += 1
        return result


async def isolated(
    entity: str,
    entity_id: str,
    limiter: asyncio.Semaphore,
    work: Callable[[EntityWrites], Awaitable[EntityResult]],
) -> EntityResult:
    """Run one entity's sync; a permanent failure (the platform refused, or the entity cannot
    be mapped) becomes that entity's failure with the reason, and the batch goes on. Transient
    failures propagate: the activity is retried and resumes from its checkpoint."""
    writes = EntityWrites(limiter)
    try:
        return await work(writes)
    except (PermanentError, UnmappableError) as error:
        return EntityResult.failed(entity, entity_id, str(error), writes=writes.count)


def isolated_job(
    entity: str,
    entity_id: str,
    limiter: asyncio.Semaphore,
    work: Callable[[EntityWrites], Awaitable[EntityResult]],
) -> EntityJob:
    """`isolated` as a job for `run_isolated`."""
    return partial(isolated, entity, entity_id, limiter, work)


async def run_isolated(
    jobs: list[EntityJob], heartbeat: Checkpoint | None = None
) -> list[EntityResult]:
    """Run every job concurrently (their writes are bounded by the shared limiter),
    heartbeating `heartbeat` as each one finishes; the first unexpected error cancels the
    others and propagates as itself."""
    results: list[EntityResult | None] = [None] * len(jobs)

    async def run(index: int, job: EntityJob) -> None:
        results[index] = await job()
        if heartbeat is not None:
            heartbeat.beat()

    try:
        async with asyncio.TaskGroup() as group:
            for index, job in enumerate(jobs):
                group.create_task(run(index, job))
    except BaseExceptionGroup as failure:
        raise failure.exceptions[0] from None
    return [result for result in results if result is not None]


def tally(entity: str, results: list[EntityResult], into: StatsByEntity) -> None:
    """Count `results` into the statistics of `entity` (created empty if none yet)."""
    stats = into.setdefault(entity, SyncStats())
    for result in results:
        stats.record(result)


class SyncControlActivities:
    """The run guard and the watermark, shared by the three syncs."""

    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps

    @activity.defn(name="find_running_sync")
    async def find_running_sync(self, request: ClaimRequest) -> RunningSync | None:
        """An older run of the same kind that is still going (scheduled or manual), found
        through Temporal's visibility; None when this run is the one to go ahead. Of two runs
        that see each other, the older goes ahead, so exactly one does."""
        claim = (request.started_at, request.run_id)
        for running in await running_syncs(self._deps.temporal, request.kind):
            if running.run_id == request.run_id:
                continue  # visibility may round this run's own start time below the claim's
            if running.started_at is not None and (running.started_at, running.run_id) < claim:
                return running
        return None

    @activity.defn(name="load_sync_watermark")
    async def load_watermark(self, kind: SyncKind) -> SyncWatermark:
        stored = await self._deps.commercetools.get_custom_object(
            WATERMARK_CONTAINER, kind.watermark_key
        )
        if stored is None:
            return SyncWatermark(kind=kind)
        try:
            return SyncWatermark.model_validate(stored.value)
        except ValidationError as exc:
            raise PermanentError(
                f"the sync watermark {WATERMARK_CONTAINER}/{kind.watermark_key} is unreadable "
                f"({exc.error_count()} problems); delete it to start with a full run",
                platform="connector",
            ) from None

    @activity.defn(name="save_sync_watermark")
    async def save_watermark(self, run: CompletedRun) -> SyncWatermark:
        """One run of a kind goes at a time (see `find_running_sync`), so the run that
        finishes writes the watermark without a version check."""
        watermark = SyncWatermark.completed(
            run.kind,
            run.window,
            run.stats,
            overlap=self._deps.settings.sync.window_overlap,
            last_run=run.last_run,
        )
        draft = CustomObjectDraft(
            container=WATERMARK_CONTAINER,
            key=watermark.kind.watermark_key,
            value=watermark.model_dump(mode="json"),
        )
        await self._deps.commercetools.create_or_update_custom_object(draft)
        return watermark
