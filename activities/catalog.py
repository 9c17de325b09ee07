"""Catalog sync activities: commercetools categories and product projections -> Fluent.

Per page of 500 product projections: one bulk read of the page's categories (their refs), one
bulk read of the existing Fluent standard and variant products (the page's refs and SKUs), a
diff of the fields the connector owns (`connector/mapping/products.py`), and the resulting
writes, at most `SYNC_WRITE_CONCURRENCY` at a time. A product that cannot be synced is recorded
with its reason and the page goes on. Categories come first, parents before children.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from functools import partial

from temporalio import activity

from activities.dependencies import Dependencies
from activities.sync_common import (
    Checkpoint,
    EntityJob,
    EntityWrites,
    PagesRequest,
    PagesResult,
    first_page,
    isolated,
    isolated_job,
    resume_from,
    run_isolated,
    tally,
)
from connector.commercetools.client import MAX_PAGE_SIZE
from connector.commercetools.models import Category, ProductProjection
from connector.commercetools.predicates import batched_in, datetime_literal, in_list, quote
from connector.errors import NotFoundError
from connector.fluent.models import (
    Category as FluentCategory,
)
from connector.fluent.models import (
    CreateCategoryInput,
    CreateStandardProductInput,
    CreateVariantProductInput,
    StandardProduct,
    VariantProduct,
)
from connector.mapping.categories import (
    CategoryRules,
    category_deactivation,
    category_levels,
    category_ref,
    category_spec,
    category_write,
)
from connector.mapping.products import (
    ProductRules,
    ProductWrites,
    VariantWrite,
    deactivation_writes,
    product_ref,
    product_spec,
    product_writes,
)
from connector.syncs import (
    ENTITY_CATEGORY,
    ENTITY_PRODUCT,
    CatalogChangeInput,
    CatalogResource,
    EntityResult,
    StatsByEntity,
    SyncWindow,
)


def modified_predicate(window: SyncWindow, entity: str) -> str | None:
    """The delta window as a commercetools predicate, plus the last run's failures of
    `entity` (by id) even if they did not change again; None for a full run."""
    if window.lower is None:
        return None
    modified = (
        f"lastModifiedAt >= {datetime_literal(window.lower)} "
        f"and lastModifiedAt <= {datetime_literal(window.upper)}"
    )
    retry = window.retry_ids(entity)
    return f"({modified}) or {in_list('id', retry)}" if retry else modified


class CatalogActivities:
    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps
        sync, fluent = deps.settings.sync, deps.settings.fluent
        self._categories = CategoryRules(
            locale=sync.locale,
            catalogue_ref=fluent.catalogue_ref,
            category_type=sync.fluent_category_type,
        )
        self._products = ProductRules(
            locale=sync.locale,
            catalogue_ref=fluent.catalogue_ref,
            currency=sync.currency,
            country=sync.country or None,
            product_type=sync.fluent_product_type,
            price_type=sync.fluent_price_type,
            gtin_attribute=sync.gtin_attribute,
            attributes=tuple(sync.product_attributes),
        )
        self._staged = sync.staged
        self._concurrency = sync.write_concurrency
        self._pages = sync.pages_per_activity

    # --- categories ---------------------------------------------------------------------------

    @activity.defn(name="count_catalog_products")
    async def count_products(self, window: SyncWindow) -> int:
        predicate = modified_predicate(window, ENTITY_PRODUCT)
        return await self._deps.commercetools.count_product_projections(
            where=[predicate] if predicate else [], staged=self._staged
        )

    @activity.defn(name="sync_categories")
    async def sync_categories(self, request: PagesRequest) -> PagesResult:
        """Every category of the window, level by level (parents first); a retried attempt
        resumes after the last finished level (`Checkpoint.pages`)."""
        checkpoint = resume_from(request)
        predicate = modified_predicate(request.window, ENTITY_CATEGORY)
        categories: list[Category] = []
        async for page in self._deps.commercetools.iterate_categories(
            where=[predicate] if predicate else []
        ):
            categories.extend(page)
        levels = category_levels(categories)
        refs = await self._category_refs_of(categories)
        existing = await self._deps.fluent.categories({category_ref(c) for c in categories})
        stats = checkpoint.stats
        failed = {failure.id for entity in stats.values() for failure in entity.failures}
        limiter = asyncio.Semaphore(self._concurrency)
        for number, level in enumerate(levels[checkpoint.pages :], start=checkpoint.pages + 1):
            Checkpoint(cursor=None, pages=number - 1, stats=stats).beat()
            results = await run_isolated(
                [self._category_job(c, refs, existing, failed, limiter) for c in level]
            )
            failed.update(r.failure.id for r in results if r.failure is not None)
            tally(ENTITY_CATEGORY, results, stats)
        done = Checkpoint(cursor=None, pages=len(levels), stats=stats)
        return done.result(ENTITY_CATEGORY, finished=True)

    def _category_job(
        self,
        category: Category,
        refs: Mapping[str, str],
        existing: Mapping[str, FluentCategory],
        failed: set[str],
        limiter: asyncio.Semaphore,
    ) -> EntityJob:
        async def job() -> EntityResult:
            parent = category.parent.id if category.parent else None
            if parent is not None and parent in failed:
                return EntityResult.failed(
                    ENTITY_CATEGORY,
                    category.id,
                    f"category {category_ref(category)}: its parent {refs.get(parent, parent)} "
                    "failed in this run",
                )
            return await isolated(
                ENTITY_CATEGORY,
                category.id,
                limiter,
                lambda writes: self._write_category(category, refs, existing, writes),
            )

        return job

    async def _write_category(
        self,
        category: Category,
        refs: Mapping[str, str],
        existing: Mapping[str, FluentCategory],
        writes: EntityWrites,
    ) -> EntityResult:
        spec = category_spec(category, self._categories, refs)
        write = category_write(spec, existing.get(spec.ref), self._categories)
        if write is None:
            return EntityResult.of_writes(created=False, writes=0)
        fluent = self._deps.fluent
        if isinstance(write, CreateCategoryInput):
            await writes.send(lambda: fluent.create_category(write))
            return EntityResult.of_writes(created=True, writes=writes.count)
        await writes.send(lambda: fluent.update_category(write))
        return EntityResult.of_writes(created=False, writes=writes.count)

    async def _category_refs_of(self, categories: Iterable[Category]) -> dict[str, str]:
        """Refs by id of these categories and of their parents (read when not among them)."""
        refs = {c.id: category_ref(c) for c in categories}
        parents = {c.parent.id for c in categories if c.parent is not None} - refs.keys()
        refs.update(await self._category_refs(parents))
        return refs

    async def _category_refs(self, ids: Iterable[str]) -> dict[str, str]:
        """Refs by id of categories read from commercetools, one query per batch of ids."""
        refs: dict[str, str] = {}
        for predicate in batched_in("id", sorted(ids)):
            async for page in self._deps.commercetools.iterate_categories(where=[predicate]):
                refs.update((c.id, category_ref(c)) for c in page)
        return refs

    # --- products -----------------------------------------------------------------------------

    @activity.defn(name="sync_product_pages")
    async def sync_product_pages(self, request: PagesRequest) -> PagesResult:
        """The next `SYNC_PAGES_PER_ACTIVITY` pages of 500 projections of the window, by
        ascending id after the cursor; heartbeats the cursor of each finished page."""
        checkpoint = resume_from(request)
        predicate = modified_predicate(request.window, ENTITY_PRODUCT)
        category_refs: dict[str, str] = {}
        while checkpoint.pages < self._pages:
            cursor = checkpoint.cursor
            where = [p for p in (predicate, f"id > {quote(cursor)}" if cursor else None) if p]
            page = await first_page(
                self._deps.commercetools.iterate_product_projections(
                    where=where, staged=self._staged
                )
            )
            if page:
                results = await self._sync_products(page, category_refs, checkpoint)
                tally(ENTITY_PRODUCT, results, checkpoint.stats)
                checkpoint = checkpoint.after_page(page[-1].id)
            if len(page) < MAX_PAGE_SIZE:
                return checkpoint.result(ENTITY_PRODUCT, finished=True)
        return checkpoint.result(ENTITY_PRODUCT, finished=False)

    async def _sync_products(
        self,
        page: list[ProductProjection],
        category_refs: dict[str, str],
        checkpoint: Checkpoint,
    ) -> list[EntityResult]:
        """One page: bulk reads, diffs, bounded concurrent writes. `category_refs` caches the
        refs of categories across the pages of one attempt."""
        unknown = {c.id for p in page for c in p.categories} - category_refs.keys()
        category_refs.update(await self._category_refs(unknown))
        fluent = self._deps.fluent
        standard = await fluent.standard_products({product_ref(p) for p in page})
        skus = {v.sku for p in page for v in p.all_variants if v.sku}
        variants = await fluent.variant_products(skus)
        limiter = asyncio.Semaphore(self._concurrency)
        jobs = [
            isolated_job(
                ENTITY_PRODUCT,
                projection.id,
                limiter,
                partial(self._write_product, projection, category_refs, standard, variants),
            )
            for projection in page
        ]
        return await run_isolated(jobs, checkpoint)

    async def _write_product(
        self,
        projection: ProductProjection,
        category_refs: Mapping[str, str],
        standard: Mapping[str, StandardProduct],
        variants: Mapping[str, VariantProduct],
        writes: EntityWrites,
    ) -> EntityResult:
        spec = product_spec(projection, self._products, category_refs)
        plan = product_writes(spec, standard.get(spec.ref), variants, self._products)
        return await self._apply_product_writes(projection.id, plan, writes)

    async def _apply_product_writes(
        self, product_id: str, plan: ProductWrites, writes: EntityWrites
    ) -> EntityResult:
        """The standard product first (variants link to it), then the variants concurrently;
        a variant Fluent refuses fails the product (with every refused SKU) once the others
        are written."""
        fluent = self._deps.fluent
        created = False
        standard_write = plan.standard
        if isinstance(standard_write, CreateStandardProductInput):
            await writes.send(lambda: fluent.create_standard_product(standard_write))
            created = True
        elif standard_write is not None:
            await writes.send(lambda: fluent.update_standard_product(standard_write))

        async def write_variant(write: VariantWrite) -> EntityResult:
            async def send(entity_writes: EntityWrites) -> EntityResult:
                if isinstance(write, CreateVariantProductInput):
                    await entity_writes.send(lambda: fluent.create_variant_product(write))
                else:
                    await entity_writes.send(lambda: fluent.update_variant_product(write))
                return EntityResult.of_writes(created=False, writes=1)

            return await isolated(ENTITY_PRODUCT, write.ref, writes.limiter, send)

        outcomes = await asyncio.gather(*(write_variant(write) for write in plan.variants))
        writes.count += sum(outcome.writes for outcome in outcomes)
        refused = [outcome.failure for outcome in outcomes if outcome.failure is not None]
        if refused:
            reasons = "; ".join(f"variant {f.id}: {f.reason}" for f in refused)
            return EntityResult.failed(ENTITY_PRODUCT, product_id, reasons, writes=writes.count)
        return EntityResult.of_writes(created=created, writes=writes.count)

    # --- one entity, in real time -------------------------------------------------------------

    @activity.defn(name="sync_catalog_change")
    async def sync_catalog_change(self, change: CatalogChangeInput) -> StatsByEntity:
        """Bring one product or category in line with its current state in commercetools."""
        stats: StatsByEntity = {}
        limiter = asyncio.Semaphore(self._concurrency)
        if change.resource is CatalogResource.CATEGORY:
            tally(ENTITY_CATEGORY, await self._category_change(change, limiter), stats)
        else:
            result = await isolated(
                ENTITY_PRODUCT,
                change.id,
                limiter,
                lambda writes: self._product_change(change, writes),
            )
            tally(ENTITY_PRODUCT, [result], stats)
        return stats

    async def _product_change(
        self, change: CatalogChangeInput, writes: EntityWrites
    ) -> EntityResult:
        commercetools = self._deps.commercetools
        try:
            projection = await commercetools.get_product_projection(change.id, staged=self._staged)
        except NotFoundError:
            return await self._deactivate_product(change, writes)
        category_refs = await self._category_refs({c.id for c in projection.categories})
        fluent = self._deps.fluent
        standard = await fluent.standard_products([product_ref(projection)])
        variants = await fluent.variant_products(v.sku for v in projection.all_variants if v.sku)
        return await self._write_product(projection, category_refs, standard, variants, writes)

    async def _deactivate_product(
        self, change: CatalogChangeInput, writes: EntityWrites
    ) -> EntityResult:
        """No longer published (or deleted): status INACTIVE in Fluent. The SKUs come from the
        staged projection, else from the ProductDeleted message's last projection."""
        last = await self._last_projection(change)
        ref = product_ref(last) if last else change.key or change.id
        skus = [v.sku for v in last.all_variants if v.sku] if last else []
        fluent = self._deps.fluent
        standard = (await fluent.standard_products([ref])).get(ref)
        variants = list((await fluent.variant_products(skus)).values())
        plan = deactivation_writes(ref, standard, variants, self._products)
        result = await self._apply_product_writes(change.id, plan, writes)
        if last is None and standard is not None:
            return EntityResult.failed(
                ENTITY_PRODUCT,
                change.id,
                f"product {ref} was deleted and its variants can no longer be identified "
                "(the deletion message is not readable): deactivate them in Fluent",
                writes=result.writes,
            )
        return result

    async def _last_projection(self, change: CatalogChangeInput) -> ProductProjection | None:
        commercetools = self._deps.commercetools
        if not self._staged:
            try:
                return await commercetools.get_product_projection(change.id, staged=True)
            except NotFoundError:
                pass
        messages = await commercetools.query_messages(where=[f"id = {quote(change.message_id)}"])
        return next((m.current_projection for m in messages if m.current_projection), None)

    async def _category_change(
        self, change: CatalogChangeInput, limiter: asyncio.Semaphore
    ) -> list[EntityResult]:
        """A category with its ancestors, root first (a new category arrives after its
        parent even when the parent's own event is still on its way); a deleted category is
        deactivated."""
        commercetools = self._deps.commercetools
        try:
            category = await commercetools.get_category(change.id)
        except NotFoundError:
            ref = change.key or change.id

            async def deactivate(writes: EntityWrites) -> EntityResult:
                existing = (await self._deps.fluent.categories([ref])).get(ref)
                write = category_deactivation(ref, existing, self._categories)
                if write is not None:
                    await writes.send(lambda: self._deps.fluent.update_category(write))
                return EntityResult.of_writes(created=False, writes=writes.count)

            return [await isolated(ENTITY_CATEGORY, change.id, limiter, deactivate)]
        ancestors: list[Category] = []
        for predicate in batched_in("id", [a.id for a in category.ancestors]):
            async for page in commercetools.iterate_categories(where=[predicate]):
                ancestors.extend(page)
        chain = [c for level in category_levels([*ancestors, category]) for c in level]
        refs = await self._category_refs_of(chain)
        existing = await self._deps.fluent.categories({category_ref(c) for c in chain})
        results: list[EntityResult] = []
        failed: set[str] = set()
        for member in chain:
            (result,) = await run_isolated(
                [self._category_job(member, refs, existing, failed, limiter)]
            )
            if result.failure is not None:
                failed.add(result.failure.id)
            results.append(result)
        return results
