"""Master-data commands: setup, the three syncs, and their schedules."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import CliError


def register(subparsers: Any) -> None:
    setup = subparsers.add_parser(
        "setup",
        help="provision custom types, channels and search attributes; apply the schedules",
    )
    setup.set_defaults(handler=_pending)

    sync = subparsers.add_parser("sync", help="run a master-data sync now (resync by hand)")
    sync.add_argument("kind", choices=("catalog", "locations", "inventory"))
    sync.add_argument("--full", action="store_true", help="everything, not just what changed")
    sync.add_argument("--wait", action="store_true", help="show progress and the statistics")
    sync.add_argument("--json", action="store_true", help="print the statistics as JSON")
    sync.set_defaults(handler=_pending)

    schedules = subparsers.add_parser("schedules", help="the Temporal Schedules of the syncs")
    schedules.add_argument("action", choices=("apply",))
    schedules.set_defaults(handler=_pending)


async def _pending(args: argparse.Namespace) -> int:
    raise CliError(f"'{args.command}' is not available in this build yet")
