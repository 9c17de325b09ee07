"""Inventory sync activities: Fluent stock per SKU -> the inventory entry of that SKU on the
configured commercetools channel (`connector/mapping/inventory.py`).

A page of Fluent positions (changed since the window's start, or all) names the SKUs to look
at; their complete figures are then read by SKU (a SKU's positions may span pages), the
existing entries are read in batches (`sku in (...)` on the channel, never one request per
SKU), and only differing entries are written. SKUs without any Fluent position are left as
they are in commercetools.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from functools import partial

from temporalio import activity

from activities.dependencies import Dependencies
from activities.sync_common import (
    Checkpoint,
    EntityWrites,
    PagesRequest,
    PagesResult,
    isolated_job,
    known_first,
    run_isolated,
    tally,
    through_pages,
)
from connector.commercetools.actions import InventoryEntryUpdateAction
from connector.commercetools.client import update_with_retry
from connector.commercetools.drafts import InventoryEntryDraft
from connector.commercetools.models import InventoryEntry
from connector.config import InventorySource
from connector.errors import PermanentError
from connector.fluent.client import Page
from connector.fluent.models import InventoryPosition, VirtualPosition
from connector.mapping.inventory import (
    InventoryTarget,
    QuantityChange,
    inventory_write,
    location_stock,
    virtual_stock,
)
from connector.syncs import ENTITY_SKU, EntityResult, StatsByEntity

POSITION_PAGE_SIZE = 500


class InventoryActivities:
    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps
        self._source = deps.settings.sync.inventory_source
        self._channel_key = deps.settings.sync.inventory_channel_key
        self._concurrency = deps.settings.sync.write_concurrency
        self._pages = deps.settings.sync.pages_per_activity

    @activity.defn(name="sync_inventory_pages")
    async def sync_inventory_pages(self, request: PagesRequest) -> PagesResult:
        """The next `SYNC_PAGES_PER_ACTIVITY` pages of Fluent positions changed in the window
        (all of them for a full run) after the Fluent cursor; heartbeats each page's cursor.
        A SKU whose positions span pages is synced once, with the first of them."""
        target = await self._target()
        seen: set[str] = set()

        async def sync_page(skus: list[str], checkpoint: Checkpoint) -> list[EntityResult]:
            new = [sku for sku in dict.fromkeys(skus) if sku not in seen]
            seen.update(new)
            return await self._sync(new, checkpoint, target=target)

        return await through_pages(
            request,
            ENTITY_SKU,
            partial(self._changed_skus, request.window.lower),
            sync_page,
            max_pages=self._pages,
        )

    @activity.defn(name="sync_inventory_skus")
    async def sync_inventory_skus(self, skus: list[str]) -> StatsByEntity:
        """These SKUs now, whatever changed (the last run's failures)."""
        target = await self._target()
        stats: StatsByEntity = {}
        tally(ENTITY_SKU, await self._sync(list(dict.fromkeys(skus)), None, target=target), stats)
        return stats

    async def _changed_skus(
        self, since: datetime | None, cursor: str | None
    ) -> AsyncIterator[Page[str]]:
        """Pages of the SKUs of the positions changed since `since` (all of them when None),
        after the Fluent cursor."""
        fluent = self._deps.fluent
        pages: AsyncIterator[Page[VirtualPosition]] | AsyncIterator[Page[InventoryPosition]]
        if self._source is InventorySource.AGGREGATE:
            pages = fluent.virtual_position_pages(
                updated_since=since, after=cursor, page_size=POSITION_PAGE_SIZE
            )
        else:
            pages = fluent.inventory_position_pages(
                updated_since=since, after=cursor, page_size=POSITION_PAGE_SIZE
            )
        async for page in pages:
            skus = [position.product_ref for position in page.items if position.product_ref]
            yield Page(skus, page.cursor, page.has_next)

    async def _figures(self, skus: Sequence[str]) -> dict[str, int]:
        """The complete stock figure of each SKU that has positions."""
        fluent = self._deps.fluent
        if self._source is InventorySource.AGGREGATE:
            positions: list[VirtualPosition] = []
            async for page in fluent.virtual_positions(product_refs=skus):
                positions.extend(page)
            return virtual_stock(positions)
        return location_stock(await fluent.inventory_positions(skus))

    async def _target(self) -> InventoryTarget:
        channel = await self._deps.commercetools.get_channel_by_key(self._channel_key)
        if channel is None:
            raise PermanentError(
                f"the inventory channel {self._channel_key} does not exist in commercetools: run "
                "`python starter.py setup`",
                platform="commercetools",
            )
        return InventoryTarget(channel_id=channel.id, channel_key=channel.key)

    async def _sync(
        self, skus: list[str], checkpoint: Checkpoint | None, *, target: InventoryTarget
    ) -> list[EntityResult]:
        if not skus:
            return []
        figures = await self._figures(skus)
        existing = await self._deps.commercetools.inventory_by_skus(
            figures, supply_channel_id=target.channel_id
        )
        limiter = asyncio.Semaphore(self._concurrency)
        jobs = [
            isolated_job(
                ENTITY_SKU, sku, limiter, partial(self._write, sku, quantity, existing, target)
            )
            for sku, quantity in figures.items()
        ]
        return await run_isolated(jobs, checkpoint)

    async def _write(
        self,
        sku: str,
        quantity: int,
        existing: Mapping[str, InventoryEntry],
        target: InventoryTarget,
        writes: EntityWrites,
    ) -> EntityResult:
        commercetools = self._deps.commercetools
        write = inventory_write(sku, quantity, existing.get(sku), target)
        if write is None:
            return EntityResult.of_writes(created=False, writes=0)
        if isinstance(write, InventoryEntryDraft):
            await writes.send(lambda: commercetools.create_inventory_entry(write))
            return EntityResult.of_writes(created=True, writes=writes.count)
        current = existing[sku]

        async def read_again() -> InventoryEntry:
            found = await commercetools.inventory_by_skus(
                [sku], supply_channel_id=target.channel_id
            )
            if sku not in found:
                raise PermanentError(
                    f"the inventory entry of {sku} was deleted while it was updated",
                    platform="commercetools",
                )
            return found[sku]

        def actions(entry: InventoryEntry) -> list[InventoryEntryUpdateAction]:
            again = inventory_write(sku, quantity, entry, target)
            return [again.action] if isinstance(again, QuantityChange) else []

        async def apply(
            entry: InventoryEntry, changes: Sequence[InventoryEntryUpdateAction]
        ) -> InventoryEntry:
            return await commercetools.update_inventory_entry(entry.id, entry.version, changes)

        await writes.send(
            lambda: update_with_retry(
                known_first(current, read_again),
                actions,
                apply,
                attempts=self._deps.settings.commercetools.conflict_retries,
            )
        )
        return EntityResult.of_writes(created=False, writes=writes.count)
