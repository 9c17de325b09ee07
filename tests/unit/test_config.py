"""Settings: read from the environment, secrets masked, one clear line per problem."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connector.config import (
    CommercetoolsSettings,
    FluentSettings,
    OrderSettings,
    SettingsError,
    SourcingMode,
    SyncSettings,
    load_group,
    load_settings,
)

FULL_ENV = {
    "CT_PROJECT_KEY": "shop",
    "CT_CLIENT_ID": "ct-id",
    "CT_CLIENT_SECRET": "ct-very-secret",
    "FLUENT_HOST": "https://acme.sandbox.api.fluentretail.com/",
    "FLUENT_ACCOUNT_ID": "ACME",
    "FLUENT_RETAILER_ID": "7",
    "FLUENT_CLIENT_ID": "fl-id",
    "FLUENT_CLIENT_SECRET": "fl-very-secret",
    "FLUENT_USERNAME": "api-user",
    "FLUENT_PASSWORD": "fl-password",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in FULL_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in FULL_ENV.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_full_environment_loads_with_defaults(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert (
        settings.commercetools.resolved_api_url == "https://api.europe-west1.gcp.commercetools.com"
    )
    assert settings.commercetools.resolved_auth_url == (
        "https://auth.europe-west1.gcp.commercetools.com"
    )
    assert settings.fluent.base_url == "https://acme.sandbox.api.fluentretail.com"
    assert settings.fluent.catalogue_ref == "PC:MASTER:7"
    assert settings.fluent.inventory_catalogue == "DEFAULT:7"
    assert settings.orders.sourcing_mode is SourcingMode.CONNECTOR
    assert settings.sync.inventory_interval == timedelta(minutes=5)


def test_secrets_never_print(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    text = repr(settings) + str(settings) + settings.model_dump_json()
    for secret in ("ct-very-secret", "fl-very-secret", "fl-password"):
        assert secret not in text
    assert settings.commercetools.client_secret.get_secret_value() == "ct-very-secret"


def test_missing_settings_are_named_in_one_line(env: pytest.MonkeyPatch) -> None:
    env.delenv("CT_CLIENT_SECRET")
    env.delenv("FLUENT_HOST")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert "CT_CLIENT_SECRET is missing" in message
    assert "FLUENT_HOST is missing" in message


def test_invalid_value_names_the_variable(env: pytest.MonkeyPatch) -> None:
    env.setenv("CT_TIMEOUT_SECONDS", "-1")
    with pytest.raises(SettingsError, match="CT_TIMEOUT_SECONDS is invalid"):
        load_group(CommercetoolsSettings)


def test_explicit_urls_override_region(env: pytest.MonkeyPatch) -> None:
    env.setenv("CT_API_URL", "http://127.0.0.1:8081/")
    env.setenv("CT_AUTH_URL", "http://127.0.0.1:8081")
    ct = load_group(CommercetoolsSettings)
    assert ct.resolved_api_url == "http://127.0.0.1:8081"
    assert ct.resolved_auth_url == "http://127.0.0.1:8081"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", []),
        ("KEYA", ["KEYA"]),
        ("KEYA, KEYB", ["KEYA", "KEYB"]),
        ('["KEYA", "KEYB"]', ["KEYA", "KEYB"]),
    ],
)
def test_webhook_keys_accept_json_or_commas(
    env: pytest.MonkeyPatch, raw: str, expected: list[str]
) -> None:
    env.setenv("FLUENT_WEBHOOK_PUBLIC_KEYS", raw)
    assert load_group(FluentSettings).webhook_public_keys == expected


def test_order_mappings_from_env(env: pytest.MonkeyPatch) -> None:
    env.setenv("ORDERS_ORDER_STATUS_MAPPING", "BOOKED=Open,COMPLETE=Complete")
    env.setenv("ORDERS_DELIVERY_TYPES", '{"next-day": "OVERNIGHT"}')
    env.setenv("ORDERS_SOURCING_MODE", "fluent")
    env.setenv("ORDERS_STALL_AFTER", "PT12H")
    policy = load_group(OrderSettings).policy()
    assert policy.order_status_mapping == {"BOOKED": "Open", "COMPLETE": "Complete"}
    assert policy.delivery_types == {"next-day": "OVERNIGHT"}
    assert policy.sourcing_mode is SourcingMode.FLUENT
    assert policy.stall_after == timedelta(hours=12)


def test_order_status_mapping_rejects_unknown_states(env: pytest.MonkeyPatch) -> None:
    env.setenv("ORDERS_ORDER_STATUS_MAPPING", "BOOKED=Shipped")
    with pytest.raises(SettingsError, match="ORDERS_ORDER_STATUS_MAPPING is invalid"):
        load_group(OrderSettings)


def test_unknown_sourcing_mode_is_refused(env: pytest.MonkeyPatch) -> None:
    env.setenv("ORDERS_SOURCING_MODE", "magic")
    with pytest.raises(SettingsError, match="ORDERS_SOURCING_MODE is invalid"):
        load_group(OrderSettings)


def test_dotenv_file_is_read(env: pytest.MonkeyPatch, tmp_path) -> None:
    (tmp_path / ".env").write_text("SYNC_LOCALE=de\nSYNC_PRODUCT_ATTRIBUTES=color,size\n")
    sync = load_group(SyncSettings)
    assert sync.locale == "de"
    assert sync.product_attributes == ["color", "size"]
