"""`starter.py demo`: the whole connector on a laptop (Temporal dev server and both sandboxes)."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import CliError


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="run the connector on the embedded default: Temporal dev server + sandboxes",
    )
    demo.add_argument("--check", action="store_true", help="start, verify, stop; exit 0 if ok")
    demo.add_argument("--orders", type=int, default=None, help="place N scripted orders")
    demo.add_argument("--exit-when-done", action="store_true", help="stop when orders finish")
    demo.add_argument("--json", action="store_true", help="print the orders' journeys as JSON")
    demo.set_defaults(handler=_pending)


async def _pending(args: argparse.Namespace) -> int:
    raise CliError(f"'{args.command}' is not available in this build yet")
