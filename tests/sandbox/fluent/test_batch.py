"""The Batch API: jobs, batches of inventory records, asynchronous processing, limits."""

from __future__ import annotations

import asyncio

import httpx

from tests.sandbox.fluent.conftest import Fluent, Json

SKU = "SKU-00003-2"


async def _job(fluent: Fluent) -> Json:
    response = await fluent.http.post(
        "/api/v4.1/job",
        json={"name": "inventory-2026-11-29", "retailerId": "1"},
        headers=fluent.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


async def _submit(fluent: Fluent, job_id: str, entities: list[Json]) -> httpx.Response:
    return await fluent.http.post(
        f"/api/v4.1/job/{job_id}/batch",
        json={"action": "UPSERT", "entityType": "INVENTORY", "entities": entities},
        headers=fluent.headers,
    )


async def _batch(fluent: Fluent, job_id: str, batch_id: str) -> Json:
    response = await fluent.http.get(
        f"/api/v4.1/job/{job_id}/batch/{batch_id}", headers=fluent.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _until_complete(fluent: Fluent, job_id: str, batch_id: str) -> tuple[list[str], Json]:
    seen: list[str] = []
    for _ in range(200):
        batch = await _batch(fluent, job_id, batch_id)
        if not seen or seen[-1] != batch["status"]:
            seen.append(batch["status"])
        if batch["status"] == "COMPLETE":
            return seen, batch
        await asyncio.sleep(0.01)
    raise AssertionError(f"batch stuck in {seen}")


async def test_a_batch_goes_pending_running_complete_and_sets_on_hand(fluent_factory):
    async with fluent_factory(batch_pending_seconds=0.05, batch_running_seconds=0.05) as fluent:
        job_id = await _job(fluent)
        entities = [
            {"locationRef": "ST-001", "skuRef": SKU, "qty": 40},
            {"locationRef": "ST-002", "skuRef": SKU, "qty": 10, "correctedQty": -2},
            {"locationRef": "ST-003", "skuRef": "NEW-SKU", "qty": 5, "retailerId": 1},
        ]
        response = await _submit(fluent, job_id, entities)
        assert response.status_code == 200
        batch_id = response.json()["id"]
        statuses, batch = await _until_complete(fluent, job_id, batch_id)
        assert statuses == ["PENDING", "RUNNING", "COMPLETE"]
        assert (batch["count"], batch["results"], batch["entityType"]) == (3, [], "INVENTORY")
        on_hand = {p["locationRef"]: p["onHand"] for p in (await fluent.stock(SKU))["positions"]}
        assert (on_hand["ST-001"], on_hand["ST-002"]) == (40, 8)
        assert (await fluent.stock("NEW-SKU"))["availableToSell"] == 5
        job = (await fluent.http.get(f"/api/v4.1/job/{job_id}", headers=fluent.headers)).json()
        assert job["status"] == "OPEN"
        assert job["batch"] == [
            {"batchId": batch_id, "status": "COMPLETE", "entityType": "INVENTORY"}
        ]


async def test_records_for_unknown_locations_are_reported_not_applied(fluent):
    job_id = await _job(fluent)
    response = await _submit(
        fluent,
        job_id,
        [
            {"locationRef": "NOWHERE", "skuRef": SKU, "qty": 1},
            {"locationRef": "ST-001", "skuRef": SKU, "qty": 3},
        ],
    )
    _, batch = await _until_complete(fluent, job_id, response.json()["id"])
    [failure] = batch["results"]
    assert failure["index"] == 0
    assert failure["code"] == "C0120E"
    assert "NOWHERE" in failure["message"]
    on_hand = {p["locationRef"]: p["onHand"] for p in (await fluent.stock(SKU))["positions"]}
    assert on_hand["ST-001"] == 3


async def test_more_than_5000_records_are_refused(fluent):
    job_id = await _job(fluent)
    record = {"locationRef": "ST-001", "skuRef": SKU, "qty": 1}
    assert (await _submit(fluent, job_id, [record] * 5000)).status_code == 200
    too_many = await _submit(fluent, job_id, [record] * 5001)
    assert too_many.status_code == 400
    assert "at most 5000" in too_many.json()["errors"][0]["message"]


async def test_malformed_batches_are_refused(fluent):
    job_id = await _job(fluent)
    for entities in (
        [],
        [{"locationRef": "ST-001", "skuRef": SKU}],
        [{"locationRef": "ST-001", "skuRef": SKU, "qty": -1}],
    ):
        response = await _submit(fluent, job_id, entities)
        assert response.status_code == 400, entities
    wrong_action = await fluent.http.post(
        f"/api/v4.1/job/{job_id}/batch",
        json={"action": "DELETE", "entityType": "INVENTORY", "entities": []},
        headers=fluent.headers,
    )
    assert wrong_action.status_code == 400


async def test_a_job_closes_at_midnight_utc(fluent_factory):
    async with fluent_factory(token_ttl_seconds=7 * 86_400) as fluent:
        job_id = await _job(fluent)
        await fluent.admin("POST", "/clock/advance", {"seconds": 86_400})
        job = (await fluent.http.get(f"/api/v4.1/job/{job_id}", headers=fluent.headers)).json()
        assert job["status"] == "CLOSED"
        record = {"locationRef": "ST-001", "skuRef": SKU, "qty": 1}
        response = await _submit(fluent, job_id, [record])
        assert response.status_code == 400
        assert "create a new job" in response.json()["errors"][0]["message"]
        assert (await _submit(fluent, await _job(fluent), [record])).status_code == 200


async def test_unknown_jobs_and_batches_are_not_found(fluent):
    job_id = await _job(fluent)
    assert (await fluent.http.get("/api/v4.1/job/999", headers=fluent.headers)).status_code == 404
    missing = await fluent.http.get(f"/api/v4.1/job/{job_id}/batch/999", headers=fluent.headers)
    assert missing.status_code == 404
    other = await fluent.http.post(
        "/api/v4.1/job", json={"name": "x", "retailerId": "7"}, headers=fluent.headers
    )
    assert other.status_code == 400
