"""The population baseline in a short scan: the bulk of accounts, not only the heaviest few."""

from __future__ import annotations

import polars as pl

from distillguard.detect._baseline import BASELINE_FLOOR_REQUESTS, Baseline, baseline_min_requests


def _population(light: int, light_requests: int, heavy: int) -> pl.DataFrame:
    # Light accounts never ask for reasoning; the heavy ones (a campaign early in a scan) always do.
    return pl.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(light + heavy)],
            "requests": [light_requests] * light + [300] * heavy,
            "reasoning_share": [0.0] * light + [1.0] * heavy,
        }
    )


def test_short_scan_baseline_reaches_ordinary_accounts() -> None:
    # Six hours in: 90 ordinary accounts with 8 requests each, 10 heavy harvesters with 300.
    features = _population(light=90, light_requests=8, heavy=10)
    assert baseline_min_requests(features, 20) == 8
    baseline = Baseline.of(features, 20)
    assert baseline.accounts == 100
    assert baseline.median["reasoning_share"] == 0.0


def test_long_scan_baseline_keeps_min_requests() -> None:
    # Three days in, most accounts have reached the bar: it is not lowered, light accounts stay out.
    features = (
        pl.concat(
            [
                _population(light=50, light_requests=30, heavy=10),
                _population(light=40, light_requests=3, heavy=0),
            ]
        )
        .with_row_index("i")
        .with_columns(pl.format("b{}", "i").alias("account_id"))
        .drop("i")
    )
    assert baseline_min_requests(features, 20) == 20
    assert Baseline.of(features, 20).accounts == 60


def test_bar_never_falls_below_the_floor() -> None:
    # Nearly everyone has one or two requests: shares of those are noise, whatever the share rule says.
    features = _population(light=95, light_requests=2, heavy=5)
    assert baseline_min_requests(features, 20) == BASELINE_FLOOR_REQUESTS
    baseline = Baseline.of(features, 20)
    assert baseline.accounts == 5
    assert baseline.median["reasoning_share"] == 1.0
