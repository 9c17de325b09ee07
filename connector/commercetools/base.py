"""Pydantic bases for commercetools' JSON: one for what is read, one for what is sent.

Read models ignore fields they do not declare, so a new field in an API response never breaks
the connector. Request models forbid unknown fields, so a misspelt keyword fails where the
request is built instead of being dropped on the way to the wire.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timestamp with a time zone, normalised to UTC (naive values are rejected)."""

LocalizedString = dict[str, str]
"""Text per locale, e.g. `{"en": "Shirt", "de-DE": "Hemd"}`."""


class WireModel(BaseModel):
    """A resource or part of one as commercetools returns it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class RequestModel(BaseModel):
    """A request body or part of one; `to_wire()` gives exactly the JSON commercetools expects."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    def to_wire(self) -> dict[str, Any]:
        """camelCase keys; absent optional fields are omitted (commercetools reads an omitted
        field as "unset", so `None` never needs to be sent)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")
