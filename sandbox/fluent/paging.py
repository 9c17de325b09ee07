"""Relay connections as Fluent serves them: `edges { node cursor }` and `pageInfo`.

Every list is in id order and a cursor encodes the id of its node, so a cursor stays valid while
entities are added (new ids are larger) and the next page starts right after the last edge.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Generic, Protocol, TypeVar

from sandbox.fluent.errors import InvalidInputError

_CURSOR_PREFIX = "sandbox:"


class HasId(Protocol):
    @property
    def id(self) -> int: ...


NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT", bound=HasId)


@dataclass(slots=True)
class Edge(Generic[NodeT]):
    node: NodeT
    cursor: str


@dataclass(slots=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool


@dataclass(slots=True)
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo


def encode_cursor(entity_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{entity_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_CURSOR_PREFIX) or not text[len(_CURSOR_PREFIX) :].isdigit():
        raise InvalidInputError(f"'after' is not a cursor this API issued: {cursor!r}")
    return int(text[len(_CURSOR_PREFIX) :])


@dataclass(frozen=True, slots=True)
class PageRequest:
    """`first`/`after` of a connection field, checked against the sandbox's limits."""

    first: int
    after_id: int | None

    @classmethod
    def from_args(
        cls, first: int | None, after: str | None, *, default: int, maximum: int
    ) -> PageRequest:
        size = default if first is None else first
        if size < 0:
            raise InvalidInputError(f"'first' must not be negative, got {size}")
        if size > maximum:
            raise InvalidInputError(f"'first' must be at most {maximum}, got {size}")
        return cls(first=size, after_id=None if after is None else decode_cursor(after))

    def skip_seen(self, rows: Iterable[RowT]) -> Iterator[RowT]:
        """Rows (in id order) after the cursor, for sources that cannot seek."""
        if self.after_id is None:
            return iter(rows)
        after_id = self.after_id
        return (row for row in rows if row.id > after_id)


def connection(rows: Iterator[RowT], request: PageRequest) -> Connection[RowT]:
    """The page of `rows` (already in id order, already after the cursor)."""
    taken = list(islice(rows, request.first + 1))
    has_next = len(taken) > request.first
    nodes = taken[: request.first]
    return Connection(
        edges=[Edge(node=node, cursor=encode_cursor(node.id)) for node in nodes],
        page_info=PageInfo(has_next_page=has_next, has_previous_page=request.after_id is not None),
    )
