"""The benchmarks' harness, not their timings: each benchmark runs at a tiny size (`--quick`) in a
process of its own, all at once, and what it prints must be one JSON object with the figures
the README explains, consistent with its own parameters. `python -m bench` runs the two sync
benchmarks here, so the suite's aggregation is checked too."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import PROJECT_ROOT

TIMEOUT_SECONDS = 240
LATENCY_KEYS = {"count", "p50_ms", "p95_ms", "max_ms", "mean_ms"}
MACHINE_KEYS = {"cpu_count", "usable_cpus", "load_average_before", "python"}
COMMANDS = {
    "orders": ["-m", "bench.orders", "--quick"],
    "webhooks": ["-m", "bench.webhooks", "--quick"],
    "sourcing": ["-m", "bench.sourcing", "--quick"],
    "seed_load": ["-m", "bench.seed_load", "--quick"],
    "suite": ["-m", "bench", "--quick", "--only", "catalog_sync,inventory_sync"],
}


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str

    def figures(self) -> dict[str, Any]:
        assert self.returncode == 0, self.stderr[-3000:]
        figures: dict[str, Any] = json.loads(self.stdout)
        return figures


@pytest.fixture(scope="module")
def finished() -> Iterator[dict[str, Finished]]:
    """Every command started at once (they mostly wait on their servers), then collected."""
    running = {
        name: subprocess.Popen(
            [sys.executable, *argv],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, argv in COMMANDS.items()
    }
    try:
        results = {}
        for name, process in running.items():
            stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
            results[name] = Finished(process.returncode, stdout, stderr)
        yield results
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def assert_latency(figures: dict[str, Any], count: int) -> None:
    assert set(figures) == LATENCY_KEYS
    assert figures["count"] == count
    assert 0 <= figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]


def test_orders(finished: dict[str, Finished]) -> None:
    figures = finished["orders"].figures()
    sizes = figures["parameters"]

    assert figures["benchmark"] == "orders"
    assert set(figures["machine"]) >= MACHINE_KEYS
    assert figures["problems"] == []
    alone = figures["one_at_a_time"]
    assert alone["orders"] == sizes["one_at_a_time"]
    assert_latency(alone["checkout_to_fluent_order"], sizes["one_at_a_time"])
    assert_latency(alone["checkout_to_sourced"], sizes["one_at_a_time"])
    # An order is sourced only after it exists in Fluent.
    assert alone["checkout_to_sourced"]["max_ms"] >= alone["checkout_to_fluent_order"]["max_ms"]
    concurrent = figures["concurrent"]
    assert concurrent["orders"] == sizes["concurrent"]
    assert_latency(concurrent["checkout_to_sourced"], sizes["concurrent"])
    assert concurrent["sourced_per_second"] > 0
    assert concurrent["sustained_sourced_per_second"] > 0
    assert 0 <= concurrent["fluent_order_within_1s_share"] <= 1
    history = figures["intake_to_sourced_history"]
    assert history["orders"] == sizes["one_at_a_time"] + sizes["concurrent"]
    # At least: load the order, the customer, the Fluent order, the network, the fulfilments.
    assert history["activities_per_order"] >= 5
    assert history["history_events_per_order"] > history["activities_per_order"]
    lifecycle = figures["lifecycle"]
    assert lifecycle["orders"] == sizes["lifecycle"]
    assert_latency(lifecycle["checkout_to_complete"], sizes["lifecycle"])
    assert lifecycle["activities_per_order"] > history["activities_per_order"]


def test_webhooks(finished: dict[str, Finished]) -> None:
    figures = finished["webhooks"].figures()

    assert figures["benchmark"] == "webhooks"
    assert set(figures["machine"]) >= MACHINE_KEYS
    for kind, outcome in (("commercetools_events", "started"), ("fluent_webhooks", "delivered")):
        for phase in ("one_at_a_time", "concurrent"):
            run = figures[kind][phase]
            assert run["http_statuses"] == {"200": run["requests"]}, (kind, phase)
            assert run["outcomes"] == {outcome: run["requests"]}, (kind, phase)
            assert run["requests_per_second"] > 0
            assert_latency(run["latency"], run["requests"])
    # Every measured webhook was resolved from the cache, none by asking Fluent.
    assert figures["fluent_webhooks"]["fluent_lookups"] == 0


def test_sourcing(finished: dict[str, Finished]) -> None:
    figures = finished["sourcing"].figures()

    assert figures["benchmark"] == "sourcing"
    assert set(figures["machine"]) >= MACHINE_KEYS
    assert figures["parameters"]["locations"] == 200
    for case in ("realistic", "adversarial"):
        plans = figures[case]
        assert plans["complete_share"] == 1.0, case  # the networks hold enough of everything
        assert plans["plans_per_second"] > 0
        assert_latency(plans["latency"], plans["plans"])
        assert plans["peak_memory_mb_per_plan"] >= 0
    # The adversarial case exists to exhaust the budget.
    assert figures["adversarial"]["optimal_share"] == 0.0


def test_seed_load(finished: dict[str, Finished]) -> None:
    figures = finished["seed_load"].figures()
    products = figures["parameters"]["products"]

    assert figures["benchmark"] == "seed_load"
    assert set(figures["machine"]) >= MACHINE_KEYS
    for step in ("generate", "commercetools_load", "fluent_load"):
        assert figures[step]["seconds"] >= 0, step
        assert figures[step]["peak_mb"] >= figures[step]["retained_mb"] > 0, step
    assert figures["fluent_load"]["inventory_positions"] == (
        figures["parameters"]["variants"] * figures["parameters"]["stock_locations_per_sku"]
    )
    paging = figures["catalog_paging"]
    assert paging["products"] == products
    assert paging["pages"] == math.ceil(products / 500)


def test_the_suite_prints_every_chosen_benchmark(finished: dict[str, Finished]) -> None:
    figures = finished["suite"].figures()

    assert figures["suite"] == "bench"
    assert figures["quick"] is True
    assert figures["failed"] == []
    assert list(figures["benchmarks"]) == ["catalog_sync", "inventory_sync"]
    for name, result in figures["benchmarks"].items():
        assert result["command"].startswith(f"python -m bench.{name} ")
        assert result["figures"]["benchmark"] == name
    catalog = figures["benchmarks"]["catalog_sync"]["figures"]
    assert catalog["full_sync"]["created"] == catalog["products"]
    assert catalog["unchanged_rerun"]["fluent_mutations"] == 0


def test_the_suite_refuses_unknown_benchmarks() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "orders,nope"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert refused.returncode == 2
    assert "unknown benchmarks nope; choose from orders, webhooks" in refused.stderr
    assert refused.stdout == ""
