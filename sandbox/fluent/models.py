"""The entities of the sandbox's in-memory store.

Class names match the GraphQL type names and attribute names are the snake_case of the GraphQL
field names, so most fields resolve by plain attribute lookup (see `graphql_api`). Ids are ints
inside and numeric strings on the wire. Slotted dataclasses keep the ~360,000 inventory
positions of the bench seed small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

# Statuses (Fluent statuses are workflow-defined strings; these are the sandbox workflow's).
ACTIVE = "ACTIVE"
INACTIVE = "INACTIVE"
CREATED = "CREATED"


@dataclass(slots=True)
class Attribute:
    name: str
    type: str
    value: Any


@dataclass(slots=True, kw_only=True)
class Entity:
    id: int
    created_on: datetime
    updated_on: datetime


class _Workflow:
    """An entity with a Fluent workflow: `<WORKFLOW>::<type>`, version 1 (the sandbox's engine,
    `lifecycle`, has one version of each). The entity dataclass provides `type`."""

    __slots__ = ()
    WORKFLOW: ClassVar[str]
    type: str

    @property
    def workflow_ref(self) -> str:
        return f"{self.WORKFLOW}::{self.type}"

    @property
    def workflow_version(self) -> int:
        return 1


@dataclass(slots=True, kw_only=True)
class Retailer(Entity):
    ref: str
    trading_name: str
    status: str = ACTIVE


@dataclass(slots=True, kw_only=True)
class Customer(Entity):
    retailer_id: str
    username: str
    primary_email: str
    first_name: str
    timezone: str
    promotion_opt_in: bool
    last_name: str | None = None
    primary_phone: str | None = None
    country: str | None = None
    title: str | None = None
    department: str | None = None
    status: str = ACTIVE
    attributes: list[Attribute] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return self.username


@dataclass(slots=True, kw_only=True)
class CustomerAddress(Entity):
    """An order's delivery address."""

    ref: str
    name: str | None = None
    company_name: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    region: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    time_zone: str | None = None
    type: str = "ORDER"


@dataclass(slots=True, kw_only=True)
class StoreAddress(Entity):
    """A location's primary address; its `ref` is the location's ref."""

    ref: str
    latitude: float
    longitude: float
    location: Location | None = None
    name: str | None = None
    company_name: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    region: str | None = None
    country: str | None = None
    time_zone: str | None = None
    directions: str | None = None
    type: str = "AGENT"


Address = CustomerAddress | StoreAddress


@dataclass(slots=True, kw_only=True)
class OpeningSchedule(Entity):
    all_hours: bool
    mon_start: int = 0
    mon_end: int = 0
    tue_start: int = 0
    tue_end: int = 0
    wed_start: int = 0
    wed_end: int = 0
    thu_start: int = 0
    thu_end: int = 0
    fri_start: int = 0
    fri_end: int = 0
    sat_start: int = 0
    sat_end: int = 0
    sun_start: int = 0
    sun_end: int = 0


@dataclass(slots=True, kw_only=True)
class Location(Entity):
    retailer_id: str
    ref: str
    name: str
    type: str
    status: str
    primary_address: StoreAddress
    opening_schedule: OpeningSchedule
    support_phone_number: str | None = None
    default_carrier: str | None = None
    attributes: list[Attribute] = field(default_factory=list)
    network_refs: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Network(Entity):
    retailer_id: str
    ref: str
    type: str = "ALL"
    status: str = ACTIVE
    locations: list[Location] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Price:
    type: str
    currency: str
    value: float


@dataclass(slots=True, kw_only=True)
class TaxType:
    country: str
    group: str
    tariff: str | None = None


@dataclass(slots=True, kw_only=True)
class ProductCatalogue(Entity, _Workflow):
    WORKFLOW = "PRODUCT_CATALOGUE"

    ref: str
    name: str
    type: str = "MASTER"
    status: str = ACTIVE


@dataclass(slots=True, kw_only=True)
class Category(Entity, _Workflow):
    WORKFLOW = "CATEGORY"

    ref: str
    catalogue: ProductCatalogue
    type: str
    name: str
    summary: str | None = None
    parent_category: Category | None = None
    status: str = ACTIVE
    attributes: list[Attribute] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class CatalogueProduct(Entity, _Workflow):
    """What standard and variant products share (neither GraphQL type is this one)."""

    WORKFLOW = "PRODUCT"

    ref: str
    catalogue: ProductCatalogue
    type: str
    gtin: str
    name: str
    summary: str | None = None
    status: str = ACTIVE
    categories: list[Category] = field(default_factory=list)
    prices: list[Price] = field(default_factory=list)
    tax: TaxType | None = None
    attributes: list[Attribute] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class StandardProduct(CatalogueProduct):
    pass


@dataclass(slots=True, kw_only=True)
class VariantProduct(CatalogueProduct):
    product: StandardProduct


Product = StandardProduct | VariantProduct


@dataclass(slots=True, kw_only=True)
class OrderItem(Entity):
    ref: str
    product: Product
    quantity: int
    order: Order
    status: str = CREATED
    price: float | None = None
    paid_price: float | None = None
    total_price: float | None = None
    tax_price: float | None = None
    total_tax_price: float | None = None
    tax_type: str | None = None
    currency: str | None = None
    attributes: list[Attribute] = field(default_factory=list)

    @property
    def product_ref(self) -> str:
        return self.product.ref


@dataclass(slots=True, kw_only=True)
class FulfilmentChoice(Entity):
    delivery_type: str
    fulfilment_type: str | None = None
    pickup_location_ref: str | None = None
    delivery_address: CustomerAddress | None = None
    currency: str | None = None
    fulfilment_price: float | None = None
    fulfilment_tax_price: float | None = None
    delivery_instruction: str | None = None


@dataclass(slots=True, kw_only=True)
class Order(Entity, _Workflow):
    WORKFLOW = "ORDER"

    retailer_id: str
    ref: str
    type: str
    customer: Customer
    status: str = CREATED
    fulfilment_choice: FulfilmentChoice | None = None
    total_price: float | None = None
    total_tax_price: float | None = None
    items: list[OrderItem] = field(default_factory=list)
    fulfilments: list[Fulfilment] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class FulfilmentItem(Entity):
    ref: str
    order_item: OrderItem
    requested_quantity: int
    filled_quantity: int = 0
    rejected_quantity: int = 0
    status: str = CREATED

    @property
    def open_quantity(self) -> int:
        """What is still expected to leave the location (reserved there)."""
        return self.requested_quantity - self.rejected_quantity


@dataclass(slots=True, kw_only=True)
class Carrier(Entity):
    ref: str
    name: str
    type: str = "DEFAULT"
    status: str = ACTIVE


@dataclass(slots=True, kw_only=True)
class ArticleItem(Entity):
    quantity: int
    barcode: str | None = None


@dataclass(slots=True, kw_only=True)
class Consignment(Entity):
    retailer_id: str
    ref: str
    consignment_reference: str
    carrier: Carrier
    tracking_label: str | None = None
    label_url: str | None = None
    order_summary_url: str | None = None
    status: str = "ACTIVE_LODGED"
    workflow_ref: str = "CONSIGNMENT::DEFAULT"
    workflow_version: int = 1


@dataclass(slots=True)
class ConsignmentArticle:
    article: Article
    consignment: Consignment

    @property
    def id(self) -> int:
        """Pages of an article's consignments are keyed by consignment."""
        return self.consignment.id


@dataclass(slots=True, kw_only=True)
class Article(Entity, _Workflow):
    WORKFLOW = "ARTICLE"

    ref: str
    type: str
    weight: float
    height: float
    length: float
    width: float
    name: str | None = None
    description: str | None = None
    quantity: int | None = None
    status: str = CREATED
    items: list[ArticleItem] = field(default_factory=list)
    consignment_articles: list[ConsignmentArticle] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Fulfilment(Entity, _Workflow):
    WORKFLOW = "FULFILMENT"

    ref: str
    type: str
    order: Order
    from_address: StoreAddress
    to_address: Address
    user: Customer | None = None
    delivery_type: str | None = None
    eta: str | None = None
    expiry_time: datetime | None = None
    status: str = CREATED
    items: list[FulfilmentItem] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)

    @property
    def location_ref(self) -> str:
        return self.from_address.ref

    @property
    def is_click_and_collect(self) -> bool:
        return self.order.type == "CC"

    @property
    def is_transfer(self) -> bool:
        """A click & collect fulfilment sent from another location to the pickup location."""
        choice = self.order.fulfilment_choice
        pickup_ref = choice.pickup_location_ref if choice else None
        return self.is_click_and_collect and self.location_ref != pickup_ref


@dataclass(slots=True, kw_only=True)
class InventoryCatalogue(Entity, _Workflow):
    WORKFLOW = "INVENTORY_CATALOGUE"

    ref: str
    name: str
    type: str = "DEFAULT"
    status: str = ACTIVE


@dataclass(slots=True, kw_only=True)
class InventoryPosition(Entity, _Workflow):
    """On hand at one location; `reserved` is what open fulfilments there still need."""

    WORKFLOW = "INVENTORY_POSITION"

    product_ref: str
    location_ref: str
    on_hand: int
    reserved: int = 0
    status: str = ACTIVE
    type: str = "DEFAULT"

    @property
    def ref(self) -> str:
        return f"{self.product_ref}:{self.location_ref}"

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved)


@dataclass(slots=True, kw_only=True)
class VirtualCatalogue(Entity, _Workflow):
    WORKFLOW = "VIRTUAL_CATALOGUE"

    ref: str
    name: str
    network_ref: str
    type: str = "AGGREGATE"
    status: str = ACTIVE


@dataclass(slots=True, kw_only=True)
class VirtualPosition(Entity, _Workflow):
    """Available to sell of one product across the ACTIVE locations of the network."""

    WORKFLOW = "VIRTUAL_POSITION"

    product_ref: str
    group_ref: str
    quantity: int
    status: str = ACTIVE
    type: str = "AGGREGATE"

    @property
    def ref(self) -> str:
        return self.product_ref


@dataclass(slots=True)
class CustomerLink:
    ref: str


@dataclass(slots=True)
class OrderLink:
    ref: str


@dataclass(slots=True)
class CurrencyLink:
    alphabetic_code: str


@dataclass(slots=True)
class AmountType:
    amount: float | None = None
    scale: int | None = None
    unscaled_value: int | None = None


@dataclass(slots=True)
class QuantityType:
    quantity: int
    unit: str | None = None


@dataclass(slots=True, kw_only=True)
class StreetAddress:
    company_name: str | None = None
    name: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    region: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    time_zone: str | None = None


@dataclass(slots=True, kw_only=True)
class BillingAccount(Entity):
    retailer_id: str
    ref: str
    type: str
    name: str
    customer: CustomerLink | None = None
    address: StreetAddress | None = None
    status: str = ACTIVE
    attributes: list[Attribute] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class InvoiceItem(Entity):
    ref: str
    type: str
    unit_quantity: QuantityType
    unit_amount: AmountType
    amount: AmountType
    tax_amount: AmountType
    description: str | None = None
    product_ref: str | None = None
    unit_tax_type: TaxType | None = None


@dataclass(slots=True, kw_only=True)
class Invoice(Entity):
    ref: str
    type: str
    billing_account: BillingAccount
    issue_date: datetime
    currency: CurrencyLink
    default_tax_type: TaxType
    sub_total_amount: AmountType
    total_tax: AmountType
    total_amount: AmountType
    total_balance: AmountType
    order: OrderLink | None = None
    due_date: datetime | None = None
    status: str = CREATED
    items: list[InvoiceItem] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
