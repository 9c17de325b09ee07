"""Webhooks as Fluent's `SendWebhook` rule sends them: signed, minimal, retried, never blocking.

Every status change of an order or fulfilment and every location creation or update becomes one
POST per configured target with Fluent's fixed payload (a new random `id` per event, empty
`attributes`) and a `fluent-signature` header: base64 of SHA512withRSA (PKCS#1 v1.5) over the
exact body bytes. A failed attempt (connection error, timeout or non-2xx answer) is retried after
each of the configured delays (Fluent: 2 s, 4 s, 8 s), then given up and logged. Deliveries run
as background tasks, so the mutation that caused them answers first.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sandbox.fluent.clock import SandboxClock, format_datetime
from sandbox.fluent.models import Fulfilment, Location, Order
from sandbox.fluent.store import ChangeKind, EntityChange

ORDER_STATUS_EVENT = "fc.connect.order.webhook.status-update"
FULFILMENT_STATUS_EVENT = "fc.connect.fulfilment.webhook.status-update"
LOCATION_CREATE_EVENT = "fc.connect.location.create"
LOCATION_UPDATE_EVENT = "fc.connect.location.update"
SIGNATURE_HEADER = "fluent-signature"


class WebhookSigner:
    """Signs bodies with the environment's private key; publishes the public key."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self._private_key = private_key

    @classmethod
    def generate(cls) -> WebhookSigner:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem_file(cls, path: Path) -> WebhookSigner:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as error:
            raise ValueError(
                f"cannot read an unencrypted PEM private key from {path}: {error}"
            ) from error
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} holds a {type(key).__name__}, webhooks need an RSA key")
        return cls(key)

    def sign(self, body: bytes) -> str:
        signature = self._private_key.sign(body, padding.PKCS1v15(), hashes.SHA512())
        return base64.b64encode(signature).decode()

    @property
    def public_key_der_base64(self) -> str:
        """X.509 SubjectPublicKeyInfo, DER, base64: the form Fluent publishes its keys in."""
        der = self._private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    @property
    def public_key_pem(self) -> str:
        return (
            self._private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One POST of one webhook to one target, as shown by `GET /sandbox/webhooks`."""

    event_id: str
    name: str
    entity_type: str
    entity_id: str
    entity_ref: str
    entity_status: str | None
    target: str
    attempt: int
    at: str
    delivered: bool
    http_status: int | None = None
    error: str | None = None
    final: bool = False  # the last attempt for this event and target

    def to_json(self) -> dict[str, Any]:
        return {_camel(name): value for name, value in asdict(self).items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _event_fields(change: EntityChange) -> tuple[str, str, str | None, Order | Location] | None:
    """(event name, entity type, subtype, root entity) for a change, None if not sent."""
    entity = change.entity
    if isinstance(entity, Order) and change.kind is ChangeKind.STATUS:
        return ORDER_STATUS_EVENT, "ORDER", entity.type, entity
    if isinstance(entity, Fulfilment) and change.kind is ChangeKind.STATUS:
        return FULFILMENT_STATUS_EVENT, "FULFILMENT", entity.type, entity.order
    if isinstance(entity, Location) and change.kind is ChangeKind.CREATED:
        return LOCATION_CREATE_EVENT, "LOCATION", entity.type, entity
    if isinstance(entity, Location) and change.kind is ChangeKind.UPDATED:
        return LOCATION_UPDATE_EVENT, "LOCATION", entity.type, entity
    return None


class WebhookDispatcher:
    def __init__(
        self,
        signer: WebhookSigner,
        *,
        account_id: str,
        retailer_id: str,
        clock: SandboxClock,
        targets: Sequence[str] = (),
        retry_delays: Sequence[float] = (2.0, 4.0, 8.0),
        timeout_seconds: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        log_size: int = 10_000,
    ) -> None:
        self.signer = signer
        self._account_id = account_id
        self._retailer_id = retailer_id
        self._clock = clock
        self.targets: list[str] = list(targets)
        self._retry_delays = tuple(retry_delays)
        self._timeout = timeout_seconds
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.log: deque[DeliveryAttempt] = deque(maxlen=log_size)
        self._last_body: dict[tuple[str, str], bytes] = {}

    # -- producing ---------------------------------------------------------------------------

    def on_change(self, change: EntityChange) -> None:
        """Store listener: turns a change into a webhook for every target."""
        fields = _event_fields(change)
        if fields is None:
            return
        name, entity_type, subtype, root = fields
        entity = change.entity
        payload: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "name": name,
            "accountId": self._account_id,
            "retailerId": self._retailer_id,
            "entityId": str(entity.id),
            "entityRef": entity.ref,
            "entityType": entity_type,
            "entitySubtype": subtype,
            "entityStatus": entity.status,
            "rootEntityId": str(root.id),
            "rootEntityRef": root.ref,
            "rootEntityType": "ORDER" if isinstance(root, Order) else "LOCATION",
            "type": "NORMAL",
            "attributes": {},
            "meta": {},
        }
        self.publish(self._encode(payload))

    @staticmethod
    def _encode(payload: dict[str, Any]) -> bytes:
        return json.dumps(payload, separators=(",", ":")).encode()

    def publish(self, body: bytes) -> None:
        """Sends `body` (an encoded webhook) to every target in the background."""
        payload: dict[str, Any] = json.loads(body)
        for key in ("entityId", "entityRef"):
            self._last_body[(payload["entityType"], f"{key}:{payload[key]}")] = body
        loop = asyncio.get_running_loop()
        for target in self.targets:
            task = loop.create_task(self._deliver(target, body, payload))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def replay(
        self, entity_type: str, *, entity_id: str | None, entity_ref: str | None, fresh_id: bool
    ) -> dict[str, Any]:
        """Sends an entity's last webhook again: byte for byte (a duplicate delivery), or as a
        new event with a new id. Raises LookupError when the entity never had a webhook."""
        key = f"entityId:{entity_id}" if entity_id is not None else f"entityRef:{entity_ref}"
        body = self._last_body.get((entity_type.upper(), key))
        if body is None:
            raise LookupError(f"no webhook was sent for {entity_type} {key}")
        payload: dict[str, Any] = json.loads(body)
        if fresh_id:
            payload["id"] = str(uuid.uuid4())
            body = self._encode(payload)
        self.publish(body)
        return payload

    # -- delivering --------------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, transport=self._transport)
        return self._client

    async def _deliver(self, target: str, body: bytes, payload: dict[str, Any]) -> None:
        headers = {"content-type": "application/json", SIGNATURE_HEADER: self.signer.sign(body)}
        attempts = len(self._retry_delays) + 1
        for attempt in range(1, attempts + 1):
            status: int | None = None
            error: str | None = None
            try:
                response = await self._http().post(target, content=body, headers=headers)
                status = response.status_code
                if not response.is_success:
                    error = f"HTTP {status}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            self.log.append(
                DeliveryAttempt(
                    event_id=payload["id"],
                    name=payload["name"],
                    entity_type=payload["entityType"],
                    entity_id=payload["entityId"],
                    entity_ref=payload["entityRef"],
                    entity_status=payload.get("entityStatus"),
                    target=target,
                    attempt=attempt,
                    at=format_datetime(self._clock.now()),
                    delivered=error is None,
                    http_status=status,
                    error=error,
                    final=error is None or attempt == attempts,
                )
            )
            if error is None:
                return
            if attempt < attempts:
                await asyncio.sleep(self._retry_delays[attempt - 1])

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self) -> None:
        """Waits until every delivery under way succeeded or gave up."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
