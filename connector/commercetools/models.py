"""The subset of commercetools resources the connector reads.

Field names follow the API (camelCase on the wire, snake_case in Python). Only what the connector
uses is declared; everything else in a response is ignored. Enumerated values (order states,
channel roles, ...) are kept as strings: compare them with the members of `enums`.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from pydantic import Field

from connector.commercetools.base import LocalizedString, UtcDatetime, WireModel


class Money(WireModel):
    cent_amount: int
    currency_code: str


class TypedMoney(Money):
    """An amount in the currency's minor unit; `amount` gives it in the major unit."""

    type: str = "centPrecision"
    fraction_digits: int = 2

    @property
    def amount(self) -> Decimal:
        return Decimal(self.cent_amount).scaleb(-self.fraction_digits)


class Reference(WireModel):
    """A link to another resource; `obj` holds it when the request asked for an expansion."""

    type_id: str
    id: str
    obj: dict[str, Any] | None = None


class KeyReference(WireModel):
    type_id: str
    key: str


class ShippingMethodSummary(WireModel):
    id: str
    key: str | None = None
    name: str | None = None


class ShippingMethodReference(WireModel):
    """An order's shipping method; `obj` is there with `expand=shippingInfo.shippingMethod`."""

    type_id: str = "shipping-method"
    id: str
    obj: ShippingMethodSummary | None = None


class CustomFields(WireModel):
    type: Reference
    fields: dict[str, Any] = Field(default_factory=dict)


class Address(WireModel):
    """Every field of commercetools' BaseAddress; only `country` is required by the API."""

    id: str | None = None
    key: str | None = None
    country: str
    title: str | None = None
    salutation: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    street_name: str | None = None
    street_number: str | None = None
    additional_street_info: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    state: str | None = None
    company: str | None = None
    department: str | None = None
    building: str | None = None
    apartment: str | None = None
    p_o_box: str | None = Field(default=None, alias="pOBox")
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    fax: str | None = None
    additional_address_info: str | None = None
    external_id: str | None = None
    custom: CustomFields | None = None


class GeoLocation(WireModel):
    """A GeoJSON point: `coordinates` is `[longitude, latitude]`."""

    type: str = "Point"
    coordinates: tuple[float, float]

    @property
    def longitude(self) -> float:
        return self.coordinates[0]

    @property
    def latitude(self) -> float:
        return self.coordinates[1]


class Price(WireModel):
    id: str | None = None
    key: str | None = None
    value: TypedMoney
    country: str | None = None
    channel: Reference | None = None
    customer_group: Reference | None = None
    valid_from: UtcDatetime | None = None
    valid_until: UtcDatetime | None = None


class Attribute(WireModel):
    name: str
    value: Any = None


class ImageDimensions(WireModel):
    w: int
    h: int


class Image(WireModel):
    url: str
    dimensions: ImageDimensions | None = None
    label: str | None = None


class ProductVariant(WireModel):
    id: int
    sku: str | None = None
    key: str | None = None
    prices: list[Price] = Field(default_factory=list)
    attributes: list[Attribute] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)

    def attribute(self, name: str) -> Any:
        """The value of the named attribute, or None when the variant does not have it."""
        return next((attr.value for attr in self.attributes if attr.name == name), None)


class ProductProjection(WireModel):
    id: str
    key: str | None = None
    version: int
    product_type: Reference
    name: LocalizedString
    description: LocalizedString | None = None
    slug: LocalizedString
    categories: list[Reference] = Field(default_factory=list)
    master_variant: ProductVariant
    variants: list[ProductVariant] = Field(default_factory=list)
    published: bool | None = None
    last_modified_at: UtcDatetime

    @property
    def all_variants(self) -> list[ProductVariant]:
        """The master variant first, then the others."""
        return [self.master_variant, *self.variants]


class Category(WireModel):
    id: str
    key: str | None = None
    version: int
    name: LocalizedString
    slug: LocalizedString
    description: LocalizedString | None = None
    parent: Reference | None = None
    ancestors: list[Reference] = Field(default_factory=list)
    order_hint: str | None = None
    last_modified_at: UtcDatetime


class Channel(WireModel):
    id: str
    key: str
    version: int
    roles: list[str] = Field(default_factory=list)
    name: LocalizedString | None = None
    description: LocalizedString | None = None
    address: Address | None = None
    geo_location: GeoLocation | None = None
    custom: CustomFields | None = None
    last_modified_at: UtcDatetime | None = None


class InventoryEntry(WireModel):
    id: str
    key: str | None = None
    version: int
    sku: str
    supply_channel: Reference | None = None
    quantity_on_stock: int
    available_quantity: int
    last_modified_at: UtcDatetime | None = None


class Customer(WireModel):
    id: str
    version: int
    key: str | None = None
    customer_number: str | None = None
    external_id: str | None = None
    email: str
    title: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    locale: str | None = None
    addresses: list[Address] = Field(default_factory=list)
    default_shipping_address_id: str | None = None
    default_billing_address_id: str | None = None
    custom: CustomFields | None = None
    created_at: UtcDatetime | None = None
    last_modified_at: UtcDatetime | None = None


class TaxRate(WireModel):
    id: str | None = None
    key: str | None = None
    name: str
    amount: float
    included_in_price: bool
    country: str
    state: str | None = None


class TaxPortion(WireModel):
    name: str | None = None
    rate: float
    amount: TypedMoney


class TaxedItemPrice(WireModel):
    total_net: TypedMoney
    total_gross: TypedMoney
    total_tax: TypedMoney | None = None
    tax_portions: list[TaxPortion] = Field(default_factory=list)


class TaxedPrice(TaxedItemPrice):
    """The taxed total of an order (the same shape as an item's taxed price)."""


class ItemState(WireModel):
    quantity: int
    state: Reference


class LineItem(WireModel):
    id: str
    key: str | None = None
    product_id: str
    product_key: str | None = None
    name: LocalizedString
    variant: ProductVariant
    quantity: int
    price: Price
    total_price: TypedMoney
    taxed_price: TaxedItemPrice | None = None
    tax_rate: TaxRate | None = None
    custom: CustomFields | None = None
    supply_channel: Reference | None = None
    distribution_channel: Reference | None = None
    state: list[ItemState] = Field(default_factory=list)


class DeliveryItem(WireModel):
    id: str
    quantity: int


class TrackingData(WireModel):
    tracking_id: str | None = None
    carrier: str | None = None
    provider: str | None = None
    provider_transaction: str | None = None
    is_return: bool | None = None


class ParcelMeasurements(WireModel):
    height_in_millimeter: int | None = None
    length_in_millimeter: int | None = None
    width_in_millimeter: int | None = None
    weight_in_gram: int | None = None


class Parcel(WireModel):
    id: str
    key: str | None = None
    created_at: UtcDatetime | None = None
    measurements: ParcelMeasurements | None = None
    tracking_data: TrackingData | None = None
    items: list[DeliveryItem] = Field(default_factory=list)
    custom: CustomFields | None = None


class Delivery(WireModel):
    id: str
    key: str | None = None
    created_at: UtcDatetime | None = None
    items: list[DeliveryItem] = Field(default_factory=list)
    parcels: list[Parcel] = Field(default_factory=list)
    address: Address | None = None
    custom: CustomFields | None = None

    def parcel_by_key(self, key: str) -> Parcel | None:
        return next((parcel for parcel in self.parcels if parcel.key == key), None)


class ShippingInfo(WireModel):
    shipping_method_name: str
    shipping_method: ShippingMethodReference | None = None
    price: TypedMoney
    tax_rate: TaxRate | None = None
    taxed_price: TaxedItemPrice | None = None
    deliveries: list[Delivery] = Field(default_factory=list)


class SyncInfo(WireModel):
    channel: Reference
    external_id: str | None = None
    synced_at: UtcDatetime


class Order(WireModel):
    id: str
    version: int
    order_number: str | None = None
    customer_id: str | None = None
    customer_email: str | None = None
    locale: str | None = None
    country: str | None = None
    store: KeyReference | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    shipping_address: Address | None = None
    billing_address: Address | None = None
    shipping_info: ShippingInfo | None = None
    shipping_mode: str | None = None
    order_state: str
    shipment_state: str | None = None
    payment_state: str | None = None
    total_price: TypedMoney
    taxed_price: TaxedPrice | None = None
    custom: CustomFields | None = None
    sync_info: list[SyncInfo] = Field(default_factory=list)
    created_at: UtcDatetime
    last_modified_at: UtcDatetime

    @property
    def shipping_method_key(self) -> str | None:
        """Needs the order to be read with `expand=shippingInfo.shippingMethod` (the client's
        order getters do this)."""
        method = self.shipping_info.shipping_method if self.shipping_info else None
        return method.obj.key if method and method.obj else None

    @property
    def deliveries(self) -> list[Delivery]:
        return self.shipping_info.deliveries if self.shipping_info else []

    def custom_field(self, name: str) -> Any:
        """The value of an order custom field, or None when it is not set."""
        return self.custom.fields.get(name) if self.custom else None

    def line_item(self, line_item_id: str) -> LineItem | None:
        return next((item for item in self.line_items if item.id == line_item_id), None)

    def delivery_by_key(self, key: str) -> Delivery | None:
        return next((delivery for delivery in self.deliveries if delivery.key == key), None)

    def delivered_quantities(self) -> Counter[str]:
        """Quantity per line item id across all deliveries. commercetools does not check that
        deliveries stay within the ordered quantities, so the connector must."""
        totals: Counter[str] = Counter()
        for delivery in self.deliveries:
            for item in delivery.items:
                totals[item.id] += item.quantity
        return totals


class FieldTypeInfo(WireModel):
    """A custom field type; `element_type` for Set, `values` for (Localized)Enum."""

    name: str
    element_type: FieldTypeInfo | None = None
    values: list[dict[str, Any]] = Field(default_factory=list)


class FieldDefinitionInfo(WireModel):
    name: str
    label: LocalizedString
    required: bool
    type: FieldTypeInfo
    input_hint: str | None = None


class Type(WireModel):
    id: str
    key: str
    version: int
    name: LocalizedString
    resource_type_ids: list[str]
    field_definitions: list[FieldDefinitionInfo] = Field(default_factory=list)

    def field_definition(self, name: str) -> FieldDefinitionInfo | None:
        return next((field for field in self.field_definitions if field.name == name), None)


class CustomObject(WireModel):
    """A JSON document stored under a container and key (the connector keeps its sync state
    in custom objects); `version` makes updates conditional."""

    id: str
    version: int
    container: str
    key: str
    value: Any = None
    last_modified_at: UtcDatetime | None = None


class UserProvidedIdentifiers(WireModel):
    key: str | None = None
    external_id: str | None = None
    order_number: str | None = None
    customer_number: str | None = None
    sku: str | None = None
    slug: LocalizedString | None = None


class Message(WireModel):
    """Any message; the type-specific fields the connector reads are present for their type:
    `order` (OrderCreated, OrderImported), `order_state`/`old_order_state` (OrderStateChanged),
    `product_projection` (ProductPublished), `current_projection` (ProductDeleted), `category`
    (CategoryCreated), `delivery` (DeliveryAdded)."""

    id: str
    version: int
    type: str
    sequence_number: int
    resource: Reference
    resource_version: int
    resource_user_provided_identifiers: UserProvidedIdentifiers | None = None
    created_at: UtcDatetime
    last_modified_at: UtcDatetime | None = None
    order: Order | None = None
    order_state: str | None = None
    old_order_state: str | None = None
    product_projection: ProductProjection | None = None
    current_projection: ProductProjection | None = None
    category: Category | None = None
    delivery: Delivery | None = None
