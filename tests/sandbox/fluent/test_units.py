"""Pure parts of the sandbox: cursors, the SDL/model check, order status derivation, config,
the signer and the command line."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sandbox.fluent.__main__ import build_config, parse_args
from sandbox.fluent.config import FluentSandboxConfig
from sandbox.fluent.errors import InvalidInputError
from sandbox.fluent.graphql_api import SCHEMA_PATH, build_executable_schema, snake
from sandbox.fluent.lifecycle import derive_order_status
from sandbox.fluent.paging import PageRequest, decode_cursor, encode_cursor
from sandbox.fluent.webhooks import WebhookSigner
from sandbox.seed import SeedSize, generate


@given(st.integers(min_value=0, max_value=10**15))
def test_cursors_round_trip(entity_id):
    assert decode_cursor(encode_cursor(entity_id)) == entity_id


@pytest.mark.parametrize("cursor", ["", "abc", "c2FuZGJveDp4", "!!!", "c2FuZGJveDo="])
def test_foreign_cursors_are_refused(cursor):
    with pytest.raises(InvalidInputError, match="cursor"):
        decode_cursor(cursor)


def test_page_requests_are_bounded():
    assert PageRequest.from_args(None, None, default=100, maximum=5000).first == 100
    with pytest.raises(InvalidInputError):
        PageRequest.from_args(-1, None, default=100, maximum=5000)
    with pytest.raises(InvalidInputError):
        PageRequest.from_args(5001, None, default=100, maximum=5000)


def test_every_sdl_field_is_served():
    schema = build_executable_schema()
    assert schema.query_type is not None


def test_an_sdl_field_without_a_model_attribute_fails_at_start():
    sdl = SCHEMA_PATH.read_text().replace(
        "type Carrier {\n  id: ID!", "type Carrier {\n  id: ID!\n  workflowRef: String!"
    )
    with pytest.raises(TypeError, match=r"Carrier.workflowRef"):
        build_executable_schema(sdl)


def test_a_resolver_for_an_undeclared_field_fails_at_start():
    sdl = SCHEMA_PATH.read_text().replace("  articleById(id: ID!): Article\n", "")
    with pytest.raises(TypeError, match=r"Query\.articleById"):
        build_executable_schema(sdl)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("id", "id"),
        ("primaryEmail", "primary_email"),
        ("timeZone", "time_zone"),
        ("monStart", "mon_start"),
    ],
)
def test_field_names_map_to_attributes(name, expected):
    assert snake(name) == expected


def _fulfilment(status: str, transfer: bool = False) -> SimpleNamespace:
    return SimpleNamespace(status=status, is_transfer=transfer)


def _order(status: str, *fulfilments: SimpleNamespace) -> SimpleNamespace:
    return SimpleNamespace(status=status, fulfilments=list(fulfilments))


@pytest.mark.parametrize(
    ("order_status", "fulfilment_statuses", "expected"),
    [
        ("RECEIVED", [], None),
        ("RECEIVED", ["CREATED"], None),
        ("RECEIVED", ["AWAITING_WAVE"], "BOOKED"),
        ("BOOKED", ["AWAITING_WAVE", "PICK_PACK"], "PICK_PACK"),
        ("BOOKED", ["FULFILLED", "PARTIALLY_FULFILLED"], "PICK_PACK"),
        ("PICK_PACK", ["SHIPPED", "AWAITING_WAVE"], "PICK_PACK"),
        ("PICK_PACK", ["SHIPPED", "SHIPPED"], "AWAITING_COURIER_COLLECTION"),
        ("PICK_PACK", ["SHIPPED", "COMPLETE"], "AWAITING_COURIER_COLLECTION"),
        ("PICK_PACK", ["READY_FOR_COLLECTION"], "AWAITING_CUSTOMER_COLLECTION"),
        ("PICK_PACK", ["READY_FOR_COLLECTION", "SHIPPED"], "PICK_PACK"),
        ("PICK_PACK", ["COMPLETE", "REJECTED"], "COMPLETE"),
        ("PICK_PACK", ["REJECTED", "CANCELLED"], "ESCALATED"),
        ("RECEIVED", ["SYSTEM_REJECTED"], "ESCALATED"),
        ("BOOKED", ["SYSTEM_REJECTED", "AWAITING_WAVE"], "ESCALATED"),
        ("ESCALATED", ["SYSTEM_REJECTED", "COMPLETE"], "COMPLETE"),
        ("CANCELLED", ["AWAITING_WAVE"], None),
        ("COMPLETE", ["AWAITING_WAVE"], None),
    ],
)
def test_the_order_status_follows_its_fulfilments(order_status, fulfilment_statuses, expected):
    order = _order(order_status, *(_fulfilment(s) for s in fulfilment_statuses))
    assert derive_order_status(order) == expected  # type: ignore[arg-type]


def test_a_shipped_transfer_is_still_work_in_progress():
    order = _order("PICK_PACK", _fulfilment("SHIPPED", transfer=True))
    assert derive_order_status(order) == "PICK_PACK"  # type: ignore[arg-type]


def test_the_config_refuses_a_seed_of_another_network():
    seed = generate(SeedSize(products=1, variants_per_product=1, locations=1))
    with pytest.raises(ValidationError, match="NETWORK_DEMO"):
        FluentSandboxConfig(seed=seed, network_ref="OTHER")
    with pytest.raises(ValidationError, match="negative"):
        FluentSandboxConfig(webhook_retry_delays_seconds=(1.0, -1.0))
    with pytest.raises(ValidationError, match="retailer_id"):
        FluentSandboxConfig(retailer_id="R1")  # Fluent retailer ids are numeric
    assert FluentSandboxConfig().effective_product_catalogue_ref == "PC:MASTER:1"
    assert FluentSandboxConfig(retailer_id="7").effective_inventory_catalogue_ref == "DEFAULT:7"


def test_a_signing_key_file_must_hold_an_rsa_private_key(tmp_path: Path):
    missing = tmp_path / "missing.pem"
    with pytest.raises(ValueError, match=r"missing\.pem"):
        WebhookSigner.from_pem_file(missing)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    with pytest.raises(ValueError, match=r"garbage\.pem"):
        WebhookSigner.from_pem_file(garbage)


def test_the_command_line_builds_the_config():
    args = parse_args(
        [
            "--port",
            "9000",
            "--seed",
            "none",
            "--webhook-url",
            "http://a/h",
            "--webhook-url",
            "http://b/h",
            "--autopilot",
            "--autopilot-interval",
            "0.2",
        ]
    )
    config = build_config(args)
    assert (args.host, args.port) == ("127.0.0.1", 9000)
    assert config.seed is None
    assert config.webhook_urls == ["http://a/h", "http://b/h"]
    assert (config.autopilot.enabled, config.autopilot.step_interval_seconds) == (True, 0.2)
    demo = build_config(parse_args([]))
    assert demo.seed is not None
    assert len(demo.seed.locations) == 8
    assert demo.autopilot.enabled is False
