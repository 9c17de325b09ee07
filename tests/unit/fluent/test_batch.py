"""Batch API: one job per UTC day, batches of at most 5,000 records, polling to COMPLETE."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest
import respx

from connector.errors import PermanentError, TransientError
from connector.fluent.batch import DailyJob, FluentBatchApi
from connector.fluent.client import FluentClient
from connector.fluent.models import InventoryRecord

DAY = date(2026, 3, 14)


class RecordingSleep:
    def __init__(self) -> None:
        self.pauses: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)


class Calendar:
    def __init__(self) -> None:
        self.today = DAY

    def __call__(self) -> date:
        return self.today


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def calendar() -> Calendar:
    return Calendar()


@pytest.fixture
def batch_api(client: FluentClient, sleep: RecordingSleep, calendar: Calendar) -> FluentBatchApi:
    return FluentBatchApi(
        client, poll_interval=0.5, max_poll_interval=2.0, max_wait=30.0, sleep=sleep, today=calendar
    )


@pytest.fixture
def job_route(router: respx.MockRouter, token_route: respx.Route) -> respx.Route:
    return router.post("/api/v4.1/job").mock(return_value=httpx.Response(200, json={"id": 13}))


def records(count: int) -> list[InventoryRecord]:
    return [
        InventoryRecord(location_ref=f"L{n % 7}", sku_ref=f"SKU-{n}", qty=n) for n in range(count)
    ]


async def test_12000_records_go_in_three_batches_and_are_polled_to_complete(
    batch_api: FluentBatchApi,
    router: respx.MockRouter,
    job_route: respx.Route,
    sleep: RecordingSleep,
) -> None:
    batch_route = router.post("/api/v4.1/job/13/batch").mock(
        side_effect=[httpx.Response(200, json={"id": n}) for n in (101, 102, 103)]
    )
    statuses = {
        "101": ["PENDING", "RUNNING", "RUNNING", "COMPLETE"],
        "102": ["COMPLETE"],
        "103": ["RUNNING", "COMPLETE"],
    }

    def status(request: httpx.Request, batch_id: str) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "batchId": int(batch_id),
                "entityType": "INVENTORY",
                "status": statuses[batch_id].pop(0),
            },
        )

    router.get(path__regex=r"/api/v4.1/job/13/batch/(?P<batch_id>\d+)").mock(side_effect=status)

    upload = await batch_api.upsert_inventory(records(12_000))

    assert upload.job == DailyJob(job_id="13", day=DAY)
    assert [(b.batch_id, b.status) for b in upload.batches] == [
        ("101", "COMPLETE"),
        ("102", "COMPLETE"),
        ("103", "COMPLETE"),
    ]
    bodies = [json.loads(call.request.content) for call in batch_route.calls]
    assert [len(body["entities"]) for body in bodies] == [5000, 5000, 2000]
    assert all(body["action"] == "UPSERT" and body["entityType"] == "INVENTORY" for body in bodies)
    assert bodies[0]["entities"][1] == {
        "locationRef": "L1",
        "skuRef": "SKU-1",
        "qty": 1,
        "retailerId": "7",
    }
    assert bodies[2]["entities"][-1]["skuRef"] == "SKU-11999"
    assert json.loads(job_route.calls.last.request.content) == {
        "name": "connector-inventory-2026-03-14",
        "retailerId": "7",
    }
    assert sleep.pauses == [0.5, 1.0, 2.0, 0.5]  # doubling, capped, restarting per batch


async def test_the_job_is_reused_within_the_day_and_replaced_the_next(
    batch_api: FluentBatchApi, job_route: respx.Route, calendar: Calendar
) -> None:
    job_route.side_effect = [
        httpx.Response(200, json={"id": "J1"}),
        httpx.Response(200, json={"id": "J2"}),
    ]

    first = await batch_api.daily_job()
    again = await batch_api.daily_job()
    assert batch_api.current_job == first
    calendar.today = date(2026, 3, 15)
    assert batch_api.current_job is None
    next_day = await batch_api.daily_job()

    assert first == again == DailyJob(job_id="J1", day=DAY)
    assert next_day == DailyJob(job_id="J2", day=date(2026, 3, 15))
    assert job_route.call_count == 2


async def test_a_job_kept_by_the_caller_is_used_when_it_is_from_today(
    batch_api: FluentBatchApi, job_route: respx.Route
) -> None:
    kept = DailyJob(job_id="KEPT", day=DAY)

    assert await batch_api.daily_job(kept) == kept
    assert batch_api.current_job == kept
    assert job_route.call_count == 0


async def test_a_job_kept_from_an_earlier_day_is_replaced(
    batch_api: FluentBatchApi, job_route: respx.Route
) -> None:
    stale = DailyJob(job_id="OLD", day=date(2026, 3, 13))

    assert await batch_api.daily_job(stale) == DailyJob(job_id="13", day=DAY)


async def test_failed_batch_is_permanent(
    batch_api: FluentBatchApi, router: respx.MockRouter, job_route: respx.Route
) -> None:
    router.post("/api/v4.1/job/13/batch").mock(return_value=httpx.Response(200, json={"id": 5}))
    router.get("/api/v4.1/job/13/batch/5").mock(
        return_value=httpx.Response(200, json={"batchId": 5, "status": "FAILED"})
    )

    with pytest.raises(PermanentError, match="batch 5 of job 13 ended FAILED"):
        await batch_api.upsert_inventory(records(3))


async def test_polling_gives_up_after_max_wait(
    batch_api: FluentBatchApi,
    router: respx.MockRouter,
    job_route: respx.Route,
    sleep: RecordingSleep,
) -> None:
    router.post("/api/v4.1/job/13/batch").mock(return_value=httpx.Response(200, json={"id": 5}))
    router.get("/api/v4.1/job/13/batch/5").mock(
        return_value=httpx.Response(200, json={"batchId": 5, "status": "RUNNING"})
    )

    with pytest.raises(TransientError, match="still RUNNING after 30 s"):
        await batch_api.upsert_inventory(records(1))

    assert sum(sleep.pauses) == 30.0
    assert max(sleep.pauses) == 2.0


async def test_nothing_to_upload_creates_no_job(
    batch_api: FluentBatchApi, job_route: respx.Route
) -> None:
    upload = await batch_api.upsert_inventory([])

    assert (upload.job, upload.batches) == (None, [])
    assert job_route.call_count == 0


async def test_batch_answer_without_id_is_an_error(
    batch_api: FluentBatchApi, router: respx.MockRouter, job_route: respx.Route
) -> None:
    router.post("/api/v4.1/job/13/batch").mock(return_value=httpx.Response(200, json={}))

    with pytest.raises(PermanentError, match="batch but returned no id"):
        await batch_api.upsert_inventory(records(1))


@pytest.mark.parametrize(
    ("poll_interval", "max_poll_interval", "max_wait"),
    [(0, 10, 600), (5, 1, 600), (1, 10, 0)],
)
def test_poll_settings_are_checked(
    client: FluentClient, poll_interval: float, max_poll_interval: float, max_wait: float
) -> None:
    with pytest.raises(ValueError, match=r"must be positive|poll_interval"):
        FluentBatchApi(
            client,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            max_wait=max_wait,
        )
