"""The commercetools messages poller: order intake for projects without a subscription.

One singleton workflow (`commercetools-messages-poller`) on the order task queue loops: read the
order messages created since `watermark - overlap` (except the ids it already dispatched inside
that window), start or cancel their order workflows, advance the watermark to the newest
`createdAt` seen, sleep `poll_interval`. commercetools timestamps come from distributed nodes
and messages can become visible a little late, hence the overlap; the remembered ids make the
overlap free of duplicates (and a duplicate would be harmless anyway: starts are idempotent).

The watermark only moves after the messages were dispatched: a poll or dispatch that fails is
recorded in the status and retried at the next interval, so a message is never skipped. The
state (watermark, recent ids, totals) is carried through continue-as-new, which happens when
Temporal suggests it or after `iterations_per_run` polls. The `stop` signal ends the loop.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.intake import (
        DispatchRequest,
        IntakeCounts,
        PollRequest,
        PollResult,
    )

MESSAGES_POLLER_WORKFLOW = "MessagesPollerWorkflow"
MESSAGES_POLLER_ID = "commercetools-messages-poller"
STOP_SIGNAL = "stop"
POLLER_STATUS_QUERY = "status"
DEFAULT_ITERATIONS_PER_RUN = 500

POLL_TIMEOUT = timedelta(minutes=2)
DISPATCH_TIMEOUT = timedelta(minutes=5)
ACTIVITY_RETRY = RetryPolicy(maximum_attempts=5, maximum_interval=timedelta(seconds=30))


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PollerInput(_Frozen):
    """How to poll, and the state a continued run carries. A first start gives only the
    intervals (and optionally the starting `watermark`; default: now - overlap)."""

    poll_interval: timedelta = timedelta(seconds=15)
    overlap: timedelta = timedelta(minutes=2)
    watermark: datetime | None = None
    recent: dict[str, datetime] = Field(default_factory=dict)
    """Dispatched message ids inside the overlap window, with their createdAt."""
    totals: IntakeCounts = IntakeCounts()
    polls: int = 0
    failures: int = 0
    last_poll_at: datetime | None = None
    last_error: str | None = None
    iterations_per_run: int = Field(default=DEFAULT_ITERATIONS_PER_RUN, ge=1)


class PollerStatus(_Frozen):
    """The `status` query's answer, and the result once stopped."""

    watermark: datetime
    poll_interval: timedelta
    overlap: timedelta
    polls: int
    failures: int
    last_poll_at: datetime | None
    last_error: str | None
    dispatched: IntakeCounts
    recent_ids: int
    stopping: bool


@workflow.defn(name=MESSAGES_POLLER_WORKFLOW)
class MessagesPollerWorkflow:
    @workflow.init
    def __init__(self, input: PollerInput) -> None:
        self._input = input
        self._watermark = input.watermark or workflow.now() - input.overlap
        self._recent = dict(input.recent)
        self._totals = input.totals
        self._polls = input.polls
        self._failures = input.failures
        self._last_poll_at = input.last_poll_at
        self._last_error = input.last_error
        self._stop = False

    @workflow.signal(name=STOP_SIGNAL)
    def stop(self) -> None:
        self._stop = True

    @workflow.query(name=POLLER_STATUS_QUERY)
    def status(self) -> PollerStatus:
        return PollerStatus(
            watermark=self._watermark,
            poll_interval=self._input.poll_interval,
            overlap=self._input.overlap,
            polls=self._polls,
            failures=self._failures,
            last_poll_at=self._last_poll_at,
            last_error=self._last_error,
            dispatched=self._totals,
            recent_ids=len(self._recent),
            stopping=self._stop,
        )

    @workflow.run
    async def run(self, input: PollerInput) -> PollerStatus:
        for _ in range(input.iterations_per_run):
            complete = await self._poll_once()
            if self._stop or workflow.info().is_continue_as_new_suggested():
                break
            if complete:
                await self._sleep(input.poll_interval)
            if self._stop:
                break
        if self._stop:
            return self.status()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return workflow.continue_as_new(self._carried())

    async def _sleep(self, interval: timedelta) -> None:
        """Sleep `interval`, waking early on `stop`."""
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(lambda: self._stop, timeout=interval)

    async def _poll_once(self) -> bool:
        """One poll and dispatch; True when everything new was read."""
        self._polls += 1
        self._last_poll_at = workflow.now()
        request = PollRequest(
            since=self._watermark - self._input.overlap, exclude_ids=tuple(self._recent)
        )
        try:
            polled: PollResult = await workflow.execute_activity(
                "poll_order_messages",
                request,
                result_type=PollResult,
                start_to_close_timeout=POLL_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
                summary=f"messages since {request.since.isoformat()}",
            )
            if polled.events:
                counts: IntakeCounts = await workflow.execute_activity(
                    "dispatch_order_messages",
                    DispatchRequest(events=polled.events),
                    result_type=IntakeCounts,
                    start_to_close_timeout=DISPATCH_TIMEOUT,
                    retry_policy=ACTIVITY_RETRY,
                    summary=f"{len(polled.events)} order messages",
                )
                self._totals = self._totals.plus(counts)
        except ActivityError as error:
            self._failures += 1
            cause = error.cause or error
            self._last_error = f"{type(cause).__name__}: {cause}"
            workflow.logger.warning("messages poll failed, retrying next interval: %s", cause)
            return True
        self._last_error = None
        self._advance(polled)
        workflow.set_current_details(
            f"watermark {self._watermark.isoformat()}; {self._totals.total} messages dispatched"
        )
        return polled.complete

    def _advance(self, polled: PollResult) -> None:
        """Move the watermark to the newest dispatched message; forget ids that fell out of
        the overlap window."""
        for event in polled.events:
            created = event.created_at or self._watermark
            self._recent[event.message_id] = created
            self._watermark = max(self._watermark, created)
        horizon = self._watermark - self._input.overlap
        self._recent = {key: at for key, at in self._recent.items() if at >= horizon}

    def _carried(self) -> PollerInput:
        return self._input.model_copy(
            update={
                "watermark": self._watermark,
                "recent": self._recent,
                "totals": self._totals,
                "polls": self._polls,
                "failures": self._failures,
                "last_poll_at": self._last_poll_at,
                "last_error": self._last_error,
            }
        )
