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


@dataclass(frozen=True)
class Baseline:
    """Per-feature median and robust scale (1.4826 * MAD) of the baseline population."""

    median: Mapping[str, float]
    scale: Mapping[str, float]
    accounts: int

    @classmethod
    def of(cls, features: pl.DataFrame, min_requests: int = 1) -> Baseline:
        """Baseline of the accounts with at least ``min_requests`` requests (all accounts if none has).

        Small accounts are left out because their shares are noise (one request = 100%).
        """
        numeric = [name for name, dtype in features.schema.items() if dtype.is_numeric()]
        population = features.filter(pl.col("requests") >= min_requests)
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
