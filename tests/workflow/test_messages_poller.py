"""The messages poller on the time-skipping server, with its two activities replaced by a fake
message store that behaves like `poll_order_messages` (createdAt >= since, excluded ids left
out, (createdAt, id) order) and a dispatcher that records what it was given."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.intake import (
    MESSAGES_PAGE_SIZE,
    DispatchRequest,
    IntakeCounts,
    PollRequest,
    PollResult,
)
from connector.events import CommercetoolsEvent, Envelope
from connector.intake import order_workflow_status
from connector.orders import CANCEL_SIGNAL, order_workflow_id
from tests.intake_support import intake_activities, intake_settings
from workflows.messages_poller import (
    POLLER_STATUS_QUERY,
    STOP_SIGNAL,
    MessagesPollerWorkflow,
    PollerInput,
    PollerStatus,
)

T0 = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
OVERLAP = timedelta(minutes=2)
INTERVAL = timedelta(seconds=15)


def event(
    message_id: str, seconds: float, message_type: str = "OrderCreated"
) -> CommercetoolsEvent:
    return CommercetoolsEvent(
        message_id=message_id,
        type=message_type,
        resource_type_id="order",
        resource_id=f"order-of-{message_id}",
        created_at=T0 + timedelta(seconds=seconds),
        order_state="Cancelled" if message_type == "OrderStateChanged" else None,
        envelope=Envelope.MESSAGES_API,
    )


class FakeIntake:
    """`arrivals[n]`: messages that become visible before poll n (1-based). After `stop_after`
    polls the fake signals `stop` to the poller."""

    def __init__(
        self,
        client: Client,
        workflow_id: str,
        *,
        arrivals: dict[int, list[CommercetoolsEvent]] | None = None,
        stop_after: int | None = None,
        query_at: int | None = None,
        failing_polls: frozenset[int] = frozenset(),
        failing_dispatches: frozenset[int] = frozenset(),
    ) -> None:
        self.client = client
        self.workflow_id = workflow_id
        self.arrivals = arrivals or {}
        self.stop_after = stop_after
        self.query_at = query_at
        self.queried: PollerStatus | None = None
        self.failing_polls = failing_polls
        self.failing_dispatches = failing_dispatches
        self.visible: list[CommercetoolsEvent] = []
        self.requests: list[PollRequest] = []
        self.dispatched: list[str] = []
        self.dispatch_calls = 0
        self.polled = asyncio.Event()

    @activity.defn(name="poll_order_messages")
    async def poll(self, request: PollRequest) -> PollResult:
        self.requests.append(request)
        number = len(self.requests)
        self.visible += self.arrivals.get(number, [])
        self.polled.set()
        handle = self.client.get_workflow_handle(self.workflow_id)
        if self.query_at == number:
            self.queried = await handle.query(POLLER_STATUS_QUERY, result_type=PollerStatus)
        if self.stop_after == number:
            await handle.signal(STOP_SIGNAL)
        if number in self.failing_polls:
            raise ApplicationError("commercetools said 403", non_retryable=True)
        excluded = set(request.exclude_ids)
        found = [
            e
            for e in self.visible
            if e.created_at is not None
            and e.created_at >= request.since
            and e.message_id not in excluded
        ]
        found.sort(key=lambda e: (e.created_at, e.message_id))
        return PollResult(events=tuple(found))

    @activity.defn(name="dispatch_order_messages")
    async def dispatch(self, request: DispatchRequest) -> IntakeCounts:
        self.dispatch_calls += 1
        if self.dispatch_calls in self.failing_dispatches:
            raise ApplicationError("Temporal refused", non_retryable=True)
        self.dispatched += [e.message_id for e in request.events]
        started = sum(e.type == "OrderCreated" for e in request.events)
        return IntakeCounts(started=started, cancel_signalled=len(request.events) - started)


@pytest.fixture
def task_queue() -> str:
    return f"poller-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def workflow_id() -> str:
    return f"poller-test-{uuid.uuid4().hex[:8]}"


async def start_poller(
    env: WorkflowEnvironment, workflow_id: str, task_queue: str, poller_input: PollerInput
) -> WorkflowHandle[MessagesPollerWorkflow, PollerStatus]:
    return await env.client.start_workflow(
        MessagesPollerWorkflow.run, poller_input, id=workflow_id, task_queue=task_queue
    )


def worker(env: WorkflowEnvironment, task_queue: str, fake: FakeIntake) -> Worker:
    return Worker(
        env.client,
        task_queue=task_queue,
        workflows=[MessagesPollerWorkflow],
        activities=[fake.poll, fake.dispatch],
    )


async def test_watermark_advances_overlap_is_deduplicated_and_state_survives_continue_as_new(
    time_skipping_env: WorkflowEnvironment, task_queue: str, workflow_id: str
) -> None:
    env = time_skipping_env
    fake = FakeIntake(
        env.client,
        workflow_id,
        arrivals={
            1: [event("m1", 10), event("m2", 20), event("m3", 20, "OrderStateChanged")],
            3: [event("m4", 5)],  # visible late, but inside the overlap window
            5: [event("m5", 300)],  # moves the watermark past the window of m1..m4
        },
        stop_after=7,
        query_at=4,
    )
    poller_input = PollerInput(
        poll_interval=INTERVAL, overlap=OVERLAP, watermark=T0, iterations_per_run=2
    )
    async with worker(env, task_queue, fake):
        handle = await start_poller(env, workflow_id, task_queue, poller_input)
        status = await handle.result()

    assert fake.dispatched == ["m1", "m2", "m3", "m4", "m5"]
    assert status.watermark == T0 + timedelta(seconds=300)
    assert status.polls == 7
    assert status.dispatched == IntakeCounts(started=4, cancel_signalled=1)
    assert status.failures == 0
    assert status.recent_ids == 1
    sinces = [request.since for request in fake.requests]
    assert (
        sinces
        == [T0 - OVERLAP]
        + [T0 + timedelta(seconds=20) - OVERLAP] * 4
        + [T0 + timedelta(seconds=300) - OVERLAP] * 2
    )
    assert set(fake.requests[1].exclude_ids) == {"m1", "m2", "m3"}
    assert set(fake.requests[3].exclude_ids) == {"m1", "m2", "m3", "m4"}
    assert fake.requests[5].exclude_ids == ("m5",)

    first_run = env.client.get_workflow_handle(workflow_id, run_id=handle.first_execution_run_id)
    history = await first_run.fetch_history()
    assert history.events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    # the status query, answered by the second run: totals and watermark carried over
    assert fake.queried is not None
    assert fake.queried.polls == 4
    assert fake.queried.watermark == T0 + timedelta(seconds=20)
    assert fake.queried.dispatched == IntakeCounts(started=3, cancel_signalled=1)
    assert not fake.queried.stopping


async def test_first_start_reads_from_now_minus_the_overlap(
    time_skipping_env: WorkflowEnvironment, task_queue: str, workflow_id: str
) -> None:
    env = time_skipping_env
    fake = FakeIntake(env.client, workflow_id, stop_after=1)
    async with worker(env, task_queue, fake):
        handle = await start_poller(
            env, workflow_id, task_queue, PollerInput(poll_interval=INTERVAL, overlap=OVERLAP)
        )
        status = await handle.result()
        started_at = (await handle.describe()).start_time
    (request,) = fake.requests
    assert status.watermark == request.since + OVERLAP
    assert abs(status.watermark - (started_at - OVERLAP)) < timedelta(seconds=5)
    assert fake.dispatch_calls == 0


async def test_failures_are_recorded_and_nothing_is_skipped(
    time_skipping_env: WorkflowEnvironment, task_queue: str, workflow_id: str
) -> None:
    env = time_skipping_env
    fake = FakeIntake(
        env.client,
        workflow_id,
        arrivals={1: [event("m1", 10)]},
        failing_polls=frozenset({1}),
        failing_dispatches=frozenset({1}),
        stop_after=4,
    )
    poller_input = PollerInput(poll_interval=INTERVAL, overlap=OVERLAP, watermark=T0)
    async with worker(env, task_queue, fake):
        handle = await start_poller(env, workflow_id, task_queue, poller_input)
        status = await handle.result()
    # poll 1 fails, poll 2 reads m1 but its dispatch fails, poll 3 reads it again and dispatches
    assert fake.dispatched == ["m1"]
    assert [r.since for r in fake.requests[:3]] == [T0 - OVERLAP] * 3
    assert fake.requests[2].exclude_ids == ()
    assert fake.requests[3].exclude_ids == ("m1",)
    assert status.failures == 2
    assert status.last_error is None
    assert status.watermark == T0 + timedelta(seconds=10)


async def test_a_failure_shows_in_the_status(
    time_skipping_env: WorkflowEnvironment, task_queue: str, workflow_id: str
) -> None:
    env = time_skipping_env
    fake = FakeIntake(env.client, workflow_id, failing_polls=frozenset({1}), stop_after=1)
    poller_input = PollerInput(poll_interval=INTERVAL, overlap=OVERLAP, watermark=T0)
    async with worker(env, task_queue, fake):
        status = await (await start_poller(env, workflow_id, task_queue, poller_input)).result()
    assert status.failures == 1
    assert status.last_error is not None
    assert "commercetools said 403" in status.last_error
    assert status.watermark == T0


async def test_stop_during_the_sleep_ends_without_another_poll(
    time_skipping_env: WorkflowEnvironment, task_queue: str, workflow_id: str
) -> None:
    env = time_skipping_env
    fake = FakeIntake(env.client, workflow_id)
    poller_input = PollerInput(poll_interval=timedelta(hours=1), overlap=OVERLAP, watermark=T0)
    async with worker(env, task_queue, fake):
        handle = await start_poller(env, workflow_id, task_queue, poller_input)
        await asyncio.wait_for(fake.polled.wait(), timeout=30)
        await handle.signal(STOP_SIGNAL)
        status = await handle.result()
    assert len(fake.requests) == 1
    assert status.polls == 1
    assert status.stopping


# --- the activities, against the commercetools sandbox and the dev server -----------------------


async def test_poll_pages_through_messages_with_equal_timestamps_in_id_order(
    dev_env: WorkflowEnvironment,
) -> None:
    settings = intake_settings(task_queue=f"poll-{uuid.uuid4().hex[:8]}")
    async with intake_activities(dev_env.client, settings) as (intake, shop):
        shop.set_clock(T0 - timedelta(minutes=10))
        old = await shop.import_order("OLD-1")
        shop.set_clock(T0)  # every message below shares one createdAt: pages continue by id
        orders = [await shop.import_order(f"N-{i}") for i in range(MESSAGES_PAGE_SIZE + 20)]
        cancelled = await shop.change_state(orders[0], "Cancelled")
        await shop.change_state(orders[1], "Confirmed")
        await shop.http.post(
            f"orders/{orders[2]['id']}",
            json={
                "version": orders[2]["version"],
                "actions": [{"action": "changeShipmentState", "shipmentState": "Ready"}],
            },
        )
        environment = ActivityEnvironment()
        result = await environment.run(intake.poll_order_messages, PollRequest(since=T0))
        assert result.complete
        types = Counter(e.type for e in result.events)
        assert types == {"OrderImported": MESSAGES_PAGE_SIZE + 20, "OrderStateChanged": 2}
        ids = [e.message_id for e in result.events]
        assert ids == sorted(ids)
        assert old["id"] not in {e.resource_id for e in result.events}
        cancel = next(e for e in result.events if e.order_state == "Cancelled")
        assert (cancel.resource_id, cancel.order_number) == (cancelled["id"], "N-0")

        skip = ids[:10]
        again = await environment.run(
            intake.poll_order_messages, PollRequest(since=T0, exclude_ids=tuple(skip))
        )
        assert [e.message_id for e in again.events] == ids[10:]

        capped = await environment.run(
            intake.poll_order_messages, PollRequest(since=T0, max_messages=5)
        )
        assert not capped.complete
        assert [e.message_id for e in capped.events] == ids[:MESSAGES_PAGE_SIZE]


async def test_dispatch_starts_and_cancels_order_workflows(dev_env: WorkflowEnvironment) -> None:
    task_queue = f"dispatch-{uuid.uuid4().hex[:8]}"
    settings = intake_settings(task_queue=task_queue)
    first, second, third = (str(uuid.uuid4()) for _ in range(3))

    def message(
        message_id: str, order_id: str, message_type: str, state: str | None = None
    ) -> CommercetoolsEvent:
        return CommercetoolsEvent(
            message_id=message_id,
            type=message_type,
            resource_type_id="order",
            resource_id=order_id,
            order_number=f"N-{message_id}",
            order_state=state,
            envelope=Envelope.MESSAGES_API,
        )

    events = (
        message("1", first, "OrderCreated"),
        message("2", first, "OrderCreated"),  # a duplicate start
        message("3", first, "OrderStateChanged", "Cancelled"),
        message("4", second, "OrderStateChanged", "Cancelled"),  # cancel before creation
        message("5", third, "OrderStateChanged", "Confirmed"),
    )
    async with intake_activities(dev_env.client, settings) as (intake, _):
        counts = await ActivityEnvironment().run(
            intake.dispatch_order_messages, DispatchRequest(events=events)
        )
    assert counts == IntakeCounts(
        started=1, already_started=1, cancel_signalled=1, cancel_started=1, ignored=1
    )
    for order_id, signals in ((first, 1), (second, 1)):
        handle = dev_env.client.get_workflow_handle(order_workflow_id(order_id))
        description = await handle.describe()
        assert description.task_queue == task_queue
        history = await handle.fetch_history()
        signalled = [
            e
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
        ]
        assert [e.workflow_execution_signaled_event_attributes.signal_name for e in signalled] == [
            CANCEL_SIGNAL
        ] * signals
        await handle.terminate("test done")
    assert await order_workflow_status(dev_env.client, third) is None
