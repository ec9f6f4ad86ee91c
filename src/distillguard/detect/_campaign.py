"""Scoring groups of linked accounts as campaigns, and describing them (evidence, indicators).

A group is scored as if it were one account: its members' events are relabelled with the group id and go
through the very same ``account_features`` and signals, against the *account* population's baseline. A
hydra cluster of hundreds of quiet accounts thereby shows its aggregate (the volume, the sweep across
templates and capabilities, round-the-clock activity) that no single member shows. Coordination itself
(how many accounts, linked by what) adds its own evidence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import polars as pl

from distillguard.detect._score import Scored, score_all
from distillguard.detect.signals import Signal, SignalContext, ramp
from distillguard.detect.types import Evidence
from distillguard.features import FeatureContext, account_features
from distillguard.features._network import ip_prefixes

COORDINATION = "coordination"
# Weight of the coordination evidence in a group's total.
COORDINATION_WEIGHT = 1.0
# Indicator lists are capped so that a campaign record stays readable and shareable.
MAX_INDICATORS = 50
MAX_TEMPLATES = 10


class TemplateCatalogLike(Protocol):
    """What detection needs from the fingerprint stage's ``TemplateCatalog``."""

    def clusters(self, threshold: float = 0.7) -> dict[int, int]:
        """template_hash -> cluster id for near-duplicate templates."""
        ...

    def preview(self, template_hash: int) -> str:
        """The masked skeleton of a template (raises ``KeyError`` if unknown)."""
        ...


@dataclass(frozen=True)
class GroupScores:
    """Scores of the multi-account groups: ``frame`` has ``account_id`` = group id, ``n_accounts``..."""

    scored: Scored
    features: pl.DataFrame
    members: pl.DataFrame  # account_id, group


def campaign_id(members: Sequence[str]) -> str:
    """Stable id of a set of accounts: the same members always give the same id, in any order."""
    digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()
    return f"cmp_{digest[:16]}"


def score_groups(
    events: pl.DataFrame,
    groups: pl.DataFrame,
    edges: pl.DataFrame,
    account_table: pl.DataFrame,
    feature_context: FeatureContext,
    signals: Sequence[Signal],
    ctx: SignalContext,
) -> GroupScores | None:
    """Score every group with at least ``min_campaign_accounts`` members (None if there is none)."""
    config = ctx.config
    sizes = groups.group_by("group").agg(pl.len().alias("n_accounts"))
    big = sizes.filter(pl.col("n_accounts") >= config.min_campaign_accounts)
    if big.height == 0:
        return None
    members = groups.join(big.select("group"), on="group")
    relabelled = (
        events.join(members, on="account_id").with_columns(pl.col("group").alias("account_id")).drop("group")
    )
    group_features = account_features(relabelled, feature_context)
    member_facts = (
        account_table.join(members, on="account_id")
        .group_by("group")
        .agg(
            pl.col("payment_accounts").max(),
            pl.col("creation_burst_accounts").max(),
            pl.col("creation_burst_ratio").max(),
            pl.col("account_age_days").median().alias("_member_age"),
        )
        .rename({"group": "account_id"})
    )
    links = _coordination(members, edges).rename({"group": "account_id"})
    enriched = (
        group_features.join(member_facts, on="account_id", how="left")
        .join(links, on="account_id", how="left")
        .with_columns(
            # A group's age is its members' (median) age, not the time since its oldest member was created.
            pl.col("_member_age").alias("account_age_days"),
            pl.col("requests").cast(pl.Float64).log1p().alias("log_requests"),
            pl.col("distinct_payloads").cast(pl.Float64).log1p().alias("log_distinct_payloads"),
            pl.col("_member_age").clip(lower_bound=0.0).log1p().alias("log_age_days"),
        )
        .drop("_member_age")
        .sort("account_id")
    )
    # Coordination grows with the number of accounts (2 -> 0, about 12 -> 1) and the strength of the links.
    coordination = ramp(pl.col("n_accounts").cast(pl.Float64).log(), 0.69, 2.5) * pl.col("cohesion")
    enriched = enriched.with_columns(coordination.fill_null(0.0).alias(f"s_{COORDINATION}"))
    scored = score_all(enriched, signals, ctx, extra={f"s_{COORDINATION}": COORDINATION_WEIGHT})
    return GroupScores(scored, enriched, members)


def _coordination(members: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """Per group: member count, internal link count, link kinds and cohesion in [0, 1]."""
    in_group = edges.join(members.rename({"account_id": "a"}), on="a")
    kinds = (
        in_group.select("group", pl.col("kinds").str.split(",").alias("kind"))
        .explode("kind")
        .group_by("group", "kind")
        .agg(pl.len().alias("_n"))
        .sort("group", "_n", "kind", descending=[False, True, False])
        .group_by("group", maintain_order=True)
        .agg(pl.col("kind").alias("link_kinds"))
    )
    links = in_group.group_by("group").agg(
        pl.len().alias("links"), pl.col("weight").mean().alias("link_weight")
    )
    sizes = members.group_by("group").agg(pl.len().alias("n_accounts"))
    return (
        sizes.join(links, on="group", how="left")
        .join(kinds, on="group", how="left")
        .with_columns(
            pl.col("links").fill_null(0),
            # A tree needs n - 1 links; several independent kinds per link make the group more cohesive.
            (pl.col("link_weight").fill_null(0.0) / 2.0).clip(0.5, 1.0).alias("cohesion"),
        )
    )


def coordination_evidence(row: Mapping[str, Any]) -> Evidence:
    kinds = (
        ", ".join(str(k).replace("_", " ") for k in (row.get("link_kinds") or [])[:4]) or "shared indicators"
    )
    n = int(row["n_accounts"])
    return Evidence(
        signal=COORDINATION,
        value=float(n),
        detail=f"{n} accounts linked by {kinds} ({int(row.get('links') or 0):,} links)",
    )


def shared_template_evidence(events: pl.DataFrame, members: Sequence[str]) -> Evidence | None:
    """ "38 accounts send 4 variants of one template" for the group's most used template cluster."""
    cluster = "template_cluster" if "template_cluster" in events.columns else "template_hash"
    top = (
        events.filter(pl.col("account_id").is_in(list(members)))
        .group_by(cluster)
        .agg(
            pl.len().alias("_n"),
            pl.col("account_id").n_unique().alias("_accounts"),
            pl.col("template_hash").n_unique().alias("_variants"),
        )
        .sort("_n", cluster, descending=[True, False])
        .head(1)
    )
    if top.height == 0 or top["_accounts"][0] < 2:
        return None
    accounts, variants = int(top["_accounts"][0]), int(top["_variants"][0])
    noun = "variant" if variants == 1 else "variants"
    return Evidence(
        signal="shared_template",
        value=float(accounts),
        detail=f"{accounts} accounts send {variants} {noun} of one template ({int(top['_n'][0]):,} requests)",
    )


def indicators(
    events: pl.DataFrame, members: Sequence[str], catalog: TemplateCatalogLike | None
) -> dict[str, Any]:
    """The campaign's local indicators (keys of ``distillguard.detect.types.INDICATOR_KEYS``)."""
    mine = events.filter(pl.col("account_id").is_in(list(members)))
    out: dict[str, Any] = {"templates": _templates(mine, catalog)}
    for key, column in (("system_hashes", "system_hash"), ("tools_hashes", "tools_hash")):
        out[key] = [int(v) for v in _top_values(mine, column)]
    out["ips"] = [str(v) for v in _top_values(mine, "ip")]
    prefixes = mine.select("ip").join(ip_prefixes(mine["ip"]), on="ip", how="left", maintain_order="left")
    out["ip_prefixes"] = [str(v) for v in _top_values(prefixes, "ip_prefix")]
    out["payment_fingerprints"] = [str(v) for v in _top_values(mine, "payment_fingerprint")]
    out["user_agents"] = [str(v) for v in _top_values(mine, "user_agent")]
    models = mine.drop_nulls("model").group_by("model").agg(pl.col("ts").min()).sort("ts", "model")
    out["models"] = {str(m): _rfc3339(t) for m, t in models.iter_rows()}
    out["timing"] = _timing(mine)
    return out


def _top_values(frame: pl.DataFrame, column: str) -> list[Any]:
    counts = frame.drop_nulls(column).group_by(column).agg(pl.len().alias("_n"))
    return counts.sort("_n", column, descending=[True, False]).head(MAX_INDICATORS)[column].to_list()


def _templates(frame: pl.DataFrame, catalog: TemplateCatalogLike | None) -> list[dict[str, Any]]:
    counts = (
        frame.drop_nulls("template_hash")
        .group_by("template_hash")
        .agg(pl.len().alias("requests"))
        .sort("requests", "template_hash", descending=[True, False])
        .head(MAX_TEMPLATES)
    )
    out: list[dict[str, Any]] = []
    for template_hash, requests in counts.iter_rows():
        skeleton = ""
        if catalog is not None:
            try:
                skeleton = catalog.preview(int(template_hash))
            except KeyError:
                skeleton = ""
        out.append({"template_hash": int(template_hash), "skeleton": skeleton, "requests": int(requests)})
    return out


def _timing(frame: pl.DataFrame) -> dict[str, Any]:
    if frame.height == 0:
        return {"hour_histogram": [0.0] * 24, "median_interarrival_s": 0.0, "active_hours_per_day": 0.0}
    hours = frame.group_by(pl.col("ts").dt.hour().alias("h")).agg(pl.len().alias("n"))
    histogram = [0.0] * 24
    for hour, n in hours.iter_rows():
        histogram[int(hour)] = n / frame.height
    gaps = frame.select(pl.col("ts").sort().diff().dt.total_microseconds() / 1e6).drop_nulls()
    median_gap = float(gaps.to_series().median() or 0.0) if gaps.height else 0.0  # type: ignore[arg-type]
    epoch_h = pl.col("ts").dt.epoch("s") // 3600
    active = frame.select(epoch_h.n_unique().alias("hours"), (epoch_h // 24).n_unique().alias("days")).row(0)
    return {
        "hour_histogram": [round(v, 6) for v in histogram],
        "median_interarrival_s": round(median_gap, 3),
        "active_hours_per_day": round(active[0] / max(active[1], 1), 3),
    }


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
