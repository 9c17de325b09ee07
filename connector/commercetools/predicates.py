"""Building commercetools query predicates (`where=`) safely.

Values always go through `quote()`, so a SKU or key containing `"` or `\\` cannot change the
meaning of a predicate. Long value lists are split with `batched_in()`: commercetools rejects
very long predicates, and commercetools' own sync tools keep each one under about 10,000
characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

DEFAULT_MAX_PREDICATE_CHARS = 10_000


def quote(value: str) -> str:
    """A string literal for a predicate: `a"b` becomes `"a\\"b"`."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def unquote(literal: str) -> str:
    """The value of a string literal written by `quote()` (or by hand with the same escapes)."""
    if len(literal) < 2 or not (literal.startswith('"') and literal.endswith('"')):
        raise ValueError(f"not a quoted string literal: {literal!r}")
    chars: list[str] = []
    body = iter(literal[1:-1])
    for char in body:
        if char == '"':
            raise ValueError(f"unescaped quote inside string literal: {literal!r}")
        if char == "\\":
            escaped = next(body, None)
            if escaped not in ('"', "\\"):
                raise ValueError(f"invalid escape in string literal: {literal!r}")
            chars.append(escaped)
        else:
            chars.append(char)
    return "".join(chars)


def datetime_literal(value: datetime) -> str:
    """A quoted UTC timestamp with milliseconds, e.g. `"2026-01-31T12:00:00.000Z"`."""
    if value.tzinfo is None:
        raise ValueError(f"a predicate timestamp needs a time zone: {value!r}")
    utc = value.astimezone(UTC)
    return quote(utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z")


def in_list(field: str, values: Iterable[str]) -> str:
    """`field in ("a", "b")`; an empty list is an error, as it is for commercetools."""
    literals = [quote(value) for value in values]
    if not literals:
        raise ValueError(f"an `in` predicate on {field!r} needs at least one value")
    return f"{field} in ({', '.join(literals)})"


def batched_in(
    field: str, values: Iterable[str], *, max_chars: int = DEFAULT_MAX_PREDICATE_CHARS
) -> list[str]:
    """Predicates `<field> in (...)`, each at most `max_chars` long, that together name every
    distinct value exactly once (in first-seen order); combine one with other conditions as
    separate `where` parameters. No values give no predicates."""
    head = f"{field} in ("
    separator, tail = ", ", ")"
    predicates: list[str] = []
    current: list[str] = []
    length = 0
    for value in dict.fromkeys(values):
        literal = quote(value)
        single = len(head) + len(literal) + len(tail)
        if single > max_chars:
            raise ValueError(
                f"the value {value[:50]!r} alone makes a predicate of {single} characters, "
                f"more than the limit of {max_chars}"
            )
        if current and length + len(separator) + len(literal) + len(tail) > max_chars:
            predicates.append(head + separator.join(current) + tail)
            current, length = [], 0
        if current:
            length += len(separator)
        else:
            length = len(head)
        current.append(literal)
        length += len(literal)
    if current:
        predicates.append(head + separator.join(current) + tail)
    return predicates
