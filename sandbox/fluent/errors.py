"""Fluent-style error codes raised by the store and rendered by the GraphQL and REST layers.

Codes follow Fluent's `<C|S|T><4 digits><E|W>` scheme. Fluent documents C0100E (invalid UTC
date), C0101E (date range without from or to), C0120E (entity not found), C0121E/C0123E
(unique constraint) and C0128E (duplicate product ref); within its "field-related input
validation" block (C0120-C0139) the sandbox uses C0122E for any other invalid or missing input,
and C0140E (request-format block) for malformed requests.
Orders, fulfilments and other refs answer C0121E when taken, customers C0123E.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class FluentErrorCode(StrEnum):
    INVALID_DATE = "C0100E"
    EMPTY_DATE_RANGE = "C0101E"
    NOT_FOUND = "C0120E"
    UNIQUE_CONSTRAINT = "C0121E"
    INVALID_INPUT = "C0122E"
    CUSTOMER_EXISTS = "C0123E"
    DUPLICATE_PRODUCT_REF = "C0128E"
    MALFORMED_REQUEST = "C0140E"


class FluentError(Exception):
    """A client error with a Fluent code; the message names the offending entity or field."""

    http_status = 400

    def __init__(self, code: FluentErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class NotFoundError(FluentError):
    http_status = 404

    def __init__(self, message: str) -> None:
        super().__init__(FluentErrorCode.NOT_FOUND, message)


class UniqueConstraintError(FluentError):
    http_status = 409

    def __init__(self, message: str, code: FluentErrorCode = FluentErrorCode.UNIQUE_CONSTRAINT):
        super().__init__(code, message)


class InvalidInputError(FluentError):
    def __init__(self, message: str) -> None:
        super().__init__(FluentErrorCode.INVALID_INPUT, message)


class TransitionError(FluentError):
    """A store operation that the entity's current status does not allow."""

    http_status = 409

    def __init__(self, message: str) -> None:
        super().__init__(FluentErrorCode.INVALID_INPUT, message)


def validation_problems(errors: Iterable[Mapping[str, Any]], whole: str) -> str:
    """Pydantic's errors as `path.to.field: message; ...`; `whole` names the value itself."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or whole}: {error['msg']}"
        for error in errors
    )
