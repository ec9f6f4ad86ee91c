"""Reasoning sweep: full reasoning asked for on nearly every request, across a curriculum of subjects.

A harvester that stays below every volume and template threshold (a few old accounts, human hours, a
handful of hand-written phrasings) still has to do what it came for: walk through every subject it wants
the student model to learn, asking for the complete line of reasoning each time and keeping the long
answers. A product whose users ask for explanations (a tutoring app, a homework helper) asks in its own
narrow curriculum; an evaluation run asks the same benchmark items again and wants short final answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from distillguard.detect.signals._base import (
    LEXICAL_BREADTH,
    Signal,
    SignalContext,
    domain_breadth,
    pct,
    ramp,
    register,
)
from distillguard.detect.signals._content import SHARE_FLOOR

# Elicitation on three requests in ten starts to count; on six in ten it is the account's business. A careful
# operator mixes everyday-looking requests in with the harvest, so the share is well below one; the other
# factors (broad subjects and words, new questions, long answers) are what separate it from a product.
ELICIT_LOW, ELICIT_HIGH = 0.3, 0.6
# Subject breadth (capability entropy) as a fraction of the population's median: under 0.3 of the typical
# account's breadth is one domain; from 0.7 on it is as broad as anyone's.
NARROW_RATIO, BROAD_RATIO = 0.3, 0.7
# Mean answer length as a multiple of the population's median account: from twice to three times as long.
# A ratio, not a z-score: in a short scan the accounts with enough requests for the baseline are few and
# mostly heavy products, whose spread of answer lengths would hide any account's long answers.
LONG_RATIO_LOW, LONG_RATIO_HIGH = 2.0, 3.0


@register
class ReasoningSweep(Signal):
    """Reasoning elicited on (nearly) every request, over broad subjects, new questions, long answers."""

    name = "reasoning_sweep"
    harvest = True
    description = (
        "Step-by-step reasoning asked for on nearly every request, across subjects as broad as the "
        "population's, with new questions each time and answers far longer than the population's."
    )

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.col("reasoning_share").fill_null(0.0)

    def damping(self, ctx: SignalContext) -> pl.Expr:
        # Damped for thin evidence in ``score``, through the elicitation share (``share_evidence``): a sweep
        # is a habit shown on every request, and a dozen consistent requests show it as surely as a hundred
        # mixed ones.
        return ctx.persistence()

    def score(self, ctx: SignalContext) -> pl.Expr:
        # Breadth is what the sweep claims, so judged by confidence it must have been measured: unknown
        # (fewer payload words than the lexical measure needs, a few requests' worth) is no sweep. (Elsewhere
        # unknown breadth is no judgement, because volume damping covers small accounts.)
        measured = pl.col(LEXICAL_BREADTH).is_not_null().cast(pl.Float64)
        elicits = pl.min_horizontal(
            ctx.excess("reasoning_share", floor=SHARE_FLOOR),
            ctx.share_evidence("reasoning_share", ELICIT_LOW, ELICIT_HIGH, shown=measured),
        )
        # As broad as the population's typical account, not one product's curriculum: in the kinds of task
        # asked and in the payload vocabulary (unknown for an account with few words: not held against it).
        broad = self._relative(ctx, "capability_entropy", NARROW_RATIO, BROAD_RATIO).fill_null(0.0)
        # A curriculum of school exercises re-uses its words within a few dozen questions; a sweep asked in a
        # few fixed phrasings still brings new subject words with every question.
        words = domain_breadth(ctx)
        # A sweep asks new questions; a benchmark or a product's FAQ re-asks the same ones.
        novel = ramp(pl.col("payload_unique_share").fill_null(0.0), 0.4, 0.8)
        # And keeps the whole answer: long completions for this population, not final answers.
        long_answers = self._relative(
            ctx, "mean_completion_tokens", LONG_RATIO_LOW, LONG_RATIO_HIGH
        ).fill_null(0.0)
        return elicits * broad * words * novel * long_answers

    @staticmethod
    def _relative(ctx: SignalContext, column: str, low: float, high: float) -> pl.Expr:
        """A ramp on the account's value as a fraction of the population's median value."""
        typical = ctx.baseline.median.get(column, 0.0)
        if typical <= 0:
            return pl.lit(0.0)
        return ramp(pl.col(column) / typical, low, high)

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        return (
            f"{pct(value)} of {int(row['requests']):,} requests ask for step-by-step reasoning, over "
            f"{int(row['distinct_capabilities'])} capabilities "
            f"(entropy {float(row.get('capability_entropy') or 0):.2f}) "
            f"and {int(row['distinct_payloads']):,} distinct questions; mean answer "
            f"{float(row.get('mean_completion_tokens') or 0):,.0f} tokens"
        )
