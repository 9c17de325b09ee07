"""The sandbox's notion of now: wall-clock UTC plus an offset tests can advance.

Token expiry, `createdOn`/`updatedOn` and the end of a Batch API job's day all read this clock,
so a test can jump a day ahead (`POST /sandbox/clock/advance`) instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SandboxClock:
    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        # Millisecond precision, like Fluent's timestamps, so values survive an ISO round trip.
        moment = datetime.now(UTC) + self._offset
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self._offset += timedelta(seconds=seconds)
        return self.now()

    @property
    def offset_seconds(self) -> float:
        return self._offset.total_seconds()


def format_datetime(moment: datetime) -> str:
    """Fluent's wire format: ISO 8601 in UTC with milliseconds and a `Z`."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_datetime(text: str) -> datetime:
    """Accepts ISO 8601 with `Z` or an offset; a value without zone is taken as UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)
