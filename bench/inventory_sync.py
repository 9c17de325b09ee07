"""Inventory sync benchmark: a full reconcile of the bench-size network's aggregate stock
(`SeedSize.bench()`: 30,000 SKUs over 200 locations) from the Fluent sandbox onto the
commercetools channel, then a second run over unchanged stock. Prints JSON: SKUs per second,
the writes of each run (the second must make none but its watermark) and the requests each side
served.

    python -m bench.inventory_sync [--products N] [--variants N] [--source aggregate|locations]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from collections.abc import Sequence
from typing import Any

from bench.figures import write_figures
from bench.sync_support import local_stack
from connector.config import InventorySource
from connector.syncs import ENTITY_SKU, SyncKind, SyncMode
from connector.temporal import exit_process
from sandbox.seed import SeedSize, generate


def build_parser() -> argparse.ArgumentParser:
    bench = SeedSize.bench()
    parser = argparse.ArgumentParser(prog="python -m bench.inventory_sync", description=__doc__)
    parser.add_argument("--products", type=int, default=bench.products)
    parser.add_argument("--variants", type=int, default=bench.variants_per_product)
    parser.add_argument(
        "--source", choices=[s.value for s in InventorySource], default=InventorySource.AGGREGATE
    )
    parser.add_argument("--write-concurrency", type=int, default=8)
    return parser


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    size = dataclasses.replace(
        SeedSize.bench(), products=args.products, variants_per_product=args.variants
    )
    seed = generate(size)
    async with local_stack(
        seed, inventory_source=args.source, write_concurrency=args.write_concurrency
    ) as stack:
        first, first_seconds, first_requests = await stack.run(SyncKind.INVENTORY, SyncMode.FULL)
        second, second_seconds, second_requests = await stack.run(SyncKind.INVENTORY, SyncMode.FULL)
    skus = size.products * size.variants_per_product
    return {
        "benchmark": "inventory_sync",
        "source": str(args.source),
        "skus": skus,
        "locations": size.locations,
        "positions": len(seed.stock),
        "full_sync": {
            "seconds": round(first_seconds, 2),
            "skus_per_second": round(skus / first_seconds, 1),
            "created": first.stats[ENTITY_SKU].created,
            "failed": first.total.failed,
            **first_requests,
        },
        "unchanged_rerun": {
            "seconds": round(second_seconds, 2),
            "skus_per_second": round(skus / second_seconds, 1),
            "unchanged": second.stats[ENTITY_SKU].unchanged,
            **second_requests,
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    figures = asyncio.run(measure(build_parser().parse_args(argv)))
    write_figures(figures)
    return 0 if figures["unchanged_rerun"]["commercetools_writes"] <= 1 else 1


if __name__ == "__main__":
    exit_process(main())
