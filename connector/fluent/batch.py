"""Fluent's Batch API for loading stock into Fluent in bulk.

A job stays open until midnight UTC and Fluent asks integrations to reuse one per day, so
`FluentBatchApi` hands out a `DailyJob` that the caller may keep (e.g. in workflow state) and pass
back; a job from an earlier UTC day is replaced by a new one. Records go in batches of at most
5,000; each batch is polled until Fluent reports it COMPLETE.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from connector.errors import PermanentError, TransientError
from connector.fluent.client import FluentClient
from connector.fluent.errors import PLATFORM
from connector.fluent.models import BatchStatus, InventoryRecord

MAX_RECORDS_PER_BATCH = 5000
COMPLETE = "COMPLETE"
IN_PROGRESS = frozenset({"PENDING", "RUNNING"})


class DailyJob(BaseModel):
    """A Batch API job and the UTC day it serves."""

    model_config = ConfigDict(frozen=True)

    job_id: str = Field(min_length=1)
    day: date


class InventoryUpload(BaseModel):
    """The outcome of one upload: the job used (None when there was nothing to send) and the
    final state of each batch."""

    model_config = ConfigDict(frozen=True)

    job: DailyJob | None
    batches: list[BatchStatus]


def _utc_today() -> date:
    return datetime.now(UTC).date()


def _id_of(answer: Any, what: str) -> str:
    identifier = answer.get("id") if isinstance(answer, Mapping) else None
    if identifier is None or str(identifier) == "":
        raise PermanentError(f"Fluent created a {what} but returned no id", platform=PLATFORM)
    return str(identifier)


class FluentBatchApi:
    """Batch API calls over a `FluentClient`. Polling starts at `poll_interval` seconds, doubles
    up to `max_poll_interval`, and gives up with a `TransientError` after `max_wait` seconds of
    waiting (the batch may still finish; resubmitting absolute quantities is harmless)."""

    def __init__(
        self,
        client: FluentClient,
        *,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
        max_wait: float = 600.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        today: Callable[[], date] = _utc_today,
    ) -> None:
        if not 0 < poll_interval <= max_poll_interval:
            raise ValueError("need 0 < poll_interval <= max_poll_interval")
        if max_wait <= 0:
            raise ValueError("max_wait must be positive")
        self._client = client
        self._poll_interval = poll_interval
        self._max_poll_interval = max_poll_interval
        self._max_wait = max_wait
        self._sleep = sleep
        self._today = today
        self._job: DailyJob | None = None

    @property
    def current_job(self) -> DailyJob | None:
        """Today's job as far as this instance knows (None before the first use today)."""
        job = self._job
        return job if job is not None and job.day == self._today() else None

    async def create_job(self, name: str) -> str:
        retailer_id = self._client.settings.retailer_id
        answer = await self._client.request_json(
            "POST", "/api/v4.1/job", json_body={"name": name, "retailerId": retailer_id}
        )
        return _id_of(answer, "job")

    async def daily_job(self, known: DailyJob | None = None) -> DailyJob:
        """Today's job: `known` or the remembered one if it is from today, else a new one."""
        today = self._today()
        for candidate in (known, self._job):
            if candidate is not None and candidate.day == today:
                self._job = candidate
                return candidate
        job_id = await self.create_job(f"connector-inventory-{today.isoformat()}")
        self._job = DailyJob(job_id=job_id, day=today)
        return self._job

    async def submit(self, job_id: str, records: Sequence[InventoryRecord]) -> list[str]:
        """Send `records` as UPSERT batches of at most 5,000; returns the batch ids in order."""
        retailer_id = self._client.settings.retailer_id
        batch_ids: list[str] = []
        for start in range(0, len(records), MAX_RECORDS_PER_BATCH):
            entities = [
                record.to_variables() | {"retailerId": record.retailer_id or retailer_id}
                for record in records[start : start + MAX_RECORDS_PER_BATCH]
            ]
            answer = await self._client.request_json(
                "POST",
                f"/api/v4.1/job/{job_id}/batch",
                json_body={"action": "UPSERT", "entityType": "INVENTORY", "entities": entities},
            )
            batch_ids.append(_id_of(answer, "batch"))
        return batch_ids

    async def batch_status(self, job_id: str, batch_id: str) -> BatchStatus:
        answer = await self._client.request_json("GET", f"/api/v4.1/job/{job_id}/batch/{batch_id}")
        if not isinstance(answer, Mapping):
            raise PermanentError(f"batch {batch_id}: unreadable status", platform=PLATFORM)
        return BatchStatus.model_validate({"batchId": batch_id, "jobId": job_id, **answer})

    async def wait_for_batch(self, job_id: str, batch_id: str) -> BatchStatus:
        """Poll until the batch is COMPLETE; any status other than PENDING/RUNNING/COMPLETE is
        a failure."""
        waited = 0.0
        interval = self._poll_interval
        while True:
            status = await self.batch_status(job_id, batch_id)
            if status.status == COMPLETE:
                return status
            if status.status not in IN_PROGRESS:
                raise PermanentError(
                    f"Fluent batch {batch_id} of job {job_id} ended {status.status}",
                    platform=PLATFORM,
                )
            if waited >= self._max_wait:
                raise TransientError(
                    f"Fluent batch {batch_id} of job {job_id} still {status.status} after "
                    f"{waited:g} s",
                    platform=PLATFORM,
                )
            pause = min(interval, self._max_wait - waited)
            await self._sleep(pause)
            waited += pause
            interval = min(interval * 2, self._max_poll_interval)

    async def upsert_inventory(
        self, records: Sequence[InventoryRecord], *, job: DailyJob | None = None
    ) -> InventoryUpload:
        """Load absolute stock figures into Fluent and wait until every batch is processed."""
        if not records:
            return InventoryUpload(job=None, batches=[])
        daily = await self.daily_job(job)
        batch_ids = await self.submit(daily.job_id, records)
        statuses = [await self.wait_for_batch(daily.job_id, batch_id) for batch_id in batch_ids]
        return InventoryUpload(job=daily, batches=statuses)
