"""Seed loading benchmark: generating the bench data set (`SeedSize.bench()`: 10,000 products x
3 variants, 200 locations, each SKU stocked at 12 of them) and loading it into each sandbox as
`python -m sandbox.<name> --seed bench` does (the app created with the seed), then paging the
whole catalog by id over HTTP with the connector's commercetools client, as the catalog sync
reads it (500 product projections a page, `id > last`).

Seconds come from a pass without tracemalloc; memory from a second pass with it (tracemalloc
slows allocation-heavy code several times). Per step: `peak_mb` is the most memory the step
held above what existed before it, `retained_mb` what it still holds afterwards.

    python -m bench.seed_load [--products N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from bench.figures import at_least, machine, megabytes, per_second, write_figures
from cli.demo_stack import sandbox_commercetools_settings
from connector.commercetools.client import CommercetoolsClient
from sandbox.commercetools import CommercetoolsSandboxConfig
from sandbox.commercetools import create_app as create_commercetools
from sandbox.common.serving import serve_in_thread
from sandbox.fluent.app import create_app as create_fluent
from sandbox.fluent.config import FluentSandboxConfig
from sandbox.seed import SeedSize, generate

T = TypeVar("T")
QUICK_PRODUCTS = 300


def timed(step: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def traced(step: Callable[[], T]) -> tuple[T, dict[str, float]]:
    """Run `step` under an already started tracemalloc: its peak and retained memory."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    result = step()
    current, peak = tracemalloc.get_traced_memory()
    return result, {"peak_mb": megabytes(peak - before), "retained_mb": megabytes(current - before)}


async def page_catalog(url: str) -> tuple[int, int, float]:
    """Products and pages read, and seconds, paging every product projection by id."""
    products = pages = 0
    async with CommercetoolsClient(sandbox_commercetools_settings(url)) as client:
        await client.count_product_projections()  # the token and the connection, not counted
        started = time.perf_counter()
        async for page in client.iterate_product_projections():
            products += len(page)
            pages += 1
        return products, pages, time.perf_counter() - started


def speed_pass(size: SeedSize, log: Callable[[str], None]) -> dict[str, Any]:
    log(f"seed_load: generating {size.products} products x {size.variants_per_product} variants")
    seed, generate_seconds = timed(lambda: generate(size))
    log("seed_load: loading the commercetools sandbox")
    config = CommercetoolsSandboxConfig(seed=seed)
    commercetools_app, commercetools_seconds = timed(lambda: create_commercetools(config))
    log("seed_load: loading the Fluent sandbox")
    _, fluent_seconds = timed(lambda: create_fluent(FluentSandboxConfig(seed=seed)))
    log("seed_load: paging the catalog over HTTP")
    with serve_in_thread(commercetools_app, name="bench-seed-ct") as server:
        paged, pages, paging_seconds = asyncio.run(page_catalog(server.url))
    if paged != size.products:
        raise SystemExit(f"paged {paged} products, the seed has {size.products}")
    return {
        "generate": {"seconds": round(generate_seconds, 2)},
        "commercetools_load": {
            "seconds": round(commercetools_seconds, 2),
            "products_per_second": per_second(size.products, commercetools_seconds),
        },
        "fluent_load": {
            "seconds": round(fluent_seconds, 2),
            "inventory_positions": len(seed.stock),
        },
        "catalog_paging": {
            "seconds": round(paging_seconds, 2),
            "products": paged,
            "pages": pages,
            "products_per_second": per_second(paged, paging_seconds),
        },
    }


def memory_pass(size: SeedSize) -> dict[str, dict[str, float]]:
    tracemalloc.start()
    try:
        seed, generated = traced(lambda: generate(size))
        _, commercetools = traced(
            lambda: create_commercetools(CommercetoolsSandboxConfig(seed=seed))
        )
        _, fluent = traced(lambda: create_fluent(FluentSandboxConfig(seed=seed)))
    finally:
        tracemalloc.stop()
    return {"generate": generated, "commercetools_load": commercetools, "fluent_load": fluent}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed_load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--products", type=at_least(1), default=SeedSize.bench().products)
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_PRODUCTS} products, to check the harness"
    )
    return parser


def measure(args: argparse.Namespace) -> dict[str, Any]:
    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    host = machine()
    products = QUICK_PRODUCTS if args.quick else args.products
    size = dataclasses.replace(SeedSize.bench(), products=products)
    figures = speed_pass(size, log)
    gc.collect()
    log("seed_load: the same under tracemalloc, for memory")
    for step, memory in memory_pass(size).items():
        figures[step].update(memory)
    return {
        "benchmark": "seed_load",
        "machine": host,
        "parameters": {
            "products": products,
            "variants": products * size.variants_per_product,
            "locations": size.locations,
            "stock_locations_per_sku": size.stock_locations_per_sku,
            "quick": args.quick,
        },
        **figures,
        # ru_maxrss is in KiB on Linux.
        "process_max_rss_mb": megabytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024),
    }


def main(argv: Sequence[str] | None = None) -> int:
    write_figures(measure(build_parser().parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
