"""Async client for the commercetools HTTP API: auth, paging, error classification, 409 retries.

Every call goes through `CommercetoolsClient._request`, which adds the bearer token and turns
failures into the shared error taxonomy (`connector.errors`). The client does not retry
transient failures itself: Temporal activities do, with their own backoff and visibility. It
only refreshes an expired or revoked token once, and re-applies updates after version
conflicts through `update_with_retry`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote as quote_url

import httpx
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from connector.commercetools.actions import (
    MAX_ACTIONS_PER_UPDATE,
    ChannelUpdateAction,
    InventoryEntryUpdateAction,
    OrderUpdateAction,
    TypeUpdateAction,
)
from connector.commercetools.drafts import (
    ChannelDraft,
    CustomObjectDraft,
    InventoryEntryDraft,
    TypeDraft,
)
from connector.commercetools.models import (
    Category,
    Channel,
    Customer,
    CustomObject,
    InventoryEntry,
    Message,
    Order,
    ProductProjection,
    Type,
)
from connector.commercetools.predicates import batched_in, quote
from connector.config import CommercetoolsSettings
from connector.errors import (
    AlreadyExistsError,
    ConflictError,
    ConnectorError,
    NotFoundError,
    PermanentError,
    TransientError,
    parse_retry_after,
    unreadable_answer,
)

PLATFORM = "commercetools"
MAX_PAGE_SIZE = 500
ORDER_EXPANSION = "shippingInfo.shippingMethod"
"""Orders are always read with their shipping method expanded, for `Order.shipping_method_key`."""

DUPLICATE_CODES = frozenset(
    {
        "DuplicateField",
        "DuplicateFieldWithConflictingResource",
        "DuplicatePriceKey",
        "DuplicatePriceScope",
        "DuplicateStandalonePriceScope",
        "AttributeDefinitionAlreadyExists",
        "EnumKeyAlreadyExists",
    }
)
"""400 error codes meaning "what you tried to create already exists"."""

_PAGING_PARAMS = frozenset({"limit", "offset", "sort", "where", "withTotal"})
_TOKEN_REFRESH_MARGIN_SECONDS = 300.0
_TOKEN_REFRESH_MARGIN_FRACTION = 0.1
_MAX_ERROR_TEXT = 500

Params = list[tuple[str, str]]
ResourceT = TypeVar("ResourceT")
ActionT = TypeVar("ActionT")
ModelT = TypeVar("ModelT", bound=BaseModel)

_PRODUCT_PROJECTION_PAGE = TypeAdapter(list[ProductProjection])
_CATEGORY_PAGE = TypeAdapter(list[Category])
_CHANNEL_PAGE = TypeAdapter(list[Channel])
_INVENTORY_PAGE = TypeAdapter(list[InventoryEntry])
_ORDER_PAGE = TypeAdapter(list[Order])
_MESSAGE_PAGE = TypeAdapter(list[Message])
_ORDER_ACTIONS = TypeAdapter(list[OrderUpdateAction])
_CHANNEL_ACTIONS = TypeAdapter(list[ChannelUpdateAction])
_INVENTORY_ACTIONS = TypeAdapter(list[InventoryEntryUpdateAction])
_TYPE_ACTIONS = TypeAdapter(list[TypeUpdateAction])


class _TokenResponse(BaseModel):
    access_token: str = Field(min_length=1)
    expires_in: float = Field(gt=0)


@dataclass(frozen=True)
class _AccessToken:
    value: str
    refresh_at: float
    """On the client's monotonic clock: when the token is due for refresh, ahead of expiry."""


def refresh_margin(lifetime_seconds: float) -> float:
    """How long before expiry a token is refreshed: 5 minutes, or 10% of a shorter life, so
    that a short-lived token is still reused."""
    return min(_TOKEN_REFRESH_MARGIN_SECONDS, lifetime_seconds * _TOKEN_REFRESH_MARGIN_FRACTION)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _describe_failure(payload: Any, errors: list[dict[str, Any]], response: httpx.Response) -> str:
    """commercetools' messages, plus `field`/`duplicateValue` of duplicate errors so an operator
    sees which value collided; the raw body (truncated) when it is not commercetools JSON."""
    parts: list[str] = []
    if isinstance(payload, dict):
        candidates = [payload.get("message"), payload.get("error_description")]
        candidates += [error.get("message") for error in errors]
        for candidate in candidates:
            if isinstance(candidate, str) and candidate and candidate not in parts:
                parts.append(candidate)
        for error in errors:
            if "field" in error or "duplicateValue" in error:
                value = json.dumps(error.get("duplicateValue"), ensure_ascii=False)
                parts.append(f"field={error.get('field')!r} duplicateValue={value}")
    if parts:
        return "; ".join(parts)
    text = response.text.strip()
    if text:
        return text[:_MAX_ERROR_TEXT]
    return response.reason_phrase or f"HTTP {response.status_code}"


def error_from_response(response: httpx.Response, operation: str) -> ConnectorError:
    """The taxonomy class for a failed response: 429 and 5xx are transient, 409 a version
    conflict, 404 not found, a 400 made only of duplicate errors "already exists", anything else
    permanent. `operation` (e.g. `POST /orders/{id}`) prefixes the message."""
    status = response.status_code
    payload = _json_or_none(response)
    raw_errors = payload.get("errors") if isinstance(payload, dict) else None
    errors = [error for error in raw_errors or [] if isinstance(error, dict)]
    codes = [str(error["code"]) for error in errors if "code" in error]
    if not codes and isinstance(payload, dict) and isinstance(payload.get("error"), str):
        codes = [payload["error"]]  # the OAuth error format of the auth endpoint
    message = f"{operation}: {_describe_failure(payload, errors, response)}"
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return TransientError(
            message, platform=PLATFORM, status_code=status, codes=codes, retry_after=retry_after
        )
    if status == 409:
        versions = [error["currentVersion"] for error in errors if "currentVersion" in error]
        current = versions[0] if versions and isinstance(versions[0], int) else None
        return ConflictError(
            message, platform=PLATFORM, status_code=status, codes=codes, current_version=current
        )
    if status == 404:
        return NotFoundError(message, platform=PLATFORM, status_code=status, codes=codes)
    if status == 400 and codes and all(code in DUPLICATE_CODES for code in codes):
        return AlreadyExistsError(message, platform=PLATFORM, status_code=status, codes=codes)
    return PermanentError(message, platform=PLATFORM, status_code=status, codes=codes)


def _ascending_ids(resource: str, results: list[Any], *, after: str | None) -> list[str]:
    """The ids of a page, which must ascend strictly and follow `after` (the last id of the
    page before); else a `PermanentError` naming the first pair out of order."""
    ids: list[str] = []
    for result in results:
        current = result.get("id") if isinstance(result, dict) else None
        if not isinstance(current, str):
            raise PermanentError(f"GET /{resource}: a result has no id", platform=PLATFORM)
        previous = ids[-1] if ids else after
        if previous is not None and current <= previous:
            raise PermanentError(
                f"GET /{resource}: results are not in ascending id order ({previous!r} before "
                f"{current!r}): the server ignored `sort=id asc`, and paging on by id would "
                "skip resources",
                platform=PLATFORM,
            )
        ids.append(current)
    return ids


def _predicates(where: Sequence[str]) -> list[str]:
    if isinstance(where, str):
        raise TypeError("`where` takes a sequence of predicates, not a single string")
    return list(where)


def _distinct_values(values: Iterable[str], name: str) -> list[str]:
    if isinstance(values, str):
        raise TypeError(f"`{name}` takes a collection of strings, not a single string")
    return list(dict.fromkeys(values))


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _segment(value: str, name: str) -> str:
    """A path segment; an empty id would otherwise turn a lookup into a query of everything."""
    if not value:
        raise ValueError(f"{name} must not be empty")
    return quote_url(value, safe="")


def _update_body(
    adapter: TypeAdapter[list[ActionT]], version: int, actions: Sequence[ActionT]
) -> dict[str, Any]:
    """`{version, actions}`; rejects an empty list, more than the API's 500 actions, and actions
    of another resource type (they would fail at commercetools with a less useful message)."""
    if not actions:
        raise ValueError("an update needs at least one action")
    if len(actions) > MAX_ACTIONS_PER_UPDATE:
        raise ValueError(
            f"{len(actions)} actions exceed commercetools' limit of {MAX_ACTIONS_PER_UPDATE}"
        )
    checked = adapter.validate_python(list(actions))
    wire = adapter.dump_python(checked, by_alias=True, exclude_none=True, mode="json")
    return {"version": version, "actions": wire}


def _parse(parse: Callable[[Any], ResourceT], data: Any, what: str) -> ResourceT:
    """A response that does not have the shape the connector relies on is a permanent error."""
    try:
        return parse(data)
    except ValidationError as exc:
        raise unreadable_answer(exc, what, platform=PLATFORM) from None


async def update_with_retry(
    fetch: Callable[[], Awaitable[ResourceT]],
    build_actions: Callable[[ResourceT], Sequence[ActionT]],
    apply: Callable[[ResourceT, Sequence[ActionT]], Awaitable[ResourceT]],
    *,
    attempts: int,
) -> ResourceT:
    """Optimistic concurrency: read the resource, derive the actions from its current state,
    write them with its version. On a version conflict, read again and derive again (never
    resend the old actions: the new state may already contain them). Builders that return no
    actions for a state that needs no change make a retried or duplicated update a no-op.
    Raises the last ConflictError after `attempts` writes."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    attempt = 1
    while True:
        resource = await fetch()
        actions = build_actions(resource)
        if not actions:
            return resource
        try:
            return await apply(resource, actions)
        except ConflictError as conflict:
            if attempt >= attempts:
                conflict.add_note(f"gave up after {attempts} attempts")
                raise
            attempt += 1


class CommercetoolsClient:
    """One commercetools project, over one pooled HTTP client. Use as `async with`.

    `transport` replaces the network (tests, custom stacks; the connection limits then belong
    to that transport). `clock` is the monotonic clock that token expiry is measured on.
    """

    def __init__(
        self,
        settings: CommercetoolsSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._api_base = (
            f"{settings.resolved_api_url}/{_segment(settings.project_key, 'project_key')}"
        )
        self._token_url = f"{settings.resolved_auth_url}/oauth/token"
        self._clock = clock
        self._token: _AccessToken | None = None
        self._token_lock = asyncio.Lock()
        self._http = httpx.AsyncClient(
            transport=transport,
            limits=httpx.Limits(
                max_connections=settings.max_connections,
                max_keepalive_connections=settings.max_connections,
            ),
            timeout=httpx.Timeout(settings.timeout_seconds),
            headers={"Accept": "application/json"},
        )

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

    # --- transport, auth and error classification -------------------------------------------

    async def _send(self, operation: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One HTTP exchange; network-level failures become TransientError."""
        try:
            return await self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientError(
                f"{operation}: timed out ({type(exc).__name__})", platform=PLATFORM
            ) from exc
        except httpx.UnsupportedProtocol as exc:
            raise PermanentError(f"{operation}: {exc}", platform=PLATFORM) from exc
        except httpx.RequestError as exc:
            raise TransientError(
                f"{operation}: {type(exc).__name__}: {exc}", platform=PLATFORM
            ) from exc

    async def _fetch_token(self) -> _AccessToken:
        form = {"grant_type": "client_credentials"}
        if self._settings.scopes:
            form["scope"] = self._settings.scopes
        requested_at = self._clock()
        credentials = (
            self._settings.client_id,
            self._settings.client_secret.get_secret_value(),
        )
        operation = "POST /oauth/token"
        response = await self._send(operation, "POST", self._token_url, data=form, auth=credentials)
        if not response.is_success:
            raise error_from_response(response, operation)
        token = _parse(_TokenResponse.model_validate, _json_or_none(response), "token")
        lifetime = token.expires_in
        return _AccessToken(token.access_token, requested_at + lifetime - refresh_margin(lifetime))

    async def _access_token(self) -> str:
        """The cached token, or a new one; concurrent callers wait for a single refresh."""
        token = self._token
        if token is not None and self._clock() < token.refresh_at:
            return token.value
        async with self._token_lock:
            token = self._token
            if token is None or self._clock() >= token.refresh_at:
                token = await self._fetch_token()
                self._token = token
            return token.value

    def _forget_token(self, rejected: str) -> None:
        """Drop the token after a 401, unless a concurrent caller already replaced it."""
        if self._token is not None and self._token.value == rejected:
            self._token = None

    async def _request(
        self, method: str, path: str, *, params: Params | None = None, body: Any = None
    ) -> Any:
        """The single way to the API: bearer token, one refresh on 401, errors classified."""
        operation = f"{method} /{path}"
        url = f"{self._api_base}/{path}"
        token = await self._access_token()
        response = await self._call_api(operation, method, url, token, params, body)
        if response.status_code == httpx.codes.UNAUTHORIZED:
            self._forget_token(token)
            token = await self._access_token()
            response = await self._call_api(operation, method, url, token, params, body)
            if response.status_code == httpx.codes.UNAUTHORIZED:
                raise error_from_response(response, f"{operation} (with a new token)")
        if not response.is_success:
            raise error_from_response(response, operation)
        payload = _json_or_none(response)
        if payload is None:
            raise TransientError(
                f"{operation}: response {response.status_code} is not JSON",
                platform=PLATFORM,
                status_code=response.status_code,
            )
        return payload

    async def _call_api(
        self,
        operation: str,
        method: str,
        url: str,
        token: str,
        params: Params | None,
        body: Any,
    ) -> httpx.Response:
        return await self._send(
            operation,
            method,
            url,
            params=params,
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )

    # --- generic reading ----------------------------------------------------------------------

    async def iterate_pages(
        self,
        resource: str,
        *,
        where: Sequence[str] = (),
        params: Mapping[str, str] | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every resource matching all `where` predicates, a page at a time, by ascending id
        (`where=id > "<last id>"`, as the official SDKs do): unlike offset paging it is not
        capped at 10,000 and stays fast. Empty pages are not yielded. A page that is not in
        ascending id order after the last one is a `PermanentError`: the server ignored the
        sort, and paging on from its last id would skip resources silently."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, got {page_size}")
        extra = dict(params or {})
        clashing = sorted(_PAGING_PARAMS & extra.keys())
        if clashing:
            raise ValueError(f"iterate_pages sets {', '.join(clashing)} itself")
        predicates = _predicates(where)
        last_id: str | None = None
        while True:
            query: Params = [("limit", str(page_size)), ("withTotal", "false"), ("sort", "id asc")]
            query += [("where", predicate) for predicate in predicates]
            if last_id is not None:
                query.append(("where", f"id > {quote(last_id)}"))
            query += list(extra.items())
            page = await self._request("GET", resource, params=query)
            results = page.get("results") if isinstance(page, dict) else None
            if not isinstance(results, list):
                raise PermanentError(
                    f"GET /{resource}: response has no `results` list", platform=PLATFORM
                )
            if not results:
                return
            last_id = _ascending_ids(resource, results, after=last_id)[-1]
            yield results
            if len(results) < page_size:
                return

    async def _iterate(
        self,
        resource: str,
        page_model: TypeAdapter[list[ModelT]],
        where: Sequence[str],
        params: Mapping[str, str] | None = None,
    ) -> AsyncIterator[list[ModelT]]:
        async for page in self.iterate_pages(resource, where=where, params=params):
            yield _parse(page_model.validate_python, page, resource)

    async def _get(self, model: type[ModelT], path: str, params: Params | None = None) -> ModelT:
        return _parse(model.model_validate, await self._request("GET", path, params=params), path)

    async def _get_optional(self, model: type[ModelT], path: str) -> ModelT | None:
        try:
            return await self._get(model, path)
        except NotFoundError:
            return None

    async def _post(
        self, model: type[ModelT], path: str, body: Any, params: Params | None = None
    ) -> ModelT:
        payload = await self._request("POST", path, params=params, body=body)
        return _parse(model.model_validate, payload, path)

    # --- products and categories --------------------------------------------------------------

    def iterate_product_projections(
        self, *, where: Sequence[str] = (), staged: bool = False
    ) -> AsyncIterator[list[ProductProjection]]:
        """Published data by default; `staged=True` reads the current draft state."""
        params = {"staged": _flag(staged)}
        return self._iterate("product-projections", _PRODUCT_PROJECTION_PAGE, where, params)

    async def count_product_projections(
        self, *, where: Sequence[str] = (), staged: bool = False
    ) -> int:
        """How many projections match: one request (`withTotal=true`, a single result), for
        progress reporting before a paged read."""
        query: Params = [("limit", "1"), ("withTotal", "true"), ("staged", _flag(staged))]
        query += [("where", predicate) for predicate in _predicates(where)]
        page = await self._request("GET", "product-projections", params=query)
        total = page.get("total") if isinstance(page, dict) else None
        if not isinstance(total, int):
            raise PermanentError(
                "GET /product-projections: response has no `total`", platform=PLATFORM
            )
        return total

    async def get_product_projection(
        self, product_id: str, *, staged: bool = False
    ) -> ProductProjection:
        path = f"product-projections/{_segment(product_id, 'product_id')}"
        return await self._get(ProductProjection, path, [("staged", _flag(staged))])

    def iterate_categories(self, *, where: Sequence[str] = ()) -> AsyncIterator[list[Category]]:
        return self._iterate("categories", _CATEGORY_PAGE, where)

    async def get_category(self, category_id: str) -> Category:
        return await self._get(Category, f"categories/{_segment(category_id, 'category_id')}")

    # --- channels -----------------------------------------------------------------------------

    def iterate_channels(self, *, where: Sequence[str] = ()) -> AsyncIterator[list[Channel]]:
        return self._iterate("channels", _CHANNEL_PAGE, where)

    async def channels_by_keys(self, keys: Iterable[str]) -> dict[str, Channel]:
        """The channels with these keys, by key; missing keys are absent. One query per batch
        of keys, never one per key."""
        found: dict[str, Channel] = {}
        for predicate in batched_in("key", _distinct_values(keys, "keys")):
            async for page in self.iterate_channels(where=[predicate]):
                found.update((channel.key, channel) for channel in page)
        return found

    async def get_channel_by_key(self, key: str) -> Channel | None:
        return await self._get_optional(Channel, f"channels/key={_segment(key, 'key')}")

    async def create_channel(self, draft: ChannelDraft) -> Channel:
        return await self._post(Channel, "channels", draft.to_wire())

    async def update_channel(
        self, channel_id: str, version: int, actions: Sequence[ChannelUpdateAction]
    ) -> Channel:
        path = f"channels/{_segment(channel_id, 'channel_id')}"
        return await self._post(Channel, path, _update_body(_CHANNEL_ACTIONS, version, actions))

    # --- inventory ----------------------------------------------------------------------------

    async def inventory_by_skus(
        self, skus: Iterable[str], *, supply_channel_id: str
    ) -> dict[str, InventoryEntry]:
        """The entries of these SKUs on one supply channel, by SKU; one query per batch."""
        channel_predicate = f"supplyChannel(id = {quote(supply_channel_id)})"
        found: dict[str, InventoryEntry] = {}
        for predicate in batched_in("sku", _distinct_values(skus, "skus")):
            where = [predicate, channel_predicate]
            async for page in self._iterate("inventory", _INVENTORY_PAGE, where):
                found.update((entry.sku, entry) for entry in page)
        return found

    async def create_inventory_entry(self, draft: InventoryEntryDraft) -> InventoryEntry:
        return await self._post(InventoryEntry, "inventory", draft.to_wire())

    async def update_inventory_entry(
        self, entry_id: str, version: int, actions: Sequence[InventoryEntryUpdateAction]
    ) -> InventoryEntry:
        path = f"inventory/{_segment(entry_id, 'entry_id')}"
        body = _update_body(_INVENTORY_ACTIONS, version, actions)
        return await self._post(InventoryEntry, path, body)

    # --- customers and orders -----------------------------------------------------------------

    async def get_customer(self, customer_id: str) -> Customer:
        return await self._get(Customer, f"customers/{_segment(customer_id, 'customer_id')}")

    async def get_order(self, order_id: str) -> Order:
        path = f"orders/{_segment(order_id, 'order_id')}"
        return await self._get(Order, path, [("expand", ORDER_EXPANSION)])

    async def get_order_by_number(self, order_number: str) -> Order:
        path = f"orders/order-number={_segment(order_number, 'order_number')}"
        return await self._get(Order, path, [("expand", ORDER_EXPANSION)])

    def iterate_orders(self, *, where: Sequence[str] = ()) -> AsyncIterator[list[Order]]:
        return self._iterate("orders", _ORDER_PAGE, where, {"expand": ORDER_EXPANSION})

    async def update_order(
        self, order_id: str, version: int, actions: Sequence[OrderUpdateAction]
    ) -> Order:
        path = f"orders/{_segment(order_id, 'order_id')}"
        body = _update_body(_ORDER_ACTIONS, version, actions)
        return await self._post(Order, path, body, [("expand", ORDER_EXPANSION)])

    async def update_order_with_retry(
        self, order_id: str, build_actions: Callable[[Order], Sequence[OrderUpdateAction]]
    ) -> Order:
        """`update_with_retry` for an order, with the configured number of attempts."""

        async def fetch() -> Order:
            return await self.get_order(order_id)

        async def apply(order: Order, actions: Sequence[OrderUpdateAction]) -> Order:
            return await self.update_order(order.id, order.version, actions)

        return await update_with_retry(
            fetch, build_actions, apply, attempts=self._settings.conflict_retries
        )

    # --- messages -----------------------------------------------------------------------------

    async def query_messages(
        self,
        *,
        where: Sequence[str] = (),
        sort: Sequence[str] = ("createdAt asc", "id asc"),
        limit: int = MAX_PAGE_SIZE,
    ) -> list[Message]:
        """One page of messages; callers move a `createdAt` watermark (messages arrive out of
        order within a few seconds, so watermarks should overlap and dedupe by `id`)."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be 1..{MAX_PAGE_SIZE}, got {limit}")
        if isinstance(sort, str):
            raise TypeError("`sort` takes a sequence of sort expressions, not a single string")
        query: Params = [("limit", str(limit)), ("withTotal", "false")]
        query += [("sort", expression) for expression in sort]
        query += [("where", predicate) for predicate in _predicates(where)]
        page = await self._request("GET", "messages", params=query)
        results = page.get("results") if isinstance(page, dict) else None
        return _parse(_MESSAGE_PAGE.validate_python, results, "messages")

    # --- types --------------------------------------------------------------------------------

    async def get_type_by_key(self, key: str) -> Type | None:
        return await self._get_optional(Type, f"types/key={_segment(key, 'key')}")

    async def create_type(self, draft: TypeDraft) -> Type:
        return await self._post(Type, "types", draft.to_wire())

    async def update_type(
        self, type_id: str, version: int, actions: Sequence[TypeUpdateAction]
    ) -> Type:
        path = f"types/{_segment(type_id, 'type_id')}"
        return await self._post(Type, path, _update_body(_TYPE_ACTIONS, version, actions))

    # --- custom objects -----------------------------------------------------------------------

    async def get_custom_object(self, container: str, key: str) -> CustomObject | None:
        path = f"custom-objects/{_segment(container, 'container')}/{_segment(key, 'key')}"
        return await self._get_optional(CustomObject, path)

    async def create_or_update_custom_object(self, draft: CustomObjectDraft) -> CustomObject:
        """Creates the object or replaces its value; with `draft.version`, a concurrent change
        since that version raises `ConflictError` instead of being overwritten."""
        return await self._post(CustomObject, "custom-objects", draft.to_wire())
