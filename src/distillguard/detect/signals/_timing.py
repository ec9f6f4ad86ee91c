"""Timing signals: machine-like round-the-clock activity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from distillguard.detect.signals._base import Signal, SignalContext, pct, ramp, register
from distillguard.features._account import QUIET_WINDOW_HOURS

# The quiet-window share of perfectly flat traffic: 6 of 24 hours.
FLAT_SHARE = QUIET_WINDOW_HOURS / 24


@register
class Timing(Signal):
    """Activity around the clock with no quiet hours, over more than a day: nobody sleeps there."""

    name = "timing"
    description = "24/7 flat activity: the quietest hours of the day carry as much traffic as the rest."

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.col("quiet_window_share") / FLAT_SHARE

    def score(self, ctx: SignalContext) -> pl.Expr:
        unusual = ctx.excess("quiet_window_share", floor=0.02)
        # A day of history is needed before "no quiet hours" means anything.
        seen = ramp(pl.col("span_hours"), 24.0, 48.0)
        return pl.min_horizontal(unusual, ramp(pl.col("value"), 0.4, 0.8)) * seen

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        return (
            f"active {int(row['hours_of_day'])} of 24 hours of the day "
            f"over {float(row['span_hours']):.0f} h: "
            f"the quietest {QUIET_WINDOW_HOURS} hours still carry {pct(row.get('quiet_window_share'))} of "
            f"{int(row['requests']):,} requests (flat traffic: {pct(FLAT_SHARE)})"
        )


@register
class NewModelPivot(Signal):
    """Traffic that moves to a newly released model within hours of its first appearance."""

    name = "new_model_pivot"
    description = "Share of traffic after a model release that goes to the new model within the pivot window."

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.col("new_model_share").fill_null(0.0)

    def score(self, ctx: SignalContext) -> pl.Expr:
        unusual = ctx.excess(pl.col("new_model_share").fill_null(0.0), name="new_model_share", floor=0.05)
        return pl.min_horizontal(unusual, ramp(pl.col("value"), 0.3, 0.8))

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        lag = row.get("new_model_lag_hours")
        when = f", the first {float(lag):.1f} h after its release" if lag is not None else ""
        return f"{pct(value)} of requests after a new model's release went to the new model{when}"
