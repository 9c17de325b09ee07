"""What `starter.py setup` provisions, decided purely from the settings; how it treats types,
channels and search attributes that already exist; the schedules' definitions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.service import RPCError, RPCStatusCode

from connector.commercetools.drafts import ChannelDraft, TypeDraft
from connector.commercetools.models import Channel, Type
from connector.config import OrderSettings
from connector.orders import (
    FIELD_CONNECTOR_ISSUE,
    FIELD_FLUENT_ORDER_ID,
    FIELD_FLUENT_ORDER_REF,
    FIELD_FLUENT_STATUS,
    FIELD_FULFILMENT_METADATA,
    FIELD_FULFILMENT_REF,
    FIELD_FULFILMENT_STATUS,
    FIELD_INVOICE_REF,
    FIELD_TRACKING_URL,
)
from connector.schedules import Change, schedule_definitions
from connector.setup import (
    channel_drafts,
    custom_type_drafts,
    missing_roles,
    register_search_attributes,
    type_changes,
)
from connector.syncs import SyncInput, SyncMode
from connector.temporal import SEARCH_ATTRIBUTES
from tests.conftest import reference_file
from tests.contract.openapi import OpenApiSpec, load_spec
from tests.unit.syncs.platforms import sync_settings

SETTINGS = sync_settings()


def fields_of(draft: TypeDraft) -> set[str]:
    return {field.name for field in draft.field_definitions}


def as_existing(draft: TypeDraft, **overrides: Any) -> Type:
    return Type.model_validate({"id": "t-1", "version": 1, **draft.to_wire(), **overrides})


def test_the_types_carry_every_field_the_lifecycle_and_the_location_sync_write() -> None:
    drafts = {draft.key: draft for draft in custom_type_drafts(SETTINGS)}

    assert fields_of(drafts["fluent-connector-order"]) == {
        FIELD_FLUENT_ORDER_REF,
        FIELD_FLUENT_ORDER_ID,
        FIELD_FLUENT_STATUS,
        FIELD_CONNECTOR_ISSUE,
        "pickupLocationRef",
    }
    assert fields_of(drafts["fluent-connector-line-item"]) == {FIELD_FULFILMENT_METADATA}
    assert fields_of(drafts["fluent-connector-delivery"]) == {
        FIELD_FULFILMENT_REF,
        FIELD_FULFILMENT_STATUS,
        FIELD_INVOICE_REF,
    }
    assert fields_of(drafts["fluent-connector-parcel"]) == {FIELD_TRACKING_URL}
    assert "fluentLocationStatus" in fields_of(drafts["fluent-connector-channel"])
    resources = {key: [str(r) for r in d.resource_type_ids] for key, d in drafts.items()}
    assert resources == {
        "fluent-connector-order": ["order"],
        "fluent-connector-line-item": ["line-item"],
        "fluent-connector-delivery": ["order-delivery"],
        "fluent-connector-parcel": ["order-parcel"],
        "fluent-connector-channel": ["channel"],
    }


def test_type_keys_and_the_pickup_field_follow_the_order_settings() -> None:
    orders = OrderSettings(order_type_key="shop-order", pickup_location_field="storeRef")
    settings = SETTINGS.model_copy(update={"orders": orders})

    order_type = custom_type_drafts(settings)[0]

    assert order_type.key == "shop-order"
    assert "storeRef" in fields_of(order_type)


@pytest.mark.contract
def test_every_draft_setup_sends_matches_the_commercetools_api() -> None:
    spec: OpenApiSpec = load_spec(reference_file("commercetools-openapi.yaml"))
    export = SETTINGS.model_copy(
        update={"orders": OrderSettings(order_export_channel_key="fluent-order-export")}
    )

    for draft in custom_type_drafts(SETTINGS):
        spec.validate("TypeDraft", draft.to_wire())
    for channel in channel_drafts(export):
        spec.validate("ChannelDraft", channel.to_wire())


def test_an_existing_type_gets_only_its_missing_fields() -> None:
    draft = custom_type_drafts(SETTINGS)[0]
    partial = draft.model_copy(update={"field_definitions": draft.field_definitions[:2]})

    additions, problems = type_changes(draft, as_existing(partial))

    assert problems == []
    assert [a.field_definition.name for a in additions] == [
        f.name for f in draft.field_definitions[2:]
    ]
    assert type_changes(draft, as_existing(draft)) == ([], [])


def test_a_field_of_another_type_or_another_resource_is_reported_not_changed() -> None:
    draft = custom_type_drafts(SETTINGS)[0]
    wire = draft.to_wire()
    wire["fieldDefinitions"][0]["type"] = {"name": "Number"}

    additions, problems = type_changes(
        draft,
        as_existing(draft, fieldDefinitions=wire["fieldDefinitions"], resourceTypeIds=["cart"]),
    )

    assert additions == []
    assert problems == [
        "the type serves ['cart'], not ['order']: configure another type key",
        "field fluentOrderRef is a Number, the connector writes a String",
    ]


def test_channels_are_the_inventory_channel_and_the_export_channel_when_configured() -> None:
    (inventory,) = channel_drafts(SETTINGS)
    export = SETTINGS.model_copy(
        update={"orders": OrderSettings(order_export_channel_key="fluent-order-export")}
    )

    keys_and_roles = [(d.key, [str(r) for r in d.roles]) for d in channel_drafts(export)]

    assert inventory.key == "fluent-aggregate-stock"
    assert keys_and_roles == [
        ("fluent-aggregate-stock", ["InventorySupply"]),
        ("fluent-order-export", ["OrderExport"]),
    ]


def test_an_existing_channel_only_lacks_the_roles_it_does_not_have() -> None:
    draft: ChannelDraft = channel_drafts(SETTINGS)[0]
    channel = Channel(id="c", key=draft.key, version=1, roles=["Primary"])

    assert [str(role) for role in missing_roles(draft, channel)] == ["InventorySupply"]
    assert missing_roles(draft, channel.model_copy(update={"roles": ["InventorySupply"]})) == []


class FakeOperator:
    def __init__(self, existing: dict[str, int] | None = None, refuse: bool = False) -> None:
        self.existing = existing or {}
        self.refuse = refuse
        self.added: dict[str, int] = {}

    async def list_search_attributes(self, request: Any) -> Any:
        if self.refuse:
            raise RPCError("not allowed on Temporal Cloud", RPCStatusCode.PERMISSION_DENIED, b"")

        class Listed:
            system_attributes = {"WorkflowType": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD}
            custom_attributes = self.existing

        return Listed()

    async def add_search_attributes(self, request: Any) -> None:
        self.added.update(request.search_attributes)


class FakeClient:
    namespace = "default"

    def __init__(self, operator: FakeOperator) -> None:
        self.operator_service = operator


async def test_missing_search_attributes_are_registered_and_present_ones_kept() -> None:
    keyword = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
    operator = FakeOperator(existing={"CtOrderNumber": keyword})

    steps = await register_search_attributes(FakeClient(operator))  # type: ignore[arg-type]

    assert {s.name: s.change for s in steps} == {
        key.name: Change.UNCHANGED if key.name == "CtOrderNumber" else Change.CREATED
        for key in SEARCH_ATTRIBUTES
    }
    assert set(operator.added) == {k.name for k in SEARCH_ATTRIBUTES} - {"CtOrderNumber"}


async def test_an_attribute_of_another_type_is_a_failure() -> None:
    operator = FakeOperator(existing={"OrderStatus": IndexedValueType.INDEXED_VALUE_TYPE_TEXT})

    steps = await register_search_attributes(FakeClient(operator))  # type: ignore[arg-type]

    (failed,) = [s for s in steps if s.change is Change.FAILED]
    assert failed.name == "OrderStatus"
    assert failed.detail == "exists as INDEXED_VALUE_TYPE_TEXT, the connector needs Keyword"


async def test_a_server_that_refuses_registration_is_reported_not_failed() -> None:
    steps = await register_search_attributes(FakeClient(FakeOperator(refuse=True)))  # type: ignore[arg-type]

    (step,) = steps
    assert step.change is Change.SKIPPED
    assert "tcld" in step.detail
    assert "not allowed on Temporal Cloud" in step.detail


def test_schedules_follow_the_interval_settings() -> None:
    settings = sync_settings(catalog_interval=timedelta(minutes=30), sync_task_queue="q-sync")

    definitions = {d.schedule_id: d for d in schedule_definitions(settings)}

    assert {k: d.every for k, d in definitions.items()} == {
        "sync-catalog-schedule": timedelta(minutes=30),
        "sync-locations-schedule": timedelta(hours=1),
        "sync-inventory-schedule": timedelta(minutes=5),
        "sync-inventory-full-schedule": timedelta(days=1),
        "reconcile-orders-schedule": timedelta(hours=1),
    }
    catalog = definitions["sync-catalog-schedule"]
    assert (catalog.workflow_type, catalog.task_queue) == ("CatalogSyncWorkflow", "q-sync")
    assert SyncInput.model_validate(catalog.arg) == SyncInput(mode=SyncMode.DELTA)
    full = SyncInput.model_validate(definitions["sync-inventory-full-schedule"].arg)
    assert full.mode is SyncMode.FULL
    assert full.wait_if_busy
    reconcile = definitions["reconcile-orders-schedule"]
    assert (reconcile.workflow_type, reconcile.task_queue, reconcile.arg) == (
        "ReconcileOrdersWorkflow",
        settings.temporal.order_task_queue,
        {},
    )
