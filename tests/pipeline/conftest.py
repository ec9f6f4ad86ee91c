from __future__ import annotations

import pytest

from distillguard.simulate import SimulationConfig, SimulationSummary, simulate


@pytest.fixture(scope="session")
def small_platform(tmp_path_factory: pytest.TempPathFactory) -> SimulationSummary:
    """Two days of provider A at a quarter scale: every population, about 20k events."""
    out = tmp_path_factory.mktemp("sim-A")
    return simulate(
        SimulationConfig.from_dict({"platform": "A", "days": 2, "seed": 5, "scale": 0.25, "out_dir": out})
    )
