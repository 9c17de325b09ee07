"""commercetools categories -> Fluent categories (pure).

A Fluent category's ref is the commercetools category key, falling back to its id; its name is
the commercetools name in the configured locale; its parent is the parent's ref. The connector
owns exactly those fields: `category_write` compares only them and returns the one mutation
that brings Fluent in line, or None when nothing differs. Parents must exist before their
children: `category_levels` orders a set of categories so every parent in the set comes in an
earlier level than its children (categories of one level can be written concurrently).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from connector.commercetools.base import LocalizedString as CtLocalizedString
from connector.commercetools.models import Category
from connector.fluent.models import (
    CatalogueEntityKey,
    CreateCategoryInput,
    RefKey,
    UpdateCategoryInput,
)
from connector.fluent.models import Category as FluentCategory
from connector.syncs import UnmappableError

CategoryWrite = CreateCategoryInput | UpdateCategoryInput
ACTIVE = "ACTIVE"
INACTIVE = "INACTIVE"


class CategoryRules(BaseModel):
    """How categories are mapped (from `SYNC_*` and `FLUENT_*` settings)."""

    model_config = ConfigDict(frozen=True)

    locale: str
    catalogue_ref: str
    category_type: str = "DEFAULT"


class CategorySpec(BaseModel):
    """The fields of a Fluent category the connector owns, as they should be."""

    model_config = ConfigDict(frozen=True)

    ref: str
    name: str
    parent_ref: str | None = None


def localized(text: CtLocalizedString | None, locale: str) -> str | None:
    """The text in `locale`; else in a locale of the same language (`en` for `en-GB` and the
    other way round, the first in alphabetical order); else None."""
    if not text:
        return None
    if text.get(locale):
        return text[locale]
    language = locale.split("-", 1)[0].lower()
    for candidate in sorted(text):
        if candidate.split("-", 1)[0].lower() == language and text[candidate]:
            return text[candidate]
    return None


def required_name(text: CtLocalizedString | None, locale: str, what: str) -> str:
    """The localized name, or an `UnmappableError` that says which locales there are."""
    name = localized(text, locale)
    if name is None:
        available = ", ".join(sorted(text or {})) or "none"
        raise UnmappableError(f"{what} has no name in locale {locale!r} (locales: {available})")
    return name


def category_ref(category: Category) -> str:
    return category.key or category.id


def category_spec(
    category: Category, rules: CategoryRules, refs_by_id: Mapping[str, str]
) -> CategorySpec:
    """`refs_by_id` gives the Fluent ref of commercetools category ids (the parent's at least)."""
    parent_ref = None
    if category.parent is not None:
        parent_ref = refs_by_id.get(category.parent.id)
        if parent_ref is None:
            raise UnmappableError(
                f"category {category_ref(category)}: parent category {category.parent.id} "
                "was not found in commercetools"
            )
    return CategorySpec(
        ref=category_ref(category),
        name=required_name(category.name, rules.locale, f"category {category_ref(category)}"),
        parent_ref=parent_ref,
    )


def category_write(
    spec: CategorySpec, existing: FluentCategory | None, rules: CategoryRules
) -> CategoryWrite | None:
    """Create when missing; update only the owned fields that differ; None when equal."""
    parent = (
        CatalogueEntityKey.of(spec.parent_ref, rules.catalogue_ref) if spec.parent_ref else None
    )
    catalogue = RefKey(ref=rules.catalogue_ref)
    if existing is None:
        return CreateCategoryInput(
            ref=spec.ref,
            catalogue=catalogue,
            type=rules.category_type,
            name=spec.name,
            parent_category=parent,
        )
    if spec.parent_ref is None and existing.parent_ref is not None:
        raise UnmappableError(
            f"category {spec.ref} became a root category, but Fluent cannot remove the parent "
            f"({existing.parent_ref}) of an existing category: change it in Fluent"
        )
    name = spec.name if spec.name != existing.name else None
    parent_changed = spec.parent_ref != existing.parent_ref
    reactivate = existing.status == INACTIVE
    if name is None and not parent_changed and not reactivate:
        return None
    return UpdateCategoryInput(
        ref=spec.ref,
        catalogue=catalogue,
        name=name,
        parent_category=parent if parent_changed else None,
        status=ACTIVE if reactivate else None,
    )


def category_deactivation(
    ref: str, existing: FluentCategory | None, rules: CategoryRules
) -> UpdateCategoryInput | None:
    """Status INACTIVE for a deleted category that exists in Fluent and is not inactive yet
    (Fluent categories are never deleted; a category that comes back is reactivated)."""
    if existing is None or existing.status == INACTIVE:
        return None
    return UpdateCategoryInput(ref=ref, catalogue=RefKey(ref=rules.catalogue_ref), status=INACTIVE)


def category_levels(categories: Sequence[Category]) -> list[list[Category]]:
    """`categories` in levels: a category's parent, when it is among them, is in an earlier
    level. Order within a level follows the input. Each id counts once (the last copy wins)."""
    by_id = {category.id: category for category in categories}
    depth: dict[str, int] = {}

    def depth_of(category_id: str) -> int:
        chain: list[str] = []
        current: str | None = category_id
        while current is not None and current in by_id and current not in depth:
            if current in chain:
                raise ValueError(f"categories form a cycle through {current}")
            chain.append(current)
            parent = by_id[current].parent
            current = parent.id if parent is not None else None
        base = depth[current] + 1 if current is not None and current in depth else 0
        for offset, member in enumerate(reversed(chain)):
            depth[member] = base + offset
        return depth[category_id]

    levels: list[list[Category]] = []
    for category in by_id.values():
        level = depth_of(category.id)
        while len(levels) <= level:
            levels.append([])
        levels[level].append(category)
    return levels
