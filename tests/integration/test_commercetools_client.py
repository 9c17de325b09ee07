"""The commercetools client over real HTTP, against our sandbox and against an independent
emulator (`@labdigital/commercetools-mock`): the same tests, so that our sandbox cannot agree
with the client by sharing its misunderstandings.

Cases the emulator cannot run are marked `sandbox_only` with the reason; the list, and how each
disagreement between the two was settled against the official API, is in
`sandbox/commercetools/README.md` ("Differences from @labdigital/commercetools-mock").
Data the client does not write (products, carts, orders) is set up with plain HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from connector.commercetools import models
from connector.commercetools.actions import (
    AddDelivery,
    AddFieldDefinition,
    AddParcelToDelivery,
    ChangeName,
    ChangeOrderState,
    ChangeQuantity,
    ChangeShipmentState,
    OrderUpdateAction,
    SetAddress,
    SetCustomField,
    SetCustomType,
    SetGeoLocation,
    SetLineItemCustomField,
    SetLineItemCustomType,
    SetParcelTrackingData,
    SetRoles,
    UpdateSyncInfo,
)
from connector.commercetools.client import (
    CommercetoolsClient,
    refresh_margin,
    update_with_retry,
)
from connector.commercetools.drafts import (
    AddressDraft,
    ChannelDraft,
    DeliveryItem,
    EnumType,
    EnumValue,
    FieldDefinition,
    GeoJsonPoint,
    InventoryEntryDraft,
    NumberType,
    ParcelDraft,
    ResourceIdentifier,
    SetType,
    StringType,
    TrackingData,
    TypeDraft,
)
from connector.commercetools.enums import ChannelRole, CustomFieldResource, OrderState
from connector.commercetools.models import Channel, Order
from connector.commercetools.predicates import datetime_literal, in_list, quote
from connector.errors import (
    AlreadyExistsError,
    ConflictError,
    NotFoundError,
    PermanentError,
)
from tests.integration.conftest import (
    LOCAL_TLS,
    CommercetoolsBackend,
    RecordingTransport,
    unique,
)

pytestmark = pytest.mark.integration

TAX_CATEGORY_KEY = "standard"
ZONE_KEY = "world"
ADDRESS = {
    "country": "DE",
    "firstName": "Anna",
    "lastName": "Schmidt",
    "streetName": "Invalidenstrasse",
    "streetNumber": "117",
    "postalCode": "10115",
    "city": "Berlin",
    "email": "anna.schmidt@example.com",
}
PRICE_CENTS = 2_500
SHIPPING_CENTS = 490


# --- setting up what the client only reads ------------------------------------------------------


def ok(response: httpx.Response, *statuses: int) -> Any:
    """The JSON body, after checking the status is one of `statuses` (default 200)."""
    assert response.status_code in (statuses or (200,)), f"{response.request.url}: {response.text}"
    return response.json()


async def ensure_by_key(api: httpx.AsyncClient, resource: str, draft: dict[str, Any]) -> None:
    """The sandbox has a built-in tax category and zone; the emulator starts without any."""
    if (await api.get(f"{resource}/key={draft['key']}")).status_code == 404:
        ok(await api.post(resource, json=draft), 201)


async def create_shipping_method(api: httpx.AsyncClient) -> dict[str, Any]:
    await ensure_by_key(
        api,
        "tax-categories",
        {
            "key": TAX_CATEGORY_KEY,
            "name": "Standard",
            "rates": [{"name": "19%", "amount": 0.19, "includedInPrice": True, "country": "DE"}],
        },
    )
    await ensure_by_key(
        api, "zones", {"key": ZONE_KEY, "name": "World", "locations": [{"country": "DE"}]}
    )
    draft = {
        "key": unique("ship"),
        "name": "Standard delivery",
        "taxCategory": {"typeId": "tax-category", "key": TAX_CATEGORY_KEY},
        "zoneRates": [
            {
                "zone": {"typeId": "zone", "key": ZONE_KEY},
                "shippingRates": [{"price": {"currencyCode": "EUR", "centAmount": SHIPPING_CENTS}}],
            }
        ],
        "isDefault": False,
    }
    return dict(ok(await api.post("shipping-methods", json=draft), 201))


async def create_product_type(api: httpx.AsyncClient) -> dict[str, Any]:
    draft = {"key": unique("type"), "name": unique("type"), "description": "Apparel"}
    return dict(ok(await api.post("product-types", json=draft), 201))


async def create_product(
    api: httpx.AsyncClient, product_type: dict[str, Any], skus: Sequence[str]
) -> dict[str, Any]:
    """A published product with one variant per SKU, each priced in EUR."""
    variants = [
        {"sku": sku, "prices": [{"value": {"currencyCode": "EUR", "centAmount": PRICE_CENTS}}]}
        for sku in skus
    ]
    key = unique("product")
    draft = {
        "key": key,
        "productType": {"typeId": "product-type", "id": product_type["id"]},
        "name": {"en": f"Shirt {key}"},
        "slug": {"en": key},
        "masterVariant": variants[0],
        "variants": variants[1:],
        "publish": True,
    }
    return dict(ok(await api.post("products", json=draft), 201))


@dataclass(frozen=True)
class Catalog:
    """A published product with two variants and a shipping method: enough to place orders."""

    skus: list[str]
    shipping_method: dict[str, Any]

    @classmethod
    async def create(cls, api: httpx.AsyncClient) -> Catalog:
        skus = [unique("SKU"), unique("SKU")]
        shipping_method = await create_shipping_method(api)
        await create_product(api, await create_product_type(api), skus)
        return cls(skus, shipping_method)


@dataclass(frozen=True)
class Shop:
    """Places orders from the catalog, as a shopper (from a cart) or an import would."""

    api: httpx.AsyncClient
    catalog: Catalog

    @property
    def skus(self) -> list[str]:
        return self.catalog.skus

    @property
    def shipping_method(self) -> dict[str, Any]:
        return self.catalog.shipping_method

    async def order_from_cart(self, order_number: str) -> dict[str, Any]:
        cart_draft = {
            "currency": "EUR",
            "country": "DE",
            "lineItems": [{"sku": self.skus[0], "quantity": 2}, {"sku": self.skus[1]}],
            "shippingAddress": ADDRESS,
            "billingAddress": ADDRESS,
            "shippingMethod": {"typeId": "shipping-method", "id": self.shipping_method["id"]},
            "customerEmail": ADDRESS["email"],
        }
        cart = ok(await self.api.post("carts", json=cart_draft), 201)
        order_draft = {
            "cart": {"typeId": "cart", "id": cart["id"]},
            "version": cart["version"],
            "orderNumber": order_number,
        }
        return dict(ok(await self.api.post("orders", json=order_draft), 201))

    async def imported_order(self, order_number: str, *, shipped: bool = True) -> dict[str, Any]:
        price = {"value": {"currencyCode": "EUR", "centAmount": PRICE_CENTS}}
        line_items = [
            {"name": {"en": "Shirt"}, "variant": {"sku": sku}, "quantity": 1, "price": price}
            for sku in self.skus
        ]
        shipping = {"currencyCode": "EUR", "centAmount": SHIPPING_CENTS}
        draft = {
            "orderNumber": order_number,
            "customerEmail": ADDRESS["email"],
            "lineItems": line_items,
            "totalPrice": {
                "currencyCode": "EUR",
                "centAmount": len(self.skus) * PRICE_CENTS + SHIPPING_CENTS,
            },
            "shippingAddress": ADDRESS,
            "shippingInfo": {
                "shippingMethodName": self.shipping_method["name"],
                "price": shipping,
                "shippingRate": {"price": shipping},
                "shippingMethod": {"typeId": "shipping-method", "id": self.shipping_method["id"]},
            },
            "orderState": "Open",
        }
        if not shipped:
            del draft["shippingInfo"]
        # The API answers 201; the emulator 200 (see the sandbox README).
        return dict(ok(await self.api.post("orders/import", json=draft), 201, 200))


@pytest.fixture(scope="session")
def catalogs() -> dict[str, Catalog]:
    """One catalog per server for the whole session: orders never change it."""
    return {}


@pytest.fixture
async def shop(
    ct_backend: CommercetoolsBackend, ct_api: httpx.AsyncClient, catalogs: dict[str, Catalog]
) -> Shop:
    if ct_backend.url not in catalogs:
        catalogs[ct_backend.url] = await Catalog.create(ct_api)
    return Shop(ct_api, catalogs[ct_backend.url])


async def new_channel(client: CommercetoolsClient, *roles: ChannelRole) -> Channel:
    draft = ChannelDraft(key=unique("channel"), roles=list(roles or [ChannelRole.INVENTORY_SUPPLY]))
    return await client.create_channel(draft)


def order_type_draft(key: str) -> TypeDraft:
    return TypeDraft(
        key=key,
        name={"en": "Fluent order"},
        resource_type_ids=[CustomFieldResource.ORDER],
        field_definitions=[
            FieldDefinition(name="fluentOrderRef", label={"en": "Fluent ref"}, type=StringType()),
            FieldDefinition(
                name="fluentStatus",
                label={"en": "Fluent status"},
                type=EnumType(
                    values=[
                        EnumValue(key="BOOKED", label="Booked"),
                        EnumValue(key="COMPLETE", label="Complete"),
                    ]
                ),
            ),
            FieldDefinition(
                name="fulfilmentRefs",
                label={"en": "Fulfilments"},
                type=SetType(element_type=StringType()),
            ),
        ],
    )


# --- auth ---------------------------------------------------------------------------------------


async def token_lifetime(backend: CommercetoolsBackend) -> float:
    """`expires_in` of the server's tokens (both serve 48 hours; asked, not assumed)."""
    async with httpx.AsyncClient(base_url=backend.url, verify=LOCAL_TLS) as http:
        response = await http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(backend.client_id, backend.client_secret),
        )
    return float(ok(response)["expires_in"])


async def test_token_is_fetched_once_and_reused(
    ct_client: CommercetoolsClient, ct_transport: RecordingTransport
) -> None:
    assert await ct_client.get_channel_by_key(unique("absent")) is None
    assert await ct_client.get_type_by_key(unique("absent")) is None
    assert ct_transport.count("POST", "/oauth/token", 200) == 1


async def test_wrong_secret_is_refused(ct_backend: CommercetoolsBackend) -> None:
    async with ct_backend.client(client_secret="not-the-secret") as client:
        with pytest.raises(PermanentError) as refused:
            await client.get_channel_by_key("any")
    assert refused.value.status_code == 401
    assert refused.value.codes == ("invalid_client",)
    assert not isinstance(refused.value, NotFoundError)


async def test_revoked_token_is_refreshed_once(
    ct_backend: CommercetoolsBackend,
    ct_client: CommercetoolsClient,
    ct_transport: RecordingTransport,
) -> None:
    channel = await new_channel(ct_client)
    await ct_backend.expire_tokens()

    assert (await ct_client.get_channel_by_key(channel.key)) == channel
    assert ct_transport.count("POST", "/oauth/token", 200) == 2
    assert ct_transport.count("GET", f"/channels/key={channel.key}", 401) == 1
    assert ct_transport.count("GET", f"/channels/key={channel.key}", 200) == 1


async def test_token_is_renewed_before_it_expires(
    ct_backend: CommercetoolsBackend, ct_transport: RecordingTransport
) -> None:
    """The client renews ahead of expiry on its own clock, without waiting for a 401."""
    lifetime = await token_lifetime(ct_backend)
    margin = refresh_margin(lifetime)
    now = [0.0]
    async with ct_backend.client(transport=ct_transport, clock=lambda: now[0]) as client:
        await client.get_channel_by_key(unique("absent"))
        now[0] = lifetime - margin - 1
        await client.get_channel_by_key(unique("absent"))
        assert ct_transport.count("POST", "/oauth/token") == 1
        now[0] = lifetime - margin
        await client.get_channel_by_key(unique("absent"))
    assert ct_transport.count("POST", "/oauth/token", 200) == 2
    assert ct_transport.count("GET", "", 401) == 0


async def test_a_token_refused_again_after_refresh_is_an_error(
    ct_backend: CommercetoolsBackend,
) -> None:
    """Refresh once, not in a loop: here every token is revoked as soon as it is issued."""

    class RevokingTransport(RecordingTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            if request.url.path.endswith("/oauth/token"):
                await ct_backend.expire_tokens()
            return response

    transport = RevokingTransport()
    async with ct_backend.client(transport=transport) as client:
        with pytest.raises(PermanentError) as refused:
            await client.get_channel_by_key("any")

    assert refused.value.status_code == 401
    assert refused.value.codes == ("invalid_token",)
    assert "with a new token" in str(refused.value)
    assert transport.count("POST", "/oauth/token", 200) == 2
    assert transport.count("GET", "/channels/key=any", 401) == 2


# --- paging and predicates ----------------------------------------------------------------------


async def test_pages_of_product_projections_by_id(
    ct_client: CommercetoolsClient, ct_api: httpx.AsyncClient
) -> None:
    product_type = await create_product_type(ct_api)
    created = [await create_product(ct_api, product_type, [unique("SKU")]) for _ in range(7)]

    pages = [
        page
        async for page in ct_client.iterate_pages(
            "product-projections",
            where=[f"productType(id = {quote(product_type['id'])})"],
            params={"staged": "false"},
            page_size=3,
        )
    ]

    assert [len(page) for page in pages] == [3, 3, 1]
    ids = [projection["id"] for page in pages for projection in page]
    assert ids == sorted(product["id"] for product in created)


UNSORTED = (
    "the emulator ignores `sort` on every query endpoint but product projections, and the "
    "client refuses a page out of id order"
)


@pytest.mark.sandbox_only(UNSORTED)
async def test_pages_of_channels_by_id(ct_client: CommercetoolsClient) -> None:
    created = [await new_channel(ct_client) for _ in range(7)]
    keys = [channel.key for channel in created]

    pages = [
        page
        async for page in ct_client.iterate_pages(
            "channels", where=[in_list("key", keys)], page_size=3
        )
    ]

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [channel["id"] for page in pages for channel in page] == sorted(c.id for c in created)


@pytest.mark.sandbox_only(UNSORTED)
async def test_channels_by_keys(ct_client: CommercetoolsClient) -> None:
    first, second, _other = [await new_channel(ct_client) for _ in range(3)]
    missing = unique("missing")

    found = await ct_client.channels_by_keys([first.key, second.key, missing, first.key])

    assert found == {first.key: first, second.key: second}


@pytest.mark.sandbox_only(UNSORTED)
async def test_inventory_of_one_supply_channel(ct_client: CommercetoolsClient) -> None:
    store, warehouse = await new_channel(ct_client), await new_channel(ct_client)
    skus = [unique("SKU"), unique("SKU")]
    for channel, quantity in ((store, 3), (warehouse, 40)):
        for sku in skus:
            await ct_client.create_inventory_entry(
                InventoryEntryDraft(
                    sku=sku,
                    supply_channel=ResourceIdentifier(type_id="channel", id=channel.id),
                    quantity_on_stock=quantity,
                )
            )

    found = await ct_client.inventory_by_skus([*skus, unique("SKU")], supply_channel_id=store.id)

    assert sorted(found) == sorted(skus)
    assert {entry.quantity_on_stock for entry in found.values()} == {3}
    assert {entry.supply_channel.id for entry in found.values() if entry.supply_channel} == {
        store.id
    }


@pytest.mark.sandbox_only('the emulator does not unescape `\\"` and `\\\\` in predicate strings')
async def test_skus_with_quotes_and_backslashes(ct_client: CommercetoolsClient) -> None:
    channel = await new_channel(ct_client)
    sku = f'{unique("SKU")} 15" \\ "Pro"'
    created = await ct_client.create_inventory_entry(
        InventoryEntryDraft(
            sku=sku,
            supply_channel=ResourceIdentifier(type_id="channel", id=channel.id),
            quantity_on_stock=2,
        )
    )

    found = await ct_client.inventory_by_skus([sku], supply_channel_id=channel.id)

    assert found == {sku: created}


async def test_last_modified_window(ct_client: CommercetoolsClient) -> None:
    channel = await new_channel(ct_client)
    assert channel.last_modified_at is not None
    modified = channel.last_modified_at
    millisecond = timedelta(milliseconds=1)

    async def keys_modified(lower: datetime, upper: datetime) -> list[str]:
        where = [
            f"key = {quote(channel.key)}",
            f"lastModifiedAt >= {datetime_literal(lower)}",
            f"lastModifiedAt <= {datetime_literal(upper)}",
        ]
        return [c.key async for page in ct_client.iterate_channels(where=where) for c in page]

    assert await keys_modified(modified, modified) == [channel.key]
    assert await keys_modified(modified - timedelta(minutes=2), modified + millisecond) == [
        channel.key
    ]
    assert await keys_modified(modified + millisecond, modified + timedelta(minutes=2)) == []
    assert await keys_modified(modified - timedelta(minutes=2), modified - millisecond) == []


async def test_malformed_predicate_is_a_permanent_400(ct_client: CommercetoolsClient) -> None:
    with pytest.raises(PermanentError) as rejected:
        async for _ in ct_client.iterate_channels(where=['key in ("a"']):
            pass
    assert rejected.value.status_code == 400
    assert rejected.value.codes == ("InvalidInput",)


# --- versions and conflicts ---------------------------------------------------------------------


async def test_stale_version_is_a_conflict_with_the_current_version(
    ct_client: CommercetoolsClient,
) -> None:
    channel = await new_channel(ct_client)
    renamed = await ct_client.update_channel(
        channel.id, channel.version, [ChangeName(name={"en": "First"})]
    )

    with pytest.raises(ConflictError) as conflict:
        await ct_client.update_channel(
            channel.id, channel.version, [ChangeName(name={"en": "Second"})]
        )

    assert conflict.value.status_code == 409
    assert conflict.value.codes == ("ConcurrentModification",)
    assert conflict.value.current_version == renamed.version


async def test_order_update_rebuilds_its_actions_after_a_concurrent_write(
    ct_client: CommercetoolsClient,
    ct_backend: CommercetoolsBackend,
    ct_transport: RecordingTransport,
    shop: Shop,
) -> None:
    """The first write loses to a concurrent one (409); the retry re-reads the order and derives
    the actions again from what it now holds."""
    order = await shop.imported_order(unique("ORDER"))
    seen: list[Order] = []

    def confirm_and_ship(current: Order) -> list[OrderUpdateAction]:
        seen.append(current)
        if len(seen) == 1:
            write_concurrently(
                ct_backend, current, {"action": "changeOrderState", "orderState": "Confirmed"}
            )
        actions: list[OrderUpdateAction] = []
        if current.order_state == OrderState.OPEN:
            actions.append(ChangeOrderState(order_state=OrderState.CONFIRMED))
        if current.shipment_state != "Shipped":
            actions.append(ChangeShipmentState(shipment_state="Shipped"))
        return actions

    updated = await ct_client.update_order_with_retry(order["id"], confirm_and_ship)

    assert [current.order_state for current in seen] == ["Open", "Confirmed"]
    assert seen[0].version < seen[1].version < updated.version
    assert (updated.order_state, updated.shipment_state) == ("Confirmed", "Shipped")
    assert ct_transport.count("POST", f"/orders/{order['id']}", 409) == 1
    assert ct_transport.count("POST", f"/orders/{order['id']}", 200) == 1


async def test_update_already_made_by_someone_else_has_no_second_effect(
    ct_client: CommercetoolsClient, ct_backend: CommercetoolsBackend, shop: Shop
) -> None:
    order = await shop.imported_order(unique("ORDER"))
    concurrent: list[dict[str, Any]] = []

    def ship(current: Order) -> list[OrderUpdateAction]:
        if not concurrent:
            action = {"action": "changeShipmentState", "shipmentState": "Shipped"}
            concurrent.append(write_concurrently(ct_backend, current, action))
        if current.shipment_state == "Shipped":
            return []
        return [ChangeShipmentState(shipment_state="Shipped")]

    updated = await ct_client.update_order_with_retry(order["id"], ship)

    assert updated.shipment_state == "Shipped"
    assert updated.version == concurrent[0]["version"]


async def test_conflicts_beyond_the_attempts_are_raised(
    ct_backend: CommercetoolsBackend, ct_client: CommercetoolsClient
) -> None:
    channel = await new_channel(ct_client)
    concurrent: list[dict[str, Any]] = []

    async def fetch_then_lose_the_race() -> Channel:
        current = await ct_client.get_channel_by_key(channel.key)
        assert current is not None
        action = {"action": "changeName", "name": {"en": f"Other {len(concurrent)}"}}
        concurrent.append(write_concurrently(ct_backend, current, action))
        return current

    async def apply(current: Channel, actions: Sequence[ChangeName]) -> Channel:
        return await ct_client.update_channel(current.id, current.version, actions)

    with pytest.raises(ConflictError) as conflict:
        await update_with_retry(
            fetch_then_lose_the_race,
            lambda _: [ChangeName(name={"en": "Mine"})],
            apply,
            attempts=2,
        )
    assert len(concurrent) == 2
    assert conflict.value.current_version == concurrent[-1]["version"]
    assert "gave up after 2 attempts" in (conflict.value.__notes__ or [])


def write_concurrently(
    backend: CommercetoolsBackend, resource: Channel | Order, action: dict[str, Any]
) -> dict[str, Any]:
    """Another writer updates the resource; blocking, because builders are synchronous (the
    server runs in another thread or process, so this cannot deadlock)."""
    path = "orders" if isinstance(resource, Order) else "channels"
    with httpx.Client(base_url=backend.url, timeout=10.0, verify=LOCAL_TLS) as http:
        token = http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(backend.client_id, backend.client_secret),
        ).json()["access_token"]
        response = http.post(
            f"/{backend.project_key}/{path}/{resource.id}",
            json={"version": resource.version, "actions": [action]},
            headers={"Authorization": f"Bearer {token}"},
        )
    return dict(ok(response))


# --- unique keys and missing resources ----------------------------------------------------------


@pytest.mark.sandbox_only("the emulator does not enforce unique keys (only customer emails)")
async def test_duplicate_keys_are_already_exists(ct_client: CommercetoolsClient) -> None:
    channel = await new_channel(ct_client)
    with pytest.raises(AlreadyExistsError) as duplicate_channel:
        await ct_client.create_channel(ChannelDraft(key=channel.key))
    assert duplicate_channel.value.codes == ("DuplicateField",)
    assert channel.key in str(duplicate_channel.value)

    entry = InventoryEntryDraft(
        sku=unique("SKU"),
        supply_channel=ResourceIdentifier(type_id="channel", id=channel.id),
        quantity_on_stock=1,
    )
    await ct_client.create_inventory_entry(entry)
    with pytest.raises(AlreadyExistsError):
        await ct_client.create_inventory_entry(entry)
    elsewhere = await ct_client.create_inventory_entry(
        entry.model_copy(update={"supply_channel": None})
    )
    assert elsewhere.supply_channel is None

    custom_type = order_type_draft(unique("type"))
    await ct_client.create_type(custom_type)
    with pytest.raises(AlreadyExistsError):
        await ct_client.create_type(custom_type)


async def test_missing_resources(ct_client: CommercetoolsClient) -> None:
    absent = "00000000-0000-4000-8000-000000000000"
    assert await ct_client.get_channel_by_key(unique("absent")) is None
    assert await ct_client.get_type_by_key(unique("absent")) is None
    for read in (
        ct_client.get_order(absent),
        ct_client.get_order_by_number(unique("absent")),
        ct_client.get_category(absent),
        ct_client.get_customer(absent),
        ct_client.get_product_projection(absent),
    ):
        with pytest.raises(NotFoundError) as missing:
            await read
        assert missing.value.status_code == 404
    with pytest.raises(NotFoundError):
        await ct_client.update_channel(absent, 1, [ChangeName(name={"en": "x"})])


# --- channels, inventory and types --------------------------------------------------------------


async def test_channel_create_and_update(ct_client: CommercetoolsClient) -> None:
    berlin = AddressDraft(
        country="DE", city="Berlin", postal_code="10115", street_name="Invalidenstrasse"
    )
    created = await ct_client.create_channel(
        ChannelDraft(
            key=unique("store"),
            roles=[ChannelRole.INVENTORY_SUPPLY, ChannelRole.PRODUCT_DISTRIBUTION],
            name={"en": "Berlin Mitte"},
            address=berlin,
            geo_location=GeoJsonPoint.at(latitude=52.5316, longitude=13.3846),
        )
    )
    assert created.version == 1
    assert created.roles == ["InventorySupply", "ProductDistribution"]
    assert created.geo_location is not None
    assert (created.geo_location.latitude, created.geo_location.longitude) == (52.5316, 13.3846)
    assert created.address is not None
    assert created.address.city == "Berlin"

    hamburg = berlin.model_copy(update={"city": "Hamburg", "postal_code": "20095"})
    updated = await ct_client.update_channel(
        created.id,
        created.version,
        [
            ChangeName(name={"en": "Hamburg Altstadt"}),
            SetAddress(address=hamburg),
            SetGeoLocation(geo_location=GeoJsonPoint.at(latitude=53.5503, longitude=9.9920)),
        ],
    )

    assert updated.version > created.version
    assert updated.name == {"en": "Hamburg Altstadt"}
    assert updated.address is not None
    assert updated.address.city == "Hamburg"
    assert updated.geo_location is not None
    assert updated.geo_location.latitude == 53.5503
    assert await ct_client.get_channel_by_key(created.key) == updated


@pytest.mark.sandbox_only("the emulator has no `setRoles` channel action")
async def test_channel_roles_are_replaced(ct_client: CommercetoolsClient) -> None:
    channel = await new_channel(ct_client, ChannelRole.INVENTORY_SUPPLY)
    updated = await ct_client.update_channel(
        channel.id,
        channel.version,
        [SetRoles(roles=[ChannelRole.ORDER_EXPORT, ChannelRole.PRIMARY])],
    )
    assert updated.roles == ["OrderExport", "Primary"]


async def test_channel_custom_fields(ct_client: CommercetoolsClient) -> None:
    type_key = unique("location-type")
    await ct_client.create_type(
        TypeDraft(
            key=type_key,
            name={"en": "Fluent location"},
            resource_type_ids=[CustomFieldResource.CHANNEL],
            field_definitions=[
                FieldDefinition(name="fluentLocationRef", label={"en": "Ref"}, type=StringType()),
                FieldDefinition(name="capacity", label={"en": "Capacity"}, type=NumberType()),
            ],
        )
    )
    channel = await new_channel(ct_client)

    typed = await ct_client.update_channel(
        channel.id,
        channel.version,
        [
            SetCustomType(
                type=ResourceIdentifier(type_id="type", key=type_key),
                fields={"fluentLocationRef": "LOC-1"},
            )
        ],
    )
    updated = await ct_client.update_channel(
        typed.id, typed.version, [SetCustomField(name="capacity", value=12)]
    )

    assert updated.custom is not None
    assert updated.custom.fields == {"fluentLocationRef": "LOC-1", "capacity": 12}


async def test_inventory_create_and_change_quantity(ct_client: CommercetoolsClient) -> None:
    channel = await new_channel(ct_client)
    sku = unique("SKU")
    created = await ct_client.create_inventory_entry(
        InventoryEntryDraft(
            sku=sku,
            key=unique("stock"),
            supply_channel=ResourceIdentifier(type_id="channel", key=channel.key),
            quantity_on_stock=5,
        )
    )
    assert (created.sku, created.quantity_on_stock, created.available_quantity) == (sku, 5, 5)
    assert created.supply_channel is not None
    assert created.supply_channel.id == channel.id

    changed = await ct_client.update_inventory_entry(
        created.id, created.version, [ChangeQuantity(quantity=17)]
    )

    assert (changed.quantity_on_stock, changed.available_quantity) == (17, 17)
    assert changed.version > created.version
    found = await ct_client.inventory_by_skus([sku], supply_channel_id=channel.id)
    assert found == {sku: changed}


async def test_custom_type_create_read_and_extend(ct_client: CommercetoolsClient) -> None:
    key = unique("order-type")
    created = await ct_client.create_type(order_type_draft(key))
    assert created.resource_type_ids == ["order"]
    status = created.field_definition("fluentStatus")
    assert status is not None
    assert status.type.name == "Enum"
    assert [value["key"] for value in status.type.values] == ["BOOKED", "COMPLETE"]
    refs = created.field_definition("fulfilmentRefs")
    assert refs is not None
    assert refs.type.element_type is not None
    assert refs.type.element_type.name == "String"

    extended = await ct_client.update_type(
        created.id,
        created.version,
        [
            AddFieldDefinition(
                field_definition=FieldDefinition(
                    name="fluentSyncedAt", label={"en": "Synced"}, type=StringType()
                )
            )
        ],
    )

    assert await ct_client.get_type_by_key(key) == extended
    assert [field.name for field in extended.field_definitions] == [
        "fluentOrderRef",
        "fluentStatus",
        "fulfilmentRefs",
        "fluentSyncedAt",
    ]


# --- orders -------------------------------------------------------------------------------------


async def test_order_from_a_cart(ct_client: CommercetoolsClient, shop: Shop) -> None:
    number = unique("ORDER")
    created = await shop.order_from_cart(number)

    order = await ct_client.get_order(created["id"])

    assert order == await ct_client.get_order_by_number(number)
    assert order.order_number == number
    assert order.order_state == "Open"
    assert order.customer_email == ADDRESS["email"]
    assert [(item.variant.sku, item.quantity) for item in order.line_items] == [
        (shop.skus[0], 2),
        (shop.skus[1], 1),
    ]
    assert order.shipping_address is not None
    assert order.shipping_address.postal_code == ADDRESS["postalCode"]
    assert order.shipping_info is not None
    assert order.shipping_info.price.cent_amount == SHIPPING_CENTS
    assert order.shipping_method_key == shop.shipping_method["key"]
    # The emulator's cart total leaves out the shipping (see the sandbox README): compare with
    # what the server computed rather than with the API's arithmetic.
    assert order.total_price.cent_amount == created["totalPrice"]["centAmount"]


@pytest.mark.parametrize("number", ["2026/0001", "A 1#?&=%"])
async def test_order_numbers_with_reserved_characters(
    ct_client: CommercetoolsClient, shop: Shop, number: str
) -> None:
    """Order numbers are free text; the client escapes them in the path."""
    unique_number = f"{number}-{unique('n')}"
    created = await shop.imported_order(unique_number)

    order = await ct_client.get_order_by_number(unique_number)

    assert (order.id, order.order_number) == (created["id"], unique_number)


async def test_imported_order(ct_client: CommercetoolsClient, shop: Shop) -> None:
    number = unique("ORDER")
    created = await shop.imported_order(number)

    pages = [
        page async for page in ct_client.iterate_orders(where=[f"orderNumber = {quote(number)}"])
    ]

    assert [[order.id for order in page] for page in pages] == [[created["id"]]]
    order = pages[0][0]
    assert [item.variant.sku for item in order.line_items] == shop.skus
    assert order.shipping_method_key == shop.shipping_method["key"]
    assert order.total_price.cent_amount == 2 * PRICE_CENTS + SHIPPING_CENTS


async def test_deliveries_with_parcels_and_tracking(
    ct_client: CommercetoolsClient, shop: Shop
) -> None:
    order = await ct_client.get_order((await shop.order_from_cart(unique("ORDER")))["id"])
    first, second = order.line_items
    tracking = TrackingData(tracking_id="1Z999", carrier="DHL", is_return=False)

    with_deliveries = await ct_client.update_order(
        order.id,
        order.version,
        [
            AddDelivery(
                delivery_key="FUL-1",
                items=[DeliveryItem(id=first.id, quantity=2)],
                parcels=[
                    ParcelDraft(
                        key="FUL-1-ART-1",
                        tracking_data=tracking,
                        items=[DeliveryItem(id=first.id, quantity=2)],
                    )
                ],
            ),
            AddDelivery(delivery_key="FUL-2", items=[DeliveryItem(id=second.id, quantity=1)]),
        ],
    )
    delivered, pending = with_deliveries.deliveries
    with_parcel = await ct_client.update_order(
        order.id,
        with_deliveries.version,
        [
            AddParcelToDelivery(
                delivery_id=pending.id,
                parcel_key="FUL-2-ART-1",
                tracking_data=TrackingData(tracking_id="JJD000", carrier="DPD"),
                items=[DeliveryItem(id=second.id, quantity=1)],
            )
        ],
    )

    assert [[(item.id, item.quantity) for item in d.items] for d in with_parcel.deliveries] == [
        [(first.id, 2)],
        [(second.id, 1)],
    ]
    parcels = [parcel for delivery in with_parcel.deliveries for parcel in delivery.parcels]
    assert [parcel.key for parcel in parcels] == ["FUL-1-ART-1", "FUL-2-ART-1"]
    assert [parcel.tracking_data for parcel in parcels] == [
        models.TrackingData(tracking_id="1Z999", carrier="DHL", is_return=False),
        models.TrackingData(tracking_id="JJD000", carrier="DPD"),
    ]
    assert with_parcel.delivered_quantities() == {first.id: 2, second.id: 1}
    assert delivered.id == with_parcel.deliveries[0].id
    assert await ct_client.get_order(order.id) == with_parcel


@pytest.mark.sandbox_only(
    "the emulator keeps `deliveryKey` instead of the delivery's `key`, accepts duplicate "
    "delivery keys and items that are not line items, and has no `setParcelTrackingData`"
)
async def test_delivery_and_parcel_keys_identify_them(
    ct_client: CommercetoolsClient, shop: Shop
) -> None:
    """The connector uses delivery and parcel keys (Fluent refs) as idempotency keys."""
    order = await ct_client.get_order((await shop.order_from_cart(unique("ORDER")))["id"])
    item = DeliveryItem(id=order.line_items[0].id, quantity=1)
    delivered = await ct_client.update_order(
        order.id, order.version, [AddDelivery(delivery_key="FUL-1", items=[item])]
    )
    with_parcel = await ct_client.update_order(
        order.id,
        delivered.version,
        [AddParcelToDelivery(delivery_key="FUL-1", parcel_key="ART-1", items=[item])],
    )
    tracked = await ct_client.update_order(
        order.id,
        with_parcel.version,
        [SetParcelTrackingData(parcel_key="ART-1", tracking_data=TrackingData(tracking_id="T-1"))],
    )

    delivery = tracked.delivery_by_key("FUL-1")
    assert delivery is not None
    parcel = delivery.parcel_by_key("ART-1")
    assert parcel is not None
    assert parcel.tracking_data == models.TrackingData(tracking_id="T-1")

    with pytest.raises(AlreadyExistsError) as duplicate:
        await ct_client.update_order(
            order.id, tracked.version, [AddDelivery(delivery_key="FUL-1", items=[item])]
        )
    assert duplicate.value.codes == ("DuplicateField",)
    stranger = DeliveryItem(id="not-a-line-item", quantity=1)
    with pytest.raises(PermanentError) as refused:
        await ct_client.update_order(order.id, tracked.version, [AddDelivery(items=[stranger])])
    assert refused.value.status_code == 400
    assert refused.value.codes == ("InvalidOperation",)


async def test_order_and_line_item_custom_fields(
    ct_client: CommercetoolsClient, shop: Shop
) -> None:
    order_type = await ct_client.create_type(order_type_draft(unique("order-type")))
    line_type_key = unique("line-type")
    await ct_client.create_type(
        TypeDraft(
            key=line_type_key,
            name={"en": "Fluent line"},
            resource_type_ids=[CustomFieldResource.LINE_ITEM],
            field_definitions=[
                FieldDefinition(name="fulfilledQty", label={"en": "Fulfilled"}, type=NumberType())
            ],
        )
    )
    order = await ct_client.get_order((await shop.imported_order(unique("ORDER")))["id"])
    line = order.line_items[0]

    updated = await ct_client.update_order(
        order.id,
        order.version,
        [
            SetCustomType(
                type=ResourceIdentifier(type_id="type", key=order_type.key),
                fields={"fluentOrderRef": "FO-1"},
            ),
            SetCustomField(name="fluentStatus", value="BOOKED"),
            SetCustomField(name="fulfilmentRefs", value=["F-1", "F-2"]),
            SetLineItemCustomType(
                line_item_id=line.id,
                type=ResourceIdentifier(type_id="type", key=line_type_key),
            ),
            SetLineItemCustomField(line_item_id=line.id, name="fulfilledQty", value=1),
        ],
    )

    assert updated.custom is not None
    assert updated.custom.type.id == order_type.id
    assert updated.custom_field("fluentOrderRef") == "FO-1"
    assert updated.custom_field("fluentStatus") == "BOOKED"
    assert updated.custom_field("fulfilmentRefs") == ["F-1", "F-2"]
    updated_line = updated.line_item(line.id)
    assert updated_line is not None
    assert updated_line.custom is not None
    assert updated_line.custom.fields == {"fulfilledQty": 1}


async def test_order_sync_info(ct_client: CommercetoolsClient, shop: Shop) -> None:
    fluent = await new_channel(ct_client, ChannelRole.ORDER_EXPORT)
    order = await ct_client.get_order((await shop.imported_order(unique("ORDER")))["id"])

    synced = await ct_client.update_order(
        order.id,
        order.version,
        [
            UpdateSyncInfo(
                channel=ResourceIdentifier(type_id="channel", id=fluent.id), external_id="FO-7"
            )
        ],
    )

    assert [(info.channel.id, info.external_id) for info in synced.sync_info] == [
        (fluent.id, "FO-7")
    ]


async def test_a_delivery_needs_shipping_info(ct_client: CommercetoolsClient, shop: Shop) -> None:
    order = await ct_client.get_order(
        (await shop.imported_order(unique("ORDER"), shipped=False))["id"]
    )
    assert order.shipping_info is None
    item = DeliveryItem(id=order.line_items[0].id, quantity=1)

    with pytest.raises(PermanentError) as refused:
        await ct_client.update_order(order.id, order.version, [AddDelivery(items=[item])])

    assert refused.value.status_code == 400
    assert refused.value.codes == ("InvalidOperation",)


# --- customers, categories and products ---------------------------------------------------------


async def test_customer(ct_client: CommercetoolsClient, ct_api: httpx.AsyncClient) -> None:
    email = f"{unique('ada')}@example.com"
    draft = {
        "email": email,
        "password": "secret-123",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "customerNumber": unique("C"),
        "addresses": [ADDRESS],
    }
    created = ok(await ct_api.post("customers", json=draft), 201)["customer"]

    customer = await ct_client.get_customer(created["id"])

    assert (customer.email, customer.first_name, customer.last_name) == (
        email,
        "Ada",
        "Lovelace",
    )
    assert customer.customer_number == draft["customerNumber"]
    assert [address.city for address in customer.addresses] == [ADDRESS["city"]]


async def test_categories(ct_client: CommercetoolsClient, ct_api: httpx.AsyncClient) -> None:
    async def create(key: str, parent: dict[str, Any] | None = None) -> dict[str, Any]:
        draft: dict[str, Any] = {"key": key, "name": {"en": key}, "slug": {"en": key}}
        if parent is not None:
            draft["parent"] = {"typeId": "category", "id": parent["id"]}
        return dict(ok(await ct_api.post("categories", json=draft), 201))

    root = await create(unique("men"))
    child = await create(unique("shirts"), root)

    category = await ct_client.get_category(child["id"])
    pages = [
        page async for page in ct_client.iterate_categories(where=[in_list("key", [root["key"]])])
    ]

    assert category.key == child["key"]
    assert category.parent is not None
    assert category.parent.id == root["id"]
    assert [ancestor.id for ancestor in category.ancestors] == [root["id"]]
    assert [[c.id for c in page] for page in pages] == [[root["id"]]]


async def test_product_projections(
    ct_client: CommercetoolsClient, ct_api: httpx.AsyncClient
) -> None:
    skus = [unique("SKU"), unique("SKU")]
    product = await create_product(ct_api, await create_product_type(ct_api), skus)

    pages = [
        page
        async for page in ct_client.iterate_product_projections(
            where=[f"masterVariant(sku = {quote(skus[0])})"]
        )
    ]

    assert [[projection.id for projection in page] for page in pages] == [[product["id"]]]
    projection = pages[0][0]
    assert projection == await ct_client.get_product_projection(product["id"])
    assert [variant.sku for variant in projection.all_variants] == skus
    prices = [price.value for variant in projection.all_variants for price in variant.prices]
    assert [(price.currency_code, price.cent_amount) for price in prices] == [
        ("EUR", PRICE_CENTS),
        ("EUR", PRICE_CENTS),
    ]
    assert projection.name == {"en": f"Shirt {product['key']}"}


# --- messages -----------------------------------------------------------------------------------


@pytest.mark.sandbox_only("the emulator has no /messages endpoint")
async def test_order_messages(ct_client: CommercetoolsClient, shop: Shop) -> None:
    from_cart = await shop.order_from_cart(unique("ORDER"))
    imported = await shop.imported_order(unique("ORDER"))
    cancelled = await ct_client.update_order(
        imported["id"], imported["version"], [ChangeOrderState(order_state=OrderState.CANCELLED)]
    )
    order_ids = [from_cart["id"], imported["id"]]

    messages = await ct_client.query_messages(
        where=[
            in_list("type", ["OrderCreated", "OrderImported", "OrderStateChanged"]),
            f"resource({in_list('id', order_ids)})",
        ]
    )

    assert [(m.type, m.resource.id) for m in messages] == [
        ("OrderCreated", from_cart["id"]),
        ("OrderImported", imported["id"]),
        ("OrderStateChanged", imported["id"]),
    ]
    created, imported_message, state_changed = messages
    assert created.order is not None
    assert created.order.order_number == from_cart["orderNumber"]
    assert imported_message.order is not None
    assert imported_message.order.id == imported["id"]
    assert (state_changed.order_state, state_changed.old_order_state) == ("Cancelled", "Open")
    assert state_changed.resource_version == cancelled.version
    assert [m.sequence_number for m in messages] == [1, 1, 2]
