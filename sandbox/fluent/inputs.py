"""Typed mutation inputs, validated after GraphQL has coerced the variables.

GraphQL already enforces the SDL's types and required fields; these models add what the SDL
cannot say (positive quantities, unique item refs, numeric ids) and give the store typed values.
Field names are the SDL's, in snake_case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel


def _require_unique_refs(refs: list[str], owner: str) -> None:
    duplicates = sorted({ref for ref in refs if refs.count(ref) > 1})
    if duplicates:
        raise ValueError(f"item refs must be unique within the {owner}: {duplicates}")


class InputModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class IdKey(InputModel):
    """`{id}` references: RetailerId, CustomerId, OrderId, AddressId, OrderItemId."""

    id: str

    @property
    def numeric(self) -> int | None:
        return int(self.id) if self.id.isdigit() else None


class RefKey(InputModel):
    """`{ref}` references: ProductCatalogueKey, CustomerKey, BillingAccountKey."""

    ref: str = Field(min_length=1)


class CatalogueItemKey(InputModel):
    """`{ref, catalogue{ref}}` references: CategoryKey, ProductKey."""

    ref: str = Field(min_length=1)
    catalogue: RefKey


class AttributeInput(InputModel):
    name: str = Field(min_length=1)
    type: str
    value: Any


class CreateCustomerInput(InputModel):
    username: str = Field(min_length=1)
    primary_email: str = Field(min_length=1)
    first_name: str
    timezone: str
    promotion_opt_in: bool
    retailer: IdKey
    last_name: str | None = None
    primary_phone: str | None = None
    country: str | None = None
    title: str | None = None
    department: str | None = None
    attributes: list[AttributeInput] | None = None


class AddressInput(InputModel):
    """CreateCustomerAddressInput: an order's delivery address."""

    ref: str = Field(min_length=1)
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


class FulfilmentChoiceInput(InputModel):
    delivery_type: str
    fulfilment_type: str | None = None
    pickup_location_ref: str | None = None
    delivery_address: AddressInput | None = None
    currency: str | None = None
    fulfilment_price: float | None = None
    fulfilment_tax_price: float | None = None
    delivery_instruction: str | None = None


class OrderItemInput(InputModel):
    ref: str = Field(min_length=1)
    product_ref: str = Field(min_length=1)
    quantity: int = Field(gt=0)
    product_catalogue_ref: str | None = None
    price: float | None = None
    paid_price: float | None = None
    total_price: float | None = None
    tax_price: float | None = None
    total_tax_price: float | None = None
    tax_type: str | None = None
    currency: str | None = None
    attributes: list[AttributeInput] | None = None


class CreateOrderInput(InputModel):
    ref: str = Field(min_length=1)
    type: str
    retailer: IdKey
    customer: IdKey
    items: list[OrderItemInput] = Field(min_length=1)
    fulfilment_choice: FulfilmentChoiceInput | None = None
    total_price: float | None = None
    total_tax_price: float | None = None
    attributes: list[AttributeInput] | None = None

    @field_validator("items")
    @classmethod
    def _item_refs_unique(cls, items: list[OrderItemInput]) -> list[OrderItemInput]:
        _require_unique_refs([item.ref for item in items], "order")
        return items


class FulfilmentItemInput(InputModel):
    ref: str = Field(min_length=1)
    order_item: IdKey
    filled_quantity: int = Field(ge=0)
    rejected_quantity: int = Field(ge=0)
    requested_quantity: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _quantities_fit(self) -> FulfilmentItemInput:
        if self.requested_quantity is None:
            raise ValueError(f"item {self.ref}: requestedQuantity is required")
        if self.filled_quantity + self.rejected_quantity > self.requested_quantity:
            raise ValueError(
                f"item {self.ref}: filledQuantity + rejectedQuantity exceeds requestedQuantity"
            )
        return self

    @property
    def requested(self) -> int:
        assert self.requested_quantity is not None  # checked by the validator
        return self.requested_quantity


class CreateFulfilmentInput(InputModel):
    ref: str = Field(min_length=1)
    type: str
    order: IdKey
    items: list[FulfilmentItemInput] = Field(min_length=1)
    from_address: IdKey | None = None
    to_address: IdKey | None = None
    customer: IdKey | None = None
    delivery_type: str | None = None
    eta: str | None = None
    expiry_time: datetime | None = None
    attributes: list[AttributeInput] | None = None

    @field_validator("items")
    @classmethod
    def _item_refs_unique(cls, items: list[FulfilmentItemInput]) -> list[FulfilmentItemInput]:
        _require_unique_refs([item.ref for item in items], "fulfilment")
        return items


class PriceInput(InputModel):
    type: str
    currency: str
    value: float


class TaxTypeInput(InputModel):
    country: str
    group: str
    tariff: str


class _ProductFields(InputModel):
    ref: str = Field(min_length=1)
    catalogue: RefKey
    summary: str | None = None
    categories: list[CatalogueItemKey] | None = None
    prices: list[PriceInput] | None = None
    tax_type: TaxTypeInput | None = None
    attributes: list[AttributeInput] | None = None


class CreateStandardProductInput(_ProductFields):
    type: str
    gtin: str
    name: str


class UpdateStandardProductInput(_ProductFields):
    type: str | None = None
    status: str | None = None
    gtin: str | None = None
    name: str | None = None


class CreateVariantProductInput(CreateStandardProductInput):
    product: CatalogueItemKey | None = None


class UpdateVariantProductInput(UpdateStandardProductInput):
    product: CatalogueItemKey | None = None


class CreateCategoryInput(InputModel):
    ref: str = Field(min_length=1)
    catalogue: RefKey
    type: str
    name: str
    summary: str | None = None
    parent_category: CatalogueItemKey | None = None
    attributes: list[AttributeInput] | None = None


class UpdateCategoryInput(InputModel):
    ref: str = Field(min_length=1)
    catalogue: RefKey
    type: str | None = None
    status: str | None = None
    name: str | None = None
    summary: str | None = None
    parent_category: CatalogueItemKey | None = None
    attributes: list[AttributeInput] | None = None


class StreetAddressInput(InputModel):
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


class CreateBillingAccountInput(InputModel):
    ref: str = Field(min_length=1)
    type: str
    name: str
    retailer: IdKey
    customer: RefKey | None = None
    address: StreetAddressInput | None = None
    attributes: list[AttributeInput] | None = None


class AmountTypeInput(InputModel):
    amount: float | None = None
    scale: int | None = None
    unscaled_value: int | None = None


class QuantityTypeInput(InputModel):
    quantity: int
    unit: str | None = None


class CurrencyKey(InputModel):
    alphabetic_code: str = Field(min_length=3, max_length=3)


class OrderLinkInput(InputModel):
    ref: str = Field(min_length=1)
    retailer: IdKey


class InvoiceItemInput(InputModel):
    ref: str = Field(min_length=1)
    type: str
    unit_quantity: QuantityTypeInput
    unit_amount: AmountTypeInput
    amount: AmountTypeInput
    tax_amount: AmountTypeInput
    description: str | None = None
    product: CatalogueItemKey | None = None
    unit_tax_type: TaxTypeInput | None = None


class CreateInvoiceInput(InputModel):
    ref: str = Field(min_length=1)
    type: str
    billing_account: RefKey
    issue_date: datetime
    currency: CurrencyKey
    default_tax_type: TaxTypeInput
    sub_total_amount: AmountTypeInput
    total_tax: AmountTypeInput
    total_amount: AmountTypeInput
    total_balance: AmountTypeInput
    order: OrderLinkInput | None = None
    due_date: datetime | None = None
    items: list[InvoiceItemInput] | None = None
    attributes: list[AttributeInput] | None = None
