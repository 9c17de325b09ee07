"""Workflow histories kept as regression guards under `histories/`.

A test replays a history it has just produced and, with `RECORD_HISTORIES=1`, saves it here; the
saved files are replayed by every later run, so a change that would break workflows already
running (non-determinism) fails the suite. Guard such changes with `workflow.patched()`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from connector.temporal import data_converter

HISTORIES = Path(__file__).parent / "histories"


def recorded(prefix: str) -> dict[str, str]:
    """The saved histories whose names start with `prefix`, as JSON by name."""
    return {path.stem: path.read_text() for path in sorted(HISTORIES.glob(f"{prefix}*.json"))}


async def replay(workflows: Sequence[type], history: WorkflowHistory) -> None:
    """Replay with the connector's data converter; raises on non-determinism."""
    await Replayer(workflows=workflows, data_converter=data_converter()).replay_workflow(history)


async def replay_recorded(workflows: Sequence[type], name: str, history_json: str) -> None:
    await replay(workflows, WorkflowHistory.from_json(name, history_json))


def save_when_recording(histories: Mapping[str, WorkflowHistory]) -> None:
    """Save the histories under their names when `RECORD_HISTORIES=1`."""
    if os.environ.get("RECORD_HISTORIES") != "1":
        return
    HISTORIES.mkdir(exist_ok=True)
    for name, history in histories.items():
        (HISTORIES / f"{name}.json").write_text(history.to_json())
