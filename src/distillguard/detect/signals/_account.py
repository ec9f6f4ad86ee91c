"""Account-level signals: volume, account age, creation bursts, shared payment, rotating networks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from distillguard.detect.signals._base import Signal, SignalContext, ramp, register


@register
class AccountInfrastructure(Signal):
    """New accounts, created in bursts, sharing payment, hopping across many networks."""

    name = "account_infrastructure"
    description = "Young accounts, creation bursts, shared payment fingerprints, rotating IP prefixes."

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.max_horizontal(*self._parts(ctx))

    def score(self, ctx: SignalContext) -> pl.Expr:
        # Each part alone is common among legitimate accounts (new sign-ups, a family card, mobile IPs):
        # the score is the mean of the two strongest parts.
        parts = self._parts(ctx)
        ranked = pl.concat_list([p.fill_null(0.0) for p in parts]).list.sort(descending=True)
        return (ranked.list.get(0) + ranked.list.get(1)) / 2.0

    def _parts(self, ctx: SignalContext) -> list[pl.Expr]:
        young, burst, rotating = self.set_up_parts(ctx)
        payment = ramp(pl.col("payment_accounts"), 2.0, 5.0)
        return [young, burst, payment, rotating]

    @staticmethod
    def set_up_parts(ctx: SignalContext) -> list[pl.Expr]:
        """The parts that show accounts made or run for an operation, each in [0, 1]: unusually young
        accounts, a creation burst, networks rotating request by request. (A payment method shared by
        several accounts is also what one organisation paying for its teams' accounts shows.)"""
        young = ctx.deficit("log_age_days", floor=0.5)
        burst = ramp(pl.col("creation_burst_ratio"), 3.0, 10.0) * ramp(
            pl.col("creation_burst_accounts"), 3, 10
        )
        rotating = ctx.excess("prefixes_per_request", floor=0.02) * ramp(pl.col("distinct_prefixes"), 3, 10)
        return [young, burst, rotating]

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        age = row.get("account_age_days")
        parts = [
            f"account {float(age):.1f} days old at its first request" if age is not None else "age unknown"
        ]
        if (row.get("creation_burst_accounts") or 0) >= 3:
            parts.append(f"created in a burst of {int(row['creation_burst_accounts'])} accounts")
        if (row.get("payment_accounts") or 0) >= 2:
            parts.append(f"payment method shared by {int(row['payment_accounts'])} accounts")
        parts.append(
            f"{int(row['distinct_prefixes'])} network prefixes and {int(row['distinct_ips'])} IPs "
            f"over {int(row['requests']):,} requests"
        )
        return "; ".join(parts)


@register
class SustainedVolume(Signal):
    """Request volume far above the population's, sustained over more than a day."""

    weak = True
    name = "sustained_volume"
    description = "Request volume far above the population median, sustained across days."

    def value(self, ctx: SignalContext) -> pl.Expr:
        return pl.col("requests").cast(pl.Float64)

    def score(self, ctx: SignalContext) -> pl.Expr:
        return ctx.excess("log_requests", floor=0.5) * ramp(pl.col("span_hours"), 12.0, 36.0)

    def detail(self, row: Mapping[str, Any], value: float) -> str:
        return (
            f"{int(row['requests']):,} requests over {float(row['span_hours']):.0f} h "
            f"({float(row['requests_per_hour']):,.1f} per hour, "
            f"{int(row['distinct_payloads']):,} distinct prompts)"
        )
