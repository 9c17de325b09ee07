"""Workflows: one module per workflow, deterministic code only (no I/O, no network imports).

`ORDER_WORKFLOWS` and `SYNC_WORKFLOWS` list what each task queue's worker registers.
"""

from __future__ import annotations

ORDER_WORKFLOWS: list[type] = []
SYNC_WORKFLOWS: list[type] = []
