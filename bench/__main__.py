"""Every benchmark in sequence, each in a process of its own (so one's servers, memory and
threads never touch the next one's figures), printing one JSON document with all the figures.

    python -m bench                          # the suite: a few minutes on 2 cores
    python -m bench --only orders,sourcing   # some of them
    python -m bench --quick                  # tiny sizes: checks the harness, figures mean little

Each benchmark's progress goes to stderr as it runs; a benchmark that fails (exit code, or no
JSON) is reported under `failed` and the others still run; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.figures import machine, write_figures


@dataclass(frozen=True)
class Benchmark:
    name: str
    suite_args: tuple[str, ...]
    """Arguments for the suite's default run (sizes that keep the whole suite to minutes)."""
    quick_args: tuple[str, ...]

    def argv(self, *, quick: bool) -> list[str]:
        return ["-m", f"bench.{self.name}", *(self.quick_args if quick else self.suite_args)]


SMALL_CATALOG = ("--products", "20", "--variants", "2")
BENCHMARKS = (
    Benchmark("orders", (), ("--quick",)),
    Benchmark("webhooks", (), ("--quick",)),
    Benchmark("sourcing", (), ("--quick",)),
    Benchmark("seed_load", (), ("--quick",)),
    Benchmark("catalog_sync", ("--products", "1000"), SMALL_CATALOG),
    Benchmark("inventory_sync", ("--products", "1000"), SMALL_CATALOG),
)
NAMES = tuple(benchmark.name for benchmark in BENCHMARKS)


def chosen(text: str) -> list[str]:
    """Benchmark names, comma-separated, each known."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(NAMES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown benchmarks {', '.join(unknown) or '(none given)'}; choose from "
            f"{', '.join(NAMES)}"
        )
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--only",
        type=chosen,
        default=list(NAMES),
        metavar="NAMES",
        help=f"comma-separated, in the suite's order: {', '.join(NAMES)}",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the harness")
    return parser


def run(benchmark: Benchmark, *, quick: bool) -> dict[str, Any]:
    argv = benchmark.argv(quick=quick)
    command = " ".join(["python", *argv])
    print(f"bench: {command}", file=sys.stderr, flush=True)
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, *argv], stdout=subprocess.PIPE, stderr=None, text=True, check=False
    )
    seconds = round(time.monotonic() - started, 1)
    result: dict[str, Any] = {"command": command, "seconds": seconds}
    if finished.returncode != 0:
        return {**result, "error": f"exited with code {finished.returncode}"}
    try:
        figures = json.loads(finished.stdout)
    except json.JSONDecodeError as error:
        return {**result, "error": f"printed no JSON ({error.msg} at position {error.pos})"}
    return {**result, "figures": figures}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    host = machine()
    started = time.monotonic()
    results = {
        benchmark.name: run(benchmark, quick=args.quick)
        for benchmark in BENCHMARKS
        if benchmark.name in args.only
    }
    failed = [name for name, result in results.items() if "error" in result]
    write_figures(
        {
            "suite": "bench",
            "machine": host,
            "quick": args.quick,
            "seconds": round(time.monotonic() - started, 1),
            "benchmarks": results,
            "failed": failed,
        }
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
