"""``read_events``: any mix of log files to event batches, with a registry of readers by format name."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa

from distillguard.errors import InputFormatError
from distillguard.ingest._base import Reader
from distillguard.ingest._canonical import CanonicalReader
from distillguard.ingest._detect import detect, is_empty
from distillguard.ingest._litellm import LiteLLMReader
from distillguard.ingest._otel import OtelReader
from distillguard.ingest._parallel import IdleWork, Transform, read_parallel
from distillguard.ingest._parquet import ParquetReader
from distillguard.ingest._quarantine import Quarantine
from distillguard.ingest._source import is_gzip

FORMATS: dict[str, type[Reader]] = {
    reader.name: reader for reader in (CanonicalReader, LiteLLMReader, OtelReader, ParquetReader)
}
# ``read_events(workers=AUTO_WORKERS)`` parses inputs of at least this many bytes of plain JSON lines in
# one background process when a second CPU is free: parsing then overlaps fingerprinting (1M events on
# 2 cores: 52.8 s -> 41.2 s). Smaller inputs are not worth a process start.
AUTO_WORKERS = 0
# ``read_mapped`` in auto mode: one background process parses and transforms (the scan's stateless
# fingerprinting) two of every three parts, this process the third, between its own work on the results:
# on 2 CPUs that keeps both busy with one extra process (two workers were as fast and cost ~270 MB more).
# See docs/ingest.md for the measurements.
AUTO_MAPPED_LOCAL_EVERY = 3
BACKGROUND_MIN_BYTES = 64 << 20
T = TypeVar("T")
# Order matters when sniffing a JSON object: the most specific shape first.
_JSON_READERS: list[type[Reader]] = [OtelReader, LiteLLMReader, CanonicalReader]


def detect_format(path: Path | str) -> str:
    """The format name (a key of ``FORMATS``) of a file, recognised by its content."""
    return detect(Path(path), _JSON_READERS)


def _files(paths: Sequence[Path | str]) -> Iterator[Path]:
    """The given files, with directories expanded to their non-hidden files in name order."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and not any(s.startswith(".") for s in p.parts)
            )
        elif not path.exists():
            raise InputFormatError("no such input file", path=path)
        else:
            yield path


def read_events(
    paths: Sequence[Path | str],
    *,
    fmt: str = "auto",
    quarantine: Quarantine,
    batch_rows: int = 50_000,
    workers: int = 1,
) -> Iterator[pa.RecordBatch]:
    """Record batches in ``EVENT_SCHEMA`` (at most ``batch_rows`` rows each) from every file in ``paths``.

    ``fmt`` is ``"auto"`` (recognise each file by content) or a key of ``FORMATS``. Unreadable records go
    to ``quarantine``; a file that cannot be opened or recognised raises ``InputFormatError``.
    ``workers > 1`` parses in that many processes (large plain JSON-lines files are split into parts);
    the batches, their order and the quarantine are the same as with one process. ``workers == 1`` parses
    in this process. ``workers == 0`` (auto) parses in one background process when the input is large
    plain JSON lines and a second CPU is available, so that parsing overlaps the caller's work on the
    batches (fingerprinting); otherwise in this process.
    """
    yield from _read(paths, fmt, quarantine, batch_rows, workers, None, 0)


def read_mapped(
    paths: Sequence[Path | str],
    transform: Callable[[pa.RecordBatch], T],
    *,
    fmt: str = "auto",
    quarantine: Quarantine,
    batch_rows: int = 50_000,
    workers: int = 1,
    idle: IdleWork | None = None,
) -> Iterator[T]:
    """``transform`` of each batch ``read_events`` would give, in the same order, computed by the process
    that parsed the batch: the caller's per-batch work that needs no state then runs beside parsing, and
    only its (smaller) result crosses between processes. ``transform`` must be picklable (a module-level
    function or a ``functools.partial`` of one). ``workers == 0`` (auto) uses one background process as
    ``read_events`` does, but runs every ``AUTO_MAPPED_LOCAL_EVERY``-th part in this process. ``idle``
    (small steps of the caller's own work, returning False when none is left) is called while a worker's
    next result is not ready yet, instead of waiting.
    """
    yield from _read(paths, fmt, quarantine, batch_rows, workers, transform, AUTO_MAPPED_LOCAL_EVERY, idle)


def _read(
    paths: Sequence[Path | str],
    fmt: str,
    quarantine: Quarantine,
    batch_rows: int,
    workers: int,
    transform: Transform | None,
    local_every: int,
    idle: IdleWork | None = None,
) -> Iterator[Any]:
    if fmt != "auto" and fmt not in FORMATS:
        raise InputFormatError(f"unknown format {fmt!r}; expected auto or one of {', '.join(FORMATS)}")
    if workers < 0:
        raise InputFormatError(f"workers must be 0 (auto), 1 (in this process) or more, not {workers}")
    files = _readers(paths, fmt)
    if workers == AUTO_WORKERS:
        listed = list(files)
        if _parse_in_background(listed):
            yield from read_parallel(
                listed, quarantine, batch_rows, 1, transform=transform, local_every=local_every, idle=idle
            )
            return
        files = iter(listed)
    elif workers > 1:
        yield from read_parallel(files, quarantine, batch_rows, workers, transform=transform, idle=idle)
        return
    for path, reader in files:
        for batch in reader(path, quarantine, batch_rows).batches():
            yield batch if transform is None else transform(batch)


def _usable_cpus() -> int:
    affinity = getattr(os, "sched_getaffinity", None)  # Linux: the CPUs this process may run on
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _parse_in_background(files: list[tuple[Path, type[Reader]]]) -> bool:
    if _usable_cpus() < 2:
        return False
    # A gzip file or one of a format read whole would reach the parent as one piece: only line-aligned
    # parts of plain JSON lines keep the parent's memory bounded.
    if not files or not all(reader.splittable and not is_gzip(path) for path, reader in files):
        return False
    return sum(path.stat().st_size for path, _ in files) >= BACKGROUND_MIN_BYTES


def _readers(paths: Sequence[Path | str], fmt: str) -> Iterator[tuple[Path, type[Reader]]]:
    """Each input file with the reader for its format (recognised lazily, file by file)."""
    for path in _files(paths):
        if fmt != "auto":
            yield path, FORMATS[fmt]
        elif not is_empty(path):
            yield path, FORMATS[detect_format(path)]
