"""Translation of Fluent's failures into the connector's error taxonomy.

Fluent error codes look like `C0011E`: C = client, S = server (worth retrying), T = third party,
then four digits, then E (error) or W (warning). They come in a GraphQL error's
`extensions.code`, in its `code`, or only inside the message text; all three are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from connector.errors import (
    AlreadyExistsError,
    ConnectorError,
    NotFoundError,
    PermanentError,
    TransientError,
    parse_retry_after,
)

PLATFORM = "fluent"

RATE_LIMITED = "C0011E"
NOT_FOUND = "C0120E"
UNIQUE_CONSTRAINT_CODES = frozenset({"C0121E", "C0123E", "C0128E"})
RATE_LIMIT_RETRY_AFTER_SECONDS = 60.0

_CODE = re.compile(r"\b([CST]\d{4}[EW])\b")
_UNIQUE_TEXT = re.compile(r"unique constraint|already exists|duplicate", re.IGNORECASE)
_NOT_FOUND_TEXT = re.compile(r"not found|does not exist", re.IGNORECASE)

# How much each class blocks a retry: with several errors the least retryable one decides, so a
# caller never treats a request as "already done" or "retry later" when part of it cannot work.
_RANK: dict[type[ConnectorError], int] = {
    TransientError: 0,
    AlreadyExistsError: 1,
    NotFoundError: 2,
    PermanentError: 3,
}


def error_codes(error: Mapping[str, Any]) -> list[str]:
    """The Fluent codes of one GraphQL error, from wherever Fluent put them."""
    found: list[str] = []
    extensions = error.get("extensions")
    candidates = [
        extensions.get("code") if isinstance(extensions, Mapping) else None,
        error.get("code"),
        error.get("message"),
    ]
    for candidate in candidates:
        if isinstance(candidate, str):
            found.extend(code for code in _CODE.findall(candidate) if code not in found)
    return found


def _error_class(error: Mapping[str, Any], codes: Sequence[str]) -> type[ConnectorError]:
    message = str(error.get("message") or "")
    if any(code.startswith("S") for code in codes) or RATE_LIMITED in codes:
        return TransientError
    if UNIQUE_CONSTRAINT_CODES.intersection(codes) or _UNIQUE_TEXT.search(message):
        return AlreadyExistsError
    if NOT_FOUND in codes or _NOT_FOUND_TEXT.search(message):
        return NotFoundError
    return PermanentError


def classify_graphql_errors(
    errors: Iterable[Mapping[str, Any]], *, status_code: int | None = None
) -> ConnectorError:
    """One exception for a response's `errors[]`."""
    messages: list[str] = []
    all_codes: list[str] = []
    worst: type[ConnectorError] = TransientError
    seen_any = False
    for error in errors:
        seen_any = True
        codes = error_codes(error)
        all_codes.extend(code for code in codes if code not in all_codes)
        messages.append(str(error.get("message") or "error without a message"))
        error_class = _error_class(error, codes)
        if _RANK[error_class] > _RANK[worst]:
            worst = error_class
    if not seen_any:
        return PermanentError(
            "Fluent answered with an empty errors list", platform=PLATFORM, status_code=status_code
        )
    message = "; ".join(messages)
    if worst is TransientError:
        retry_after = RATE_LIMIT_RETRY_AFTER_SECONDS if RATE_LIMITED in all_codes else None
        return TransientError(
            message,
            platform=PLATFORM,
            status_code=status_code,
            codes=all_codes,
            retry_after=retry_after,
        )
    return worst(message, platform=PLATFORM, status_code=status_code, codes=all_codes)


def http_error(
    status_code: int, body_text: str, body_json: Any, retry_after_header: str | None
) -> ConnectorError:
    """The exception for a non-2xx HTTP answer. A 4xx body with GraphQL-style `errors[]` is
    classified by its Fluent codes, which say more than the status (a unique-constraint 400 is
    `AlreadyExistsError`, a rate-limit code is transient)."""
    detail = body_text.strip()[:500] or "(empty body)"
    if status_code == 429:
        return TransientError(
            f"rate limited: {detail}",
            platform=PLATFORM,
            status_code=status_code,
            retry_after=parse_retry_after(retry_after_header),
        )
    if status_code >= 500:
        return TransientError(
            f"server error: {detail}",
            platform=PLATFORM,
            status_code=status_code,
            retry_after=parse_retry_after(retry_after_header),
        )
    if status_code == 413:
        return PermanentError(
            "request body too large (Fluent accepts at most 2 MB)",
            platform=PLATFORM,
            status_code=status_code,
        )
    errors = body_json.get("errors") if isinstance(body_json, Mapping) else None
    if isinstance(errors, list) and errors and all(isinstance(e, Mapping) for e in errors):
        return classify_graphql_errors(errors, status_code=status_code)
    if status_code == 404:
        return NotFoundError(f"not found: {detail}", platform=PLATFORM, status_code=status_code)
    return PermanentError(f"request rejected: {detail}", platform=PLATFORM, status_code=status_code)
