"""Product types (`/product-types`): the attribute definitions products are built on.

The sandbox keeps the definitions for reading and references; attribute values on products are
stored as given, not checked against them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from sandbox.commercetools.errors import duplicate_field
from sandbox.commercetools.resources.base import KEY_UNIQUE, ResourceSpec, update_adapter
from sandbox.commercetools.store import Resource, Store, UpdateContext
from sandbox.commercetools.wire import LocalizedString, UserKey, WireModel

AttributeTypeName = Literal[
    "boolean",
    "text",
    "ltext",
    "enum",
    "lenum",
    "number",
    "money",
    "date",
    "time",
    "datetime",
    "reference",
    "set",
    "nested",
]


class AttributeType(WireModel):
    name: AttributeTypeName
    values: list[dict[str, Any]] | None = None
    element_type: AttributeType | None = None
    reference_type_id: str | None = None


class AttributeDefinitionDraft(WireModel):
    type: AttributeType
    name: str = Field(min_length=1, max_length=256, pattern=r"^[A-Za-z0-9_-]+$")
    label: LocalizedString
    is_required: bool
    attribute_constraint: Literal["None", "Unique", "CombinationUnique", "SameForAll"] = "None"
    input_tip: LocalizedString | None = None
    input_hint: Literal["SingleLine", "MultiLine"] = "SingleLine"
    is_searchable: bool = True
    level: Literal["Product", "Variant"] = "Variant"


class ProductTypeDraft(WireModel):
    key: UserKey | None = None
    name: str = Field(min_length=1)
    description: str
    attributes: list[AttributeDefinitionDraft] = Field(default_factory=list)


class ChangeName(WireModel):
    action: Literal["changeName"]
    name: str = Field(min_length=1)


class AddAttributeDefinition(WireModel):
    action: Literal["addAttributeDefinition"]
    attribute: AttributeDefinitionDraft


ProductTypeActionUnion = ChangeName | AddAttributeDefinition
ProductTypeAction = Annotated[ProductTypeActionUnion, Field(discriminator="action")]


def _check_distinct(definitions: list[Resource]) -> None:
    names = [d["name"] for d in definitions]
    for name in names:
        if names.count(name) > 1:
            raise duplicate_field("attributes.name", name)


def create(store: Store, draft: ProductTypeDraft, resource_id: str | None = None) -> Resource:
    resource = store.base_fields(resource_id)
    if draft.key is not None:
        resource["key"] = draft.key
    resource["name"] = draft.name
    resource["description"] = draft.description
    resource["attributes"] = [a.wire() for a in draft.attributes]
    _check_distinct(resource["attributes"])
    return store.insert("product-type", resource)


def apply(context: UpdateContext, action: ProductTypeActionUnion) -> None:
    if isinstance(action, ChangeName):
        context.resource["name"] = action.name
    else:
        context.resource["attributes"].append(action.attribute.wire())
        _check_distinct(context.resource["attributes"])


SPEC: ResourceSpec[ProductTypeDraft, ProductTypeActionUnion] = ResourceSpec(
    path="product-types",
    type_id="product-type",
    scope="products",
    unique=(KEY_UNIQUE,),
    draft=TypeAdapter(ProductTypeDraft),
    create=create,
    update=update_adapter(ProductTypeAction),
    apply=apply,
)
