"""Huge requests are kept with capped text; batches stay bounded; Parquet is conformed to the schema."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_helpers import SAMPLES, read_all

from distillguard.errors import InputFormatError
from distillguard.ingest import EVENT_SCHEMA, TEXT_CAP_CHARS, Quarantine, read_events, write_parquet


def test_multi_megabyte_prompt_is_kept_and_capped(tmp_path: Path) -> None:
    prompt = "Summarise the following contract.\n" + "Clause: the party of the first part. " * 100_000
    system = "S" * 20_000
    record = {
        "ts": "2026-03-02T09:00:00Z",
        "account_id": "acct_big",
        "request": {
            "model": "gpt-4.1",
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
        },
    }
    path = tmp_path / "big.jsonl"
    path.write_bytes(orjson.dumps(record) + b"\n" + orjson.dumps({**record, "account_id": "acct_small"}))
    table, quarantined, _ = read_all([path], tmp_path, batch_rows=1)
    assert quarantined == []
    assert len(prompt) > 3_000_000
    row = table.to_pylist()[0]
    assert row["account_id"] == "acct_big"
    assert row["user_text"] == prompt[:TEXT_CAP_CHARS]
    assert row["system_text"] == system[:TEXT_CAP_CHARS]
    assert row["prompt_chars"] == len(prompt) + len(system)


def test_batches_are_bounded(tmp_path: Path) -> None:
    lines = (SAMPLES / "canonical.jsonl").read_bytes() * 5
    path = tmp_path / "requests.jsonl"
    path.write_bytes(lines)
    for fmt, source in (("canonical", path), ("parquet", SAMPLES / "events.parquet"), ("otel", None)):
        source = source or SAMPLES / "otel.jsonl"
        with Quarantine(None) as quarantine:
            sizes = [b.num_rows for b in read_events([source], fmt=fmt, quarantine=quarantine, batch_rows=7)]
        assert max(sizes) <= 7, fmt
        assert sum(sizes) == (100 if fmt == "canonical" else 20), fmt


def test_nanosecond_and_offset_timestamps(tmp_path: Path) -> None:
    base = {"account_id": "acct_1", "request": {"messages": []}}
    path = tmp_path / "requests.jsonl"
    path.write_bytes(
        b"\n".join(
            orjson.dumps({**base, "ts": ts})
            for ts in (
                "2026-03-02T09:00:00.123456789Z",
                "2026-03-02T10:30:00.5+01:30",
                "2026-03-02 09:00:00Z",
            )
        )
    )
    table, quarantined, _ = read_all([path], tmp_path)
    assert quarantined == []
    assert table.column("ts").to_pylist() == [
        datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 3, 2, 9, 0, 0, 500000, tzinfo=UTC),
        datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC),
    ]


def test_parquet_is_conformed_to_the_event_schema(tmp_path: Path) -> None:
    """Other timestamp units, naive times, string times, missing optional and extra columns."""
    table = pa.table(
        {
            "account_id": pa.array(["acct_1", "acct_2"], pa.large_string()),
            "ts": pa.array([1772442000_000_000_000, 1772442060_000_000_000], pa.timestamp("ns")),
            "account_created": pa.array(["2025-01-01T00:00:00Z", None]),
            "user_text": pa.array(["x" * (TEXT_CAP_CHARS + 10), "short"]),
            "max_tokens": pa.array([100, None], pa.int32()),
            "tenant_region": pa.array(["eu", "us"]),
        }
    )
    path = tmp_path / "export.parquet"
    pq.write_table(table, path, row_group_size=1)
    events, quarantined, _ = read_all([path], tmp_path)
    assert quarantined == []
    assert events.schema.equals(EVENT_SCHEMA)
    rows = events.to_pylist()
    assert rows[0]["ts"] == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert rows[0]["account_created"] == datetime(2025, 1, 1, tzinfo=UTC)
    assert len(rows[0]["user_text"]) == TEXT_CAP_CHARS
    assert rows[1]["max_tokens"] is None and rows[1]["model"] is None


def test_write_parquet_round_trips(tmp_path: Path) -> None:
    with Quarantine(None) as quarantine:
        batches = list(read_events([SAMPLES / "litellm.jsonl"], quarantine=quarantine, batch_rows=6))
    path = tmp_path / "out.parquet"
    assert write_parquet(batches, path) == 20
    assert pq.read_table(path).equals(pa.Table.from_batches(batches))


def test_parquet_with_integer_times_is_refused_rather_than_guessed(tmp_path: Path) -> None:
    path = tmp_path / "epoch.parquet"
    pq.write_table(pa.table({"ts": [1772442000], "account_id": ["acct_1"]}), path)
    with Quarantine(None) as quarantine, pytest.raises(InputFormatError, match="store times as timestamps"):
        list(read_events([path], quarantine=quarantine))
