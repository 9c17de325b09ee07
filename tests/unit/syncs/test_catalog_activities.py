"""The catalog sync activities against both sandboxes in process: categories parents first,
products with variants, only differences written, one failing product isolated, resuming from
the heartbeat checkpoint, and real-time changes of one entity."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from activities.catalog import CatalogActivities, modified_predicate
from activities.sync_common import Checkpoint, PagesRequest, PagesResult
from connector.syncs import (
    ENTITY_CATEGORY,
    ENTITY_PRODUCT,
    CatalogChangeInput,
    CatalogResource,
    RetryEntity,
    StatsByEntity,
    SyncStats,
    SyncWindow,
)
from sandbox.commercetools.seed import PRODUCT_TYPE_KEY
from sandbox.commercetools.store import seeded_id
from tests.unit.syncs.platforms import Platforms, platforms

CATALOGUE = "PC:MASTER:1"


def full_window() -> SyncWindow:
    return SyncWindow(lower=None, upper=datetime.now(UTC))


async def full_sync(world: Platforms, activities: CatalogActivities) -> StatsByEntity:
    categories = await world.environment.run(
        activities.sync_categories, PagesRequest(window=full_window())
    )
    products = await world.environment.run(
        activities.sync_product_pages, PagesRequest(window=full_window())
    )
    assert products.finished
    return {**categories.stats, **products.stats}


def product_id(key: str) -> str:
    return seeded_id("product", key)


def test_a_delta_window_becomes_a_predicate_with_the_last_runs_failures() -> None:
    lower = datetime(2026, 3, 1, 12, tzinfo=UTC)
    window = SyncWindow(
        lower=lower,
        upper=lower + timedelta(minutes=15),
        retry=(RetryEntity(entity="product", id="p-1"), RetryEntity(entity="category", id="c")),
    )

    assert modified_predicate(window, ENTITY_PRODUCT) == (
        '(lastModifiedAt >= "2026-03-01T12:00:00.000Z" and lastModifiedAt <= '
        '"2026-03-01T12:15:00.000Z") or id in ("p-1")'
    )
    assert modified_predicate(window.model_copy(update={"retry": ()}), ENTITY_PRODUCT) == (
        'lastModifiedAt >= "2026-03-01T12:00:00.000Z" and lastModifiedAt <= '
        '"2026-03-01T12:15:00.000Z"'
    )
    assert modified_predicate(full_window(), ENTITY_PRODUCT) is None


async def test_a_full_sync_creates_categories_then_products_with_every_variant() -> None:
    async with platforms() as world:
        stats = await full_sync(world, CatalogActivities(world.deps))

        store = world.fluent_sandbox.store
        seed = world.seed
        assert stats[ENTITY_CATEGORY].created == len(seed.categories)
        assert stats[ENTITY_PRODUCT].created == len(seed.products)
        for category in seed.categories:
            fluent = store.category(CATALOGUE, category.key)
            assert fluent is not None
            parent = fluent.parent_category.ref if fluent.parent_category else None
            assert parent == category.parent_key
            assert fluent.name == category.name["en"]
        for product in seed.products:
            standard = store.product(CATALOGUE, product.key)
            assert standard is not None
            assert sorted(c.ref for c in standard.categories) == sorted(product.category_keys)
            for variant in product.variants:
                fluent_variant = store.product(CATALOGUE, variant.sku)
                assert fluent_variant is not None
                assert fluent_variant.gtin == variant.gtin
                eur = next(p for p in variant.prices if p.currency == "EUR" and not p.country)
                assert [(p.currency, p.value) for p in fluent_variant.prices] == [
                    ("EUR", eur.cent_amount / 100)
                ]
        mutations = world.fluent_requests.fluent_mutations()
        assert mutations["CreateCategory"] == len(seed.categories)
        assert mutations["CreateStandardProduct"] == len(seed.products)
        assert mutations["CreateVariantProduct"] == sum(len(p.variants) for p in seed.products)


async def test_a_second_run_over_an_unchanged_catalog_writes_nothing() -> None:
    async with platforms() as world:
        activities = CatalogActivities(world.deps)
        await full_sync(world, activities)
        world.clear_requests()

        stats = await full_sync(world, activities)

        assert world.fluent_requests.fluent_mutations() == {}
        assert stats[ENTITY_PRODUCT].unchanged == len(world.seed.products)
        assert stats[ENTITY_CATEGORY].unchanged == len(world.seed.categories)
        assert stats[ENTITY_PRODUCT].writes == 0


async def test_a_changed_price_is_one_variant_update_in_a_delta_window() -> None:
    async with platforms() as world:
        activities = CatalogActivities(world.deps)
        await full_sync(world, activities)
        later = datetime.now(UTC) + timedelta(hours=1)
        world.ct_sandbox.store.clock = lambda: later
        product = world.seed.products[2]
        sku = product.variants[1].sku
        await world.update_product(
            product_id(product.key),
            {
                "action": "setPrices",
                "sku": sku,
                "prices": [{"value": {"currencyCode": "EUR", "centAmount": 4242}}],
            },
        )
        world.clear_requests()
        window = SyncWindow(lower=later - timedelta(minutes=2), upper=later)

        result = await world.environment.run(
            activities.sync_product_pages, PagesRequest(window=window)
        )

        assert world.fluent_requests.fluent_mutations() == {"UpdateVariantProduct": 1}
        assert result.stats[ENTITY_PRODUCT].updated == 1
        assert result.stats[ENTITY_PRODUCT].processed == 1
        variant = world.fluent_sandbox.store.product(CATALOGUE, sku)
        assert variant is not None
        assert [p.value for p in variant.prices] == [42.42]


async def test_a_product_fluent_refuses_is_recorded_and_the_others_are_synced() -> None:
    async with platforms() as world:
        activities = CatalogActivities(world.deps)
        # products before their categories: Fluent refuses products whose category it lacks
        await world.shop_json(
            "POST",
            "categories",
            {"key": "orphans", "name": {"en": "Orphans"}, "slug": {"en": "orphans"}},
        )
        await world.shop_json(
            "POST",
            "products",
            {
                "productType": {"typeId": "product-type", "key": PRODUCT_TYPE_KEY},
                "key": "orphan",
                "name": {"en": "Orphan"},
                "slug": {"en": "orphan"},
                "categories": [{"typeId": "category", "key": "orphans"}],
                "masterVariant": {"sku": "ORPHAN-1"},
                "publish": True,
            },
        )
        await world.environment.run(activities.sync_categories, PagesRequest(window=full_window()))
        await world.shop_json(
            "POST",
            "categories",
            {"key": "late", "name": {"en": "Late"}, "slug": {"en": "late"}},
        )
        late = await world.shop_json("GET", "categories/key=late")
        orphan = await world.shop_json("GET", "products/key=orphan")
        await world.update_product(
            orphan["id"],
            {"action": "addToCategory", "category": {"typeId": "category", "id": late["id"]}},
        )

        result = await world.environment.run(
            activities.sync_product_pages, PagesRequest(window=full_window())
        )

        products = result.stats[ENTITY_PRODUCT]
        assert products.created == len(world.seed.products)
        assert products.failed == 1
        (failure,) = products.failures
        assert failure.id == orphan["id"]
        assert "late" in failure.reason
        assert world.fluent_sandbox.store.product(CATALOGUE, "ORPHAN-1") is None


async def test_a_product_without_a_name_in_the_locale_fails_with_that_reason() -> None:
    async with platforms(locale="fr") as world:
        activities = CatalogActivities(world.deps)

        result = await world.environment.run(
            activities.sync_product_pages, PagesRequest(window=full_window())
        )

        assert result.stats[ENTITY_PRODUCT].failed == len(world.seed.products)
        assert "has no name in locale 'fr' (locales: de, en)" in (
            result.stats[ENTITY_PRODUCT].failures[0].reason
        )
        assert world.fluent_requests.fluent_mutations() == {}


async def test_a_retried_attempt_resumes_after_the_checkpointed_cursor() -> None:
    async with platforms() as world:
        activities = CatalogActivities(world.deps)
        await world.environment.run(activities.sync_categories, PagesRequest(window=full_window()))
        ids = sorted(product_id(p.key) for p in world.seed.products)
        carried = SyncStats(created=3, writes=9)
        checkpoint = Checkpoint(cursor=ids[2], pages=1, stats={ENTITY_PRODUCT: carried})
        world.environment.info = dataclasses.replace(
            world.environment.info,
            attempt=2,
            heartbeat_details=[checkpoint.model_dump(mode="json")],
        )
        beats: list[Any] = []
        world.environment.on_heartbeat = lambda *details: beats.append(details)

        result: PagesResult = await world.environment.run(
            activities.sync_product_pages, PagesRequest(window=full_window())
        )

        assert result.stats[ENTITY_PRODUCT].created == len(ids)
        assert result.cursor == ids[-1]
        assert result.pages == 2
        synced = {
            p.key
            for p in world.seed.products
            if world.fluent_sandbox.store.product(CATALOGUE, p.key)
        }
        assert synced == {p.key for p in world.seed.products if product_id(p.key) > ids[2]}
        assert Checkpoint.model_validate(beats[-1][0]).cursor == ids[-1]


async def test_the_product_count_follows_the_window() -> None:
    async with platforms() as world:
        activities = CatalogActivities(world.deps)
        future = datetime.now(UTC) + timedelta(hours=1)

        everything = await world.environment.run(activities.count_products, full_window())
        nothing = await world.environment.run(
            activities.count_products,
            SyncWindow(lower=future, upper=future + timedelta(minutes=1)),
        )

        assert everything == len(world.seed.products)
        assert nothing == 0


def change(resource: CatalogResource, entity_id: str, message_type: str, **kw: Any) -> Any:
    return CatalogChangeInput(
        resource=resource,
        id=entity_id,
        version=2,
        message_type=message_type,
        message_id=f"m-{entity_id}",
        **kw,
    )


async def test_a_new_category_arrives_after_its_parent_in_real_time() -> None:
    async with platforms() as world:
        activities = CatalogActivities(world.deps)
        await world.shop_json(
            "POST", "categories", {"key": "sport", "name": {"en": "Sport"}, "slug": {"en": "sport"}}
        )
        child = await world.shop_json(
            "POST",
            "categories",
            {
                "key": "running",
                "name": {"en": "Running"},
                "slug": {"en": "running"},
                "parent": {"typeId": "category", "key": "sport"},
            },
        )

        stats = await world.environment.run(
            activities.sync_catalog_change,
            change(CatalogResource.CATEGORY, child["id"], "CategoryCreated"),
        )

        store = world.fluent_sandbox.store
        running = store.category(CATALOGUE, "running")
        assert running is not None
        assert running.parent_category is not None
        assert running.parent_category.ref == "sport"
        assert stats[ENTITY_CATEGORY].created == 2
        labels = [label for label in world.fluent_requests.sent if "CreateCategory" in label]
        assert len(labels) == 2


async def test_a_published_product_change_syncs_that_product_only() -> None:
    async with platforms() as world:
        activities = CatalogActivities(world.deps)
        await world.environment.run(activities.sync_categories, PagesRequest(window=full_window()))
        product = world.seed.products[0]
        world.clear_requests()

        stats = await world.environment.run(
            activities.sync_catalog_change,
            change(CatalogResource.PRODUCT, product_id(product.key), "ProductPublished"),
        )

        assert stats[ENTITY_PRODUCT].created == 1
        assert world.fluent_requests.fluent_mutations() == {
            "CreateStandardProduct": 1,
            "CreateVariantProduct": len(product.variants),
        }


async def test_an_unpublished_product_is_deactivated_in_fluent() -> None:
    async with platforms() as world:
        activities = CatalogActivities(world.deps)
        await full_sync(world, activities)
        product = world.seed.products[1]
        current = await world.shop_json("GET", f"products/{product_id(product.key)}")
        await world.shop_json(
            "POST",
            f"products/{current['id']}",
            {"version": current["version"], "actions": [{"action": "unpublish"}]},
        )
        world.clear_requests()

        stats = await world.environment.run(
            activities.sync_catalog_change,
            change(CatalogResource.PRODUCT, current["id"], "ProductUnpublished"),
        )

        store = world.fluent_sandbox.store
        assert stats[ENTITY_PRODUCT].updated == 1
        assert store.product(CATALOGUE, product.key).status == "INACTIVE"  # type: ignore[union-attr]
        for variant in product.variants:
            assert store.product(CATALOGUE, variant.sku).status == "INACTIVE"  # type: ignore[union-attr]
        assert world.fluent_requests.fluent_mutations() == {
            "UpdateStandardProduct": 1,
            "UpdateVariantProduct": len(product.variants),
        }


async def test_a_deleted_category_is_deactivated_by_its_key() -> None:
    async with platforms() as world:
        activities = CatalogActivities(world.deps)
        await world.environment.run(activities.sync_categories, PagesRequest(window=full_window()))
        leaf = next(c for c in world.seed.categories if c.parent_key)

        stats = await world.environment.run(
            activities.sync_catalog_change,
            change(CatalogResource.CATEGORY, "gone-id", "CategoryDeleted", key=leaf.key),
        )

        assert stats[ENTITY_CATEGORY].updated == 1
        fluent = world.fluent_sandbox.store.category(CATALOGUE, leaf.key)
        assert fluent is not None
        assert fluent.status == "INACTIVE"


@pytest.mark.parametrize("staged", [True, False])
async def test_staged_or_published_projections_are_a_setting(staged: bool) -> None:
    async with platforms(staged=staged) as world:
        activities = CatalogActivities(world.deps)
        product = world.seed.products[0]
        current = await world.shop_json("GET", f"products/{product_id(product.key)}")
        await world.shop_json(
            "POST",
            f"products/{current['id']}",
            {
                "version": current["version"],
                "actions": [{"action": "changeName", "name": {"en": "Staged name"}}],
            },
        )
        await world.environment.run(activities.sync_categories, PagesRequest(window=full_window()))

        await world.environment.run(
            activities.sync_product_pages, PagesRequest(window=full_window())
        )

        standard = world.fluent_sandbox.store.product(CATALOGUE, product.key)
        assert standard is not None
        assert (standard.name == "Staged name") is staged
