"""The typed methods: which request each sends, and what it returns."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from connector.commercetools import actions as a
from connector.commercetools import drafts as d
from connector.commercetools.client import CommercetoolsClient
from connector.commercetools.enums import CustomFieldResource, OrderState
from connector.commercetools.predicates import unquote
from connector.errors import NotFoundError
from tests.unit.commercetools import payloads
from tests.unit.commercetools.harness import API, LITERAL, mocked_client


def sent_json(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


async def test_get_order_expands_the_shipping_method(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.get(f"{API}/orders/order-1").respond(json=payloads.order())

    order = await client.get_order("order-1")

    assert order.shipping_method_key == "standard"
    assert route.calls.last.request.url.params.get_list("expand") == ["shippingInfo.shippingMethod"]


async def test_get_order_by_number_escapes_the_number(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.get(f"{API}/orders/order-number=2026%2F001%20A").respond(json=payloads.order())

    order = await client.get_order_by_number("2026/001 A")

    assert order.id == "order-1"
    assert route.calls.last.request.url.params["expand"] == "shippingInfo.shippingMethod"


async def test_a_missing_order_raises_not_found(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    router.get(f"{API}/orders/order-number=N-9").respond(
        404, json=payloads.error(404, "ResourceNotFound", "not found")
    )

    with pytest.raises(NotFoundError):
        await client.get_order_by_number("N-9")


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.get_order(""),
        lambda client: client.get_order_by_number(""),
        lambda client: client.get_customer(""),
        lambda client: client.get_channel_by_key(""),
        lambda client: client.update_order("", 1, [a.ChangeOrderState(order_state="Open")]),
    ],
)
async def test_an_empty_identifier_is_refused_before_any_request(
    client: CommercetoolsClient, call: Any
) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        await call(client)


async def test_iterate_orders_expands_and_pages(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.get(f"{API}/orders").respond(json=payloads.page([payloads.order()]))

    pages = [page async for page in client.iterate_orders(where=['orderState = "Open"'])]

    assert [[order.id for order in page] for page in pages] == [["order-1"]]
    params = route.calls.last.request.url.params
    assert params.get_list("where") == ['orderState = "Open"']
    assert params["expand"] == "shippingInfo.shippingMethod"


async def test_update_order_sends_version_and_actions(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.post(f"{API}/orders/order-1").respond(json=payloads.order(version=8))

    order = await client.update_order(
        "order-1",
        7,
        [
            a.ChangeOrderState(order_state=OrderState.CONFIRMED),
            a.SetCustomField(name="fluentOrderRef", value="F-1"),
        ],
    )

    assert order.version == 8
    assert sent_json(route) == {
        "version": 7,
        "actions": [
            {"action": "changeOrderState", "orderState": "Confirmed"},
            {"action": "setCustomField", "name": "fluentOrderRef", "value": "F-1"},
        ],
    }
    assert route.calls.last.request.url.params["expand"] == "shippingInfo.shippingMethod"
    assert route.calls.last.request.headers["Content-Type"] == "application/json"


async def test_an_update_needs_actions(client: CommercetoolsClient) -> None:
    with pytest.raises(ValueError, match="at least one action"):
        await client.update_order("order-1", 1, [])


async def test_an_update_is_limited_to_500_actions(client: CommercetoolsClient) -> None:
    too_many = [a.SetCustomField(name=f"f{n}", value=n) for n in range(501)]

    with pytest.raises(ValueError, match="501 actions exceed"):
        await client.update_order("order-1", 1, too_many)


async def test_an_action_of_another_resource_is_refused(client: CommercetoolsClient) -> None:
    with pytest.raises(ValueError, match="changeQuantity"):
        await client.update_order("order-1", 1, [a.ChangeQuantity(quantity=1)])  # type: ignore[list-item]


async def test_get_customer_and_category_and_product(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    router.get(f"{API}/customers/cust-1").respond(json=payloads.customer())
    router.get(f"{API}/categories/cat-1").respond(json=payloads.category())
    products = router.get(f"{API}/product-projections/prod-1").respond(
        json=payloads.product_projection()
    )

    assert (await client.get_customer("cust-1")).email == "ada@example.com"
    assert (await client.get_category("cat-1")).key == "key-cat-1"
    assert (await client.get_product_projection("prod-1", staged=True)).id == "prod-1"
    assert products.calls.last.request.url.params["staged"] == "true"


async def test_iterate_categories_and_channels(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    router.get(f"{API}/categories").respond(json=payloads.page([payloads.category()]))
    channels = router.get(f"{API}/channels").respond(json=payloads.page([payloads.channel()]))

    categories = [c.id async for page in client.iterate_categories() for c in page]
    keys = [
        c.key
        async for page in client.iterate_channels(where=['roles contains any ("InventorySupply")'])
        for c in page
    ]

    assert categories == ["cat-1"]
    assert keys == ["store-berlin"]
    assert channels.calls.last.request.url.params.get_list("where")[0].startswith("roles")


async def test_channel_by_key_is_none_when_absent(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    router.get(f"{API}/channels/key=store-berlin").respond(json=payloads.channel())
    router.get(f"{API}/channels/key=gone").respond(
        404, json=payloads.error(404, "ResourceNotFound", "no channel")
    )

    channel = await client.get_channel_by_key("store-berlin")

    assert channel is not None
    assert channel.id == "chan-1"
    assert await client.get_channel_by_key("gone") is None


async def test_channels_by_keys_queries_in_batches(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    keys = [f"store-{n:04d}-{'x' * 40}" for n in range(400)]
    existing = set(keys[::2])

    def respond(request: httpx.Request) -> httpx.Response:
        (predicate,) = request.url.params.get_list("where")
        asked = [unquote(literal) for literal in LITERAL.findall(predicate)]
        found = [payloads.channel(f"id-{key}", key) for key in asked if key in existing]
        return httpx.Response(200, json=payloads.page(found))

    route = router.get(f"{API}/channels").mock(side_effect=respond)

    channels = await client.channels_by_keys(keys + keys[:3])

    assert 1 < route.call_count < 10
    assert all(len(call.request.url.params["where"]) <= 10_000 for call in route.calls)
    assert set(channels) == existing
    assert channels[keys[0]].id == f"id-{keys[0]}"


async def test_lookups_of_nothing_send_no_request(client: CommercetoolsClient) -> None:
    assert await client.channels_by_keys([]) == {}
    assert await client.inventory_by_skus([], supply_channel_id="chan-1") == {}


async def test_lookups_refuse_a_single_string(client: CommercetoolsClient) -> None:
    with pytest.raises(TypeError, match="not a single string"):
        await client.channels_by_keys("store-berlin")
    with pytest.raises(TypeError, match="not a single string"):
        await client.inventory_by_skus("SKU-1", supply_channel_id="chan-1")


async def test_inventory_by_skus_filters_by_channel_in_one_query_per_batch(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    entries = [payloads.inventory_entry(f"inv-{n}", f"SKU-{n}", n) for n in range(3)]
    route = router.get(f"{API}/inventory").respond(json=payloads.page(entries))

    found = await client.inventory_by_skus(
        ["SKU-0", "SKU-1", "SKU-2", "SKU-3"], supply_channel_id="chan-1"
    )

    assert route.call_count == 1
    assert route.calls.last.request.url.params.get_list("where") == [
        'sku in ("SKU-0", "SKU-1", "SKU-2", "SKU-3")',
        'supplyChannel(id = "chan-1")',
    ]
    assert {sku: entry.quantity_on_stock for sku, entry in found.items()} == {
        "SKU-0": 0,
        "SKU-1": 1,
        "SKU-2": 2,
    }


async def test_creates_send_the_draft(client: CommercetoolsClient, router: respx.Router) -> None:
    channels = router.post(f"{API}/channels").respond(201, json=payloads.channel())
    inventory = router.post(f"{API}/inventory").respond(201, json=payloads.inventory_entry())
    types = router.post(f"{API}/types").respond(201, json=payloads.custom_type())

    channel = await client.create_channel(d.ChannelDraft(key="store-berlin"))
    entry = await client.create_inventory_entry(
        d.InventoryEntryDraft(
            sku="SKU-1",
            supply_channel=d.ResourceIdentifier(type_id="channel", id="chan-1"),
            quantity_on_stock=5,
        )
    )
    created_type = await client.create_type(
        d.TypeDraft(
            key="fluent-order", name={"en": "Fluent"}, resource_type_ids=[CustomFieldResource.ORDER]
        )
    )

    assert (channel.key, entry.sku, created_type.key) == ("store-berlin", "SKU-1", "fluent-order")
    assert sent_json(channels) == {"key": "store-berlin", "roles": []}
    assert sent_json(inventory) == {
        "sku": "SKU-1",
        "supplyChannel": {"typeId": "channel", "id": "chan-1"},
        "quantityOnStock": 5,
    }
    assert sent_json(types) == {
        "key": "fluent-order",
        "name": {"en": "Fluent"},
        "resourceTypeIds": ["order"],
        "fieldDefinitions": [],
    }


async def test_updates_of_channels_inventory_and_types(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    channels = router.post(f"{API}/channels/chan-1").respond(json=payloads.channel(version=3))
    inventory = router.post(f"{API}/inventory/inv-1").respond(
        json=payloads.inventory_entry(quantity=9)
    )
    types = router.post(f"{API}/types/type-1").respond(json=payloads.custom_type(version=2))

    await client.update_channel("chan-1", 2, [a.ChangeName(name={"en": "Mitte"})])
    entry = await client.update_inventory_entry("inv-1", 1, [a.ChangeQuantity(quantity=9)])
    await client.update_type(
        "type-1",
        1,
        [
            a.AddFieldDefinition(
                field_definition=d.FieldDefinition(
                    name="n1", label={"en": "N"}, type=d.NumberType()
                )
            )
        ],
    )

    assert entry.quantity_on_stock == 9
    assert sent_json(channels) == {
        "version": 2,
        "actions": [{"action": "changeName", "name": {"en": "Mitte"}}],
    }
    assert sent_json(inventory) == {
        "version": 1,
        "actions": [{"action": "changeQuantity", "quantity": 9}],
    }
    assert sent_json(types)["actions"][0]["fieldDefinition"]["type"] == {"name": "Number"}


async def test_type_by_key(client: CommercetoolsClient, router: respx.Router) -> None:
    router.get(f"{API}/types/key=fluent-order").respond(json=payloads.custom_type())
    router.get(f"{API}/types/key=absent").respond(
        404, json=payloads.error(404, "ResourceNotFound", "no")
    )

    found = await client.get_type_by_key("fluent-order")

    assert found is not None
    assert found.field_definition("fluentOrderRef") is not None
    assert await client.get_type_by_key("absent") is None


async def test_query_messages_sends_one_page_query(
    client: CommercetoolsClient, router: respx.Router
) -> None:
    route = router.get(f"{API}/messages").respond(
        json=payloads.page(
            [payloads.message(order=payloads.order()), payloads.message("msg-2", "OrderImported")]
        )
    )

    messages = await client.query_messages(
        where=[
            'type in ("OrderCreated", "OrderImported")',
            'createdAt > "2026-03-01T00:00:00.000Z"',
        ],
        limit=100,
    )

    assert [message.id for message in messages] == ["msg-1", "msg-2"]
    assert list(route.calls.last.request.url.params.multi_items()) == [
        ("limit", "100"),
        ("withTotal", "false"),
        ("sort", "createdAt asc"),
        ("sort", "id asc"),
        ("where", 'type in ("OrderCreated", "OrderImported")'),
        ("where", 'createdAt > "2026-03-01T00:00:00.000Z"'),
    ]


@pytest.mark.parametrize("limit", [0, 501])
async def test_query_messages_limit_is_checked(client: CommercetoolsClient, limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        await client.query_messages(limit=limit)


async def test_query_messages_refuses_a_single_sort_string(client: CommercetoolsClient) -> None:
    with pytest.raises(TypeError, match="sort"):
        await client.query_messages(sort="createdAt asc")


async def test_a_closed_client_refuses_requests(router: respx.Router) -> None:
    async with mocked_client(router) as client:
        pass

    with pytest.raises(RuntimeError, match="closed"):
        await client.get_customer("cust-1")
