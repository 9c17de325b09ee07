"""The benchmarks' arithmetic: percentiles from raw samples, steady rates, and what is counted
from a workflow history."""

from __future__ import annotations

import argparse
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import (
    ActivityTaskCompletedEventAttributes,
    ActivityTaskScheduledEventAttributes,
    HistoryEvent,
)

from bench.figures import (
    at_least,
    latency_ms,
    per_second,
    percentile,
    positive_seconds,
    steady_rate,
)
from bench.orders import HistoryCounts, count_history

samples = st.lists(
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False), min_size=1
)
fractions = st.floats(min_value=1e-6, max_value=1.0)


# --- percentile ----------------------------------------------------------------------------------


def test_percentiles_are_nearest_rank_samples() -> None:
    values = [float(n) for n in range(1, 21)]  # 1..20, shuffled order must not matter
    shuffled = values[::2] + values[1::2]

    assert percentile(shuffled, 0.50) == 10.0
    assert percentile(shuffled, 0.95) == 19.0  # 0.95 * 20 = 19 exactly, despite binary floats
    assert percentile(shuffled, 0.96) == 20.0
    assert percentile(shuffled, 1.0) == 20.0
    assert percentile([7.0], 0.5) == 7.0


@pytest.mark.parametrize("fraction", [0.0, -0.1, 1.01, math.nan])
def test_a_fraction_outside_zero_to_one_is_refused(fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction"):
        percentile([1.0], fraction)


def test_no_samples_have_no_percentile() -> None:
    with pytest.raises(ValueError, match="at least one sample"):
        percentile([], 0.5)


@given(samples, fractions)
def test_a_percentile_is_a_sample_with_that_share_at_or_below_it(
    values: list[float], fraction: float
) -> None:
    value = percentile(values, fraction)

    assert value in values
    at_or_below = sum(v <= value for v in values)
    strictly_below = sum(v < value for v in values)
    assert at_or_below >= fraction * len(values) - 1e-6
    assert strictly_below < fraction * len(values) + 1e-6


@given(samples, fractions, fractions)
def test_percentiles_grow_with_the_fraction(values: list[float], a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert percentile(values, low) <= percentile(values, high)


def test_latency_figures_are_milliseconds_of_the_samples() -> None:
    figures = latency_ms([0.010, 0.020, 0.030, 0.040])

    assert figures == {"count": 4, "p50_ms": 20.0, "p95_ms": 40.0, "max_ms": 40.0, "mean_ms": 25.0}
    with pytest.raises(ValueError, match="at least one sample"):
        latency_ms([])


# --- rates ---------------------------------------------------------------------------------------


def test_a_rate_needs_time_to_pass() -> None:
    assert per_second(10, 4.0) == 2.5
    with pytest.raises(ValueError, match="positive duration"):
        per_second(10, 0.0)


def test_the_steady_rate_leaves_out_ramp_up_and_drain() -> None:
    # Slow start and end (ramp-up, drain), one event a second in between.
    times = [0.0, 10.0, *[float(t) for t in range(20, 36)], 50.0, 60.0]

    assert steady_rate(times) == 1.0  # 2 cut each side: 20..35, 15 intervals in 15 s
    assert steady_rate(times, trim=0) == round(19 / 60, 1)


def test_a_steady_rate_needs_two_distinct_events_left() -> None:
    with pytest.raises(ValueError, match="at least two"):
        steady_rate([1.0])
    with pytest.raises(ValueError, match="simultaneous"):
        steady_rate([3.0, 3.0])
    with pytest.raises(ValueError, match="fewer than two"):
        steady_rate([1.0, 2.0, 3.0], trim=0.4)
    with pytest.raises(ValueError, match="trim"):
        steady_rate([1.0, 2.0], trim=0.5)


@given(
    st.integers(min_value=2, max_value=300),
    st.floats(min_value=1e-3, max_value=100),
    st.floats(min_value=0, max_value=1e4),
    st.sampled_from([0.0, 0.1, 0.25]),
)
def test_evenly_spaced_events_have_their_rate_whatever_is_trimmed(
    count: int, interval: float, start: float, trim: float
) -> None:
    times = [start + n * interval for n in range(count)]
    cut = int(count * trim)
    if count - 2 * cut < 2:
        return  # nothing to measure: covered by the error case above
    assert math.isclose(steady_rate(times[::-1], trim=trim), 1 / interval, abs_tol=0.051)


# --- workflow histories --------------------------------------------------------------------------


def scheduled(event_id: int, activity: str) -> HistoryEvent:
    event = HistoryEvent(event_id=event_id, event_type=EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    attributes = ActivityTaskScheduledEventAttributes()
    attributes.activity_type.name = activity
    event.activity_task_scheduled_event_attributes.CopyFrom(attributes)
    return event


def completed(event_id: int, scheduled_event_id: int) -> HistoryEvent:
    event = HistoryEvent(event_id=event_id, event_type=EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
    event.activity_task_completed_event_attributes.CopyFrom(
        ActivityTaskCompletedEventAttributes(scheduled_event_id=scheduled_event_id)
    )
    return event


def other(event_id: int, event_type: EventType.ValueType) -> HistoryEvent:
    return HistoryEvent(event_id=event_id, event_type=event_type)


HISTORY = [
    other(1, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
    scheduled(2, "load_order"),
    other(3, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    completed(4, 2),
    scheduled(5, "ensure_fulfilments"),
    scheduled(6, "sync_commercetools_order"),
    completed(7, 6),
    completed(8, 5),
    other(9, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    scheduled(10, "fetch_fluent_order"),
    completed(11, 10),
]


def test_counts_stop_at_the_completion_of_the_named_activity() -> None:
    assert count_history(HISTORY, "ensure_fulfilments") == HistoryCounts(
        events=8, activities=3, signals=1
    )


def test_counts_cover_the_whole_history_without_a_named_activity() -> None:
    assert count_history(HISTORY, None) == HistoryCounts(events=11, activities=4, signals=2)


def test_a_named_activity_not_completed_yet_gives_no_counts() -> None:
    assert count_history(HISTORY[:7], "ensure_fulfilments") is None
    assert count_history(HISTORY, "ensure_invoice") is None


# --- command line --------------------------------------------------------------------------------


def test_counts_below_the_minimum_are_usage_errors() -> None:
    assert at_least(1)("3") == 3
    assert at_least(0)("0") == 0
    with pytest.raises(argparse.ArgumentTypeError, match="must be at least 1, got 0"):
        at_least(1)("0")
    with pytest.raises(argparse.ArgumentTypeError, match=r"expected a whole number, got '2\.5'"):
        at_least(1)("2.5")


@pytest.mark.parametrize("text", ["0", "-1", "nan", "inf", "soon"])
def test_seconds_must_be_a_positive_finite_number(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="seconds"):
        positive_seconds(text)


def test_seconds_may_be_fractions() -> None:
    assert positive_seconds("0.05") == 0.05
