"""How activity failures reach workflows: the interceptor installed on every worker decides what
Temporal retries (transient platform errors, honouring Retry-After) and what it gives up on at
once with the reason (permanent platform errors, data no retry can mend)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

import pytest
from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from temporalio.testing import WorkflowEnvironment
    from temporalio.worker import Worker

    from activities.errors import ErrorClassifyingInterceptor
    from connector.errors import NotFoundError, TransientError

ATTEMPTS: Counter[str] = Counter()


class Outcome(BaseModel):
    succeeded: bool
    error_type: str | None = None
    non_retryable: bool | None = None
    message: str | None = None


@activity.defn
async def flaky(kind: str) -> str:
    ATTEMPTS[kind] += 1
    if kind == "transient" and ATTEMPTS[kind] < 3:
        raise TransientError("busy", platform="fluent", status_code=429, retry_after=0.01)
    if kind == "permanent":
        raise NotFoundError("order 7 not found", platform="commercetools", status_code=404)
    if kind == "bad-data":
        raise ValueError("location LOC-1 has no primary address id")
    return "ok"


@workflow.defn
class CallsFlaky:
    @workflow.run
    async def run(self, kind: str) -> Outcome:
        try:
            await workflow.execute_activity(
                flaky,
                kind,
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(
                    initial_interval=timedelta(milliseconds=10), maximum_attempts=5
                ),
            )
        except ActivityError as failure:
            cause = failure.cause
            assert isinstance(cause, ApplicationError)
            return Outcome(
                succeeded=False,
                error_type=cause.type,
                non_retryable=cause.non_retryable,
                message=cause.message,
            )
        return Outcome(succeeded=True)


@pytest.mark.parametrize(
    ("kind", "succeeded", "error_type", "attempts"),
    [
        ("transient", True, None, 3),
        ("permanent", False, "NotFoundError", 1),
        ("bad-data", False, "InvalidData", 1),
    ],
)
async def test_failures_are_retried_or_given_up_by_kind(
    time_skipping_env: WorkflowEnvironment,
    kind: str,
    succeeded: bool,
    error_type: str | None,
    attempts: int,
) -> None:
    ATTEMPTS.clear()
    async with Worker(
        time_skipping_env.client,
        task_queue="activity-errors",
        workflows=[CallsFlaky],
        activities=[flaky],
        interceptors=[ErrorClassifyingInterceptor()],
    ):
        outcome = await time_skipping_env.client.execute_workflow(
            CallsFlaky.run, kind, id=str(uuid.uuid4()), task_queue="activity-errors"
        )
    assert outcome.succeeded is succeeded
    assert outcome.error_type == error_type
    assert ATTEMPTS[kind] == attempts
    if not succeeded:
        assert outcome.non_retryable is True
        assert outcome.message is not None
        assert ("not found" in outcome.message) or ("no primary address id" in outcome.message)
