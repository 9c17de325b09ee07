"""The Fluent sandbox as an ASGI app: `create_app(FluentSandboxConfig(...))`.

The shared fault injection middleware sits in front of everything (faults and request counters
under `/sandbox/faults` and `/sandbox/requests`), then the Fluent API (`api`) and the sandbox's
own routes (`admin`). The running `FluentSandbox` is `app.state.sandbox` (typed access:
`service.sandbox_of(app)`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from sandbox.common.admin import admin_router
from sandbox.common.faults import FaultInjectionMiddleware
from sandbox.fluent import admin, api
from sandbox.fluent.auth import AuthError
from sandbox.fluent.config import FluentSandboxConfig
from sandbox.fluent.errors import FluentError, FluentErrorCode, validation_problems
from sandbox.fluent.operation_counts import GraphqlOperationCounts, operation_counts_router
from sandbox.fluent.service import FluentSandbox, sandbox_of


def _errors(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"errors": [{"code": code, "message": message}]}, status_code=status)


def create_app(config: FluentSandboxConfig) -> FastAPI:
    sandbox = FluentSandbox.build(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await sandbox_of(app).start()
        try:
            yield
        finally:
            await sandbox_of(app).stop()

    app = FastAPI(
        title="Fluent Commerce sandbox",
        description="A local emulator of the Fluent Commerce APIs the connector uses.",
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    app.add_middleware(FaultInjectionMiddleware, state=sandbox.faults)
    app.include_router(admin_router(sandbox.faults))
    app.state.graphql_operations = GraphqlOperationCounts()
    app.include_router(operation_counts_router(app.state.graphql_operations))
    app.include_router(admin.router)
    app.include_router(api.router)

    @app.exception_handler(FluentError)
    async def fluent_error(_: Request, error: FluentError) -> JSONResponse:
        return _errors(error.code, error.message, error.http_status)

    @app.exception_handler(AuthError)
    async def auth_error(_: Request, error: AuthError) -> JSONResponse:
        return JSONResponse(error.body, status_code=401, headers={"www-authenticate": "Bearer"})

    @app.exception_handler(api.PayloadTooLargeError)
    async def too_large(_: Request, error: api.PayloadTooLargeError) -> JSONResponse:
        return _errors(FluentErrorCode.MALFORMED_REQUEST, str(error), 413)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = validation_problems(error.errors(), "request")
        return _errors(FluentErrorCode.MALFORMED_REQUEST, problems, 400)

    return app
