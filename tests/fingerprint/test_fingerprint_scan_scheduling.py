"""The scan's reader: while its worker is slow and it has no deferrable work left, the main process parses
the next parts itself (in ``ingest._parallel``; tested here beside the fingerprint stage it feeds)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from distillguard.ingest import EVENT_SCHEMA, Quarantine, _parallel, _read, read_events


class _SlowFuture(Future[_parallel.TaskResult]):
    """A worker's result that is ready only after being polled ``polls`` times (then computed here)."""

    def __init__(self, work: Callable[[], _parallel.TaskResult], polls: int) -> None:
        super().__init__()
        self._work, self._polls = work, polls

    def done(self) -> bool:
        if not super().done():
            self._polls -= 1
            if self._polls < 0:
                self.set_result(self._work())
        return super().done()

    def result(self, timeout: float | None = None) -> _parallel.TaskResult:
        if not super().done():
            self.set_result(self._work())
        return super().result(timeout)


class _SlowPool:
    """Stands in for the process pool: tasks are run when their result is first asked for."""

    submitted: list[_parallel.Task]
    futures: list[Future[_parallel.TaskResult]]
    polls = 3
    fast_first = 0  # this many submissions are ready at once

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _SlowPool.submitted, _SlowPool.futures = [], []

    def submit(self, fn: Callable[..., _parallel.TaskResult], *args: Any) -> Future[_parallel.TaskResult]:
        _SlowPool.submitted.append(args[0])
        polls = 0 if len(_SlowPool.futures) < self.fast_first else self.polls
        _SlowPool.futures.append(_SlowFuture(lambda: fn(*args), polls))
        return _SlowPool.futures[-1]

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def _launched_at_once(pool: Any) -> threading.Thread:
    """The stand-in pool needs no launch: a launch already over, so that which parts this process parses
    depends on the futures' polls alone (``tests/ingest/test_ingest_worker_launch.py`` tests the launch)."""
    thread = threading.Thread(target=lambda: None)
    thread.start()
    thread.join()
    return thread


@pytest.fixture
def traffic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A plain JSON-lines file split into parts of ~20 lines, one of them broken."""
    monkeypatch.setattr(_parallel, "ProcessPoolExecutor", _SlowPool)
    monkeypatch.setattr(_parallel, "_launch_in_background", _launched_at_once)
    monkeypatch.setattr(_parallel, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(_parallel, "PART_BYTES", 4_000)
    lines = []
    for i in range(300):
        event = {
            "ts": f"2026-03-01T00:{i // 60:02d}:{i % 60:02d}Z",
            "account_id": f"acct_{i % 7}",
            "request": {"model": "m", "messages": [{"role": "user", "content": f"Question {i}: why?"}]},
        }
        lines.append(json.dumps(event) if i != 111 else "{broken")
    path = tmp_path / "traffic.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _parallel_read(path: Path, quarantine_path: Path, idle: Callable[[], bool] | None) -> pa.Table:
    files = [(path, _read.FORMATS["canonical"])]
    with Quarantine(quarantine_path) as quarantine:
        batches = list(
            _parallel.read_parallel(files, quarantine, 16, 1, transform=None, local_every=3, idle=idle)
        )
    return pa.Table.from_batches(batches, schema=EVENT_SCHEMA)


def test_a_waiting_reader_parses_the_next_parts_itself_with_the_same_result(
    traffic: Path, tmp_path: Path
) -> None:
    parts = len(list(_parallel.plan([(traffic, _read.FORMATS["canonical"])])))
    steps: list[int] = []

    def no_work_left() -> bool:
        steps.append(1)
        return False

    stolen = _parallel_read(traffic, tmp_path / "q-stolen.jsonl", no_work_left)
    given = len(_SlowPool.submitted)
    assert steps and given < parts - parts // 3  # fewer parts went to the worker than the fixed share
    plain = _parallel_read(traffic, tmp_path / "q-plain.jsonl", None)
    assert len(_SlowPool.submitted) == parts - parts // 3  # without idle work: the fixed share only
    with Quarantine(tmp_path / "q-serial.jsonl") as quarantine:
        serial = pa.Table.from_batches(
            list(read_events([traffic], quarantine=quarantine, batch_rows=16)), schema=EVENT_SCHEMA
        )
    assert stolen.equals(serial) and plain.equals(serial) and serial.num_rows == 299
    quarantined = (tmp_path / "q-serial.jsonl").read_bytes()
    assert b'"line": 112' in quarantined or b'"line":112' in quarantined
    assert (tmp_path / "q-stolen.jsonl").read_bytes() == quarantined


def test_deferrable_work_comes_before_parsing_ahead(traffic: Path, tmp_path: Path) -> None:
    """While the caller still has work of its own, the reader runs it and takes no part from the worker."""
    parts = len(list(_parallel.plan([(traffic, _read.FORMATS["canonical"])])))
    _SlowPool.polls = 2

    def always_busy() -> bool:
        return True

    try:
        _parallel_read(traffic, tmp_path / "q.jsonl", always_busy)
    finally:
        _SlowPool.polls = 3
    assert len(_SlowPool.submitted) == parts - parts // 3


def test_at_the_end_parts_the_worker_has_not_started_are_taken_back(
    traffic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = len(list(_parallel.plan([(traffic, _read.FORMATS["canonical"])])))
    remote = parts - parts // 3
    # The worker keeps up until its last three parts, then stalls: the input is all given out by then.
    monkeypatch.setattr(_SlowPool, "fast_first", remote - 3)
    monkeypatch.setattr(_SlowPool, "polls", 1_000)
    got = _parallel_read(traffic, tmp_path / "q.jsonl", lambda: False)
    cancelled = [future.cancelled() for future in _SlowPool.futures]
    assert any(cancelled) and not any(cancelled[: remote - 3])
    with Quarantine(tmp_path / "q-serial.jsonl") as quarantine:
        serial = list(read_events([traffic], quarantine=quarantine, batch_rows=16))
    assert got.equals(pa.Table.from_batches(serial, schema=EVENT_SCHEMA))
    assert (tmp_path / "q.jsonl").read_bytes() == (tmp_path / "q-serial.jsonl").read_bytes()
