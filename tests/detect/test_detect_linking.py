"""Linking: lockstep co-activity beyond chance, bounded pairs for large keys, common keys do not link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
from detect_fixtures import population

from distillguard.detect import DetectConfig, detect
from distillguard.detect._link import KINDS, key_pairs, lockstep_pairs

T0 = datetime(2026, 5, 4, tzinfo=UTC)


def _activity(rng: np.random.Generator, slots: list[int], account: int, per_slot: int = 2) -> pl.DataFrame:
    minutes = np.repeat(np.asarray(slots) * 10, per_slot) + rng.uniform(0, 9, len(slots) * per_slot)
    return pl.DataFrame(
        {
            "_i": pl.Series([account] * len(minutes), dtype=pl.UInt32),
            "ts": [T0 + timedelta(minutes=float(m)) for m in minutes],
        }
    ).with_columns(pl.col("ts").cast(pl.Datetime("us", "UTC")))


def test_lockstep_links_synchronised_sparse_accounts_only() -> None:
    rng = np.random.default_rng(1)
    total = 3 * 24 * 6  # ten-minute bins in three days
    shared = sorted(rng.choice(total, 30, replace=False).tolist())
    frames = [_activity(rng, shared, 0), _activity(rng, shared, 1)]
    # Two accounts active around the clock share every bin by construction: not lockstep.
    frames += [_activity(rng, list(range(total)), 2, 1), _activity(rng, list(range(total)), 3, 1)]
    # Unsynchronised sparse accounts.
    frames += [_activity(rng, sorted(rng.choice(total, 30, replace=False).tolist()), i) for i in range(4, 30)]
    events = pl.concat(frames)
    candidates = pl.DataFrame({"_i": pl.Series(range(30), dtype=pl.UInt32), "suspicion": [0.5] * 30})
    pairs = lockstep_pairs(events, candidates, DetectConfig())
    assert [(a, b) for a, b in pairs.select("a", "b").iter_rows()] == [(0, 1)]
    assert pairs["kind"].to_list() == [KINDS.index("lockstep")]


def test_large_keys_link_through_bounded_ring_pairs() -> None:
    holders = 1000
    keys = pl.DataFrame(
        {
            "_i": pl.Series(list(range(holders)) * 2, dtype=pl.UInt32),
            "kind": pl.Series(
                [KINDS.index("tools")] * holders + [KINDS.index("template")] * holders, dtype=pl.UInt8
            ),
            "key": pl.Series([7] * holders + [9] * holders, dtype=pl.UInt64),
        }
    )
    pairs = key_pairs(keys, 20_000, DetectConfig())
    # Linear, not quadratic, in the holders, and the two kinds meet on the same pairs.
    assert pairs.height < 2 * holders * 15
    per_pair = pairs.group_by("a", "b").agg(pl.len().alias("kinds"))
    assert (per_pair["kinds"] == 2).mean() > 0.95  # type: ignore[operator]


def test_hydra_larger_than_the_all_pairs_limit_is_one_campaign() -> None:
    events = population(seed=4, hydra_accounts=320, with_harvester=False)
    result = detect(events, None, DetectConfig())
    hydra = {a.account_id for a in result.accounts if a.account_id.startswith("hy_")}
    flagged = {a.account_id for a in result.accounts if a.flagged}
    assert hydra <= flagged
    assert flagged - hydra == set()
    assert any(set(c.accounts) == hydra for c in result.campaigns)
