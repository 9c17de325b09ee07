"""The Fluent-facing HTTP API: OAuth token, GraphQL, Event API and Batch API.

Everything but `/oauth/token` needs a live bearer token. Bodies over the configured limit
(Fluent: 2 MB) are refused with 413 before they are parsed. REST errors answer
`{"errors": [{"code", "message"}]}` with a 4xx status.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from sandbox.fluent.auth import AuthError
from sandbox.fluent.batch import BatchRequest, CreateJobRequest
from sandbox.fluent.errors import FluentError, FluentErrorCode, validation_problems
from sandbox.fluent.events import EventRequest
from sandbox.fluent.graphql_api import run_query
from sandbox.fluent.service import FluentSandbox, SandboxDep

_ModelT = TypeVar("_ModelT", bound=BaseModel)


class PayloadTooLargeError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body exceeds the limit of {limit} bytes")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing more than `limit` bytes without reading them all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_body(model: type[_ModelT], body: bytes) -> _ModelT:
    try:
        return model.model_validate_json(body or b"null")
    except ValidationError as error:
        problems = validation_problems(error.errors(), "body")
        raise FluentError(FluentErrorCode.MALFORMED_REQUEST, problems) from None


def _require_token(
    sandbox: SandboxDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    sandbox.tokens.check(authorization)


Authorized = Depends(_require_token)

router = APIRouter()


@router.post("/oauth/token")
async def issue_token(request: Request, sandbox: SandboxDep) -> JSONResponse:
    """Password grant from the form body or (as older integrations send it) the query string."""
    body = await read_body(request, sandbox.config.max_body_bytes)
    params = dict(request.query_params)
    if body:
        params.update(parse_qsl(body.decode(errors="replace"), keep_blank_values=True))
    try:
        return JSONResponse(sandbox.tokens.grant(params))
    except AuthError as error:
        status = 400 if error.body["error"] in ("unsupported_grant_type", "invalid_scope") else 401
        return JSONResponse(error.body, status_code=status)


@router.post("/graphql", dependencies=[Authorized])
async def graphql(request: Request, sandbox: SandboxDep) -> JSONResponse:
    body = await read_body(request, sandbox.config.max_body_bytes)
    try:
        payload: Any = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise FluentError(FluentErrorCode.MALFORMED_REQUEST, "the body is not JSON") from None
    if not isinstance(payload, dict):
        raise FluentError(FluentErrorCode.MALFORMED_REQUEST, "the body must be a JSON object")
    request.app.state.graphql_operations.record(payload)
    return JSONResponse(await run_query(sandbox.schema, sandbox.graphql_context, payload))


async def _event(request: Request, sandbox: FluentSandbox, *, sync: bool) -> JSONResponse:
    event = parse_body(EventRequest, await read_body(request, sandbox.config.max_body_bytes))
    return JSONResponse(sandbox.events.submit(event, sync=sync).answer())


@router.post("/api/v4.1/event/sync", dependencies=[Authorized])
async def send_event_sync(request: Request, sandbox: SandboxDep) -> JSONResponse:
    return await _event(request, sandbox, sync=True)


@router.post("/api/v4.1/event/async", dependencies=[Authorized])
async def send_event_async(request: Request, sandbox: SandboxDep) -> JSONResponse:
    return await _event(request, sandbox, sync=False)


@router.get("/api/v4.1/event/{event_id}", dependencies=[Authorized])
async def get_event(event_id: str, sandbox: SandboxDep) -> dict[str, Any]:
    return sandbox.events.event(event_id).to_json()


@router.post("/api/v4.1/job", dependencies=[Authorized])
async def create_job(request: Request, sandbox: SandboxDep) -> dict[str, str]:
    job_request = parse_body(
        CreateJobRequest, await read_body(request, sandbox.config.max_body_bytes)
    )
    return {"id": sandbox.batches.create_job(job_request).id}


@router.get("/api/v4.1/job/{job_id}", dependencies=[Authorized])
async def get_job(job_id: str, sandbox: SandboxDep) -> dict[str, Any]:
    return sandbox.batches.job(job_id).to_json(sandbox.clock.now())


@router.post("/api/v4.1/job/{job_id}/batch", dependencies=[Authorized])
async def submit_batch(job_id: str, request: Request, sandbox: SandboxDep) -> dict[str, str]:
    batch_request = parse_body(
        BatchRequest, await read_body(request, sandbox.config.max_body_bytes)
    )
    return {"id": sandbox.batches.submit(job_id, batch_request).id}


@router.get("/api/v4.1/job/{job_id}/batch/{batch_id}", dependencies=[Authorized])
async def get_batch(job_id: str, batch_id: str, sandbox: SandboxDep) -> dict[str, Any]:
    return sandbox.batches.batch(job_id, batch_id).to_json()
