"""Order commands: follow an order, start or cancel its workflow, reconcile, the messages poller."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import CliError


def register(subparsers: Any) -> None:
    order = subparsers.add_parser("order", help="follow or act on one order's workflow")
    order_commands = order.add_subparsers(dest="order_command", metavar="ACTION", required=True)

    status = order_commands.add_parser(
        "status", help="the lifecycle of one order (fulfilments, deliveries, invoices, timeline)"
    )
    status.add_argument("order", help="commercetools order id or order number")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(handler=_pending)

    start = order_commands.add_parser("start", help="start the workflow of an order by hand")
    start.add_argument("order", help="commercetools order id or order number")
    start.set_defaults(handler=_pending)

    cancel = order_commands.add_parser("cancel", help="ask an order's workflow to cancel it")
    cancel.add_argument("order", help="commercetools order id or order number")
    cancel.add_argument("--reason", default="cancelled by operator")
    cancel.set_defaults(handler=_pending)

    reconcile = subparsers.add_parser(
        "reconcile",
        help="start workflows for commercetools orders that never reached Fluent",
    )
    reconcile.add_argument(
        "--since", default=None, help="look back this far, e.g. 6h or 2d (default: setting)"
    )
    reconcile.add_argument("--json", action="store_true", help="print the result as JSON")
    reconcile.set_defaults(handler=_pending)

    poller = subparsers.add_parser(
        "poller", help="the commercetools messages poller, for projects without a subscription"
    )
    poller.add_argument("action", choices=("start", "stop", "status"))
    poller.set_defaults(handler=_pending)


async def _pending(args: argparse.Namespace) -> int:
    raise CliError(f"'{args.command}' is not available in this build yet")
