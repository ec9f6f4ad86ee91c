"""Content signals: what the requests ask the model to produce (from the fingerprint stage's labels).

Each label (reasoning traces, grades, rewrites, bulk examples, RL tasks) is a probability per request
from the fingerprint stage's text classifier; an account's value is the share of its requests where the
label applies (p > 0.5). The score needs both a substantial share and a share unusual for the population.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import polars as pl

from distillguard.detect.signals._base import Signal, SignalContext, pct, ramp, register

# A label that covers under a quarter of an account's traffic is incidental; three quarters is its job.
SHARE_LOW, SHARE_HIGH = 0.25, 0.75
# Scale floor for shares: a population where nobody uses a label still needs 5 points per z unit.
SHARE_FLOOR = 0.05


class LabelSignal(Signal):
    """Share of an account's requests carrying one elicitation label."""

    label: ClassVar[str]
    phrase: ClassVar[str]
    content = True

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.col(f"{self.label}_share")

    def score(self, ctx: SignalContext) -> pl.Expr:
        share = pl.col("value")
        unusual = ctx.excess(f"{self.label}_share", floor=SHARE_FLOOR)
        return pl.min_horizontal(unusual, ramp(share, SHARE_LOW, SHARE_HIGH))

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        return f"{pct(value)} of {int(row['requests']):,} requests {self.phrase}"


@register
class ReasoningElicitation(LabelSignal):
    name = "reasoning_elicitation"
    description = "Requests that ask for complete step-by-step reasoning or the model's chain of thought."
    label = "reasoning"
    phrase = "ask for full step-by-step reasoning"


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
