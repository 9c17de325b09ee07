"""The HTTP API: `/oauth/token` and `/{projectKey}/...`, generated from the resource specs.

Every resource gets the same endpoints as on the platform — query (`GET /{resource}`), create
(`POST /{resource}`), get, update and delete by id and by key — plus the special ones: product
projections, `POST /orders/import`, `/orders/order-number={n}` and the project itself. Routes are
registered one per resource (not with a `{resource}` parameter) so the request counters of
`sandbox.common` report `GET /{project_key}/orders` rather than a generic template.

Each API call checks the bearer token first (401), then the project key (404), then the
token's scopes (403).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from starlette.responses import JSONResponse

from sandbox.commercetools import query as queries
from sandbox.commercetools.auth import TokenService
from sandbox.commercetools.errors import auth_error, malformed_parameter, not_found
from sandbox.commercetools.resources import SPECS, orders, products
from sandbox.commercetools.resources.base import ResourceSpec
from sandbox.commercetools.resources.reference_data import COUNTRIES
from sandbox.commercetools.store import Resource, Store, UpdateContext
from sandbox.commercetools.wire import parse_body

Endpoint = Callable[..., Awaitable[Response]]


def json_response(content: Any, status_code: int = 200) -> Response:
    return JSONResponse(content, status_code=status_code)


class Api:
    """Builds the routes over one store and one token service."""

    def __init__(self, store: Store, tokens: TokenService) -> None:
        self.store = store
        self.tokens = tokens
        self.router = APIRouter()
        self.router.add_api_route("/oauth/token", self.token, methods=["POST"])
        for spec in SPECS:
            if spec.path == "orders":
                self._order_routes()
            if spec.path == "products":
                self._projection_routes()
            self._resource_routes(spec)
        self.router.add_api_route("/{project_key}", self.project, methods=["GET"])

    # --- auth -----------------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        raw = (await request.body()).decode(errors="replace")
        form = dict(parse_qsl(raw, keep_blank_values=True))
        for name, value in request.query_params.items():
            form.setdefault(name, value)
        if not form and request.headers.get("content-type", "").startswith("application/json"):
            raise auth_error(
                400, "invalid_request", "Send the token request as a form (x-www-form-urlencoded)."
            )
        return json_response(self.tokens.issue(request.headers.get("authorization"), form))

    def guard(
        self,
        request: Request,
        project_key: str,
        scope: str,
        *,
        write: bool,
        also: frozenset[str] = frozenset(),
    ) -> None:
        token = self.tokens.authenticate(request.headers.get("authorization"))
        if project_key != self.store.project_key:
            raise not_found(what=f"The project '{project_key}' does not exist.")
        self.tokens.authorize(token, scope, write=write, also=also)

    # --- generic resource routes ----------------------------------------------------------------

    def _resource_routes(self, spec: ResourceSpec[Any, Any]) -> None:
        base = f"/{{project_key}}/{spec.path}"
        add = self.router.add_api_route
        add(base, self._query(spec), methods=["GET"], name=f"query {spec.path}")
        if spec.draft is not None and spec.create is not None:
            add(base, self._create(spec), methods=["POST"], name=f"create {spec.path}")
        lookup_by_key = self.store.collection(spec.type_id).has_unique("key")
        if lookup_by_key:
            self._item_routes(spec, f"{base}/key={{key}}", "key")
        self._item_routes(spec, f"{base}/{{resource_id}}", "resource_id")

    def _item_routes(self, spec: ResourceSpec[Any, Any], path: str, param: str) -> None:
        add = self.router.add_api_route

        def find(identifier: str) -> Resource:
            if param == "key":
                return self.store.get_by_key(spec.type_id, identifier)
            return self.store.get(spec.type_id, identifier)

        async def get(request: Request, project_key: str) -> Response:
            self.guard(request, project_key, spec.scope, write=False)
            expand = parse_expansions(request)
            found = find(request.path_params[param])
            return json_response(queries.expand(found, expand, self.store.lookup))

        add(path, get, methods=["GET"], name=f"get {spec.path} by {param}")
        if spec.update is not None and spec.apply is not None:
            add(path, self._update(spec, find, param), methods=["POST"], name=f"update {spec.path}")
        if spec.deletable and spec.create is not None:

            async def delete(request: Request, project_key: str) -> Response:
                self.guard(request, project_key, spec.scope, write=True)
                version = _version_parameter(request)
                found = find(request.path_params[param])
                deleted = self.store.delete(spec.type_id, found["id"], version)
                return json_response(deleted)

            add(path, delete, methods=["DELETE"], name=f"delete {spec.path}")

    def _query(self, spec: ResourceSpec[Any, Any]) -> Endpoint:
        async def query(request: Request, project_key: str) -> Response:
            self.guard(request, project_key, spec.scope, write=False)
            parsed = queries.parse_query(request.query_params.multi_items())
            resources = self.store.collection(spec.type_id)
            return json_response(queries.run_query(resources, parsed, self.store.lookup))

        return query

    def _create(self, spec: ResourceSpec[Any, Any]) -> Endpoint:
        assert spec.draft is not None
        assert spec.create is not None
        adapter, create = spec.draft, spec.create

        async def create_resource(request: Request, project_key: str) -> Response:
            self.guard(request, project_key, spec.scope, write=True)
            expand = parse_expansions(request)
            draft = parse_body(adapter, await request.body())
            with self.store.lock:
                created = create(self.store, draft)
            expanded = queries.expand(created, expand, self.store.lookup)
            return json_response(spec.created_body(expanded), 201)

        return create_resource

    def _update(
        self, spec: ResourceSpec[Any, Any], find: Callable[[str], Resource], param: str
    ) -> Endpoint:
        assert spec.update is not None
        assert spec.apply is not None
        adapter, apply = spec.update, spec.apply

        async def update(request: Request, project_key: str) -> Response:
            self.guard(request, project_key, spec.scope, write=True)
            expand = parse_expansions(request)
            body = parse_body(adapter, await request.body())

            def mutate(context: UpdateContext) -> None:
                for action in body.actions:
                    apply(context, action)

            with self.store.lock:
                target = find(request.path_params[param])
                updated = self.store.update(
                    spec.type_id, target["id"], body.version, mutate, working_copy=spec.working_copy
                )
            return json_response(queries.expand(updated, expand, self.store.lookup))

        return update

    # --- special routes -------------------------------------------------------------------------

    def _order_routes(self) -> None:
        spec = orders.SPEC
        base = "/{project_key}/orders"

        async def import_order(request: Request, project_key: str) -> Response:
            self.guard(request, project_key, spec.scope, write=True)
            expand = parse_expansions(request)
            draft = parse_body(orders.IMPORT_DRAFT, await request.body())
            with self.store.lock:
                created = orders.create_imported(self.store, draft)
            return json_response(queries.expand(created, expand, self.store.lookup), 201)

        self.router.add_api_route(
            f"{base}/import", import_order, methods=["POST"], name="import orders"
        )

        def by_number(order_number: str) -> Resource:
            found = self.store.collection("order").find("orderNumber", order_number)
            if found is None:
                raise not_found(
                    what=f"The Resource with orderNumber '{order_number}' was not found."
                )
            return found

        async def get(request: Request, project_key: str, order_number: str) -> Response:
            self.guard(request, project_key, spec.scope, write=False)
            expand = parse_expansions(request)
            return json_response(queries.expand(by_number(order_number), expand, self.store.lookup))

        # `:path`: order numbers are free text and may contain "/" (sent as %2F, which the
        # ASGI path arrives decoded).
        path = f"{base}/order-number={{order_number:path}}"
        self.router.add_api_route(path, get, methods=["GET"], name="get orders by number")
        self.router.add_api_route(
            path,
            self._update(spec, by_number, "order_number"),
            methods=["POST"],
            name="update orders by number",
        )

    def _projection_routes(self) -> None:
        base = "/{project_key}/product-projections"
        staged_only = frozenset({"staged"})

        def guarded_staged(request: Request, project_key: str) -> bool:
            """Check the token (published data may also be read with view_published_products),
            then return the validated `staged` parameter."""
            wants_staged = request.query_params.get("staged") == "true"
            also = frozenset() if wants_staged else frozenset({"view_published_products"})
            self.guard(request, project_key, "products", write=False, also=also)
            return queries.parse_bool(request.query_params.multi_items(), "staged", default=False)

        async def query(request: Request, project_key: str) -> Response:
            staged = guarded_staged(request, project_key)
            parsed = queries.parse_query(request.query_params.multi_items(), extra=staged_only)
            found = products.projections(self.store, staged=staged)
            return json_response(queries.run_query(found, parsed, self.store.lookup))

        def item(param: str) -> Endpoint:
            async def get(request: Request, project_key: str) -> Response:
                staged = guarded_staged(request, project_key)
                expand = parse_expansions(request, extra=staged_only)
                value = request.path_params[param]
                collection = self.store.collection("product")
                product = collection.find("key", value) if param == "key" else collection.get(value)
                label = f"key '{value}'" if param == "key" else f"ID '{value}'"
                found = products.get_projection(product, staged=staged, lookup=label)
                return json_response(queries.expand(found, expand, self.store.lookup))

            return get

        add = self.router.add_api_route
        add(base, query, methods=["GET"], name="query product-projections")
        add(
            f"{base}/key={{key}}",
            item("key"),
            methods=["GET"],
            name="get product-projections by key",
        )
        add(
            f"{base}/{{resource_id}}",
            item("resource_id"),
            methods=["GET"],
            name="get product-projections",
        )

    async def project(self, request: Request, project_key: str) -> Response:
        self.guard(request, project_key, "project_settings", write=False)
        return json_response(
            {
                "version": 1,
                "key": self.store.project_key,
                "name": f"{self.store.project_key} (commercetools sandbox)",
                "countries": COUNTRIES,
                "currencies": ["EUR", "CHF", "GBP", "USD", "DKK"],
                "languages": ["en", "de"],
                "createdAt": "2026-01-01T00:00:00.000Z",
                "messages": {"enabled": True, "deleteDaysAfterCreation": 15},
                "carts": {
                    "deleteDaysAfterLastModification": 90,
                    "countryTaxRateFallbackEnabled": False,
                    "priceRoundingMode": "HalfEven",
                    "taxRoundingMode": "HalfEven",
                },
                "discounts": {"discountCombinationMode": "Stacking"},
                "inventory": {"releaseExpiredReservations": False},
            }
        )


def parse_expansions(
    request: Request, extra: frozenset[str] = frozenset()
) -> tuple[tuple[str, ...], ...]:
    """`expand` parameters of a single-resource call; other parameters are a 400."""
    pairs = request.query_params.multi_items()
    for name, _ in pairs:
        if name != "expand" and name not in extra:
            raise malformed_parameter(name, "unknown query parameter (supported: expand)")
    return tuple(queries.parse_expand(v) for n, v in pairs if n == "expand")


def _version_parameter(request: Request) -> int:
    pairs = request.query_params.multi_items()
    for name, _ in pairs:
        if name != "version":
            raise malformed_parameter(name, "unknown query parameter (supported: version)")
    value = queries.single(pairs, "version")
    if value is None:
        raise malformed_parameter("version", "the version to delete is required")
    try:
        return int(value)
    except ValueError:
        raise malformed_parameter("version", f"invalid integer '{value}'") from None
