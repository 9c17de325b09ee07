"""Models of the subset of Fluent the connector reads and writes.

Read models mirror the GraphQL selections in `operations/*.graphql`, with two simplifications for
their consumers: Relay connections (`{edges: [{node}], pageInfo}`) become plain lists, and small
link objects become flat fields (`product {ref}` -> `product_ref`, `orderItem {id ref}` ->
`order_item_id`/`order_item_ref`). A connection that still has a next page is refused: the
client completes every connection before it builds a model, so a list here is always whole.

Input models mirror Fluent's GraphQL input types field by field (the contract tests hold them
against the real schema); they forbid unknown fields so a typo fails here and not in Fluent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar, Self, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

NodeT = TypeVar("NodeT")


class IncompleteConnectionError(ValueError):
    """A connection with `hasNextPage: true` reached a model: its remaining pages were never
    fetched, and building the model would silently drop them."""


def connection_nodes(value: Any) -> Any:
    """The nodes of a Relay connection; lists (already flattened data) pass through."""
    if not isinstance(value, Mapping):
        return value
    page_info = value.get("pageInfo") or {}
    if page_info.get("hasNextPage"):
        raise IncompleteConnectionError("connection has further pages that were not fetched")
    edges = value.get("edges") or []
    return [edge.get("node") for edge in edges if edge is not None]


def _lift(data: Any, key: str, fields: Mapping[str, str]) -> Any:
    """Replace the link object `data[key]` by flat fields; `fields` maps a (dotted) path in the
    link to a flat field name. Already flat data passes through; a null link yields no fields."""
    if not isinstance(data, Mapping) or key not in data:
        return data
    link = data[key]
    if link is not None and not isinstance(link, Mapping):
        return data
    flat = {name: value for name, value in data.items() if name != key}
    for source, target in fields.items():
        value: Any = link
        for part in source.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        flat.setdefault(target, value)
    return flat


NodeList = Annotated[list[NodeT], BeforeValidator(connection_nodes)]


def _category_refs(value: Any) -> Any:
    """A product's `categories` connection becomes the list of category refs."""
    if not isinstance(value, Mapping):
        return value
    return [node["ref"] for node in connection_nodes(value) if node is not None]


def _consignments(value: Any) -> Any:
    """An article's `consignmentArticles` connection becomes the consignments it is booked on;
    a link without a consignment carries nothing to keep."""
    if not isinstance(value, Mapping):
        return value
    return [
        node["consignment"]
        for node in connection_nodes(value)
        if node is not None and node.get("consignment") is not None
    ]


class FluentModel(BaseModel):
    """Base of the read models: camelCase on the wire, unknown fields ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        coerce_numbers_to_str=True,
    )

    # Link objects of the wire format flattened into fields: link -> {path in link: field alias}.
    link_fields: ClassVar[Mapping[str, Mapping[str, str]]] = {}

    @model_validator(mode="before")
    @classmethod
    def _flatten_links(cls, data: Any) -> Any:
        for key, fields in cls.link_fields.items():
            data = _lift(data, key, fields)
        return data


class FluentInput(BaseModel):
    """Base of the input models: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )

    def to_variables(self) -> dict[str, Any]:
        """The GraphQL variable value: by alias, nulls left out (Fluent keeps what it has)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class Attribute(FluentModel):
    """A Fluent attribute; also used as `AttributeInput`, which has the same fields."""

    name: str
    type: str
    value: JsonValue


class _WithAttributes(FluentModel):
    attributes: list[Attribute] = Field(default_factory=list)

    @field_validator("attributes", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    def attribute(self, name: str) -> JsonValue:
        """The value of the attribute called `name`, or None when the entity has none."""
        return next((item.value for item in self.attributes if item.name == name), None)


class Address(FluentModel):
    """A Fluent address (customer, store or location address)."""

    id: str | None = None
    ref: str | None = None
    type: str | None = None
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


class Price(FluentModel):
    """A product price; also used as `PriceInput`, which has the same fields."""

    type: str
    currency: str
    value: float


# --- customers and orders ---------------------------------------------------------------------


class Customer(_WithAttributes):
    id: str
    ref: str | None = None
    username: str | None = None
    status: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    primary_email: str | None = None
    primary_phone: str | None = None
    country: str | None = None
    timezone: str | None = None
    promotion_opt_in: bool | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None


class OrderItem(_WithAttributes):
    """An order line; `product_ref` is the variant (or standard) product it orders."""

    id: str
    ref: str | None = None
    status: str | None = None
    quantity: int
    price: float | None = None
    paid_price: float | None = None
    total_price: float | None = None
    tax_price: float | None = None
    currency: str | None = None
    product_ref: str | None = None
    product_catalogue_ref: str | None = None

    link_fields = {"product": {"ref": "productRef", "catalogue.ref": "productCatalogueRef"}}


class FulfilmentChoice(FluentModel):
    """How the buyer chose to receive the order: delivery (with address) or pickup."""

    id: str | None = None
    delivery_type: str | None = None
    fulfilment_type: str | None = None
    pickup_location_ref: str | None = None
    currency: str | None = None
    fulfilment_price: float | None = None
    delivery_instruction: str | None = None
    delivery_address: Address | None = None


class Order(_WithAttributes):
    id: str
    ref: str | None = None
    type: str
    status: str | None = None
    total_price: float | None = None
    total_tax_price: float | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    customer_id: str | None = None
    customer_ref: str | None = None
    fulfilment_choice: FulfilmentChoice | None = None
    items: NodeList[OrderItem] = Field(default_factory=list)

    link_fields = {"customer": {"id": "customerId", "ref": "customerRef"}}


# --- fulfilments ------------------------------------------------------------------------------


class FulfilmentItem(FluentModel):
    id: str
    ref: str | None = None
    status: str | None = None
    requested_quantity: int | None = None
    filled_quantity: int = 0
    rejected_quantity: int = 0
    order_item_id: str | None = None
    order_item_ref: str | None = None

    link_fields = {"orderItem": {"id": "orderItemId", "ref": "orderItemRef"}}


class ArticleItem(FluentModel):
    id: str
    quantity: int
    barcode: str | None = None


class Consignment(FluentModel):
    """A carrier booking; the tracking data of the articles booked on it."""

    id: str
    ref: str | None = None
    status: str | None = None
    consignment_reference: str | None = None
    tracking_label: str | None = None
    label_url: str | None = None
    order_summary_url: str | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    carrier_id: str | None = None
    carrier_ref: str | None = None
    carrier_name: str | None = None

    link_fields = {"carrier": {"id": "carrierId", "ref": "carrierRef", "name": "carrierName"}}


class Article(_WithAttributes):
    """A parcel of a fulfilment, with the consignments it is booked on."""

    id: str
    ref: str | None = None
    type: str | None = None
    status: str | None = None
    name: str | None = None
    description: str | None = None
    quantity: int | None = None
    weight: float | None = None
    height: float | None = None
    length: float | None = None
    width: float | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    items: NodeList[ArticleItem] = Field(default_factory=list)
    consignments: Annotated[list[Consignment], BeforeValidator(_consignments)] = Field(
        default_factory=list,
        validation_alias=AliasChoices("consignments", "consignmentArticles"),
    )


class Fulfilment(_WithAttributes):
    """A fulfilment; the fulfilling location is `from_address.ref` (`from_location_ref`)."""

    id: str
    ref: str | None = None
    type: str
    status: str | None = None
    delivery_type: str | None = None
    eta: str | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    from_address: Address | None = None
    to_address: Address | None = None
    items: NodeList[FulfilmentItem] = Field(default_factory=list)
    articles: NodeList[Article] = Field(default_factory=list)
    order_id: str | None = None
    order_ref: str | None = None

    link_fields = {"order": {"id": "orderId", "ref": "orderRef"}}

    @property
    def from_location_ref(self) -> str | None:
        return self.from_address.ref if self.from_address else None


class OrderDetails(Order):
    """An order with all its fulfilments, their items, articles and consignments."""

    fulfilments: NodeList[Fulfilment] = Field(default_factory=list)


# --- locations and inventory ------------------------------------------------------------------


class OpeningSchedule(FluentModel):
    """Opening and closing times per weekday as Fluent's integers; `all_hours` means always
    open."""

    all_hours: bool = False
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


PrimaryAddress = Address


class Location(_WithAttributes):
    id: str
    ref: str
    name: str | None = None
    type: str | None = None
    status: str | None = None
    support_phone_number: str | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    primary_address: PrimaryAddress | None = None
    opening_schedule: OpeningSchedule | None = None


class ProductCatalogue(FluentModel):
    id: str
    ref: str
    type: str | None = None
    status: str | None = None
    name: str | None = None


class Network(FluentModel):
    """A network of locations (its locations are read separately, a page at a time)."""

    id: str
    ref: str | None = None
    type: str | None = None
    status: str | None = None


class InventoryPosition(FluentModel):
    """Stock of one product at one location."""

    id: str | None = None
    ref: str
    type: str | None = None
    status: str | None = None
    product_ref: str
    location_ref: str | None = None
    on_hand: int | None = None
    updated_on: datetime | None = None


class VirtualPosition(FluentModel):
    """Aggregate available-to-sell of one product in a virtual catalogue."""

    id: str | None = None
    ref: str
    type: str | None = None
    status: str | None = None
    product_ref: str | None = None
    group_ref: str | None = None
    quantity: int | None = None
    updated_on: datetime | None = None


# --- catalogue --------------------------------------------------------------------------------


class _Product(_WithAttributes):
    id: str | None = None
    ref: str
    type: str | None = None
    status: str | None = None
    gtin: str | None = None
    name: str
    summary: str | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    catalogue_ref: str | None = None
    prices: list[Price] = Field(default_factory=list)
    category_refs: Annotated[list[str], BeforeValidator(_category_refs)] = Field(
        default_factory=list, validation_alias=AliasChoices("categoryRefs", "categories")
    )

    link_fields = {"catalogue": {"ref": "catalogueRef"}}

    @field_validator("prices", mode="before")
    @classmethod
    def _null_prices(cls, value: Any) -> Any:
        return [] if value is None else value


class StandardProduct(_Product):
    pass


class VariantProduct(_Product):
    product_ref: str | None = None

    link_fields = {**_Product.link_fields, "product": {"ref": "productRef"}}


class Category(_WithAttributes):
    id: str | None = None
    ref: str
    type: str | None = None
    status: str | None = None
    name: str
    summary: str | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    catalogue_ref: str | None = None
    parent_ref: str | None = None

    link_fields = {"catalogue": {"ref": "catalogueRef"}, "parentCategory": {"ref": "parentRef"}}


# --- billing ----------------------------------------------------------------------------------


def _amount(value: Any) -> Any:
    return value.get("amount") if isinstance(value, Mapping) else value


Amount = Annotated[float | None, BeforeValidator(_amount)]


class BillingAccount(FluentModel):
    id: str
    ref: str
    type: str | None = None
    status: str | None = None
    name: str | None = None
    customer_ref: str | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None

    link_fields = {"customer": {"ref": "customerRef"}}


class Invoice(FluentModel):
    id: str
    ref: str
    type: str | None = None
    status: str | None = None
    issue_date: datetime | None = None
    due_date: datetime | None = None
    billing_account_ref: str | None = None
    order_ref: str | None = None
    currency: str | None = None
    sub_total_amount: Amount = None
    total_tax: Amount = None
    total_amount: Amount = None
    total_balance: Amount = None
    created_on: datetime | None = None
    updated_on: datetime | None = None

    link_fields = {
        "billingAccount": {"ref": "billingAccountRef"},
        "order": {"ref": "orderRef"},
        "currency": {"alphabeticCode": "currency"},
    }


# --- Event API, Batch API, webhooks -----------------------------------------------------------


class FluentEvent(FluentInput):
    """An event for Fluent's workflow engine (e.g. `CancelOrder` on an ORDER). `retailer_id`
    defaults to the client's retailer."""

    name: str = Field(min_length=1)
    entity_type: str = Field(min_length=1)
    entity_ref: str | None = None
    entity_id: str | None = None
    entity_subtype: str | None = None
    root_entity_type: str | None = None
    root_entity_ref: str | None = None
    root_entity_id: str | None = None
    retailer_id: str | None = None
    attributes: dict[str, JsonValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _addressed(self) -> Self:
        if not self.entity_ref and not self.entity_id:
            raise ValueError("a Fluent event needs entity_ref or entity_id")
        return self


class EventResponse(FluentModel):
    event_id: str | None = Field(default=None, validation_alias=AliasChoices("eventId", "id"))
    entity_id: str | None = None
    event_status: str | None = None


class InventoryRecord(FluentInput):
    """One absolute stock figure for the Batch API (`qty` replaces what Fluent holds)."""

    location_ref: str = Field(min_length=1)
    sku_ref: str = Field(min_length=1)
    qty: int
    corrected_qty: int | None = None
    retailer_id: str | None = None


class BatchStatus(FluentModel):
    """State of one Batch API batch: PENDING -> RUNNING -> COMPLETE."""

    batch_id: str = Field(validation_alias=AliasChoices("batchId", "id"))
    job_id: str | None = None
    status: str
    entity_type: str | None = None
    start: int | None = None
    count: int | None = None
    created_on: datetime | None = None


class WebhookEvent(FluentModel):
    """The fixed payload Fluent's `SendWebhook` rule posts; it carries references, not data."""

    id: str
    name: str
    account_id: str
    retailer_id: str
    entity_id: str
    entity_ref: str
    entity_type: str
    entity_subtype: str | None = None
    entity_status: str | None = None
    root_entity_id: str | None = None
    root_entity_ref: str | None = None
    root_entity_type: str | None = None
    type: str | None = None
    attributes: dict[str, JsonValue] | list[JsonValue] = Field(default_factory=dict)
    meta: dict[str, JsonValue] | None = None

    @field_validator("attributes", mode="before")
    @classmethod
    def _null_attributes(cls, value: Any) -> Any:
        return {} if value is None else value


# --- GraphQL inputs ---------------------------------------------------------------------------


class EntityId(FluentInput):
    """`RetailerId`, `CustomerId`, `OrderId`, `AddressId`, `OrderItemId`: a link by id."""

    id: str = Field(min_length=1)


class RefKey(FluentInput):
    """`ProductCatalogueKey`, `CustomerKey`, `BillingAccountKey`: a link by ref."""

    ref: str = Field(min_length=1)


class CatalogueEntityKey(FluentInput):
    """`ProductKey`, `CategoryKey`: a product or category within a catalogue."""

    ref: str = Field(min_length=1)
    catalogue: RefKey

    @classmethod
    def of(cls, ref: str, catalogue_ref: str) -> Self:
        return cls(ref=ref, catalogue=RefKey(ref=catalogue_ref))


class CreateCustomerInput(FluentInput):
    """`retailer` defaults to the client's retailer. The 2022 schema requires first name and
    time zone."""

    username: str = Field(min_length=1)
    primary_email: str = Field(min_length=1)
    first_name: str = Field(min_length=1)
    last_name: str | None = None
    primary_phone: str | None = None
    country: str | None = None
    timezone: str = Field(min_length=1)
    promotion_opt_in: bool = False
    title: str | None = None
    department: str | None = None
    attributes: list[Attribute] | None = None
    retailer: EntityId | None = None


class StreetAddressInput(FluentInput):
    company_name: str | None = None
    name: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    region: str | None = None
    country: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    time_zone: str | None = None


class CustomerAddressInput(StreetAddressInput):
    """`CreateCustomerAddressInput`: a street address with a ref; send coordinates when
    known: sourcing needs them."""

    ref: str = Field(min_length=1)


class FulfilmentChoiceInput(FluentInput):
    """`CreateFulfilmentChoiceWithOrderInput`."""

    delivery_type: str = Field(min_length=1)
    fulfilment_type: str | None = None
    pickup_location_ref: str | None = None
    currency: str | None = None
    delivery_instruction: str | None = None
    fulfilment_price: float | None = None
    fulfilment_tax_price: float | None = None
    delivery_address: CustomerAddressInput | None = None


class OrderItemInput(FluentInput):
    """`CreateOrderItemWithOrderInput`."""

    ref: str = Field(min_length=1)
    product_ref: str = Field(min_length=1)
    product_catalogue_ref: str | None = None
    quantity: int = Field(ge=1)
    price: float | None = None
    paid_price: float | None = None
    total_price: float | None = None
    tax_price: float | None = None
    tax_type: str | None = None
    total_tax_price: float | None = None
    currency: str | None = None
    attributes: list[Attribute] | None = None


class CreateOrderInput(FluentInput):
    """`retailer` defaults to the client's retailer. An HD order needs a delivery address and a
    CC order a pickup location: Fluent's sourcing cannot work without them."""

    ref: str = Field(min_length=1)
    type: str = Field(min_length=1)
    customer: EntityId
    items: list[OrderItemInput] = Field(min_length=1)
    fulfilment_choice: FulfilmentChoiceInput | None = None
    total_price: float | None = None
    total_tax_price: float | None = None
    attributes: list[Attribute] | None = None
    retailer: EntityId | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        refs = [item.ref for item in self.items]
        duplicates = sorted({ref for ref in refs if refs.count(ref) > 1})
        if duplicates:
            raise ValueError(f"order item refs must be unique; repeated: {', '.join(duplicates)}")
        choice = self.fulfilment_choice
        if self.type == "HD" and (choice is None or choice.delivery_address is None):
            raise ValueError("an HD order needs fulfilment_choice.delivery_address")
        if self.type == "CC" and (choice is None or not choice.pickup_location_ref):
            raise ValueError("a CC order needs fulfilment_choice.pickup_location_ref")
        return self


class FulfilmentItemInput(FluentInput):
    """`CreateFulfilmentItemWithFulfilmentInput`."""

    ref: str = Field(min_length=1)
    order_item: EntityId
    requested_quantity: int = Field(ge=0)
    filled_quantity: int = Field(default=0, ge=0)
    rejected_quantity: int = Field(default=0, ge=0)


class CreateFulfilmentInput(FluentInput):
    """`from_address` is the fulfilling location's primary address id; `to_address` the
    delivery address id (HD) or the pickup location's address id (CC)."""

    ref: str = Field(min_length=1)
    type: str = Field(min_length=1)
    order: EntityId
    delivery_type: str | None = None
    eta: str | None = None
    expiry_time: datetime | None = None
    from_address: EntityId | None = None
    to_address: EntityId | None = None
    customer: EntityId | None = None
    items: list[FulfilmentItemInput] | None = None
    attributes: list[Attribute] | None = None


class TaxTypeInput(FluentInput):
    country: str = Field(min_length=1)
    group: str = Field(min_length=1)
    tariff: str = Field(min_length=1)


class _ProductInput(FluentInput):
    ref: str = Field(min_length=1)
    catalogue: RefKey
    summary: str | None = None
    categories: list[CatalogueEntityKey] | None = None
    prices: list[Price] | None = None
    tax_type: TaxTypeInput | None = None
    attributes: list[Attribute] | None = None


class CreateStandardProductInput(_ProductInput):
    type: str = Field(min_length=1)
    gtin: str = Field(min_length=1)
    name: str = Field(min_length=1)


class UpdateStandardProductInput(_ProductInput):
    """Fields left None are not sent and stay as they are in Fluent."""

    type: str | None = None
    status: str | None = None
    gtin: str | None = None
    name: str | None = None


class CreateVariantProductInput(CreateStandardProductInput):
    product: CatalogueEntityKey


class UpdateVariantProductInput(UpdateStandardProductInput):
    product: CatalogueEntityKey | None = None


class _CategoryInput(FluentInput):
    ref: str = Field(min_length=1)
    catalogue: RefKey
    summary: str | None = None
    parent_category: CatalogueEntityKey | None = None
    attributes: list[Attribute] | None = None


class CreateCategoryInput(_CategoryInput):
    type: str = Field(min_length=1)
    name: str = Field(min_length=1)


class UpdateCategoryInput(_CategoryInput):
    """Fields left None are not sent and stay as they are in Fluent."""

    type: str | None = None
    status: str | None = None
    name: str | None = None


class CreateBillingAccountInput(FluentInput):
    """`retailer` defaults to the client's retailer."""

    ref: str = Field(min_length=1)
    type: str = Field(min_length=1)
    name: str = Field(min_length=1)
    customer: RefKey | None = None
    address: StreetAddressInput | None = None
    attributes: list[Attribute] | None = None
    retailer: EntityId | None = None


class AmountInput(FluentInput):
    """`AmountTypeInput`: a money amount."""

    amount: float


class QuantityInput(FluentInput):
    quantity: int
    unit: str | None = None


class CurrencyKey(FluentInput):
    alphabetic_code: str = Field(min_length=3, max_length=3)


class OrderLinkInput(FluentInput):
    """`retailer` defaults to the client's retailer."""

    ref: str = Field(min_length=1)
    retailer: EntityId | None = None


class InvoiceItemInput(FluentInput):
    """`CreateInvoiceItemWithInvoiceInput`."""

    ref: str = Field(min_length=1)
    type: str = Field(min_length=1)
    description: str | None = None
    product: CatalogueEntityKey | None = None
    unit_quantity: QuantityInput
    unit_tax_type: TaxTypeInput | None = None
    unit_amount: AmountInput
    amount: AmountInput
    tax_amount: AmountInput


class CreateInvoiceInput(FluentInput):
    ref: str = Field(min_length=1)
    type: str = Field(min_length=1)
    billing_account: RefKey
    order: OrderLinkInput | None = None
    items: list[InvoiceItemInput] | None = None
    issue_date: datetime
    due_date: datetime | None = None
    currency: CurrencyKey
    default_tax_type: TaxTypeInput
    sub_total_amount: AmountInput
    total_tax: AmountInput
    total_amount: AmountInput
    total_balance: AmountInput
    attributes: list[Attribute] | None = None
