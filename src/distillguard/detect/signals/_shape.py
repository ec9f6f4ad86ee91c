"""Shape signals: templated traffic with broad payloads, and the shape of the conversations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from distillguard.detect.signals._base import (
    LEXICAL_BREADTH,
    Signal,
    SignalContext,
    lexical_breadth_ramp,
    pct,
    ramp,
    register,
)

# Type-token ratio (over 256 payload words) below which payloads are a product's narrow domain, and above
# which they are broad.
NARROW_TTR, BROAD_TTR = 0.15, 0.3
# Lexical breadth (vocabulary against the pooled population's at equal sample size, see
# ``distillguard.detect._lexical``) under which a template's payloads are one product's domain, and from
# which they are a sweep. Stricter than the narrow damping of content signals: this signal *is* the breadth.
NARROW_LEXICAL_SWEEP, BROAD_LEXICAL_SWEEP = 0.3, 0.5


@register
class TemplateCoverage(Signal):
    """Few templates, filled with payloads as broad as the population's own: a systematic sweep.

    A product is templated too (an enterprise RAG prompt, a classification job), but what it pours into
    its template is its own narrow domain: its payload vocabulary is far narrower than the typical
    account's. A capability sweep pours in everything: a templated account whose payload breadth is no
    narrower than the population's (type-token ratio over a fixed sample of words), nor narrow outright,
    scores by how concentrated it is, provided it keeps pouring in new
    payloads (a fixed benchmark run again and again re-asks the same items).
    """

    name = "template_coverage"
    harvest = True
    description = "Traffic concentrated in a few templates, filled with broad (not domain-narrow) payloads."

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.col("top_cluster_share")

    def score(self, ctx: SignalContext) -> pl.Expr:
        median = ctx.baseline.median.get("word_breadth", 0.0)
        relative = 1.0 - ctx.deficit("word_breadth", floor=max(0.05, 0.25 * abs(median)))
        # And narrow in absolute terms: a type-token ratio under ~0.15 over 256 words means each payload word
        # comes back six times or more within a couple of dozen requests, a product's own vocabulary. This
        # also guards short scans, where a handful of heavy templated accounts can dominate the baseline.
        absolute = ramp(pl.col("word_breadth"), NARROW_TTR, BROAD_TTR)
        # A hundred-word knowledge base still shows new words at 256 words; against the population's pooled
        # vocabulary at the account's own (larger) sample size it is a small fraction.
        lexical = lexical_breadth_ramp(NARROW_LEXICAL_SWEEP, BROAD_LEXICAL_SWEEP)
        broad = pl.min_horizontal(relative, absolute, lexical).fill_null(0.0)
        # A sweep keeps pouring in new payloads; a benchmark or a product re-asks the same ones.
        novel = ramp(pl.col("payload_unique_share").fill_null(0.0), 0.4, 0.8)
        return ramp(pl.col("value"), 0.3, 0.8) * broad * novel

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        lexical = row.get(LEXICAL_BREADTH)
        vocabulary = (
            f" (a payload vocabulary {pct(lexical)} as varied as the whole platform's at equal sample size)"
            if lexical is not None
            else ""
        )
        return (
            f"{pct(value)} of {int(row['requests']):,} requests use one template "
            f"(of {int(row['distinct_clusters']):,} template groups), filled with "
            f"{int(row['distinct_words']):,} distinct payload words{vocabulary} and "
            f"{int(row['distinct_payloads']):,} distinct payloads over {int(row['distinct_capabilities'])} "
            "capabilities"
        )


@register
class ConversationShape(Signal):
    """Single-turn requests with no tool loop: answers harvested one by one, not a conversation or agent."""

    weak = True
    name = "conversation_shape"
    description = "Single-turn share unusually high for the population, without tool loops."

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.col("single_turn_share")

    def score(self, ctx: SignalContext) -> pl.Expr:
        unusual = ctx.excess("single_turn_share", floor=0.1)
        no_loop = 1.0 - pl.col("tool_loop_share").fill_null(0.0)
        return pl.min_horizontal(unusual, ramp(pl.col("value"), 0.6, 0.95)) * no_loop

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        return (
            f"{pct(value)} of {int(row['requests']):,} requests are single-turn "
            f"(mean {float(row.get('mean_messages') or 0):.1f} messages), {pct(row.get('tool_loop_share'))} "
            f"carry tool results, {pct(row.get('system_share'))} have a system prompt"
        )
