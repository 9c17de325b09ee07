"""Custom objects (`/custom-objects`): JSON documents under a container and a key.

`POST /custom-objects` creates the object or replaces its value (the platform's upsert); with a
`version`, only if the stored object still has it (409 `ConcurrentModification` otherwise), and
a version on a missing object is refused as on the platform. `GET` and `DELETE` address an
object by container and key; `GET /custom-objects/{container}` lists a container. Scopes:
`view_key_value_documents` / `manage_key_value_documents` (or `manage_project`).
"""

from __future__ import annotations

import threading
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import Field, TypeAdapter
from starlette.responses import JSONResponse

from sandbox.commercetools.api import Api
from sandbox.commercetools.errors import concurrent_modification, invalid_operation, not_found
from sandbox.commercetools.store import Resource
from sandbox.commercetools.wire import WireModel, parse_body

SCOPE = "key_value_documents"
Name = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[-_~.a-zA-Z0-9]+$")]


class CustomObjectDraft(WireModel):
    container: Name
    key: Name
    value: Any
    version: int | None = None


_DRAFT = TypeAdapter(CustomObjectDraft)


def custom_objects_router(api: Api) -> APIRouter:
    """The routes, guarded as the API's, over a document table of their own (custom objects are
    not messages' resources: they have no `key` index or update actions)."""
    store = api.store
    documents: dict[tuple[str, str], Resource] = {}
    lock = threading.Lock()
    router = APIRouter()
    base = "/{project_key}/custom-objects"

    def find(container: str, key: str) -> Resource:
        found = documents.get((container, key))
        if found is None:
            raise not_found(what=f"The CustomObject with key '{container}/{key}' was not found.")
        return found

    async def upsert(request: Request, project_key: str) -> Response:
        api.guard(request, project_key, SCOPE, write=True)
        draft = parse_body(_DRAFT, await request.body())
        with lock:
            current = documents.get((draft.container, draft.key))
            now = store.now()
            if current is None:
                if draft.version not in (None, 0):
                    raise invalid_operation(
                        f"The CustomObject '{draft.container}/{draft.key}' does not exist, so "
                        f"it cannot have version {draft.version}."
                    )
                stored = {
                    "id": str(uuid.uuid4()),
                    "version": 1,
                    "container": draft.container,
                    "key": draft.key,
                    "value": draft.value,
                    "createdAt": now,
                    "lastModifiedAt": now,
                }
                status = 201
            else:
                if draft.version is not None and draft.version != current["version"]:
                    raise concurrent_modification(current["id"], draft.version, current["version"])
                stored = {
                    **current,
                    "version": current["version"] + 1,
                    "value": draft.value,
                    "lastModifiedAt": now,
                }
                status = 200
            documents[(draft.container, draft.key)] = stored
        return JSONResponse(stored, status_code=status)

    async def get(request: Request, project_key: str, container: str, key: str) -> Response:
        api.guard(request, project_key, SCOPE, write=False)
        return JSONResponse(find(container, key))

    async def query_container(request: Request, project_key: str, container: str) -> Response:
        api.guard(request, project_key, SCOPE, write=False)
        results = [doc for (owner, _), doc in sorted(documents.items()) if owner == container]
        body = {"limit": 500, "offset": 0, "count": len(results), "results": results}
        return JSONResponse(body)

    async def delete(request: Request, project_key: str, container: str, key: str) -> Response:
        api.guard(request, project_key, SCOPE, write=True)
        with lock:
            return JSONResponse(documents.pop((container, key), None) or find(container, key))

    router.add_api_route(base, upsert, methods=["POST"], name="create or update custom-objects")
    router.add_api_route(
        f"{base}/{{container}}", query_container, methods=["GET"], name="query custom-objects"
    )
    router.add_api_route(
        f"{base}/{{container}}/{{key}}", get, methods=["GET"], name="get custom-objects"
    )
    router.add_api_route(
        f"{base}/{{container}}/{{key}}", delete, methods=["DELETE"], name="delete custom-objects"
    )
    return router
