"""Sourcing benchmark: the planner (`connector.sourcing.plan_sourcing`) on its own, as the order
workflow calls it.

Realistic orders: 1-10 lines of distinct SKUs (1-3 units each), 80 % home delivery to an
address near one of the network's cities, 20 % click & collect at an active store, planned on
the bench network (`SeedSize.bench()`: 200 locations, each SKU held by 12 of them, 0-25 units)
with the stock of the ordered SKUs only, as the workflow's sourcing activity loads it. The
adversarial case is the worst the budget exists for: every location holds a little of five of
twenty SKUs and the order wants six units of all twenty, so a cover needs many locations and
the exact search cannot finish; the work budget (`DEFAULT_MAX_SEARCH_NODES`) must end it.

Times are of `plan_sourcing` alone (`time.perf_counter`), warm-up plans excluded. Memory is the
largest tracemalloc peak of one call among the 5 slowest plans, measured in a separate pass
(tracemalloc slows code down).

    python -m bench.sourcing [--orders N] [--adversarial N] [--warmup N] [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.figures import at_least, latency_ms, machine, megabytes, per_second, write_figures
from connector.sourcing import (
    DEFAULT_MAX_SEARCH_NODES,
    Coordinates,
    OrderLine,
    SourcingLocation,
    SourcingPlan,
    SourcingRequest,
    plan_sourcing,
)
from sandbox.seed import SeedData, SeedSize, generate

RANDOM_SEED = 20261129
MAX_LINES = 10
CC_SHARE = 0.2
# Shoppers live within a few kilometres of a city centre.
ADDRESS_JITTER_DEGREES = 0.1
ADVERSARIAL_SKUS = 20
ADVERSARIAL_SKUS_PER_LOCATION = 5
ADVERSARIAL_MAX_UNITS = 3
ADVERSARIAL_DEMAND = 6
MEMORY_SAMPLE = 5
QUICK_MAX_SEARCH_NODES = 5_000


@dataclass(frozen=True)
class Problem:
    """One planning call: the request and the network as the workflow hands it over."""

    request: SourcingRequest
    locations: tuple[SourcingLocation, ...]
    max_search_nodes: int

    def plan(self) -> SourcingPlan:
        return plan_sourcing(self.request, self.locations, max_search_nodes=self.max_search_nodes)


class Network:
    """The seed's locations and their stock by SKU, from which each order's candidates are
    cut (only the ordered SKUs, as the sourcing activity loads them)."""

    def __init__(self, seed: SeedData) -> None:
        self.seed = seed
        self.stock: dict[str, dict[str, int]] = defaultdict(dict)  # sku -> location -> units
        for position in seed.stock:
            self.stock[position.sku][position.location_ref] = position.on_hand
        self.skus = sorted(self.stock)
        self.active_stores = [
            location.ref
            for location in seed.locations
            if location.status == "ACTIVE" and location.type == "STORE"
        ]

    def candidates(self, skus: Iterable[str]) -> tuple[SourcingLocation, ...]:
        held: dict[str, dict[str, int]] = defaultdict(dict)
        for sku in skus:
            for ref, units in self.stock[sku].items():
                held[ref][sku] = units
        return tuple(
            SourcingLocation(
                ref=location.ref,
                coordinates=Coordinates(
                    latitude=location.address.latitude, longitude=location.address.longitude
                ),
                active=location.status == "ACTIVE",
                stock=held.get(location.ref, {}),
            )
            for location in self.seed.locations
        )


def realistic_orders(
    network: Network, count: int, budget: int, rng: random.Random
) -> list[Problem]:
    locations = network.seed.locations
    problems = []
    for _ in range(count):
        skus = rng.sample(network.skus, rng.randint(1, MAX_LINES))
        lines = tuple(
            OrderLine(ref=f"line-{n}", sku=sku, quantity=rng.choice((1, 1, 1, 2, 3)))
            for n, sku in enumerate(skus)
        )
        if rng.random() < CC_SHARE:
            request = SourcingRequest(
                order_type="CC", lines=lines, pickup_location_ref=rng.choice(network.active_stores)
            )
        else:
            near = rng.choice(locations).address
            destination = Coordinates(
                latitude=near.latitude + rng.uniform(-1, 1) * ADDRESS_JITTER_DEGREES,
                longitude=near.longitude + rng.uniform(-1, 1) * ADDRESS_JITTER_DEGREES,
            )
            request = SourcingRequest(order_type="HD", lines=lines, destination=destination)
        problems.append(Problem(request, network.candidates(skus), budget))
    return problems


def adversarial_orders(count: int, budget: int, rng: random.Random) -> list[Problem]:
    skus = [f"SKU-{n:02}" for n in range(ADVERSARIAL_SKUS)]
    request = SourcingRequest(
        order_type="HD",
        lines=tuple(
            OrderLine(ref=f"line-{n}", sku=sku, quantity=ADVERSARIAL_DEMAND)
            for n, sku in enumerate(skus)
        ),
        destination=Coordinates(latitude=50, longitude=5),
    )
    problems = []
    for _ in range(count):
        locations = tuple(
            SourcingLocation(
                ref=f"L{index:03}",
                coordinates=Coordinates(
                    latitude=rng.uniform(40, 60), longitude=rng.uniform(-10, 20)
                ),
                active=True,
                stock={
                    sku: rng.randint(1, ADVERSARIAL_MAX_UNITS)
                    for sku in rng.sample(skus, ADVERSARIAL_SKUS_PER_LOCATION)
                },
            )
            for index in range(SeedSize.bench().locations)
        )
        problems.append(Problem(request, locations, budget))
    return problems


def timed(problems: Sequence[Problem]) -> tuple[list[float], list[SourcingPlan]]:
    seconds, plans = [], []
    for problem in problems:
        started = time.perf_counter()
        plan = problem.plan()
        seconds.append(time.perf_counter() - started)
        plans.append(plan)
    return seconds, plans


def peak_bytes(problems: Sequence[Problem]) -> int:
    """The largest tracemalloc peak of one planning call."""
    peaks = []
    tracemalloc.start()
    try:
        for problem in problems:
            tracemalloc.reset_peak()
            baseline = tracemalloc.get_traced_memory()[0]
            problem.plan()
            peaks.append(tracemalloc.get_traced_memory()[1] - baseline)
    finally:
        tracemalloc.stop()
    return max(peaks)


def plan_figures(problems: Sequence[Problem]) -> dict[str, Any]:
    """Speed over every problem; memory over the slowest ones (the largest searches), since
    tracemalloc makes a pass over all of them several times slower."""
    seconds, plans = timed(problems)
    slowest = sorted(range(len(problems)), key=seconds.__getitem__)[-MEMORY_SAMPLE:]
    return {
        "plans": len(plans),
        "plans_per_second": per_second(len(plans), sum(seconds)),
        "latency": latency_ms(seconds),
        "optimal_share": round(sum(plan.optimal for plan in plans) / len(plans), 3),
        "complete_share": round(sum(plan.is_complete for plan in plans) / len(plans), 3),
        "mean_fulfilments": round(sum(len(p.fulfilments) for p in plans) / len(plans), 2),
        "max_fulfilments": max(len(plan.fulfilments) for plan in plans),
        "peak_memory_mb_per_plan": megabytes(peak_bytes([problems[i] for i in slowest])),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sourcing",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--orders", type=at_least(1), default=500, help="realistic orders to plan")
    parser.add_argument("--adversarial", type=at_least(1), default=3, help="adversarial networks")
    parser.add_argument(
        "--warmup", type=at_least(0), default=20, help="realistic plans not counted"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes and a 5,000-node budget, to check the harness (figures mean little)",
    )
    return parser


def measure(args: argparse.Namespace) -> dict[str, Any]:
    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    host = machine()
    size, budget = SeedSize.bench(), DEFAULT_MAX_SEARCH_NODES
    orders, adversarial, warmup = args.orders, args.adversarial, args.warmup
    if args.quick:
        size, budget = dataclasses.replace(size, products=300), QUICK_MAX_SEARCH_NODES
        orders, adversarial, warmup = 20, 1, 2
    rng = random.Random(RANDOM_SEED)
    log(f"sourcing: generating the network ({size.locations} locations)")
    network = Network(generate(size))
    problems = realistic_orders(network, warmup + orders, budget, rng)
    log(f"sourcing: {warmup} warm-up plans, then {orders} realistic orders")
    timed(problems[:warmup])
    realistic = plan_figures(problems[warmup:])
    log(f"sourcing: {adversarial} adversarial networks")
    worst = plan_figures(adversarial_orders(adversarial, budget, rng))
    return {
        "benchmark": "sourcing",
        "machine": host,
        "parameters": {
            "locations": size.locations,
            "skus": len(network.skus),
            "stock_locations_per_sku": size.stock_locations_per_sku,
            "lines_per_order": f"1-{MAX_LINES}",
            "cc_share": CC_SHARE,
            "adversarial_lines": ADVERSARIAL_SKUS,
            "max_search_nodes": budget,
            "warmup_plans": warmup,
            "quick": args.quick,
        },
        "realistic": realistic,
        "adversarial": worst,
    }


def main(argv: Sequence[str] | None = None) -> int:
    write_figures(measure(build_parser().parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
