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
    bins = bins.with_columns(usual_signups(frame, bins, burst_us).alias("_usual"))
    return (
        frame.join(payment, on="payment_fingerprint", how="left")
        .join(bins, on="_created_bin", how="left")
        .with_columns(
            pl.col("payment_accounts").fill_null(0),
            pl.col("creation_burst_accounts").fill_null(0),
            (pl.col("creation_burst_accounts").fill_null(0) / pl.col("_usual").fill_null(1.0)).alias(
                "creation_burst_ratio"
            ),
        )
        .drop("_created_bin", "_usual")
        .sort("account_id")
    )


def usual_signups(frame: pl.DataFrame, bins: pl.DataFrame, burst_us: int) -> pl.Expr:
    """For each bin of ``bins``, the number of sign-ups it would usually hold: what a burst is judged against.

    Accounts created before the scan are seen only if still active in it, one here and one there: for
    their bins the usual count is the median over non-empty bins of all history (about one for most
    populations). Within the scanned window every new account is seen, so the ordinary rate there is far
    higher, and it grows with the provider: a large provider's ordinary hour holds several sign-ups,
    which is no burst. For bins within the window the usual count is at least the median over the
    window's bins (empty ones included, so that a few bursts do not raise it).
    """
    if bins.height == 0:
        return pl.lit(1.0)
    history = max(float(bins["creation_burst_accounts"].median() or 1.0), 1.0)  # type: ignore[arg-type]
    if "first_seen" not in frame.columns or "last_seen" not in frame.columns:
        return pl.lit(history)
    start_us, end_us = frame.select(
        pl.col("first_seen").min().dt.epoch("us"), pl.col("last_seen").max().dt.epoch("us")
    ).row(0)
    if start_us is None or end_us is None:
        return pl.lit(history)
    first, last = start_us // burst_us, end_us // burst_us
    in_window = pl.col("_created_bin").is_between(first, last)
    counts = bins.filter(in_window)["creation_burst_accounts"]
    width = int(last - first + 1)
    # The median of ``width`` counts of which all but ``counts.len()`` are zero (the lower median).
    ranked = counts.sort(descending=True).to_list()
    middle = width - 1 - (width - 1) // 2
    rate = float(ranked[middle]) if middle < len(ranked) else 0.0
    return pl.when(in_window).then(pl.lit(max(history, rate))).otherwise(pl.lit(history))
