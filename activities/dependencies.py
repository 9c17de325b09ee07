"""What activities are built with: one set of clients and settings per worker process."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio.client import Client

from connector.commercetools.client import CommercetoolsClient
from connector.config import Settings
from connector.fluent.client import FluentClient


@dataclass(frozen=True)
class Dependencies:
    """Everything an activity may need; built once per worker process."""

    settings: Settings
    commercetools: CommercetoolsClient
    fluent: FluentClient
    temporal: Client
