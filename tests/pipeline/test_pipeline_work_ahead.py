"""While the scan waits for its parse worker it trains the classifier and signs the catalog's templates:
the same fingerprinted events and catalog (signatures included) as without that work ahead."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from pathlib import Path

from distillguard.config import ScanConfig
from distillguard.fingerprint import Fingerprinter, PreparedBatch, prepare
from distillguard.ingest import Quarantine, _parallel, _read, read_mapped
from distillguard.pipeline import FingerprintedEvents, fingerprint_prepared
from distillguard.simulate import SimulationSummary


def _with_work_between(
    prepared: Iterable[PreparedBatch], fingerprinter: Fingerprinter
) -> Iterator[PreparedBatch]:
    """What a scan whose worker is slow does: some steps of work ahead before each batch arrives."""
    for index, batch in enumerate(prepared):
        for _ in range(index % 3):
            fingerprinter.work_ahead()
        yield batch


def _fingerprinted(
    traffic: Path, config: ScanConfig, ahead: bool
) -> tuple[FingerprintedEvents, Fingerprinter]:
    fingerprinter = Fingerprinter(config.fingerprint)
    with Quarantine(None) as quarantine:
        prepared = read_mapped(
            [traffic],
            functools.partial(prepare, config=config.fingerprint),
            quarantine=quarantine,
            batch_rows=config.batch_rows,
            workers=0,
            idle=fingerprinter.work_ahead if ahead else None,
        )
        if ahead:
            prepared = _with_work_between(prepared, fingerprinter)
        return fingerprint_prepared(prepared, config, fingerprinter=fingerprinter), fingerprinter


def test_work_done_ahead_leaves_the_result_unchanged(
    small_platform: SimulationSummary, small_parts: ScanConfig
) -> None:
    # The catalog evicts, so templates signed ahead are evicted too.
    config = small_parts
    got, ahead = _fingerprinted(small_platform.traffic_path, config, ahead=True)
    expected, _ = _fingerprinted(small_platform.traffic_path, config, ahead=False)
    assert ahead.catalog._signed[: len(ahead.catalog)].any()  # some signatures were computed ahead
    assert got.events.equals(expected.events)
    assert got.catalog.evicted > 0 and got.catalog.evicted == expected.catalog.evicted
    assert got.catalog.to_arrow().equals(expected.catalog.to_arrow())


def test_the_reader_works_ahead_only_while_the_next_result_is_not_ready() -> None:
    future: Future[_parallel.TaskResult] = Future()
    steps: list[int] = []

    def step() -> bool:
        steps.append(1)
        if len(steps) == 3:  # the worker's result arrives during the third step
            future.set_result(_parallel.TaskResult(["batch"], [], 1))
        return True

    task = _parallel.Task(Path("x.jsonl"), _read.FORMATS["canonical"])
    with Quarantine(None) as quarantine:
        got = list(_parallel._collect(task, future, quarantine, {}, 10, None, step))
    assert got == ["batch"] and len(steps) == 3

    done: Future[_parallel.TaskResult] = Future()
    done.set_result(_parallel.TaskResult(["ready"], [], 1))
    with Quarantine(None) as quarantine:
        assert list(_parallel._collect(task, done, quarantine, {}, 10, None, step)) == ["ready"]
    assert len(steps) == 3  # a ready result is taken at once

    nothing: Future[_parallel.TaskResult] = Future()
    calls: list[int] = []

    def no_work() -> bool:  # nothing left to do: the reader then simply waits
        calls.append(1)
        nothing.set_result(_parallel.TaskResult(["late"], [], 1))
        return False

    with Quarantine(None) as quarantine:
        assert list(_parallel._collect(task, nothing, quarantine, {}, 10, None, no_work)) == ["late"]
    assert len(calls) == 1
