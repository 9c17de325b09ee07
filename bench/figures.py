"""What every benchmark reports the same way: latency distributions from raw samples, rates,
memory in MB, the machine the figures were measured on, and the JSON document on stdout.

Percentiles are nearest-rank over the raw samples (p95 of 20 samples is the 19th smallest): no
interpolation, no histogram buckets, so every reported value is one that was really measured.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
from collections.abc import Callable, Sequence
from typing import Any

MB = 1024 * 1024


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest sample with at least `fraction` of all samples
    at or below it. Raises ValueError for no samples or a fraction outside (0, 1]."""
    if not samples:
        raise ValueError("a percentile needs at least one sample")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    ordered = sorted(samples)
    # The small epsilon keeps 0.95 * 20 at 19 despite binary floating point (19.000000000000004).
    rank = math.ceil(fraction * len(ordered) - 1e-9)
    return ordered[max(rank, 1) - 1]


def latency_ms(samples_seconds: Sequence[float]) -> dict[str, float | int]:
    """Count, p50, p95, max and mean of durations in seconds, in milliseconds."""
    if not samples_seconds:
        raise ValueError("a latency distribution needs at least one sample")
    return {
        "count": len(samples_seconds),
        "p50_ms": round(percentile(samples_seconds, 0.50) * 1000, 1),
        "p95_ms": round(percentile(samples_seconds, 0.95) * 1000, 1),
        "max_ms": round(max(samples_seconds) * 1000, 1),
        "mean_ms": round(sum(samples_seconds) / len(samples_seconds) * 1000, 1),
    }


def per_second(count: int, seconds: float) -> float:
    if seconds <= 0:
        raise ValueError(f"a rate needs a positive duration, got {seconds} s")
    return round(count / seconds, 1)


def steady_rate(times: Sequence[float], trim: float = 0.1) -> float:
    """Events per second in the middle of a run: the first and the last `trim` of the events
    (ramp-up and drain) left out, then (events - 1) / (last - first), the rate between them."""
    if len(times) < 2:
        raise ValueError("a rate needs at least two events")
    if not 0 <= trim < 0.5:
        raise ValueError(f"trim must be in [0, 0.5), got {trim}")
    ordered = sorted(times)
    cut = int(len(ordered) * trim)
    middle = ordered[cut : len(ordered) - cut]
    if len(middle) < 2:
        raise ValueError(f"trimming {trim:.0%} of {len(ordered)} events leaves fewer than two")
    span = middle[-1] - middle[0]
    if span <= 0:
        raise ValueError("the events are simultaneous: no rate")
    return round((len(middle) - 1) / span, 1)


def megabytes(size_bytes: int) -> float:
    return round(size_bytes / MB, 1)


def machine() -> dict[str, Any]:
    """Where the figures come from: they mean little without the cores they had and what else
    was running (take it before the benchmark starts its own processes)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "load_average_before": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
    }


def write_figures(figures: dict[str, Any]) -> None:
    """The benchmark's one JSON object on stdout (everything else goes to stderr)."""
    sys.stdout.write(json.dumps(figures, indent=2) + "\n")
    sys.stdout.flush()


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than `minimum` (a clear usage error else)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def positive_seconds(text: str) -> float:
    """An argparse type: a number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value
