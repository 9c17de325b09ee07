"""The error taxonomy shared by both clients.

Clients translate HTTP and GraphQL failures into these classes; activities translate them into
Temporal retry behaviour in one place (`activities/errors.py`). The classes say what the caller
can do about a failure, not which platform produced it: retry later, re-read and retry, treat as
already done, or give up with the reason.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import ValidationError


class ConnectorError(Exception):
    """Base class. `codes` keeps the platform's own error codes for the operator."""

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        status_code: int | None = None,
        codes: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.status_code = status_code
        self.codes = tuple(codes)

    def __str__(self) -> str:
        parts = [self.platform]
        if self.status_code is not None:
            parts.append(str(self.status_code))
        if self.codes:
            parts.append(",".join(self.codes))
        return f"[{' '.join(parts)}] {self.message}"


class TransientError(ConnectorError):
    """Worth retrying: 5xx, 429, timeouts, connection errors, Fluent S-codes and rate limits."""

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        status_code: int | None = None,
        codes: Sequence[str] = (),
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, platform=platform, status_code=status_code, codes=codes)
        self.retry_after = retry_after


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delay seconds or an HTTP date); None when
    absent or unreadable (an infinite or NaN delay included), never negative."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class PermanentError(ConnectorError):
    """Retrying the same request cannot succeed (most 4xx, Fluent C-codes)."""


class NotFoundError(PermanentError):
    """The resource does not exist."""


class AlreadyExistsError(PermanentError):
    """A create collided with an existing resource (commercetools `DuplicateField`, Fluent unique
    constraint codes). Callers that create idempotently treat it as success and read the existing
    resource."""


class ConflictError(ConnectorError):
    """Optimistic-concurrency conflict (commercetools 409 `ConcurrentModification`): re-read the
    resource, recompute the change, and retry."""

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        status_code: int | None = None,
        codes: Sequence[str] = (),
        current_version: int | None = None,
    ) -> None:
        super().__init__(message, platform=platform, status_code=status_code, codes=codes)
        self.current_version = current_version


def unreadable_answer(error: ValidationError, what: str, *, platform: str) -> PermanentError:
    """A response without the shape the connector relies on: retrying cannot change it. The
    message names the failing field paths, never the values (they may be personal data)."""
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
        for problem in error.errors(include_input=False)[:5]
    )
    return PermanentError(
        f"unexpected {what} in response ({error.error_count()} problems): {problems}",
        platform=platform,
    )
