"""Content signals: what the requests ask the model to produce (from the fingerprint stage's labels).

Each label (reasoning traces, grades, rewrites, bulk examples, RL tasks) is a probability per request
from the fingerprint stage's text classifier; an account's value is the share of its requests where the
label applies (p > 0.5). The score needs both a substantial share and a share unusual for the population.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import polars as pl

from distillguard.detect.signals._base import (
    Signal,
    SignalContext,
    narrow_damping,
    pct,
    ramp,
    register,
    shown_share,
)

# A label that covers under a quarter of an account's traffic is incidental; three quarters is its job.
SHARE_LOW, SHARE_HIGH = 0.25, 0.75
# ... unless the account's volume is far above the population's: then a tenth of its traffic is already
# hundreds of such requests, and a share from a tenth to four tenths (still unusual for the population) is
# a harvest mixed into other traffic (a router or reseller passing a client's scripts through).
MIXED_LOW, MIXED_HIGH = 0.1, 0.4
# Scale floor for log request counts (a population of near-identical volumes).
LOG_VOLUME_FLOOR = 0.5
# "Unusually high volume" is a gate, not a score: from 1 to 3 robust z-scores of log requests above the
# population's median (about 3x and 10x the typical account's volume in a typical population).
HEAVY_Z_LOW, HEAVY_Z_HIGH = 1.0, 3.0
# Scale floor for shares: a population where nobody uses a label still needs 5 points per z unit.
SHARE_FLOOR = 0.05
# Scale floor for mean label probabilities.
MEAN_FLOOR = 0.02
# The mean-probability route reads an account's unsure label probabilities as many weak judgements that add
# up. They are many only as far as they differ from template to template: the same probability on every
# template (its templates' coefficient of variation ``p_<label>_template_cv`` within a few hundredths) is the
# classifier reacting to what all the requests share (one system prompt, one product's phrasing), one
# judgement however many requests repeat it. The route counts from a spread of 5% of the mean, fully from a
# fifth (a classifier that tells the prompts apart); one template alone is one judgement.
SPREAD_LOW, SPREAD_HIGH = 0.05, 0.2
# Mean completion length (tokens) under which asking for reasoning brings back no trace worth harvesting,
# and from which it does.
SHORT_TRACE_TOKENS, FULL_TRACE_TOKENS = 250.0, 600.0
# Share of distinct prompts among an account's requests (``payload_unique_share``): under 0.3 it asks the
# same items over and over (a benchmark run repeatedly, with samples per item); from 0.6 on it keeps asking
# new ones, which is what collecting training data means.
NOVEL_LOW, NOVEL_HIGH = 0.3, 0.6


class LabelSignal(Signal):
    """Share of an account's requests carrying one elicitation label."""

    label: ClassVar[str]
    phrase: ClassVar[str]
    content = True
    harvest = True
    per_request = True
    # Whether the label only counts on new prompts. Reasoning traces are harvested across new problems, while
    # an evaluation asks a fixed benchmark with the same chain-of-thought phrasing run after run. (Not so for
    # every label: a censorship-rewrite harvest samples many answers to a short list of sensitive questions.)
    needs_novelty: ClassVar[bool] = False

    def damping(self, ctx: SignalContext) -> pl.Expr:
        # Each route is damped for thin evidence in ``score`` (the share route by ``share_evidence``).
        return ctx.persistence()

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.max_horizontal(pl.col(f"{self.label}_share"), pl.col(f"p_{self.label}_mean")).fill_null(0.0)

    def score(self, ctx: SignalContext) -> pl.Expr:
        share = pl.col(f"{self.label}_share").fill_null(0.0)
        mean = pl.col(f"p_{self.label}_mean").fill_null(0.0)
        # Three routes: a confident label on a large share of requests; a mean probability far above the
        # population's (a classifier that is unsure on each request can still be clear about the account, as
        # long as its probabilities tell the account's templates apart: ``SPREAD_LOW``);
        # or, for an account of unusually high volume, an unusual minority share (a harvest diluted in
        # other traffic: hundreds of such requests a day, whatever else the account sends).
        # The share route is damped by how surely the share is known (``share_evidence``): by volume, or by
        # the share shown with 95% confidence, whichever is surer. A flat damping by volume alone treats a
        # dozen consistent requests as thin as a dozen mixed ones; every one of a dozen is evidence of a
        # habit, one request of one is not.
        unusual = ctx.excess(f"{self.label}_share", floor=SHARE_FLOOR)
        by_share = pl.min_horizontal(
            unusual, ctx.share_evidence(f"{self.label}_share", SHARE_LOW, SHARE_HIGH)
        )
        judgements = ramp(pl.col(f"p_{self.label}_template_cv"), SPREAD_LOW, SPREAD_HIGH).fill_null(0.0)
        by_mean = (
            pl.min_horizontal(ctx.excess(f"p_{self.label}_mean", floor=MEAN_FLOOR), ramp(mean, 0.05, 0.2))
            * judgements
        )
        heavy = ramp(ctx.baseline.z("log_requests", floor=LOG_VOLUME_FLOOR), HEAVY_Z_LOW, HEAVY_Z_HIGH)
        by_volume = pl.min_horizontal(unusual, ramp(share, MIXED_LOW, MIXED_HIGH)) * heavy
        score = pl.max_horizontal(by_share, pl.max_horizontal(by_mean, by_volume) * ctx.volume())
        score = score * narrow_damping(ctx)
        if self.needs_novelty:
            score = score * ramp(pl.col("payload_unique_share").fill_null(1.0), NOVEL_LOW, NOVEL_HIGH)
        return score

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        mean = float(row.get(f"p_{self.label}_mean") or 0.0)
        share = row.get(f"{self.label}_share")
        return (
            f"{pct(share)} of {int(row['requests']):,} requests {self.phrase} "
            f"(at least {pct(shown_share(share, row['requests']))} with 95% confidence; "
            f"mean label probability {mean:.2f})"
        )


@register
class ReasoningElicitation(LabelSignal):
    name = "reasoning_elicitation"
    description = "Requests that ask for complete step-by-step reasoning or the model's chain of thought."
    label = "reasoning"
    phrase = "ask for full step-by-step reasoning"
    needs_novelty = True

    def score(self, ctx: SignalContext) -> pl.Expr:
        # A reasoning trace is what is harvested, and a full one runs to hundreds of tokens: an account asking
        # for steps but getting short answers back (a chat persona's "explain briefly, step by step", a
        # benchmark's final answers) collects no traces.
        # Unknown lengths (a log without usage) are no judgement.
        length = pl.col("mean_completion_tokens").fill_null(FULL_TRACE_TOKENS)
        kept = ramp(length, SHORT_TRACE_TOKENS, FULL_TRACE_TOKENS)
        return super().score(ctx) * kept


@register
class ModelAsGrader(LabelSignal):
    name = "model_as_grader"
    description = "Requests that use the model as a reward model: rubric scores, pairwise preferences."
    label = "grader"
    phrase = "ask the model to grade or compare answers (reward-model use)"


@register
class CensorshipRewrite(LabelSignal):
    name = "censorship_rewrite"
    description = "Requests that ask to rewrite content into a censorship-safe or policy-compliant form."
    label = "rewrite"
    phrase = "ask to rewrite text into a censorship-safe form"


@register
class BulkDatagen(LabelSignal):
    name = "bulk_datagen"
    description = "Requests that ask for many diverse synthetic examples at once."
    label = "datagen"
    phrase = "ask for batches of diverse synthetic examples"


@register
class RLTaskgen(LabelSignal):
    name = "rl_taskgen"
    description = "Requests that ask for tasks or problems with checkable answers, for RL training."
    label = "taskgen"
    phrase = "ask for new tasks or problems with verifiable answers"
