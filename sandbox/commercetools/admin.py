"""The sandbox's own `/sandbox/` routes (besides the shared faults and request counters).

- `GET /sandbox/subscriptions`: push targets with delivery counters, pending and recent deliveries
- `PUT /sandbox/subscriptions`: replace the push targets (a JSON list of `PushTarget`)
- `POST /sandbox/subscriptions/replay/{message_id}`: push a stored message again
- `POST /sandbox/tokens/expire`: expire every issued token (clients must fetch a new one)
- `GET /sandbox/store`: how many resources of each type the project holds
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from sandbox.commercetools.auth import TokenService
from sandbox.commercetools.config import PushTarget
from sandbox.commercetools.store import Store
from sandbox.commercetools.subscriptions import PushDispatcher


def admin_router(store: Store, tokens: TokenService, dispatcher: PushDispatcher) -> APIRouter:
    router = APIRouter(prefix="/sandbox", tags=["sandbox"])

    @router.get("/subscriptions")
    async def get_subscriptions() -> dict[str, Any]:
        return dispatcher.snapshot()

    @router.put("/subscriptions")
    async def put_subscriptions(targets: list[PushTarget]) -> dict[str, Any]:
        try:
            dispatcher.configure(targets)
        except ValueError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None
        return dispatcher.snapshot()

    @router.post("/subscriptions/replay/{message_id}")
    async def replay(message_id: str) -> dict[str, Any]:
        message = store.collection("message").get(message_id)
        if message is None:
            raise HTTPException(status_code=404, detail=f"No message with id '{message_id}'.")
        return {"messageId": message_id, "queued": dispatcher.replay(message)}

    @router.post("/tokens/expire")
    async def expire_tokens() -> dict[str, Any]:
        return {"expired": tokens.expire_all()}

    @router.get("/store")
    async def store_counts() -> dict[str, Any]:
        return {
            "projectKey": store.project_key,
            "counts": {type_id: len(c) for type_id, c in store.collections.items()},
        }

    return router
