"""The auto-pilot: simulated store staff that move every open fulfilment one step per tick.

Each tick (every `step_interval_seconds`) every open fulfilment advances one step of its life
(see `lifecycle`): pick, fulfil (items rejected only as the configured rejection rate and seeded
RNG decide), add an article with a tracking number, ship or make ready for collection, then
deliver or collect. An order therefore completes about six ticks after its fulfilments exist.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter

from sandbox.fluent.config import AutopilotConfig
from sandbox.fluent.errors import FluentError
from sandbox.fluent.lifecycle import Lifecycle

logger = logging.getLogger(__name__)


class Autopilot:
    def __init__(self, lifecycle: Lifecycle, config: AutopilotConfig) -> None:
        self._lifecycle = lifecycle
        self.config = config
        self._rng = random.Random(config.seed)
        self._task: asyncio.Task[None] | None = None
        self.steps_taken: Counter[str] = Counter()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def step(self) -> Counter[str]:
        """Advances every open fulfilment once; returns how many of each action it took."""
        actions: Counter[str] = Counter()
        for fulfilment in self._lifecycle.open_fulfilments:
            try:
                action = self._lifecycle.advance(fulfilment, self._rng, self.config.rejection_rate)
            except FluentError:
                # The API moved it meanwhile (e.g. cancelled): the next tick sees the new status.
                logger.exception("auto-pilot could not advance fulfilment %s", fulfilment.ref)
                continue
            actions[action] += 1
        self.steps_taken.update(actions)
        return actions

    async def configure(self, config: AutopilotConfig) -> None:
        """Applies a new configuration, starting or stopping the timer as it says."""
        await self.stop()
        self.config = config
        self._rng = random.Random(config.seed)
        if config.enabled:
            self.start()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.config.step_interval_seconds)
            try:
                self.step()
            except Exception:  # a bug must not stop the simulated staff silently
                logger.exception("auto-pilot step failed")
