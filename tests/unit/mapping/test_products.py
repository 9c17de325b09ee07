"""commercetools product projections -> Fluent standard and variant products, and the diff that
writes only what changed."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.fluent.models import (
    Attribute,
    CreateStandardProductInput,
    CreateVariantProductInput,
    Price,
    StandardProduct,
    UpdateStandardProductInput,
    UpdateVariantProductInput,
    VariantProduct,
)
from connector.mapping.products import (
    INACTIVE,
    ProductRules,
    ProductSpec,
    ProductWrites,
    deactivation_writes,
    fluent_attribute,
    product_ref,
    product_spec,
    product_writes,
)
from connector.syncs import UnmappableError
from tests.unit.syncs.factories import (
    CATALOGUE,
    apply_standard,
    apply_variant,
    price,
    product,
    variant,
)

RULES = ProductRules(
    locale="en",
    catalogue_ref=CATALOGUE,
    currency="EUR",
    attributes=("color", "size"),
)
CATEGORIES = {"cat-1": "shoes", "cat-2": "sale"}


def spec_of(projection: Any = None, rules: ProductRules = RULES, **kwargs: Any) -> ProductSpec:
    return product_spec(projection or product(), rules, CATEGORIES, **kwargs)


def in_fluent(
    spec: ProductSpec, rules: ProductRules = RULES
) -> tuple[StandardProduct, dict[str, VariantProduct]]:
    """The Fluent entities as a first sync creates them."""
    writes = product_writes(spec, None, {}, rules)
    assert writes.standard is not None
    standard = apply_standard(writes.standard, None)
    variants = {w.ref: apply_variant(w, None) for w in writes.variants}
    return standard, variants


def apply(
    writes: ProductWrites, standard: StandardProduct | None, variants: dict[str, VariantProduct]
) -> tuple[StandardProduct | None, dict[str, VariantProduct]]:
    if writes.standard is not None:
        standard = apply_standard(writes.standard, standard)
    variants = dict(variants)
    for write in writes.variants:
        variants[write.ref] = apply_variant(write, variants.get(write.ref))
    return standard, variants


# --- refs, names, GTIN ------------------------------------------------------------------------


def test_refs_are_the_product_key_and_the_skus() -> None:
    spec = spec_of()

    assert spec.ref == "shirt"
    assert [v.ref for v in spec.variants] == ["SKU-1", "SKU-2"]


def test_a_product_without_key_is_referenced_by_its_id() -> None:
    assert product_ref(product("prod-9", key=None)) == "prod-9"
    assert spec_of(product("prod-9", key=None)).ref == "prod-9"


def test_a_variant_without_sku_makes_the_product_fail_with_the_reason() -> None:
    projection = product(variants=[variant(1, "SKU-1"), variant(2, None)])

    with pytest.raises(UnmappableError, match="shirt: variant 2 has no SKU"):
        spec_of(projection)


def test_the_same_sku_on_two_variants_is_refused() -> None:
    projection = product(variants=[variant(1, "SKU-1"), variant(2, "SKU-1")])

    with pytest.raises(UnmappableError, match=r"SKUs \['SKU-1'\] appear on several variants"):
        spec_of(projection)


def test_gtin_comes_from_the_attribute_and_falls_back_to_the_sku() -> None:
    projection = product(
        variants=[
            variant(1, "SKU-1", attributes={"gtin": " 4006381333931 "}),
            variant(2, "SKU-2", attributes={"gtin": ""}),
            variant(3, "SKU-3", attributes={"gtin": 4006381333948}),
            variant(4, "SKU-4"),
        ]
    )

    spec = spec_of(projection)

    assert [v.gtin for v in spec.variants] == ["4006381333931", "SKU-2", "4006381333948", "SKU-4"]
    assert spec.gtin == "4006381333931"


def test_the_gtin_attribute_is_a_setting() -> None:
    projection = product(variants=[variant(1, "SKU-1", attributes={"ean": "123", "gtin": "9"})])

    spec = spec_of(projection, RULES.model_copy(update={"gtin_attribute": "ean"}))

    assert spec.variants[0].gtin == "123"


def test_names_are_taken_in_the_configured_locale() -> None:
    spec = spec_of(rules=RULES.model_copy(update={"locale": "de-DE"}))

    assert spec.name == "Hemd"
    assert {v.name for v in spec.variants} == {"Hemd"}


def test_a_product_without_a_name_in_the_locale_fails_with_the_locales_it_has() -> None:
    with pytest.raises(UnmappableError, match=r"product shirt has no name in locale 'fr'"):
        spec_of(rules=RULES.model_copy(update={"locale": "fr"}))


# --- categories -------------------------------------------------------------------------------


def test_categories_become_sorted_refs_on_the_product_and_every_variant() -> None:
    spec = spec_of(product(categories=["cat-2", "cat-1", "cat-2"]))

    assert spec.category_refs == ("sale", "shoes")
    assert {v.category_refs for v in spec.variants} == {("sale", "shoes")}


def test_an_unknown_category_makes_the_product_fail() -> None:
    with pytest.raises(UnmappableError, match=r"categories \['cat-x'\] were not found"):
        spec_of(product(categories=["cat-1", "cat-x"]))


# --- prices -----------------------------------------------------------------------------------


def prices_of(prices: list[dict[str, Any]], rules: ProductRules = RULES) -> tuple[Price, ...]:
    return spec_of(product(variants=[variant(1, "SKU-1", prices=prices)]), rules).variants[0].prices


def test_the_price_without_country_is_used_when_no_country_is_set() -> None:
    prices = [price(1500, country="DE"), price(1999), price(2500, "CHF")]

    assert prices_of(prices) == (Price(type="DEFAULT", currency="EUR", value=19.99),)


def test_the_country_price_is_used_when_a_country_is_set() -> None:
    prices = [price(1999), price(2199, country="AT")]

    assert prices_of(prices, RULES.model_copy(update={"country": "AT"})) == (
        Price(type="DEFAULT", currency="EUR", value=21.99),
    )


def test_prices_in_another_currency_give_no_price() -> None:
    assert prices_of([price(2500, "CHF")]) == ()


@pytest.mark.parametrize(
    "special",
    [
        {"channel": {"typeId": "channel", "id": "chan-1"}},
        {"customerGroup": {"typeId": "customer-group", "id": "vip"}},
        {"validFrom": "2026-01-01T00:00:00Z"},
        {"validUntil": "2030-01-01T00:00:00Z"},
    ],
)
def test_scoped_or_time_limited_prices_are_never_the_list_price(special: dict[str, Any]) -> None:
    assert prices_of([price(999, **special), price(1999)]) == (
        Price(type="DEFAULT", currency="EUR", value=19.99),
    )
    assert prices_of([price(999, **special)]) == ()


@pytest.mark.parametrize(("cents", "digits", "value"), [(1999, 0, 1999.0), (19995, 3, 19.995)])
def test_fraction_digits_are_honoured(cents: int, digits: int, value: float) -> None:
    assert prices_of([price(cents, digits=digits)])[0].value == value


def test_the_fluent_price_type_is_a_setting() -> None:
    rules = RULES.model_copy(update={"price_type": "RETAIL"})

    assert prices_of([price(100)], rules)[0].type == "RETAIL"


# --- attributes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("red", Attribute(name="a", type="STRING", value="red")),
        (True, Attribute(name="a", type="BOOLEAN", value=True)),
        (3, Attribute(name="a", type="INTEGER", value=3)),
        (2.5, Attribute(name="a", type="FLOAT", value=2.5)),
        ({"key": "red", "label": "Red"}, Attribute(name="a", type="STRING", value="red")),
        ({"key": "red", "label": {"en": "Red"}}, Attribute(name="a", type="STRING", value="red")),
        ({"en": "Cotton", "de": "Baumwolle"}, Attribute(name="a", type="STRING", value="Cotton")),
        ({"de": "Baumwolle"}, Attribute(name="a", type="JSON", value={"de": "Baumwolle"})),
        (["S", "M"], Attribute(name="a", type="JSON", value=["S", "M"])),
        ({"centAmount": 5}, Attribute(name="a", type="JSON", value={"centAmount": 5})),
        (None, None),
    ],
)
def test_attribute_values_map_to_fluent_types(value: Any, expected: Attribute | None) -> None:
    assert fluent_attribute("a", value, "en") == expected


def test_only_configured_attributes_are_sent_and_absent_ones_are_left_out() -> None:
    projection = product(
        variants=[variant(1, "SKU-1", attributes={"color": "red", "material": "cotton"})]
    )

    assert spec_of(projection).variants[0].attributes == (
        Attribute(name="color", type="STRING", value="red"),
    )


# --- writes -----------------------------------------------------------------------------------


def test_a_new_product_creates_the_standard_product_then_every_variant() -> None:
    writes = product_writes(spec_of(product(categories=["cat-1"])), None, {}, RULES)

    assert isinstance(writes.standard, CreateStandardProductInput)
    assert writes.standard.to_variables() == {
        "ref": "shirt",
        "catalogue": {"ref": CATALOGUE},
        "type": "DEFAULT",
        "gtin": "4006381333931",
        "name": "Shirt",
        "categories": [{"ref": "shoes", "catalogue": {"ref": CATALOGUE}}],
    }
    assert [type(w) for w in writes.variants] == [CreateVariantProductInput] * 2
    assert writes.variants[0].to_variables() == {
        "ref": "SKU-1",
        "catalogue": {"ref": CATALOGUE},
        "type": "DEFAULT",
        "gtin": "4006381333931",
        "name": "Shirt",
        "categories": [{"ref": "shoes", "catalogue": {"ref": CATALOGUE}}],
        "prices": [{"type": "DEFAULT", "currency": "EUR", "value": 19.99}],
        "product": {"ref": "shirt", "catalogue": {"ref": CATALOGUE}},
    }
    assert writes.count == 3


def test_an_unchanged_product_makes_no_write() -> None:
    spec = spec_of(product(categories=["cat-1", "cat-2"]))
    standard, variants = in_fluent(spec)

    assert product_writes(spec, standard, variants, RULES).count == 0


def test_a_changed_price_updates_only_that_variant_and_only_its_prices() -> None:
    spec = spec_of()
    standard, variants = in_fluent(spec)
    changed = product(
        variants=[
            variant(1, "SKU-1", attributes={"gtin": "4006381333931"}),
            variant(2, "SKU-2", prices=[price(2499)]),
        ]
    )

    writes = product_writes(spec_of(changed), standard, variants, RULES)

    assert writes.standard is None
    assert [w.to_variables() for w in writes.variants] == [
        {
            "ref": "SKU-2",
            "catalogue": {"ref": CATALOGUE},
            "prices": [{"type": "DEFAULT", "currency": "EUR", "value": 24.99}],
        }
    ]


def test_a_renamed_product_updates_the_standard_product_and_every_variant_name() -> None:
    spec = spec_of()
    standard, variants = in_fluent(spec)

    renamed = spec_of(product(name={"en": "Polo"}))
    writes = product_writes(renamed, standard, variants, RULES)

    assert isinstance(writes.standard, UpdateStandardProductInput)
    assert writes.standard.to_variables() == {
        "ref": "shirt",
        "catalogue": {"ref": CATALOGUE},
        "name": "Polo",
    }
    assert [w.to_variables()["name"] for w in writes.variants] == ["Polo", "Polo"]


def test_category_order_in_fluent_does_not_count_as_a_change() -> None:
    spec = spec_of(product(categories=["cat-1", "cat-2"]))
    standard, variants = in_fluent(spec)
    shuffled = standard.model_copy(update={"category_refs": ["shoes", "sale"]})

    assert product_writes(spec, shuffled, variants, RULES).standard is None


def test_prices_of_other_types_or_currencies_stay_when_ours_change() -> None:
    spec = spec_of()
    standard, variants = in_fluent(spec)
    foreign = [
        Price(type="SALE", currency="EUR", value=9.99),
        Price(type="DEFAULT", currency="CHF", value=21.0),
    ]
    variants["SKU-2"] = variants["SKU-2"].model_copy(
        update={"prices": [*foreign, Price(type="DEFAULT", currency="EUR", value=1.0)]}
    )

    writes = product_writes(spec, standard, variants, RULES)

    (update,) = writes.variants
    assert update.prices == [*foreign, Price(type="DEFAULT", currency="EUR", value=19.99)]


def test_foreign_prices_and_attributes_alone_are_no_change() -> None:
    spec = spec_of()
    standard, variants = in_fluent(spec)
    variants["SKU-1"] = variants["SKU-1"].model_copy(
        update={
            "prices": [*variants["SKU-1"].prices, Price(type="SALE", currency="EUR", value=1.0)],
            "attributes": [Attribute(name="fluentOnly", type="STRING", value="x")],
        }
    )

    assert product_writes(spec, standard, variants, RULES).count == 0


def test_a_price_that_disappeared_is_removed_and_foreign_ones_kept() -> None:
    spec = spec_of()
    standard, variants = in_fluent(spec)
    no_price = product(
        variants=[
            variant(1, "SKU-1", attributes={"gtin": "4006381333931"}),
            variant(2, "SKU-2", prices=[]),
        ]
    )

    writes = product_writes(spec_of(no_price), standard, variants, RULES)

    (update,) = writes.variants
    assert update.ref == "SKU-2"
    assert update.prices == []


def test_a_changed_attribute_sends_only_that_attribute() -> None:
    before = product(variants=[variant(1, "SKU-1", attributes={"color": "red", "size": "M"})])
    standard, variants = in_fluent(spec_of(before))
    after = product(variants=[variant(1, "SKU-1", attributes={"color": "blue", "size": "M"})])

    (update,) = product_writes(spec_of(after), standard, variants, RULES).variants

    assert update.to_variables() == {
        "ref": "SKU-1",
        "catalogue": {"ref": CATALOGUE},
        "attributes": [{"name": "color", "type": "STRING", "value": "blue"}],
    }


def test_numbers_compare_by_value_not_by_type() -> None:
    before = product(variants=[variant(1, "SKU-1", attributes={"size": 2.0})])
    spec = spec_of(before)
    standard, variants = in_fluent(spec)
    variants["SKU-1"] = variants["SKU-1"].model_copy(
        update={"attributes": [Attribute(name="size", type="FLOAT", value=2)]}
    )

    assert product_writes(spec, standard, variants, RULES).count == 0


def test_a_variant_moved_to_another_product_is_relinked() -> None:
    spec = spec_of()
    standard, variants = in_fluent(spec)
    variants["SKU-1"] = variants["SKU-1"].model_copy(update={"product_ref": "old-shirt"})

    (update,) = product_writes(spec, standard, variants, RULES).variants

    assert isinstance(update, UpdateVariantProductInput)
    assert update.to_variables()["product"] == {"ref": "shirt", "catalogue": {"ref": CATALOGUE}}


def test_a_deactivated_product_is_reactivated_but_workflow_statuses_are_left_alone() -> None:
    spec = spec_of()
    standard, variants = in_fluent(spec)

    inactive = standard.model_copy(update={"status": INACTIVE})
    writes = product_writes(spec, inactive, variants, RULES)
    assert writes.standard is not None
    assert writes.standard.to_variables()["status"] == "ACTIVE"

    in_workflow = standard.model_copy(update={"status": "AWAITING_APPROVAL"})
    assert product_writes(spec, in_workflow, variants, RULES).standard is None


def test_a_removed_product_deactivates_what_is_still_active() -> None:
    spec = spec_of()
    standard, variants = in_fluent(spec)
    already_inactive = variants["SKU-2"].model_copy(update={"status": INACTIVE})

    writes = deactivation_writes("shirt", standard, [variants["SKU-1"], already_inactive], RULES)

    assert writes.standard is not None
    assert writes.standard.to_variables() == {
        "ref": "shirt",
        "catalogue": {"ref": CATALOGUE},
        "status": "INACTIVE",
    }
    assert [w.to_variables() for w in writes.variants] == [
        {"ref": "SKU-1", "catalogue": {"ref": CATALOGUE}, "status": "INACTIVE"}
    ]


def test_deactivating_what_does_not_exist_writes_nothing() -> None:
    assert deactivation_writes("shirt", None, [], RULES).count == 0
    assert deactivation_writes(None, None, [], RULES).count == 0


# --- property: one round of writes is always enough ------------------------------------------

skus = st.text(alphabet="ABCDEFGH0123456789-", min_size=1, max_size=6)
prices_strategy = st.lists(
    st.builds(
        price,
        st.integers(min_value=0, max_value=10**7),
        st.sampled_from(["EUR", "CHF"]),
        st.sampled_from([None, "AT", "DE"]),
    ),
    max_size=3,
)
attribute_values = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.fixed_dictionaries({"key": st.text(min_size=1, max_size=3), "label": st.text(max_size=3)}),
)


@st.composite
def projections(draw: st.DrawFn) -> Any:
    chosen = draw(st.lists(skus, min_size=1, max_size=4, unique=True))
    variants = [
        variant(
            i + 1,
            sku,
            prices=draw(prices_strategy),
            attributes={"color": draw(attribute_values), "size": draw(attribute_values)},
        )
        for i, sku in enumerate(chosen)
    ]
    return product(
        key=draw(st.sampled_from(["shirt", None])),
        name={"en": draw(st.text(min_size=1, max_size=8))},
        categories=draw(st.lists(st.sampled_from(sorted(CATEGORIES)), max_size=2)),
        variants=variants,
    )


@settings(max_examples=150, deadline=None)
@given(
    before=projections(),
    after=projections(),
    country=st.sampled_from([None, "AT"]),
    deactivated=st.booleans(),
)
def test_after_applying_the_writes_the_next_diff_is_empty(
    before: Any, after: Any, country: str | None, deactivated: bool
) -> None:
    rules = RULES.model_copy(update={"country": country})
    standard: StandardProduct | None
    standard, variants = in_fluent(product_spec(before, rules, CATEGORIES))
    if deactivated:
        standard, variants = apply(
            deactivation_writes(standard.ref, standard, list(variants.values()), rules),
            standard,
            variants,
        )
    if product_ref(before) != product_ref(after):
        standard = None
    target = product_spec(after, rules, CATEGORIES)

    standard, variants = apply(
        product_writes(target, standard, variants, rules), standard, variants
    )

    assert product_writes(target, standard, variants, rules).count == 0
