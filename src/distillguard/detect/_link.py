"""Linking accounts into groups: a weighted graph of shared, specific indicators.

Each account contributes *keys*: the template clusters carrying a real share of its traffic, its system
prompt and tool schema, payment fingerprints, (IP prefix, day) pairs, a rare user agent, a creation burst,
an end user (pseudonym) carrying a real share of its traffic, and lockstep co-activity with other
accounts. Two accounts sharing keys get an edge weighted by the kinds they share and by how specific each
key is (a key held by very many accounts says little about any two of them; beyond ``max_key_accounts``
it says nothing). No single weak kind reaches ``link_threshold`` alone:
a common phrasing, a shared NAT address or a popular SDK's user agent never links two customers.

Pairs come from polars self-joins per key (columnar, no Python loop over pairs); groups are the connected
components of the thresholded graph (networkx).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import polars as pl

from distillguard.detect.config import DetectConfig
from distillguard.features import AccountIndex

# Weight of one shared key of each kind, before specificity (see the module docstring).
KIND_WEIGHTS: dict[str, float] = {
    "template": 0.8,
    "system": 0.6,
    "tools": 0.6,
    "payment": 1.2,
    "network": 0.4,
    "user_agent": 0.2,
    "creation_burst": 0.6,
    "lockstep": 0.8,
    # One end user (the ``end_user`` pseudonym) carrying a real share of two accounts' traffic: the same
    # client behind two resellers or two billing accounts. Corroborating weight, like a shared system
    # prompt: a default id ("anonymous", "test") shared by a few accounts must not link them alone.
    "end_user": 0.6,
}
# Each further distinct template two accounts share (beyond the first, up to ``MAX_EXTRA_TEMPLATES``) adds
# this fraction of the strongest one's weight: one shared phrasing is a coincidence a common style explains;
# several distinct rare phrasings, each a real share of both accounts' traffic, are one author's script.
EXTRA_TEMPLATE_BONUS = 0.25
MAX_EXTRA_TEMPLATES = 2
# A template cluster, system prompt or tool schema becomes a key of an account when it carries at least this
# share of the account's requests (one stray request shares nothing meaningful).
MIN_KEY_SHARE = 0.1
# Lockstep needs co-activity at least this many times what chance predicts for the two activity levels.
LOCKSTEP_MIN_LIFT = 3.0


KINDS: tuple[str, ...] = tuple(KIND_WEIGHTS)
# Keys held by at most this many accounts link every pair of holders; larger ones link each holder to its
# next RING_NEIGHBOURS holders in a fixed pseudo-random order (bounded cost, same components).
ALL_PAIRS_MAX = 200
RING_NEIGHBOURS = 12
KIND_BONUS = 0.25
# A key held by this share of all accounts is common, not specific (see ``key_pairs``).
COMMON_KEY_SHARE = 0.3
# A lone edge into a hub (an account with this many links) must be this many times the link threshold.
PENDANT_HUB_DEGREE = 3
# Pruning repeats until nothing changes (a chain of weak pendants comes off link by link), at most this often.
MAX_PRUNE_ROUNDS = 6
PENDANT_MIN_STRENGTH = 1.5
# An account with fewer links than this share of its neighbours' (median) links is peripheral.
PERIPHERAL_RATIO = 0.25
# Only kinds whose shared key is at least this specific count as corroboration: a popular user agent or
# a default system prompt shared by a large part of the population corroborates nothing.
KIND_BONUS_MIN_SPECIFICITY = 0.25
SUSPICION_BASE, SUSPICION_GAIN = 0.8, 0.6
_KIND = {name: index for index, name in enumerate(KINDS)}
_BITS = {index: 1 << index for index in range(len(KINDS))}
# Lockstep is only computed for accounts active in at most this share of the window's time bins: two
# accounts that are always on share every bin by construction, which says nothing about coordination.
LOCKSTEP_MAX_ACTIVE_SHARE = 0.5
# ... and for at most this many candidates (the most suspicious first), to bound the pair join.
LOCKSTEP_MAX_CANDIDATES = 5000
# MinHash signature of each account's active-bin set: permutations, and LSH bands (candidate threshold
# about (1/bands) ** (bands/permutations), ~0.5 for 16 permutations in 8 bands of 2).
LOCKSTEP_PERMUTATIONS = 16
LOCKSTEP_BANDS = 8


@dataclass(frozen=True)
class Linking:
    """``groups``: account_id -> group (its smallest member id); ``edges``: kept (a, b, weight, kinds)."""

    groups: pl.DataFrame
    edges: pl.DataFrame


# The per-(account, value) request counts linking can take from ``account_features_with_counts`` instead of
# counting the events again: feature key name -> (event column, kind).
SHARED_COUNTS: dict[str, tuple[str, str]] = {
    "cluster": ("template_cluster", "template"),
    "system": ("system_hash", "system"),
    "tools": ("tools_hash", "tools"),
    "payment": ("payment_fingerprint", "payment"),
}


def account_keys(
    events: pl.DataFrame,
    features: pl.DataFrame,
    config: DetectConfig,
    counts: Mapping[str, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """(_i, kind, key) rows: the indicators each account could share with another.

    ``events`` and ``features`` carry ``_i``, a dense integer account index; ``kind`` is the index of the
    kind in ``KINDS`` and ``key`` a 64-bit hash of the indicator's value, so that the pair join runs on
    integers only. ``counts`` may hold the feature stage's (account_id, value, requests) counts of the
    keys of ``SHARED_COUNTS`` for these events (the same numbers, not counted again).
    """
    counted = {
        name: frame.join(features.select("account_id", "_i"), on="account_id").select(
            "_i", pl.col("value").alias(SHARED_COUNTS[name][0]), pl.col("requests").alias("_n")
        )
        for name, frame in (counts or {}).items()
        if name in SHARED_COUNTS
    }
    cluster = "template_cluster" if "template_cluster" in events.columns else "template_hash"
    day = (pl.col("ts").dt.epoch("s") // 86400).cast(pl.UInt64)
    network = (
        events.select("_i", pl.col("ip_prefix").hash(1).alias("_p"), day.alias("_d"))
        .drop_nulls()
        .unique()
        .select("_i", _kind("network"), (pl.col("_p") ^ (pl.col("_d") * 0x9E3779B97F4A7C15)).alias("key"))
    )
    payment_holders = (
        counted["payment"].select("_i", "payment_fingerprint")
        if "payment" in counted
        else events.select("_i", pl.col("payment_fingerprint")).drop_nulls().unique()
    )
    payment = payment_holders.select(
        "_i", _kind("payment"), pl.col("payment_fingerprint").hash(2).alias("key")
    )
    burst_us = config.creation_burst_minutes * 60 * 1_000_000
    created = pl.col("account_created").dt.epoch("us")
    in_burst = (pl.col("creation_burst_ratio") >= 3.0) & (pl.col("creation_burst_accounts") >= 3)
    single = [
        _feature_key(
            features, "user_agent", pl.col("top_user_agent").hash(3), pl.col("top_user_agent").is_not_null()
        ),
        # Two binnings offset by half a bin, so that a burst straddling a bin edge still shares a key.
        _feature_key(features, "creation_burst", (created // burst_us).hash(4), in_burst),
        _feature_key(features, "creation_burst", ((created + burst_us // 2) // burst_us).hash(5), in_burst),
    ]
    shared = [
        _share_keys(events, features, "template", cluster, counted.get("cluster")),
        _share_keys(events, features, "system", "system_hash", counted.get("system")),
        _share_keys(events, features, "tools", "tools_hash", counted.get("tools")),
    ]
    if "end_user" in events.columns:
        shared.append(_share_keys(events, features, "end_user", "end_user"))
    return pl.concat([*shared, network, payment, *single])


def _kind(name: str) -> pl.Expr:
    return pl.lit(_KIND[name], dtype=pl.UInt8).alias("kind")


def _share_keys(
    events: pl.DataFrame, features: pl.DataFrame, kind: str, column: str, counts: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Values of ``column`` that carry at least ``MIN_KEY_SHARE`` of an account's requests (``counts``:
    the (_i, column, _n) requests per account and value, if already counted)."""
    if counts is None or column not in counts.columns:
        counts = (
            events.select("_i", column).drop_nulls(column).group_by("_i", column).agg(pl.len().alias("_n"))
        )
    return (
        counts.join(features.select("_i", "requests"), on="_i")
        .filter(pl.col("_n") >= MIN_KEY_SHARE * pl.col("requests"))
        .select("_i", _kind(kind), pl.col(column).hash(6 + _KIND[kind]).alias("key"))
    )


def _feature_key(features: pl.DataFrame, kind: str, key: pl.Expr, keep: pl.Expr) -> pl.DataFrame:
    return features.filter(keep.fill_null(False)).select("_i", _kind(kind), key.alias("key"))


def lockstep_pairs(events: pl.DataFrame, candidates: pl.DataFrame, config: DetectConfig) -> pl.DataFrame:
    """(a, b, kind, weight) for candidate accounts active in the same time bins (SynchroTrap-style).

    A pair is in lockstep when its active-bin sets overlap with Jaccard at least ``lockstep_jaccard`` over
    at least ``lockstep_min_bins`` shared bins, and with at least ``LOCKSTEP_MIN_LIFT`` times the overlap
    chance predicts for the two activity levels. All-pairs comparison is quadratic, so candidate pairs come
    from MinHash signatures of the bin sets with LSH banding (columnar), and the Jaccard similarity is
    estimated from the signatures. ``candidates`` has ``_i`` and ``suspicion``.
    """
    bin_s = config.lockstep_bin_minutes * 60
    bins = (pl.col("ts").dt.epoch("s") // bin_s).alias("_bin")
    span = events.select(bins.max() - bins.min()).item()
    total_bins = int(span or 0) + 1
    chosen = candidates.sort("suspicion", "_i", descending=[True, False]).head(LOCKSTEP_MAX_CANDIDATES)
    active = events.select("_i", bins).join(chosen.select("_i"), on="_i").unique()
    sizes = (
        active.group_by("_i")
        .agg(pl.len().alias("_bins"))
        .filter(
            (pl.col("_bins") >= config.lockstep_min_bins)
            & (pl.col("_bins") <= LOCKSTEP_MAX_ACTIVE_SHARE * total_bins)
        )
    )
    empty = pl.DataFrame(
        schema={"a": pl.UInt32, "b": pl.UInt32, "kind": pl.UInt8, "weight": pl.Float64, "spec": pl.Float64}
    )
    if sizes.height < 2:
        return empty
    perms = [f"_h{j}" for j in range(LOCKSTEP_PERMUTATIONS)]
    signatures = (
        active.join(sizes.select("_i"), on="_i")
        .group_by("_i")
        .agg([pl.col("_bin").hash(100 + j).min().alias(name) for j, name in enumerate(perms)])
    )
    rows = LOCKSTEP_PERMUTATIONS // LOCKSTEP_BANDS
    banded = pl.concat(
        [
            signatures.select(
                "_i",
                pl.lit(band, dtype=pl.UInt8).alias("_band"),
                pl.concat_list(perms[band * rows : (band + 1) * rows]).hash(7).alias("_key"),
            )
            for band in range(LOCKSTEP_BANDS)
        ]
    )
    crowded = banded.group_by("_band", "_key").agg(pl.len().alias("_n"))
    banded = banded.join(crowded.filter(pl.col("_n") <= config.max_key_accounts), on=["_band", "_key"])
    candidates_ab = (
        banded.join(banded.select("_band", "_key", pl.col("_i").alias("b")), on=["_band", "_key"])
        .filter(pl.col("_i") < pl.col("b"))
        .select("_i", "b")
        .unique()
    )
    other = signatures.rename({"_i": "b", **{name: f"{name}_b" for name in perms}})
    agree = pl.sum_horizontal([(pl.col(name) == pl.col(f"{name}_b")).cast(pl.Float64) for name in perms])
    jaccard = agree / LOCKSTEP_PERMUTATIONS
    scored = (
        candidates_ab.join(signatures, on="_i")
        .join(other, on="b")
        .join(sizes, on="_i")
        .join(sizes.rename({"_i": "b", "_bins": "_bins_b"}), on="b")
        .with_columns(jaccard.alias("_j"))
    )
    shared = pl.col("_j") * (pl.col("_bins") + pl.col("_bins_b")) / (1.0 + pl.col("_j"))
    expected = pl.col("_bins").cast(pl.Float64) * pl.col("_bins_b") / total_bins
    keep = (
        (pl.col("_j") >= config.lockstep_jaccard)
        & (shared >= config.lockstep_min_bins)
        & (shared >= LOCKSTEP_MIN_LIFT * expected)
    )
    return scored.filter(keep).select(
        pl.col("_i").alias("a"),
        "b",
        _kind("lockstep"),
        (KIND_WEIGHTS["lockstep"] * pl.col("_j")).alias("weight"),
        pl.lit(1.0).alias("spec"),
    )


def key_pairs(
    keys: pl.DataFrame, population: int, config: DetectConfig, burst_members: pl.DataFrame | None = None
) -> pl.DataFrame:
    """(a, b, kind, weight) for every pair of accounts sharing a specific key, strongest key per kind.

    ``burst_members`` (``_i``, ``_member``): for an account in a creation burst, the share of its sign-up
    bin that is the burst rather than the usual sign-ups (see ``burst_membership``); 1 where not given.
    """
    df = keys.group_by("kind", "key").agg(pl.len().alias("_df"))
    usable = df.filter((pl.col("_df") >= 2) & (pl.col("_df") <= config.max_key_accounts))
    log_n = math.log(max(population, 3))
    # Specificity: 1 for a key two accounts share, falling with the number of holders on a log scale
    # (0.4 for one held by the whole population) and with their share of the population (0 from
    # COMMON_KEY_SHARE on: a default system prompt or a stock phrasing says nothing, however few accounts
    # a small scan holds).
    holders = pl.col("_df").cast(pl.Float64)
    by_count = 0.4 + 0.6 * (1.0 - holders.log() / log_n).clip(0.0, 1.0)
    by_share = 1.0 - (holders / max(population, 1) / COMMON_KEY_SHARE).clip(0.0, 1.0).sqrt()
    # A creation-burst key exists only for sign-up bins far busier than usual: its rarity is already
    # established against the population's sign-up rate, however many accounts the burst holds. But the
    # bin also holds the usual sign-ups of that hour (more of them the larger the provider): the key links
    # two accounts of one operation only as far as they are the burst, not bystanders who signed up then.
    specificity = (
        pl.when(pl.col("kind") == _KIND["creation_burst"])
        .then(pl.col("_member"))
        .otherwise(pl.min_horizontal(by_count, by_share))
    )
    members = (
        burst_members.select("_i", pl.col("_member").fill_null(1.0))
        if burst_members is not None
        else keys.select("_i").unique().with_columns(pl.lit(1.0).alias("_member"))
    )
    weights = pl.DataFrame(
        {"kind": list(range(len(KINDS))), "_w": [KIND_WEIGHTS[k] for k in KINDS]},
        schema={"kind": pl.UInt8, "_w": pl.Float64},
    )
    held = (
        keys.join(usable, on=["kind", "key"])
        .join(weights, on="kind")
        .join(members, on="_i", how="left")
        .with_columns(pl.col("_member").fill_null(1.0))
        .select(
            "_i",
            "kind",
            "key",
            "_df",
            (pl.col("_w") * specificity).alias("weight"),
            specificity.alias("spec"),
        )
    )
    small = held.filter(pl.col("_df") <= ALL_PAIRS_MAX)
    exact = small.join(small.select("kind", "key", pl.col("_i").alias("b")), on=["kind", "key"]).filter(
        pl.col("_i") < pl.col("b")
    )
    pairs = pl.concat([exact.select("_i", "b", "kind", "key", "weight", "spec"), _ring_pairs(held)])
    # Several keys of one kind (two shared templates, three shared prefix-days) count as that kind once,
    # at the strongest key: repetition of one kind is not independent corroboration. Distinct templates are
    # the exception, with a bounded bonus (``EXTRA_TEMPLATE_BONUS``): each is a separate phrasing in common.
    extra = (pl.col("_keys") - 1).clip(0, MAX_EXTRA_TEMPLATES).cast(pl.Float64)
    bonus = (
        pl.when(pl.col("kind") == _KIND["template"]).then(1.0 + EXTRA_TEMPLATE_BONUS * extra).otherwise(1.0)
    )
    return (
        pairs.group_by(pl.col("_i").alias("a"), "b", "kind")
        .agg(pl.col("weight").max(), pl.col("spec").max(), pl.col("key").n_unique().alias("_keys"))
        .with_columns(pl.col("weight") * bonus)
        .drop("_keys")
    )


def burst_membership(features: pl.DataFrame) -> pl.DataFrame:
    """(``_i``, ``_member``): the share of each account's sign-up bin beyond the usual sign-ups,
    ``1 - 1 / creation_burst_ratio`` (the chance that an account of the bin is part of the burst)."""
    if "creation_burst_ratio" not in features.columns:
        return features.select("_i", pl.lit(1.0).alias("_member"))
    ratio = pl.col("creation_burst_ratio").cast(pl.Float64)
    return features.select("_i", (1.0 - 1.0 / ratio.clip(lower_bound=1.0)).fill_null(1.0).alias("_member"))


def _ring_pairs(held: pl.DataFrame) -> pl.DataFrame:
    """Bounded pairs for keys held by many accounts: each holder links to its next ``RING_NEIGHBOURS``.

    Holders are ordered by a hash of the account, the same order for every key, so that accounts sharing
    several large keys (a hydra's tool schema, creation burst and template) meet as the same pairs in each
    and their weights add up, as they would with all pairs, at a cost linear in the holders.
    """
    big = held.filter(pl.col("_df") > ALL_PAIRS_MAX).with_columns(
        pl.col("_i").hash(11).rank("ordinal").over("kind", "key").alias("_pos")
    )
    if big.height == 0:
        return pl.DataFrame(
            schema={
                "_i": pl.UInt32,
                "b": pl.UInt32,
                "kind": pl.UInt8,
                "key": held.schema["key"],
                "weight": pl.Float64,
                "spec": pl.Float64,
            }
        )
    offsets = pl.Series("_off", list(range(1, RING_NEIGHBOURS + 1)), dtype=big.schema["_pos"])
    ahead = big.select("_i", "kind", "key", "_pos", "weight", "spec").join(pl.DataFrame(offsets), how="cross")
    ahead = ahead.with_columns((pl.col("_pos") + pl.col("_off")).alias("_pos"))
    partner = big.select("kind", "key", "_pos", pl.col("_i").alias("b"))
    return (
        ahead.join(partner, on=["kind", "key", "_pos"])
        .select(
            pl.min_horizontal("_i", "b").alias("_i"),
            pl.max_horizontal("_i", "b").alias("b"),
            "kind",
            "key",
            "weight",
            "spec",
        )
        .filter(pl.col("_i") != pl.col("b"))
    )


def _prune(edges: pl.DataFrame, config: DetectConfig) -> pl.DataFrame:
    """Pendant and peripheral pruning, repeated until stable: an account hanging on by a weak link to an
    account that itself hangs on by a weak link (a bystander chained to a group through another) comes off
    once its neighbour has."""
    for _ in range(MAX_PRUNE_ROUNDS):
        pruned = _prune_pendants(edges, config)
        if pruned.height == edges.height:
            return pruned
        edges = pruned
    return edges


def _prune_pendants(edges: pl.DataFrame, config: DetectConfig) -> pl.DataFrame:
    """Drop a barely-passing single edge that hangs one account onto a well-connected one.

    One coincidence (an account created in the same hour as a hydra's, using one of its phrasings) is
    enough for one edge; a member of a group is linked many times over. An account whose only link goes
    to an account with ``PENDANT_HUB_DEGREE`` or more links joins the group only through a strong edge.
    The same holds for an account that is linked, besides such an edge, only to one account of its own
    that hangs on it (a bystander chained on through another: both come off together).
    """
    ends = pl.concat(
        [
            edges.select(pl.col("a").alias("_n"), pl.col("b").alias("_m")),
            edges.select(pl.col("b").alias("_n"), pl.col("a").alias("_m")),
        ]
    )
    degree = ends.group_by("_n").agg(pl.len().alias("_d"))
    # Links to neighbours that are not leaves: an account with one such link hangs on by it.
    anchored = (
        ends.join(degree.rename({"_n": "_m", "_d": "_dm"}), on="_m")
        .group_by("_n")
        .agg((pl.col("_dm") > 1).sum().alias("_core"))
        .join(degree, on="_n")
        .with_columns(((pl.col("_core") <= 1) & (pl.col("_d") < PENDANT_HUB_DEGREE)).alias("_hangs"))
        .select("_n", "_d", "_hangs")
    )
    with_degree = edges.join(anchored.rename({"_n": "a", "_d": "_da", "_hangs": "_ha"}), on="a").join(
        anchored.rename({"_n": "b", "_d": "_db", "_hangs": "_hb"}), on="b"
    )
    pendant = (pl.col("_ha") & (pl.col("_db") >= PENDANT_HUB_DEGREE)) | (
        pl.col("_hb") & (pl.col("_da") >= PENDANT_HUB_DEGREE)
    )
    weak = pl.col("weight") < PENDANT_MIN_STRENGTH * config.link_threshold
    kept = with_degree.filter(~(pendant & weak)).drop("_da", "_db", "_ha", "_hb")
    return _prune_peripheral(kept, config).sort("a", "b")


def _prune_peripheral(edges: pl.DataFrame, config: DetectConfig) -> pl.DataFrame:
    """Detach accounts hanging onto a dense group by a few weak links only.

    Members of a coordinated group are linked many times over; a bystander (created during the group's
    sign-up burst, using one of its stock phrasings) has a handful of barely-passing links. An account
    whose degree is under ``PERIPHERAL_RATIO`` of its neighbours' median degree, and none of whose links
    is strong, loses its links.
    """
    ends = pl.concat(
        [
            edges.select(pl.col("a").alias("_n"), pl.col("b").alias("_m"), "weight"),
            edges.select(pl.col("b").alias("_n"), pl.col("a").alias("_m"), "weight"),
        ]
    )
    degree = ends.group_by("_n").agg(pl.len().alias("_d"), pl.col("weight").max().alias("_w"))
    neighbours = (
        ends.join(degree.select(pl.col("_n").alias("_m"), pl.col("_d").alias("_dm")), on="_m")
        .group_by("_n")
        .agg(pl.col("_dm").median().alias("_dn"))
    )
    peripheral = (
        degree.join(neighbours, on="_n")
        .filter(
            (pl.col("_d") < PERIPHERAL_RATIO * pl.col("_dn"))
            & (pl.col("_w") < PENDANT_MIN_STRENGTH * config.link_threshold)
        )
        .select("_n")
    )
    if peripheral.height == 0:
        return edges
    return edges.join(peripheral.rename({"_n": "a"}), on="a", how="anti").join(
        peripheral.rename({"_n": "b"}), on="b", how="anti"
    )


def link(
    events: pl.DataFrame,
    features: pl.DataFrame,
    suspicion: pl.DataFrame,
    lockstep_candidates: pl.Series,
    config: DetectConfig,
    counts: Mapping[str, pl.DataFrame] | None = None,
    index: AccountIndex | None = None,
) -> Linking:
    """Group accounts: connected components of the suspicion-weighted graph of shared indicators.

    An edge's weight is the sum of its kinds' weights (strongest key per kind, scaled by specificity),
    times ``1 + KIND_BONUS * (kinds - 1)`` (independent kinds corroborate each other), times
    ``SUSPICION_BASE + SUSPICION_GAIN * min(suspicion of the two ends)``: ``suspicion`` (account_id,
    suspicion in [0, 1]) makes indicators shared by two perfectly ordinary accounts count less than the
    same indicators shared by accounts that already show some evidence. Together this keeps ordinary
    customers who happen to share a common system prompt and phrasing apart. ``counts``: see
    ``account_keys``. ``index``: the events' ``AccountIndex``, if the caller has one.
    """
    ids = features.select("account_id").with_row_index("_i")
    indexed = features.join(ids, on="account_id", how="left", maintain_order="left")
    if index is not None and index.fits(events) and index.numbers_rows_of(features):
        # The feature table's row of each account is its number in the index: no join over the events.
        number = index.key.alias("_i")
    else:
        joined = events.select("account_id").join(ids, on="account_id", how="left", maintain_order="left")
        number = joined["_i"]
    with_index = events.with_columns(number)
    ends = ids.join(suspicion, on="account_id", how="left").select(
        "_i", pl.col("suspicion").fill_null(0.0).clip(0.0, 1.0)
    )
    candidates = ends.join(
        ids.filter(pl.col("account_id").is_in(lockstep_candidates.implode())).select("_i"), on="_i"
    )
    keys = account_keys(with_index, indexed, config, counts)
    pairs = pl.concat(
        [
            key_pairs(keys, features.height, config, burst_membership(indexed)),
            lockstep_pairs(with_index, candidates, config),
        ],
        how="vertical_relaxed",
    )
    scale = SUSPICION_BASE + SUSPICION_GAIN * pl.min_horizontal(pl.col("_sa"), pl.col("_sb"))
    # Independent kinds corroborate each other: each substantial kind beyond the first adds a quarter.
    corroboration = 1.0 + KIND_BONUS * (pl.col("_strong") - 1.0).clip(lower_bound=0.0)
    edges = (
        pairs.group_by("a", "b")
        .agg(
            pl.col("weight").sum(),
            (pl.col("spec") >= KIND_BONUS_MIN_SPECIFICITY).sum().cast(pl.Float64).alias("_strong"),
            pl.col("kind").replace_strict(_BITS, return_dtype=pl.UInt32).sum().alias("_mask"),
        )
        .join(ends.rename({"_i": "a", "suspicion": "_sa"}), on="a")
        .join(ends.rename({"_i": "b", "suspicion": "_sb"}), on="b")
        .with_columns((pl.col("weight") * scale * corroboration).alias("weight"))
        .filter(pl.col("weight") >= config.link_threshold)
        .join(ids.rename({"_i": "a", "account_id": "_a"}), on="a")
        .join(ids.rename({"_i": "b", "account_id": "_b"}), on="b")
        .select(pl.col("_a").alias("a"), pl.col("_b").alias("b"), "weight", "_mask")
        .sort("a", "b")
    )
    edges = _prune(edges, config)
    masks = edges["_mask"].unique().to_list()
    names = {m: ",".join(k for i, k in enumerate(KINDS) if m >> i & 1) for m in masks}
    edges = edges.with_columns(
        pl.col("_mask").replace_strict(names, return_dtype=pl.String).alias("kinds")
    ).drop("_mask")
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
