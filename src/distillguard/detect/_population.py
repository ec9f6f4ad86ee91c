"""Cross-account columns added to the feature table before scoring (they need the whole population).

``account_features`` is per account by design; a few facts only exist across accounts: how many accounts
share a payment method, how many were created in the same burst. They are joined on here, together with
log transforms whose population baseline is more meaningful than that of the raw counts.
"""

from __future__ import annotations

import polars as pl

from distillguard.detect.config import DetectConfig


def enrich(features: pl.DataFrame, config: DetectConfig) -> pl.DataFrame:
    """The feature table plus ``payment_accounts``, ``creation_burst_*`` and log columns."""
    burst_us = config.creation_burst_minutes * 60 * 1_000_000
    frame = features.with_columns(
        pl.col("requests").cast(pl.Float64).log1p().alias("log_requests"),
        pl.col("distinct_payloads").cast(pl.Float64).log1p().alias("log_distinct_payloads"),
        pl.col("account_age_days").clip(lower_bound=0.0).log1p().alias("log_age_days"),
        (pl.col("account_created").dt.epoch("us") // burst_us).alias("_created_bin"),
    )
    payment = (
        frame.filter(pl.col("payment_fingerprint").is_not_null())
        .group_by("payment_fingerprint")
        .agg(pl.len().cast(pl.Int64).alias("payment_accounts"))
    )
    bins = (
        frame.filter(pl.col("_created_bin").is_not_null())
        .group_by("_created_bin")
        .agg(pl.len().cast(pl.Int64).alias("creation_burst_accounts"))
    )
    # A burst is judged against the usual number of sign-ups per (non-empty) bin in this population.
    usual = float(bins["creation_burst_accounts"].median() or 1.0) if bins.height else 1.0  # type: ignore[arg-type]
    return (
        frame.join(payment, on="payment_fingerprint", how="left")
        .join(bins, on="_created_bin", how="left")
        .with_columns(
            pl.col("payment_accounts").fill_null(0),
            pl.col("creation_burst_accounts").fill_null(0),
            (pl.col("creation_burst_accounts").fill_null(0) / max(usual, 1.0)).alias("creation_burst_ratio"),
        )
        .drop("_created_bin")
        .sort("account_id")
    )
