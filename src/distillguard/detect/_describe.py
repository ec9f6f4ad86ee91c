"""Campaign descriptions (indicators, capabilities, shared template) for every campaign at once.

``indicators``, ``shared_template_evidence`` (``distillguard.detect._campaign``) and ``_capabilities``
(``_engine``) describe one campaign from its events: a dozen small group-bys each, run campaign after
campaign. Here the same numbers come from one group-by per indicator over the events of all campaigns,
each event labelled with its campaign (``_part``): the same values, ties broken the same way (tested
against the per-campaign functions, which stay as the plain definition).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import polars as pl

from distillguard.detect._campaign import (
    MAX_INDICATORS,
    MAX_TEMPLATES,
    TemplateCatalogLike,
    _rfc3339,
    shared_template_detail,
)
from distillguard.detect.types import Evidence
from distillguard.features._network import prefix_column
from distillguard.features._words import sort_by_key_then

PART = "_part"
# (indicator key, column, value type) of the "most used values" indicators.
_TOP_VALUES: tuple[tuple[str, str, type], ...] = (
    ("system_hashes", "system_hash", int),
    ("tools_hashes", "tools_hash", int),
    ("ips", "ip", str),
    ("ip_prefixes", "ip_prefix", str),
    ("payment_fingerprints", "payment_fingerprint", str),
    ("user_agents", "user_agent", str),
)


def _top(frame: pl.DataFrame, column: str, limit: int) -> pl.LazyFrame:
    """Per part: its most frequent non-null values of ``column`` with their counts, most frequent first
    (ties: smaller value first), at most ``limit``: (``_part``, value, ``_n``) rows in that order."""
    return (
        frame.lazy()
        .select(PART, column)
        .drop_nulls(column)
        .group_by(PART, column)
        .agg(pl.len().alias("_n"))
        .sort([PART, "_n", column], descending=[False, True, False])
        .group_by(PART, maintain_order=True)
        .head(limit)
    )


def _by_part(ranked: pl.DataFrame) -> dict[Any, list[tuple[Any, int]]]:
    """``_top``'s rows as lists of (value, count) per part."""
    out: dict[Any, list[tuple[Any, int]]] = defaultdict(list)
    for part, value, n in ranked.iter_rows():
        out[part].append((value, int(n)))
    return out


def indicators_by_part(
    events: pl.DataFrame, parts: Iterable[Any], catalog: TemplateCatalogLike | None
) -> dict[Any, dict[str, Any]]:
    """``indicators`` of each part's events (``events`` with a ``_part`` column: any key, an integer code
    is cheapest), for every part in ``parts`` (a part without events gets the indicators of no events)."""
    if "ip_prefix" not in events.columns:
        events = events.with_columns(prefix_column(events).alias("ip_prefix"))
    models = (
        events.lazy()
        .select(PART, "model", "ts")
        .drop_nulls("model")
        .group_by(PART, "model")
        .agg(pl.col("ts").min())
        .sort([PART, "ts", "model"])
    )
    # The small group-bys in one call: polars runs them side by side, and pays its per-query cost once.
    queries = [_top(events, "template_hash", MAX_TEMPLATES), models]
    queries += [_top(events, column, MAX_INDICATORS) for _, column, _ in _TOP_VALUES]
    ranked = pl.collect_all(queries)
    templates, models_frame = _by_part(ranked[0]), ranked[1]
    tops = {
        key: (_by_part(frame), kind) for (key, _, kind), frame in zip(_TOP_VALUES, ranked[2:], strict=True)
    }
    first_use: dict[Any, dict[str, str]] = defaultdict(dict)
    for part, model, ts in models_frame.iter_rows():
        first_use[part][str(model)] = _rfc3339(ts)
    timing = _timing_by_part(events)
    out: dict[Any, dict[str, Any]] = {}
    for part in parts:
        described: dict[str, Any] = {
            "templates": [
                {"template_hash": int(t), "skeleton": _preview(catalog, int(t)), "requests": n}
                for t, n in templates.get(part, [])
            ]
        }
        for key, (top, kind) in tops.items():
            described[key] = [kind(v) for v, _ in top.get(part, [])]
        described["models"] = first_use.get(part, {})
        described["timing"] = timing[part] if part in timing else _timing_of_nothing()
        out[part] = {key: described[key] for key in _ORDER}
    return out


# The key order of ``indicators``' dict (kept, so that the two are equal as written JSON too).
_ORDER = (
    "templates", "system_hashes", "tools_hashes", "ips", "ip_prefixes", "payment_fingerprints",
    "user_agents", "models", "timing",
)  # fmt: skip


def _timing_of_nothing() -> dict[str, Any]:
    return {"hour_histogram": [0.0] * 24, "median_interarrival_s": 0.0, "active_hours_per_day": 0.0}


def _preview(catalog: TemplateCatalogLike | None, template_hash: int) -> str:
    if catalog is None:
        return ""
    try:
        return catalog.preview(template_hash)
    except KeyError:
        return ""


def _timing_by_part(events: pl.DataFrame) -> dict[Any, dict[str, Any]]:
    """``_timing`` of each part: share of requests per hour of the day, the median gap between
    consecutive requests (the part's requests in time order), active hours per active day."""
    sizes = dict(events.group_by(PART).agg(pl.len()).iter_rows())
    hours = events.group_by(PART, pl.col("ts").dt.hour().alias("_h")).agg(pl.len().alias("_n"))
    histograms: dict[Any, list[float]] = {p: [0.0] * 24 for p in sizes}
    for part, hour, n in hours.iter_rows():
        histograms[part][int(hour)] = n / sizes[part]
    # In (part, time) order a plain diff is the part's gap, except on each part's first request.
    first = pl.col(PART).ne_missing(pl.col(PART).shift())
    gap = pl.when(first).then(None).otherwise(pl.col("ts").diff().dt.total_microseconds() / 1e6)
    gaps = (
        sort_by_key_then(events.select(PART, "ts"), PART, "ts")
        .select(PART, gap.alias("_gap"))
        .drop_nulls("_gap")
        .group_by(PART)
        .agg(pl.col("_gap").median())
    )
    medians = {p: float(g or 0.0) for p, g in gaps.iter_rows()}
    epoch_h = pl.col("ts").dt.epoch("s") // 3600
    active = events.group_by(PART).agg(epoch_h.n_unique().alias("_h"), (epoch_h // 24).n_unique().alias("_d"))
    per_day = {p: round(h / max(d, 1), 3) for p, h, d in active.iter_rows()}
    return {
        part: {
            "hour_histogram": [round(v, 6) for v in histogram],
            "median_interarrival_s": round(medians.get(part, 0.0), 3),
            "active_hours_per_day": per_day[part],
        }
        for part, histogram in histograms.items()
    }


def capabilities_by_part(events: pl.DataFrame, share: float) -> dict[Any, tuple[str, ...]]:
    """Per part: the capabilities carrying at least ``share`` of its requests with a capability, the
    largest share first (ties: by name)."""
    known = events.select(PART, "capability").drop_nulls("capability")
    counts = known.group_by(PART, "capability").agg(pl.len().alias("_n"))
    totals = known.group_by(PART).agg(pl.len().alias("_total"))
    kept = (
        counts.join(totals, on=PART)
        .with_columns((pl.col("_n") / pl.col("_total")).alias("share"))
        .filter(pl.col("share") >= share)
        .sort([PART, "share", "capability"], descending=[False, True, False])
    )
    out: dict[Any, list[str]] = defaultdict(list)
    for part, capability in kept.select(PART, "capability").iter_rows():
        out[part].append(str(capability))
    return {part: tuple(names) for part, names in out.items()}


def shared_template_by_part(events: pl.DataFrame) -> dict[Any, Evidence]:
    """``shared_template_evidence`` of each part: its most used template cluster, when at least two of its
    accounts send it."""
    cluster = "template_cluster" if "template_cluster" in events.columns else "template_hash"
    top = (
        events.group_by(PART, cluster)
        .agg(
            pl.len().alias("_n"),
            pl.col("account_id").n_unique().alias("_accounts"),
            pl.col("template_hash").n_unique().alias("_variants"),
        )
        .sort([PART, "_n", cluster], descending=[False, True, False])
        .group_by(PART, maintain_order=True)
        .head(1)
        .filter(pl.col("_accounts") >= 2)
    )
    return {
        part: shared_template_detail(int(accounts), int(variants), int(n))
        for part, n, accounts, variants in top.select(PART, "_n", "_accounts", "_variants").iter_rows()
    }
