"""Burst damping in a one-day scan: a two-hour evaluation run is a burst whatever the window's length.

The gateway scans its last 24 hours and a daily batch job one day. Burst damping (``persistence``) takes an
account's active hours as a share of the window; of one day, two hours are already 8% and barely damped,
while the same run in a three-day scan is fully damped. The share is therefore taken of at least
``persistence_window_hours`` (36) once the window is at least half of that; the first hours after
deployment keep their own span.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl
import pytest
from detect_fixtures import START, _events, _words, hydra, individuals, reasoning_harvester

from distillguard.detect import DetectConfig, SignalContext, detect

DAY = timedelta(hours=24)


def _persistence(
    active_hours: list[int], window_hours: float, config: DetectConfig, *, reference_span: bool = True
) -> list[float]:
    table = pl.DataFrame({"active_hours": active_hours})
    ctx = SignalContext(
        baseline=None,  # type: ignore[arg-type]
        config=config,
        window_hours=window_hours,
        reference_span=reference_span,
    )
    return table.select(ctx.persistence().alias("p"))["p"].to_list()


def test_two_active_hours_of_a_day_are_a_burst() -> None:
    # Share of 36 hours: 2 h -> (2/36 - 0.025) / 0.075 = 0.41, 3 h -> 0.78; 4 h and more are persistent.
    burst, half, steady = _persistence([2, 3, 5], 24.0, DetectConfig())
    assert burst == pytest.approx(0.407, abs=0.01)
    assert half == pytest.approx(0.778, abs=0.01)
    assert steady == 1.0
    # Without the reference span (the old rule) the same two hours of a day were barely damped (0.78).
    assert _persistence([2], 24.0, DetectConfig(persistence_window_hours=0))[0] > 0.75


def test_long_and_very_short_windows_keep_their_own_span() -> None:
    config = DetectConfig()
    # Three days: the reference changes nothing (7.2 of 72 hours is full, 1.8 is none).
    assert _persistence([1, 2, 8], 72.0, config) == _persistence(
        [1, 2, 8], 72.0, DetectConfig(persistence_window_hours=0)
    )
    # Six and twelve hours after deployment: an account active in two of them is not damped (the window
    # holds nothing longer to compare with); from half the reference span (18 hours) on, it is.
    assert _persistence([2], 6.0, config) == [1.0]
    assert _persistence([2], 12.0, config) == [1.0]
    assert _persistence([2], 18.0, config)[0] == pytest.approx(0.407, abs=0.01)


def test_groups_are_judged_on_the_window() -> None:
    # A group's persistence is its typical member's active hours; an operator rotating accounts makes each
    # member brief by design, so groups do not assume quiet hours the window does not show.
    assert _persistence([3], 24.0, DetectConfig(), reference_span=False) == [1.0]
    assert _persistence([3], 24.0, DetectConfig())[0] < 0.8


def _eval_run(rng: np.random.Generator, n: int = 600) -> pl.DataFrame:
    """A research team's evaluation run: two clock hours, reasoning prompts sampled n=4, broad subjects."""
    offsets = 8 * 3600 + rng.uniform(0, 2 * 3600 - 1, n)
    return _events(
        rng,
        ["eval_team"] * n,
        offsets,
        template_hash=rng.integers(1, 400, n).astype(np.uint64) + 7000,
        payload_words=_words(rng, n, 200_000, base=900_000),
        p_reasoning=np.where(rng.random(n) < 0.8, 0.9, 0.05).astype(np.float32),
        n=[4] * n,
        completion_tokens=rng.integers(800, 1800, n),
        ip=["155.1.1.1"] * n,
        account_created=[START - timedelta(days=900)] * n,
        payment_fingerprint=["pm_team"] * n,
        capability=rng.choice(["reasoning", "math", "knowledge", "coding"], n),
    )


def _one_day() -> pl.DataFrame:
    rng = np.random.default_rng(5)
    parts = [individuals(rng, 600), reasoning_harvester(rng), _eval_run(rng), hydra(rng, 150)]
    return pl.concat(parts).filter(pl.col("ts") < START + DAY).sort("ts", "account_id")


def test_one_day_scan_clears_an_evaluation_run_and_keeps_the_harvester() -> None:
    events = _one_day()
    verdicts = {v.account_id: v for v in detect(events, None, DetectConfig()).accounts}
    assert not verdicts["eval_team"].flagged
    assert verdicts["rh_0"].flagged and verdicts["rh_1"].flagged
    assert not any(v.flagged for a, v in verdicts.items() if a.startswith("dev"))


def test_one_day_scan_keeps_a_rotating_hydra() -> None:
    # Each of the hydra's accounts is active in a few hours of the day; the group is still a campaign.
    verdicts = detect(_one_day(), None, DetectConfig()).accounts
    members = [v for v in verdicts if v.account_id.startswith("hy")]
    assert len(members) > 100
    assert sum(v.flagged for v in members) >= 0.9 * len(members)


def test_without_the_reference_span_the_run_is_flagged() -> None:
    # The test can fail: the old rule, share of the one-day window, flags the run.
    events = _one_day()
    verdicts = {
        v.account_id: v for v in detect(events, None, DetectConfig(persistence_window_hours=0)).accounts
    }
    assert verdicts["eval_team"].flagged


def test_detect_scores_groups_without_the_reference_span(monkeypatch: pytest.MonkeyPatch) -> None:
    import distillguard.detect._engine as engine

    seen: list[SignalContext] = []
    real = engine.score_groups

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(next(a for a in args if isinstance(a, SignalContext)))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "score_groups", spy)
    detect(_one_day(), None, DetectConfig())
    assert seen and not seen[0].reference_span
