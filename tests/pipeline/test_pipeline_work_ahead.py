"""While the scan waits for its parse worker it trains the classifier and signs the catalog's templates:
the same fingerprinted events and catalog (signatures included) as without that work ahead."""

from __future__ import annotations

import functools
import time
from pathlib import Path

import pytest

from distillguard.config import ScanConfig
from distillguard.fingerprint import FingerprintConfig, Fingerprinter, prepare
from distillguard.ingest import Quarantine, _parallel, _read, read_mapped
from distillguard.pipeline import FingerprintedEvents, fingerprint_prepared
from distillguard.simulate import SimulationSummary


def _fingerprinted(
    traffic: Path, config: ScanConfig, fingerprinter: Fingerprinter, ahead: bool
) -> FingerprintedEvents:
    with Quarantine(None) as quarantine:
        prepared = read_mapped(
            [traffic],
            functools.partial(prepare, config=config.fingerprint),
            quarantine=quarantine,
            batch_rows=config.batch_rows,
            workers=0,
            idle=fingerprinter.work_ahead if ahead else None,
        )
        return fingerprint_prepared(prepared, config, fingerprinter=fingerprinter)


def test_work_done_while_waiting_leaves_the_result_unchanged(
    small_platform: SimulationSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_read, "BACKGROUND_MIN_BYTES", 1_000)
    monkeypatch.setattr(_parallel, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(_parallel, "PART_BYTES", 2_000_000)
    config = ScanConfig(batch_rows=4_000, fingerprint=FingerprintConfig(max_templates=2_000))
    steps: list[bool] = []
    ahead = Fingerprinter(config.fingerprint)
    real = ahead.work_ahead

    def slow_step() -> bool:  # slow enough that the worker's batches are never ready first
        time.sleep(0.001)
        steps.append(real())
        return steps[-1]

    monkeypatch.setattr(ahead, "work_ahead", slow_step)
    got = _fingerprinted(small_platform.traffic_path, config, ahead, ahead=True)
    expected = _fingerprinted(
        small_platform.traffic_path, config, Fingerprinter(config.fingerprint), ahead=False
    )
    assert steps[:2] == [True, True]  # the classifier, then signatures
    assert got.events.equals(expected.events)
    assert got.catalog.evicted > 0 and got.catalog.evicted == expected.catalog.evicted
    assert got.catalog.to_arrow().equals(expected.catalog.to_arrow())
