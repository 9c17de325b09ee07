"""Order reconciliation: the safety net under the subscription and the messages poller.

commercetools drops undelivered notifications when a subscription is suspended or
misconfigured, so a scheduled run (hourly, see `connector/schedules.py`) and `python starter.py
reconcile` look for orders created in the window that carry no Fluent export marker and have no
workflow, and start theirs. The window ends `ORDERS_RECONCILE_MIN_AGE` ago, so orders the
normal paths are still taking in are left to them. The input has only defaults, so a Temporal
Schedule can start the workflow with `ReconcileInput()`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.intake import ReconcileRequest, ReconcileResult
    from connector.syncs import RECONCILE_ORDERS_WORKFLOW

RECONCILE_WORKFLOW = RECONCILE_ORDERS_WORKFLOW
"""The type name the hourly schedule (`connector/schedules.py`) starts."""

RECONCILE_TIMEOUT = timedelta(hours=1)
RECONCILE_HEARTBEAT = timedelta(minutes=1)


def reconcile_workflow_id(at: datetime) -> str:
    """An id per manual run, e.g. `reconcile-orders-20260131T120000Z`."""
    return f"reconcile-orders-{at.strftime('%Y%m%dT%H%M%SZ')}"


class ReconcileInput(BaseModel):
    """`since` None: `ORDERS_RECONCILE_WINDOW` back from now (or `window` when given)."""

    model_config = ConfigDict(frozen=True)

    since: datetime | None = None
    window: timedelta | None = None


@workflow.defn(name=RECONCILE_WORKFLOW)
class ReconcileOrdersWorkflow:
    @workflow.run
    async def run(self, input: ReconcileInput) -> ReconcileResult:
        request = ReconcileRequest(now=workflow.now(), since=input.since, window=input.window)
        result: ReconcileResult = await workflow.execute_activity(
            "reconcile_orders",
            request,
            result_type=ReconcileResult,
            start_to_close_timeout=RECONCILE_TIMEOUT,
            heartbeat_timeout=RECONCILE_HEARTBEAT,
            retry_policy=RetryPolicy(maximum_attempts=5, maximum_interval=timedelta(minutes=1)),
            summary="orders without a Fluent export marker",
        )
        workflow.set_current_details(
            f"examined {result.examined}, started {result.started_count}, "
            f"ended without export {result.ended_count}"
        )
        return result
