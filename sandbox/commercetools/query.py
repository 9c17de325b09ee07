"""Query endpoints' parameters and semantics: where, sort, limit, offset, withTotal, expand.

`parse_query` validates the parameters exactly as commercetools bounds them (limit 0..500,
offset 0..10,000, several `where` ANDed, `var.*` input variables) and `run_query` returns the
`PagedQueryResponse` shape `{limit, offset, count, total?, results}`. Reference expansion
(`expand=shippingInfo.shippingMethod`, `lineItems[*].supplyChannel`) adds `obj` to references
on a copy of the path it walks; stored resources stay untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sandbox.commercetools import predicates
from sandbox.commercetools.errors import malformed_parameter
from sandbox.commercetools.store import Collection, Resource

Lookup = Callable[[str, str], Resource | None]

DEFAULT_LIMIT = 20
MAX_LIMIT = 500
MAX_OFFSET = 10_000
BASE_PARAMETERS = frozenset({"where", "sort", "limit", "offset", "withTotal", "expand"})

_SORT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)\s+(asc|desc)\s*$")
_EXPAND_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\[\*\])?$")


@dataclass(frozen=True)
class SortKey:
    path: tuple[str, ...]
    descending: bool


@dataclass(frozen=True)
class Query:
    where: tuple[predicates.Node, ...] = ()
    sort: tuple[SortKey, ...] = ()
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    with_total: bool = True
    expand: tuple[tuple[str, ...], ...] = ()


def parse_query(items: Iterable[tuple[str, str]], *, extra: frozenset[str] = frozenset()) -> Query:
    """Validate query parameters; anything unknown (other than `extra` and `var.*`) is a 400."""
    pairs = list(items)
    variables: dict[str, list[str]] = {}
    for name, value in pairs:
        if name.startswith("var.") and len(name) > 4:
            variables.setdefault(name[4:], []).append(value)
        elif name not in BASE_PARAMETERS and name not in extra:
            known = ", ".join(sorted(BASE_PARAMETERS | extra))
            raise malformed_parameter(name, f"unknown query parameter (supported: {known}, var.*)")
    where = tuple(_parse_where(v, variables) for n, v in pairs if n == "where")
    sort = tuple(_parse_sort(v) for n, v in pairs if n == "sort")
    expand = tuple(parse_expand(v) for n, v in pairs if n == "expand")
    return Query(
        where=where,
        sort=sort,
        limit=_bounded_int(pairs, "limit", DEFAULT_LIMIT, MAX_LIMIT),
        offset=_bounded_int(pairs, "offset", 0, MAX_OFFSET),
        with_total=parse_bool(pairs, "withTotal", default=True),
        expand=expand,
    )


def single(pairs: Sequence[tuple[str, str]], name: str) -> str | None:
    values = [v for n, v in pairs if n == name]
    if len(values) > 1:
        raise malformed_parameter(name, "given more than once")
    return values[0] if values else None


def parse_bool(pairs: Sequence[tuple[str, str]], name: str, *, default: bool) -> bool:
    value = single(pairs, name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise malformed_parameter(name, f"expected 'true' or 'false', got '{value}'")
    return value == "true"


def parse_expand(value: str) -> tuple[str, ...]:
    segments = value.strip().split(".")
    parsed = []
    for segment in segments:
        match = _EXPAND_SEGMENT.match(segment)
        if match is None:
            raise malformed_parameter("expand", f"invalid reference expansion path '{value}'")
        parsed.append(match.group(1))
    return tuple(parsed)


def _bounded_int(pairs: Sequence[tuple[str, str]], name: str, default: int, maximum: int) -> int:
    value = single(pairs, name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise malformed_parameter(name, f"invalid integer '{value}'") from None
    if not 0 <= number <= maximum:
        raise malformed_parameter(name, f"must be between 0 and {maximum}, got {number}")
    return number


def _parse_where(text: str, variables: dict[str, list[str]]) -> predicates.Node:
    try:
        return predicates.parse(text, variables)
    except predicates.PredicateError as exc:
        raise malformed_parameter("where", f"Syntax error while parsing 'where': {exc}") from None


def _parse_sort(text: str) -> SortKey:
    match = _SORT.match(text)
    if match is None:
        raise malformed_parameter(
            "sort", f"invalid sort expression '{text}' (expected '<field path> asc|desc')"
        )
    return SortKey(tuple(match.group(1).split(".")), match.group(2) == "desc")


def run_query(resources: Iterable[Resource], query: Query, lookup: Lookup) -> Resource:
    """Filter, sort, page and expand; returns the paged query response."""
    where = query.where
    candidates = _candidates(resources, where)
    selected = [r for r in candidates if all(predicates.matches(w, r) for w in where)]
    for key in reversed(query.sort):
        selected.sort(key=partial(_sort_value, path=key.path), reverse=key.descending)
    page = selected[query.offset : query.offset + query.limit]
    if query.expand:
        page = [expand(r, query.expand, lookup) for r in page]
    response: Resource = {"limit": query.limit, "offset": query.offset, "count": len(page)}
    if query.with_total:
        response["total"] = len(selected)
    response["results"] = page
    return response


def _candidates(
    resources: Iterable[Resource], where: Sequence[predicates.Node]
) -> Iterable[Resource]:
    """Where the ANDed predicates pin indexed fields to values (`sku in (...)`, `key = "k"`),
    only the resources of a collection that may hold them, in the same order; else all. The
    predicates still decide: this only spares evaluating them on every resource."""
    if not isinstance(resources, Collection):
        return resources
    narrowed: set[str] | None = None
    for field, values in predicates.pinned_fields(where):
        holders = resources.holders(field, values)
        if holders is not None:
            narrowed = holders if narrowed is None else narrowed & holders
    return resources if narrowed is None else resources.in_creation_order(narrowed)


def _sort_value(resource: Resource, path: tuple[str, ...]) -> tuple[int, Any]:
    value: Any = resource
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    if value is None:
        return (9, "")
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (3, repr(value))


def expand(resource: Resource, paths: Sequence[tuple[str, ...]], lookup: Lookup) -> Resource:
    """A copy of `resource` with the references at `paths` carrying their target as `obj`."""
    for path in paths:
        resource = _expand(resource, path, lookup)
    return resource


def _is_reference(node: Any) -> bool:
    return isinstance(node, dict) and "typeId" in node and "id" in node


def _with_obj(node: Resource, lookup: Lookup) -> Resource:
    if "obj" in node:
        return node
    target = lookup(node["typeId"], node["id"])
    return node if target is None else {**node, "obj": target}


def _expand(node: Any, path: tuple[str, ...], lookup: Lookup) -> Any:
    if isinstance(node, list):
        return [_expand(element, path, lookup) for element in node]
    if not path:
        return _with_obj(node, lookup) if _is_reference(node) else node
    if not isinstance(node, dict):
        return node
    name, rest = path[0], path[1:]
    if name == "obj" and _is_reference(node):
        node = _with_obj(node, lookup)
    if name not in node:
        return node
    return {**node, name: _expand(node[name], rest, lookup)}
