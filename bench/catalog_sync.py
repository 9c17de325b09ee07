"""Catalog sync benchmark: a full sync of the bench-size catalog (`SeedSize.bench()`: 10,000
products x 3 variants) from the commercetools sandbox into the Fluent sandbox, then a second
run over the unchanged catalog. Prints JSON: products and Fluent entities per second, the
writes of each run (the second must make none), and the requests each side served.

    python -m bench.catalog_sync [--products N] [--variants N] [--write-concurrency N]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from collections.abc import Sequence
from typing import Any

from bench.figures import write_figures
from bench.sync_support import local_stack
from connector.syncs import ENTITY_CATEGORY, ENTITY_PRODUCT, SyncKind, SyncMode
from connector.temporal import exit_process
from sandbox.seed import SeedSize, generate


def build_parser() -> argparse.ArgumentParser:
    bench = SeedSize.bench()
    parser = argparse.ArgumentParser(prog="python -m bench.catalog_sync", description=__doc__)
    parser.add_argument("--products", type=int, default=bench.products)
    parser.add_argument("--variants", type=int, default=bench.variants_per_product)
    parser.add_argument("--write-concurrency", type=int, default=8)
    parser.add_argument("--pages-per-activity", type=int, default=4)
    return parser


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    size = dataclasses.replace(
        SeedSize.bench(), products=args.products, variants_per_product=args.variants
    )
    seed = generate(size)
    async with local_stack(
        seed,
        write_concurrency=args.write_concurrency,
        pages_per_activity=args.pages_per_activity,
    ) as stack:
        first, first_seconds, first_requests = await stack.run(SyncKind.CATALOG, SyncMode.FULL)
        second, second_seconds, second_requests = await stack.run(SyncKind.CATALOG, SyncMode.FULL)
    entities = first.total.writes
    return {
        "benchmark": "catalog_sync",
        "products": size.products,
        "variants": size.products * size.variants_per_product,
        "categories": len(seed.categories),
        "write_concurrency": args.write_concurrency,
        "full_sync": {
            "seconds": round(first_seconds, 2),
            "products_per_second": round(size.products / first_seconds, 1),
            "fluent_writes_per_second": round(entities / first_seconds, 1),
            "created": first.stats[ENTITY_PRODUCT].created,
            "categories_created": first.stats[ENTITY_CATEGORY].created,
            "failed": first.total.failed,
            "continuations": first.continuations,
            **first_requests,
        },
        "unchanged_rerun": {
            "seconds": round(second_seconds, 2),
            "products_per_second": round(size.products / second_seconds, 1),
            "unchanged": second.stats[ENTITY_PRODUCT].unchanged,
            **second_requests,
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    figures = asyncio.run(measure(build_parser().parse_args(argv)))
    write_figures(figures)
    return 0 if figures["unchanged_rerun"]["fluent_mutations"] == 0 else 1


if __name__ == "__main__":
    exit_process(main())
