"""Run the connector's Temporal workers: order work and sync work on separate task queues.

Configuration comes from the environment (see README); the Temporal connection from
`TEMPORAL_ADDRESS` / `TEMPORAL_NAMESPACE` / `TEMPORAL_API_KEY` / TLS settings or a profile.
SIGINT or SIGTERM stops polling, lets running activities finish (up to
`TEMPORAL_GRACEFUL_SHUTDOWN_SECONDS`) and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import timedelta

from temporalio.worker import Worker

from activities import order_activities, sync_activities
from activities.dependencies import Dependencies
from activities.errors import ErrorClassifyingInterceptor
from connector.commercetools.client import CommercetoolsClient
from connector.config import Settings, SettingsError, load_settings
from connector.fluent.client import FluentClient
from connector.temporal import connect, exit_process, metrics_runtime
from workflows import ORDER_WORKFLOWS, SYNC_WORKFLOWS

log = logging.getLogger("worker")
QUEUES = ("orders", "sync")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="worker.py",
        description=(
            "Run the Temporal workers of the commercetools <-> Fluent connector. Order "
            "lifecycles run on TEMPORAL_ORDER_TASK_QUEUE, master-data syncs on "
            "TEMPORAL_SYNC_TASK_QUEUE; by default this process serves both. Stops gracefully on "
            "SIGINT/SIGTERM."
        ),
    )
    parser.add_argument(
        "--queues",
        default=",".join(QUEUES),
        help="comma-separated task queues to serve: orders, sync (default: both)",
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")
    )
    return parser


def build_workers(deps: Dependencies, queues: Sequence[str]) -> list[Worker]:
    temporal = deps.settings.temporal
    plan = {
        "orders": (temporal.order_task_queue, ORDER_WORKFLOWS, order_activities(deps)),
        "sync": (temporal.sync_task_queue, SYNC_WORKFLOWS, sync_activities(deps)),
    }
    return [
        Worker(
            deps.temporal,
            task_queue=task_queue,
            workflows=workflows,
            activities=activities,
            interceptors=[ErrorClassifyingInterceptor()],
            max_concurrent_activities=temporal.max_concurrent_activities,
            graceful_shutdown_timeout=timedelta(seconds=temporal.graceful_shutdown_seconds),
        )
        for queue, (task_queue, workflows, activities) in plan.items()
        if queue in queues
    ]


async def serve(settings: Settings, queues: Sequence[str]) -> None:
    runtime = None
    if settings.temporal.metrics_bind_address:
        runtime = metrics_runtime(settings.temporal.metrics_bind_address)
        log.info("Prometheus metrics on http://%s/metrics", settings.temporal.metrics_bind_address)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        deps = Dependencies(
            settings=settings,
            commercetools=await stack.enter_async_context(
                CommercetoolsClient(settings.commercetools)
            ),
            fluent=await stack.enter_async_context(FluentClient(settings.fluent)),
            temporal=await connect(settings.temporal, runtime=runtime),
        )
        workers = build_workers(deps, queues)
        for worker in workers:
            await stack.enter_async_context(worker)
        log.info("serving task queues: %s", ", ".join(w.task_queue for w in workers))
        await stop.wait()
        log.info("shutting down: finishing running activities")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = sorted(set(queues) - set(QUEUES))
    if unknown or not queues:
        print(
            f"error: unknown task queues {unknown}; choose from {', '.join(QUEUES)}",
            file=sys.stderr,
        )
        return 2
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: configuration: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(settings, queues))
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    exit_process(main())
