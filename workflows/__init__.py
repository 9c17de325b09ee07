"""Workflows: one module per workflow, deterministic code only (no I/O, no network imports).

`ORDER_WORKFLOWS` and `SYNC_WORKFLOWS` list what each task queue's worker registers.
"""

from __future__ import annotations

from workflows.messages_poller import MessagesPollerWorkflow
from workflows.order import OrderWorkflow
from workflows.reconcile import ReconcileOrdersWorkflow

ORDER_WORKFLOWS: list[type] = [OrderWorkflow, MessagesPollerWorkflow, ReconcileOrdersWorkflow]
SYNC_WORKFLOWS: list[type] = []
