"""The population's own baseline: robust location and scale of every feature over the scanned accounts.

Signals never compare a feature with a fixed constant alone; they ask how far an account sits from the
bulk of *this* provider's accounts, in robust units (median and MAD, which a minority of abusive accounts
cannot drag along). A floor on the scale keeps a feature that is zero for nearly everyone (MAD 0) from
turning any non-zero value into an infinite z-score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

# Converts a MAD into a standard-deviation-equivalent scale for normally distributed data.
MAD_TO_SIGMA = 1.4826
# The baseline should describe the bulk of active accounts. In a short scan (the first hours of traffic)
# few ordinary accounts have reached ``min_requests`` yet, and those that have are mostly the heaviest
# ones: products, pipelines, and the campaigns themselves, which then set what "typical" means. So the
# volume bar is lowered until at least this share of the accounts is in the baseline ...
BASELINE_MIN_SHARE = 0.2
# ... but never below this many requests, under which an account's shares are mostly noise.
BASELINE_FLOOR_REQUESTS = 5


@dataclass(frozen=True)
class Baseline:
    """Per-feature median and robust scale (1.4826 * MAD) of the baseline population."""

    median: Mapping[str, float]
    scale: Mapping[str, float]
    accounts: int

    @classmethod
    def of(cls, features: pl.DataFrame, min_requests: int = 1) -> Baseline:
        """Baseline of the accounts with at least ``min_requests`` requests (all accounts if none has).

        Small accounts are left out because their shares are noise (one request = 100%). When fewer than
        ``BASELINE_MIN_SHARE`` of the accounts have ``min_requests`` (a scan of a few hours), the bar is
        lowered to the volume of that share's lightest account, down to ``BASELINE_FLOOR_REQUESTS``.
        """
        numeric = [name for name, dtype in features.schema.items() if dtype.is_numeric()]
        population = features.filter(pl.col("requests") >= baseline_min_requests(features, min_requests))
        if population.height == 0:
            population = features
        if population.height == 0 or not numeric:
            return cls({}, {}, 0)
        values = population.select([pl.col(c).cast(pl.Float64) for c in numeric])
        medians = values.select(pl.all().median()).row(0, named=True)
        mads = values.select(
            [
                (pl.col(c) - (medians[c] if medians[c] is not None else 0.0)).abs().median().alias(c)
                for c in numeric
            ]
        ).row(0, named=True)
        median = {c: float(v) for c, v in medians.items() if v is not None}
        scale = {c: MAD_TO_SIGMA * float(v) for c, v in mads.items() if v is not None}
        return cls(median, scale, population.height)

    def overlay(self, other: Baseline, columns: Iterable[str]) -> Baseline:
        """This baseline with the median and scale of ``columns`` taken from ``other`` (where it has them)."""
        wanted = [c for c in columns if c in other.median]
        median = {**self.median, **{c: other.median[c] for c in wanted}}
        scale = {**self.scale, **{c: other.scale[c] for c in wanted if c in other.scale}}
        return Baseline(median, scale, self.accounts)

    def z(self, column: str | pl.Expr, *, name: str | None = None, floor: float) -> pl.Expr:
        """Robust z-score expression: (x - median) / max(scale, floor)."""
        key = name if name is not None else column
        if not isinstance(key, str):
            raise TypeError("pass name= when column is an expression")
        expr = pl.col(column) if isinstance(column, str) else column
        median = self.median.get(key, 0.0)
        scale = max(self.scale.get(key, 0.0), floor)
        return (expr.cast(pl.Float64) - median) / scale


def baseline_min_requests(features: pl.DataFrame, min_requests: int) -> int:
    """The volume an account needs to be part of the baseline: ``min_requests``, or less in a short scan.

    The bar is the request count of the account at the ``BASELINE_MIN_SHARE`` quantile from the top when
    that is lower than ``min_requests``, so the baseline always holds at least that share of the accounts
    (but never accounts under ``BASELINE_FLOOR_REQUESTS``, nor a bar above ``min_requests``).
    """
    if features.height == 0:
        return min_requests
    top_share = features["requests"].quantile(1.0 - BASELINE_MIN_SHARE, interpolation="lower")
    if top_share is None:
        return min_requests
    return int(min(min_requests, max(BASELINE_FLOOR_REQUESTS, float(top_share))))
