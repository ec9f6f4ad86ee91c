"""Work stealing in ``read_parallel``: when the worker's next result is not ready, this process reads the
next part itself; the results, their order and the quarantine stay those of a single-process read."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import pytest
from ingest_helpers import SAMPLES

from distillguard.ingest import Quarantine, _parallel, read_events
from distillguard.ingest._read import _readers


class _LazyFuture(Future[Any]):
    """Runs its task only when its result is asked for, so it is never done before that: the slowest
    possible worker."""

    def __init__(self, call: Callable[[], Any], resolved: list[int]) -> None:
        super().__init__()
        self._call = call
        self._resolved = resolved

    def result(self, timeout: float | None = None) -> Any:
        if not self.done():
            self._resolved.append(1)
            self.set_result(self._call())
        return super().result(timeout)


class _LazyPool:
    resolved: ClassVar[list[int]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def submit(self, fn: Callable[..., Any], *args: Any) -> _LazyFuture:
        return _LazyFuture(lambda: fn(*args), self.resolved)

    def shutdown(self, **kwargs: Any) -> None:
        pass


def _rows_of(batch: pa.RecordBatch) -> list[str]:
    return [str(v) for v in batch.column("request_id").to_pylist()]


def _read_parts(big: Path, qpath: Path, steal: bool) -> list[list[str]]:
    _LazyPool.resolved = []
    with Quarantine(qpath) as quarantine:
        return list(
            _parallel.read_parallel(
                _readers([big], "auto"), quarantine, 16, 1, transform=_rows_of, steal=steal
            )
        )


def test_stealing_reads_parts_here_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.jsonl"
    lines = (SAMPLES / "canonical.jsonl").read_bytes().splitlines() * 6
    lines[7] = b"{broken"
    lines[70] = b"[1, 2]"
    big.write_bytes(b"\n".join(lines) + b"\n")
    monkeypatch.setattr(_parallel, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(_parallel, "PART_BYTES", 3_000)
    monkeypatch.setattr(_parallel, "ProcessPoolExecutor", _LazyPool)
    parts = len(list(_parallel.plan(_readers([big], "auto"))))
    remote = _read_parts(big, tmp_path / "q0.jsonl", steal=False)
    assert len(_LazyPool.resolved) == parts >= 6  # without stealing the worker reads every part
    stolen = _read_parts(big, tmp_path / "q1.jsonl", steal=True)
    # The worker never had a result ready when asked: this process read parts itself, the worker the rest.
    assert 0 < len(_LazyPool.resolved) < parts
    assert stolen == remote
    assert (tmp_path / "q0.jsonl").read_bytes() == (tmp_path / "q1.jsonl").read_bytes()
    with Quarantine(tmp_path / "q2.jsonl") as quarantine:
        in_process = [_rows_of(b) for b in read_events([big], quarantine=quarantine, batch_rows=16)]
    flat = [row for batch in stolen for row in batch]
    assert flat == [row for batch in in_process for row in batch] and len(flat) == len(lines) - 2
    assert (tmp_path / "q1.jsonl").read_bytes() == (tmp_path / "q2.jsonl").read_bytes()
