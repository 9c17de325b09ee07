"""commercetools product projections -> Fluent standard and variant products (pure).

Mapping rules (defaults in `SyncSettings`):
- Standard product: ref = product key, falling back to its id; name = the product name in the
  configured locale (`SYNC_LOCALE`; a locale of the same language also serves); GTIN = the
  master variant's GTIN; categories = the refs of its categories (see `categories.py`).
- Variant product, one per variant: ref = SKU (a variant without SKU makes the product fail);
  GTIN = the variant attribute `SYNC_GTIN_ATTRIBUTE`, falling back to the SKU; name and
  categories as the standard product; one price of type `SYNC_FLUENT_PRICE_TYPE` in
  `SYNC_CURRENCY`: the price for `SYNC_COUNTRY` when set, else the price without country
  (prices scoped to a channel or customer group, or limited in time, are never used); the
  attributes listed in `SYNC_PRODUCT_ATTRIBUTES`.
- Attribute values: text -> STRING, whole number -> INTEGER, other number -> FLOAT, boolean ->
  BOOLEAN, enum `{key, label}` -> STRING of the key, localized text -> STRING in the locale,
  anything else (money, sets, references) -> JSON.
- Status: a product synced from commercetools is ACTIVE; an unpublished or deleted one becomes
  INACTIVE. Products are never deleted in Fluent.

The connector owns exactly these fields. `product_writes` compares only them and returns the
mutations that bring Fluent in line (none for an unchanged product): prices of other types or
currencies and attributes not listed are left as they are in Fluent. The Fluent product type is
set at creation only. Fluent merges attributes by name and cannot remove one, so an attribute
removed in commercetools keeps its last value in Fluent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, JsonValue

from connector.commercetools.models import Price as CtPrice
from connector.commercetools.models import ProductProjection, ProductVariant
from connector.fluent.models import (
    Attribute,
    CatalogueEntityKey,
    CreateStandardProductInput,
    CreateVariantProductInput,
    Price,
    RefKey,
    StandardProduct,
    UpdateStandardProductInput,
    UpdateVariantProductInput,
    VariantProduct,
)
from connector.mapping.categories import localized, required_name
from connector.mapping.money import money_to_float
from connector.syncs import UnmappableError

Status = Literal["ACTIVE", "INACTIVE"]
ACTIVE: Status = "ACTIVE"
INACTIVE: Status = "INACTIVE"

StandardWrite = CreateStandardProductInput | UpdateStandardProductInput
VariantWrite = CreateVariantProductInput | UpdateVariantProductInput


class ProductRules(BaseModel):
    """How products are mapped (from `SYNC_*` and `FLUENT_*` settings)."""

    model_config = ConfigDict(frozen=True)

    locale: str
    catalogue_ref: str
    currency: str
    country: str | None = None
    product_type: str = "DEFAULT"
    price_type: str = "DEFAULT"
    gtin_attribute: str = "gtin"
    attributes: tuple[str, ...] = ()


class _CatalogueEntrySpec(BaseModel):
    """What standard and variant products have in common."""

    model_config = ConfigDict(frozen=True)

    ref: str
    gtin: str
    name: str
    category_refs: tuple[str, ...]


class VariantSpec(_CatalogueEntrySpec):
    """The fields of a Fluent variant product the connector owns, as they should be."""

    prices: tuple[Price, ...]
    attributes: tuple[Attribute, ...]


class ProductSpec(_CatalogueEntrySpec):
    """A commercetools product as Fluent should hold it: the standard product and its variants."""

    variants: tuple[VariantSpec, ...]


class ProductWrites(BaseModel):
    """The mutations for one product: the standard product's first (variants link to it)."""

    model_config = ConfigDict(frozen=True)

    standard: StandardWrite | None = None
    variants: tuple[VariantWrite, ...] = ()

    @property
    def count(self) -> int:
        return len(self.variants) + (self.standard is not None)


def product_ref(projection: ProductProjection) -> str:
    return projection.key or projection.id


def variant_ref(projection: ProductProjection, variant: ProductVariant) -> str:
    if not variant.sku:
        raise UnmappableError(
            f"product {product_ref(projection)}: variant {variant.id} has no SKU, which Fluent "
            "needs as the variant product's ref"
        )
    return variant.sku


def select_price(prices: Sequence[CtPrice], currency: str, country: str | None) -> CtPrice | None:
    """The base price in `currency` for `country` (or without country when none is given).
    Prices for a channel or customer group, or valid only for a time, are promotions or
    special cases, not the list price Fluent keeps."""
    for price in prices:
        if (
            price.value.currency_code == currency
            and price.country == country
            and price.channel is None
            and price.customer_group is None
            and price.valid_from is None
            and price.valid_until is None
        ):
            return price
    return None


def fluent_attribute(name: str, value: JsonValue, locale: str) -> Attribute | None:
    """A commercetools attribute value as a Fluent attribute; None for no value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return Attribute(name=name, type="BOOLEAN", value=value)
    if isinstance(value, int):
        return Attribute(name=name, type="INTEGER", value=value)
    if isinstance(value, float):
        return Attribute(name=name, type="FLOAT", value=value)
    if isinstance(value, str):
        return Attribute(name=name, type="STRING", value=value)
    if isinstance(value, dict):
        if isinstance(value.get("key"), str) and "label" in value:
            return Attribute(name=name, type="STRING", value=value["key"])
        texts = {lang: text for lang, text in value.items() if isinstance(text, str)}
        if texts and len(texts) == len(value):
            text = localized(texts, locale)
            if text is not None:
                return Attribute(name=name, type="STRING", value=text)
    return Attribute(name=name, type="JSON", value=value)


def _gtin(projection: ProductProjection, variant: ProductVariant, rules: ProductRules) -> str:
    value = variant.attribute(rules.gtin_attribute)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return variant_ref(projection, variant)


def _prices(variant: ProductVariant, rules: ProductRules) -> tuple[Price, ...]:
    price = select_price(variant.prices, rules.currency, rules.country)
    if price is None:
        return ()
    return (
        Price(type=rules.price_type, currency=rules.currency, value=money_to_float(price.value)),
    )


def _attributes(variant: ProductVariant, rules: ProductRules) -> tuple[Attribute, ...]:
    mapped = (
        fluent_attribute(name, variant.attribute(name), rules.locale) for name in rules.attributes
    )
    return tuple(attribute for attribute in mapped if attribute is not None)


def product_spec(
    projection: ProductProjection,
    rules: ProductRules,
    category_refs_by_id: Mapping[str, str],
) -> ProductSpec:
    """Raises `UnmappableError` (with the reason) for a product Fluent cannot hold."""
    ref = product_ref(projection)
    name = required_name(projection.name, rules.locale, f"product {ref}")
    missing = [c.id for c in projection.categories if c.id not in category_refs_by_id]
    if missing:
        raise UnmappableError(f"product {ref}: categories {missing} were not found")
    categories = tuple(sorted({category_refs_by_id[c.id] for c in projection.categories}))
    variants = tuple(
        VariantSpec(
            ref=variant_ref(projection, variant),
            gtin=_gtin(projection, variant, rules),
            name=name,
            category_refs=categories,
            prices=_prices(variant, rules),
            attributes=_attributes(variant, rules),
        )
        for variant in projection.all_variants
    )
    duplicates = sorted(sku for sku, n in Counter(v.ref for v in variants).items() if n > 1)
    if duplicates:
        raise UnmappableError(f"product {ref}: SKUs {duplicates} appear on several variants")
    return ProductSpec(
        ref=ref,
        gtin=variants[0].gtin,
        name=name,
        category_refs=categories,
        variants=variants,
    )


def _reactivation(current: str | None) -> Status | None:
    """A product deactivated because it was removed is activated again when it is back. The
    statuses Fluent's own workflow moves a product through are not the connector's."""
    return ACTIVE if current == INACTIVE else None


def _same_value(left: JsonValue, right: JsonValue) -> bool:
    """Equal as JSON values; numbers compare exactly whatever their Python type."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return Decimal(str(left)) == Decimal(str(right))
    return left == right


def _prices_to_send(
    wanted: tuple[Price, ...], current: Sequence[Price], rules: ProductRules
) -> list[Price] | None:
    """The whole price list to send (Fluent replaces it), or None when ours are in place."""

    def owned(price: Price) -> bool:
        return price.type == rules.price_type and price.currency == rules.currency

    current_owned = [p for p in current if owned(p)]
    same = len(current_owned) == len(wanted) and all(
        _same_value(a.value, b.value) for a, b in zip(current_owned, wanted, strict=True)
    )
    if same:
        return None
    return [p for p in current if not owned(p)] + list(wanted)


def _attributes_to_send(
    wanted: tuple[Attribute, ...], current: Sequence[Attribute]
) -> list[Attribute] | None:
    """The attributes that differ (Fluent merges by name), or None when all are in place."""
    by_name = {attribute.name: attribute for attribute in current}
    changed = [
        attribute
        for attribute in wanted
        if (existing := by_name.get(attribute.name)) is None
        or existing.type != attribute.type
        or not _same_value(existing.value, attribute.value)
    ]
    return changed or None


def standard_product_write(
    spec: ProductSpec, existing: StandardProduct | None, rules: ProductRules
) -> StandardWrite | None:
    catalogue = RefKey(ref=rules.catalogue_ref)
    categories = [CatalogueEntityKey.of(ref, rules.catalogue_ref) for ref in spec.category_refs]
    if existing is None:
        return CreateStandardProductInput(
            ref=spec.ref,
            catalogue=catalogue,
            type=rules.product_type,
            gtin=spec.gtin,
            name=spec.name,
            categories=categories,
        )
    changes = UpdateStandardProductInput(
        ref=spec.ref,
        catalogue=catalogue,
        name=spec.name if spec.name != existing.name else None,
        gtin=spec.gtin if spec.gtin != existing.gtin else None,
        categories=categories
        if sorted(existing.category_refs) != list(spec.category_refs)
        else None,
        status=_reactivation(existing.status),
    )
    return changes if _has_changes(changes) else None


def variant_product_write(
    spec: VariantSpec,
    standard_ref: str,
    existing: VariantProduct | None,
    rules: ProductRules,
) -> VariantWrite | None:
    catalogue = RefKey(ref=rules.catalogue_ref)
    categories = [CatalogueEntityKey.of(ref, rules.catalogue_ref) for ref in spec.category_refs]
    parent = CatalogueEntityKey.of(standard_ref, rules.catalogue_ref)
    if existing is None:
        return CreateVariantProductInput(
            ref=spec.ref,
            catalogue=catalogue,
            type=rules.product_type,
            gtin=spec.gtin,
            name=spec.name,
            categories=categories,
            prices=list(spec.prices),
            attributes=list(spec.attributes) or None,
            product=parent,
        )
    changes = UpdateVariantProductInput(
        ref=spec.ref,
        catalogue=catalogue,
        name=spec.name if spec.name != existing.name else None,
        gtin=spec.gtin if spec.gtin != existing.gtin else None,
        categories=categories
        if sorted(existing.category_refs) != list(spec.category_refs)
        else None,
        prices=_prices_to_send(spec.prices, existing.prices, rules),
        attributes=_attributes_to_send(spec.attributes, existing.attributes),
        status=_reactivation(existing.status),
        product=parent if existing.product_ref != standard_ref else None,
    )
    return changes if _has_changes(changes) else None


_KEY_FIELDS = frozenset({"ref", "catalogue"})


def _has_changes(update: UpdateStandardProductInput) -> bool:
    """Anything set besides the fields that only address the product."""
    fields = type(update).model_fields
    return any(getattr(update, name) is not None for name in fields if name not in _KEY_FIELDS)


def product_writes(
    spec: ProductSpec,
    existing_standard: StandardProduct | None,
    existing_variants: Mapping[str, VariantProduct],
    rules: ProductRules,
) -> ProductWrites:
    """Every mutation that brings one product and its variants in line; none when equal."""
    variants = (
        variant_product_write(variant, spec.ref, existing_variants.get(variant.ref), rules)
        for variant in spec.variants
    )
    return ProductWrites(
        standard=standard_product_write(spec, existing_standard, rules),
        variants=tuple(write for write in variants if write is not None),
    )


def deactivation_writes(
    standard_ref: str | None,
    existing_standard: StandardProduct | None,
    existing_variants: Sequence[VariantProduct],
    rules: ProductRules,
) -> ProductWrites:
    """Status INACTIVE for a removed product's standard product and variants that exist and
    are not inactive yet."""
    catalogue = RefKey(ref=rules.catalogue_ref)
    standard = None
    if standard_ref and existing_standard is not None and existing_standard.status != INACTIVE:
        standard = UpdateStandardProductInput(
            ref=standard_ref, catalogue=catalogue, status=INACTIVE
        )
    return ProductWrites(
        standard=standard,
        variants=tuple(
            UpdateVariantProductInput(ref=variant.ref, catalogue=catalogue, status=INACTIVE)
            for variant in existing_variants
            if variant.status != INACTIVE
        ),
    )
