"""While the parse worker is being launched, the reading process does its own work and parses parts itself.

Launching a forkserver worker waits until the server has imported the main module (a second or so for the
CLI); the caller's work ahead (``idle``) and the first parts are done meanwhile. The batches, their order
and the quarantine are those of a read in one process.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest
from ingest_helpers import SAMPLES

from distillguard.ingest import EVENT_SCHEMA, Quarantine, _parallel, read_events, read_mapped

LAUNCH_SECONDS = 1.5


class _SlowLaunch(ProcessPoolExecutor):
    """A pool whose first submit (the one that launches the worker) takes ``LAUNCH_SECONDS`` more."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.launched = False

    def submit(self, *args: Any, **kwargs: Any) -> Future[Any]:
        if not self.launched:
            self.launched = True
            time.sleep(LAUNCH_SECONDS)
        return super().submit(*args, **kwargs)


def _batch_rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    # Module level, so that the worker can unpickle it.
    return batch.to_pylist()


def _read(path: Path, qpath: Path, idle: Any, workers: int) -> tuple[list[Any], list[dict[str, Any]]]:
    with Quarantine(qpath) as quarantine:
        if workers == 1:
            rows = [_batch_rows(b) for b in read_events([path], quarantine=quarantine, batch_rows=16)]
        else:
            rows = list(
                read_mapped([path], _batch_rows, quarantine=quarantine, batch_rows=16, workers=2, idle=idle)
            )
    return rows, [orjson.loads(line) for line in qpath.read_bytes().splitlines()]


def test_parts_are_parsed_here_while_the_worker_is_launched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_parallel, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(_parallel, "PART_BYTES", 3_000)
    monkeypatch.setattr(_parallel, "ProcessPoolExecutor", _SlowLaunch)
    lines = (SAMPLES / "canonical.jsonl").read_bytes().splitlines() * 4
    lines[5] = b"{broken"
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_bytes(b"\n".join(lines) + b"\n")
    here: list[int] = []
    run_task = _parallel.run_task

    def counting(*args: Any, **kwargs: Any) -> Any:  # parts parsed in this process
        here.append(1)
        return run_task(*args, **kwargs)

    # Pickled by name for the worker, where it resolves to the real run_task.
    counting.__module__, counting.__qualname__ = run_task.__module__, run_task.__qualname__
    monkeypatch.setattr(_parallel, "run_task", counting)
    steps: list[float] = []

    def idle() -> bool:  # three steps of work ahead, then none left
        steps.append(time.perf_counter())
        return len(steps) <= 3

    began = time.perf_counter()
    parallel, parallel_q = _read(traffic, tmp_path / "q2.jsonl", idle, workers=2)
    assert len(steps) >= 3 and steps[0] - began < LAUNCH_SECONDS / 2  # the work ahead did not wait
    assert here  # and parts were parsed here meanwhile
    single, single_q = _read(traffic, tmp_path / "q1.jsonl", None, workers=1)
    assert [row for rows in parallel for row in rows] == [row for rows in single for row in rows]
    assert parallel_q == single_q and len(single_q) == 1
    assert EVENT_SCHEMA.names[0] in single[0][0]


def test_the_last_parts_are_left_to_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every third part is parsed here, except among the last ones: one parsed here at the very end left the
    # worker idle meanwhile.
    monkeypatch.setattr(_parallel, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(_parallel, "PART_BYTES", 3_000)
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_bytes(b"\n".join((SAMPLES / "canonical.jsonl").read_bytes().splitlines() * 4) + b"\n")
    ranges = [task.byte_range for task in _parallel.plan([(traffic, _reader(traffic))])]
    assert len(ranges) >= 12
    here: list[tuple[int, int] | None] = []
    run_task = _parallel.run_task

    def recording(task: _parallel.Task, *args: Any, **kwargs: Any) -> Any:
        here.append(task.byte_range)
        return run_task(task, *args, **kwargs)

    recording.__module__, recording.__qualname__ = run_task.__module__, run_task.__qualname__
    monkeypatch.setattr(_parallel, "run_task", recording)
    with Quarantine(None) as quarantine:
        files = [(traffic, _reader(traffic))]
        batches = list(
            _parallel.read_parallel(files, quarantine, 16, 1, transform=_batch_rows, local_every=3)
        )
    tail = ranges[-_parallel.IN_FLIGHT_MAPPED :]
    assert here == [r for i, r in enumerate(ranges) if i % 3 == 2 and r not in tail]
    assert len(batches) >= len(ranges)


def _reader(path: Path) -> Any:
    from distillguard.ingest._read import _readers

    return next(iter(_readers([path], "auto")))[1]
