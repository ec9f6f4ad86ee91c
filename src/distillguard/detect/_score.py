"""From signal scores to an account (or group) score, and the evidence that drove it.

The evidence total is the weighted sum of the signal scores, except that content signals (alternative
ways of harvesting training data) contribute only their strongest one, and a content signal that can also
ride on the others' requests (``Signal.joint``) adds to the strongest other one only as far as it must. The
score is a logistic function of the total, so no single signal can flag an account with the default bias:
corroboration is needed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from distillguard.detect.config import DetectConfig
from distillguard.detect.signals import Signal, SignalContext, SignalScores
from distillguard.detect.signals._base import compute_all
from distillguard.detect.types import Evidence


@dataclass(frozen=True)
class Scored:
    """Per-account signal scores (``s_<signal>``), values (``v_<signal>``), ``total`` and ``score``."""

    frame: pl.DataFrame
    results: tuple[SignalScores, ...]


def logistic(total: pl.Expr, config: DetectConfig) -> pl.Expr:
    return 1.0 / (1.0 + (-config.evidence_slope * (total - config.evidence_bias)).exp())


def logistic_value(total: float, config: DetectConfig) -> float:
    return 1.0 / (1.0 + math.exp(-config.evidence_slope * (total - config.evidence_bias)))


def score_all(
    features: pl.DataFrame,
    signals: Sequence[Signal],
    ctx: SignalContext,
    extra: Mapping[str, float] | None = None,
    factors: Mapping[str, str] | None = None,
) -> Scored:
    """Run every signal over ``features``.

    ``extra`` maps further score columns of ``features`` (e.g. a group's coordination score, named
    ``s_<name>``) to their weight in the evidence total. ``factors`` maps signal names to columns of
    ``features`` in [0, 1] that scale their scores (a group's share of requests from members that show the
    behaviour themselves: ``distillguard.detect._campaign``).
    """
    results = compute_all(signals, features, ctx)
    extra = extra or {}
    factors = factors or {}
    columns: list[pl.Series] = [features["account_id"], *(features[column] for column in extra)]
    for result in results:
        score = result.frame["score"]
        if result.name in factors:
            score = score * features[factors[result.name]].fill_null(1.0)
        columns.append(score.alias(f"s_{result.name}"))
        columns.append(result.frame["value"].alias(f"v_{result.name}"))
    joints = {s.name: joint for s in signals if s.content and (joint := s.joint(ctx)) is not None}
    for name, joint in joints.items():
        columns.append(
            features.select(joint.cast(pl.Float64).fill_null(0.0).clip(0.0, 1.0))[:, 0].alias(f"_j_{name}")
        )
    frame = pl.DataFrame(columns)
    config = ctx.config
    content = [pl.col(f"s_{s.name}") * config.weight(s.name) for s in signals if s.content]
    strong = [pl.col(f"s_{s.name}") * config.weight(s.name) for s in signals if not s.content and not s.weak]
    weak = [pl.col(f"s_{s.name}") * config.weight(s.name) for s in signals if s.weak]
    total = (
        (pl.max_horizontal(content) if content else pl.lit(0.0))
        + _joint_content(signals, joints, config)
        + (pl.sum_horizontal(strong) if strong else pl.lit(0.0))
        + (pl.sum_horizontal(weak).clip(upper_bound=config.weak_cap) if weak else pl.lit(0.0))
    )
    for column, weight in extra.items():
        total = total + pl.col(column).fill_null(0.0) * weight
    frame = (
        frame.with_columns(total.alias("total"))
        .with_columns(logistic(pl.col("total"), config).alias("score"))
        .drop([f"_j_{name}" for name in joints])
    )
    return Scored(frame, results)


def _joint_content(signals: Sequence[Signal], joints: Mapping[str, pl.Expr], config: DetectConfig) -> pl.Expr:
    """What content signals that ride on the others' requests add beside the strongest content signal: the
    smaller of the two weighted scores, in the proportion of the smaller behaviour's requests that must carry
    both (column ``_j_<name>``). Logprobs on every request of a datagen harvest are the same harvest seen
    twice and corroborate it; logprobs on one half of an evaluation suite and reasoning on the other are two
    alternative tests, and only the stronger counts."""
    added = pl.lit(0.0)
    for name in joints:
        others = [
            pl.col(f"s_{s.name}") * config.weight(s.name) for s in signals if s.content and s.name != name
        ]
        if not others:
            continue
        own = pl.col(f"s_{name}") * config.weight(name)
        added = added + pl.min_horizontal(own, pl.max_horizontal(others)) * pl.col(f"_j_{name}")
    return added


def evidence_by_account(
    scored: Scored, features: pl.DataFrame, accounts: Iterable[str], config: DetectConfig
) -> dict[str, tuple[Evidence, ...]]:
    """Evidence of the fired signals for each of ``accounts``, strongest weighted contribution first."""
    wanted = sorted(set(accounts))
    if not wanted:
        return {}
    rows = scored.frame.filter(pl.col("account_id").is_in(wanted)).join(
        features, on="account_id", how="left", suffix="_f"
    )
    out: dict[str, tuple[Evidence, ...]] = {}
    for row in rows.iter_rows(named=True):
        out[str(row["account_id"])] = _row_evidence(row, scored.results, config)
    return out


def _row_evidence(
    row: Mapping[str, Any], results: Sequence[SignalScores], config: DetectConfig
) -> tuple[Evidence, ...]:
    fired: list[tuple[float, str, Evidence]] = []
    for result in results:
        score = float(row[f"s_{result.name}"])
        if score >= config.fire_level:
            value = float(row[f"v_{result.name}"])
            fired.append(
                (-score * config.weight(result.name), result.name, result.evidence(row, score, value))
            )
    fired.sort(key=lambda item: (item[0], item[1]))
    return tuple(evidence for _, _, evidence in fired)
