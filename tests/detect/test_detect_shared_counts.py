"""Linking on the feature stage's (account, value) counts gives what counting the events again gives."""

from __future__ import annotations

import polars as pl
from detect_fixtures import population

from distillguard.detect import DetectConfig
from distillguard.detect._link import SHARED_COUNTS, account_keys, link
from distillguard.features import account_features
from distillguard.features._account import account_features_with_counts
from distillguard.features._network import prefix_column


def _events() -> pl.DataFrame:
    events = population(seed=5, hydra_accounts=60)
    # Near-duplicate template groups as detection adds them (here: pairs of neighbouring hashes), some
    # system prompts and payment methods missing, so that nulls are counted the way linking counts them.
    return events.with_columns(
        (pl.col("template_hash") // 2).alias("template_cluster"),
        prefix_column(events).alias("ip_prefix"),
        pl.when(pl.int_range(pl.len()) % 7 == 0)
        .then(None)
        .otherwise(pl.col("system_hash"))
        .alias("system_hash"),
        pl.when(pl.int_range(pl.len()) % 11 == 0)
        .then(None)
        .otherwise(pl.col("payment_fingerprint"))
        .alias("payment_fingerprint"),
    )


def test_features_with_counts_are_the_features_and_counts_of_the_events() -> None:
    events = _events()
    features, counts = account_features_with_counts(events, count_keys=SHARED_COUNTS)
    assert features.equals(account_features(events))
    assert set(counts) == set(SHARED_COUNTS)
    for name, (column, _) in SHARED_COUNTS.items():
        expected = (
            events.drop_nulls(column)
            .group_by("account_id", column)
            .agg(pl.len().cast(pl.Int64).alias("requests"))
            .rename({column: "value"})
            .sort("account_id", "value")
        )
        got = counts[name].sort("account_id", "value")
        assert got.select("account_id", "requests").equals(expected.select("account_id", "requests")), name
        assert got["value"].cast(pl.String).equals(expected["value"].cast(pl.String)), name


def test_linking_on_shared_counts_equals_linking_on_the_events() -> None:
    events = _events()
    config = DetectConfig()
    features, counts = account_features_with_counts(events, count_keys=SHARED_COUNTS)
    table = features.with_columns(
        pl.lit(0).alias("payment_accounts"),
        pl.lit(0.0).alias("creation_burst_ratio"),
        pl.lit(0).alias("creation_burst_accounts"),
    )
    indexed = table.with_row_index("_i")
    with_index = events.join(indexed.select("account_id", "_i"), on="account_id", how="left")
    own = account_keys(with_index, indexed, config).sort("_i", "kind", "key")
    shared = account_keys(with_index, indexed, config, counts).sort("_i", "kind", "key")
    assert own.height > 0 and shared.equals(own)
    suspicion = table.select("account_id", pl.lit(0.5).alias("suspicion"))
    candidates = table["account_id"]
    plain = link(events, table, suspicion, candidates, config)
    reused = link(events, table, suspicion, candidates, config, counts)
    assert reused.groups.equals(plain.groups)
    assert plain.groups.height > 0
    # The same edges; weights to the last bits only, as linking twice on the same events gives (its sums
    # run in parallel).
    assert reused.edges.select("a", "b", "kinds").equals(plain.edges.select("a", "b", "kinds"))
    assert (reused.edges["weight"] - plain.edges["weight"]).abs().max() < 1e-12  # type: ignore[operator]
