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
    )
    payment = (
        frame.filter(pl.col("payment_fingerprint").is_not_null())
        .group_by("payment_fingerprint")
        .agg(pl.len().cast(pl.Int64).alias("payment_accounts"))
    )
    # Two binnings offset by half a bin (as linking keys them), so that a burst straddling a bin edge is
    # still one burst: each account counts in the binning where its bin stands out more.
    main, shifted = _bursts(frame, burst_us, 0), _bursts(frame, burst_us, burst_us // 2)
    shifted_wins = pl.col("creation_burst_ratio_s") > pl.col("creation_burst_ratio")
    bursts = main.join(shifted, on="account_id", suffix="_s").select(
        "account_id",
        pl.when(shifted_wins)
        .then(pl.col("creation_burst_accounts_s"))
        .otherwise(pl.col("creation_burst_accounts"))
        .alias("creation_burst_accounts"),
        pl.max_horizontal("creation_burst_ratio", "creation_burst_ratio_s").alias("creation_burst_ratio"),
    )
    return (
        frame.join(payment, on="payment_fingerprint", how="left")
        .join(bursts, on="account_id", how="left")
        .with_columns(
            pl.col("payment_accounts").fill_null(0),
            pl.col("creation_burst_accounts").fill_null(0),
            pl.col("creation_burst_ratio").fill_null(0.0),
        )
        .sort("account_id")
    )


def _bursts(frame: pl.DataFrame, burst_us: int, offset_us: int) -> pl.DataFrame:
    """Per account: sign-ups in its creation bin (bins of ``burst_us`` shifted by ``offset_us``) and their
    ratio to the usual count of that bin (``usual_signups``)."""
    binned = frame.select(
        "account_id",
        "first_seen",
        "last_seen",
        ((pl.col("account_created").dt.epoch("us") + offset_us) // burst_us).alias("_created_bin"),
    )
    bins = (
        binned.filter(pl.col("_created_bin").is_not_null())
        .group_by("_created_bin")
        .agg(pl.len().cast(pl.Int64).alias("creation_burst_accounts"))
    )
    bins = bins.with_columns(usual_signups(binned, bins, burst_us, offset_us).alias("_usual"))
    return binned.join(bins, on="_created_bin", how="left").select(
        "account_id",
        pl.col("creation_burst_accounts").fill_null(0),
        (pl.col("creation_burst_accounts").fill_null(0) / pl.col("_usual").fill_null(1.0)).alias(
            "creation_burst_ratio"
        ),
    )


def usual_signups(frame: pl.DataFrame, bins: pl.DataFrame, burst_us: int, offset_us: int = 0) -> pl.Expr:
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
    start_us, end_us = frame.select(
        pl.col("first_seen").min().dt.epoch("us"), pl.col("last_seen").max().dt.epoch("us")
    ).row(0)
    if start_us is None or end_us is None:
        return pl.lit(history)
    first, last = (start_us + offset_us) // burst_us, (end_us + offset_us) // burst_us
    in_window = pl.col("_created_bin").is_between(first, last)
    counts = bins.filter(in_window)["creation_burst_accounts"]
    width = int(last - first + 1)
    # The median of ``width`` counts of which all but ``counts.len()`` are zero (the lower median).
    ranked = counts.sort(descending=True).to_list()
    middle = width - 1 - (width - 1) // 2
    rate = float(ranked[middle]) if middle < len(ranked) else 0.0
    return pl.when(in_window).then(pl.lit(max(history, rate))).otherwise(pl.lit(history))
