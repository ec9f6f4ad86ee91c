"""Usage signals: what the sampling parameters reveal (logprob harvesting, output-budget maximisation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from distillguard.detect.signals._base import Signal, SignalContext, narrow_damping, pct, ramp, register
from distillguard.detect.signals._content import SHARE_FLOOR, SHARE_HIGH, SHARE_LOW
from distillguard.features._account import TINY_COMPLETION_TOKENS
from distillguard.fingerprint.schema import LABELS


@register
class LogprobHarvesting(Signal):
    """Logprobs requested with tiny completions over many different prompts: soft labels, not answers."""

    name = "logprob_harvesting"
    harvest = True
    # Soft labels are one more way of collecting training targets, an alternative to eliciting them as
    # text (traces, grades, examples): it counts among the content signals, of which only the strongest
    # counts, except as far as the logprobs must be on the labelled requests themselves (``joint``). An
    # evaluation harness mixes multiple-choice log-likelihoods with chain-of-thought generations on other
    # requests: adding one to the other made such a suite look corroborated.
    content = True
    per_request = True
    description = "logprobs/top_logprobs with tiny completions over diverse prompts (soft-label harvesting)."

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.col("logprob_tiny_share")

    def score(self, ctx: SignalContext) -> pl.Expr:
        unusual = ctx.excess("logprob_tiny_share", floor=SHARE_FLOOR)
        # The same prompts asked again and again (an evaluation rerun) harvest nothing new.
        diverse = ramp(pl.col("payload_unique_share"), 0.3, 0.7)
        return pl.min_horizontal(unusual, ramp(pl.col("value"), SHARE_LOW, SHARE_HIGH)) * diverse

    def joint(self, ctx: SignalContext) -> pl.Expr | None:
        # How much of the smaller of the two behaviours is on the requests of the other, as measured: the
        # requests that carry the account's most frequent label (the one whose requests could carry them)
        # and ask for logprobs. Logprobs on every labelled request of a harvest are that harvest seen twice;
        # logprobs on one half of an evaluation suite and a label on the other half never meet. Counting
        # alone (``max(0, a + b - 1)``) is a floor of this and missed harvests whose two shares overlap by
        # chance rather than by necessity.
        logprobs = pl.col("logprob_tiny_share").fill_null(0.0)
        shares = {label: pl.col(f"{label}_share").fill_null(0.0) for label in LABELS}
        label = pl.max_horizontal(list(shares.values()))
        both = pl.coalesce(
            [pl.when(share == label).then(pl.col(f"logprob_{name}_share")) for name, share in shares.items()]
        ).fill_null(0.0)
        smaller = pl.min_horizontal(logprobs, label)
        return pl.when(smaller > 0).then(both / smaller).otherwise(0.0)

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        top = row.get("mean_top_logprobs") or 0.0
        return (
            f"{pct(value)} of {int(row['requests']):,} requests ask for logprobs "
            f"(top {top:.0f} on average) with "
            f"completions of at most {TINY_COMPLETION_TOKENS} tokens, over {int(row['distinct_payloads']):,} "
            "distinct prompts"
        )


# Share of requests asking for the whole output budget from which it is a policy rather than an occasional
# request: lower than a content label's, because the score also requires (for max_tokens at the cap) that
# the answers coming back are unusually long, so a client's default setting alone does not count.
BUDGET_LOW, BUDGET_HIGH = 0.15, 0.5
# The smallest spread of mean completion lengths the baseline assumes, so a population of near-identical
# answer lengths does not make a few extra tokens look extreme.
COMPLETION_FLOOR_TOKENS = 100.0


@register
class OutputBudget(Signal):
    """Asking for all the output the model can give: max_tokens at the cap, high effort, several samples."""

    name = "output_budget"
    harvest = True
    per_request = True
    description = "max_tokens at or near the model's cap, high reasoning_effort, n > 1."

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.max_horizontal(
            pl.col("near_cap_share").fill_null(0.0),
            pl.col("high_effort_share").fill_null(0.0),
            pl.col("multi_n_share").fill_null(0.0),
        )

    def score(self, ctx: SignalContext) -> pl.Expr:
        # Many clients send max_tokens at the cap by default; it only says "harvest" when the answers that
        # come back are long for this population too.
        long_answers = ctx.excess("mean_completion_tokens", floor=COMPLETION_FLOOR_TOKENS)
        unusual = pl.max_horizontal(
            pl.min_horizontal(ctx.excess("near_cap_share", floor=SHARE_FLOOR), long_answers),
            ctx.excess("high_effort_share", floor=SHARE_FLOOR),
            ctx.excess("multi_n_share", floor=SHARE_FLOOR),
        )
        return pl.min_horizontal(unusual, ramp(pl.col("value"), BUDGET_LOW, BUDGET_HIGH)) * narrow_damping(
            ctx
        )

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        return (
            f"of {int(row['requests']):,} requests, {pct(row.get('near_cap_share'))} set max_tokens at the "
            f"model's cap, {pct(row.get('high_effort_share'))} ask for high reasoning effort and "
            f"{pct(row.get('multi_n_share'))} ask for n > 1; mean completion "
            f"{float(row.get('mean_completion_tokens') or 0):,.0f} tokens"
        )
