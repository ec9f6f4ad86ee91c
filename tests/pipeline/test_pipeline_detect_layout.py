"""Detection depends on the events, not on how the fingerprinted frame is laid out in memory.

The scan hands detection one frame built batch by batch; these tests pin that the frame is one chunk with
every row of every batch, and that detection gives the same result (scores to 1e-9, evidence, campaigns)
for the same events however they are chunked or ordered.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pyarrow as pa
import pytest

from distillguard.config import ScanConfig
from distillguard.detect import DetectConfig, detect
from distillguard.detect._compare import result_differences
from distillguard.ingest import Quarantine, read_events
from distillguard.pipeline import FingerprintedEvents, fingerprint_events, frame_from_batches
from distillguard.simulate import SimulationSummary


@pytest.fixture(scope="module")
def fingerprinted(
    small_platform: SimulationSummary, tmp_path_factory: pytest.TempPathFactory
) -> FingerprintedEvents:
    config = ScanConfig(batch_rows=4_000)
    quarantine_path = tmp_path_factory.mktemp("layout") / "q.jsonl"
    with Quarantine(quarantine_path) as quarantine:
        batches = read_events(
            [small_platform.traffic_path], quarantine=quarantine, batch_rows=config.batch_rows
        )
        return fingerprint_events(batches, config)


def test_the_scan_frame_is_one_chunk_holding_every_event(
    fingerprinted: FingerprintedEvents, small_platform: SimulationSummary
) -> None:
    events = fingerprinted.events
    assert events.height == small_platform.events
    assert set(events.n_chunks("all")) == {1}


def test_frame_from_arrow_batches_equals_converting_the_whole_table() -> None:
    schema = pa.schema(
        [
            ("ts", pa.timestamp("us", tz="UTC")),
            ("account_id", pa.string()),
            ("words", pa.list_(pa.uint32())),
            ("p", pa.float32()),
        ]
    )
    when = datetime(2026, 3, 2, tzinfo=UTC)
    rows = [
        {"ts": when, "account_id": "acct_1", "words": [1, 2], "p": 0.5},
        {"ts": None, "account_id": None, "words": None, "p": None},
        {"ts": when, "account_id": "a much longer account name than twelve bytes", "words": [], "p": 1.0},
    ]
    batches = [pa.RecordBatch.from_pylist(rows[:2], schema), pa.RecordBatch.from_pylist(rows[2:], schema)]
    expected = pl.from_arrow(pa.Table.from_batches(batches))
    given = list(batches)
    frame = frame_from_batches(given)
    assert given == []  # emptied: the pieces are dropped as the columns are built
    assert frame.equals(expected) and frame.schema == expected.schema
    assert set(frame.n_chunks("all")) == {1}


def test_no_batches_give_an_empty_frame_in_the_schema() -> None:
    data = fingerprint_events(iter([]), ScanConfig())
    assert data.events.height == 0
    assert "template_hash" in data.events.columns


def _chunked(events: pl.DataFrame, rows: int) -> pl.DataFrame:
    return pl.concat([events.slice(start, rows) for start in range(0, events.height, rows)], rechunk=False)


def test_detection_ignores_chunking_and_row_order(fingerprinted: FingerprintedEvents) -> None:
    config = DetectConfig()
    events = fingerprinted.events
    reference = detect(events, fingerprinted.catalog, config)
    assert any(a.flagged for a in reference.accounts) and reference.campaigns
    chunked = _chunked(events, 3_001)
    assert max(chunked.n_chunks("all")) > 1
    assert result_differences(reference, detect(chunked, fingerprinted.catalog, config)) == []
    shuffled = events.sample(fraction=1.0, shuffle=True, seed=11)
    assert result_differences(reference, detect(shuffled, fingerprinted.catalog, config)) == []


def test_differences_are_reported() -> None:
    before = {"accounts": {"a": {"score": 0.5, "flagged": True}}, "campaigns": {}, "threshold": 0.5}
    after = {"accounts": {"a": {"score": 0.5 + 1e-6, "flagged": True}}, "campaigns": {}, "threshold": 0.5}
    assert result_differences(before, before) == []
    assert result_differences(before, after) == ["result.accounts.a.score: 0.5 before, 0.500001 after"]
