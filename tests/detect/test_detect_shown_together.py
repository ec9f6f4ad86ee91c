"""A group's evidence is what its members show together, and alternative harvests do not corroborate.

Two evaluation accounts of one research team, linked by network, user agent and benchmark templates, one
running multiple-choice log-likelihoods and the other chain-of-thought with several samples, were scored
as one account whose soft labels corroborated its traces: a campaign of two accounts that neither is. Soft
labels (logprobs on completions of a few tokens) are an alternative to traces, not a second line of
evidence, and a group's per-request signals count only as far as its members show them themselves. A hydra,
whose accounts each run the operator's harvest, keeps all of its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np
import polars as pl
import pytest
from detect_fixtures import START, _events, _words, hydra, individuals, reasoning_harvester, scoring_inputs

import distillguard.detect._campaign as campaign
from distillguard.detect import DetectConfig, SignalContext, build_signals, detect
from distillguard.detect._score import score_all
from distillguard.detect.signals._base import Signal
from distillguard.detect.signals._usage import LogprobHarvesting
from distillguard.fingerprint.schema import LABELS

DAY = timedelta(hours=24)


def _eval_pair(rng: np.random.Generator, n: int = 400) -> pl.DataFrame:
    """A research team's two evaluation accounts: chain-of-thought sampled four times in one account,
    multiple-choice log-likelihoods in the other, each in two separate hours of the day, sharing the harness's
    few prompt formats, its network and user agent."""
    # The benchmark's few prompt formats, shared by both accounts.
    templates = rng.integers(1, 5, 2 * n).astype(np.uint64) + 70_000
    words = _words(rng, 2 * n, 200_000, base=900_000)
    common = {
        "ip": ["155.1.1.1"] * n,
        "user_agent": ["lab-harness/2.1"] * n,
        "account_created": [START - timedelta(days=900)] * n,
        "capability": rng.choice(["reasoning", "math", "knowledge", "coding"], n),
    }
    hours = np.array([6, 13])[rng.integers(0, 2, n)] * 3600 + rng.uniform(0, 3599, n)
    cot = _events(
        rng,
        ["lab_cot"] * n,
        hours,
        payment_fingerprint=["pm_lab_cot"] * n,
        template_hash=templates[:n],
        payload_words=words[:n],
        p_reasoning=np.where(rng.random(n) < 0.8, 0.9, 0.05).astype(np.float32),
        n=[4] * n,
        completion_tokens=rng.integers(800, 1800, n),
        **common,
    )
    hours = np.array([9, 20])[rng.integers(0, 2, n)] * 3600 + rng.uniform(0, 3599, n)
    choice = _events(
        rng,
        ["lab_mc"] * n,
        hours,
        payment_fingerprint=["pm_lab_mc"] * n,
        template_hash=templates[n:],
        payload_words=words[n:],
        logprobs=[True] * n,
        top_logprobs=[5] * n,
        max_tokens=[1] * n,
        completion_tokens=[1] * n,
        temperature=[0.0] * n,
        **common,
    )
    return pl.concat([cot, choice])


def _eval_suite(rng: np.random.Generator) -> pl.DataFrame:
    """The same two kinds of request from one account, in three hours of the day."""
    suite = _eval_pair(rng).with_columns(
        pl.lit("lab_suite").alias("account_id"),
        pl.lit("203.0.113.9").alias("ip"),
        pl.lit("pm_suite").alias("payment_fingerprint"),
        pl.lit("suite-runner/0.9").alias("user_agent"),
        pl.col("template_hash") + 100,
    )
    # Hours 7, 10 and 14 (an hour after the pair's, whose runs it is not).
    ts = pl.col("ts") + timedelta(hours=1)
    return suite.with_columns(
        pl.when(ts.dt.hour() == 21).then(ts - timedelta(hours=11)).otherwise(ts).alias("ts")
    )


def _soft_label_harvester(rng: np.random.Generator, n: int = 700) -> pl.DataFrame:
    """Reward-model distillation: pairwise preferences asked with logprobs on a one-token answer, on every
    request, around the clock, from two accounts of the same operator."""
    owner = rng.integers(0, 2, n)
    return _events(
        rng,
        [f"sl_{i}" for i in owner],
        rng.uniform(0, 86400, n),
        template_hash=rng.choice([31, 32], n).astype(np.uint64),
        payload_words=_words(rng, n, 400_000),
        p_grader=np.where(rng.random(n) < 0.6, 0.9, 0.05).astype(np.float32),
        logprobs=[True] * n,
        top_logprobs=[5] * n,
        max_tokens=[1] * n,
        completion_tokens=[1] * n,
        ip=[f"45.9.{i}.{j}" for i, j in zip(owner, rng.integers(1, 250, n), strict=True)],
        account_created=[START - timedelta(days=3)] * n,
        payment_fingerprint=[f"pm_sl_{i}" for i in owner],
        capability=rng.choice(["writing", "coding", "reasoning"], n),
    )


def _one_day() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    parts = [
        individuals(rng, 600),
        reasoning_harvester(rng),
        hydra(rng, 150),
        _soft_label_harvester(rng),
        _eval_pair(rng),
        _eval_suite(rng),
    ]
    return pl.concat(parts).filter(pl.col("ts") < START + DAY).sort("ts", "account_id")


def _verdicts(events: pl.DataFrame) -> dict[str, bool]:
    return {v.account_id: v.flagged for v in detect(events, None, DetectConfig()).accounts}


def test_an_evaluation_pair_and_suite_are_not_flagged_and_the_campaigns_are() -> None:
    flagged = _verdicts(_one_day())
    assert not flagged["lab_cot"] and not flagged["lab_mc"] and not flagged["lab_suite"]
    assert flagged["rh_0"] and flagged["rh_1"] and flagged["sl_0"] and flagged["sl_1"]
    hydra_members = [f for a, f in flagged.items() if a.startswith("hy_")]
    assert sum(hydra_members) >= 0.85 * len(hydra_members)
    assert not any(f for a, f in flagged.items() if a.startswith("dev"))


def test_with_the_old_rules_pair_and_suite_were_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests can fail: with soft labels added to traces and members' behaviour pooled as one account's,
    # the pair is a campaign and the suite a harvester.
    monkeypatch.setattr(LogprobHarvesting, "content", False)
    monkeypatch.setattr(campaign, "_carried", lambda enriched, *args: enriched.select("account_id"))
    flagged = _verdicts(_one_day())
    assert flagged["lab_cot"] and flagged["lab_mc"] and flagged["lab_suite"]


def test_each_rule_alone_clears_the_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    # Members' own evidence alone: the pair is cleared even with soft labels added to traces (the suite,
    # one account, is not a group: only the alternative rule clears it).
    monkeypatch.setattr(LogprobHarvesting, "content", False)
    flagged = _verdicts(_one_day())
    assert not flagged["lab_cot"] and not flagged["lab_mc"] and flagged["lab_suite"]
    # Soft labels as an alternative alone: pooled members no longer corroborate each other either.
    monkeypatch.setattr(LogprobHarvesting, "content", True)
    monkeypatch.setattr(campaign, "_carried", lambda enriched, *args: enriched.select("account_id"))
    flagged = _verdicts(_one_day())
    assert not flagged["lab_cot"] and not flagged["lab_mc"] and not flagged["lab_suite"]


def test_logprobs_add_to_a_label_only_on_its_own_requests() -> None:
    table, ctx = scoring_inputs(_one_day())
    signals = build_signals(None)
    frame = score_all(table, signals, ctx).frame
    rows = {
        r["account_id"]: r
        for r in frame.filter(pl.col("account_id").is_in(["sl_0", "lab_suite"])).iter_rows(named=True)
    }
    config = ctx.config

    def content_part(row: dict[str, float]) -> float:
        return _content_part(row, signals, config)

    # Logprobs on every grading request: the grades and their soft labels add up.
    harvester = rows["sl_0"]
    logprobs = harvester["s_logprob_harvesting"] * config.weight("logprob_harvesting")
    grades = harvester["s_model_as_grader"] * config.weight("model_as_grader")
    assert grades > 0.3 and logprobs > 0.3
    assert content_part(harvester) == pytest.approx(logprobs + grades, abs=1e-6)
    # Logprobs on one half of a suite, reasoning on the other: only the stronger counts.
    suite = rows["lab_suite"]
    logprobs = suite["s_logprob_harvesting"] * config.weight("logprob_harvesting")
    traces = suite["s_reasoning_elicitation"] * config.weight("reasoning_elicitation")
    assert traces > 0.3 and logprobs > 0.2
    assert content_part(suite) == pytest.approx(max(logprobs, traces), abs=1e-6)


def _content_part(row: dict[str, Any], signals: Sequence[Signal], config: DetectConfig) -> float:
    """A scored row's total without the strong and weak (non-content) signals' parts."""
    strong = sum(row[f"s_{s.name}"] * config.weight(s.name) for s in signals if not s.content and not s.weak)
    weak = sum(row[f"s_{s.name}"] * config.weight(s.name) for s in signals if s.weak)
    return float(row["total"]) - strong - min(weak, config.weak_cap)


def _shares(**values: float) -> dict[str, float]:
    row = {f"{label}_share": 0.0 for label in LABELS} | {f"p_{label}_mean": 0.0 for label in LABELS}
    row |= {"near_cap_share": 0.0, "high_effort_share": 0.0, "multi_n_share": 0.0, "logprob_tiny_share": 0.0}
    return row | values


def _carried(members: dict[str, list[tuple[str, int, dict[str, float]]]]) -> dict[str, dict[str, float]]:
    """``_carried`` for groups given as (account, requests, shares); the group's values are pooled as the
    features pool them (request-weighted means)."""
    accounts, groups = [], []
    for group, rows in members.items():
        total = sum(requests for _, requests, _ in rows)
        pooled = {k: sum(r * v[k] for _, r, v in rows) / total for k in rows[0][2]}
        groups.append({"account_id": group, "requests": total, **pooled})
        accounts += [{"account_id": a, "group": group, "requests": r, **v} for a, r, v in rows]
    account_table = pl.DataFrame(accounts).drop("group")
    membership = pl.DataFrame([{"account_id": a["account_id"], "group": a["group"]} for a in accounts])
    ctx = SignalContext(baseline=None, config=DetectConfig())  # type: ignore[arg-type]
    frame = campaign._carried(pl.DataFrame(groups), account_table, membership, build_signals(None), ctx)
    return {row.pop("account_id"): row for row in frame.iter_rows(named=True)}


def test_a_group_counts_a_behaviour_as_far_as_its_members_show_it() -> None:
    rng = np.random.default_rng(2)
    hydra_rows = [(f"hy_{i}", 14, _shares(reasoning_share=float(rng.uniform(0.45, 0.95)))) for i in range(40)]
    carried = _carried(
        {
            # The evaluation pair: each behaviour is one member's, half of the group's requests.
            "pair": [
                ("lab_cot", 360, _shares(reasoning_share=0.77, multi_n_share=1.0)),
                ("lab_mc", 360, _shares(logprob_tiny_share=1.0)),
            ],
            # An evaluation run linked to a colleague's ordinary traffic.
            "colleague": [
                ("lab_run", 360, _shares(multi_n_share=1.0)),
                ("lab_chat", 120, _shares()),
            ],
            # A hydra: every small account runs the harvest, with the noise of a dozen requests.
            "hydra": hydra_rows,
        }
    )
    pair, colleague, hydra_group = carried["pair"], carried["colleague"], carried["hydra"]
    assert pair["carried_reasoning_elicitation"] == pytest.approx(0.5)
    assert pair["carried_output_budget"] == pytest.approx(0.5)
    assert pair["carried_logprob_harvesting"] == pytest.approx(0.5)
    assert colleague["carried_output_budget"] == pytest.approx(0.75)
    assert hydra_group["carried_reasoning_elicitation"] == pytest.approx(1.0)
    # Behaviours the group does not show leave nothing to carry.
    assert hydra_group["carried_model_as_grader"] == 1.0


def _chance_overlap_harvester(rng: np.random.Generator, n: int = 600) -> tuple[pl.DataFrame, float]:
    """A stealthier soft-label harvest: logprobs on a one-token answer in 60% of the requests and grading
    prompts in 40%, drawn independently, so the two meet on about a quarter of the requests by chance
    rather than by necessity (60% + 40% is not over 100%). Returns the events and the true share of
    requests that carry both."""
    logprobs = rng.random(n) < 0.6
    grades = rng.random(n) < 0.4
    events = _events(
        rng,
        ["co_0"] * n,
        rng.uniform(0, 86400, n),
        template_hash=rng.choice([41, 42, 43], n).astype(np.uint64),
        payload_words=_words(rng, n, 500_000),
        p_grader=np.where(grades, 0.9, 0.05).astype(np.float32),
        logprobs=logprobs.tolist(),
        top_logprobs=np.where(logprobs, 5, 0).tolist(),
        max_tokens=np.where(logprobs, 1, 1024).tolist(),
        completion_tokens=np.where(logprobs, 1, 600).tolist(),
        account_created=[START - timedelta(days=3)] * n,
        capability=rng.choice(["writing", "coding", "reasoning"], n),
    )
    return events, float(np.mean(logprobs & grades))


def test_logprobs_add_to_a_label_as_far_as_they_are_measured_on_its_requests() -> None:
    rng = np.random.default_rng(5)
    harvest, both = _chance_overlap_harvester(rng)
    table, ctx = scoring_inputs(pl.concat([individuals(rng, 600), harvest]).sort("ts", "account_id"))
    row = table.filter(pl.col("account_id") == "co_0").row(0, named=True)
    # The feature is the measured share of requests with both, not a bound.
    assert row["logprob_grader_share"] == pytest.approx(both, abs=1e-6)
    assert 0.15 < both < 0.35
    signals = build_signals(None)
    scored = score_all(table, signals, ctx).frame.filter(pl.col("account_id") == "co_0").row(0, named=True)
    config = ctx.config
    logprobs = scored["s_logprob_harvesting"] * config.weight("logprob_harvesting")
    grades = scored["s_model_as_grader"] * config.weight("model_as_grader")
    assert logprobs > 0.1 and grades > 0.1
    joint = both / min(row["logprob_tiny_share"], row["grader_share"])
    content = _content_part(scored, signals, config)
    # Counting alone (0.6 + 0.4 - 1 = 0) would add nothing: only the stronger of the two would count.
    assert content == pytest.approx(max(logprobs, grades) + min(logprobs, grades) * joint, abs=1e-6)
    assert content > max(logprobs, grades) + 0.05
