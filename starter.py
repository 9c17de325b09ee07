"""Operator CLI of the commercetools <-> Fluent connector. `python starter.py --help`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from cli import demo, orders, syncs
from cli.common import CliError, errors
from connector.temporal import exit_process

COMMAND_MODULES = (syncs, orders, demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="starter.py",
        description=(
            "Operate the commercetools <-> Fluent connector: provision, run and schedule the "
            "syncs, find and follow orders, and run the local demo. Configuration comes from "
            "environment variables and .env (see README)."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], Coroutine[Any, Any, int]] = args.handler
    try:
        return asyncio.run(handler(args))
    except CliError as exc:
        errors.print(f"[red]error:[/red] {exc}", soft_wrap=True)  # one line, also in logs
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    exit_process(main())
