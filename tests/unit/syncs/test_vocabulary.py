"""The syncs' vocabulary: statistics, the watermark's windows, workflow and schedule ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from connector.syncs import (
    MAX_FAILURE_DETAILS,
    CatalogChangeInput,
    CatalogResource,
    EntityResult,
    LastRun,
    Outcome,
    RetryEntity,
    SyncKind,
    SyncMode,
    SyncResult,
    SyncStats,
    SyncWatermark,
    SyncWindow,
    catalog_change_workflow_id,
    location_change_workflow_id,
)

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
OVERLAP = timedelta(minutes=2)
RUN = LastRun(
    workflow_id="sync-catalog",
    run_id="r-1",
    mode=SyncMode.DELTA,
    finished_at=NOW,
    processed=3,
    failed=1,
)

results = st.one_of(
    st.builds(EntityResult, outcome=st.sampled_from(list(Outcome)), writes=st.integers(0, 5)),
    st.builds(
        lambda i: EntityResult.failed("product", f"p-{i}", "refused", writes=1),
        st.integers(0, 10),
    ),
)


def recorded(items: list[EntityResult]) -> SyncStats:
    stats = SyncStats()
    for item in items:
        stats.record(item)
    return stats


def test_outcomes_are_counted_and_processed_is_their_sum() -> None:
    stats = recorded(
        [
            EntityResult.of_writes(created=True, writes=3),
            EntityResult.of_writes(created=False, writes=1),
            EntityResult.of_writes(created=False, writes=0),
            EntityResult.failed("product", "p-1", "Fluent refused it", writes=1),
        ]
    )

    assert (stats.created, stats.updated, stats.unchanged, stats.failed) == (1, 1, 1, 1)
    assert stats.processed == 4
    assert stats.writes == 5
    assert stats.failures[0].reason == "Fluent refused it"
    assert stats.model_dump()["processed"] == 4


def test_failure_details_are_capped_but_the_count_is_exact() -> None:
    stats = recorded(
        [EntityResult.failed("sku", f"S-{n}", "x") for n in range(MAX_FAILURE_DETAILS + 3)]
    )

    assert stats.failed == MAX_FAILURE_DETAILS + 3
    assert len(stats.failures) == MAX_FAILURE_DETAILS
    assert stats.failures_truncated


@given(st.lists(results), st.lists(results))
def test_adding_statistics_equals_recording_everything_at_once(
    first: list[EntityResult], second: list[EntityResult]
) -> None:
    combined = recorded(first)
    combined.add(recorded(second))

    assert combined == recorded(first + second)


def test_a_first_run_and_a_full_run_read_everything() -> None:
    nothing_yet = SyncWatermark(kind=SyncKind.CATALOG)
    known = SyncWatermark(kind=SyncKind.CATALOG, next_lower=NOW - timedelta(hours=1))

    assert nothing_yet.window_for(SyncMode.DELTA, NOW) == SyncWindow(lower=None, upper=NOW)
    assert known.window_for(SyncMode.FULL, NOW).is_full


def test_a_delta_run_reads_from_the_watermark_and_retries_the_last_failures() -> None:
    retry = [RetryEntity(entity="product", id="p-1"), RetryEntity(entity="category", id="c-1")]
    watermark = SyncWatermark(
        kind=SyncKind.CATALOG, next_lower=NOW - timedelta(hours=1), retry=retry
    )

    window = watermark.window_for(SyncMode.DELTA, NOW)

    assert window.lower == NOW - timedelta(hours=1)
    assert window.upper == NOW
    assert window.retry_ids("product") == ["p-1"]
    assert window.retry_ids("category") == ["c-1"]


def test_when_failures_overflowed_the_next_run_is_full() -> None:
    watermark = SyncWatermark(
        kind=SyncKind.INVENTORY, next_lower=NOW - timedelta(hours=1), full_required=True
    )

    assert watermark.window_for(SyncMode.DELTA, NOW).is_full


def test_a_completed_run_moves_the_watermark_to_its_start_minus_the_overlap() -> None:
    stats = {
        "product": recorded(
            [
                EntityResult.failed("product", "p-1", "a"),
                EntityResult.failed("product", "p-1", "again"),
                EntityResult.failed("product", "p-2", "b"),
            ]
        ),
        "category": SyncStats(created=2),
    }
    window = SyncWindow(lower=NOW - timedelta(hours=1), upper=NOW)

    watermark = SyncWatermark.completed(
        SyncKind.CATALOG, window, stats, overlap=OVERLAP, last_run=RUN
    )

    assert watermark.next_lower == NOW - OVERLAP
    assert watermark.retry == [
        RetryEntity(entity="product", id="p-1"),
        RetryEntity(entity="product", id="p-2"),
    ]
    assert not watermark.full_required
    assert watermark.last_run == RUN


def test_overflowing_failures_require_a_full_run_next() -> None:
    overflow = recorded(
        [EntityResult.failed("sku", f"S-{n}", "x") for n in range(MAX_FAILURE_DETAILS + 1)]
    )

    watermark = SyncWatermark.completed(
        SyncKind.INVENTORY,
        SyncWindow(lower=None, upper=NOW),
        {"sku": overflow},
        overlap=OVERLAP,
        last_run=RUN,
    )

    assert watermark.full_required


def test_a_watermark_survives_its_json_round_trip() -> None:
    watermark = SyncWatermark(
        kind=SyncKind.LOCATIONS,
        next_lower=NOW,
        retry=[RetryEntity(entity="location", id="ST-001")],
        last_run=RUN,
    )

    assert SyncWatermark.model_validate(watermark.model_dump(mode="json")) == watermark


def test_ids_of_workflows_and_schedules() -> None:
    change = CatalogChangeInput(
        resource=CatalogResource.PRODUCT,
        id="p-1",
        version=7,
        message_type="ProductPublished",
        message_id="m-9",
    )

    assert catalog_change_workflow_id(change) == "catalog-product-p-1-7"
    assert catalog_change_workflow_id(change.model_copy(update={"version": None})) == (
        "catalog-product-p-1-mm-9"
    )
    assert location_change_workflow_id("ST-001") == "location-ST-001"
    assert SyncKind.INVENTORY.manual_workflow_id == "sync-inventory"
    assert SyncKind.INVENTORY.schedule_id() == "sync-inventory-schedule"
    assert SyncKind.INVENTORY.schedule_id(SyncMode.FULL) == "sync-inventory-full-schedule"
    assert SyncKind.LOCATIONS.workflow_type == "LocationSyncWorkflow"
    assert SyncKind.CATALOG.watermark_key == "sync-catalog"


def test_a_result_adds_its_entities_into_a_total_and_knows_its_duration() -> None:
    result = SyncResult(
        kind=SyncKind.CATALOG,
        mode=SyncMode.DELTA,
        status="completed",
        started_at=NOW,
        finished_at=NOW + timedelta(seconds=90),
        stats={"category": SyncStats(created=2, writes=2), "product": SyncStats(unchanged=5)},
    )

    assert result.total.processed == 7
    assert result.total.writes == 2
    assert result.duration_seconds == 90.0
    assert SyncResult.model_validate_json(result.model_dump_json()) == result
