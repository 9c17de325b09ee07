"""Types (`/types`): the custom field definitions other resources are validated against."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, TypeAdapter

from sandbox.commercetools.errors import duplicate_field, invalid_operation
from sandbox.commercetools.resources.base import (
    KEY_UNIQUE,
    ResourceSpec,
    set_optional,
    update_adapter,
)
from sandbox.commercetools.store import Resource, Store, UpdateContext
from sandbox.commercetools.wire import LocalizedString, UserKey, WireModel

ResourceTypeId = Literal[
    "address",
    "asset",
    "approval-flow",
    "approval-rule",
    "associate-role",
    "business-unit",
    "cart-discount",
    "category",
    "channel",
    "customer",
    "customer-group",
    "custom-line-item",
    "discount-code",
    "inventory-entry",
    "line-item",
    "order",
    "order-edit",
    "order-delivery",
    "order-parcel",
    "order-return-item",
    "payment",
    "payment-interface-interaction",
    "payment-method",
    "payment-method-info",
    "product-price",
    "product-selection",
    "product-tailoring",
    "quote",
    "reservation",
    "review",
    "recurring-order",
    "shipping",
    "shipping-method",
    "shopping-list",
    "shopping-list-text-line-item",
    "standalone-price",
    "store",
    "transaction",
]
ReferenceTypeId = Literal[
    "approval-flow",
    "approval-rule",
    "associate-role",
    "business-unit",
    "cart",
    "cart-discount",
    "category",
    "channel",
    "customer",
    "customer-group",
    "key-value-document",
    "order",
    "product",
    "product-type",
    "review",
    "state",
    "shipping-method",
    "variant",
    "zone",
]
FieldName = Annotated[
    str, StringConstraints(min_length=2, max_length=36, pattern=r"^[A-Za-z0-9_-]+$")
]


class PlainFieldType(WireModel):
    name: Literal[
        "Boolean", "String", "LocalizedString", "Number", "Money", "Date", "Time", "DateTime"
    ]


class EnumValue(WireModel):
    key: str = Field(min_length=1)
    label: str


class LocalizedEnumValue(WireModel):
    key: str = Field(min_length=1)
    label: LocalizedString


class EnumFieldType(WireModel):
    name: Literal["Enum"]
    values: list[EnumValue]


class LocalizedEnumFieldType(WireModel):
    name: Literal["LocalizedEnum"]
    values: list[LocalizedEnumValue]


class ReferenceFieldType(WireModel):
    name: Literal["Reference"]
    reference_type_id: ReferenceTypeId


ElementType = Annotated[
    PlainFieldType | EnumFieldType | LocalizedEnumFieldType | ReferenceFieldType,
    Field(discriminator="name"),
]


class SetFieldType(WireModel):
    name: Literal["Set"]
    element_type: ElementType


FieldType = Annotated[
    PlainFieldType | EnumFieldType | LocalizedEnumFieldType | ReferenceFieldType | SetFieldType,
    Field(discriminator="name"),
]


class FieldDefinition(WireModel):
    type: FieldType
    name: FieldName
    label: LocalizedString
    required: bool
    input_hint: Literal["SingleLine", "MultiLine"] | None = None


class TypeDraft(WireModel):
    key: UserKey
    name: LocalizedString
    description: LocalizedString | None = None
    resource_type_ids: list[ResourceTypeId] = Field(min_length=1)
    field_definitions: list[FieldDefinition] = Field(default_factory=list)


class AddFieldDefinition(WireModel):
    action: Literal["addFieldDefinition"]
    field_definition: FieldDefinition


class RemoveFieldDefinition(WireModel):
    action: Literal["removeFieldDefinition"]
    field_name: str


class ChangeName(WireModel):
    action: Literal["changeName"]
    name: LocalizedString


class SetDescription(WireModel):
    action: Literal["setDescription"]
    description: LocalizedString | None = None


TypeAction = Annotated[
    AddFieldDefinition | RemoveFieldDefinition | ChangeName | SetDescription,
    Field(discriminator="action"),
]


def create(store: Store, draft: TypeDraft) -> Resource:
    definitions = [d.wire() for d in draft.field_definitions]
    _check_distinct_names(definitions)
    resource = store.base_fields()
    resource["key"] = draft.key
    resource["name"] = draft.name
    set_optional(resource, "description", draft.description)
    resource["resourceTypeIds"] = list(draft.resource_type_ids)
    resource["fieldDefinitions"] = definitions
    return store.insert("type", resource)


def _check_distinct_names(definitions: list[Resource]) -> None:
    seen: set[str] = set()
    for definition in definitions:
        if definition["name"] in seen:
            raise duplicate_field(
                "fieldDefinitions.name",
                definition["name"],
                f"A field definition named '{definition['name']}' already exists on the type.",
            )
        seen.add(definition["name"])


def apply(
    context: UpdateContext,
    action: AddFieldDefinition | RemoveFieldDefinition | ChangeName | SetDescription,
) -> None:
    resource = context.resource
    if isinstance(action, AddFieldDefinition):
        resource["fieldDefinitions"].append(action.field_definition.wire())
        _check_distinct_names(resource["fieldDefinitions"])
    elif isinstance(action, RemoveFieldDefinition):
        remaining = [d for d in resource["fieldDefinitions"] if d["name"] != action.field_name]
        if len(remaining) == len(resource["fieldDefinitions"]):
            raise invalid_operation(f"The type has no field definition '{action.field_name}'.")
        resource["fieldDefinitions"] = remaining
    elif isinstance(action, ChangeName):
        resource["name"] = action.name
    else:
        set_optional(resource, "description", action.description)


SPEC: ResourceSpec[TypeDraft, TypeAction] = ResourceSpec(
    path="types",
    type_id="type",
    scope="types",
    unique=(KEY_UNIQUE,),
    draft=TypeAdapter(TypeDraft),
    create=create,
    update=update_adapter(TypeAction),
    apply=apply,
)
