"""Products (`/products`) with staged and current data, and their projections.

A product keeps `masterData.staged` (what is being edited) and `masterData.current` (what is
published). Update actions take `staged` (default true): true edits the staged data only,
false edits both. `publish` copies staged to current; `hasStagedChanges` says whether they
differ. `/product-projections` shows one of the two as a flat `ProductProjection` (current, and
only published products, unless `staged=true`).

Unique: key, every variant SKU (across all products) and slugs per locale.
Messages: ProductCreated, ProductPublished (with the projection), ProductUnpublished,
ProductSlugChanged, ProductVariantAdded, ProductVariantDeleted, ProductPriceAdded,
ProductPriceChanged, ProductPricesSet, ProductAddedToCategory, ProductRemovedFromCategory,
ProductRevertedStagedChanges.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from sandbox.commercetools.custom_fields import build_custom
from sandbox.commercetools.errors import invalid_input, invalid_operation, not_found
from sandbox.commercetools.resources.base import (
    KEY_UNIQUE,
    ResourceSpec,
    resolve,
    set_optional,
    update_adapter,
)
from sandbox.commercetools.resources.categories import LocalizedSlug
from sandbox.commercetools.store import (
    Resource,
    Store,
    UniqueField,
    UpdateContext,
    new_id,
    reference,
)
from sandbox.commercetools.wire import (
    Attribute,
    Image,
    LocalizedString,
    PriceDraft,
    ResourceIdentifier,
    UserKey,
    WireModel,
)


class ProductVariantDraft(WireModel):
    sku: str | None = Field(default=None, min_length=1)
    key: UserKey | None = None
    prices: list[PriceDraft] = Field(default_factory=list)
    attributes: list[Attribute] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)


class ProductDraft(WireModel):
    product_type: ResourceIdentifier
    name: LocalizedString
    slug: LocalizedSlug
    key: UserKey | None = None
    description: LocalizedString | None = None
    categories: list[ResourceIdentifier] = Field(default_factory=list)
    category_order_hints: dict[str, str] | None = None
    meta_title: LocalizedString | None = None
    meta_description: LocalizedString | None = None
    meta_keywords: LocalizedString | None = None
    master_variant: ProductVariantDraft | None = None
    variants: list[ProductVariantDraft] = Field(default_factory=list)
    tax_category: ResourceIdentifier | None = None
    publish: bool = False


class _Staged(WireModel):
    staged: bool = True


class ChangeName(_Staged):
    action: Literal["changeName"]
    name: LocalizedString


class SetDescription(_Staged):
    action: Literal["setDescription"]
    description: LocalizedString | None = None


class ChangeSlug(_Staged):
    action: Literal["changeSlug"]
    slug: LocalizedSlug


class SetKey(WireModel):
    action: Literal["setKey"]
    key: UserKey | None = None


class AddVariant(ProductVariantDraft, _Staged):
    action: Literal["addVariant"]


class RemoveVariant(_Staged):
    action: Literal["removeVariant"]
    id: int | None = None
    sku: str | None = None


class _VariantTarget(_Staged):
    """An action on one variant, named by id or by SKU (`_find_variant` wants exactly one)."""

    variant_id: int | None = None
    sku: str | None = None


class AddPrice(_VariantTarget):
    action: Literal["addPrice"]
    price: PriceDraft


class ChangePrice(_Staged):
    action: Literal["changePrice"]
    price_id: str
    price: PriceDraft


class SetPrices(_VariantTarget):
    action: Literal["setPrices"]
    prices: list[PriceDraft]


class SetAttribute(_VariantTarget):
    action: Literal["setAttribute"]
    name: str
    value: Any = None


class SetAttributeInAllVariants(_Staged):
    action: Literal["setAttributeInAllVariants"]
    name: str
    value: Any = None


class AddToCategory(_Staged):
    action: Literal["addToCategory"]
    category: ResourceIdentifier
    order_hint: str | None = None


class RemoveFromCategory(_Staged):
    action: Literal["removeFromCategory"]
    category: ResourceIdentifier


class SetTaxCategory(WireModel):
    action: Literal["setTaxCategory"]
    tax_category: ResourceIdentifier | None = None


class Publish(WireModel):
    action: Literal["publish"]
    scope: Literal["All", "Prices"] = "All"


class Unpublish(WireModel):
    action: Literal["unpublish"]


class RevertStagedChanges(WireModel):
    action: Literal["revertStagedChanges"]


ProductActionUnion = (
    ChangeName
    | SetDescription
    | ChangeSlug
    | SetKey
    | AddVariant
    | RemoveVariant
    | AddPrice
    | ChangePrice
    | SetPrices
    | SetAttribute
    | SetAttributeInAllVariants
    | AddToCategory
    | RemoveFromCategory
    | SetTaxCategory
    | Publish
    | Unpublish
    | RevertStagedChanges
)
ProductAction = Annotated[ProductActionUnion, Field(discriminator="action")]


# --- shapes -------------------------------------------------------------------------------------


def all_variants(data: Resource) -> list[Resource]:
    return [data["masterVariant"], *data["variants"]]


def _both_data(product: Resource) -> list[Resource]:
    master_data = product["masterData"]
    if master_data["current"] is master_data["staged"]:
        return [master_data["staged"]]
    return [master_data["staged"], master_data["current"]]


def _skus(product: Resource) -> set[str]:
    return {
        variant["sku"]
        for data in _both_data(product)
        for variant in all_variants(data)
        if "sku" in variant
    }


def _slugs(product: Resource) -> set[tuple[str, str]]:
    return {item for data in _both_data(product) for item in data["slug"].items()}


SKU_UNIQUE = UniqueField("sku", _skus)
SLUG_UNIQUE = UniqueField("slug", _slugs, reported=lambda value: value[1])


def price(store: Store, draft: PriceDraft, price_id: str | None = None) -> Resource:
    wire: Resource = {"id": price_id or new_id()}
    set_optional(wire, "key", draft.key)
    wire["value"] = draft.value.typed()
    set_optional(wire, "country", draft.country)
    if draft.channel is not None:
        wire["channel"] = reference("channel", resolve(store, draft.channel, "channel")["id"])
    set_optional(wire, "validFrom", draft.valid_from)
    set_optional(wire, "validUntil", draft.valid_until)
    set_optional(wire, "custom", build_custom(store, draft.custom, "product-price"))
    return wire


def variant(store: Store, variant_id: int, draft: ProductVariantDraft) -> Resource:
    wire: Resource = {"id": variant_id}
    set_optional(wire, "sku", draft.sku)
    set_optional(wire, "key", draft.key)
    wire["prices"] = [price(store, p) for p in draft.prices]
    wire["images"] = [i.wire() for i in draft.images]
    wire["attributes"] = [a.wire() for a in draft.attributes]
    wire["assets"] = []
    _check_distinct_attributes(wire["attributes"])
    return wire


def _check_distinct_attributes(attributes: list[Resource]) -> None:
    names = [a["name"] for a in attributes]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise invalid_input(f"Attributes given more than once on one variant: {duplicated}.")


def projection(product: Resource, *, staged: bool) -> Resource:
    """The `ProductProjection` of the staged or current data (sharing, not copying, it)."""
    master_data = product["masterData"]
    data = master_data["staged"] if staged else master_data["current"]
    result: Resource = {
        "id": product["id"],
        "version": product["version"],
        "createdAt": product["createdAt"],
        "lastModifiedAt": product["lastModifiedAt"],
    }
    set_optional(result, "key", product.get("key"))
    result["productType"] = product["productType"]
    result["name"] = data["name"]
    set_optional(result, "description", data.get("description"))
    result["slug"] = data["slug"]
    result["categories"] = data["categories"]
    result["categoryOrderHints"] = data["categoryOrderHints"]
    for name in ("metaTitle", "metaDescription", "metaKeywords"):
        set_optional(result, name, data.get(name))
    result["searchKeywords"] = data["searchKeywords"]
    result["hasStagedChanges"] = master_data["hasStagedChanges"]
    result["published"] = master_data["published"]
    result["masterVariant"] = data["masterVariant"]
    result["variants"] = data["variants"]
    set_optional(result, "taxCategory", product.get("taxCategory"))
    result["attributes"] = data["attributes"]
    result["priceMode"] = product["priceMode"]
    return result


def projections(store: Store, *, staged: bool) -> Iterator[Resource]:
    for product in store.collection("product"):
        if staged or product["masterData"]["published"]:
            yield projection(product, staged=staged)


def get_projection(product: Resource | None, *, staged: bool, lookup: str) -> Resource:
    if product is None or not (staged or product["masterData"]["published"]):
        raise not_found(what=f"The Resource with {lookup} was not found.")
    return projection(product, staged=staged)


# --- create -------------------------------------------------------------------------------------


def create(store: Store, draft: ProductDraft, resource_id: str | None = None) -> Resource:
    product_type = resolve(store, draft.product_type, "product-type")
    master = draft.master_variant or ProductVariantDraft.model_validate({})
    drafts = [master, *draft.variants]
    variants = [variant(store, i + 1, d) for i, d in enumerate(drafts)]
    categories = [
        reference("category", resolve(store, c, "category")["id"]) for c in draft.categories
    ]
    data: Resource = {"name": draft.name}
    data["categories"] = categories
    data["categoryOrderHints"] = dict(draft.category_order_hints or {})
    set_optional(data, "description", draft.description)
    data["slug"] = draft.slug
    set_optional(data, "metaTitle", draft.meta_title)
    set_optional(data, "metaDescription", draft.meta_description)
    set_optional(data, "metaKeywords", draft.meta_keywords)
    data["masterVariant"] = variants[0]
    data["variants"] = variants[1:]
    data["searchKeywords"] = {}
    data["attributes"] = []
    product = store.base_fields(resource_id)
    set_optional(product, "key", draft.key)
    product["productType"] = reference("product-type", product_type["id"])
    product["masterData"] = {
        "published": draft.publish,
        "current": data,
        "staged": data,
        "hasStagedChanges": False,
    }
    if draft.tax_category is not None:
        tax_category = resolve(store, draft.tax_category, "tax-category")
        product["taxCategory"] = reference("tax-category", tax_category["id"])
    product["priceMode"] = "Embedded"
    messages: list[tuple[str, Any]] = [
        ("ProductCreated", {"productProjection": projection(product, staged=True)})
    ]
    if draft.publish:
        messages.append(("ProductPublished", _published_payload("All")))
    return store.insert("product", product, messages)


def _published_payload(scope: str) -> Any:
    def payload(product: Resource) -> Resource:
        return {
            "productProjection": projection(product, staged=False),
            "removedImageUrls": [],
            "scope": scope,
        }

    return payload


# --- update -------------------------------------------------------------------------------------


def working_copy(product: Resource) -> Resource:
    """A deep copy whose staged and current data are separate objects (they may be shared)."""
    copied = copy.deepcopy(product)
    master_data = copied["masterData"]
    if master_data["current"] is master_data["staged"]:
        master_data["current"] = copy.deepcopy(master_data["staged"])
    return copied


def _targets(product: Resource, staged: bool) -> list[Resource]:
    master_data = product["masterData"]
    return [master_data["staged"]] if staged else [master_data["staged"], master_data["current"]]


def _find_variant(data: Resource, variant_id: int | None, sku: str | None) -> Resource:
    if (variant_id is None) == (sku is None):
        raise invalid_input("Either 'variantId' or 'sku' is required, not both.")
    for candidate in all_variants(data):
        if (variant_id is not None and candidate["id"] == variant_id) or (
            sku is not None and candidate.get("sku") == sku
        ):
            return candidate
    which = f"id {variant_id}" if variant_id is not None else f"sku '{sku}'"
    raise invalid_operation(f"The product has no variant with {which} in the data being updated.")


def apply(context: UpdateContext, action: ProductActionUnion) -> None:
    product = context.resource
    master_data = product["masterData"]
    if isinstance(action, Publish):
        master_data["current"] = copy.deepcopy(master_data["staged"])
        master_data["published"] = True
        context.emit("ProductPublished", _published_payload(action.scope))
    elif isinstance(action, Unpublish):
        if master_data["published"]:
            master_data["published"] = False
            context.emit("ProductUnpublished", {})
    elif isinstance(action, RevertStagedChanges):
        master_data["staged"] = copy.deepcopy(master_data["current"])
        context.emit("ProductRevertedStagedChanges", {"removedImageUrls": []})
    elif isinstance(action, SetKey):
        set_optional(product, "key", action.key)
    elif isinstance(action, SetTaxCategory):
        tax_category = action.tax_category
        ref = (
            reference("tax-category", resolve(context.store, tax_category, "tax-category")["id"])
            if tax_category
            else None
        )
        set_optional(product, "taxCategory", ref)
    else:
        _apply_to_data(context, action)
    master_data["hasStagedChanges"] = master_data["staged"] != master_data["current"]


def _apply_to_data(context: UpdateContext, action: ProductActionUnion) -> None:
    product = context.resource
    store = context.store
    staged = getattr(action, "staged", True)
    targets = _targets(product, staged)
    if isinstance(action, ChangeName):
        for data in targets:
            data["name"] = action.name
    elif isinstance(action, SetDescription):
        for data in targets:
            set_optional(data, "description", action.description)
    elif isinstance(action, ChangeSlug):
        old = targets[0]["slug"]
        for data in targets:
            data["slug"] = action.slug
        if old != action.slug:
            context.emit("ProductSlugChanged", {"slug": action.slug, "oldSlug": old})
    elif isinstance(action, AddVariant):
        next_id = 1 + max(v["id"] for data in _both_data(product) for v in all_variants(data))
        added = variant(store, next_id, action)
        for data in targets:
            data["variants"].append(copy.deepcopy(added))
        context.emit("ProductVariantAdded", {"variant": added, "staged": staged})
    elif isinstance(action, RemoveVariant):
        removed = None
        for data in targets:
            removed = _find_variant(data, action.id, action.sku)
            if removed is data["masterVariant"]:
                raise invalid_operation("The master variant cannot be removed.")
            data["variants"] = [v for v in data["variants"] if v["id"] != removed["id"]]
        payload: Resource = {"variant": removed, "removedImageUrls": [], "staged": staged}
        context.emit("ProductVariantDeleted", payload)
    elif isinstance(action, AddPrice):
        added = price(store, action.price)
        for data in targets:
            _find_variant(data, action.variant_id, action.sku)["prices"].append(dict(added))
        variant_id = _find_variant(targets[0], action.variant_id, action.sku)["id"]
        context.emit(
            "ProductPriceAdded", {"variantId": variant_id, "price": added, "staged": staged}
        )
    elif isinstance(action, ChangePrice):
        _change_price(context, targets, action, staged)
    elif isinstance(action, SetPrices):
        prices = [price(store, p) for p in action.prices]
        for data in targets:
            _find_variant(data, action.variant_id, action.sku)["prices"] = copy.deepcopy(prices)
        variant_id = _find_variant(targets[0], action.variant_id, action.sku)["id"]
        context.emit(
            "ProductPricesSet", {"variantId": variant_id, "prices": prices, "staged": staged}
        )
    elif isinstance(action, SetAttribute):
        for data in targets:
            _set_attribute(
                _find_variant(data, action.variant_id, action.sku), action.name, action.value
            )
    elif isinstance(action, SetAttributeInAllVariants):
        for data in targets:
            for each in all_variants(data):
                _set_attribute(each, action.name, action.value)
    elif isinstance(action, AddToCategory):
        _add_to_category(context, targets, action, staged)
    elif isinstance(action, RemoveFromCategory):
        category = resolve(store, action.category, "category")
        for data in targets:
            if not any(c["id"] == category["id"] for c in data["categories"]):
                raise invalid_operation(f"The product is not in category '{category['id']}'.")
            data["categories"] = [c for c in data["categories"] if c["id"] != category["id"]]
            data["categoryOrderHints"].pop(category["id"], None)
        ref = reference("category", category["id"])
        context.emit("ProductRemovedFromCategory", {"category": ref, "staged": staged})


def _change_price(
    context: UpdateContext, targets: list[Resource], action: ChangePrice, staged: bool
) -> None:
    new_price = price(context.store, action.price, price_id=action.price_id)
    old_prices: list[Resource] = []
    variant_id = 0
    for data in targets:
        for each in all_variants(data):
            for index, existing in enumerate(each["prices"]):
                if existing["id"] == action.price_id:
                    old_prices.append(existing)
                    each["prices"][index] = dict(new_price)
                    variant_id = each["id"]
    if len(old_prices) < len(targets):
        raise invalid_operation(f"The product has no price with id '{action.price_id}'.")
    payload: Resource = {
        "variantId": variant_id,
        "oldPrice": old_prices[-1],
        "newPrice": new_price,
        "staged": staged,
    }
    if staged:
        payload["oldStagedPrice"] = old_prices[0]
    context.emit("ProductPriceChanged", payload)


def _set_attribute(target: Resource, name: str, value: Any) -> None:
    remaining = [a for a in target["attributes"] if a["name"] != name]
    if value is not None:
        remaining.append({"name": name, "value": value})
    target["attributes"] = remaining


def _add_to_category(
    context: UpdateContext, targets: list[Resource], action: AddToCategory, staged: bool
) -> None:
    category = resolve(context.store, action.category, "category")
    ref = reference("category", category["id"])
    changed = False
    for data in targets:
        if not any(c["id"] == category["id"] for c in data["categories"]):
            data["categories"].append(dict(ref))
            changed = True
        if action.order_hint is not None:
            data["categoryOrderHints"][category["id"]] = action.order_hint
    if changed:
        context.emit("ProductAddedToCategory", {"category": ref, "staged": staged})


SPEC: ResourceSpec[ProductDraft, ProductActionUnion] = ResourceSpec(
    path="products",
    type_id="product",
    scope="products",
    unique=(KEY_UNIQUE, SKU_UNIQUE, SLUG_UNIQUE),
    draft=TypeAdapter(ProductDraft),
    create=create,
    update=update_adapter(ProductAction),
    apply=apply,
    working_copy=working_copy,
)
