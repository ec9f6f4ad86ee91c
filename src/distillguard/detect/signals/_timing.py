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

    # Round-the-clock traffic is also what any busy integration or pipeline looks like: it corroborates.
    weak = True
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


# Share of the account's traffic after a release that went to the new model: from a fifth it is more than a
# try-out, from a half it is a pivot. Providers report distillers redirecting "nearly half" of their traffic
# to a new model within a day of its release, not all of it: the rest keeps harvesting the older models.
PIVOT_SHARE_LOW, PIVOT_SHARE_HIGH = 0.2, 0.5
# Distinct clock hours with requests to the new model: an evaluation run or a developer's try-out is an hour
# or two; a harvest that moved keeps going around the clock.
PIVOT_HOURS_LOW, PIVOT_HOURS_HIGH = 3, 12
# Scale floor for those hours: most accounts have none or one.
PIVOT_HOURS_FLOOR = 1.0


@register
class NewModelPivot(Signal):
    """Traffic that moves to a newly released model within hours of its first appearance, and stays there."""

    name = "new_model_pivot"
    description = "Share of traffic after a model release that goes to the new model within the pivot window."

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.col("new_model_share").fill_null(0.0)

    def score(self, ctx: SignalContext) -> pl.Expr:
        # Against the population: not the share (many light users try a new model with a request or two, so a
        # share of one is common) but how long the account kept using it, which few accounts do in the first
        # hours after a release.
        hours = pl.col("new_model_active_hours").fill_null(0)
        unusual = ctx.excess(hours, name="new_model_active_hours", floor=PIVOT_HOURS_FLOOR)
        sustained = ramp(hours, PIVOT_HOURS_LOW, PIVOT_HOURS_HIGH)
        moved = ramp(pl.col("value"), PIVOT_SHARE_LOW, PIVOT_SHARE_HIGH)
        return pl.min_horizontal(unusual, moved) * sustained

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        lag = row.get("new_model_lag_hours")
        when = f", the first {float(lag):.1f} h after its release" if lag is not None else ""
        hours = int(row.get("new_model_active_hours") or 0)
        return (
            f"{pct(value)} of requests after a new model's release went to the new model{when}, "
            f"in {hours} distinct hours"
        )
