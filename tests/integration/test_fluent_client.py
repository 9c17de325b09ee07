"""The Fluent client over real HTTP against the Fluent sandbox: auth, every typed method the
connector uses, paging, unique constraints, the Event and Batch APIs, and webhook signatures.

The sandbox starts empty; each test creates what it needs under unique refs, through the client
where the connector writes it (customers, orders, fulfilments, catalogue, billing) and through
the sandbox's `/sandbox/` routes where Fluent's own users would (locations, stock, store work).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connector.errors import AlreadyExistsError, NotFoundError, PermanentError
from connector.fluent.batch import FluentBatchApi
from connector.fluent.client import FluentClient
from connector.fluent.models import (
    AmountInput,
    Attribute,
    CatalogueEntityKey,
    CreateBillingAccountInput,
    CreateCategoryInput,
    CreateCustomerInput,
    CreateFulfilmentInput,
    CreateInvoiceInput,
    CreateOrderInput,
    CreateStandardProductInput,
    CreateVariantProductInput,
    CurrencyKey,
    CustomerAddressInput,
    EntityId,
    FluentEvent,
    FulfilmentChoiceInput,
    FulfilmentItemInput,
    InventoryRecord,
    InvoiceItemInput,
    Location,
    Order,
    OrderItemInput,
    OrderLinkInput,
    Price,
    QuantityInput,
    RefKey,
    StreetAddressInput,
    TaxTypeInput,
    UpdateCategoryInput,
    UpdateStandardProductInput,
    UpdateVariantProductInput,
    WebhookEvent,
)
from connector.fluent.signatures import (
    SIGNATURE_HEADER,
    SignatureInvalidError,
    WebhookVerifier,
)
from sandbox.fluent.config import FluentSandboxConfig
from tests.integration.conftest import (
    FluentBackend,
    ReceivedPost,
    RecordingTransport,
    WebhookReceiver,
    running_fluent_sandbox,
    unique,
)

pytestmark = pytest.mark.integration

BERLIN = {"latitude": 52.5200, "longitude": 13.4050}


# --- set-up: what store staff and Fluent admins do ---------------------------------------------


@pytest.fixture
async def admin(fluent_sandbox: FluentBackend) -> AsyncIterator[httpx.AsyncClient]:
    async with fluent_sandbox.admin() as http:
        yield http


async def sandbox_call(admin: httpx.AsyncClient, method: str, path: str, body: Any = None) -> Any:
    response = await admin.request(method, path, json=body)
    assert response.is_success, f"{method} {path}: {response.text}"
    return response.json()


async def new_location(admin: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    body = {
        "ref": unique("LOC"),
        "name": "Berlin Mitte",
        "street": "Invalidenstrasse 117",
        "city": "Berlin",
        "postcode": "10115",
        "country": "DE",
        "timeZone": "Europe/Berlin",
        **BERLIN,
        **fields,
    }
    return dict(await sandbox_call(admin, "POST", "locations", body))


async def set_stock(admin: httpx.AsyncClient, sku: str, on_hand: dict[str, int]) -> None:
    positions = [{"locationRef": ref, "skuRef": sku, "onHand": n} for ref, n in on_hand.items()]
    await sandbox_call(admin, "PUT", "stock", {"positions": positions})


async def new_sku(client: FluentClient) -> str:
    """A standard product with one variant whose ref is the new SKU."""
    catalogue = client.settings.catalogue_ref
    product_ref = unique("P")
    await client.create_standard_product(
        CreateStandardProductInput(
            ref=product_ref,
            catalogue=RefKey(ref=catalogue),
            type="DEFAULT",
            gtin=unique("G"),
            name=f"Shirt {product_ref}",
        )
    )
    sku = unique("SKU")
    await client.create_variant_product(
        CreateVariantProductInput(
            ref=sku,
            catalogue=RefKey(ref=catalogue),
            type="DEFAULT",
            gtin=unique("G"),
            name=f"Shirt {sku}",
            product=CatalogueEntityKey.of(product_ref, catalogue),
        )
    )
    return sku


def customer_input(username: str | None = None) -> CreateCustomerInput:
    username = username or f"{unique('ada')}@example.com"
    return CreateCustomerInput(
        username=username,
        primary_email=username,
        first_name="Ada",
        last_name="Lovelace",
        timezone="Europe/Berlin",
    )


def order_input(ref: str, customer_id: str, lines: dict[str, int]) -> CreateOrderInput:
    return CreateOrderInput(
        ref=ref,
        type="HD",
        customer=EntityId(id=customer_id),
        items=[
            OrderItemInput(ref=f"{ref}-{sku}", product_ref=sku, quantity=quantity, price=25.0)
            for sku, quantity in lines.items()
        ],
        fulfilment_choice=FulfilmentChoiceInput(
            delivery_type="STANDARD",
            delivery_address=CustomerAddressInput(
                ref=f"{ref}-ADDR", name="Ada Lovelace", city="Berlin", country="DE", **BERLIN
            ),
        ),
        total_price=25.0 * sum(lines.values()),
    )


async def new_order(client: FluentClient, lines: dict[str, int]) -> Order:
    customer = await client.create_customer(customer_input())
    return await client.create_order(order_input(unique("ORDER"), customer.id, lines))


def fulfilment_input(order: Order, location: Location) -> CreateFulfilmentInput:
    """Every order item, in full, from the location."""
    assert location.primary_address is not None
    assert location.primary_address.id is not None
    ref = unique("FUL")
    return CreateFulfilmentInput(
        ref=ref,
        type="HD_PFS",
        order=EntityId(id=order.id),
        delivery_type="STANDARD",
        from_address=EntityId(id=location.primary_address.id),
        items=[
            FulfilmentItemInput(
                ref=f"{ref}-{item.ref}",
                order_item=EntityId(id=item.id),
                requested_quantity=item.quantity,
            )
            for item in order.items
        ],
    )


async def fulfil_from(client: FluentClient, order: Order, location: Location) -> str:
    """Creates `fulfilment_input(order, location)`; returns its ref."""
    return (await client.create_fulfilment(fulfilment_input(order, location))).ref or ""


async def stocked_location(
    client: FluentClient, admin: httpx.AsyncClient, sku: str, on_hand: int = 10
) -> Location:
    created = await new_location(admin)
    await set_stock(admin, sku, {created["ref"]: on_hand})
    location = await client.get_location(created["ref"])
    assert location is not None
    return location


# --- auth ---------------------------------------------------------------------------------------


async def test_one_token_serves_many_calls(
    fluent_client: FluentClient, fluent_transport: RecordingTransport
) -> None:
    assert await fluent_client.find_customer(unique("nobody")) is None
    assert await fluent_client.find_order(unique("nothing")) is None
    assert fluent_transport.count("POST", "/oauth/token", 200) == 1


async def test_wrong_password_is_refused(fluent_sandbox: FluentBackend) -> None:
    async with fluent_sandbox.client(password="not-the-password") as client:
        with pytest.raises(PermanentError) as refused:
            await client.find_customer("anyone")
    assert refused.value.status_code == 401
    assert "FLUENT_PASSWORD" in str(refused.value)


@pytest.fixture(scope="module")
def short_lived_tokens() -> Iterator[FluentBackend]:
    """A sandbox of its own whose clock tests may move: moving the shared one would age every
    other test's data and tokens."""
    with running_fluent_sandbox(FluentSandboxConfig(token_ttl_seconds=600)) as backend:
        yield backend


async def advance_clock(backend: FluentBackend, seconds: float) -> None:
    async with backend.admin() as admin:
        await sandbox_call(admin, "POST", "clock/advance", {"seconds": seconds})


async def test_an_expired_token_is_renewed_once(
    short_lived_tokens: FluentBackend, fluent_transport: RecordingTransport
) -> None:
    """The sandbox's clock passes the token's lifetime: the next call gets a 401, the client
    fetches one new token and repeats the call."""
    async with short_lived_tokens.client(transport=fluent_transport) as client:
        assert await client.find_customer("anyone") is None
        await advance_clock(short_lived_tokens, 601)

        assert await client.find_customer("anyone") is None

    assert fluent_transport.count("POST", "/oauth/token", 200) == 2
    assert fluent_transport.count("POST", "/graphql", 401) == 1
    assert fluent_transport.count("POST", "/graphql", 200) == 2


async def test_a_token_refused_again_after_renewal_is_an_error(
    short_lived_tokens: FluentBackend,
) -> None:
    """Renew once, not in a loop: here every token has expired by the time it is used."""

    class AgeingTransport(RecordingTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            if request.url.path == "/oauth/token":
                await advance_clock(short_lived_tokens, 601)
            return response

    transport = AgeingTransport()
    async with short_lived_tokens.client(transport=transport) as client:
        with pytest.raises(PermanentError) as refused:
            await client.find_customer("anyone")
    await transport.aclose()

    assert refused.value.status_code == 401
    assert transport.count("POST", "/oauth/token", 200) == 2
    assert transport.count("POST", "/graphql", 401) == 2


async def test_a_token_is_renewed_ahead_of_expiry(
    fluent_sandbox: FluentBackend, fluent_transport: RecordingTransport
) -> None:
    """The sandbox's tokens live a day; the client renews on its own clock before they end."""
    lifetime = fluent_sandbox.config.token_ttl_seconds
    now = [0.0]
    async with fluent_sandbox.client(transport=fluent_transport, clock=lambda: now[0]) as client:
        await client.find_customer("anyone")
        now[0] = lifetime - 400
        await client.find_customer("anyone")
        assert fluent_transport.count("POST", "/oauth/token") == 1
        now[0] = lifetime - 200
        await client.find_customer("anyone")
    assert fluent_transport.count("POST", "/oauth/token", 200) == 2
    assert fluent_transport.count("POST", "/graphql", 401) == 0


# --- customers, orders and fulfilments ---------------------------------------------------------


async def test_customers_are_created_once(fluent_client: FluentClient) -> None:
    draft = customer_input()

    created = await fluent_client.create_customer(draft)
    with pytest.raises(AlreadyExistsError) as taken:
        await fluent_client.create_customer(draft)
    again = await fluent_client.create_or_get_customer(draft)
    found = await fluent_client.find_customer(draft.username)

    assert taken.value.codes == ("C0123E",)
    assert again.id == created.id
    assert found == created
    assert (created.username, created.primary_email, created.first_name) == (
        draft.username,
        draft.primary_email,
        "Ada",
    )


async def test_orders_are_created_once_and_read_back(fluent_client: FluentClient) -> None:
    skus = [await new_sku(fluent_client), await new_sku(fluent_client)]
    customer = await fluent_client.create_customer(customer_input())
    draft = order_input(unique("ORDER"), customer.id, {skus[0]: 2, skus[1]: 1})

    created = await fluent_client.create_order(draft)
    with pytest.raises(AlreadyExistsError) as taken:
        await fluent_client.create_order(draft)
    again = await fluent_client.create_or_get_order(draft)
    found = await fluent_client.find_order(draft.ref)

    assert taken.value.codes == ("C0121E",)
    assert again.id == created.id
    assert found is not None
    assert found.id == created.id
    assert found.customer_id == customer.id
    assert found.status in {"CREATED", "RECEIVED"}
    assert [(item.product_ref, item.quantity) for item in found.items] == [
        (skus[0], 2),
        (skus[1], 1),
    ]
    assert found.fulfilment_choice is not None
    assert found.fulfilment_choice.delivery_address is not None
    assert found.fulfilment_choice.delivery_address.city == "Berlin"


async def test_an_order_of_unknown_products_is_refused(fluent_client: FluentClient) -> None:
    customer = await fluent_client.create_customer(customer_input())
    with pytest.raises(NotFoundError) as refused:
        await fluent_client.create_order(
            order_input(unique("ORDER"), customer.id, {unique("NO-SUCH-SKU"): 1})
        )
    assert refused.value.codes == ("C0120E",)


async def test_fulfilments_with_articles_and_consignments(
    fluent_client: FluentClient, admin: httpx.AsyncClient
) -> None:
    sku = await new_sku(fluent_client)
    location = await stocked_location(fluent_client, admin, sku)
    order = await new_order(fluent_client, {sku: 2})
    draft = fulfilment_input(order, location)
    created = await fluent_client.create_fulfilment(draft)
    with pytest.raises(AlreadyExistsError):
        await fluent_client.create_fulfilment(draft)
    assert (await fluent_client.create_or_get_fulfilment(draft)).id == created.id
    assert created.status in {"CREATED", "AWAITING_WAVE"}
    ref = draft.ref

    for step, body in (
        ("pick", None),
        ("fulfil", None),
        ("articles", {"articles": [{"carrier": "DHL", "trackingLabel": "1Z999"}]}),
        ("ship", None),
    ):
        await sandbox_call(admin, "POST", f"fulfilments/{ref}/{step}", body)

    [fulfilment] = await fluent_client.find_fulfilments([ref, unique("NO-SUCH-REF")])
    order_details = await fluent_client.order_details(order.id)

    assert fulfilment.status == "SHIPPED"
    assert fulfilment.order_id == order.id
    assert [(item.requested_quantity, item.filled_quantity) for item in fulfilment.items] == [
        (2, 2)
    ]
    [article] = fulfilment.articles
    [consignment] = article.consignments
    assert consignment.tracking_label == "1Z999"
    assert consignment.carrier_ref == "DHL"
    assert order_details.status == "AWAITING_COURIER_COLLECTION"
    assert [f.ref for f in order_details.fulfilments] == [ref]
    assert order_details.fulfilments[0].articles == fulfilment.articles


async def test_details_are_complete_beyond_the_first_page(
    fluent_client: FluentClient, admin: httpx.AsyncClient
) -> None:
    """The detail queries ask for 10 fulfilments and 20 articles at first; the client pages the
    rest. The lookup by refs goes out in chunks of 100."""
    sku = await new_sku(fluent_client)
    location = await stocked_location(fluent_client, admin, sku, on_hand=11)
    order = await new_order(fluent_client, {sku: 11})
    [item] = order.items
    refs: list[str] = []
    for _ in range(11):
        draft = fulfilment_input(order, location)
        split = draft.model_copy(
            update={
                "items": [
                    FulfilmentItemInput(
                        ref=f"{draft.ref}-1", order_item=EntityId(id=item.id), requested_quantity=1
                    )
                ]
            }
        )
        await fluent_client.create_fulfilment(split)
        refs.append(split.ref)
    articles = [{"carrier": "DHL", "trackingLabel": f"T-{n}"} for n in range(21)]
    for step in ("pick", "fulfil"):
        await sandbox_call(admin, "POST", f"fulfilments/{refs[0]}/{step}")
    await sandbox_call(admin, "POST", f"fulfilments/{refs[0]}/articles", {"articles": articles})

    details = await fluent_client.order_details(order.id)
    found = await fluent_client.find_fulfilments([*refs, *(unique("NONE") for _ in range(120))])

    assert len(details.fulfilments) == len(refs)
    assert {f.ref for f in details.fulfilments} == set(refs)
    first = next(f for f in details.fulfilments if f.ref == refs[0])
    labels = [c.tracking_label for article in first.articles for c in article.consignments]
    assert len(labels) == len(articles)
    assert set(labels) == {a["trackingLabel"] for a in articles}
    assert len(found) == len(refs)
    assert {f.ref for f in found} == set(refs)
    assert len(next(f for f in found if f.ref == refs[0]).articles) == len(articles)


async def test_missing_orders_and_fulfilments(fluent_client: FluentClient) -> None:
    assert await fluent_client.find_order(unique("NONE")) is None
    assert await fluent_client.find_fulfilment(unique("NONE")) is None
    assert await fluent_client.find_fulfilments([]) == []
    with pytest.raises(NotFoundError):
        await fluent_client.order_details("4999999999")


# --- locations and inventory -------------------------------------------------------------------


async def test_network_locations_page_by_cursor_and_filter_by_update(
    fluent_client: FluentClient, fluent_sandbox: FluentBackend, admin: httpx.AsyncClient
) -> None:
    earlier = [await new_location(admin) for _ in range(4)]
    await sandbox_call(admin, "POST", "clock/advance", {"seconds": 2})
    since = datetime.fromisoformat((await sandbox_call(admin, "GET", "state"))["now"])
    later = await new_location(admin, status="INACTIVE")
    renamed = await sandbox_call(admin, "PATCH", f"locations/{earlier[0]['ref']}", {"name": "New"})

    pages = [page async for page in fluent_client.network_locations(page_size=2)]
    updated = [
        location.ref
        async for page in fluent_client.network_locations(updated_since=since, page_size=2)
        for location in page
    ]

    refs = [location.ref for page in pages for location in page]
    assert all(len(page) <= 2 for page in pages)
    assert len(pages) >= 3
    assert len(refs) == len(set(refs))
    assert {item["ref"] for item in [*earlier, later]} <= set(refs)
    assert updated == sorted([later["ref"], renamed["ref"]], key=refs.index)
    network = await fluent_client.network()
    assert network is not None
    assert network.ref == fluent_sandbox.config.network_ref

    first_page, *_ = [page async for page in fluent_client.network_location_pages(page_size=2)]
    resumed = [
        location.ref
        async for page in fluent_client.network_location_pages(after=first_page.cursor)
        for location in page.items
    ]
    assert first_page.has_next
    assert [location.ref for location in first_page.items] + resumed == refs


async def test_location_details(fluent_client: FluentClient, admin: httpx.AsyncClient) -> None:
    created = await new_location(
        admin, type="WAREHOUSE", phone="+49 30 123", openingHours={"open": 900, "close": 2000}
    )

    location = await fluent_client.get_location(created["ref"])

    assert location is not None
    assert (location.name, location.type, location.status) == (
        "Berlin Mitte",
        "WAREHOUSE",
        "ACTIVE",
    )
    assert location.support_phone_number == "+49 30 123"
    assert location.primary_address is not None
    assert (location.primary_address.latitude, location.primary_address.longitude) == (
        BERLIN["latitude"],
        BERLIN["longitude"],
    )
    assert location.primary_address.time_zone == "Europe/Berlin"
    assert location.opening_schedule is not None
    assert (location.opening_schedule.mon_start, location.opening_schedule.mon_end) == (900, 2000)
    assert await fluent_client.get_location(unique("NONE")) is None


async def test_missing_network(fluent_client: FluentClient) -> None:
    assert await fluent_client.network(unique("NET")) is None
    with pytest.raises(NotFoundError):
        async for _ in fluent_client.network_locations(unique("NET")):
            pass


async def test_inventory_and_virtual_positions(
    fluent_client: FluentClient, admin: httpx.AsyncClient
) -> None:
    sku = await new_sku(fluent_client)
    store, warehouse = await new_location(admin), await new_location(admin)
    closed = await new_location(admin, status="INACTIVE")
    await set_stock(admin, sku, {store["ref"]: 4, warehouse["ref"]: 9, closed["ref"]: 50})

    positions = await fluent_client.inventory_positions([sku, unique("NONE")])
    at_store = await fluent_client.inventory_positions([sku], location_refs=[store["ref"]])
    virtual = [
        position
        async for page in fluent_client.virtual_positions(product_refs=[sku])
        for position in page
    ]

    assert sorted((p.location_ref, p.on_hand) for p in positions) == sorted(
        [(store["ref"], 4), (warehouse["ref"], 9), (closed["ref"], 50)]
    )
    assert [(p.location_ref, p.on_hand) for p in at_store] == [(store["ref"], 4)]
    assert [(p.product_ref, p.quantity) for p in virtual] == [(sku, 13)]
    assert await fluent_client.inventory_positions([sku], location_refs=[]) == []


async def test_positions_updated_since_a_moment(
    fluent_client: FluentClient, admin: httpx.AsyncClient
) -> None:
    sku, other = await new_sku(fluent_client), await new_sku(fluent_client)
    location = await new_location(admin)
    await set_stock(admin, other, {location["ref"]: 1})
    await sandbox_call(admin, "POST", "clock/advance", {"seconds": 2})
    since = datetime.fromisoformat((await sandbox_call(admin, "GET", "state"))["now"])
    await set_stock(admin, sku, {location["ref"]: 6})

    virtual = [
        (page.cursor, [position.product_ref for position in page.items])
        async for page in fluent_client.virtual_position_pages(updated_since=since, page_size=1)
    ]
    inventory = [
        position.product_ref
        async for page in fluent_client.inventory_position_pages(updated_since=since)
        for position in page.items
    ]

    assert [refs for _, refs in virtual if refs] == [[sku]]
    assert inventory == [sku]
    resumed = [
        page.items
        async for page in fluent_client.virtual_position_pages(
            updated_since=since, after=virtual[0][0]
        )
    ]
    assert all(items == [] for items in resumed)


async def test_batch_upsert_of_inventory_completes(
    fluent_client: FluentClient, admin: httpx.AsyncClient
) -> None:
    sku = await new_sku(fluent_client)
    first, second = await new_location(admin), await new_location(admin)
    batch = FluentBatchApi(fluent_client, poll_interval=0.01, max_poll_interval=0.05, max_wait=5)

    upload = await batch.upsert_inventory(
        [
            InventoryRecord(location_ref=first["ref"], sku_ref=sku, qty=7),
            InventoryRecord(location_ref=second["ref"], sku_ref=sku, qty=3),
        ]
    )
    again = await batch.upsert_inventory(
        [InventoryRecord(location_ref=first["ref"], sku_ref=sku, qty=5)], job=upload.job
    )

    assert [status.status for status in upload.batches] == ["COMPLETE"]
    assert again.job == upload.job
    positions = await fluent_client.inventory_positions([sku])
    assert sorted((p.location_ref, p.on_hand) for p in positions) == sorted(
        [(first["ref"], 5), (second["ref"], 3)]
    )


# --- catalogue ----------------------------------------------------------------------------------


async def test_categories_create_update_and_bulk_read(fluent_client: FluentClient) -> None:
    catalogue = RefKey(ref=fluent_client.settings.catalogue_ref)
    parent = CreateCategoryInput(ref=unique("CAT"), catalogue=catalogue, type="DEFAULT", name="Men")
    await fluent_client.create_category(parent)
    child = await fluent_client.create_category(
        CreateCategoryInput(
            ref=unique("CAT"),
            catalogue=catalogue,
            type="DEFAULT",
            name="Shirts",
            parent_category=CatalogueEntityKey(ref=parent.ref, catalogue=catalogue),
        )
    )
    with pytest.raises(AlreadyExistsError):
        await fluent_client.create_category(parent)

    updated = await fluent_client.update_category(
        UpdateCategoryInput(
            ref=child.ref,
            catalogue=catalogue,
            name="Shirts and blouses",
            attributes=[Attribute(name="ctId", type="STRING", value="c-1")],
        )
    )
    found = await fluent_client.categories([parent.ref, child.ref, unique("NONE")])

    assert child.parent_ref == parent.ref
    assert updated.name == "Shirts and blouses"
    assert sorted(found) == sorted([parent.ref, child.ref])
    assert found[child.ref] == updated
    assert updated.attribute("ctId") == "c-1"


async def test_products_create_update_and_bulk_read(fluent_client: FluentClient) -> None:
    catalogue = RefKey(ref=fluent_client.settings.catalogue_ref)
    category = await fluent_client.create_category(
        CreateCategoryInput(ref=unique("CAT"), catalogue=catalogue, type="DEFAULT", name="Tops")
    )
    in_category = [CatalogueEntityKey(ref=category.ref, catalogue=catalogue)]
    standard = CreateStandardProductInput(
        ref=unique("P"),
        catalogue=catalogue,
        type="DEFAULT",
        gtin=unique("G"),
        name="Shirt",
        categories=in_category,
        prices=[Price(type="DEFAULT", currency="EUR", value=25.0)],
    )
    created = await fluent_client.create_standard_product(standard)
    variant = await fluent_client.create_variant_product(
        CreateVariantProductInput(
            ref=unique("SKU"),
            catalogue=catalogue,
            type="DEFAULT",
            gtin="4006381333931",
            name="Shirt, red, M",
            product=CatalogueEntityKey(ref=standard.ref, catalogue=catalogue),
            attributes=[Attribute(name="color", type="STRING", value="red")],
        )
    )
    with pytest.raises(AlreadyExistsError) as taken:
        await fluent_client.create_standard_product(standard)

    renamed = await fluent_client.update_standard_product(
        UpdateStandardProductInput(ref=standard.ref, catalogue=catalogue, name="Oxford shirt")
    )
    recoloured = await fluent_client.update_variant_product(
        UpdateVariantProductInput(
            ref=variant.ref,
            catalogue=catalogue,
            attributes=[Attribute(name="color", type="STRING", value="blue")],
        )
    )
    standards = await fluent_client.standard_products([standard.ref, unique("NONE")])
    variants = await fluent_client.variant_products([variant.ref])

    assert taken.value.codes == ("C0128E",)
    assert created.category_refs == [category.ref]
    assert [(price.currency, price.value) for price in created.prices] == [("EUR", 25.0)]
    assert variant.product_ref == standard.ref
    assert renamed.name == "Oxford shirt"
    assert recoloured.attribute("color") == "blue"
    assert standards == {standard.ref: renamed}
    assert variants == {variant.ref: recoloured}


# --- billing -----------------------------------------------------------------------------------


async def test_billing_accounts_and_invoices(fluent_client: FluentClient) -> None:
    sku = await new_sku(fluent_client)
    customer = await fluent_client.create_customer(customer_input())
    order = await fluent_client.create_order(order_input(unique("ORDER"), customer.id, {sku: 1}))
    account_input = CreateBillingAccountInput(
        ref=unique("BA"),
        type="CUSTOMER",
        name="Ada Lovelace",
        customer=RefKey(ref=customer.ref or customer.username or ""),
        address=StreetAddressInput(city="Berlin", country="DE"),
    )
    account = await fluent_client.create_billing_account(account_input)
    assert (await fluent_client.create_or_get_billing_account(account_input)).id == account.id
    assert await fluent_client.find_billing_account(account.ref) == account

    money = AmountInput(amount=25.0)
    invoice_input = CreateInvoiceInput(
        ref=unique("INV"),
        type="CUSTOMER",
        billing_account=RefKey(ref=account.ref),
        order=OrderLinkInput(ref=order.ref or ""),
        items=[
            InvoiceItemInput(
                ref=unique("INV-ITEM"),
                type="ORDER_ITEM",
                product=CatalogueEntityKey.of(sku, fluent_client.settings.catalogue_ref),
                unit_quantity=QuantityInput(quantity=1),
                unit_amount=money,
                amount=money,
                tax_amount=AmountInput(amount=3.99),
            )
        ],
        issue_date=datetime(2026, 3, 1, tzinfo=UTC),
        currency=CurrencyKey(alphabetic_code="EUR"),
        default_tax_type=TaxTypeInput(country="DE", group="STANDARD", tariff="VAT"),
        sub_total_amount=AmountInput(amount=21.01),
        total_tax=AmountInput(amount=3.99),
        total_amount=money,
        total_balance=money,
    )
    invoice = await fluent_client.create_invoice(invoice_input)
    with pytest.raises(AlreadyExistsError):
        await fluent_client.create_invoice(invoice_input)
    assert (await fluent_client.create_or_get_invoice(invoice_input)).id == invoice.id

    assert invoice.billing_account_ref == account.ref
    assert invoice.order_ref == order.ref
    assert await fluent_client.find_invoice(invoice.ref) == invoice
    assert await fluent_client.find_invoice(unique("NONE")) is None
    assert await fluent_client.find_billing_account(unique("NONE")) is None


# --- Event API ----------------------------------------------------------------------------------


async def test_cancel_order_event(fluent_client: FluentClient, admin: httpx.AsyncClient) -> None:
    sku = await new_sku(fluent_client)
    location = await stocked_location(fluent_client, admin, sku, on_hand=5)
    order = await new_order(fluent_client, {sku: 2})
    await fulfil_from(fluent_client, order, location)
    cancel = FluentEvent(
        name="CancelOrder",
        entity_type="ORDER",
        entity_ref=order.ref,
        root_entity_type="ORDER",
        root_entity_ref=order.ref,
    )

    answer = await fluent_client.send_event(cancel)

    assert answer.event_status == "COMPLETE"
    assert answer.event_id
    details = await fluent_client.order_details(order.id)
    assert details.status == "CANCELLED"
    assert [f.status for f in details.fulfilments] == ["CANCELLED"]
    stock = await sandbox_call(admin, "GET", f"stock?sku={sku}")
    assert [p["reserved"] for p in stock["positions"]] == [0]


async def test_cancelling_a_shipped_order_fails(
    fluent_client: FluentClient, admin: httpx.AsyncClient
) -> None:
    sku = await new_sku(fluent_client)
    location = await stocked_location(fluent_client, admin, sku)
    order = await new_order(fluent_client, {sku: 1})
    ref = await fulfil_from(fluent_client, order, location)
    for step in ("pick", "fulfil", "articles", "ship"):
        await sandbox_call(admin, "POST", f"fulfilments/{ref}/{step}")

    answer = await fluent_client.send_event(
        FluentEvent(name="CancelOrder", entity_type="ORDER", entity_ref=order.ref), sync=True
    )

    assert answer.event_status == "FAILED"
    found = await fluent_client.find_order(order.ref or "")
    assert found is not None
    assert found.status != "CANCELLED"


async def test_an_event_for_a_missing_entity_is_not_found(fluent_client: FluentClient) -> None:
    with pytest.raises(NotFoundError):
        await fluent_client.send_event(
            FluentEvent(name="CancelOrder", entity_type="ORDER", entity_ref=unique("NONE"))
        )


# --- webhooks -----------------------------------------------------------------------------------


def webhook_for(receiver: WebhookReceiver, order: Order, status: str) -> ReceivedPost:
    def matches(post: ReceivedPost) -> bool:
        body = post.json()
        return bool(body.get("entityRef") == order.ref and body.get("entityStatus") == status)

    return receiver.wait_for(matches)


async def public_key(admin: httpx.AsyncClient) -> str:
    return str((await sandbox_call(admin, "GET", "webhook-public-key"))["publicKey"])


async def test_webhooks_verify_with_the_sandbox_public_key(
    fluent_client: FluentClient, admin: httpx.AsyncClient, webhook_receiver: WebhookReceiver
) -> None:
    sku = await new_sku(fluent_client)
    order = await new_order(fluent_client, {sku: 1})

    post = webhook_for(webhook_receiver, order, "RECEIVED")

    verifier = WebhookVerifier([await public_key(admin)])
    verifier.verify(post.body, post.headers)
    event = WebhookEvent.model_validate_json(post.body)
    assert (event.entity_type, event.entity_id, event.entity_ref) == ("ORDER", order.id, order.ref)
    assert event.retailer_id == fluent_client.settings.retailer_id
    assert event.attributes == {}
    assert post.path == "/fluent"


async def test_tampered_webhooks_and_foreign_keys_fail(
    fluent_client: FluentClient, admin: httpx.AsyncClient, webhook_receiver: WebhookReceiver
) -> None:
    sku = await new_sku(fluent_client)
    order = await new_order(fluent_client, {sku: 1})
    post = webhook_for(webhook_receiver, order, "RECEIVED")
    verifier = WebhookVerifier([await public_key(admin)])

    tampered = post.body.replace(b'"RECEIVED"', b'"CANCELLED"')
    assert tampered != post.body
    with pytest.raises(SignatureInvalidError):
        verifier.verify(tampered, post.headers)

    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    foreign_der = foreign.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(SignatureInvalidError):
        WebhookVerifier([base64.b64encode(foreign_der).decode()]).verify(post.body, post.headers)
    assert post.headers[SIGNATURE_HEADER]
