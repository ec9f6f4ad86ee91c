"""Every registered signal: one conformance suite, then positive and negative examples per signal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
import pytest
from detect_fixtures import (
    account,
    chat_products_with_end_users,
    end_user_ids,
    individuals,
    population,
    scoring_inputs,
)

from distillguard.detect import SIGNALS, DetectConfig, Signal, build_signals
from distillguard.errors import ConfigError
from distillguard.features import fingerprint_frame

ALL = sorted(SIGNALS)


@pytest.fixture(scope="module")
def scored_population() -> tuple[pl.DataFrame, Any]:
    return scoring_inputs(population(seed=11))


def _score_of(signal: Signal, table: pl.DataFrame, ctx: Any, name: str) -> float:
    frame = signal.compute(table, ctx).frame
    return float(frame.filter(pl.col("account_id") == name)["score"][0])


# ----- conformance: the same checks for every signal ------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_scores_in_unit_interval_for_every_account(
    name: str, scored_population: tuple[pl.DataFrame, Any]
) -> None:
    table, ctx = scored_population
    frame = SIGNALS[name]().compute(table, ctx).frame
    assert frame.columns == ["account_id", "score", "value"]
    assert frame.height == table.height
    assert frame["account_id"].to_list() == table["account_id"].to_list()
    assert frame["score"].null_count() == 0 and frame["value"].null_count() == 0
    assert frame["score"].min() >= 0.0  # type: ignore[operator]
    assert frame["score"].max() <= 1.0  # type: ignore[operator]


@pytest.mark.parametrize("name", ALL)
def test_fired_signals_have_evidence_text(name: str, scored_population: tuple[pl.DataFrame, Any]) -> None:
    table, ctx = scored_population
    result = SIGNALS[name]().compute(table, ctx)
    fired = result.frame.filter(pl.col("score") >= ctx.config.fire_level)
    rows = {r["account_id"]: r for r in table.iter_rows(named=True)}
    for account_id, score, value in fired.iter_rows():
        evidence = result.evidence(rows[account_id], score, value)
        assert evidence.signal == name
        assert len(evidence.detail) > 20 and "None" not in evidence.detail


@pytest.mark.parametrize("name", ALL)
def test_deterministic(name: str, scored_population: tuple[pl.DataFrame, Any]) -> None:
    table, ctx = scored_population
    first = SIGNALS[name]().compute(table, ctx).frame
    second = SIGNALS[name]().compute(table.sample(fraction=1.0, shuffle=True, seed=2).sort("account_id"), ctx)
    assert first.equals(second.frame)


@pytest.mark.parametrize("name", ALL)
def test_single_account_empty_and_null_tables(name: str) -> None:
    rng = np.random.default_rng(0)
    single, ctx = scoring_inputs(account(rng, "only", 30))
    assert SIGNALS[name]().compute(single, ctx).frame.height == 1
    empty, ctx = scoring_inputs(fingerprint_frame({}))
    assert SIGNALS[name]().compute(empty, ctx).frame.height == 0
    # Only the required columns: every optional feature is null.
    bare = fingerprint_frame(
        {
            "ts": pl.Series([0, 1, 2], dtype=pl.Int64).cast(pl.Datetime("us", "UTC")),
            "account_id": ["a", "a", "b"],
        }
    )
    table, ctx = scoring_inputs(bare)
    frame = SIGNALS[name]().compute(table, ctx).frame
    assert frame["score"].null_count() == 0
    assert frame["score"].is_between(0.0, 1.0).all()


def test_registry_and_unknown_names() -> None:
    assert {type(s).name for s in build_signals(None)} == set(SIGNALS)
    assert len(SIGNALS) >= 12
    with pytest.raises(ConfigError, match="unknown signal"):
        build_signals(("reasoning", "timing"))
    assert [type(s).name for s in build_signals(("timing",))] == ["timing"]


# ----- per-signal positive and negative examples -----------------------------------------------------

Builder = Callable[[np.random.Generator], pl.DataFrame]
N = 400


def _labelled(label: str) -> Builder:
    return lambda rng: account(rng, "pos", N, **{f"p_{label}": rng.uniform(0.6, 1.0, N).astype(np.float32)})


def _half_labelled(label: str) -> Builder:
    values = np.r_[np.full(N // 10, 0.9), np.full(N - N // 10, 0.02)].astype(np.float32)
    return lambda rng: account(rng, "neg", N, **{f"p_{label}": values})


def _logprob_harvest(rng: np.random.Generator) -> pl.DataFrame:
    return account(
        rng,
        "pos",
        N,
        logprobs=[True] * N,
        top_logprobs=[20] * N,
        max_tokens=[1] * N,
        completion_tokens=[1] * N,
    )


def _benchmark_rerun(rng: np.random.Generator) -> pl.DataFrame:
    items = rng.integers(1, 2**62, 60, dtype=np.int64).astype(np.uint64)
    return account(
        rng,
        "neg",
        N,
        logprobs=[True] * N,
        top_logprobs=[5] * N,
        max_tokens=[1] * N,
        completion_tokens=[1] * N,
        payload_hash=rng.choice(items, N),
    )


def _budget(rng: np.random.Generator) -> pl.DataFrame:
    return account(rng, "pos", N, max_tokens=[32768] * N, reasoning_effort=["high"] * N)


def _sweep(rng: np.random.Generator) -> pl.DataFrame:
    return account(
        rng,
        "pos",
        N,
        template_hash=[42] * N,
        capability=rng.choice(["math", "coding", "reasoning", "writing", "knowledge", "agentic"], N),
    )


_SUBJECTS = ["math", "coding", "reasoning", "writing", "knowledge", "agentic"]


def _reasoning_sweep(rng: np.random.Generator) -> pl.DataFrame:
    # Step-by-step reasoning asked on every request, across every subject, new questions, long answers.
    return account(
        rng,
        "pos",
        N,
        p_reasoning=rng.uniform(0.7, 1.0, N).astype(np.float32),
        capability=rng.choice(_SUBJECTS, N),
        completion_tokens=rng.integers(1500, 3000, N),
    )


def _tutoring(rng: np.random.Generator) -> pl.DataFrame:
    # A tutoring product: every answer explained step by step, but one curriculum's words, recurring
    # exercises and follow-ups, and explanations of ordinary length.
    items = rng.integers(1, 2**62, 120, dtype=np.int64).astype(np.uint64)
    words = pl.Series((800_000 + rng.integers(0, 40, (N, 12))).astype(np.uint32)).cast(pl.List(pl.UInt32))
    return account(
        rng,
        "neg",
        N,
        p_reasoning=rng.uniform(0.7, 1.0, N).astype(np.float32),
        capability=rng.choice(["math", "math", "math", "reasoning"], N),
        payload_words=words,
        payload_hash=rng.choice(items, N),
        completion_tokens=rng.integers(1500, 3000, N),
    )


def _narrow(rng: np.random.Generator) -> pl.DataFrame:
    words = pl.Series((900_000 + rng.integers(0, 30, (N, 12))).astype(np.uint32)).cast(pl.List(pl.UInt32))
    return account(rng, "neg", N, template_hash=[43] * N, payload_words=words)


def _multi_turn(rng: np.random.Generator) -> pl.DataFrame:
    return account(
        rng, "neg", N, n_user_messages=rng.integers(2, 8, N), n_assistant_messages=rng.integers(1, 7, N)
    )


def _diurnal_account(rng: np.random.Generator) -> pl.DataFrame:
    return account(rng, "neg", N, flat=False)


def _pivot(rng: np.random.Generator) -> pl.DataFrame:
    # After its release (first seen ~20 h into the window) the new model takes all of this account's traffic.
    frame = account(rng, "pos", N)
    release = frame["ts"].min() + pl.duration(hours=20)  # type: ignore[operator]
    return frame.with_columns(
        pl.when(pl.col("ts") >= release).then(pl.lit("mdl-next")).otherwise(pl.col("model")).alias("model")
    )


def _young_rotating(rng: np.random.Generator) -> pl.DataFrame:
    from detect_fixtures import START

    ips = [f"{a}.{b}.{c}.9" for a, b, c in rng.integers(1, 250, (N, 3))]
    return account(rng, "pos", N, account_created=[START] * N, ip=ips)


def _heavy(rng: np.random.Generator) -> pl.DataFrame:
    return account(rng, "pos", 3000)


def _rotating_end_users(rng: np.random.Generator) -> pl.DataFrame:
    # A reseller naming a different "end user" on every request.
    return account(rng, "pos", N, end_user=end_user_ids(rng, N, None))


def _recurring_end_users(rng: np.random.Generator) -> pl.DataFrame:
    # A chat product whose users come back; other products passing ids make up the baseline.
    return pl.concat(
        [account(rng, "neg", N, end_user=end_user_ids(rng, N, N // 3)), chat_products_with_end_users(rng)]
    )


CASES: dict[str, tuple[Builder, Builder]] = {
    "reasoning_elicitation": (_labelled("reasoning"), _half_labelled("reasoning")),
    "model_as_grader": (_labelled("grader"), _half_labelled("grader")),
    "censorship_rewrite": (_labelled("rewrite"), _half_labelled("rewrite")),
    "bulk_datagen": (_labelled("datagen"), _half_labelled("datagen")),
    "rl_taskgen": (_labelled("taskgen"), _half_labelled("taskgen")),
    "logprob_harvesting": (_logprob_harvest, _benchmark_rerun),
    "output_budget": (_budget, lambda rng: account(rng, "neg", N)),
    "template_coverage": (_sweep, _narrow),
    "reasoning_sweep": (_reasoning_sweep, _tutoring),
    "conversation_shape": (lambda rng: account(rng, "pos", N), _multi_turn),
    "timing": (lambda rng: account(rng, "pos", N), _diurnal_account),
    "new_model_pivot": (_pivot, lambda rng: account(rng, "neg", N)),
    "account_infrastructure": (_young_rotating, lambda rng: account(rng, "neg", N)),
    "sustained_volume": (_heavy, lambda rng: account(rng, "neg", 60)),
    "end_user_rotation": (_rotating_end_users, _recurring_end_users),
}


def test_every_signal_has_examples() -> None:
    assert set(CASES) == set(SIGNALS)


@pytest.mark.parametrize("name", ALL)
def test_positive_example_fires_and_negative_does_not(name: str) -> None:
    rng = np.random.default_rng(5)
    background = individuals(rng, 120)
    # The timing and pivot examples need multi-turn diurnal background to stand out against.
    positive, negative = CASES[name]
    events = pl.concat([background, positive(rng), negative(rng)])
    table, ctx = scoring_inputs(events, DetectConfig())
    signal = SIGNALS[name]()
    assert _score_of(signal, table, ctx, "pos") >= ctx.config.fire_level
    assert _score_of(signal, table, ctx, "neg") < ctx.config.fire_level
    background_scores = signal.compute(table, ctx).frame.filter(pl.col("account_id").str.starts_with("dev"))
    assert (background_scores["score"] >= ctx.config.fire_level).mean() <= 0.02  # type: ignore[operator]
