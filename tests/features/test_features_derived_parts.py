"""Features computed from shared intermediate counts equal their plain per-account definitions.

The time features (active hours and days, hours of the day, busiest hour, hour and weekday entropies, the
quiet window) all come from one table of requests per (account, hour bin); the template features and the
label spread from one table per (account, template); the gaps from a sort built of one-column sorts.
Each is checked here against a direct Python computation over the account's own events.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from distillguard.features import account_features, fingerprint_frame
from distillguard.features._account import QUIET_WINDOW_HOURS
from distillguard.features._words import sort_by_key_then

T0 = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)  # a Sunday evening: bins cross days and weeks


def _events(seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    accounts = (("burst", 300, 3), ("office", 400, 200), ("always", 500, 240), ("one", 1, 1))
    for account, n, spread_h in accounts:
        for _ in range(n):
            rows.append(
                {
                    "ts": T0 + timedelta(seconds=int(rng.integers(0, spread_h * 3600))),
                    "account_id": account,
                    "template_hash": int(rng.integers(1, 6)) if rng.random() > 0.05 else None,
                    "payload_hash": int(rng.integers(0, 2**62)),
                    "payload_words": [1, 2],
                    "p_reasoning": float(rng.random()),
                    "p_grader": float(rng.random()) if rng.random() > 0.2 else None,
                }
            )
    # Two requests at the very same time (a zero gap).
    rows.append(dict(rows[10]))
    return fingerprint_frame({c: [r[c] for r in rows] for c in rows[0]})


def _entropy(counts: list[int], categories: int) -> float:
    total = sum(counts)
    h = -sum(c / total * math.log(c / total) for c in counts)
    return h / math.log(categories)


def _plain(events: pl.DataFrame, account: str) -> dict[str, float]:
    mine = events.filter(pl.col("account_id") == account)
    times = sorted(mine["ts"].to_list())
    bins = Counter(int(t.timestamp()) // 3600 for t in times)
    hours = Counter(b % 24 for b in bins.elements())
    weekdays = Counter(t.weekday() for t in times)
    windows = [sum(hours.get((s + k) % 24, 0) for k in range(QUIET_WINDOW_HOURS)) for s in range(24)]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    templates = Counter(t for t in mine["template_hash"].to_list() if t is not None)
    out = {
        "active_hours": len(bins),
        "active_days": len({b // 24 for b in bins}),
        "hours_of_day": len(hours),
        "max_hour_share": max(bins.values()) / len(times),
        "hour_entropy": _entropy(list(hours.values()), 24),
        "dow_entropy": _entropy(list(weekdays.values()), 7),
        "quiet_window_share": min(windows) / len(times),
        "distinct_templates": len(templates),
        "top_template_share": max(templates.values()) / len(times),
        "top_template": min(t for t, n in templates.items() if n == max(templates.values())),
    }
    if gaps:
        out["interarrival_median_s"] = statistics.median(gaps)
    return out


def _template_cv(events: pl.DataFrame, account: str, label: str) -> float | None:
    mine = events.filter(pl.col("account_id") == account)
    per_template: dict[object, list[float]] = {}
    for template, p in zip(mine["template_hash"].to_list(), mine[f"p_{label}"].to_list(), strict=True):
        per_template.setdefault(template, [])
        if p is not None:
            per_template[template].append(p)
    means = [sum(ps) / len(ps) for ps in per_template.values() if ps]
    if len(means) < 2 or sum(means) <= 0:
        return None
    return statistics.stdev(means) / statistics.fmean(means)


@pytest.mark.parametrize("seed", [1, 2])
def test_features_from_shared_counts_equal_their_plain_definition(seed: int) -> None:
    events = _events(seed)
    features = account_features(events)
    rows = {row["account_id"]: row for row in features.iter_rows(named=True)}
    for account in rows:
        for name, expected in _plain(events, account).items():
            assert rows[account][name] == pytest.approx(expected, abs=1e-9), (account, name)
        for label in ("reasoning", "grader"):
            expected_cv = _template_cv(events, account, label)
            got = rows[account][f"p_{label}_template_cv"]
            if expected_cv is None:
                assert got is None or got == pytest.approx(0.0, abs=1e-9), (account, label)
            else:
                assert got == pytest.approx(expected_cv, abs=1e-8), (account, label)
    assert rows["one"]["interarrival_median_s"] is None


def test_features_do_not_depend_on_row_order() -> None:
    events = _events(3)
    shuffled = events.sample(fraction=1.0, shuffle=True, seed=5)
    assert account_features(shuffled).equals(account_features(events))


def test_stable_one_column_sorts_give_the_multi_column_order() -> None:
    rng = np.random.default_rng(9)
    frame = pl.DataFrame(
        {
            "k": rng.integers(0, 20, 5_000, dtype=np.uint64),
            "h": rng.integers(0, 30, 5_000, dtype=np.uint64),
            "t": rng.integers(0, 50, 5_000),
        }
    )
    assert sort_by_key_then(frame, "k", "h", "t").equals(frame.sort("k", "h", "t"))
    assert sort_by_key_then(frame, "k", "t").select("k", "t").equals(frame.sort("k", "t").select("k", "t"))
