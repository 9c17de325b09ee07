"""Reconciliation: the workflow with its activity mocked (time-skipping server), and the
`reconcile_orders` activity against the commercetools sandbox and the Temporal dev server."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.intake import (
    ReconciledOrder,
    ReconcileProgress,
    ReconcileRequest,
    ReconcileResult,
)
from connector.config import OrderSettings
from connector.intake import order_workflow_status, start_order
from connector.orders import OrderTrigger, order_workflow_id
from tests.intake_support import intake_activities, intake_settings
from workflows.reconcile import (
    RECONCILE_WORKFLOW,
    ReconcileInput,
    ReconcileOrdersWorkflow,
    reconcile_workflow_id,
)

NOW = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


# --- the workflow -------------------------------------------------------------------------------


async def test_the_workflow_runs_the_activity_and_returns_its_result(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    env = time_skipping_env
    task_queue = f"reconcile-{uuid.uuid4().hex[:8]}"
    requests: list[ReconcileRequest] = []
    answer = ReconcileResult(
        since=NOW - timedelta(days=1),
        until=NOW,
        examined=3,
        missing=1,
        started=(ReconciledOrder(order_id="o-1", order_number="1", created_at=NOW),),
        started_count=1,
        already_running=2,
    )

    @activity.defn(name="reconcile_orders")
    async def reconcile_orders(request: ReconcileRequest) -> ReconcileResult:
        requests.append(request)
        return answer

    since = NOW - timedelta(hours=6)
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[ReconcileOrdersWorkflow],
        activities=[reconcile_orders],
    ):
        explicit = await env.client.execute_workflow(
            RECONCILE_WORKFLOW,
            ReconcileInput(since=since),
            id=f"reconcile-{uuid.uuid4()}",
            task_queue=task_queue,
            result_type=ReconcileResult,
        )
        handle = await env.client.start_workflow(
            ReconcileOrdersWorkflow.run,
            ReconcileInput(),  # what the hourly schedule sends
            id=f"reconcile-{uuid.uuid4()}",
            task_queue=task_queue,
        )
        defaults = await handle.result()
        started_at = (await handle.describe()).start_time
    assert explicit == defaults == answer
    assert (requests[0].since, requests[0].window) == (since, None)
    assert (requests[1].since, requests[1].window) == (None, None)
    assert abs(requests[1].now - started_at) < timedelta(seconds=5)


def test_manual_runs_have_a_timestamped_id() -> None:
    assert reconcile_workflow_id(NOW) == "reconcile-orders-20260131T120000Z"


# --- the activity -------------------------------------------------------------------------------


async def test_reconcile_starts_only_unexported_orders_without_a_workflow(
    dev_env: WorkflowEnvironment,
) -> None:
    client = dev_env.client
    task_queue = f"reconcile-{uuid.uuid4().hex[:8]}"
    orders = OrderSettings(
        reconcile_window=timedelta(hours=2), reconcile_min_age=timedelta(minutes=5)
    )
    settings = intake_settings(task_queue=task_queue, orders=orders)
    async with intake_activities(client, settings) as (intake, shop):
        created: dict[str, dict[str, Any]] = {}

        async def order_at(name: str, age: timedelta, **custom: Any) -> None:
            shop.set_clock(NOW - age)
            created[name] = await shop.import_order(f"{name}-{uuid.uuid4().hex[:6]}", **custom)

        await order_at("too-old", timedelta(hours=3))
        await order_at("too-young", timedelta(minutes=1))
        await order_at("exported", timedelta(hours=1), fluent_ref="HD-1")
        await order_at("missing", timedelta(hours=1))
        await order_at("custom-no-ref", timedelta(minutes=30), other_field=True)
        await order_at("running", timedelta(minutes=20))
        await order_at("ended", timedelta(minutes=10))

        for name in ("running", "ended"):
            assert await start_order(
                client,
                created[name]["id"],
                trigger=OrderTrigger.SUBSCRIPTION,
                order_number=None,
                task_queue=task_queue,
            )
        await client.get_workflow_handle(order_workflow_id(created["ended"]["id"])).terminate(
            "invalid order"
        )

        heartbeats: list[Any] = []
        environment = ActivityEnvironment()
        environment.on_heartbeat = lambda *details: heartbeats.append(details[0])
        result = await environment.run(intake.reconcile_orders, ReconcileRequest(now=NOW))
        # a second run finds the same orders, now with running workflows: it starts nothing
        second = await ActivityEnvironment().run(intake.reconcile_orders, ReconcileRequest(now=NOW))

    assert (second.examined, second.missing, second.started_count) == (4, 0, 0)
    assert (second.already_running, second.ended_count) == (3, 1)
    assert (result.since, result.until) == (NOW - timedelta(hours=2), NOW - timedelta(minutes=5))
    assert result.examined == 4
    assert result.missing == 2
    assert result.already_running == 1
    assert {o.order_id for o in result.started} == {
        created["missing"]["id"],
        created["custom-no-ref"]["id"],
    }
    assert result.started_count == 2
    assert [(o.order_id, o.workflow_status) for o in result.ended_without_export] == [
        (created["ended"]["id"], "TERMINATED")
    ]
    assert result.ended_count == 1
    assert not result.truncated
    for name in ("missing", "custom-no-ref"):
        order_id = created[name]["id"]
        assert await order_workflow_status(client, order_id) == WorkflowExecutionStatus.RUNNING
        description = await client.get_workflow_handle(order_workflow_id(order_id)).describe()
        assert description.task_queue == task_queue
        assert await description.static_summary() == (
            f"commercetools order {created[name]['orderNumber']}"
        )
    for name in ("too-old", "too-young", "exported"):
        assert await order_workflow_status(client, created[name]["id"]) is None
    assert len(heartbeats) == 4
    assert heartbeats[-1].result == result

    for name in ("missing", "custom-no-ref", "running"):
        await client.get_workflow_handle(order_workflow_id(created[name]["id"])).terminate("done")


async def test_a_retried_attempt_resumes_after_the_heartbeat_cursor(
    dev_env: WorkflowEnvironment,
) -> None:
    client = dev_env.client
    task_queue = f"reconcile-{uuid.uuid4().hex[:8]}"
    settings = intake_settings(task_queue=task_queue)
    async with intake_activities(client, settings) as (intake, shop):
        shop.set_clock(NOW - timedelta(hours=1))
        ids = sorted([(await shop.import_order(f"R-{i}"))["id"] for i in range(3)])
        earlier = ReconcileResult(
            since=NOW - timedelta(days=1),
            until=NOW - timedelta(minutes=5),
            examined=1,
            missing=1,
            started=(ReconciledOrder(order_id=ids[0], created_at=NOW - timedelta(hours=1)),),
            started_count=1,
        )
        progress = ReconcileProgress(cursor=ids[0], result=earlier)
        environment = ActivityEnvironment()
        environment.info = dataclasses.replace(
            environment.info, attempt=2, heartbeat_details=[progress.model_dump(mode="json")]
        )
        result = await environment.run(intake.reconcile_orders, ReconcileRequest(now=NOW))
    assert result.examined == 3
    assert result.started_count == 3
    assert [o.order_id for o in result.started] == ids
    assert await order_workflow_status(client, ids[0]) is None  # only "started" by the record
    for order_id in ids[1:]:
        await client.get_workflow_handle(order_workflow_id(order_id)).terminate("done")
