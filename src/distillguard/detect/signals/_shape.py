"""Shape signals: templated traffic with broad payloads, and the shape of the conversations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from distillguard.detect.signals._base import Signal, SignalContext, pct, ramp, register


@register
class TemplateCoverage(Signal):
    """Few templates, filled with payloads as broad as the population's own: a systematic sweep.

    A product is templated too (an enterprise RAG prompt, a classification job), but what it pours into
    its template is its own narrow domain: its payload vocabulary is far narrower than the typical
    account's. A capability sweep pours in everything: a templated account whose payload breadth is no
    narrower than the population's (type-token ratio over a fixed sample of requests), or which spreads
    over unusually many capabilities, scores by how concentrated it is.
    """

    name = "template_coverage"
    description = "Traffic concentrated in a few templates, filled with broad (not domain-narrow) payloads."

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.col("top_cluster_share")

    def score(self, ctx: SignalContext) -> pl.Expr:
        median = ctx.baseline.median.get("word_breadth", 0.0)
        not_narrow = 1.0 - ctx.deficit("word_breadth", floor=max(0.05, 0.1 * abs(median)))
        broad = pl.max_horizontal(not_narrow, ctx.excess("capability_entropy", floor=0.1))
        return ramp(pl.col("value"), 0.3, 0.8) * broad

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        return (
            f"{pct(value)} of {int(row['requests']):,} requests use one template "
            f"(of {int(row['distinct_clusters']):,} template groups), filled with "
            f"{int(row['distinct_words']):,} distinct payload words and {int(row['distinct_payloads']):,} "
            f"distinct payloads over {int(row['distinct_capabilities'])} capabilities"
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
