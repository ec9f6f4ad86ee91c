"""Auto workers: a large plain JSON-lines input is parsed in one background process, with the same result."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from operator import attrgetter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from ingest_helpers import SAMPLES

from distillguard.config import ScanConfig
from distillguard.errors import InputFormatError
from distillguard.ingest import EVENT_SCHEMA, Quarantine, _parallel, _read, read_events, read_mapped


def _table(paths: list[Path], qpath: Path, workers: int) -> pa.Table:
    with Quarantine(qpath) as quarantine:
        batches = list(read_events(paths, quarantine=quarantine, batch_rows=16, workers=workers))
    return pa.Table.from_batches(batches, schema=EVENT_SCHEMA)


@pytest.fixture
def background_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = _read.read_parallel

    def counting(*args: Any, **kwargs: Any) -> Iterator[pa.RecordBatch]:
        calls.append(args[-1])  # the number of worker processes
        return real(*args, **kwargs)

    monkeypatch.setattr(_read, "read_parallel", counting)
    monkeypatch.setattr(_read, "BACKGROUND_MIN_BYTES", 1_000)
    monkeypatch.setattr(_parallel, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(_parallel, "PART_BYTES", 5_000)
    return calls


def test_large_plain_input_is_parsed_in_one_background_process(
    tmp_path: Path, background_calls: list[int]
) -> None:
    big = tmp_path / "big.jsonl"
    lines = (SAMPLES / "canonical.jsonl").read_bytes().splitlines() * 4
    lines[9] = b"{broken"
    big.write_bytes(b"\n".join(lines) + b"\n")
    auto = _table([big], tmp_path / "q0.jsonl", workers=0)
    assert background_calls == [1]
    in_process = _table([big], tmp_path / "q1.jsonl", workers=1)
    assert background_calls == [1]  # workers=1 never starts a process
    assert auto.equals(in_process) and auto.num_rows == 79
    assert (tmp_path / "q0.jsonl").read_bytes() == (tmp_path / "q1.jsonl").read_bytes()


def test_small_or_gzip_input_stays_in_process(
    tmp_path: Path, background_calls: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    gz = tmp_path / "big.jsonl.gz"
    gz.write_bytes(gzip.compress((SAMPLES / "canonical.jsonl").read_bytes() * 4))
    assert _table([gz], tmp_path / "q.jsonl", workers=0).num_rows == 80
    small = SAMPLES / "canonical.jsonl"
    monkeypatch.setattr(_read, "BACKGROUND_MIN_BYTES", small.stat().st_size + 1)
    assert _table([small], tmp_path / "q2.jsonl", workers=0).num_rows == 20
    assert background_calls == []


def test_scan_default_is_auto_and_negative_workers_are_refused(tmp_path: Path) -> None:
    assert ScanConfig().workers == 0 and ScanConfig.from_dict({}).workers == 0
    with pytest.raises(InputFormatError, match="workers"), Quarantine(tmp_path / "q.jsonl") as q:
        list(read_events([SAMPLES / "canonical.jsonl"], quarantine=q, workers=-1))


def test_one_cpu_parses_in_process(
    tmp_path: Path, background_calls: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_read, "_usable_cpus", lambda: 1)
    big = tmp_path / "big.jsonl"
    big.write_bytes((SAMPLES / "canonical.jsonl").read_bytes() * 4)
    assert _table([big], tmp_path / "q.jsonl", workers=0).num_rows == 80
    assert background_calls == []


def test_read_mapped_transforms_each_batch_where_it_is_parsed(
    tmp_path: Path, background_calls: list[int]
) -> None:
    big = tmp_path / "big.jsonl"
    lines = (SAMPLES / "canonical.jsonl").read_bytes().splitlines() * 4
    lines[3] = b"{broken"
    big.write_bytes(b"\n".join(lines) + b"\n")
    with Quarantine(tmp_path / "q0.jsonl") as quarantine:
        # attrgetter pickles, as the worker process needs; auto mode runs every third part in-process.
        mapped = list(
            read_mapped([big], attrgetter("num_rows"), quarantine=quarantine, batch_rows=16, workers=0)
        )
    assert background_calls == [1]
    with Quarantine(tmp_path / "q1.jsonl") as quarantine:
        # The same parts, parsed by one background process without a transform: the same batches.
        rows = [b.num_rows for b in read_events([big], quarantine=quarantine, batch_rows=16, workers=0)]
    assert mapped == rows and sum(rows) == 79 and background_calls == [1, 1]
    assert (tmp_path / "q0.jsonl").read_bytes() == (tmp_path / "q1.jsonl").read_bytes()
    with Quarantine(tmp_path / "q2.jsonl") as quarantine:
        in_process = list(read_mapped([big], attrgetter("num_rows"), quarantine=quarantine, batch_rows=16))
    assert sum(in_process) == 79 and max(in_process) == 16 and background_calls == [1, 1]
