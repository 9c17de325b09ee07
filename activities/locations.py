"""Location sync activities: the locations of the configured Fluent network -> commercetools
channels (`connector/mapping/channels.py`), a page of locations at a time with one bulk read of
the page's channels, writes only for what differs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
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
from connector.commercetools.actions import ChannelUpdateAction
from connector.commercetools.client import update_with_retry
from connector.commercetools.models import Channel
from connector.errors import PermanentError
from connector.fluent.client import Page
from connector.fluent.models import Location
from connector.mapping.channels import ChannelRules, channel_actions, channel_draft, channel_spec
from connector.syncs import ENTITY_LOCATION, EntityResult, StatsByEntity

LOCATION_PAGE_SIZE = 100


class LocationActivities:
    def __init__(self, deps: Dependencies) -> None:
        self._deps = deps
        self._rules = ChannelRules(
            locale=deps.settings.sync.locale, type_key=deps.settings.sync.channel_type_key
        )
        self._concurrency = deps.settings.sync.write_concurrency
        self._pages = deps.settings.sync.pages_per_activity

    @activity.defn(name="sync_location_pages")
    async def sync_location_pages(self, request: PagesRequest) -> PagesResult:
        """The next `SYNC_PAGES_PER_ACTIVITY` pages of the network's locations updated in the
        window (all of them for a full run) after the Fluent cursor; heartbeats each page's
        cursor."""
        type_id = await self._channel_type_id()

        def pages_after(cursor: str | None) -> AsyncIterator[Page[Location]]:
            return self._deps.fluent.network_location_pages(
                updated_since=request.window.lower, after=cursor, page_size=LOCATION_PAGE_SIZE
            )

        return await through_pages(
            request,
            ENTITY_LOCATION,
            pages_after,
            partial(self._sync, type_id=type_id),
            max_pages=self._pages,
        )

    @activity.defn(name="sync_locations_by_ref")
    async def sync_locations_by_ref(self, refs: list[str]) -> StatsByEntity:
        """These locations now (a webhook, or the last run's failures). A ref that is not a
        location of the network is a failure with that reason."""
        type_id = await self._channel_type_id()
        found: list[Location] = []
        results: list[EntityResult] = []
        for ref in dict.fromkeys(refs):
            location = await self._deps.fluent.network_location(ref)
            if location is None:
                network = self._deps.settings.fluent.network_ref
                reason = f"location {ref} is not a location of the network {network}"
                results.append(EntityResult.failed(ENTITY_LOCATION, ref, reason))
            else:
                found.append(location)
        stats: StatsByEntity = {}
        tally(ENTITY_LOCATION, results + await self._sync(found, None, type_id=type_id), stats)
        return stats

    async def _channel_type_id(self) -> str:
        found = await self._deps.commercetools.get_type_by_key(self._rules.type_key)
        if found is None:
            raise PermanentError(
                f"the channel type {self._rules.type_key} does not exist in commercetools: run "
                "`python starter.py setup`",
                platform="commercetools",
            )
        return found.id

    async def _sync(
        self, locations: list[Location], checkpoint: Checkpoint | None, *, type_id: str
    ) -> list[EntityResult]:
        if not locations:
            return []
        channels = await self._deps.commercetools.channels_by_keys(loc.ref for loc in locations)
        limiter = asyncio.Semaphore(self._concurrency)
        jobs = [
            isolated_job(
                ENTITY_LOCATION,
                location.ref,
                limiter,
                partial(self._write, location, channels, type_id),
            )
            for location in locations
        ]
        return await run_isolated(jobs, checkpoint)

    async def _write(
        self,
        location: Location,
        channels: Mapping[str, Channel],
        type_id: str,
        writes: EntityWrites,
    ) -> EntityResult:
        spec = channel_spec(location)
        commercetools = self._deps.commercetools
        existing = channels.get(spec.key)
        if existing is None:
            draft = channel_draft(spec, self._rules)
            await writes.send(lambda: commercetools.create_channel(draft))
            return EntityResult.of_writes(created=True, writes=writes.count)
        if not channel_actions(spec, existing, self._rules, type_id=type_id):
            return EntityResult.of_writes(created=False, writes=0)

        async def read_again() -> Channel:
            channel = await commercetools.get_channel_by_key(spec.key)
            if channel is None:
                raise PermanentError(
                    f"channel {spec.key} was deleted while it was updated", platform="commercetools"
                )
            return channel

        def actions(channel: Channel) -> list[ChannelUpdateAction]:
            return channel_actions(spec, channel, self._rules, type_id=type_id)

        async def apply(channel: Channel, changes: Sequence[ChannelUpdateAction]) -> Channel:
            return await commercetools.update_channel(channel.id, channel.version, changes)

        await writes.send(
            lambda: update_with_retry(
                known_first(existing, read_again),
                actions,
                apply,
                attempts=self._deps.settings.commercetools.conflict_retries,
            )
        )
        return EntityResult.of_writes(created=False, writes=writes.count)
