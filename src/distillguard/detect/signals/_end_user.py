"""End-user signals: what the end-user ids an account passes reveal about who is behind it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from distillguard.detect._end_users import with_missing_end_user_columns
from distillguard.detect.signals._base import Signal, SignalContext, SignalScores, pct, ramp, register

# From a fifth fresh ids to nearly all: a product's users come back within a conversation or a day, so its
# ids recur; ids that are new on 97% of the requests are minted per request.
FRESH_LOW, FRESH_HIGH = 0.8, 0.97
# Over a few dozen requests, one-question users can give every request a new id by chance; over hundreds
# it is the account's policy.
TAGGED_LOW, TAGGED_HIGH = 50, 200
# The share of the account's traffic carrying ids: the policy must cover most of it.
COVER_LOW, COVER_HIGH = 0.5, 0.9
# Fresh-id share as a multiple of the typical id-passing account's: from 1.3 to 1.6 times. A ratio to the
# median rather than a z-score: the accounts that pass ids at all are few, and a handful of resellers
# among them would inflate a MAD; if most of this population's id-passing accounts mint ids per request
# (an SDK default), the ratio stays near 1 and the signal is silent.
RATIO_LOW, RATIO_HIGH = 1.3, 1.6


@register
class EndUserRotation(Signal):
    """End-user ids minted per request: the account names a different "end user" on almost every call.

    An API router or a product passes the id of the person each request is for; those people come back.
    An id that is new on nearly every one of hundreds of requests identifies nobody: it defeats per-end-user
    abuse tracking and hides which client behind the account sends what (a harvest laundered through a
    reseller). Like rotating networks, it corroborates; it does not say what the traffic is for.
    """

    name = "end_user_rotation"
    description = "End-user ids that are new on nearly every request, over hundreds of requests."

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.col("end_user_fresh_share")

    def score(self, ctx: SignalContext) -> pl.Expr:
        tagged = pl.col("end_user_requests").cast(pl.Float64)
        typical = ctx.baseline.median.get("end_user_fresh_share", 0.0)
        unusual = ramp(pl.col("value") / typical, RATIO_LOW, RATIO_HIGH) if typical > 0 else pl.lit(1.0)
        fresh = ramp(pl.col("value"), FRESH_LOW, FRESH_HIGH)
        policy = ramp(tagged, TAGGED_LOW, TAGGED_HIGH) * ramp(
            tagged / pl.col("requests").cast(pl.Float64), COVER_LOW, COVER_HIGH
        )
        return pl.min_horizontal(unusual, fresh) * policy

    def compute(self, features: pl.DataFrame, ctx: SignalContext) -> SignalScores:
        # Tables built without events (a group's) have no end-user columns: the signal is then silent.
        return super().compute(with_missing_end_user_columns(features), ctx)

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        tagged = int(row.get("end_user_requests") or 0)
        return (
            f"{int(row.get('distinct_end_users') or 0):,} distinct end-user ids on {tagged:,} of "
            f"{int(row['requests']):,} requests: {pct(value)} of the ids are new with each request"
        )
