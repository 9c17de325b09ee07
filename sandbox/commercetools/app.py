"""The commercetools sandbox as an ASGI app: `create_app(config)`.

The app holds one project (`app.state.sandbox`, a `CommercetoolsSandbox`, reachable with
`sandbox_of(app)`), serves the API in `sandbox.commercetools.api`, the shared fault injection
and request counters of `sandbox.common`, and the admin routes of `sandbox.commercetools.admin`.
The push dispatcher runs in the app's lifespan: serve the app with lifespan on (uvicorn does,
`sandbox.common.serving.serve_in_thread` does) for subscriptions to be delivered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from sandbox.commercetools.admin import admin_router
from sandbox.commercetools.api import Api
from sandbox.commercetools.auth import TokenService
from sandbox.commercetools.config import CommercetoolsSandboxConfig
from sandbox.commercetools.custom_objects import custom_objects_router
from sandbox.commercetools.errors import ApiError, method_not_allowed, route_not_found
from sandbox.commercetools.resources import new_store
from sandbox.commercetools.seed import load_seed
from sandbox.commercetools.store import Pricing, Store
from sandbox.commercetools.subscriptions import PushDispatcher
from sandbox.common.admin import admin_router as faults_router
from sandbox.common.faults import FaultInjectionMiddleware, FaultState


@dataclass(frozen=True)
class CommercetoolsSandbox:
    """Everything one running sandbox holds, for tests and the demo to inspect or drive."""

    config: CommercetoolsSandboxConfig
    store: Store
    tokens: TokenService
    dispatcher: PushDispatcher
    faults: FaultState


def create_app(config: CommercetoolsSandboxConfig | None = None) -> FastAPI:
    config = config or CommercetoolsSandboxConfig()
    pricing = Pricing(tax_rate=config.tax_rate, included_in_price=config.tax_included_in_price)
    store = new_store(config.project_key, pricing)
    if config.seed is not None:
        load_seed(store, config.seed)
    tokens = TokenService(
        config.project_key,
        config.client_id,
        config.client_secret.get_secret_value(),
        config.token_ttl_seconds,
    )
    dispatcher = PushDispatcher(config, store)
    faults = FaultState(config.faults)
    sandbox = CommercetoolsSandbox(config, store, tokens, dispatcher, faults)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await dispatcher.start()
        try:
            yield
        finally:
            await dispatcher.stop()

    app = FastAPI(
        title="commercetools sandbox",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.sandbox = sandbox
    app.add_middleware(FaultInjectionMiddleware, state=faults)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.include_router(faults_router(faults))
    app.include_router(admin_router(store, tokens, dispatcher))
    api = Api(store, tokens)
    app.include_router(custom_objects_router(api))
    app.include_router(api.router)
    return app


def sandbox_of(app: FastAPI) -> CommercetoolsSandbox:
    sandbox = app.state.sandbox
    if not isinstance(sandbox, CommercetoolsSandbox):
        raise TypeError("this app was not made by sandbox.commercetools.create_app")
    return sandbox


async def _api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404 and exc.detail == "Not Found":
        error = route_not_found(request.method, request.url.path)
    elif exc.status_code == 405:
        error = method_not_allowed(request.method, request.url.path)
    else:
        detail = str(exc.detail)
        error = ApiError(exc.status_code, [{"code": "General", "message": detail}])
    return JSONResponse(error.body(), status_code=error.status_code, headers=exc.headers)
