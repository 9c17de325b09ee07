"""Async client of Fluent Commerce: OAuth, GraphQL, Event API and the REST calls of the Batch API.

One pooled `httpx.AsyncClient` per `FluentClient`; use it as an async context manager. The client
knows HTTP and Fluent's wire format, nothing about commercetools.

Errors follow `connector.errors`: 5xx, 429, timeouts, connection failures and Fluent S-codes are
`TransientError`; other 4xx and C/T-codes are `PermanentError` (`NotFoundError`,
`AlreadyExistsError` where Fluent says so), and so is an answer the models cannot read. The
client never retries a transient failure itself (Temporal's activity retry does, with its
backoff); it only renews the token once on a 401.

Idempotent creation: refs are derived from commercetools ids, so a retried create collides with
the entity the first attempt made and Fluent answers with a unique-constraint code, raised as
`AlreadyExistsError`. The `create_or_get_*` methods turn that into "read the existing entity".
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connector.config import FluentSettings
from connector.errors import (
    AlreadyExistsError,
    NotFoundError,
    PermanentError,
    TransientError,
    unreadable_answer,
)
from connector.fluent.errors import PLATFORM, classify_graphql_errors, error_codes, http_error
from connector.fluent.models import (
    BillingAccount,
    Category,
    CreateBillingAccountInput,
    CreateCategoryInput,
    CreateCustomerInput,
    CreateFulfilmentInput,
    CreateInvoiceInput,
    CreateOrderInput,
    CreateStandardProductInput,
    CreateVariantProductInput,
    Customer,
    EntityId,
    EventResponse,
    FluentEvent,
    FluentInput,
    FluentModel,
    Fulfilment,
    InventoryPosition,
    Invoice,
    Location,
    Network,
    Order,
    OrderDetails,
    ProductCatalogue,
    StandardProduct,
    UpdateCategoryInput,
    UpdateStandardProductInput,
    UpdateVariantProductInput,
    VariantProduct,
    VirtualPosition,
)
from connector.fluent.operations import get_operation

logger = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 100
"""Page size of list queries and of the follow-up queries that complete nested connections."""

REFS_PER_QUERY = 100
"""Refs per `ref: [...]` filter: long lists are split so no query grows without bound."""

TOKEN_REFRESH_MARGIN_SECONDS = 300.0
"""A token is renewed this long before it expires (at most half its lifetime)."""

DEFAULT_TOKEN_LIFETIME_SECONDS = 3600.0
"""Assumed lifetime when a token response omits `expires_in`; a 401 renews it anyway."""

ModelT = TypeVar("ModelT", bound=FluentModel)
ItemT = TypeVar("ItemT")
InputT = TypeVar("InputT", bound=FluentInput)
ProductT = TypeVar("ProductT", StandardProduct, VariantProduct)
Variables = Mapping[str, Any]
JsonObject = dict[str, Any]


class _TokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    access_token: str = Field(min_length=1)
    expires_in: float = Field(default=DEFAULT_TOKEN_LIFETIME_SECONDS, gt=0)


@dataclass(frozen=True, slots=True)
class _ProductKind(Generic[ProductT]):
    """Where the categories of one kind of product are paged when they exceed a page."""

    model: type[ProductT]
    single_field: str
    categories_operation: str


_STANDARD = _ProductKind(StandardProduct, "standardProduct", "StandardProductCategories")
_VARIANT = _ProductKind(VariantProduct, "variantProduct", "VariantProductCategories")


@dataclass(frozen=True, slots=True)
class Page(Generic[ItemT]):
    """One page of a connection. `cursor` continues after it (pass it as `after` to resume,
    e.g. after a retry); it is the `after` given when the page is empty."""

    items: list[ItemT]
    cursor: str | None
    has_next: bool


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    renew_at: float


def fluent_datetime(moment: datetime) -> str:
    """Fluent's DateTime format (UTC, milliseconds, `Z`). Naive datetimes are refused: their
    meaning depends on the machine's zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Fluent datetimes must be timezone-aware; got naive {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _updated_on(since: datetime | None) -> JsonObject | None:
    """The `updatedOn` filter of changes since a moment; None (left out) for everything."""
    return {"from": fluent_datetime(since)} if since else None


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _chunks(values: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _read(model: type[ModelT], data: Any) -> ModelT:
    """A Fluent answer the models cannot read is a permanent error naming the failing fields."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise unreadable_answer(exc, model.__name__, platform=PLATFORM) from None


def _nodes(connection: Any) -> list[JsonObject]:
    if not isinstance(connection, Mapping):
        return []
    return [
        edge["node"]
        for edge in connection.get("edges") or []
        if isinstance(edge, Mapping) and isinstance(edge.get("node"), dict)
    ]


class FluentClient:
    """The connector's only door to Fluent. Safe to share between concurrent tasks."""

    def __init__(
        self,
        settings: FluentSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._http = httpx.AsyncClient(
            base_url=settings.base_url,
            transport=transport,
            timeout=httpx.Timeout(settings.timeout_seconds),
            limits=httpx.Limits(
                max_connections=settings.max_connections,
                max_keepalive_connections=settings.max_connections,
            ),
            headers={"Accept": "application/json"},
        )
        self._token: _Token | None = None
        self._token_lock = asyncio.Lock()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def settings(self) -> FluentSettings:
        return self._settings

    # --- OAuth --------------------------------------------------------------------------------

    async def _current_token(self) -> _Token:
        token = self._token
        if token is not None and self._clock() < token.renew_at:
            return token
        return await self._renew_token(stale=token)

    async def _renew_token(self, *, stale: _Token | None) -> _Token:
        """Fetch a token unless another task already replaced `stale` with a fresh one, so
        concurrent callers cause a single token request."""
        async with self._token_lock:
            current = self._token
            if current is not None and current is not stale and self._clock() < current.renew_at:
                return current
            self._token = await self._request_token()
            return self._token

    async def _request_token(self) -> _Token:
        settings = self._settings
        form = {
            "username": settings.username,
            "password": settings.password.get_secret_value(),
            "client_id": settings.client_id,
            "client_secret": settings.client_secret.get_secret_value(),
            "grant_type": "password",
            "scope": "api",
        }
        requested_at = self._clock()
        response = await self._transmit("POST", "/oauth/token", data=form)
        if response.status_code in (400, 401, 403):
            raise PermanentError(
                "Fluent rejected the API credentials (check FLUENT_USERNAME, FLUENT_PASSWORD, "
                f"FLUENT_CLIENT_ID, FLUENT_CLIENT_SECRET): {response.text.strip()[:300]}",
                platform=PLATFORM,
                status_code=response.status_code,
            )
        self._raise_for_status(response)
        try:
            answer = _TokenResponse.model_validate(self._json(response))
        except ValidationError as exc:
            raise PermanentError(
                f"Fluent's token response is unusable: {exc.errors()[0]['msg']}",
                platform=PLATFORM,
                status_code=response.status_code,
            ) from None
        margin = min(TOKEN_REFRESH_MARGIN_SECONDS, answer.expires_in / 2)
        return _Token(value=answer.access_token, renew_at=requested_at + answer.expires_in - margin)

    # --- HTTP ---------------------------------------------------------------------------------

    async def _transmit(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            return await self._http.request(
                method, path, json=json_body, data=data, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise TransientError(
                f"{method} {path} timed out: {type(exc).__name__}", platform=PLATFORM
            ) from exc
        except httpx.TransportError as exc:
            raise TransientError(
                f"{method} {path} failed: {type(exc).__name__}: {exc}", platform=PLATFORM
            ) from exc

    def _raise_for_status(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        try:
            body_json: Any = response.json()
        except ValueError:
            body_json = None
        raise http_error(
            response.status_code, response.text, body_json, response.headers.get("Retry-After")
        )

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise PermanentError(
                f"Fluent answered {response.request.method} {response.request.url.path} with "
                f"non-JSON content ({response.headers.get('content-type', 'no content type')})",
                platform=PLATFORM,
                status_code=response.status_code,
            ) from None

    async def request_json(self, method: str, path: str, *, json_body: Any = None) -> Any:
        """An authenticated REST call (Event and Batch APIs); returns the decoded JSON body. A 401
        renews the token and retries once."""
        token = await self._current_token()
        response = await self._transmit(method, path, json_body=json_body, token=token.value)
        if response.status_code == 401:
            token = await self._renew_token(stale=token)
            response = await self._transmit(method, path, json_body=json_body, token=token.value)
            if response.status_code == 401:
                raise PermanentError(
                    f"Fluent refused a freshly issued token for {method} {path}: the API user "
                    "lacks the permission",
                    platform=PLATFORM,
                    status_code=401,
                )
        self._raise_for_status(response)
        return self._json(response)

    # --- GraphQL ------------------------------------------------------------------------------

    async def graphql(self, operation_name: str, variables: Variables | None = None) -> JsonObject:
        """Run a registered operation and return its `data`. Null variables are left out."""
        operation = get_operation(operation_name)
        body = {
            "query": operation.document,
            "operationName": operation.name,
            "variables": {
                name: value for name, value in (variables or {}).items() if value is not None
            },
        }
        payload = await self.request_json("POST", "/graphql", json_body=body)
        if not isinstance(payload, Mapping):
            raise PermanentError(
                f"{operation_name}: response is not a JSON object", platform=PLATFORM
            )
        errors = payload.get("errors")
        data = payload.get("data")
        if errors:
            if not isinstance(errors, list):
                raise PermanentError(
                    f"{operation_name}: malformed errors {errors!r}", platform=PLATFORM
                )
            if not (isinstance(data, dict) and _only_warnings(errors)):
                raise classify_graphql_errors(errors)
            logger.warning("Fluent %s answered with warnings: %s", operation_name, errors)
        if not isinstance(data, dict):
            raise PermanentError(f"{operation_name}: response has no data", platform=PLATFORM)
        return data

    async def _connection_pages(
        self,
        operation_name: str,
        variables: Variables,
        path: Sequence[str],
        *,
        page_size: int,
    ) -> AsyncIterator[JsonObject]:
        current = {"first": page_size, **variables}
        while True:
            data = await self.graphql(operation_name, current)
            connection = _at_path(data, path, operation_name)
            yield connection
            if not (connection.get("pageInfo") or {}).get("hasNextPage"):
                return
            current = {**current, "after": _last_cursor(connection, operation_name)}

    async def paginate(
        self,
        operation_name: str,
        variables: Variables,
        path: Sequence[str],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncIterator[list[JsonObject]]:
        """The nodes of a connection, a page at a time. `path` locates the connection in the
        data (e.g. `("network", "locations")`); the next page starts after the last edge's cursor
        (the 2022 schema has no `endCursor`) until `pageInfo.hasNextPage` is false. `first`
        defaults to `page_size` unless `variables` sets it."""
        async for connection in self._connection_pages(
            operation_name, variables, path, page_size=page_size
        ):
            yield _nodes(connection)

    async def _complete(
        self, connection: Any, operation_name: str, variables: Variables, path: Sequence[str]
    ) -> None:
        """Append the remaining pages of a nested connection in place, so models get it whole."""
        if not isinstance(connection, dict):
            return
        page_info = connection.get("pageInfo") or {}
        if not page_info.get("hasNextPage"):
            return
        edges = connection["edges"] = list(connection.get("edges") or [])
        follow_up = {**variables, "after": _last_cursor(connection, operation_name)}
        async for page in self._connection_pages(
            operation_name, follow_up, path, page_size=DEFAULT_PAGE_SIZE
        ):
            edges.extend(page.get("edges") or [])
        connection["pageInfo"] = {**page_info, "hasNextPage": False}

    async def _complete_order(self, order: JsonObject) -> None:
        order_id = {"id": order["id"]}
        await self._complete(order.get("items"), "OrderItems", order_id, ("orderById", "items"))
        if "fulfilments" in order:
            await self._complete(
                order["fulfilments"], "OrderFulfilments", order_id, ("orderById", "fulfilments")
            )
            for fulfilment in _nodes(order["fulfilments"]):
                await self._complete_fulfilment(fulfilment)

    async def _complete_fulfilment(self, fulfilment: JsonObject) -> None:
        fulfilment_id = {"id": fulfilment["id"]}
        await self._complete(
            fulfilment.get("items"), "FulfilmentItems", fulfilment_id, ("fulfilmentById", "items")
        )
        await self._complete(
            fulfilment.get("articles"),
            "FulfilmentArticles",
            fulfilment_id,
            ("fulfilmentById", "articles"),
        )
        for article in _nodes(fulfilment.get("articles")):
            article_id = {"id": article["id"]}
            await self._complete(
                article.get("items"), "ArticleItems", article_id, ("articleById", "items")
            )
            await self._complete(
                article.get("consignmentArticles"),
                "ArticleConsignments",
                article_id,
                ("articleById", "consignmentArticles"),
            )

    async def _mutate(self, operation_name: str, field: str, value: FluentInput) -> JsonObject:
        data = await self.graphql(operation_name, {"input": value.to_variables()})
        result = data.get(field)
        if not isinstance(result, dict):
            raise PermanentError(f"{operation_name}: Fluent returned no {field}", platform=PLATFORM)
        return result

    async def _find_one(
        self, operation_name: str, variables: Variables, field: str, model: type[ModelT]
    ) -> ModelT | None:
        """The first node of a lookup by a unique value, None when there is none."""
        nodes = _nodes((await self.graphql(operation_name, variables)).get(field))
        return _read(model, nodes[0]) if nodes else None

    def _network_ref(self, ref: str | None) -> str:
        network_ref = ref or self._settings.network_ref
        if not network_ref:
            raise ValueError("no network ref given and FLUENT_NETWORK_REF is not set")
        return network_ref

    def _with_retailer(self, value: InputT) -> InputT:
        """Inputs whose `retailer` is unset are sent for the configured retailer."""
        if getattr(value, "retailer", False) is None:
            return value.model_copy(update={"retailer": EntityId(id=self._settings.retailer_id)})
        return value

    @staticmethod
    async def _create_or_get(
        create: Callable[[], Awaitable[ModelT]],
        find: Callable[[], Awaitable[ModelT | None]],
        what: str,
    ) -> ModelT:
        try:
            return await create()
        except AlreadyExistsError as exc:
            existing = await find()
            if existing is None:
                raise PermanentError(
                    f"Fluent says {what} exists but it cannot be read back: {exc.message}",
                    platform=PLATFORM,
                    codes=exc.codes,
                ) from exc
            return existing

    # --- customers ----------------------------------------------------------------------------

    async def find_customer(self, username: str) -> Customer | None:
        return await self._find_one(
            "CustomerByUsername", {"username": username}, "customers", Customer
        )

    async def create_customer(self, customer: CreateCustomerInput) -> Customer:
        """Raises `AlreadyExistsError` when the username is taken."""
        result = await self._mutate(
            "CreateCustomer", "createCustomer", self._with_retailer(customer)
        )
        return _read(Customer, result)

    async def create_or_get_customer(self, customer: CreateCustomerInput) -> Customer:
        return await self._create_or_get(
            lambda: self.create_customer(customer),
            lambda: self.find_customer(customer.username),
            f"customer {customer.username}",
        )

    # --- orders -------------------------------------------------------------------------------

    async def find_order(self, ref: str) -> Order | None:
        data = await self.graphql("OrderByRef", {"ref": ref})
        nodes = _nodes(data.get("orders"))
        if not nodes:
            return None
        await self._complete_order(nodes[0])
        return _read(Order, nodes[0])

    async def create_order(self, order: CreateOrderInput) -> Order:
        """Raises `AlreadyExistsError` when an order with this ref exists."""
        result = await self._mutate("CreateOrder", "createOrder", self._with_retailer(order))
        await self._complete_order(result)
        return _read(Order, result)

    async def create_or_get_order(self, order: CreateOrderInput) -> Order:
        return await self._create_or_get(
            lambda: self.create_order(order),
            lambda: self.find_order(order.ref),
            f"order {order.ref}",
        )

    async def order_details(self, order_id: str) -> OrderDetails:
        """The order with its fulfilments, articles and consignments, every list complete."""
        data = await self.graphql("OrderDetails", {"id": order_id})
        order = data.get("orderById")
        if not isinstance(order, dict):
            raise NotFoundError(f"Fluent order {order_id} not found", platform=PLATFORM)
        await self._complete_order(order)
        return _read(OrderDetails, order)

    # --- fulfilments --------------------------------------------------------------------------

    async def find_fulfilments(self, refs: Iterable[str]) -> list[Fulfilment]:
        """Every fulfilment whose ref is in `refs` (none for no refs)."""
        found: list[Fulfilment] = []
        for chunk in _chunks(_unique(refs), REFS_PER_QUERY):
            async for page in self.paginate(
                "FulfilmentsByRef", {"refs": list(chunk)}, ("fulfilments",)
            ):
                for node in page:
                    await self._complete_fulfilment(node)
                    found.append(_read(Fulfilment, node))
        return found

    async def find_fulfilment(self, ref: str) -> Fulfilment | None:
        found = await self.find_fulfilments([ref])
        return found[0] if found else None

    async def create_fulfilment(self, fulfilment: CreateFulfilmentInput) -> Fulfilment:
        """Raises `AlreadyExistsError` when a fulfilment with this ref exists."""
        result = await self._mutate("CreateFulfilment", "createFulfilment", fulfilment)
        await self._complete_fulfilment(result)
        return _read(Fulfilment, result)

    async def create_or_get_fulfilment(self, fulfilment: CreateFulfilmentInput) -> Fulfilment:
        return await self._create_or_get(
            lambda: self.create_fulfilment(fulfilment),
            lambda: self.find_fulfilment(fulfilment.ref),
            f"fulfilment {fulfilment.ref}",
        )

    # --- locations and inventory --------------------------------------------------------------

    async def network_locations(
        self,
        network_ref: str | None = None,
        *,
        updated_since: datetime | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncIterator[list[Location]]:
        """The locations of a network (default: the configured one), a page at a time; only
        those updated at or after `updated_since` when given."""
        async for page in self.network_location_pages(
            network_ref, updated_since=updated_since, page_size=page_size
        ):
            yield page.items

    async def network(self, ref: str | None = None) -> Network | None:
        """The network (default: the configured one), or None when Fluent has none by that
        ref."""
        data = await self.graphql("NetworkByRef", {"ref": self._network_ref(ref)})
        found = data.get("network")
        return _read(Network, found) if isinstance(found, dict) else None

    async def network_location(self, ref: str, network_ref: str | None = None) -> Location | None:
        """The location with this ref if it belongs to the network (default: the configured
        one); None when it does not exist or is not in the network."""
        network = self._network_ref(network_ref)
        data = await self.graphql("NetworkLocationByRef", {"networkRef": network, "ref": ref})
        found = data.get("network")
        if not isinstance(found, dict):
            raise NotFoundError(f"Fluent network {network} not found", platform=PLATFORM)
        nodes = _nodes(found.get("locations"))
        return _read(Location, nodes[0]) if nodes else None

    async def _model_pages(
        self,
        operation_name: str,
        variables: Variables,
        path: Sequence[str],
        model: type[ModelT],
        *,
        after: str | None,
        page_size: int,
    ) -> AsyncIterator[Page[ModelT]]:
        cursor = after
        async for connection in self._connection_pages(
            operation_name, {**variables, "after": after}, path, page_size=page_size
        ):
            nodes = _nodes(connection)
            if nodes:
                cursor = _last_cursor(connection, operation_name)
            has_next = bool((connection.get("pageInfo") or {}).get("hasNextPage"))
            yield Page([_read(model, node) for node in nodes], cursor, has_next)

    async def network_location_pages(
        self,
        network_ref: str | None = None,
        *,
        updated_since: datetime | None = None,
        after: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncIterator[Page[Location]]:
        """`network_locations` with each page's cursor, starting after `after`."""
        ref = self._network_ref(network_ref)
        variables = {"networkRef": ref, "updatedOn": _updated_on(updated_since)}
        pages = self._model_pages(
            "NetworkLocations",
            variables,
            ("network", "locations"),
            Location,
            after=after,
            page_size=page_size,
        )
        try:
            async for page in pages:
                yield page
        except NotFoundError as exc:
            raise NotFoundError(
                f"Fluent network {ref} not found", platform=PLATFORM, codes=exc.codes
            ) from exc

    def virtual_position_pages(
        self,
        catalogue_ref: str | None = None,
        *,
        updated_since: datetime | None = None,
        after: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncIterator[Page[VirtualPosition]]:
        """Every position of a virtual catalogue (default the configured `ATS:<n>`), or those
        updated since a moment, with each page's cursor, starting after `after`."""
        variables = {
            "catalogue": {"ref": catalogue_ref or self._settings.virtual_catalogue_ref},
            "updatedOn": _updated_on(updated_since),
        }
        return self._model_pages(
            "VirtualPositions",
            variables,
            ("virtualPositions",),
            VirtualPosition,
            after=after,
            page_size=page_size,
        )

    def inventory_position_pages(
        self,
        catalogue_ref: str | None = None,
        *,
        updated_since: datetime | None = None,
        after: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncIterator[Page[InventoryPosition]]:
        """Every position of an inventory catalogue (default the configured one), or those
        updated since a moment, with each page's cursor, starting after `after`."""
        variables = {
            "catalogue": {"ref": catalogue_ref or self._settings.inventory_catalogue},
            "updatedOn": _updated_on(updated_since),
        }
        return self._model_pages(
            "InventoryPositionsUpdated",
            variables,
            ("inventoryPositions",),
            InventoryPosition,
            after=after,
            page_size=page_size,
        )

    async def get_location(self, ref: str) -> Location | None:
        return await self._find_one("LocationByRef", {"ref": ref}, "locations", Location)

    async def inventory_positions(
        self,
        product_refs: Iterable[str],
        *,
        location_refs: Iterable[str] | None = None,
        catalogue_ref: str | None = None,
    ) -> list[InventoryPosition]:
        """Stock per location of the given products (at the given locations, default all), in
        an inventory catalogue (default the configured one)."""
        locations = _unique(location_refs) if location_refs is not None else None
        if locations == []:
            return []
        catalogue = {"ref": catalogue_ref or self._settings.inventory_catalogue}
        positions: list[InventoryPosition] = []
        for chunk in _chunks(_unique(product_refs), REFS_PER_QUERY):
            variables = {
                "productRefs": list(chunk),
                "locationRefs": locations,
                "catalogue": catalogue,
            }
            async for page in self.paginate(
                "InventoryPositions", variables, ("inventoryPositions",)
            ):
                positions.extend(_read(InventoryPosition, node) for node in page)
        return positions

    async def virtual_positions(
        self,
        catalogue_ref: str | None = None,
        *,
        product_refs: Iterable[str] | None = None,
        updated_since: datetime | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncIterator[list[VirtualPosition]]:
        """Aggregate available-to-sell per product in a virtual catalogue (default the
        configured `ATS:<n>`), a page at a time; all products when `product_refs` is None."""
        variables: dict[str, Any] = {
            "catalogue": {"ref": catalogue_ref or self._settings.virtual_catalogue_ref},
            "updatedOn": _updated_on(updated_since),
        }
        chunks: Iterable[Sequence[str] | None] = (
            [None] if product_refs is None else _chunks(_unique(product_refs), REFS_PER_QUERY)
        )
        for chunk in chunks:
            chunk_variables = {**variables, "productRefs": list(chunk) if chunk else None}
            async for page in self.paginate(
                "VirtualPositions", chunk_variables, ("virtualPositions",), page_size=page_size
            ):
                yield [_read(VirtualPosition, node) for node in page]

    # --- catalogue ----------------------------------------------------------------------------

    async def _catalogue_nodes(
        self, operation_name: str, field: str, refs: Iterable[str], catalogue_ref: str | None
    ) -> AsyncIterator[JsonObject]:
        catalogue = {"ref": catalogue_ref or self._settings.catalogue_ref}
        for chunk in _chunks(_unique(refs), REFS_PER_QUERY):
            variables = {"refs": list(chunk), "catalogue": catalogue}
            async for page in self.paginate(operation_name, variables, (field,)):
                for node in page:
                    yield node

    async def _product(self, node: JsonObject, kind: _ProductKind[ProductT]) -> ProductT:
        """The product model, after completing its category list if it has more pages."""
        catalogue = node.get("catalogue") or {}
        await self._complete(
            node.get("categories"),
            kind.categories_operation,
            {"ref": node.get("ref"), "catalogue": {"ref": catalogue.get("ref")}},
            (kind.single_field, "categories"),
        )
        return _read(kind.model, node)

    async def standard_products(
        self, refs: Iterable[str], catalogue_ref: str | None = None
    ) -> dict[str, StandardProduct]:
        """The standard products with these refs that exist, by ref (default catalogue: the
        configured product catalogue)."""
        nodes = self._catalogue_nodes("StandardProducts", "standardProducts", refs, catalogue_ref)
        return {node["ref"]: await self._product(node, _STANDARD) async for node in nodes}

    async def variant_products(
        self, refs: Iterable[str], catalogue_ref: str | None = None
    ) -> dict[str, VariantProduct]:
        """The variant products with these refs that exist, by ref."""
        nodes = self._catalogue_nodes("VariantProducts", "variantProducts", refs, catalogue_ref)
        return {node["ref"]: await self._product(node, _VARIANT) async for node in nodes}

    async def categories(
        self, refs: Iterable[str], catalogue_ref: str | None = None
    ) -> dict[str, Category]:
        """The categories with these refs that exist, by ref."""
        nodes = self._catalogue_nodes("Categories", "categories", refs, catalogue_ref)
        return {node["ref"]: _read(Category, node) async for node in nodes}

    async def product_catalogue(self, ref: str | None = None) -> ProductCatalogue | None:
        """The product catalogue (default: the configured one), or None when Fluent has none
        by that ref."""
        data = await self.graphql(
            "ProductCatalogueByRef", {"ref": ref or self._settings.catalogue_ref}
        )
        found = data.get("productCatalogue")
        return _read(ProductCatalogue, found) if isinstance(found, dict) else None

    async def create_standard_product(self, product: CreateStandardProductInput) -> StandardProduct:
        """Raises `AlreadyExistsError` when the ref exists in the catalogue."""
        result = await self._mutate("CreateStandardProduct", "createStandardProduct", product)
        return await self._product(result, _STANDARD)

    async def update_standard_product(self, product: UpdateStandardProductInput) -> StandardProduct:
        result = await self._mutate("UpdateStandardProduct", "updateStandardProduct", product)
        return await self._product(result, _STANDARD)

    async def create_variant_product(self, product: CreateVariantProductInput) -> VariantProduct:
        """Raises `AlreadyExistsError` when the ref exists in the catalogue."""
        result = await self._mutate("CreateVariantProduct", "createVariantProduct", product)
        return await self._product(result, _VARIANT)

    async def update_variant_product(self, product: UpdateVariantProductInput) -> VariantProduct:
        result = await self._mutate("UpdateVariantProduct", "updateVariantProduct", product)
        return await self._product(result, _VARIANT)

    async def create_category(self, category: CreateCategoryInput) -> Category:
        """Raises `AlreadyExistsError` when the ref exists in the catalogue."""
        return _read(Category, await self._mutate("CreateCategory", "createCategory", category))

    async def update_category(self, category: UpdateCategoryInput) -> Category:
        return _read(Category, await self._mutate("UpdateCategory", "updateCategory", category))

    # --- billing ------------------------------------------------------------------------------

    async def find_billing_account(self, ref: str) -> BillingAccount | None:
        return await self._find_one(
            "BillingAccountByRef", {"ref": ref}, "billingAccounts", BillingAccount
        )

    async def create_billing_account(self, account: CreateBillingAccountInput) -> BillingAccount:
        """Raises `AlreadyExistsError` when the ref exists."""
        result = await self._mutate(
            "CreateBillingAccount", "createBillingAccount", self._with_retailer(account)
        )
        return _read(BillingAccount, result)

    async def create_or_get_billing_account(
        self, account: CreateBillingAccountInput
    ) -> BillingAccount:
        return await self._create_or_get(
            lambda: self.create_billing_account(account),
            lambda: self.find_billing_account(account.ref),
            f"billing account {account.ref}",
        )

    async def find_invoice(self, ref: str) -> Invoice | None:
        return await self._find_one("InvoiceByRef", {"ref": ref}, "invoices", Invoice)

    async def create_invoice(self, invoice: CreateInvoiceInput) -> Invoice:
        """Raises `AlreadyExistsError` when the ref exists. The order link defaults to the
        configured retailer."""
        if invoice.order is not None:
            invoice = invoice.model_copy(update={"order": self._with_retailer(invoice.order)})
        return _read(Invoice, await self._mutate("CreateInvoice", "createInvoice", invoice))

    async def create_or_get_invoice(self, invoice: CreateInvoiceInput) -> Invoice:
        return await self._create_or_get(
            lambda: self.create_invoice(invoice),
            lambda: self.find_invoice(invoice.ref),
            f"invoice {invoice.ref}",
        )

    # --- Event API ----------------------------------------------------------------------------

    async def send_event(self, event: FluentEvent, *, sync: bool = True) -> EventResponse:
        """Post an event to Fluent's workflow engine. `sync` runs the workflow before answering
        (the answer's `event_status` tells how it went); async only queues it."""
        if event.retailer_id is None:
            event = event.model_copy(update={"retailer_id": self._settings.retailer_id})
        path = "/api/v4.1/event/sync" if sync else "/api/v4.1/event/async"
        answer = await self.request_json("POST", path, json_body=event.to_variables())
        return _read(EventResponse, answer if isinstance(answer, Mapping) else {})


def _only_warnings(errors: Sequence[Any]) -> bool:
    """True when every error carries Fluent codes and all of them are warnings (`...W`)."""
    for error in errors:
        if not isinstance(error, Mapping):
            return False
        codes = error_codes(error)
        if not codes or not all(code.endswith("W") for code in codes):
            return False
    return True


def _at_path(data: Mapping[str, Any], path: Sequence[str], operation_name: str) -> JsonObject:
    current: Any = data
    for step, key in enumerate(path):
        current = current.get(key) if isinstance(current, Mapping) else None
        if current is None:
            location = ".".join(path[: step + 1])
            raise NotFoundError(f"{operation_name}: nothing at {location}", platform=PLATFORM)
    if not isinstance(current, dict):
        raise PermanentError(
            f"{operation_name}: {'.'.join(path)} is not a connection", platform=PLATFORM
        )
    return current


def _last_cursor(connection: Mapping[str, Any], operation_name: str) -> str:
    edges = connection.get("edges") or []
    cursor = edges[-1].get("cursor") if edges and isinstance(edges[-1], Mapping) else None
    if not isinstance(cursor, str) or not cursor:
        raise PermanentError(
            f"{operation_name}: Fluent reports a next page but gave no cursor to continue from",
            platform=PLATFORM,
        )
    return cursor
