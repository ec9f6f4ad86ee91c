"""Several worker processes give the same batches, in the same order, and the same quarantine."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
from ingest_helpers import SAMPLES

from distillguard.errors import InputFormatError
from distillguard.ingest import EVENT_SCHEMA, Quarantine, _parallel, read_events


def _read(paths: list[Path], qpath: Path, workers: int) -> tuple[pa.Table, list[dict[str, object]]]:
    with Quarantine(qpath) as quarantine:
        batches = list(read_events(paths, quarantine=quarantine, batch_rows=16, workers=workers))
    assert all(b.num_rows <= 16 for b in batches)
    records = [orjson.loads(line) for line in qpath.read_bytes().splitlines()]
    return pa.Table.from_batches(batches, schema=EVENT_SCHEMA), records


def test_parallel_read_equals_single_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_parallel, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(_parallel, "PART_BYTES", 5_000)  # the big file is read in ~14 parts
    lines = (SAMPLES / "canonical.jsonl").read_bytes().splitlines() * 4
    lines[5] = b"{broken"
    lines[41] = b""
    lines[77] = b'{"ts": "nope", "account_id": "acct_x", "request": {}}'
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"\n".join(lines))  # no trailing newline on the last line
    gz = tmp_path / "litellm.jsonl.gz"
    gz.write_bytes(gzip.compress((SAMPLES / "litellm.jsonl").read_bytes()))
    shutil.copy(SAMPLES / "otel.jsonl", tmp_path / "otel.jsonl")
    paths = [big, gz, tmp_path / "otel.jsonl", SAMPLES / "events.parquet"]

    single, single_q = _read(paths, tmp_path / "q1.jsonl", workers=1)
    parallel, parallel_q = _read(paths, tmp_path / "q2.jsonl", workers=2)
    assert parallel.equals(single)
    assert single.num_rows == 77 + 20 + 20 + 20  # 80 lines, one blank and two quarantined
    assert parallel_q == single_q
    assert sorted((r["line"], r["reason"].split(":")[0]) for r in parallel_q) == [
        (6, "broken JSON"),
        (78, "unparseable time"),
    ]


def test_errors_from_workers_keep_their_context(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 but not really a parquet file")
    with Quarantine(None) as quarantine, pytest.raises(InputFormatError) as error:
        list(read_events([path], quarantine=quarantine, workers=2))
    assert error.value.context["path"] == path
