"""Every request the commercetools client can send is checked against the official OpenAPI
description: bodies (with misspelt or undeclared fields failing), query parameter names, and one
example of every action and draft model."""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from connector.commercetools import actions as a
from connector.commercetools import drafts as d
from connector.commercetools.base import RequestModel
from connector.commercetools.client import CommercetoolsClient
from connector.commercetools.enums import (
    ChannelRole,
    CustomFieldResource,
    OrderState,
    ShipmentState,
)
from connector.commercetools.models import Order
from tests.conftest import reference_file
from tests.contract.openapi import ContractViolationError, OpenApiSpec, load_spec
from tests.unit.commercetools import payloads
from tests.unit.commercetools.harness import API, AUTH, TokenIssuer, mocked_client

pytestmark = pytest.mark.contract

API_HOST = httpx.URL(API).host


@pytest.fixture(scope="session")
def spec() -> OpenApiSpec:
    return load_spec(reference_file("commercetools-openapi.yaml"))


# --- representative request models: at least one instance of every class --------------------

TYPE_REF = d.ResourceIdentifier(type_id="type", key="fluent-fields")
ADDRESS = d.AddressDraft(
    key="shop",
    country="DE",
    first_name="Ada",
    last_name="Lovelace",
    street_name="Unter den Linden",
    street_number="1",
    additional_street_info="Hinterhaus",
    building="B",
    apartment="4",
    postal_code="10117",
    city="Berlin",
    region="Mitte",
    state="Berlin",
    company="Analytical Engines GmbH",
    phone="+49 30 123456",
    email="ada@example.com",
    p_o_box="1234",
)
TRACKING = d.TrackingData(
    tracking_id="1Z999",
    carrier="DHL",
    provider="dhl-de",
    provider_transaction="tx",
    is_return=False,
)
ITEMS = [d.DeliveryItem(id="li-1", quantity=1)]
CUSTOM = d.CustomFieldsDraft.of_type("fluent-fields", {"fluentRef": "F-1", "count": 2, "ok": True})

ORDER_ACTIONS: list[a.OrderUpdateAction] = [
    a.ChangeOrderState(order_state=OrderState.CONFIRMED),
    a.ChangeShipmentState(shipment_state=ShipmentState.PARTIAL),
    a.AddDelivery(
        delivery_key="FUL-1",
        items=ITEMS,
        address=ADDRESS,
        parcels=[
            d.ParcelDraft(
                key="FUL-1-P1",
                measurements=d.ParcelMeasurements(
                    height_in_millimeter=100,
                    length_in_millimeter=200,
                    width_in_millimeter=300,
                    weight_in_gram=500,
                ),
                tracking_data=TRACKING,
                items=ITEMS,
                custom=CUSTOM,
            )
        ],
        custom=CUSTOM,
    ),
    a.AddParcelToDelivery(
        delivery_key="FUL-1",
        parcel_key="FUL-1-P2",
        measurements=d.ParcelMeasurements(weight_in_gram=100),
        tracking_data=TRACKING,
        items=ITEMS,
        custom=CUSTOM,
    ),
    a.SetDeliveryItems(delivery_key="FUL-1", items=ITEMS),
    a.SetParcelTrackingData(parcel_key="FUL-1-P1", tracking_data=TRACKING),
    a.SetCustomType(type=TYPE_REF, fields={"fluentRef": "F-1"}),
    a.SetCustomField(name="fluentStatus", value="AWAITING_WAVE"),
    a.SetLineItemCustomType(line_item_id="li-1", type=TYPE_REF, fields={"n": 1}),
    a.SetLineItemCustomField(line_item_key="line-1", name="fulfilled", value=1),
    a.SetDeliveryCustomType(delivery_key="FUL-1", type=TYPE_REF, fields={}),
    a.SetDeliveryCustomField(delivery_id="del-1", name="status", value="SHIPPED"),
    a.SetParcelCustomType(parcel_key="FUL-1-P1", type=TYPE_REF),
    a.SetParcelCustomField(parcel_id="parcel-1", name="label", value=["a", "b"]),
    a.UpdateSyncInfo(
        channel=d.ResourceIdentifier(type_id="channel", key="fluent"),
        external_id="F-ORDER-1",
        synced_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
    ),
]
CHANNEL_ACTIONS: list[a.ChannelUpdateAction] = [
    a.ChangeName(name={"en": "Berlin", "de-DE": "Berlin"}),
    a.ChangeDescription(description={"en": "Flagship"}),
    a.SetAddress(address=ADDRESS),
    a.SetGeoLocation(geo_location=d.GeoJsonPoint.at(latitude=52.517, longitude=13.389)),
    a.SetRoles(roles=[ChannelRole.INVENTORY_SUPPLY, ChannelRole.PRODUCT_DISTRIBUTION]),
    a.SetCustomType(type=TYPE_REF, fields={"fluentRef": "LOC-1"}),
    a.SetCustomField(name="openingHours", value=None),
]
INVENTORY_ACTIONS: list[a.InventoryEntryUpdateAction] = [a.ChangeQuantity(quantity=12)]
TYPE_ACTIONS: list[a.TypeUpdateAction] = [
    a.AddFieldDefinition(
        field_definition=d.FieldDefinition(
            name="fluentTags",
            label={"en": "Tags"},
            type=d.SetType(element_type=d.StringType()),
        )
    )
]
CHANNEL_DRAFT = d.ChannelDraft(
    key="store-berlin",
    roles=[ChannelRole.INVENTORY_SUPPLY],
    name={"en": "Berlin"},
    description={"en": "Flagship"},
    address=ADDRESS,
    custom=CUSTOM,
    geo_location=d.GeoJsonPoint(coordinates=(13.389, 52.517)),
)
INVENTORY_DRAFT = d.InventoryEntryDraft(
    sku="SKU-1",
    key="SKU-1-store-berlin",
    supply_channel=d.ResourceIdentifier(type_id="channel", id="chan-1"),
    quantity_on_stock=5,
    restockable_in_days=3,
    expected_delivery=datetime(2026, 3, 5, tzinfo=UTC),
    custom=CUSTOM,
)
CUSTOM_OBJECT_DRAFT = d.CustomObjectDraft(
    container="commercetools-fluent-connector",
    key="sync-catalog",
    value={"kind": "catalog", "retry": [{"entity": "product", "id": "prod-1"}]},
    version=4,
)
TYPE_DRAFT = d.TypeDraft(
    key="fluent-fields",
    name={"en": "Fluent fields"},
    description={"en": "Written by the connector"},
    resource_type_ids=[CustomFieldResource.ORDER, CustomFieldResource.ORDER_DELIVERY],
    field_definitions=[
        d.FieldDefinition(
            name="fluentRef",
            label={"en": "Fluent ref"},
            required=False,
            type=d.StringType(),
            input_hint="SingleLine",
        ),
        d.FieldDefinition(name="count", label={"en": "Count"}, type=d.NumberType()),
        d.FieldDefinition(name="ok", label={"en": "OK"}, type=d.BooleanType()),
        d.FieldDefinition(name="note", label={"en": "Note"}, type=d.LocalizedStringType()),
        d.FieldDefinition(name="syncedAt", label={"en": "Synced"}, type=d.DateTimeType()),
        d.FieldDefinition(
            name="status",
            label={"en": "Status"},
            type=d.EnumType(values=[d.EnumValue(key="OPEN", label="Open")]),
        ),
        d.FieldDefinition(
            name="flags",
            label={"en": "Flags"},
            type=d.SetType(element_type=d.EnumType(values=[d.EnumValue(key="A", label="A")])),
        ),
    ],
)

UPDATE_SCHEMAS: dict[str, Any] = {
    "OrderUpdate": a.OrderUpdateAction,
    "ChannelUpdate": a.ChannelUpdateAction,
    "InventoryEntryUpdate": a.InventoryEntryUpdateAction,
    "TypeUpdate": a.TypeUpdateAction,
}
"""Each resource's update body schema and the union of the actions the connector sends."""

DRAFT_EXAMPLES: list[tuple[RequestModel, str]] = [
    (CHANNEL_DRAFT, "ChannelDraft"),
    (INVENTORY_DRAFT, "InventoryEntryDraft"),
    (TYPE_DRAFT, "TypeDraft"),
    (CUSTOM_OBJECT_DRAFT, "CustomObjectDraft"),
    (CUSTOM, "CustomFieldsDraft"),
    (TYPE_REF, "ResourceIdentifier"),
    (d.ResourceIdentifier(type_id="channel", id="chan-1"), "ChannelResourceIdentifier"),
    (ADDRESS, "BaseAddress"),
    (d.GeoJsonPoint.at(latitude=1.0, longitude=2.0), "GeoJson"),
    (ITEMS[0], "DeliveryItem"),
    (TRACKING, "TrackingData"),
    (d.ParcelMeasurements(weight_in_gram=1), "ParcelMeasurements"),
    (d.ParcelDraft(key="P-1", items=ITEMS, tracking_data=TRACKING), "ParcelDraft"),
    (d.EnumValue(key="A", label="A"), "CustomFieldEnumValue"),
    *((field.type, "FieldType") for field in TYPE_DRAFT.field_definitions),
    (TYPE_DRAFT.field_definitions[0], "FieldDefinition"),
]


def union_members(union: Any) -> set[type]:
    inner = typing.get_args(union)[0]
    return set(typing.get_args(inner)) or {inner}


def request_model_classes() -> set[type]:
    return {
        cls
        for module in (a, d)
        for name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, RequestModel)
        and cls.__module__ == module.__name__
        and not name.startswith("_")
    }


def all_examples() -> list[RequestModel]:
    actions: list[RequestModel] = [
        *ORDER_ACTIONS,
        *CHANNEL_ACTIONS,
        *INVENTORY_ACTIONS,
        *TYPE_ACTIONS,
    ]
    return actions + [model for model, _ in DRAFT_EXAMPLES]


# --- the client driven against a recording mock --------------------------------------------


def mount_api(router: respx.Router) -> None:
    """Plausible answers for every endpoint the client calls."""
    order = payloads.order(deliveries=[])
    router.post(AUTH).mock(side_effect=TokenIssuer())
    router.get(f"{API}/orders/order-1").respond(json=order)
    router.get(f"{API}/orders/order-number=N-1").respond(json=order)
    router.get(f"{API}/orders").respond(json=payloads.page([order]))
    router.post(f"{API}/orders/order-1").respond(json=payloads.order(version=2))
    router.get(f"{API}/customers/cust-1").respond(json=payloads.customer())
    router.get(f"{API}/categories/cat-1").respond(json=payloads.category())
    router.get(f"{API}/categories").respond(json=payloads.page([payloads.category()]))
    router.get(f"{API}/product-projections/prod-1").respond(json=payloads.product_projection())
    router.get(f"{API}/product-projections").respond(
        json={**payloads.page([payloads.product_projection()]), "total": 1}
    )
    router.get(f"{API}/channels/key=store-berlin").respond(json=payloads.channel())
    router.get(f"{API}/channels").respond(json=payloads.page([payloads.channel()]))
    router.post(f"{API}/channels").respond(201, json=payloads.channel())
    router.post(f"{API}/channels/chan-1").respond(json=payloads.channel(version=3))
    router.get(f"{API}/inventory").respond(json=payloads.page([payloads.inventory_entry()]))
    router.post(f"{API}/inventory").respond(201, json=payloads.inventory_entry())
    router.post(f"{API}/inventory/inv-1").respond(json=payloads.inventory_entry(version=2))
    router.get(f"{API}/messages").respond(json=payloads.page([payloads.message()]))
    router.get(f"{API}/types/key=fluent-fields").respond(json=payloads.custom_type())
    router.post(f"{API}/types").respond(201, json=payloads.custom_type())
    router.post(f"{API}/types/type-1").respond(json=payloads.custom_type(version=2))
    router.get(f"{API}/custom-objects/commercetools-fluent-connector/sync-catalog").respond(
        json=payloads.custom_object()
    )
    router.post(f"{API}/custom-objects").respond(json=payloads.custom_object(version=5))


async def drain(pages: Any) -> None:
    async for _ in pages:
        pass


Call = Callable[[CommercetoolsClient], Awaitable[Any]]


def order_actions_for(order: Order) -> list[a.OrderUpdateAction]:
    return [] if order.delivery_by_key("FUL-1") else ORDER_ACTIONS


WRITES: dict[str, Call] = {
    "create_channel": lambda client: client.create_channel(CHANNEL_DRAFT),
    "update_channel": lambda client: client.update_channel("chan-1", 2, CHANNEL_ACTIONS),
    "create_inventory_entry": lambda client: client.create_inventory_entry(INVENTORY_DRAFT),
    "update_inventory_entry": lambda client: client.update_inventory_entry(
        "inv-1", 1, INVENTORY_ACTIONS
    ),
    "create_type": lambda client: client.create_type(TYPE_DRAFT),
    "update_type": lambda client: client.update_type("type-1", 1, TYPE_ACTIONS),
    "update_order": lambda client: client.update_order("order-1", 1, ORDER_ACTIONS),
    "create_or_update_custom_object": lambda client: client.create_or_update_custom_object(
        CUSTOM_OBJECT_DRAFT
    ),
    "update_order_with_retry": lambda client: client.update_order_with_retry(
        "order-1", order_actions_for
    ),
}

READS: dict[str, Call] = {
    "iterate_pages": lambda client: drain(client.iterate_pages("orders", where=["version > 0"])),
    "get_order": lambda client: client.get_order("order-1"),
    "get_order_by_number": lambda client: client.get_order_by_number("N-1"),
    "iterate_orders": lambda client: drain(client.iterate_orders(where=['orderState = "Open"'])),
    "get_customer": lambda client: client.get_customer("cust-1"),
    "get_category": lambda client: client.get_category("cat-1"),
    "iterate_categories": lambda client: drain(client.iterate_categories(where=["key is defined"])),
    "count_product_projections": lambda client: client.count_product_projections(
        where=["published = true"], staged=True
    ),
    "get_product_projection": lambda client: client.get_product_projection("prod-1", staged=True),
    "iterate_product_projections": lambda client: drain(
        client.iterate_product_projections(where=["published = true"], staged=False)
    ),
    "iterate_channels": lambda client: drain(client.iterate_channels()),
    "channels_by_keys": lambda client: client.channels_by_keys(["store-berlin", "store-x"]),
    "get_channel_by_key": lambda client: client.get_channel_by_key("store-berlin"),
    "inventory_by_skus": lambda client: client.inventory_by_skus(
        ["SKU-1", "SKU-2"], supply_channel_id="chan-1"
    ),
    "query_messages": lambda client: client.query_messages(where=['type = "OrderCreated"']),
    "get_type_by_key": lambda client: client.get_type_by_key("fluent-fields"),
    "get_custom_object": lambda client: client.get_custom_object(
        "commercetools-fluent-connector", "sync-catalog"
    ),
}


async def recorded_api_calls(call: Call) -> list[httpx.Request]:
    router = respx.Router(assert_all_mocked=True, assert_all_called=False)
    mount_api(router)
    async with mocked_client(router) as client:
        await call(client)
    return [sent for sent, _ in router.calls if sent.url.host == API_HOST]


def raw_path(request: httpx.Request) -> str:
    return request.url.raw_path.decode().split("?", 1)[0]


def test_every_client_method_is_driven_here() -> None:
    public = {
        name
        for name, _ in inspect.getmembers(CommercetoolsClient, inspect.isfunction)
        if not name.startswith("_") and name != "aclose"
    }
    writes = {name for name in public if name.startswith(("create_", "update_"))}

    assert writes == set(WRITES)
    assert public == set(WRITES) | set(READS)


@pytest.mark.parametrize("method", sorted(WRITES))
async def test_write_requests_match_the_spec(spec: OpenApiSpec, method: str) -> None:
    requests = await recorded_api_calls(WRITES[method])

    posts = [request for request in requests if request.method == "POST"]
    assert posts, f"{method} sent no write"
    for request in requests:
        spec.validate_query(request.method, raw_path(request), request.url.params.keys())
    for request in posts:
        spec.validate_request("POST", raw_path(request), json.loads(request.content))


@pytest.mark.parametrize("method", sorted(READS))
async def test_read_requests_use_declared_query_parameters(spec: OpenApiSpec, method: str) -> None:
    requests = await recorded_api_calls(READS[method])

    assert requests
    for request in requests:
        assert request.method == "GET"
        spec.validate_query("GET", raw_path(request), request.url.params.keys())


def test_every_request_model_has_an_example() -> None:
    covered = {type(example) for example in all_examples()}

    assert request_model_classes() - covered == set()


def test_every_action_example_belongs_to_a_resource() -> None:
    members = set().union(*(union_members(union) for union in UPDATE_SCHEMAS.values()))
    action_classes = {cls for cls in request_model_classes() if cls.__module__ == a.__name__}

    assert action_classes == members


@pytest.mark.parametrize(
    ("schema", "action"),
    [
        (schema, action)
        for schema, union in UPDATE_SCHEMAS.items()
        for action in [*ORDER_ACTIONS, *CHANNEL_ACTIONS, *INVENTORY_ACTIONS, *TYPE_ACTIONS]
        if type(action) in union_members(union)
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_each_action_matches_its_resource_update_schema(
    spec: OpenApiSpec, schema: str, action: RequestModel
) -> None:
    spec.validate(schema, {"version": 1, "actions": [action.to_wire()]})


@pytest.mark.parametrize(
    ("model", "schema"),
    DRAFT_EXAMPLES,
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_each_draft_matches_its_schema(spec: OpenApiSpec, model: RequestModel, schema: str) -> None:
    spec.validate(schema, model.to_wire())


# --- the validator itself rejects what commercetools would reject -----------------------------

ORDER_PATH = "/demo/orders/order-1"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {"version": 1, "actions": [{"action": "changeOrderState", "orderStat": "Open"}]},
            "'orderStat' was unexpected",
        ),
        ({"version": "1", "actions": []}, "'1' is not of type 'integer'"),
        (
            {"version": 1, "actions": [{"action": "changeOrderState", "orderState": "Done"}]},
            "'Done' is not one of",
        ),
        (
            {"version": 1, "actions": [{"action": "changeOrderStatus"}]},
            "'changeOrderStatus' is not one of",
        ),
        (
            {
                "version": 1,
                "actions": [
                    {
                        "action": "addDelivery",
                        "parcels": [{"key": "P-1", "trackingData": {"trackingID": "1Z"}}],
                    }
                ],
            },
            "$.actions[0].parcels[0].trackingData: Additional properties are not allowed",
        ),
        (
            {
                "version": 1,
                "actions": [{"action": "addDelivery", "items": [{"id": "li-1", "quantity": "1"}]}],
            },
            "'1' is not of type 'integer'",
        ),
        (
            {
                "version": 1,
                "actions": [
                    {"action": "updateSyncInfo", "channel": {"typeId": "type", "key": "fluent"}}
                ],
            },
            "'type' is not one of ['channel']",
        ),
        (
            {
                "version": 1,
                "actions": [
                    {
                        "action": "updateSyncInfo",
                        "channel": {"typeId": "channel", "key": "fluent"},
                        "syncedAt": "2026-03-01T12:00:00",
                    }
                ],
            },
            "does not match",
        ),
        ({"actions": []}, "'version' is a required property"),
    ],
)
def test_the_validator_rejects_bad_bodies(spec: OpenApiSpec, body: Any, problem: str) -> None:
    with pytest.raises(ContractViolationError) as caught:
        spec.validate_request("POST", ORDER_PATH, body)

    assert problem in str(caught.value)


def test_the_validator_rejects_a_misspelt_draft_field(spec: OpenApiSpec) -> None:
    draft = {**CHANNEL_DRAFT.to_wire(), "geolocation": {"type": "Point", "coordinates": [1, 2]}}

    with pytest.raises(ContractViolationError, match="'geolocation' was unexpected"):
        spec.validate_request("POST", "/demo/channels", draft)


def test_the_validator_accepts_any_custom_field_value(spec: OpenApiSpec) -> None:
    values = {"s1": "x", "n1": 1.5, "b1": False, "l1": {"en": "x"}, "set": [1, 2]}

    spec.validate("CustomFieldsDraft", {"type": {"typeId": "type", "key": "t"}, "fields": values})


def test_the_validator_resolves_the_most_specific_path(spec: OpenApiSpec) -> None:
    assert spec.operation("GET", "/demo/orders/order-number=N-1").template == (
        "/{projectKey}/orders/order-number={orderNumber}"
    )
    assert spec.operation("GET", "/demo/orders/abc").template == "/{projectKey}/orders/{ID}"
    assert (
        spec.operation("GET", "/demo/channels/key=k").template == "/{projectKey}/channels/key={key}"
    )


def test_the_validator_rejects_unknown_paths_methods_and_parameters(spec: OpenApiSpec) -> None:
    with pytest.raises(ContractViolationError, match="no path"):
        spec.operation("GET", "/demo/order/abc")
    with pytest.raises(ContractViolationError, match="PUT is not defined"):
        spec.operation("PUT", ORDER_PATH)
    with pytest.raises(ContractViolationError, match="takes no JSON request body"):
        spec.validate_request("GET", ORDER_PATH, {})
    with pytest.raises(ContractViolationError, match="undeclared query parameters \\['sortBy'\\]"):
        spec.validate_query("GET", "/demo/orders", ["where", "sortBy"])


def test_predicate_variables_are_declared_query_parameters(spec: OpenApiSpec) -> None:
    spec.validate_query("GET", "/demo/orders", ["where", "var.skus"])


def test_the_translated_schemas_are_valid_json_schema(spec: OpenApiSpec) -> None:
    spec.check_translation([*UPDATE_SCHEMAS, *(name for _, name in DRAFT_EXAMPLES)])
