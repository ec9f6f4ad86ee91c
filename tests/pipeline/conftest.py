from __future__ import annotations

import pytest

from distillguard.config import ScanConfig
from distillguard.fingerprint import FingerprintConfig
from distillguard.ingest import _parallel, _read
from distillguard.simulate import SimulationConfig, SimulationSummary, simulate


@pytest.fixture(scope="session")
def small_platform(tmp_path_factory: pytest.TempPathFactory) -> SimulationSummary:
    """Two days of provider A at a quarter scale: every population, about 20k events."""
    out = tmp_path_factory.mktemp("sim-A")
    return simulate(
        SimulationConfig.from_dict({"platform": "A", "days": 2, "seed": 5, "scale": 0.25, "out_dir": out})
    )


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> ScanConfig:
    """Background parsing of the small platform in many small parts, each several batches, and a catalog
    small enough to evict (so the order in which a batch's templates are added matters too)."""
    monkeypatch.setattr(_read, "BACKGROUND_MIN_BYTES", 1_000)
    monkeypatch.setattr(_parallel, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(_parallel, "PART_BYTES", 2_000_000)
    return ScanConfig(batch_rows=4_000, fingerprint=FingerprintConfig(max_templates=2_000))
