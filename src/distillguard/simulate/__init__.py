"""Traffic simulator: labelled API traffic with legitimate customers and distillation campaigns.

``simulate(SimulationConfig(...))`` writes canonical request-log JSONL (DESIGN.md input contract), a
labels file (one line per account) and ``meta.json``. The same config gives byte-identical files.
"""

from __future__ import annotations

from distillguard.simulate._runner import simulate
from distillguard.simulate.config import (
    PLATFORMS,
    PlatformSpec,
    PopulationCount,
    SimulationConfig,
    SimulationSummary,
)
from distillguard.simulate.populations import POPULATIONS, Population, register

__all__ = [
    "PLATFORMS",
    "POPULATIONS",
    "PlatformSpec",
    "Population",
    "PopulationCount",
    "SimulationConfig",
    "SimulationSummary",
    "register",
    "simulate",
]
