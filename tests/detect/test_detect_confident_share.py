"""Share evidence judged at its lower confidence bound: a dozen consistent requests are not thin evidence.

The reasoning signals used to be damped by volume alone (``requests / (requests + min_requests)``), so a
careful harvester's first session (14 requests, 12 asking for full reasoning across every subject, long
answers kept) scored 0.41 on each. Now the surer of two ways counts: the share at its one-sided 95% Wilson
lower bound (high for a consistent dozen, low for a few requests or a mixed dozen) or, as before, the share
damped by volume (a mixed share over many requests). A student's dozen explanations on one course are
still no sweep.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import polars as pl
import pytest
from detect_fixtures import START, account, individuals, scoring_inputs

from distillguard.detect import SIGNALS, DetectConfig, SignalContext, detect
from distillguard.detect._baseline import Baseline
from distillguard.detect.signals._base import shown_share, wilson_lower_bound

SUBJECTS = ["reasoning", "math", "coding", "knowledge", "writing"]


def _bound(share: float, n: int) -> float:
    return shown_share(share, n)


def test_wilson_lower_bound_values() -> None:
    assert _bound(1.0, 1) == pytest.approx(0.27, abs=0.01)
    assert _bound(1.0, 6) == pytest.approx(0.69, abs=0.01)
    assert _bound(12 / 14, 14) == pytest.approx(0.65, abs=0.01)
    assert _bound(0.5, 100) == pytest.approx(0.42, abs=0.01)
    assert _bound(0.0, 50) == 0.0
    assert _bound(1.0, 0) == 0.0


def test_wilson_lower_bound_grows_with_requests_and_stays_under_the_share() -> None:
    frame = pl.DataFrame({"s": [0.8] * 5, "n": [2, 5, 20, 100, 10_000]})
    bounds = frame.select(wilson_lower_bound(pl.col("s"), pl.col("n")))["s"].to_list()
    assert bounds == sorted(bounds)
    assert all(b < 0.8 for b in bounds)
    assert bounds[-1] == pytest.approx(0.8, abs=0.01)


def test_share_evidence_takes_the_surer_way() -> None:
    table = pl.DataFrame({"account_id": ["dozen", "mixed"], "requests": [14, 38], "share": [12 / 14, 0.58]})
    ctx = SignalContext(Baseline({}, {}, 0), DetectConfig())
    got = table.select(ctx.share_evidence("share", 0.25, 0.75))["share"].to_list()
    # A consistent dozen: at least 65% with 95% confidence -> 0.79 of the ramp, where volume gave 0.41.
    assert got[0] == pytest.approx((shown_share(12 / 14, 14) - 0.25) / 0.5, abs=1e-6)
    # A mixed share over more requests: the bound (45%) is less sure than 58% damped by 38 / 58.
    assert got[1] == pytest.approx((0.58 - 0.25) / 0.5 * 38 / 58, abs=1e-6)


def _one(rng: np.random.Generator, name: str, n: int, reasoning: int, **cols: Any) -> pl.DataFrame:
    """One light account of its own (home network, years old) at human hours: ``reasoning`` of its ``n``
    requests ask for full reasoning, and the answers are long."""
    p = np.r_[rng.uniform(0.8, 1.0, reasoning), rng.uniform(0.0, 0.1, n - reasoning)].astype(np.float32)
    defaults: dict[str, Any] = {
        "p_reasoning": p,
        "completion_tokens": rng.integers(900, 2500, n),
        "max_tokens": [2048] * n,
        "capability": rng.choice(SUBJECTS, n),
        "ip": [f"73.{len(name)}.{ord(name[0])}.{ord(name[-1])}"] * n,
        "account_created": [START - timedelta(days=300 + 7 * len(name))] * n,
    }
    defaults.update(cols)
    return account(rng, name, n, flat=False, **defaults)


@pytest.fixture(scope="module")
def scan() -> tuple[pl.DataFrame, dict[str, float], dict[str, bool]]:
    rng = np.random.default_rng(29)
    events = pl.concat(
        [
            individuals(rng, 300),
            # A careful harvester's first session: 12 of 14 ask for the whole reasoning, every subject.
            _one(rng, "sweep", 14, 12),
            # A student: the same dozen explanations with long answers, on one course (one subject, a
            # narrow vocabulary of that course's words).
            _one(
                rng,
                "student",
                14,
                12,
                capability=["math"] * 14,
                payload_words=pl.Series((rng.integers(0, 60, (14, 12)) + 5_000_000).astype(np.uint32)).cast(
                    pl.List(pl.UInt32)
                ),
            ),
            # A chat user who asks for reasoning now and then, over everything.
            _one(rng, "chat_user", 14, 5),
            # A handful of requests, every one asking for reasoning over broad subjects.
            _one(rng, "few", 4, 4),
        ]
    ).sort("ts", "account_id")
    table, ctx = scoring_inputs(events, DetectConfig())
    scores = {}
    for name in ("reasoning_elicitation", "reasoning_sweep"):
        frame = SIGNALS[name]().compute(table, ctx).frame
        for account_id, score in zip(frame["account_id"], frame["score"], strict=True):
            scores[f"{name}:{account_id}"] = float(score)
    result = detect(events, None, DetectConfig())
    flagged = {v.account_id: v.flagged for v in result.accounts}
    return table, scores, flagged


def test_consistent_dozen_is_evidence(scan: tuple[pl.DataFrame, dict[str, float], dict[str, bool]]) -> None:
    _, scores, flagged = scan
    # Damped by volume alone, each would be 14 / 34 = 0.41.
    assert scores["reasoning_elicitation:sweep"] >= 0.75
    assert scores["reasoning_sweep:sweep"] >= 0.75
    assert flagged["sweep"]


def test_students_mixed_users_and_tiny_accounts_are_not_flagged(
    scan: tuple[pl.DataFrame, dict[str, float], dict[str, bool]],
) -> None:
    _, scores, flagged = scan
    # One course: reasoning is elicited (one line of evidence) but there is no sweep.
    assert scores["reasoning_sweep:student"] < 0.1
    # 5 of 14: at least 19% with 95% confidence, under the share where elicitation starts to count; what
    # is left is the mean-probability route, damped by volume as before (14 / 34).
    assert scores["reasoning_elicitation:chat_user"] <= 14 / 34 + 1e-9
    assert scores["reasoning_sweep:chat_user"] < 0.1
    # 4 of 4: at least 60%, not enough for either signal to count in full.
    assert scores["reasoning_elicitation:few"] < 0.75
    assert scores["reasoning_sweep:few"] < 0.9
    assert not any(flagged[name] for name in ("student", "chat_user", "few"))
    assert not any(v for k, v in flagged.items() if k.startswith("dev"))


def test_evidence_says_what_is_shown_with_confidence(
    scan: tuple[pl.DataFrame, dict[str, float], dict[str, bool]],
) -> None:
    table, _, _ = scan
    row = table.filter(pl.col("account_id") == "sweep").row(0, named=True)
    signal = SIGNALS["reasoning_elicitation"]()
    detail = signal.detail(row, float(row["reasoning_share"]))
    assert detail.startswith("86% of 14 requests ask for full step-by-step reasoning")
    assert "at least 65% with 95% confidence" in detail
