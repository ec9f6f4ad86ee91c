"""The permitted synthetic-data job: one account, one narrow domain, round the clock, varied setup."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.simulate import SimulationConfig, simulate


def _run(out: Path, seed: int) -> list[dict[str, Any]]:
    config = {"scale": 0.2, "days": 1, "seed": seed, "platform": "A", "out_dir": out}
    summary = simulate(SimulationConfig.from_dict({**config, "populations": ["synthetic_data"]}))
    return [orjson.loads(line) for line in summary.traffic_path.read_bytes().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[list[dict[str, Any]]]:
    return [_run(tmp_path_factory.mktemp(f"synth{seed}"), seed) for seed in range(1, 7)]


def test_one_account_one_domain_round_the_clock(runs: list[list[dict[str, Any]]]) -> None:
    for events in runs:
        assert len({e["account_id"] for e in events}) == 1
        domains = {
            re.search(r" for an? (.+?)\. Vary", e["request"]["messages"][1]["content"]) for e in events
        }
        assert None not in domains and len({m.group(1) for m in domains if m}) == 1
        hours = Counter(datetime.fromisoformat(e["ts"].replace("Z", "+00:00")).hour for e in events)
        assert len(hours) == 24


def test_setups_vary_between_runs(runs: list[list[dict[str, Any]]]) -> None:
    budgets = {e["request"]["max_tokens"] for events in runs for e in events}
    rationale = {"rationale" in events[0]["request"]["messages"][1]["content"] for events in runs}
    assert len(budgets) >= 2
    assert rationale == {True, False}
