"""Quieter campaigns: a partial pivot onto a new model, reasoning harvest mixed with cover traffic, and a
population baseline that a large hydra does not take over. Positive and negative examples for each."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl
from detect_fixtures import START, _events, _flat, _words, account, individuals, scoring_inputs

from distillguard.detect import SIGNALS, DetectConfig, Signal

N = 400
RELEASE = START + timedelta(hours=20)


def _score(signal: Signal, table: pl.DataFrame, ctx: object, name: str) -> float:
    frame = signal.compute(table, ctx).frame  # type: ignore[arg-type]
    return float(frame.filter(pl.col("account_id") == name)["score"][0])


def _moved(frame: pl.DataFrame, rng: np.random.Generator, share: float, lag_hours: float) -> pl.DataFrame:
    """The account's requests from ``lag_hours`` after the release go to the new model with ``share``."""
    after = (frame["ts"] >= RELEASE + timedelta(hours=lag_hours)).to_numpy()
    moved = after & (rng.random(frame.height) < share)
    return frame.with_columns(pl.Series("model", np.where(moved, "mdl-next", frame["model"].to_numpy())))


def _pivot_population(rng: np.random.Generator) -> pl.DataFrame:
    # Light users who try the new model on release day with a request or two: a share of one is common.
    triers = individuals(rng, 150, prefix="try")
    first = triers.group_by("account_id").agg(pl.col("ts").max().alias("_last"))
    triers = triers.join(first, on="account_id").with_columns(
        pl.when((pl.col("ts") == pl.col("_last")) & (pl.col("ts") >= RELEASE))
        .then(pl.lit("mdl-next"))
        .otherwise(pl.col("model"))
        .alias("model")
    )
    # The release itself: the new model's first request, a couple of hours after the window opened + 20 h.
    release = account(rng, "release_marker", 1)
    release = release.with_columns(
        pl.lit(RELEASE).cast(release["ts"].dtype).alias("ts"), pl.lit("mdl-next").alias("model")
    )
    half = _moved(account(rng, "pos_half", N), rng, 0.45, 2.0)
    most = _moved(account(rng, "pos_most", N), rng, 0.9, 1.0)
    trickle = _moved(account(rng, "neg_trickle", N), rng, 0.1, 2.0)
    # An evaluation of the new model: every request of a two-hour run, then back to its usual model.
    evaluation = account(rng, "neg_eval", N)
    in_run = (evaluation["ts"] >= RELEASE + timedelta(hours=3)) & (
        evaluation["ts"] < RELEASE + timedelta(hours=5)
    )
    evaluation = evaluation.with_columns(
        pl.Series("model", np.where(in_run.to_numpy(), "mdl-next", evaluation["model"].to_numpy()))
    )
    frames = [individuals(rng, 150), triers.drop("_last"), release, half, most, trickle, evaluation]
    return pl.concat(frames, how="vertical_relaxed").sort("ts", "account_id")


def test_pivot_of_half_the_traffic_fires_and_tryouts_trickles_and_evaluations_do_not() -> None:
    rng = np.random.default_rng(21)
    table, ctx = scoring_inputs(_pivot_population(rng), DetectConfig())
    pivot = SIGNALS["new_model_pivot"]()
    assert _score(pivot, table, ctx, "pos_half") >= ctx.config.fire_level
    assert _score(pivot, table, ctx, "pos_most") >= ctx.config.fire_level
    assert _score(pivot, table, ctx, "neg_trickle") < ctx.config.fire_level
    assert _score(pivot, table, ctx, "neg_eval") < ctx.config.fire_level
    scores = pivot.compute(table, ctx).frame.filter(pl.col("account_id").str.starts_with("try"))
    assert scores.height == 150 and scores["score"].max() < ctx.config.fire_level  # type: ignore[operator]


def _mixed_harvest(
    rng: np.random.Generator, name: str, accounts: int, per: int, reasoning: float
) -> pl.DataFrame:
    """Reasoning traces on a ``reasoning`` share of requests, across subjects, new questions, long answers;
    the rest everyday-looking cover with ordinary answers."""
    owner = np.repeat(np.arange(accounts), per)
    n = len(owner)
    harvest = rng.random(n) < reasoning
    return _events(
        rng,
        [f"{name}_{i}" for i in owner],
        _flat(rng, n) if accounts > 3 else rng.uniform(8, 18, n) * 3600 + rng.integers(0, 3, n) * 86400,
        template_hash=rng.integers(1, 10_000_000, n).astype(np.uint64),
        payload_words=_words(rng, n, 400_000),
        p_reasoning=np.where(harvest, rng.uniform(0.7, 1.0, n), rng.uniform(0.0, 0.1, n)).astype(np.float32),
        completion_tokens=np.where(harvest, rng.integers(2500, 5000, n), rng.integers(100, 500, n)),
        ip=[f"73.{10 + i % 200}.{20 + i // 200}.9" for i in owner],
        account_created=[START - timedelta(days=200)] * n,
        payment_fingerprint=[f"pm_{name}_{i}" for i in owner],
        capability=rng.choice(["reasoning", "math", "coding", "knowledge", "writing"], n),
    )


def test_reasoning_sweep_counts_a_harvest_mixed_with_cover_traffic() -> None:
    rng = np.random.default_rng(22)
    events = pl.concat(
        [
            individuals(rng, 300),
            _mixed_harvest(rng, "pos", 1, 150, 0.55),
            _mixed_harvest(rng, "neg", 1, 150, 0.15),
        ]
    )
    table, ctx = scoring_inputs(events, DetectConfig())
    sweep = SIGNALS["reasoning_sweep"]()
    assert _score(sweep, table, ctx, "pos_0") >= ctx.config.fire_level
    assert _score(sweep, table, ctx, "neg_0") < ctx.config.fire_level


def test_reasoning_elicitation_needs_new_prompts() -> None:
    rng = np.random.default_rng(23)
    labels = rng.uniform(0.7, 1.0, N).astype(np.float32)
    items = rng.integers(1, 2**62, 80, dtype=np.int64).astype(np.uint64)
    events = pl.concat(
        [
            individuals(rng, 200),
            account(rng, "pos", N, p_reasoning=labels),
            # The same chain-of-thought request over a fixed benchmark of 80 items, run again and again.
            account(rng, "neg", N, p_reasoning=labels, payload_hash=rng.choice(items, N)),
        ]
    )
    table, ctx = scoring_inputs(events, DetectConfig())
    signal = SIGNALS["reasoning_elicitation"]()
    assert _score(signal, table, ctx, "pos") >= ctx.config.fire_level
    assert _score(signal, table, ctx, "neg") < ctx.config.fire_level


def test_baseline_of_the_customer_base_is_not_taken_over_by_a_large_hydra() -> None:
    # Most accounts with 20 or more requests belong to one hydra harvesting reasoning traces; the careful
    # operator asks for reasoning on 60% of its requests. Against a baseline of heavy accounts only (the
    # hydra's own behaviour) that is ordinary; against the whole customer base it is not.
    rng = np.random.default_rng(24)
    events = pl.concat(
        [
            individuals(rng, 600),
            _mixed_harvest(rng, "hydra", 500, 30, 0.7),
            _mixed_harvest(rng, "careful", 1, 150, 0.6),
        ]
    )
    signal = SIGNALS["reasoning_elicitation"]()
    customers = DetectConfig()
    table, ctx = scoring_inputs(events, customers)
    assert customers.baseline_min_requests == 1
    assert _score(signal, table, ctx, "careful_0") >= customers.fire_level
    heavy_only = DetectConfig(baseline_min_requests=20)
    table, ctx = scoring_inputs(events, heavy_only)
    assert _score(signal, table, ctx, "careful_0") < heavy_only.fire_level
    # Ordinary developers stay quiet against the customer base.
    table, ctx = scoring_inputs(events, customers)
    devs = signal.compute(table, ctx).frame.filter(pl.col("account_id").str.starts_with("dev"))
    assert (devs["score"] >= customers.fire_level).mean() <= 0.02  # type: ignore[operator]


def test_volume_is_judged_against_active_accounts_and_behaviour_against_every_customer() -> None:
    from distillguard.detect._engine import population_baseline

    rng = np.random.default_rng(25)
    # Many light users (a few requests each), a set of ordinary integrations, and one very heavy account.
    light = _mixed_harvest(rng, "light", 400, 3, 0.0)
    integrations = _mixed_harvest(rng, "app", 40, 300, 0.0)
    events = pl.concat([light, integrations, account(rng, "heavy", 6000)])
    table, ctx = scoring_inputs(events, DetectConfig())
    baseline = population_baseline(table, DetectConfig())
    assert baseline.median["requests"] == 300  # the active accounts' typical volume, not a light user's
    assert baseline.median["reasoning_share"] == 0.0
    volume = SIGNALS["sustained_volume"]()
    assert _score(volume, table, ctx, "app_0") < ctx.config.fire_level
    assert _score(volume, table, ctx, "heavy") >= ctx.config.fire_level
