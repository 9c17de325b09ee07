"""The sandbox's in-memory Fluent account: one retailer, its entities, indexes and inventory.

The store validates references and uniqueness (raising Fluent-coded errors), keeps `createdOn` /
`updatedOn`, and reports every status change and every location creation or update to its
listeners (the webhook dispatcher). Status *rules* live in `lifecycle`; the store only records.

Ids are numeric and per entity kind, each kind in its own range (orders 4000000001, ...), so an
id of the wrong kind is never silently accepted. Every table is in id order, which is also the
order of every list the API returns.

Available to sell (ATS) is kept incrementally: a virtual position per product holds the sum over
the ACTIVE locations of the network of `max(0, onHand - reserved)`, adjusted on every change of
on hand, reservations, location status or network membership; `recompute_virtual_quantities`
computes the same from scratch (the tests hold the two against each other).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from itertools import chain
from typing import Any, Generic, TypeVar

from sandbox.fluent import inputs
from sandbox.fluent.clock import SandboxClock
from sandbox.fluent.errors import (
    FluentErrorCode,
    InvalidInputError,
    NotFoundError,
    UniqueConstraintError,
)
from sandbox.fluent.models import (
    ACTIVE,
    Address,
    AmountType,
    Article,
    ArticleItem,
    Attribute,
    BillingAccount,
    Carrier,
    CatalogueProduct,
    Category,
    Consignment,
    ConsignmentArticle,
    CurrencyLink,
    Customer,
    CustomerAddress,
    CustomerLink,
    Entity,
    Fulfilment,
    FulfilmentChoice,
    FulfilmentItem,
    InventoryCatalogue,
    InventoryPosition,
    Invoice,
    InvoiceItem,
    Location,
    Network,
    OpeningSchedule,
    Order,
    OrderItem,
    OrderLink,
    Price,
    Product,
    ProductCatalogue,
    QuantityType,
    Retailer,
    StandardProduct,
    StoreAddress,
    StreetAddress,
    TaxType,
    VariantProduct,
    VirtualCatalogue,
    VirtualPosition,
)

EntityT = TypeVar("EntityT", bound=Entity)
_CatalogueT = TypeVar("_CatalogueT", ProductCatalogue, InventoryCatalogue, VirtualCatalogue)
_ProductT = TypeVar("_ProductT", StandardProduct, VariantProduct)

_ID_RANGE = 1_000_000_000


class Kind(Enum):
    """Entity kinds with their id ranges (value x 1,000,000,000). The retailer keeps the id it
    has in Fluent (the configured retailer id)."""

    CUSTOMER = 2
    ADDRESS = 3
    ORDER = 4
    ORDER_ITEM = 5
    FULFILMENT_CHOICE = 6
    FULFILMENT = 7
    FULFILMENT_ITEM = 8
    ARTICLE = 9
    ARTICLE_ITEM = 10
    CONSIGNMENT = 11
    CARRIER = 12
    LOCATION = 13
    OPENING_SCHEDULE = 14
    NETWORK = 15
    CATALOGUE = 16
    CATEGORY = 17
    PRODUCT = 18
    INVENTORY_POSITION = 19
    VIRTUAL_POSITION = 20
    BILLING_ACCOUNT = 21
    INVOICE = 22
    INVOICE_ITEM = 23


class Table(Generic[EntityT]):
    """Rows of one kind; ids are `base + 1, base + 2, ...` so lookup and seeking are O(1)."""

    def __init__(self, kind: Kind) -> None:
        self._base = kind.value * _ID_RANGE
        self._rows: list[EntityT] = []

    def next_id(self) -> int:
        return self._base + len(self._rows) + 1

    def add(self, row: EntityT) -> EntityT:
        if row.id != self.next_id():
            raise ValueError(f"row id {row.id} is not the next id {self.next_id()}")
        self._rows.append(row)
        return row

    def get(self, entity_id: int | str | None) -> EntityT | None:
        if isinstance(entity_id, str):
            entity_id = int(entity_id) if entity_id.isdigit() else None
        if entity_id is None:
            return None
        index = entity_id - self._base - 1
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def after(self, entity_id: int | None) -> Iterator[EntityT]:
        start = 0 if entity_id is None else max(0, entity_id - self._base)
        return (self._rows[i] for i in range(start, len(self._rows)))

    def __iter__(self) -> Iterator[EntityT]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class ChangeKind(Enum):
    STATUS = "status"
    CREATED = "created"
    UPDATED = "updated"


@dataclass(frozen=True, slots=True)
class EntityChange:
    """What listeners hear: an order or fulfilment status change, a location created/updated."""

    kind: ChangeKind
    entity: Order | Fulfilment | Location


Listener = Callable[[EntityChange], None]


@dataclass(frozen=True, slots=True)
class LocationSpec:
    """A location to create (seed, admin API)."""

    ref: str
    name: str
    type: str
    status: str
    latitude: float
    longitude: float
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    country: str | None = None
    time_zone: str | None = None
    phone: str | None = None
    opening_hours: tuple[int, int] | None = None  # HHMM every day; None: open all hours
    attributes: tuple[Attribute, ...] = ()


_ADDRESS_FIELDS = (
    "street",
    "city",
    "state",
    "postcode",
    "country",
    "latitude",
    "longitude",
    "time_zone",
)


@dataclass(frozen=True, slots=True)
class LocationChanges:
    """What an admin may change on a location; None leaves a field as it is."""

    name: str | None = None
    type: str | None = None
    status: str | None = None
    phone: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    time_zone: str | None = None
    opening_hours: tuple[int, int] | None = None  # HHMM every day
    all_hours: bool | None = None


@dataclass(frozen=True, slots=True)
class ArticleSpec:
    """A parcel packed by store staff and booked with a carrier. Unset references are derived
    from the article's id, so they are unique and repeatable."""

    ref: str | None = None
    carrier_ref: str = "SANDBOX_POST"
    consignment_reference: str | None = None
    tracking_label: str | None = None
    label_url: str | None = None
    name: str | None = None
    description: str | None = None
    weight: float = 1.0
    height: float = 10.0
    length: float = 30.0
    width: float = 20.0


@dataclass(frozen=True, slots=True)
class DateRange:
    start: datetime | None = None
    end: datetime | None = None

    def contains(self, moment: datetime) -> bool:
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment <= self.end
        )


def _attributes(values: Iterable[inputs.AttributeInput] | None) -> list[Attribute]:
    return [Attribute(name=a.name, type=a.type, value=a.value) for a in values or ()]


def _merge_attributes(
    current: list[Attribute], updates: Iterable[inputs.AttributeInput] | None
) -> list[Attribute]:
    """Fluent updates attributes by name: given names are replaced or added, others kept."""
    merged = {attribute.name: attribute for attribute in current}
    for attribute in _attributes(updates):
        merged[attribute.name] = attribute
    return list(merged.values())


def _tax(value: inputs.TaxTypeInput) -> TaxType:
    return TaxType(country=value.country, group=value.group, tariff=value.tariff)


def _amount(value: inputs.AmountTypeInput) -> AmountType:
    return AmountType(amount=value.amount, scale=value.scale, unscaled_value=value.unscaled_value)


class FluentStore:
    """All entities of the sandbox's single retailer."""

    def __init__(
        self,
        *,
        clock: SandboxClock,
        retailer_id: str,
        network_ref: str,
        product_catalogue_ref: str,
        inventory_catalogue_ref: str,
        virtual_catalogue_ref: str,
    ) -> None:
        self.clock = clock
        self.retailer_id = retailer_id
        self._listeners: list[Listener] = []
        self.customers: Table[Customer] = Table(Kind.CUSTOMER)
        self.addresses: Table[CustomerAddress | StoreAddress] = Table(Kind.ADDRESS)
        self.orders: Table[Order] = Table(Kind.ORDER)
        self.order_items: Table[OrderItem] = Table(Kind.ORDER_ITEM)
        self.fulfilment_choices: Table[FulfilmentChoice] = Table(Kind.FULFILMENT_CHOICE)
        self.fulfilments: Table[Fulfilment] = Table(Kind.FULFILMENT)
        self.fulfilment_items: Table[FulfilmentItem] = Table(Kind.FULFILMENT_ITEM)
        self.articles: Table[Article] = Table(Kind.ARTICLE)
        self.article_items: Table[ArticleItem] = Table(Kind.ARTICLE_ITEM)
        self.consignments: Table[Consignment] = Table(Kind.CONSIGNMENT)
        self.carriers: Table[Carrier] = Table(Kind.CARRIER)
        self.locations: Table[Location] = Table(Kind.LOCATION)
        self.opening_schedules: Table[OpeningSchedule] = Table(Kind.OPENING_SCHEDULE)
        self.networks: Table[Network] = Table(Kind.NETWORK)
        self.catalogues: Table[ProductCatalogue | InventoryCatalogue | VirtualCatalogue] = Table(
            Kind.CATALOGUE
        )
        self.categories: Table[Category] = Table(Kind.CATEGORY)
        self.products: Table[StandardProduct | VariantProduct] = Table(Kind.PRODUCT)
        self.inventory_positions: Table[InventoryPosition] = Table(Kind.INVENTORY_POSITION)
        self.virtual_positions: Table[VirtualPosition] = Table(Kind.VIRTUAL_POSITION)
        self.billing_accounts: Table[BillingAccount] = Table(Kind.BILLING_ACCOUNT)
        self.invoices: Table[Invoice] = Table(Kind.INVOICE)
        self.invoice_items: Table[InvoiceItem] = Table(Kind.INVOICE_ITEM)

        self._customers_by_username: dict[str, Customer] = {}
        self._orders_by_ref: dict[str, Order] = {}
        self._fulfilments_by_ref: dict[str, Fulfilment] = {}
        self._locations_by_ref: dict[str, Location] = {}
        self._networks_by_ref: dict[str, Network] = {}
        self._carriers_by_ref: dict[str, Carrier] = {}
        self._product_catalogues: dict[str, ProductCatalogue] = {}
        self._products: dict[tuple[str, str], StandardProduct | VariantProduct] = {}
        self._categories: dict[tuple[str, str], Category] = {}
        self._billing_accounts_by_ref: dict[str, BillingAccount] = {}
        self._invoices_by_ref: dict[str, Invoice] = {}
        # Inventory: location ref -> product ref -> position; product ref -> positions.
        self._positions_by_location: dict[str, dict[str, InventoryPosition]] = {}
        self._positions_by_product: dict[str, list[InventoryPosition]] = {}
        self._virtual_by_product: dict[str, VirtualPosition] = {}

        now = clock.now()
        if not retailer_id.isdigit():
            raise ValueError(f"a Fluent retailer id is numeric, got {retailer_id!r}")
        self.retailer = Retailer(
            id=int(retailer_id),
            created_on=now,
            updated_on=now,
            ref=retailer_id,
            trading_name=f"Sandbox retailer {retailer_id}",
        )
        self.product_catalogue = self.create_product_catalogue(product_catalogue_ref)
        self.inventory_catalogue = self._add_catalogue(
            InventoryCatalogue(
                id=self.catalogues.next_id(),
                created_on=now,
                updated_on=now,
                ref=inventory_catalogue_ref,
                name=f"Inventory of retailer {retailer_id}",
            )
        )
        self.network = self._add_network(network_ref)
        self.virtual_catalogue = self._add_catalogue(
            VirtualCatalogue(
                id=self.catalogues.next_id(),
                created_on=now,
                updated_on=now,
                ref=virtual_catalogue_ref,
                name=f"Available to sell in {network_ref}",
                network_ref=network_ref,
            )
        )

    # -- listeners ---------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, kind: ChangeKind, entity: Order | Fulfilment | Location) -> None:
        change = EntityChange(kind=kind, entity=entity)
        for listener in self._listeners:
            listener(change)

    def _touch(self, entity: Entity) -> None:
        entity.updated_on = self.clock.now()

    def set_status(self, entity: Order | Fulfilment, status: str) -> bool:
        """Record a status change and tell the listeners; False when nothing changed."""
        if entity.status == status:
            return False
        entity.status = status
        self._touch(entity)
        self._emit(ChangeKind.STATUS, entity)
        return True

    def set_item_status(self, item: FulfilmentItem | OrderItem, status: str) -> None:
        if item.status != status:
            item.status = status
            self._touch(item)

    # -- retailer ----------------------------------------------------------------------------

    def require_retailer(self, key: inputs.IdKey) -> Retailer:
        if key.id != self.retailer_id:
            raise NotFoundError(
                f"Retailer with id {key.id} not found (this sandbox serves retailer "
                f"{self.retailer_id})"
            )
        return self.retailer

    # -- customers ---------------------------------------------------------------------------

    def create_customer(self, data: inputs.CreateCustomerInput) -> Customer:
        self.require_retailer(data.retailer)
        if data.username in self._customers_by_username:
            raise UniqueConstraintError(
                f"Customer with username '{data.username}' already exists",
                FluentErrorCode.CUSTOMER_EXISTS,
            )
        now = self.clock.now()
        customer = self.customers.add(
            Customer(
                id=self.customers.next_id(),
                created_on=now,
                updated_on=now,
                retailer_id=self.retailer_id,
                username=data.username,
                primary_email=data.primary_email,
                first_name=data.first_name,
                last_name=data.last_name,
                timezone=data.timezone,
                promotion_opt_in=data.promotion_opt_in,
                primary_phone=data.primary_phone,
                country=data.country,
                title=data.title,
                department=data.department,
                attributes=_attributes(data.attributes),
            )
        )
        self._customers_by_username[customer.username] = customer
        return customer

    def customer_by_username(self, username: str) -> Customer | None:
        return self._customers_by_username.get(username)

    # -- orders ------------------------------------------------------------------------------

    def order_by_ref(self, ref: str) -> Order | None:
        return self._orders_by_ref.get(ref)

    def create_order(self, data: inputs.CreateOrderInput) -> Order:
        """Validates everything before creating anything, so a refused order leaves no trace."""
        self.require_retailer(data.retailer)
        if data.ref in self._orders_by_ref:
            raise UniqueConstraintError(f"Order with ref '{data.ref}' already exists")
        customer = self.customers.get(data.customer.id)
        if customer is None:
            raise NotFoundError(f"Customer with id {data.customer.id} not found")
        if data.type not in ("HD", "CC"):
            raise InvalidInputError(
                f"Order type '{data.type}' has no workflow in the sandbox (HD or CC)"
            )
        choice = data.fulfilment_choice
        if choice is None:
            raise InvalidInputError("fulfilmentChoice is required")
        if data.type == "HD" and choice.delivery_address is None:
            raise InvalidInputError("fulfilmentChoice.deliveryAddress is required for HD orders")
        if data.type == "CC":
            if not choice.pickup_location_ref:
                raise InvalidInputError(
                    "fulfilmentChoice.pickupLocationRef is required for CC orders"
                )
            self.require_location(choice.pickup_location_ref, "fulfilmentChoice.pickupLocationRef")
        products = [self._order_item_product(item) for item in data.items]

        now = self.clock.now()
        delivery_address = None
        if choice.delivery_address is not None:
            delivery_address = self._add_customer_address(choice.delivery_address, now)
        order = self.orders.add(
            Order(
                id=self.orders.next_id(),
                created_on=now,
                updated_on=now,
                retailer_id=self.retailer_id,
                ref=data.ref,
                type=data.type,
                customer=customer,
                total_price=data.total_price,
                total_tax_price=data.total_tax_price,
                attributes=_attributes(data.attributes),
                fulfilment_choice=self.fulfilment_choices.add(
                    FulfilmentChoice(
                        id=self.fulfilment_choices.next_id(),
                        created_on=now,
                        updated_on=now,
                        delivery_type=choice.delivery_type,
                        fulfilment_type=choice.fulfilment_type,
                        pickup_location_ref=choice.pickup_location_ref,
                        delivery_address=delivery_address,
                        currency=choice.currency,
                        fulfilment_price=choice.fulfilment_price,
                        fulfilment_tax_price=choice.fulfilment_tax_price,
                        delivery_instruction=choice.delivery_instruction,
                    )
                ),
            )
        )
        for item, product in zip(data.items, products, strict=True):
            order.items.append(
                self.order_items.add(
                    OrderItem(
                        id=self.order_items.next_id(),
                        created_on=now,
                        updated_on=now,
                        ref=item.ref,
                        product=product,
                        quantity=item.quantity,
                        order=order,
                        price=item.price,
                        paid_price=item.paid_price,
                        total_price=item.total_price,
                        tax_price=item.tax_price,
                        total_tax_price=item.total_tax_price,
                        tax_type=item.tax_type,
                        currency=item.currency,
                        attributes=_attributes(item.attributes),
                    )
                )
            )
        self._orders_by_ref[order.ref] = order
        self._emit(ChangeKind.STATUS, order)
        return order

    def _order_item_product(self, item: inputs.OrderItemInput) -> Product:
        catalogue_ref = item.product_catalogue_ref or self.product_catalogue.ref
        product = self._products.get((catalogue_ref, item.product_ref))
        if product is None:
            raise NotFoundError(
                f"Product with ref '{item.product_ref}' not found in catalogue '{catalogue_ref}' "
                f"(order item '{item.ref}')"
            )
        return product

    def _add_customer_address(self, data: inputs.AddressInput, now: datetime) -> CustomerAddress:
        address = CustomerAddress(
            id=self.addresses.next_id(),
            created_on=now,
            updated_on=now,
            ref=data.ref,
            name=data.name,
            company_name=data.company_name,
            street=data.street,
            city=data.city,
            state=data.state,
            postcode=data.postcode,
            region=data.region,
            country=data.country,
            latitude=data.latitude,
            longitude=data.longitude,
            time_zone=data.time_zone,
        )
        self.addresses.add(address)
        return address

    # -- fulfilments -------------------------------------------------------------------------

    def fulfilment_by_ref(self, ref: str) -> Fulfilment | None:
        return self._fulfilments_by_ref.get(ref)

    def create_fulfilment(self, data: inputs.CreateFulfilmentInput) -> Fulfilment:
        """Creates a fulfilment in CREATED and reserves its open quantities at its location."""
        if data.ref in self._fulfilments_by_ref:
            raise UniqueConstraintError(f"Fulfilment with ref '{data.ref}' already exists")
        order = self.orders.get(data.order.id)
        if order is None:
            raise NotFoundError(f"Order with id {data.order.id} not found")
        if order.status in ("CANCELLED", "COMPLETE"):
            raise InvalidInputError(f"Order '{order.ref}' is {order.status}: no new fulfilments")
        if not data.type.startswith(order.type):
            raise InvalidInputError(
                f"Fulfilment type '{data.type}' does not suit {order.type} order '{order.ref}' "
                f"(expected {order.type}_PFS, {order.type}_PFDC, ...)"
            )
        if data.from_address is None:
            raise InvalidInputError("fromAddress is required: the id of a location's address")
        from_address = self.addresses.get(data.from_address.id)
        if not isinstance(from_address, StoreAddress):
            raise NotFoundError(f"Location address with id {data.from_address.id} not found")
        to_address = self._fulfilment_destination(order, data.to_address)
        user = None
        if data.customer is not None:
            user = self.customers.get(data.customer.id)
            if user is None:
                raise NotFoundError(f"Customer with id {data.customer.id} not found")
        items_by_id = {item.id: item for item in order.items}
        allocated = self._allocated_quantities(order)
        for item in data.items:
            order_item = items_by_id.get(item.order_item.numeric or 0)
            if order_item is None:
                raise NotFoundError(
                    f"Order item with id {item.order_item.id} not found in order '{order.ref}'"
                )
            allocated[order_item.id] += item.requested - item.rejected_quantity
            if allocated[order_item.id] > order_item.quantity:
                raise InvalidInputError(
                    f"Fulfilment item '{item.ref}' would allocate {allocated[order_item.id]} of "
                    f"order item '{order_item.ref}', which has quantity {order_item.quantity}"
                )

        now = self.clock.now()
        fulfilment = self.fulfilments.add(
            Fulfilment(
                id=self.fulfilments.next_id(),
                created_on=now,
                updated_on=now,
                ref=data.ref,
                type=data.type,
                order=order,
                from_address=from_address,
                to_address=to_address,
                user=user,
                delivery_type=data.delivery_type,
                eta=data.eta,
                expiry_time=data.expiry_time,
                attributes=_attributes(data.attributes),
            )
        )
        for item in data.items:
            order_item = items_by_id[item.order_item.numeric or 0]
            fulfilment.items.append(
                self.fulfilment_items.add(
                    FulfilmentItem(
                        id=self.fulfilment_items.next_id(),
                        created_on=now,
                        updated_on=now,
                        ref=item.ref,
                        order_item=order_item,
                        requested_quantity=item.requested,
                        filled_quantity=item.filled_quantity,
                        rejected_quantity=item.rejected_quantity,
                    )
                )
            )
        order.fulfilments.append(fulfilment)
        self._fulfilments_by_ref[fulfilment.ref] = fulfilment
        for fulfilment_item in fulfilment.items:
            if fulfilment_item.open_quantity:
                self.reserve(
                    fulfilment.location_ref,
                    fulfilment_item.order_item.product_ref,
                    fulfilment_item.open_quantity,
                )
        self._emit(ChangeKind.STATUS, fulfilment)
        return fulfilment

    def _fulfilment_destination(self, order: Order, key: inputs.IdKey | None) -> Address:
        if key is not None:
            address = self.addresses.get(key.id)
            if address is None:
                raise NotFoundError(f"Address with id {key.id} not found")
            return address
        choice = order.fulfilment_choice
        if choice is not None and choice.delivery_address is not None:
            return choice.delivery_address
        if choice is not None and choice.pickup_location_ref:
            return self.require_location(choice.pickup_location_ref).primary_address
        raise InvalidInputError(f"toAddress is required: order '{order.ref}' has no destination")

    def _allocated_quantities(self, order: Order) -> dict[int, int]:
        """Per order item: what its live fulfilments still hold or have filled."""
        allocated = dict.fromkeys((item.id for item in order.items), 0)
        for fulfilment in order.fulfilments:
            if fulfilment.status == "CANCELLED":
                continue
            for item in fulfilment.items:
                allocated[item.order_item.id] += item.open_quantity
        return allocated

    # -- locations and networks --------------------------------------------------------------

    def location_by_ref(self, ref: str) -> Location | None:
        return self._locations_by_ref.get(ref)

    def require_location(self, ref: str, what: str = "location") -> Location:
        location = self._locations_by_ref.get(ref)
        if location is None:
            raise NotFoundError(f"Location with ref '{ref}' not found ({what})")
        return location

    def network_by_ref(self, ref: str) -> Network | None:
        return self._networks_by_ref.get(ref)

    def _add_network(self, ref: str) -> Network:
        now = self.clock.now()
        network = self.networks.add(
            Network(
                id=self.networks.next_id(),
                created_on=now,
                updated_on=now,
                retailer_id=self.retailer_id,
                ref=ref,
            )
        )
        self._networks_by_ref[ref] = network
        return network

    def create_location(self, spec: LocationSpec, *, notify: bool = True) -> Location:
        """Creates a location in the sandbox's network (the one the virtual catalogue sums)."""
        if spec.ref in self._locations_by_ref:
            raise UniqueConstraintError(f"Location with ref '{spec.ref}' already exists")
        now = self.clock.now()
        address = StoreAddress(
            id=self.addresses.next_id(),
            created_on=now,
            updated_on=now,
            ref=spec.ref,
            name=spec.name,
            street=spec.street,
            city=spec.city,
            state=spec.state,
            postcode=spec.postcode,
            country=spec.country,
            latitude=spec.latitude,
            longitude=spec.longitude,
            time_zone=spec.time_zone,
        )
        self.addresses.add(address)
        location = self.locations.add(
            Location(
                id=self.locations.next_id(),
                created_on=now,
                updated_on=now,
                retailer_id=self.retailer_id,
                ref=spec.ref,
                name=spec.name,
                type=spec.type,
                status=spec.status,
                primary_address=address,
                opening_schedule=self._opening_schedule(spec.opening_hours, now),
                support_phone_number=spec.phone,
                attributes=list(spec.attributes),
                network_refs=[self.network.ref],
            )
        )
        address.location = location
        self.network.locations.append(location)
        self._locations_by_ref[spec.ref] = location
        if notify:
            self._emit(ChangeKind.CREATED, location)
        return location

    def _opening_schedule(self, hours: tuple[int, int] | None, now: datetime) -> OpeningSchedule:
        schedule = OpeningSchedule(
            id=self.opening_schedules.next_id(),
            created_on=now,
            updated_on=now,
            all_hours=hours is None,
        )
        if hours is not None:
            self._set_daily_hours(schedule, hours)
        return self.opening_schedules.add(schedule)

    @staticmethod
    def _set_daily_hours(schedule: OpeningSchedule, hours: tuple[int, int]) -> None:
        start, end = hours
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            setattr(schedule, f"{day}_start", start)
            setattr(schedule, f"{day}_end", end)

    def update_location(self, location: Location, changes: LocationChanges) -> Location:
        """Changes a location as Fluent's admin would; a status change moves its stock in or out
        of the network's available to sell."""
        now = self.clock.now()
        was_counting = self._counts_for_ats(location.ref)
        for name in ("name", "type", "status"):
            value = getattr(changes, name)
            if value is not None:
                setattr(location, name, value)
        if changes.phone is not None:
            location.support_phone_number = changes.phone
        address = location.primary_address
        address_changed = False
        for name in _ADDRESS_FIELDS:
            value = getattr(changes, name)
            if value is not None:
                setattr(address, name, value)
                address_changed = True
        if address_changed:
            address.updated_on = now
        schedule = location.opening_schedule
        if changes.all_hours:
            schedule.all_hours = True
            self._set_daily_hours(schedule, (0, 0))
            schedule.updated_on = now
        elif changes.opening_hours is not None:
            schedule.all_hours = False
            self._set_daily_hours(schedule, changes.opening_hours)
            schedule.updated_on = now
        location.updated_on = now
        self._counting_changed(location.ref, was_counting)
        self._emit(ChangeKind.UPDATED, location)
        return location

    # -- carriers, articles and consignments (the lifecycle creates them) -------------------

    def carrier(self, ref: str) -> Carrier:
        """The carrier with `ref`, created on first use (carriers are set-up data in Fluent)."""
        carrier = self._carriers_by_ref.get(ref)
        if carrier is None:
            now = self.clock.now()
            carrier = self.carriers.add(
                Carrier(
                    id=self.carriers.next_id(),
                    created_on=now,
                    updated_on=now,
                    ref=ref,
                    name=ref.replace("_", " ").title(),
                )
            )
            self._carriers_by_ref[ref] = carrier
        return carrier

    def create_article(self, fulfilment: Fulfilment, spec: ArticleSpec) -> Article:
        """An article holding everything filled in the fulfilment, and its consignment."""
        article_id = self.articles.next_id()
        ref = spec.ref or f"{fulfilment.ref}-A{len(fulfilment.articles) + 1}"
        if any(article.ref == ref for article in fulfilment.articles):
            raise UniqueConstraintError(
                f"Article with ref '{ref}' already exists on fulfilment '{fulfilment.ref}'"
            )
        now = self.clock.now()
        article = self.articles.add(
            Article(
                id=article_id,
                created_on=now,
                updated_on=now,
                ref=ref,
                type="DEFAULT",
                name=spec.name,
                description=spec.description,
                weight=spec.weight,
                height=spec.height,
                length=spec.length,
                width=spec.width,
                quantity=sum(item.filled_quantity for item in fulfilment.items),
            )
        )
        for item in fulfilment.items:
            if item.filled_quantity:
                article.items.append(
                    self.article_items.add(
                        ArticleItem(
                            id=self.article_items.next_id(),
                            created_on=now,
                            updated_on=now,
                            quantity=item.filled_quantity,
                            barcode=item.order_item.product_ref,
                        )
                    )
                )
        tracking_label = spec.tracking_label or f"TRK{article_id}"
        consignment = self.consignments.add(
            Consignment(
                id=self.consignments.next_id(),
                created_on=now,
                updated_on=now,
                retailer_id=self.retailer_id,
                ref=f"{ref}-C",
                consignment_reference=spec.consignment_reference or f"CON{article_id}",
                carrier=self.carrier(spec.carrier_ref),
                tracking_label=tracking_label,
                label_url=spec.label_url
                or f"https://labels.fluent-sandbox.invalid/{tracking_label}",
            )
        )
        article.consignment_articles.append(
            ConsignmentArticle(article=article, consignment=consignment)
        )
        fulfilment.articles.append(article)
        self._touch(fulfilment)
        return article

    # -- inventory ---------------------------------------------------------------------------

    def _counts_for_ats(self, location_ref: str) -> bool:
        location = self._locations_by_ref.get(location_ref)
        return (
            location is not None
            and location.status == ACTIVE
            and self.network.ref in location.network_refs
        )

    def position(self, location_ref: str, product_ref: str) -> InventoryPosition | None:
        return self._positions_by_location.get(location_ref, {}).get(product_ref)

    def positions_at(self, location_ref: str) -> Iterable[InventoryPosition]:
        return self._positions_by_location.get(location_ref, {}).values()

    def positions_of(self, product_refs: Iterable[str]) -> list[InventoryPosition]:
        """Positions of the products, in id order."""
        found = chain.from_iterable(self._positions_by_product.get(ref, ()) for ref in product_refs)
        unique = {position.id: position for position in found}
        return [unique[position_id] for position_id in sorted(unique)]

    def _new_position(
        self, location_ref: str, product_ref: str, on_hand: int, now: datetime
    ) -> InventoryPosition:
        position = self.inventory_positions.add(
            InventoryPosition(
                id=self.inventory_positions.next_id(),
                created_on=now,
                updated_on=now,
                product_ref=product_ref,
                location_ref=location_ref,
                on_hand=on_hand,
            )
        )
        self._positions_by_location.setdefault(location_ref, {})[product_ref] = position
        self._positions_by_product.setdefault(product_ref, []).append(position)
        return position

    def _change_position(
        self, location_ref: str, product_ref: str, *, on_hand: int | None, reserved_delta: int
    ) -> InventoryPosition:
        self.require_location(location_ref)
        now = self.clock.now()
        position = self.position(location_ref, product_ref)
        if position is None:
            position = self._new_position(location_ref, product_ref, 0, now)
        before = position.available
        if on_hand is not None:
            position.on_hand = max(0, on_hand)
        position.reserved = max(0, position.reserved + reserved_delta)
        position.updated_on = now
        self._adjust_virtual(
            product_ref,
            position.available - before if self._counts_for_ats(location_ref) else 0,
            now,
        )
        return position

    def set_on_hand(self, location_ref: str, product_ref: str, on_hand: int) -> InventoryPosition:
        if on_hand < 0:
            raise InvalidInputError(f"onHand must not be negative, got {on_hand}")
        return self._change_position(location_ref, product_ref, on_hand=on_hand, reserved_delta=0)

    def reserve(self, location_ref: str, product_ref: str, quantity: int) -> None:
        self._change_position(location_ref, product_ref, on_hand=None, reserved_delta=quantity)

    def release(self, location_ref: str, product_ref: str, quantity: int) -> None:
        self._change_position(location_ref, product_ref, on_hand=None, reserved_delta=-quantity)

    def consume(self, location_ref: str, product_ref: str, quantity: int) -> None:
        """Goods left the location: on hand goes down and so does their reservation."""
        position = self.position(location_ref, product_ref)
        on_hand = (position.on_hand if position else 0) - quantity
        self._change_position(location_ref, product_ref, on_hand=on_hand, reserved_delta=-quantity)

    def load_positions(self, entries: Iterable[tuple[str, str, int]]) -> int:
        """Bulk-creates positions `(location ref, product ref, on hand)` for seeding, then
        rebuilds the virtual positions once. Unknown locations are an error."""
        now = self.clock.now()
        count = 0
        for location_ref, product_ref, on_hand in entries:
            if location_ref not in self._locations_by_ref:
                raise NotFoundError(f"Location with ref '{location_ref}' not found (stock)")
            if self.position(location_ref, product_ref) is not None:
                raise UniqueConstraintError(
                    f"Inventory position {product_ref}:{location_ref} already exists"
                )
            self._new_position(location_ref, product_ref, on_hand, now)
            count += 1
        for product_ref, quantity in self.recompute_virtual_quantities().items():
            self._virtual_position(product_ref, now).quantity = quantity
        return count

    def _counting_changed(self, location_ref: str, was_counting: bool) -> None:
        counting = self._counts_for_ats(location_ref)
        if counting == was_counting:
            return
        now = self.clock.now()
        sign = 1 if counting else -1
        for position in self.positions_at(location_ref):
            self._adjust_virtual(position.product_ref, sign * position.available, now)

    def _virtual_position(self, product_ref: str, now: datetime) -> VirtualPosition:
        virtual = self._virtual_by_product.get(product_ref)
        if virtual is None:
            virtual = self.virtual_positions.add(
                VirtualPosition(
                    id=self.virtual_positions.next_id(),
                    created_on=now,
                    updated_on=now,
                    product_ref=product_ref,
                    group_ref=self.network.ref,
                    quantity=0,
                )
            )
            self._virtual_by_product[product_ref] = virtual
        return virtual

    def _adjust_virtual(self, product_ref: str, delta: int, now: datetime) -> None:
        virtual = self._virtual_position(product_ref, now)
        if delta:
            virtual.quantity += delta
            virtual.updated_on = now

    def virtual_position_of(self, product_ref: str) -> VirtualPosition | None:
        return self._virtual_by_product.get(product_ref)

    def recompute_virtual_quantities(self) -> dict[str, int]:
        """ATS per product from scratch: the reference the incremental figures must equal."""
        totals = dict.fromkeys(self._positions_by_product, 0)
        for location_ref, positions in self._positions_by_location.items():
            if not self._counts_for_ats(location_ref):
                continue
            for product_ref, position in positions.items():
                totals[product_ref] += position.available
        return totals

    # -- product catalogue -------------------------------------------------------------------

    def _add_catalogue(self, catalogue: _CatalogueT) -> _CatalogueT:
        self.catalogues.add(catalogue)
        return catalogue

    def create_product_catalogue(self, ref: str) -> ProductCatalogue:
        now = self.clock.now()
        catalogue = ProductCatalogue(
            id=self.catalogues.next_id(),
            created_on=now,
            updated_on=now,
            ref=ref,
            name=f"Product catalogue {ref}",
        )
        self.catalogues.add(catalogue)
        self._product_catalogues[ref] = catalogue
        return catalogue

    def require_product_catalogue(self, key: inputs.RefKey) -> ProductCatalogue:
        catalogue = self._product_catalogues.get(key.ref)
        if catalogue is None:
            raise NotFoundError(f"Product catalogue with ref '{key.ref}' not found")
        return catalogue

    def product(self, catalogue_ref: str, ref: str) -> StandardProduct | VariantProduct | None:
        return self._products.get((catalogue_ref, ref))

    def category(self, catalogue_ref: str, ref: str) -> Category | None:
        return self._categories.get((catalogue_ref, ref))

    def _require_category(self, key: inputs.CatalogueItemKey) -> Category:
        category = self._categories.get((key.catalogue.ref, key.ref))
        if category is None:
            raise NotFoundError(
                f"Category with ref '{key.ref}' not found in catalogue '{key.catalogue.ref}'"
            )
        return category

    def _require_standard_product(self, key: inputs.CatalogueItemKey) -> StandardProduct:
        return self._require_product(StandardProduct, key)

    def _require_product(
        self,
        kind: type[_ProductT],
        key: inputs.CatalogueItemKey | inputs.UpdateStandardProductInput,
    ) -> _ProductT:
        product = self._products.get((key.catalogue.ref, key.ref))
        if not isinstance(product, kind):
            label = "Standard" if kind is StandardProduct else "Variant"
            raise NotFoundError(
                f"{label} product with ref '{key.ref}' not found in catalogue '{key.catalogue.ref}'"
            )
        return product

    def _categories_of(self, keys: list[inputs.CatalogueItemKey]) -> list[Category]:
        return [self._require_category(key) for key in keys]

    @staticmethod
    def _prices(values: list[inputs.PriceInput]) -> list[Price]:
        return [Price(type=p.type, currency=p.currency, value=p.value) for p in values]

    def create_standard_product(self, data: inputs.CreateStandardProductInput) -> StandardProduct:
        catalogue, categories = self._check_new_product(data)
        return self._add_product(StandardProduct, data, catalogue, categories)

    def create_variant_product(self, data: inputs.CreateVariantProductInput) -> VariantProduct:
        catalogue, categories = self._check_new_product(data)
        if data.product is None:
            raise InvalidInputError(
                f"Variant product '{data.ref}': product (the standard product) is required"
            )
        parent = self._require_standard_product(data.product)
        return self._add_product(VariantProduct, data, catalogue, categories, product=parent)

    def _check_new_product(
        self, data: inputs.CreateStandardProductInput
    ) -> tuple[ProductCatalogue, list[Category]]:
        catalogue = self.require_product_catalogue(data.catalogue)
        if (catalogue.ref, data.ref) in self._products:
            raise UniqueConstraintError(
                f"Product with ref '{data.ref}' already exists in catalogue '{catalogue.ref}'",
                FluentErrorCode.DUPLICATE_PRODUCT_REF,
            )
        return catalogue, self._categories_of(data.categories or [])

    def _add_product(
        self,
        kind: type[_ProductT],
        data: inputs.CreateStandardProductInput,
        catalogue: ProductCatalogue,
        categories: list[Category],
        **extra: Any,
    ) -> _ProductT:
        """Creates the checked product; `extra` holds what only its kind has (a variant's
        `product`)."""
        now = self.clock.now()
        product = kind(
            id=self.products.next_id(),
            created_on=now,
            updated_on=now,
            ref=data.ref,
            catalogue=catalogue,
            type=data.type,
            gtin=data.gtin,
            name=data.name,
            summary=data.summary,
            categories=categories,
            prices=self._prices(data.prices or []),
            tax=_tax(data.tax_type) if data.tax_type is not None else None,
            attributes=_attributes(data.attributes),
            **extra,
        )
        self.products.add(product)
        self._products[(catalogue.ref, product.ref)] = product
        return product

    def update_standard_product(self, data: inputs.UpdateStandardProductInput) -> StandardProduct:
        product = self._require_product(StandardProduct, data)
        self._update_product(product, data)
        return product

    def update_variant_product(self, data: inputs.UpdateVariantProductInput) -> VariantProduct:
        product = self._require_product(VariantProduct, data)
        parent = self._require_standard_product(data.product) if data.product else None
        self._update_product(product, data)
        if parent is not None:
            product.product = parent
        return product

    def _update_product(
        self, product: CatalogueProduct, data: inputs.UpdateStandardProductInput
    ) -> None:
        """Given fields replace the current ones (lists whole); attributes merge by name."""
        categories = self._categories_of(data.categories) if data.categories is not None else None
        for name in ("type", "status", "gtin", "name", "summary"):
            value = getattr(data, name)
            if value is not None:
                setattr(product, name, value)
        if categories is not None:
            product.categories = categories
        if data.prices is not None:
            product.prices = self._prices(data.prices)
        if data.tax_type is not None:
            product.tax = _tax(data.tax_type)
        product.attributes = _merge_attributes(product.attributes, data.attributes)
        self._touch(product)

    def create_category(self, data: inputs.CreateCategoryInput) -> Category:
        catalogue = self.require_product_catalogue(data.catalogue)
        if (catalogue.ref, data.ref) in self._categories:
            raise UniqueConstraintError(
                f"Category with ref '{data.ref}' already exists in catalogue '{catalogue.ref}'"
            )
        parent = self._require_category(data.parent_category) if data.parent_category else None
        now = self.clock.now()
        category = self.categories.add(
            Category(
                id=self.categories.next_id(),
                created_on=now,
                updated_on=now,
                ref=data.ref,
                catalogue=catalogue,
                type=data.type,
                name=data.name,
                summary=data.summary,
                parent_category=parent,
                attributes=_attributes(data.attributes),
            )
        )
        self._categories[(catalogue.ref, category.ref)] = category
        return category

    def update_category(self, data: inputs.UpdateCategoryInput) -> Category:
        category = self._categories.get((data.catalogue.ref, data.ref))
        if category is None:
            raise NotFoundError(
                f"Category with ref '{data.ref}' not found in catalogue '{data.catalogue.ref}'"
            )
        if data.parent_category is not None:
            parent = self._require_category(data.parent_category)
            ancestor: Category | None = parent
            while ancestor is not None:
                if ancestor is category:
                    raise InvalidInputError(
                        f"Category '{category.ref}' cannot be its own ancestor via '{parent.ref}'"
                    )
                ancestor = ancestor.parent_category
            category.parent_category = parent
        for name in ("type", "status", "name", "summary"):
            value = getattr(data, name)
            if value is not None:
                setattr(category, name, value)
        category.attributes = _merge_attributes(category.attributes, data.attributes)
        self._touch(category)
        return category

    # -- billing -----------------------------------------------------------------------------

    def billing_account_by_ref(self, ref: str) -> BillingAccount | None:
        return self._billing_accounts_by_ref.get(ref)

    def invoice_by_ref(self, ref: str) -> Invoice | None:
        return self._invoices_by_ref.get(ref)

    def create_billing_account(self, data: inputs.CreateBillingAccountInput) -> BillingAccount:
        self.require_retailer(data.retailer)
        if data.ref in self._billing_accounts_by_ref:
            raise UniqueConstraintError(f"Billing account with ref '{data.ref}' already exists")
        if data.customer is not None and data.customer.ref not in self._customers_by_username:
            raise NotFoundError(f"Customer with ref '{data.customer.ref}' not found")
        now = self.clock.now()
        account = self.billing_accounts.add(
            BillingAccount(
                id=self.billing_accounts.next_id(),
                created_on=now,
                updated_on=now,
                retailer_id=self.retailer_id,
                ref=data.ref,
                type=data.type,
                name=data.name,
                customer=CustomerLink(ref=data.customer.ref) if data.customer else None,
                address=StreetAddress(**data.address.model_dump()) if data.address else None,
                attributes=_attributes(data.attributes),
            )
        )
        self._billing_accounts_by_ref[account.ref] = account
        return account

    def create_invoice(self, data: inputs.CreateInvoiceInput) -> Invoice:
        if data.ref in self._invoices_by_ref:
            raise UniqueConstraintError(f"Invoice with ref '{data.ref}' already exists")
        account = self._billing_accounts_by_ref.get(data.billing_account.ref)
        if account is None:
            raise NotFoundError(f"Billing account with ref '{data.billing_account.ref}' not found")
        if data.order is not None:
            self.require_retailer(data.order.retailer)
            if data.order.ref not in self._orders_by_ref:
                raise NotFoundError(f"Order with ref '{data.order.ref}' not found")
        for item in data.items or []:
            if (
                item.product is not None
                and self.product(item.product.catalogue.ref, item.product.ref) is None
            ):
                raise NotFoundError(
                    f"Product with ref '{item.product.ref}' not found in catalogue "
                    f"'{item.product.catalogue.ref}' (invoice item '{item.ref}')"
                )
        now = self.clock.now()
        invoice = self.invoices.add(
            Invoice(
                id=self.invoices.next_id(),
                created_on=now,
                updated_on=now,
                ref=data.ref,
                type=data.type,
                billing_account=account,
                issue_date=data.issue_date,
                due_date=data.due_date,
                currency=CurrencyLink(alphabetic_code=data.currency.alphabetic_code),
                default_tax_type=_tax(data.default_tax_type),
                sub_total_amount=_amount(data.sub_total_amount),
                total_tax=_amount(data.total_tax),
                total_amount=_amount(data.total_amount),
                total_balance=_amount(data.total_balance),
                order=OrderLink(ref=data.order.ref) if data.order else None,
                attributes=_attributes(data.attributes),
            )
        )
        for item in data.items or []:
            invoice.items.append(
                self.invoice_items.add(
                    InvoiceItem(
                        id=self.invoice_items.next_id(),
                        created_on=now,
                        updated_on=now,
                        ref=item.ref,
                        type=item.type,
                        description=item.description,
                        product_ref=item.product.ref if item.product else None,
                        unit_quantity=QuantityType(
                            quantity=item.unit_quantity.quantity, unit=item.unit_quantity.unit
                        ),
                        unit_tax_type=_tax(item.unit_tax_type)
                        if item.unit_tax_type is not None
                        else None,
                        unit_amount=_amount(item.unit_amount),
                        amount=_amount(item.amount),
                        tax_amount=_amount(item.tax_amount),
                    )
                )
            )
        self._invoices_by_ref[invoice.ref] = invoice
        return invoice

    # -- summaries ---------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return {
            "customers": len(self.customers),
            "orders": len(self.orders),
            "fulfilments": len(self.fulfilments),
            "locations": len(self.locations),
            "products": len(self.products),
            "categories": len(self.categories),
            "inventoryPositions": len(self.inventory_positions),
            "virtualPositions": len(self.virtual_positions),
            "billingAccounts": len(self.billing_accounts),
            "invoices": len(self.invoices),
        }
