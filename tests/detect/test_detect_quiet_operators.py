"""Quiet operators: a reasoning sweep by a few careful accounts, a harvest diluted in a reseller's traffic.

Each signal change is checked with a positive and a negative example against a background of ordinary
developers, so that what fires is unusual for the population, not above a constant.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
from detect_fixtures import account, careful_operator, individuals, population, scoring_inputs

from distillguard.detect import SIGNALS, DetectConfig, detect
from distillguard.detect._link import KINDS, key_pairs


def _scores(events: pl.DataFrame, name: str) -> dict[str, float]:
    table, ctx = scoring_inputs(events, DetectConfig())
    frame = SIGNALS[name]().compute(table, ctx).frame
    return dict(zip(frame["account_id"].to_list(), frame["score"].to_list(), strict=True))


@pytest.fixture(scope="module")
def rng() -> np.random.Generator:
    return np.random.default_rng(11)


def test_reasoning_sweep_needs_long_answers(rng: np.random.Generator) -> None:
    n = 300
    common: dict[str, Any] = {
        "p_reasoning": rng.uniform(0.7, 1.0, n).astype(np.float32),
        "capability": rng.choice(["math", "coding", "reasoning", "writing", "knowledge"], n),
    }
    events = pl.concat(
        [
            individuals(rng, 150),
            account(rng, "sweep", n, completion_tokens=rng.integers(1500, 3000, n), **common),
            # An evaluation harness with chain-of-thought phrasing: short final answers.
            account(rng, "eval", n, completion_tokens=rng.integers(5, 60, n), **common),
        ]
    )
    scores = _scores(events, "reasoning_sweep")
    assert scores["sweep"] >= 0.5
    assert scores["eval"] < 0.1
    background = [v for k, v in scores.items() if k.startswith("dev")]
    assert max(background) < 0.5


def test_reasoning_sweep_ignores_one_subject_products(rng: np.random.Generator) -> None:
    n = 300
    events = pl.concat(
        [
            individuals(rng, 150),
            # Step-by-step maths help, long explanations, but one subject only.
            account(
                rng,
                "maths_app",
                n,
                p_reasoning=rng.uniform(0.7, 1.0, n).astype(np.float32),
                capability=["math"] * n,
                completion_tokens=rng.integers(1500, 3000, n),
            ),
        ]
    )
    assert _scores(events, "reasoning_sweep")["maths_app"] < 0.1


def _label_table(rng: np.random.Generator) -> pl.DataFrame:
    """Feature rows: 300 ordinary accounts, then a heavy mixed harvester, a light one, a heavy product.

    Mean label probabilities are kept ordinary for everyone (an unsure classifier), so only the share
    routes can fire.
    """
    n = 300
    requests = np.r_[rng.integers(20, 120, n), 2500, 60, 2500]
    share = np.r_[rng.uniform(0.0, 0.1, n), 0.33, 0.33, 0.04]
    return pl.DataFrame(
        {
            "account_id": [f"dev_{i}" for i in range(n)] + ["relay", "light", "chat"],
            "requests": requests,
            "reasoning_share": share,
            "p_reasoning_mean": rng.uniform(0.1, 0.4, n + 3),
            # ... from a classifier telling the accounts' many templates apart.
            "p_reasoning_template_cv": np.ones(n + 3),
            # Reasoning traces come back long from the harvesters; the chat product's answers are short.
            "mean_completion_tokens": np.r_[rng.uniform(100, 900, n), 1500.0, 1500.0, 300.0],
            # Every account asks new questions (reasoning elicitation only counts on new prompts).
            "payload_unique_share": np.ones(n + 3),
        }
    ).with_columns(pl.col("requests").cast(pl.Float64).log1p().alias("log_requests"))


def test_minority_harvest_counts_only_in_heavy_unusual_accounts(rng: np.random.Generator) -> None:
    from distillguard.detect import SignalContext
    from distillguard.detect._engine import population_baseline

    table = _label_table(rng)
    config = DetectConfig()
    ctx = SignalContext(population_baseline(table, config), config)
    frame = SIGNALS["reasoning_elicitation"]().compute(table, ctx).frame
    scores = dict(zip(frame["account_id"].to_list(), frame["score"].to_list(), strict=True))
    # A third of a heavy account's traffic, far above the population's share: a diluted harvest.
    assert scores["relay"] >= 0.5
    # The same share in an ordinary volume is incidental; a heavy product at the population's share is not
    # a harvest.
    assert scores["light"] < 0.3
    assert scores["chat"] < 0.1


def test_output_budget_on_half_the_traffic_needs_long_answers(rng: np.random.Generator) -> None:
    n = 600
    at_cap = rng.random(n) < 0.55
    events = pl.concat(
        [
            individuals(rng, 150),
            account(
                rng,
                "harvest",
                n,
                max_tokens=np.where(at_cap, 32768, 1024),
                completion_tokens=np.where(at_cap, rng.integers(2500, 6000, n), rng.integers(100, 400, n)),
            ),
            # A client that sends max_tokens at the cap by default but gets ordinary answers.
            account(rng, "default_cap", n, max_tokens=np.where(at_cap, 32768, 1024)),
        ]
    )
    scores = _scores(events, "output_budget")
    assert scores["harvest"] >= 0.5
    assert scores["default_cap"] < 0.1


def _template_keys(shared: dict[tuple[int, int], list[int]]) -> pl.DataFrame:
    rows = [(i, key) for pair, keys in shared.items() for i in pair for key in keys]
    # Background holders so that the population is realistic in size.
    return pl.DataFrame(
        {
            "_i": pl.Series([i for i, _ in rows], dtype=pl.UInt32),
            "kind": pl.Series([KINDS.index("template")] * len(rows), dtype=pl.UInt8),
            "key": pl.Series([k for _, k in rows], dtype=pl.UInt64),
        }
    )


def test_several_distinct_shared_templates_weigh_more_than_one() -> None:
    keys = _template_keys({(0, 1): [101, 102, 103, 104], (2, 3): [201], (4, 5): [301, 302]})
    pairs = key_pairs(keys, 4000, DetectConfig())
    weight = {(a, b): w for a, b, w in pairs.select("a", "b", "weight").iter_rows()}
    assert weight[(0, 1)] > weight[(4, 5)] > weight[(2, 3)]
    # The bonus is bounded: four shared phrasings count as three, at most half again the weight of one.
    assert weight[(0, 1)] == pytest.approx(1.5 * weight[(2, 3)])


def test_careful_operator_is_one_campaign_with_sweep_evidence() -> None:
    rng = np.random.default_rng(23)
    events = pl.concat([population(4, hydra_accounts=0, with_harvester=False), careful_operator(rng)])
    result = detect(events, None, DetectConfig())
    moles = [v for v in result.accounts if v.account_id.startswith("mole_")]
    assert moles and all(v.flagged for v in moles)
    assert len({v.campaign_id for v in moles}) == 1
    campaign = next(c for c in result.campaigns if c.campaign_id == moles[0].campaign_id)
    assert {"coordination", "reasoning_sweep"} <= {e.signal for e in campaign.evidence}
    # And no hard negative (the tutoring app included) is flagged next to it.
    assert not [v.account_id for v in result.accounts if v.flagged and not v.account_id.startswith("mole_")]


def _datagen_job(rng: np.random.Generator, name: str, vocabulary: int, n: int = 2000) -> pl.DataFrame:
    # Round the clock, "generate N diverse examples", max_tokens at the cap and long answers.
    words = pl.Series((600_000 + rng.integers(0, vocabulary, (n, 12))).astype(np.uint32))
    return account(
        rng,
        name,
        n,
        payload_words=words.cast(pl.List(pl.UInt32)),
        p_datagen=rng.uniform(0.7, 1.0, n).astype(np.float32),
        max_tokens=[32768] * n,
        completion_tokens=rng.integers(1500, 4000, n),
        account_created=[account_age(700)] * n,
    )


def account_age(days: int) -> Any:
    from datetime import timedelta

    from detect_fixtures import START

    return START - timedelta(days=days)


def test_narrow_domain_datagen_is_a_product_broad_datagen_a_sweep() -> None:
    rng = np.random.default_rng(31)
    events = pl.concat(
        [
            individuals(rng, 300),
            # A permitted job: examples for one product's assistant, in that product's few dozen words.
            _datagen_job(rng, "synth_job", 40),
            # The same request shape poured over every topic there is.
            _datagen_job(rng, "datagen_sweep", 400_000),
        ]
    )
    table, ctx = scoring_inputs(events, DetectConfig())
    by_signal = {}
    for name in ("bulk_datagen", "output_budget"):
        frame = SIGNALS[name]().compute(table, ctx).frame
        by_signal[name] = dict(zip(frame["account_id"].to_list(), frame["score"].to_list(), strict=True))
    for scores in by_signal.values():
        assert scores["synth_job"] <= 0.55 * scores["datagen_sweep"]
    verdicts = {v.account_id: v.flagged for v in detect(events, None, DetectConfig()).accounts}
    assert verdicts["datagen_sweep"]
    assert not verdicts["synth_job"]
