"""Linking accounts into groups: a weighted graph of shared, specific indicators.

Each account contributes *keys*: the template clusters carrying a real share of its traffic, its system
prompt and tool schema, payment fingerprints, (IP prefix, day) pairs, a rare user agent, a creation burst,
and lockstep co-activity with other accounts. Two accounts sharing keys get an edge weighted by the kinds
they share and by how specific each key is (a key held by very many accounts says little about any two of
them; beyond ``max_key_accounts`` it says nothing). No single weak kind reaches ``link_threshold`` alone:
a common phrasing, a shared NAT address or a popular SDK's user agent never links two customers.

Pairs come from polars self-joins per key (columnar, no Python loop over pairs); groups are the connected
components of the thresholded graph (networkx).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import polars as pl

from distillguard.detect.config import DetectConfig
from distillguard.features._network import ip_prefixes

# Weight of one shared key of each kind, before specificity (see the module docstring).
KIND_WEIGHTS: dict[str, float] = {
    "template": 0.7,
    "system": 0.6,
    "tools": 0.6,
    "payment": 1.2,
    "network": 0.4,
    "user_agent": 0.2,
    "creation_burst": 0.6,
    "lockstep": 0.8,
}
# A template cluster, system prompt or tool schema becomes a key of an account when it carries at least this
# share of the account's requests (one stray request shares nothing meaningful).
MIN_KEY_SHARE = 0.1


@dataclass(frozen=True)
class Linking:
    """``groups``: account_id -> group (the smallest member id); ``edges``: kept edges with kinds."""

    groups: pl.DataFrame
    edges: pl.DataFrame


def account_keys(events: pl.DataFrame, features: pl.DataFrame, config: DetectConfig) -> pl.DataFrame:
    """(account_id, kind, key) rows: the indicators each account could share with another."""
    cluster = "template_cluster" if "template_cluster" in events.columns else "template_hash"
    shared = [
        _share_keys(events, features, "template", cluster),
        _share_keys(events, features, "system", "system_hash"),
        _share_keys(events, features, "tools", "tools_hash"),
    ]
    prefix = events.select("ip").join(ip_prefixes(events["ip"]), on="ip", how="left", maintain_order="left")
    network = (
        events.select("account_id", (pl.col("ts").dt.epoch("s") // 86400).alias("_day"))
        .with_columns(prefix["ip_prefix"])
        .drop_nulls("ip_prefix")
        .unique()
        .select(
            "account_id",
            pl.lit("network").alias("kind"),
            pl.concat_str([pl.col("ip_prefix"), pl.col("_day").cast(pl.String)], separator="@").alias("key"),
        )
    )
    payment = (
        events.select("account_id", pl.col("payment_fingerprint").alias("key"))
        .drop_nulls("key")
        .unique()
        .select("account_id", pl.lit("payment").alias("kind"), "key")
    )
    burst_us = config.creation_burst_minutes * 60 * 1_000_000
    created = pl.col("account_created").dt.epoch("us")
    in_burst = (pl.col("creation_burst_ratio") >= 3.0) & (pl.col("creation_burst_accounts") >= 3)
    single = [
        _feature_key(features, "user_agent", pl.col("top_user_agent"), pl.lit(True)),
        # Two binnings offset by half a bin, so that a burst straddling a bin edge still shares a key.
        _feature_key(features, "creation_burst", pl.format("a{}", created // burst_us), in_burst),
        _feature_key(
            features, "creation_burst", pl.format("b{}", (created + burst_us // 2) // burst_us), in_burst
        ),
    ]
    return pl.concat([*shared, network, payment, *single]).drop_nulls()


def _share_keys(events: pl.DataFrame, features: pl.DataFrame, kind: str, column: str) -> pl.DataFrame:
    """Values of ``column`` that carry at least ``MIN_KEY_SHARE`` of an account's requests."""
    return (
        events.drop_nulls(column)
        .group_by("account_id", column)
        .agg(pl.len().alias("_n"))
        .join(features.select("account_id", "requests"), on="account_id")
        .filter(pl.col("_n") >= MIN_KEY_SHARE * pl.col("requests"))
        .select("account_id", pl.lit(kind).alias("kind"), pl.col(column).cast(pl.String).alias("key"))
    )


def _feature_key(features: pl.DataFrame, kind: str, key: pl.Expr, keep: pl.Expr) -> pl.DataFrame:
    return features.filter(keep.fill_null(False)).select(
        "account_id", pl.lit(kind).alias("kind"), key.alias("key")
    )


def lockstep_keys(events: pl.DataFrame, candidates: pl.Series, config: DetectConfig) -> pl.DataFrame:
    """Edges between candidate accounts active in the same time bins (SynchroTrap-style Jaccard).

    Returns (a, b, weight) rows for pairs whose active-bin sets overlap with Jaccard at least
    ``lockstep_jaccard`` over at least ``lockstep_min_bins`` shared bins. Bins shared by more than
    ``max_key_accounts`` candidates (busy hours everyone is active in) are ignored.
    """
    bin_s = config.lockstep_bin_minutes * 60
    active = (
        events.filter(pl.col("account_id").is_in(candidates.implode()))
        .select("account_id", (pl.col("ts").dt.epoch("s") // bin_s).alias("_bin"))
        .unique()
    )
    sizes = (
        active.group_by("account_id")
        .agg(pl.len().alias("_bins"))
        .filter(pl.col("_bins") >= config.lockstep_min_bins)
    )
    active = active.join(sizes.select("account_id"), on="account_id")
    crowded = (
        active.group_by("_bin").agg(pl.len().alias("_df")).filter(pl.col("_df") <= config.max_key_accounts)
    )
    active = active.join(crowded.select("_bin"), on="_bin")
    pairs = (
        active.join(active, on="_bin", suffix="_b")
        .filter(pl.col("account_id") < pl.col("account_id_b"))
        .group_by("account_id", "account_id_b")
        .agg(pl.len().alias("_shared"))
        .filter(pl.col("_shared") >= config.lockstep_min_bins)
        .join(sizes, on="account_id")
        .join(sizes.rename({"account_id": "account_id_b", "_bins": "_bins_b"}), on="account_id_b")
    )
    jaccard = pl.col("_shared") / (pl.col("_bins") + pl.col("_bins_b") - pl.col("_shared"))
    return pairs.filter(jaccard >= config.lockstep_jaccard).select(
        pl.col("account_id").alias("a"),
        pl.col("account_id_b").alias("b"),
        pl.lit("lockstep").alias("kind"),
        (pl.lit(KIND_WEIGHTS["lockstep"]) * jaccard).alias("weight"),
    )


def key_pairs(keys: pl.DataFrame, population: int, config: DetectConfig) -> pl.DataFrame:
    """(a, b, kind, weight) for every pair of accounts sharing a specific key."""
    df = keys.group_by("kind", "key").agg(pl.len().alias("_df"))
    usable = df.filter((pl.col("_df") >= 2) & (pl.col("_df") <= config.max_key_accounts))
    log_n = math.log(max(population, 3))
    # Specificity in [0.6, 1]: 1 for a key two accounts share, 0.6 for one held by the whole population.
    specificity = 0.6 + 0.4 * (1.0 - pl.col("_df").cast(pl.Float64).log() / log_n).clip(0.0, 1.0)
    weights = pl.DataFrame({"kind": list(KIND_WEIGHTS), "_w": list(KIND_WEIGHTS.values())})
    held = keys.join(usable, on=["kind", "key"]).join(weights, on="kind")
    return (
        held.join(held.select("kind", "key", pl.col("account_id").alias("b")), on=["kind", "key"])
        .filter(pl.col("account_id") < pl.col("b"))
        .select(pl.col("account_id").alias("a"), "b", "kind", (pl.col("_w") * specificity).alias("weight"))
        # Several keys of one kind (two shared templates, three shared prefix-days) count as that kind once,
        # at the strongest key: repetition of one kind is not independent corroboration.
        .group_by("a", "b", "kind")
        .agg(pl.col("weight").max())
    )


def link(
    events: pl.DataFrame, features: pl.DataFrame, lockstep_candidates: pl.Series, config: DetectConfig
) -> Linking:
    """Group accounts: connected components of the graph of pairs whose summed weight passes the threshold."""
    keys = account_keys(events, features, config)
    pairs = pl.concat(
        [key_pairs(keys, features.height, config), lockstep_keys(events, lockstep_candidates, config)]
    )
    edges = (
        pairs.group_by("a", "b")
        .agg(pl.col("weight").sum(), pl.col("kind").sort().str.join(",").alias("kinds"))
        .filter(pl.col("weight") >= config.link_threshold)
        .sort("a", "b")
    )
    graph = nx.Graph()
    graph.add_weighted_edges_from(edges.select("a", "b", "weight").iter_rows())
    members: list[str] = []
    groups: list[str] = []
    for component in nx.connected_components(graph):
        leader = min(component)
        for account in component:
            members.append(account)
            groups.append(leader)
    frame = pl.DataFrame(
        {"account_id": members, "group": groups}, schema={"account_id": pl.String, "group": pl.String}
    )
    return Linking(frame.sort("account_id"), edges)
