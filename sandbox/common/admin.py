"""The `/sandbox/` routes both sandboxes share: faults and request counters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from sandbox.common.faults import FaultConfig, FaultState


def admin_router(state: FaultState) -> APIRouter:
    router = APIRouter(prefix="/sandbox", tags=["sandbox"])

    @router.get("/faults")
    async def get_faults() -> FaultConfig:
        return state.config

    @router.put("/faults")
    async def put_faults(config: FaultConfig) -> FaultConfig:
        state.configure(config)
        return state.config

    @router.delete("/faults")
    async def clear_faults() -> FaultConfig:
        state.configure(FaultConfig())
        return state.config

    @router.get("/requests")
    async def get_requests() -> dict[str, Any]:
        return state.stats.snapshot()

    @router.delete("/requests")
    async def reset_requests() -> dict[str, Any]:
        state.stats.reset()
        return state.stats.snapshot()

    return router
