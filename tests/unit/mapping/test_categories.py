"""commercetools categories -> Fluent categories: refs, names, parents, diffs, parents first."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.fluent.models import CreateCategoryInput, UpdateCategoryInput
from connector.mapping.categories import (
    CategoryRules,
    CategorySpec,
    category_deactivation,
    category_levels,
    category_ref,
    category_spec,
    category_write,
    localized,
)
from connector.syncs import UnmappableError
from tests.unit.syncs.factories import CATALOGUE, apply_category, category

RULES = CategoryRules(locale="en", catalogue_ref=CATALOGUE, category_type="DEFAULT")


def test_the_ref_is_the_key_and_falls_back_to_the_id() -> None:
    assert category_ref(category("c-1", key="shoes")) == "shoes"
    assert category_ref(category("c-1")) == "c-1"


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ({"en": "Shoes", "de": "Schuhe"}, "de", "Schuhe"),
        ({"en-GB": "Trainers", "en-US": "Sneakers"}, "en", "Trainers"),
        ({"en": "Shoes"}, "en-US", "Shoes"),
        ({"EN": "Shoes"}, "en", "Shoes"),
        ({"de": "Schuhe"}, "en", None),
        ({"en": ""}, "en", None),
        ({}, "en", None),
        (None, "en", None),
    ],
)
def test_localized_text_prefers_the_locale_then_its_language(
    text: dict[str, str] | None, locale: str, expected: str | None
) -> None:
    assert localized(text, locale) == expected


def test_a_category_without_a_name_in_the_locale_is_refused_with_the_locales_it_has() -> None:
    nameless = category("c-1", key="shoes", name={"de": "Schuhe", "fr": "Chaussures"})

    with pytest.raises(
        UnmappableError, match=r"shoes has no name in locale 'en' \(locales: de, fr"
    ):
        category_spec(nameless, RULES, {})


def test_the_spec_names_the_parent_by_its_ref() -> None:
    child = category("c-2", key="sneakers", parent="c-1", name={"en": "Sneakers"})

    spec = category_spec(child, RULES, {"c-1": "shoes"})

    assert spec == CategorySpec(ref="sneakers", name="Sneakers", parent_ref="shoes")


def test_a_parent_that_cannot_be_found_is_a_clear_failure() -> None:
    child = category("c-2", key="sneakers", parent="c-missing")

    with pytest.raises(UnmappableError, match="parent category c-missing was not found"):
        category_spec(child, RULES, {})


def test_a_missing_category_is_created_with_its_parent_in_the_catalogue() -> None:
    write = category_write(
        CategorySpec(ref="sneakers", name="Sneakers", parent_ref="shoes"), None, RULES
    )

    assert isinstance(write, CreateCategoryInput)
    assert write.to_variables() == {
        "ref": "sneakers",
        "catalogue": {"ref": CATALOGUE},
        "type": "DEFAULT",
        "name": "Sneakers",
        "parentCategory": {"ref": "shoes", "catalogue": {"ref": CATALOGUE}},
    }


def test_a_root_category_is_created_without_parent() -> None:
    write = category_write(CategorySpec(ref="shoes", name="Shoes"), None, RULES)

    assert isinstance(write, CreateCategoryInput)
    assert write.parent_category is None


def test_an_unchanged_category_needs_no_write() -> None:
    spec = CategorySpec(ref="sneakers", name="Sneakers", parent_ref="shoes")
    existing = apply_category(category_write(spec, None, RULES), None)  # type: ignore[arg-type]

    assert category_write(spec, existing, RULES) is None


def test_a_renamed_category_sends_only_the_name() -> None:
    spec = CategorySpec(ref="sneakers", name="Sneakers", parent_ref="shoes")
    existing = apply_category(category_write(spec, None, RULES), None)  # type: ignore[arg-type]

    write = category_write(spec.model_copy(update={"name": "Trainers"}), existing, RULES)

    assert isinstance(write, UpdateCategoryInput)
    assert write.to_variables() == {
        "ref": "sneakers",
        "catalogue": {"ref": CATALOGUE},
        "name": "Trainers",
    }


def test_a_moved_category_sends_only_the_new_parent() -> None:
    spec = CategorySpec(ref="sneakers", name="Sneakers", parent_ref="shoes")
    existing = apply_category(category_write(spec, None, RULES), None)  # type: ignore[arg-type]

    write = category_write(spec.model_copy(update={"parent_ref": "sport"}), existing, RULES)

    assert isinstance(write, UpdateCategoryInput)
    assert write.to_variables() == {
        "ref": "sneakers",
        "catalogue": {"ref": CATALOGUE},
        "parentCategory": {"ref": "sport", "catalogue": {"ref": CATALOGUE}},
    }


def test_a_category_that_became_a_root_is_refused_because_fluent_cannot_unset_a_parent() -> None:
    spec = CategorySpec(ref="sneakers", name="Sneakers", parent_ref="shoes")
    existing = apply_category(category_write(spec, None, RULES), None)  # type: ignore[arg-type]

    with pytest.raises(UnmappableError, match="became a root category"):
        category_write(spec.model_copy(update={"parent_ref": None}), existing, RULES)


def test_levels_put_parents_before_children_whatever_the_input_order() -> None:
    grandchild = category("c-3", parent="c-2")
    child = category("c-2", parent="c-1")
    root = category("c-1")
    outsider_child = category("c-9", parent="elsewhere")

    levels = category_levels([grandchild, outsider_child, child, root])

    assert [[c.id for c in level] for level in levels] == [["c-9", "c-1"], ["c-2"], ["c-3"]]


def test_levels_of_nothing_are_empty() -> None:
    assert category_levels([]) == []


def test_a_cycle_is_reported() -> None:
    with pytest.raises(ValueError, match="cycle"):
        category_levels([category("a", parent="b"), category("b", parent="a")])


@given(st.data())
def test_levels_place_every_category_once_after_its_parent(data: st.DataObject) -> None:
    count = data.draw(st.integers(min_value=0, max_value=25))
    parents = [
        data.draw(st.one_of(st.none(), st.sampled_from([f"c{j}" for j in range(i)] or ["x"])))
        for i in range(count)
    ]
    categories = [category(f"c{i}", parent=parent) for i, parent in enumerate(parents)]
    order = data.draw(st.permutations(categories))

    levels = category_levels(order)

    level_of = {c.id: n for n, level in enumerate(levels) for c in level}
    assert sorted(level_of) == sorted(c.id for c in categories)
    assert sum(len(level) for level in levels) == count
    for c in categories:
        if c.parent is not None and c.parent.id in level_of:
            assert level_of[c.parent.id] < level_of[c.id]
        if c.parent is None or c.parent.id not in level_of:
            assert level_of[c.id] == 0


def test_a_deleted_category_is_deactivated_once() -> None:
    spec = CategorySpec(ref="sneakers", name="Sneakers")
    existing = apply_category(category_write(spec, None, RULES), None)  # type: ignore[arg-type]

    write = category_deactivation("sneakers", existing, RULES)

    assert write is not None
    assert write.to_variables() == {
        "ref": "sneakers",
        "catalogue": {"ref": CATALOGUE},
        "status": "INACTIVE",
    }
    inactive = apply_category(write, existing)
    assert category_deactivation("sneakers", inactive, RULES) is None
    assert category_deactivation("unknown", None, RULES) is None


def test_a_category_that_comes_back_is_reactivated() -> None:
    spec = CategorySpec(ref="sneakers", name="Sneakers")
    existing = apply_category(category_write(spec, None, RULES), None)  # type: ignore[arg-type]
    inactive = existing.model_copy(update={"status": "INACTIVE"})

    write = category_write(spec, inactive, RULES)

    assert write is not None
    assert write.to_variables() == {
        "ref": "sneakers",
        "catalogue": {"ref": CATALOGUE},
        "status": "ACTIVE",
    }
