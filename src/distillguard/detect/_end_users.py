"""End users behind each account, from the ``end_user`` pseudonyms ingest keeps (see docs/ingest.md).

Routers, resellers and products pass the id of the end user each request is for. How those ids behave
says who is really behind an account: a product's end users come back (a conversation is several
requests, a user returns the next hour), while an id that is new on nearly every request names nobody,
and hides which of the account's clients sends what. The columns are joined to the account feature table
so that signals score them against the population's baseline like any other feature.
"""

from __future__ import annotations

import polars as pl

# (column, dtype): requests carrying an end-user id, distinct ids among them, and their ratio (null for an
# account whose requests carry no ids: nothing to judge, and left out of the population baseline).
END_USER_COLUMNS: tuple[tuple[str, type[pl.DataType]], ...] = (
    ("end_user_requests", pl.Int64),
    ("distinct_end_users", pl.Int64),
    ("end_user_fresh_share", pl.Float64),
)


def with_end_user_features(features: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """``features`` plus the ``END_USER_COLUMNS`` of each account (0 / null when no request has an id)."""
    if "end_user" not in events.columns:
        return with_missing_end_user_columns(features)
    counts = (
        events.select("account_id", "end_user")
        .drop_nulls("end_user")
        .group_by("account_id")
        .agg(
            pl.len().cast(pl.Int64).alias("end_user_requests"),
            pl.col("end_user").n_unique().cast(pl.Int64).alias("distinct_end_users"),
        )
    )
    joined = features.join(counts, on="account_id", how="left", maintain_order="left")
    return joined.with_columns(
        pl.col("end_user_requests").fill_null(0),
        pl.col("distinct_end_users").fill_null(0),
        (pl.col("distinct_end_users") / pl.col("end_user_requests")).alias("end_user_fresh_share"),
    )


def with_missing_end_user_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with null ``END_USER_COLUMNS`` where it lacks them (a group table, events without ids)."""
    missing = [
        pl.lit(None, dtype=dtype).alias(name) for name, dtype in END_USER_COLUMNS if name not in frame.columns
    ]
    return frame.with_columns(missing) if missing else frame
