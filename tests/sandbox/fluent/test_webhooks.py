"""Webhooks over real HTTP: payload, signature, ids, retries, location events, replay."""

from __future__ import annotations

import base64
import json
import threading
import time

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sandbox.common.serving import free_port
from tests.sandbox.fluent.conftest import FAST_RETRIES, Fluent, Json

SKU = "SKU-00000-1"


def _verify(public_key_b64: str, headers: dict[str, str], body: bytes) -> None:
    key = serialization.load_der_public_key(base64.b64decode(public_key_b64))
    assert isinstance(key, rsa.RSAPublicKey)
    signature = base64.b64decode(headers["fluent-signature"])
    key.verify(signature, body, padding.PKCS1v15(), hashes.SHA512())


async def _order_with_fulfilment(fluent: Fluent) -> Json:
    await fluent.create_product(SKU)
    buyer = await fluent.create_customer()
    order = await fluent.create_order("HD-1", {SKU: 1}, customer_id=buyer)
    await fluent.create_fulfilment("F-1", order, "ST-001")
    await fluent.settle()
    return order


async def test_status_changes_arrive_signed_with_fluents_payload(fluent_factory, receiver):
    async with fluent_factory(webhook_urls=[receiver.url]) as fluent:
        order = await _order_with_fulfilment(fluent)
        public_key = (await fluent.admin("GET", "/webhook-public-key"))["publicKey"]
        payloads = []
        for headers, body in receiver.requests:
            _verify(public_key, headers, body)
            assert headers["content-type"] == "application/json"
            payloads.append(json.loads(body))
        orders = [p for p in payloads if p["entityType"] == "ORDER"]
        fulfilments = [p for p in payloads if p["entityType"] == "FULFILMENT"]
        # Deliveries run concurrently, as Fluent's do: compare without their arrival order.
        assert sorted(p["entityStatus"] for p in orders) == ["BOOKED", "CREATED", "RECEIVED"]
        assert sorted(p["entityStatus"] for p in fulfilments) == ["AWAITING_WAVE", "CREATED"]
        orders.sort(key=lambda p: ["CREATED", "RECEIVED", "BOOKED"].index(p["entityStatus"]))
        fulfilments.sort(key=lambda p: p["entityStatus"] != "CREATED")
        assert orders[0] == {
            "id": orders[0]["id"],
            "name": "fc.connect.order.webhook.status-update",
            "accountId": "SANDBOX",
            "retailerId": "1",
            "entityId": order["id"],
            "entityRef": "HD-1",
            "entityType": "ORDER",
            "entitySubtype": "HD",
            "entityStatus": "CREATED",
            "rootEntityId": order["id"],
            "rootEntityRef": "HD-1",
            "rootEntityType": "ORDER",
            "type": "NORMAL",
            "attributes": {},
            "meta": {},
        }
        assert fulfilments[0]["name"] == "fc.connect.fulfilment.webhook.status-update"
        assert fulfilments[0]["entitySubtype"] == "HD_PFS"
        assert (fulfilments[0]["rootEntityType"], fulfilments[0]["rootEntityRef"]) == (
            "ORDER",
            "HD-1",
        )
        assert len({p["id"] for p in payloads}) == len(payloads)


async def test_a_signature_does_not_verify_a_changed_body(fluent_factory, receiver):
    async with fluent_factory(webhook_urls=[receiver.url]) as fluent:
        await _order_with_fulfilment(fluent)
        public_key = (await fluent.admin("GET", "/webhook-public-key"))["publicKey"]
        headers, body = receiver.requests[0]
        with pytest.raises(InvalidSignature):
            _verify(public_key, headers, body.replace(b"CREATED", b"CANCELLED"))


async def test_the_public_key_is_served_as_der_and_pem(fluent):
    served = await fluent.admin("GET", "/webhook-public-key")
    from_pem = serialization.load_pem_public_key(served["pem"].encode())
    from_der = serialization.load_der_public_key(base64.b64decode(served["publicKey"]))
    assert from_pem.public_numbers() == from_der.public_numbers()  # type: ignore[union-attr]
    assert served["algorithm"] == "SHA512withRSA"


async def test_failed_deliveries_are_retried_on_fluents_schedule(fluent_factory, receiver):
    receiver.statuses = [500, 503]
    async with fluent_factory(webhook_urls=[receiver.url]) as fluent:
        await fluent.create_customer()
        location = {"ref": "NEW-1", "name": "New", "latitude": 52.0, "longitude": 13.0}
        started = time.monotonic()
        await fluent.admin("POST", "/locations", location)
        await fluent.settle()
        elapsed = time.monotonic() - started
        bodies = receiver.bodies()
        assert len(bodies) == 3
        assert bodies[0] == bodies[1] == bodies[2]  # the same event, delivered again
        log = (await fluent.admin("GET", "/webhooks"))["deliveries"]
        assert [(a["attempt"], a["delivered"], a["httpStatus"]) for a in log] == [
            (1, False, 500),
            (2, False, 503),
            (3, True, 200),
        ]
        assert log[-1]["final"] is True
        assert elapsed >= FAST_RETRIES[0] + FAST_RETRIES[1]


async def test_delivery_gives_up_after_the_last_retry(fluent_factory, receiver):
    receiver.statuses = [500] * 10
    async with fluent_factory(webhook_urls=[receiver.url]) as fluent:
        await fluent.admin(
            "POST", "/locations", {"ref": "N", "name": "N", "latitude": 1, "longitude": 1}
        )
        await fluent.settle()
        assert len(receiver.bodies()) == 1 + len(FAST_RETRIES)
        last = (await fluent.admin("GET", "/webhooks"))["deliveries"][-1]
        assert (last["delivered"], last["final"], last["attempt"]) == (False, True, 4)


async def test_an_unreachable_target_is_logged_with_the_error(fluent_factory):
    dead = f"http://127.0.0.1:{free_port()}/hooks"
    async with fluent_factory(webhook_urls=[dead], webhook_retry_delays_seconds=()) as fluent:
        await fluent.admin(
            "POST", "/locations", {"ref": "N", "name": "N", "latitude": 1, "longitude": 1}
        )
        await fluent.settle()
        [attempt] = (await fluent.admin("GET", "/webhooks"))["deliveries"]
        assert attempt["delivered"] is False
        assert "ConnectError" in attempt["error"]


async def test_a_slow_receiver_does_not_hold_up_the_api(fluent_factory, receiver):
    receiver.gate = threading.Event()
    async with fluent_factory(webhook_urls=[receiver.url]) as fluent:
        location = {"ref": "N", "name": "N", "latitude": 1, "longitude": 1}
        await fluent.admin("POST", "/locations", location)
        started = time.monotonic()
        await fluent.admin("PATCH", "/locations/N", {"name": "M"})
        assert time.monotonic() - started < 0.5
        assert fluent.sandbox.webhooks.pending == 2
        assert receiver.bodies() == []
        receiver.gate.set()
        await fluent.settle()
        assert len(receiver.bodies()) == 2


async def test_location_creation_and_updates_are_announced(fluent_factory, receiver):
    async with fluent_factory(webhook_urls=[receiver.url]) as fluent:
        created = await fluent.admin(
            "POST",
            "/locations",
            {
                "ref": "ST-NEW",
                "name": "Potsdam Store",
                "latitude": 52.39,
                "longitude": 13.06,
                "openingHours": {"open": 800, "close": 1800},
            },
        )
        await fluent.admin("PATCH", "/locations/ST-NEW", {"status": "INACTIVE", "name": "Potsdam"})
        await fluent.settle()
        payloads = [json.loads(body) for body in receiver.bodies()]
        payloads.sort(key=lambda p: p["name"])
        assert [(p["name"], p["entityStatus"]) for p in payloads] == [
            ("fc.connect.location.create", "ACTIVE"),
            ("fc.connect.location.update", "INACTIVE"),
        ]
        assert payloads[0]["entityId"] == created["id"]
        assert payloads[0]["entityRef"] == payloads[0]["rootEntityRef"] == "ST-NEW"
        assert payloads[0]["entityType"] == payloads[0]["rootEntityType"] == "LOCATION"
        assert payloads[0]["entitySubtype"] == "STORE"


async def test_replay_sends_the_last_webhook_again(fluent_factory, receiver):
    async with fluent_factory(webhook_urls=[receiver.url]) as fluent:
        await _order_with_fulfilment(fluent)
        duplicate = await fluent.admin(
            "POST", "/webhooks/replay", {"entityType": "ORDER", "entityRef": "HD-1"}
        )
        fresh = await fluent.admin(
            "POST",
            "/webhooks/replay",
            {"entityType": "order", "entityRef": "HD-1", "freshId": True},
        )
        await fluent.settle()
        bodies = receiver.bodies()
        booked = [b for b in bodies if json.loads(b)["entityStatus"] == "BOOKED"]
        assert len(booked) == 3
        assert sorted(booked.count(body) for body in set(booked)) == [1, 2]  # byte for byte
        assert duplicate["entityStatus"] == fresh["entityStatus"] == "BOOKED"
        assert fresh["id"] != duplicate["id"]
        assert {json.loads(b)["id"] for b in booked} == {duplicate["id"], fresh["id"]}
        missing = await fluent.http.post(
            "/sandbox/webhooks/replay", json={"entityType": "ORDER", "entityRef": "NOPE"}
        )
        assert missing.status_code == 404


async def test_targets_can_be_changed_at_run_time(fluent, receiver):
    await fluent.admin(
        "POST", "/locations", {"ref": "A", "name": "A", "latitude": 1, "longitude": 1}
    )
    await fluent.settle()
    assert receiver.bodies() == []
    state = await fluent.admin("PUT", "/webhooks", {"targets": [receiver.url]})
    assert state["targets"] == [receiver.url]
    await fluent.admin(
        "POST", "/locations", {"ref": "B", "name": "B", "latitude": 1, "longitude": 1}
    )
    await fluent.settle()
    assert [json.loads(b)["entityRef"] for b in receiver.bodies()] == ["B"]
    bad = await fluent.http.put("/sandbox/webhooks", json={"targets": ["ftp://x"]})
    assert bad.status_code == 400
