"""Default-scale sizes (slow: generates the full default three days of platform A)."""

from __future__ import annotations

from pathlib import Path

import pytest

from distillguard.simulate import SimulationConfig, simulate


@pytest.mark.slow
def test_default_scale_sizes(tmp_path: Path) -> None:
    summary = simulate(SimulationConfig(platform="A", days=3, seed=0, scale=1.0, out_dir=tmp_path))
    assert 150_000 <= summary.events <= 250_000
    assert 2_000 <= summary.accounts <= 8_000
    account_share = summary.malicious_accounts / summary.accounts
    event_share = summary.malicious_events / summary.events
    assert 0.02 <= account_share <= 0.05
    assert event_share > 3 * account_share, (
        "operators are a small share of accounts but a large share of traffic"
    )
