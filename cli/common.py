"""Shared plumbing for CLI commands: settings, clients, output."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from temporalio.client import Client

from connector.config import Settings, SettingsError, load_settings
from connector.temporal import connect

console = Console()
errors = Console(stderr=True)

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class CliError(Exception):
    """A problem to report in one line with exit code 2 (bad input or configuration)."""


def parse_duration(text: str) -> timedelta:
    """`90s`, `15m`, `6h`, `7d`."""
    match = _DURATION.match(text.strip())
    if not match:
        raise CliError(f"invalid duration {text!r}: use a number and s, m, h or d (e.g. 6h)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise CliError(f"configuration: {exc}") from None


@asynccontextmanager
async def temporal_client(settings: Settings) -> AsyncIterator[Client]:
    try:
        client = await connect(settings.temporal)
    except RuntimeError as exc:  # the SDK raises RuntimeError when the server is unreachable
        raise CliError(f"cannot reach Temporal: {exc}") from None
    yield client


def print_json(value: Any) -> None:
    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2)
    else:
        text = json.dumps(value, indent=2, default=str)
    sys.stdout.write(text + "\n")
