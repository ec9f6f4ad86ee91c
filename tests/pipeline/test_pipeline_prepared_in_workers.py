"""The scan fingerprints in two halves: ``prepare`` where each batch is parsed (background workers on a
large input) and ``Fingerprinter.finish`` in the main process. The result must be the one-process result."""

from __future__ import annotations

import functools
from pathlib import Path

from distillguard.config import ScanConfig
from distillguard.fingerprint import prepare
from distillguard.ingest import Quarantine, read_events, read_mapped
from distillguard.pipeline import FingerprintedEvents, fingerprint_events, fingerprint_prepared
from distillguard.simulate import SimulationSummary


def _in_process(traffic: Path, config: ScanConfig, workers: int) -> FingerprintedEvents:
    with Quarantine(None) as quarantine:
        batches = read_events([traffic], quarantine=quarantine, batch_rows=config.batch_rows, workers=workers)
        return fingerprint_events(batches, config)


def _prepared_in_workers(traffic: Path, config: ScanConfig) -> FingerprintedEvents:
    with Quarantine(None) as quarantine:
        prepared = read_mapped(
            [traffic],
            functools.partial(prepare, config=config.fingerprint),
            quarantine=quarantine,
            batch_rows=config.batch_rows,
            workers=0,
        )
        return fingerprint_prepared(prepared, config)


def test_prepared_in_worker_processes_equals_fingerprinting_in_process(
    small_platform: SimulationSummary, small_parts: ScanConfig
) -> None:
    config = small_parts
    # workers=0 without a transform parses in one background process: the same parts, so the same batches.
    expected = _in_process(small_platform.traffic_path, config, workers=0)
    got = _prepared_in_workers(small_platform.traffic_path, config)
    assert got.events.height == small_platform.events
    assert got.events.equals(expected.events)
    assert got.catalog.evicted > 0
    assert got.catalog.to_frame().equals(expected.catalog.to_frame())
