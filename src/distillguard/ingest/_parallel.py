"""Reading with several worker processes: large JSON-lines files are split into line-aligned parts.

JSON parsing is per-line Python work, so one process tops out at a few tens of thousands of lines per
second. Workers each read a part (or a whole gzip / OTLP / Parquet file) and send back Arrow batches,
which are cheap to pass between processes, plus their quarantine records with part-relative line
numbers; the parent renumbers those into file line numbers and yields batches in file order, so the
result is the same as a single-process read.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from distillguard._memory import release_arrow_memory
from distillguard.errors import DistillguardError
from distillguard.ingest._base import Reader
from distillguard.ingest._quarantine import Quarantine, capped_raw
from distillguard.ingest._source import is_gzip, line_aligned_ranges

# Files smaller than this are read whole by one worker; larger plain JSON-lines files are split into
# parts of about PART_BYTES. A part is the fingerprint stage's batch, and larger batches share vocabularies
# and per-call overheads: on the bench's 1M-event file 32 MB parts (~24,000 events) scanned in 22.0-23.7 s
# against 24.3-26.1 s with 16 MB ones and 23.2 s with 64 MB ones, peak tree RSS 1.29-1.35 GB either way
# (docs/detection-performance.md, "Part size").
SPLIT_MIN_BYTES = 32 << 20
PART_BYTES = 32 << 20

# Tasks submitted to each worker ahead of the one this process waits for. A finished part's batches wait
# in this process until their turn, so with whole batches (text included) two are enough. A transform's
# results are small (the scan's prepared batches: no text, ~3 MB a part), and with only two a worker
# whose two parts were done sat idle until this process had consumed the older one: on 1M events both
# processes then waited ~10 % of the first phase, each for the other.
IN_FLIGHT = 2
IN_FLIGHT_MAPPED = 4

QuarantineRecord = tuple[int, str, bytes | None]
# Work applied to each batch in the worker that read it (module-level callables only: they are pickled).
# The fingerprint stage's stateless part runs there, so the text never crosses between processes.
Transform = Callable[[pa.RecordBatch], Any]
# One small step of the caller's work that can be done at any time; returns False when none is left.
IdleWork = Callable[[], bool]


@dataclass(frozen=True)
class Task:
    """One unit of work: a whole file, or one line-aligned byte range of a plain JSON-lines file."""

    path: Path
    reader: type[Reader]
    byte_range: tuple[int, int] | None = None


@dataclass(frozen=True)
class TaskResult:
    batches: list[Any]  # record batches, or what the transform made of them
    quarantined: list[QuarantineRecord]
    lines: int
    error: tuple[type[DistillguardError], str, dict[str, Any]] | None = None


# How a task in flight stands: a worker's future, None (this process runs it at its turn), or the result
# this process already computed ahead of its turn.
Pending = Future[TaskResult] | TaskResult | None
# Results this process may compute ahead of their turn while it waits for a worker's (memory bound: with
# a transform they are small, ~3 MB a part for the scan's prepared batches).
STOLEN_AHEAD = 4


class _CollectingQuarantine(Quarantine):
    """A worker's quarantine: records are sent back to the parent, which writes them."""

    def __init__(self) -> None:
        super().__init__(None)
        self.records: list[QuarantineRecord] = []

    def add(self, source: str, line: int, reason: str, raw: bytes | memoryview | str | None) -> None:
        self.records.append((line, reason, None if raw is None else capped_raw(raw)))


def run_task(task: Task, batch_rows: int, transform: Transform | None = None) -> TaskResult:
    """Worker entry point (module level so that it can be pickled)."""
    quarantine = _CollectingQuarantine()
    reader = task.reader(task.path, quarantine, batch_rows)
    reader.byte_range = task.byte_range
    try:
        batches = [b if transform is None else transform(b) for b in reader.batches()]
    except DistillguardError as exc:
        # Sent back as parts: the exception's keyword-only context would not survive pickling.
        return TaskResult([], quarantine.records, 0, (type(exc), exc.message, dict(exc.context)))
    finally:
        # The Arrow memory the part's batches (their text) freed goes back to the system between parts
        # (~45 MB for every 16 MB of a part, 0.5 ms): the pool otherwise holds it for the whole
        # scan, beside the main process's growing frame. Not a full ``release_free_memory``: its
        # ``gc.collect`` costs ~35 ms a part and frees nothing here.
        release_arrow_memory()
    return TaskResult(batches, quarantine.records, reader.lines_read)


def plan(files: Iterable[tuple[Path, type[Reader]]]) -> Iterator[Task]:
    """Tasks in file order; big plain files of a splittable format become several tasks."""
    for path, reader in files:
        if reader.splittable and path.stat().st_size >= SPLIT_MIN_BYTES and not is_gzip(path):
            for byte_range in line_aligned_ranges(path, PART_BYTES):
                yield Task(path, reader, byte_range)
        else:
            yield Task(path, reader)


def read_parallel(
    files: Iterable[tuple[Path, type[Reader]]],
    quarantine: Quarantine,
    batch_rows: int,
    workers: int,
    transform: Transform | None = None,
    local_every: int = 0,
    idle: IdleWork | None = None,
) -> Iterator[Any]:
    """Batches of every file, read by ``workers`` processes, in file order, at most ``IN_FLIGHT`` tasks
    per worker in flight so memory stays bounded; with ``transform``, what it returned for each batch
    instead (``IN_FLIGHT_MAPPED`` tasks per worker then).

    ``local_every = k`` runs every k-th task in this process instead, when its turn comes, while the
    workers go on with the tasks after it: the caller's own work on the results is then not all that this
    process does, and one worker can be enough to keep two CPUs busy (less memory than two workers).
    ``idle`` is called, again and again, while the next result is not ready yet, until it returns False
    (nothing left to do): the caller's deferrable work fills the time this process would wait. Once it has
    none left, this process parses the next task not yet given to a worker instead of waiting (up to
    ``STOLEN_AHEAD`` such results kept until their turn): how much of the input this process parses then
    follows how fast each side goes on this machine at this time, not a fixed share.
    """
    planned = list(plan(files))
    tasks = iter(planned)
    # forkserver: forking a process that already runs Arrow threads is not safe.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "forkserver":
        _start_forkserver_single_threaded()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
    # (task, its future; None for a task this process runs itself when its turn comes, its result for one
    # this process ran ahead of its turn)
    in_flight: deque[tuple[Task, Pending]] = deque()
    lines_before: dict[Path, int] = {}
    remote = 0
    depth = IN_FLIGHT if transform is None else IN_FLIGHT_MAPPED
    # The last tasks are never set aside for this process (``local_every``): one parsed here at the very
    # end left the worker idle while this process parsed it (~0.5-1 s on 1M events, with the template
    # signatures of the last parts still to compute), where the worker could have parsed it while this
    # process finished the parts before and signed their templates. ``steal`` still takes one when this
    # process has nothing else to do.
    tail = set(planned[-depth * workers :])

    def steal() -> bool:
        """Run here, now, the next task not yet given to a worker or, once every task is given out, the
        last one a worker has not started (its future cancelled); False when there is none, or when enough
        results run ahead already wait for their turn."""
        nonlocal remote
        if idle is None or sum(isinstance(p, TaskResult) for _, p in in_flight) >= STOLEN_AHEAD:
            return False
        task = next(tasks, None)
        if task is not None:
            in_flight.append((task, run_task(task, batch_rows, transform)))
            return True
        # The end of the input: the worker's queue is all that is left. A future cancels only while its
        # task waits in the pool (not yet sent to a worker process).
        for index in range(len(in_flight) - 1, -1, -1):
            queued, pending = in_flight[index]
            if isinstance(pending, Future) and pending.cancel():
                remote -= 1
                in_flight[index] = (queued, run_task(queued, batch_rows, transform))
                return True
        return False

    def collect_head() -> Iterator[Any]:
        nonlocal remote
        done, pending = in_flight.popleft()
        remote -= isinstance(pending, Future)
        yield from _collect(done, pending, quarantine, lines_before, batch_rows, transform, idle, steal)

    # The worker process is launched on a thread when this process has work of its own (``idle``): the
    # launch waits until the forkserver has imported the main module (~1 s, the CLI's or a script's imports),
    # and the first ``submit`` would block this process that long with the second CPU busy only with that.
    launching = _launch_in_background(pool) if idle is not None else None
    try:
        for index, task in enumerate(tasks):
            local = local_every > 0 and index % local_every == local_every - 1 and task not in tail
            if not local and launching is not None:
                if _launching(launching, idle):
                    # Nothing else to do while the worker is launched: this process parses the task itself,
                    # and hands its results on in order once ``STOLEN_AHEAD`` wait.
                    in_flight.append((task, run_task(task, batch_rows, transform)))
                    while len(in_flight) >= STOLEN_AHEAD:
                        yield from collect_head()
                    continue
                launching.join()
                launching = None
            in_flight.append((task, None if local else pool.submit(run_task, task, batch_rows, transform)))
            remote += not local
            while remote >= depth * workers:
                yield from collect_head()
        while in_flight:
            yield from collect_head()
    finally:
        if launching is not None:
            launching.join()  # the launch ends before the pool does (its submit would fail after)
        pool.shutdown(wait=True, cancel_futures=True)


def _start_forkserver_single_threaded() -> None:
    """Start the forkserver the workers come from (if none runs yet) with ``POLARS_MAX_THREADS=1``, unless
    the user set that variable.

    Each worker is meant to keep one CPU busy (the main process keeps another): polars' thread pool in a
    worker only adds hand-offs between its threads and competes with the main process (``prepare`` took
    2-10 % more CPU with it). The pool's size is fixed when polars is imported, and the forkserver imports
    it (with the main module) before it forks workers, so the variable must be in the server's environment
    when it starts. Only the forkserver's environment gets it (this process's polars is already running),
    and only this module's pools use the forkserver.
    """
    from multiprocessing import forkserver

    if "POLARS_MAX_THREADS" in os.environ:
        return
    os.environ["POLARS_MAX_THREADS"] = "1"
    try:
        forkserver.ensure_running()  # starts the server process; does not wait for its imports
    finally:
        del os.environ["POLARS_MAX_THREADS"]


def _launch_in_background(pool: ProcessPoolExecutor) -> threading.Thread:
    """A thread that makes ``pool`` launch its worker process (by submitting a no-op), started."""
    thread = threading.Thread(target=pool.submit, args=(os.getpid,), name="launch-parse-worker", daemon=True)
    thread.start()
    return thread


def _launching(launching: threading.Thread, idle: IdleWork | None) -> bool:
    """Whether the worker is still being launched once ``idle`` has done what it could meanwhile (its steps
    are taken until it has none left or the launch is over)."""
    while launching.is_alive() and idle is not None and idle():
        pass
    return launching.is_alive()


def _collect(
    task: Task,
    future: Pending,
    quarantine: Quarantine,
    lines_before: dict[Path, int],
    batch_rows: int,
    transform: Transform | None,
    idle: IdleWork | None = None,
    steal: IdleWork | None = None,
) -> Iterator[Any]:
    if isinstance(future, Future) and idle is not None:
        while not future.done() and (idle() or (steal is not None and steal())):
            pass
    if isinstance(future, TaskResult):
        result = future
    else:
        result = future.result() if future is not None else run_task(task, batch_rows, transform)
    if result.error is not None:
        kind, message, context = result.error
        raise kind(message, **context)
    offset = lines_before.get(task.path, 0)
    for line, reason, raw in result.quarantined:
        quarantine.add(str(task.path), line + offset, reason, raw)
    lines_before[task.path] = offset + result.lines
    yield from result.batches
