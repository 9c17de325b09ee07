"""Fluent's Batch API for inventory: jobs, batches of up to 5,000 records, async processing.

A job is OPEN until midnight UTC of the day it was created (sandbox clock), as in Fluent; after
that new batches are refused and the client must open a new job. A batch goes PENDING ->
RUNNING -> COMPLETE in the background; each record sets the on-hand quantity of one inventory
position (`qty + correctedQty`). Records that cannot be applied (unknown location) are listed in
the batch's `results` with a reason; the others are applied.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from sandbox.fluent.clock import SandboxClock, format_datetime
from sandbox.fluent.errors import FluentError, InvalidInputError, NotFoundError
from sandbox.fluent.store import FluentStore

MAX_BATCH_RECORDS = 5_000
_YIELD_EVERY = 500

logger = logging.getLogger(__name__)


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class CreateJobRequest(_Wire):
    name: str = Field(min_length=1)
    retailer_id: str | int
    meta: dict[str, Any] | None = None


class InventoryRecord(_Wire):
    location_ref: str = Field(min_length=1)
    sku_ref: str = Field(min_length=1)
    qty: int = Field(ge=0)
    corrected_qty: int = 0
    retailer_id: str | int | None = None


class BatchRequest(_Wire):
    action: Literal["UPSERT"]
    entity_type: Literal["INVENTORY"]
    entities: list[InventoryRecord] = Field(min_length=1)


@dataclass(slots=True)
class Batch:
    id: str
    job_id: str
    records: list[InventoryRecord]
    created_on: datetime
    updated_on: datetime
    status: str = "PENDING"
    failures: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "batchId": self.id,
            "jobId": self.job_id,
            "action": "UPSERT",
            "entityType": "INVENTORY",
            "status": self.status,
            "start": 1,
            "count": len(self.records),
            "results": self.failures,
            "createdOn": format_datetime(self.created_on),
            "updatedOn": format_datetime(self.updated_on),
        }


@dataclass(slots=True)
class Job:
    id: str
    name: str
    retailer_id: str
    created_on: datetime
    closes_at: datetime
    meta: dict[str, Any] | None
    batches: list[Batch] = field(default_factory=list)

    def status(self, now: datetime) -> str:
        return "OPEN" if now < self.closes_at else "CLOSED"

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            "jobId": self.id,
            "name": self.name,
            "retailerId": self.retailer_id,
            "status": self.status(now),
            "meta": self.meta,
            "createdOn": format_datetime(self.created_on),
            "batch": [
                {"batchId": b.id, "status": b.status, "entityType": "INVENTORY"}
                for b in self.batches
            ],
        }


class BatchService:
    def __init__(
        self,
        store: FluentStore,
        clock: SandboxClock,
        *,
        pending_seconds: float = 0.0,
        running_seconds: float = 0.0,
    ) -> None:
        self._store = store
        self._clock = clock
        self._pending_seconds = pending_seconds
        self._running_seconds = running_seconds
        self._jobs: dict[str, Job] = {}
        self._batches: dict[str, Batch] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _require_retailer(self, retailer_id: str | int | None) -> None:
        if retailer_id is not None and str(retailer_id) != self._store.retailer_id:
            raise InvalidInputError(
                f"retailerId {retailer_id} is not this sandbox's retailer "
                f"({self._store.retailer_id})"
            )

    def create_job(self, request: CreateJobRequest) -> Job:
        self._require_retailer(request.retailer_id)
        now = self._clock.now()
        midnight = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)
        job = Job(
            id=str(len(self._jobs) + 1),
            name=request.name,
            retailer_id=str(request.retailer_id),
            created_on=now,
            closes_at=midnight,
            meta=request.meta,
        )
        self._jobs[job.id] = job
        return job

    def job(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"Job {job_id} not found")
        return job

    def batch(self, job_id: str, batch_id: str) -> Batch:
        batch = self._batches.get(batch_id)
        if batch is None or batch.job_id != self.job(job_id).id:
            raise NotFoundError(f"Batch {batch_id} not found in job {job_id}")
        return batch

    def submit(self, job_id: str, request: BatchRequest) -> Batch:
        job = self.job(job_id)
        now = self._clock.now()
        if job.status(now) != "OPEN":
            raise InvalidInputError(
                f"Job {job_id} closed at {format_datetime(job.closes_at)}: create a new job"
            )
        if len(request.entities) > MAX_BATCH_RECORDS:
            raise InvalidInputError(
                f"a batch holds at most {MAX_BATCH_RECORDS} records, got {len(request.entities)}"
            )
        for record in request.entities:
            self._require_retailer(record.retailer_id)
        batch = Batch(
            id=str(len(self._batches) + 1),
            job_id=job.id,
            records=request.entities,
            created_on=now,
            updated_on=now,
        )
        self._batches[batch.id] = batch
        job.batches.append(batch)
        task = asyncio.get_running_loop().create_task(self._process(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return batch

    async def _process(self, batch: Batch) -> None:
        await asyncio.sleep(self._pending_seconds)
        self._set_status(batch, "RUNNING")
        for index, record in enumerate(batch.records):
            try:
                self._store.set_on_hand(
                    record.location_ref, record.sku_ref, record.qty + record.corrected_qty
                )
            except FluentError as error:
                batch.failures.append(
                    {
                        "index": index,
                        "locationRef": record.location_ref,
                        "skuRef": record.sku_ref,
                        "code": error.code,
                        "message": error.message,
                    }
                )
            if index % _YIELD_EVERY == _YIELD_EVERY - 1:
                await asyncio.sleep(0)
        await asyncio.sleep(self._running_seconds)
        self._set_status(batch, "COMPLETE")
        if batch.failures:
            logger.info("batch %s: %d records not applied", batch.id, len(batch.failures))

    def _set_status(self, batch: Batch, status: str) -> None:
        batch.status = status
        batch.updated_on = self._clock.now()

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
