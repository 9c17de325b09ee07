"""Categories (`/categories`): a tree with `parent` and root-first `ancestors`.

Keys and slugs (per locale) are unique; a project holds at most 10,000 categories.
Messages: CategoryCreated (with the category), CategorySlugChanged.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, TypeAdapter

from sandbox.commercetools.custom_fields import (
    SetCustomField,
    SetCustomType,
    apply_custom_field,
    apply_custom_type,
    build_custom,
)
from sandbox.commercetools.errors import max_resource_limit_exceeded
from sandbox.commercetools.resources.base import (
    KEY_UNIQUE,
    ResourceSpec,
    resolve,
    set_optional,
    update_adapter,
)
from sandbox.commercetools.store import Resource, Store, UniqueField, UpdateContext, reference
from sandbox.commercetools.wire import (
    CustomFieldsDraft,
    LocalizedString,
    ResourceIdentifier,
    UserKey,
    WireModel,
)

MAX_CATEGORIES = 10_000
Slug = Annotated[str, StringConstraints(min_length=2, max_length=256, pattern=r"^[A-Za-z0-9_-]+$")]
LocalizedSlug = dict[str, Slug]


class CategoryDraft(WireModel):
    key: UserKey | None = None
    name: LocalizedString
    slug: LocalizedSlug
    description: LocalizedString | None = None
    parent: ResourceIdentifier | None = None
    order_hint: str | None = None
    external_id: str | None = None
    meta_title: LocalizedString | None = None
    meta_description: LocalizedString | None = None
    meta_keywords: LocalizedString | None = None
    custom: CustomFieldsDraft | None = None


class ChangeName(WireModel):
    action: Literal["changeName"]
    name: LocalizedString


class ChangeSlug(WireModel):
    action: Literal["changeSlug"]
    slug: LocalizedSlug


class SetDescription(WireModel):
    action: Literal["setDescription"]
    description: LocalizedString | None = None


class SetKey(WireModel):
    action: Literal["setKey"]
    key: UserKey | None = None


class ChangeOrderHint(WireModel):
    action: Literal["changeOrderHint"]
    order_hint: str


class SetExternalId(WireModel):
    action: Literal["setExternalId"]
    external_id: str | None = None


CategoryActionUnion = (
    ChangeName
    | ChangeSlug
    | SetDescription
    | SetKey
    | ChangeOrderHint
    | SetExternalId
    | SetCustomType
    | SetCustomField
)
CategoryAction = Annotated[CategoryActionUnion, Field(discriminator="action")]


def _slug_values(resource: Resource) -> list[tuple[str, str]]:
    return list(resource["slug"].items())


SLUG_UNIQUE = UniqueField("slug", _slug_values, reported=lambda value: value[1])


def create(store: Store, draft: CategoryDraft, resource_id: str | None = None) -> Resource:
    if len(store.collection("category")) >= MAX_CATEGORIES:
        raise max_resource_limit_exceeded("category", MAX_CATEGORIES)
    resource = store.base_fields(resource_id)
    set_optional(resource, "key", draft.key)
    resource["name"] = draft.name
    resource["slug"] = draft.slug
    set_optional(resource, "description", draft.description)
    ancestors: list[Resource] = []
    if draft.parent is not None:
        parent = resolve(store, draft.parent, "category")
        ancestors = [*parent["ancestors"], reference("category", parent["id"])]
        resource["parent"] = reference("category", parent["id"])
    resource["ancestors"] = ancestors
    resource["orderHint"] = draft.order_hint if draft.order_hint is not None else "0.5"
    set_optional(resource, "externalId", draft.external_id)
    set_optional(resource, "metaTitle", draft.meta_title)
    set_optional(resource, "metaDescription", draft.meta_description)
    set_optional(resource, "metaKeywords", draft.meta_keywords)
    set_optional(resource, "custom", build_custom(store, draft.custom, "category"))
    resource["assets"] = []
    return store.insert("category", resource, [("CategoryCreated", {"category": resource})])


def apply(context: UpdateContext, action: CategoryActionUnion) -> None:
    resource = context.resource
    if isinstance(action, ChangeName):
        resource["name"] = action.name
    elif isinstance(action, ChangeSlug):
        old = resource["slug"]
        if old != action.slug:
            resource["slug"] = action.slug
            context.emit("CategorySlugChanged", {"slug": action.slug, "oldSlug": old})
    elif isinstance(action, SetDescription):
        set_optional(resource, "description", action.description)
    elif isinstance(action, SetKey):
        set_optional(resource, "key", action.key)
    elif isinstance(action, ChangeOrderHint):
        resource["orderHint"] = action.order_hint
    elif isinstance(action, SetExternalId):
        set_optional(resource, "externalId", action.external_id)
    elif isinstance(action, SetCustomType):
        apply_custom_type(context.store, resource, action.type, action.fields, "category")
    else:
        apply_custom_field(context.store, resource, action.name, action.value, "category")


SPEC: ResourceSpec[CategoryDraft, CategoryActionUnion] = ResourceSpec(
    path="categories",
    type_id="category",
    scope="categories",
    unique=(KEY_UNIQUE, SLUG_UNIQUE),
    draft=TypeAdapter(CategoryDraft),
    create=create,
    update=update_adapter(CategoryAction),
    apply=apply,
)
