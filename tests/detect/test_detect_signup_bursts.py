"""Creation bursts are judged against the ordinary sign-up rate, which grows with the provider, and the
usual sign-ups of a burst hour (its bystanders) are not linked to the burst by it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from distillguard.detect import DetectConfig
from distillguard.detect._link import KIND_WEIGHTS, KINDS, burst_membership, key_pairs
from distillguard.detect._population import enrich

WINDOW_START = datetime(2026, 7, 6, 6, tzinfo=UTC)
WINDOW_HOURS = 48


def _accounts(created: list[datetime]) -> pl.DataFrame:
    """A feature table with what ``enrich`` reads: every account active over the whole window."""
    n = len(created)
    return pl.DataFrame(
        {
            "account_id": [f"acct{i:05d}" for i in range(n)],
            "requests": [40] * n,
            "distinct_payloads": [30] * n,
            "account_age_days": [1.0] * n,
            "account_created": pl.Series(created, dtype=pl.Datetime("us", "UTC")),
            "payment_fingerprint": [f"pm{i}" for i in range(n)],
            "first_seen": pl.Series([WINDOW_START] * n, dtype=pl.Datetime("us", "UTC")),
            "last_seen": pl.Series(
                [WINDOW_START + timedelta(hours=WINDOW_HOURS)] * n, dtype=pl.Datetime("us", "UTC")
            ),
        }
    )


def _population(per_hour: int, burst: int, seed: int = 3) -> tuple[list[datetime], list[datetime]]:
    """(ordinary accounts, burst accounts): old accounts one per day over two years, ``per_hour`` ordinary
    sign-ups in every hour of the window, and ``burst`` accounts created within ten minutes at hour 20."""
    rng = np.random.default_rng(seed)
    old = [WINDOW_START - timedelta(days=int(d), hours=3) for d in range(2, 730)]
    fresh = [
        WINDOW_START + timedelta(hours=h, minutes=float(rng.uniform(0, 59)))
        for h in range(WINDOW_HOURS)
        for _ in range(per_hour)
    ]
    burst_at = WINDOW_START + timedelta(hours=20, minutes=5)
    bursts = [burst_at + timedelta(seconds=float(s)) for s in rng.uniform(0, 600, burst)]
    return old + fresh, bursts


def _ratios(ordinary: list[datetime], bursts: list[datetime]) -> tuple[pl.Series, pl.Series]:
    table = enrich(_accounts(ordinary + bursts), DetectConfig())
    ids = {f"acct{i:05d}" for i in range(len(ordinary), len(ordinary) + len(bursts))}
    in_burst = table.filter(pl.col("account_id").is_in(list(ids)))["creation_burst_ratio"]
    others = table.filter(~pl.col("account_id").is_in(list(ids)))["creation_burst_ratio"]
    return in_burst, others


def test_ordinary_hours_of_a_large_provider_are_not_bursts() -> None:
    # Six sign-ups in every hour is this provider's normal: no ordinary hour is a burst (ratio >= 3).
    ordinary, bursts = _population(per_hour=6, burst=0)
    _, others = _ratios(ordinary, bursts)
    assert others.max() < 3.0


def test_a_burst_still_stands_out_at_a_large_provider() -> None:
    # Fifty accounts on top of the six of an ordinary hour: a burst of about nine times the usual. (The
    # ordinary sign-ups around it share one of its bins; linking keeps such bystanders apart.)
    ordinary, bursts = _population(per_hour=6, burst=50)
    in_burst, others = _ratios(ordinary, bursts)
    assert in_burst.min() >= 8.0
    near = [t for t in ordinary if abs((t - bursts[0]).total_seconds()) < 3600]
    assert (others >= 3.0).sum() <= len(near)
    assert (others >= 3.0).sum() >= 6


def test_small_provider_judges_against_one_signup_per_bin() -> None:
    # A provider with a sign-up every few hours: five accounts in one hour are already a burst.
    ordinary = [WINDOW_START - timedelta(days=int(d)) for d in range(1, 400)]
    ordinary += [WINDOW_START + timedelta(hours=h) for h in range(0, WINDOW_HOURS, 4)]
    bursts = [WINDOW_START + timedelta(hours=30, minutes=m) for m in (1, 4, 9, 15, 22)]
    in_burst, others = _ratios(ordinary, bursts)
    assert in_burst.min() == 5.0
    assert others.max() <= 1.0


def test_a_burst_before_the_window_is_judged_against_the_thinned_history() -> None:
    # Five accounts created within minutes three weeks before the scan and still active: among accounts
    # that old only a few are still seen, one per bin, so five is a burst, however busy the window is.
    ordinary, _ = _population(per_hour=6, burst=0)
    early = WINDOW_START - timedelta(days=21, hours=5)
    bursts = [early + timedelta(minutes=m) for m in (1, 2, 4, 5, 8)]
    in_burst, _ = _ratios(ordinary, bursts)
    assert in_burst.min() == 5.0


def test_burst_key_links_in_proportion_to_the_bin_being_the_burst() -> None:
    # Four accounts in one burst bin, ratio 10 (nine in ten of the bin's sign-ups are the burst) against
    # the same bin at ratio 3 (a third of it is the usual sign-ups of that hour): the key weighs less.
    keys = pl.DataFrame(
        {
            "_i": pl.Series([0, 1, 2, 3], dtype=pl.UInt32),
            "kind": pl.Series([KINDS.index("creation_burst")] * 4, dtype=pl.UInt8),
            "key": pl.Series([5] * 4, dtype=pl.UInt64),
        }
    )
    features = pl.DataFrame(
        {"_i": pl.Series([0, 1, 2, 3], dtype=pl.UInt32), "creation_burst_ratio": [10.0, 10.0, 3.0, 3.0]}
    )
    membership = burst_membership(features)
    assert membership["_member"].to_list() == pytest.approx([0.9, 0.9, 2 / 3, 2 / 3])
    pairs = key_pairs(keys, 5000, DetectConfig(), membership)
    weight = {(a, b): w for a, b, w in pairs.select("a", "b", "weight").iter_rows()}
    assert weight[(0, 1)] == pytest.approx(KIND_WEIGHTS["creation_burst"] * 0.9)
    assert weight[(2, 3)] == pytest.approx(KIND_WEIGHTS["creation_burst"] * 2 / 3)
    # Without membership (a caller that has none) the key counts in full, as before.
    full = key_pairs(keys, 5000, DetectConfig())
    assert full["weight"].min() == pytest.approx(KIND_WEIGHTS["creation_burst"])


def test_bystander_of_a_large_providers_burst_is_not_linked_by_a_common_phrasing() -> None:
    # A provider with six ordinary sign-ups an hour; fifty burst accounts plus the six of that hour share
    # the burst key. A bystander that also sends a common phrasing the burst's cover traffic sends (held
    # by 6% of all accounts) is not linked to the burst accounts by those two coincidences.
    ordinary, bursts = _population(per_hour=6, burst=50)
    table = enrich(_accounts(ordinary + bursts), DetectConfig()).with_row_index("_i")
    n = table.height
    burst_ids = set(range(n - len(bursts), n))
    in_bin = table.filter(pl.col("creation_burst_ratio") >= 3.0)["_i"].to_list()
    bystander = next(i for i in in_bin if i not in burst_ids)
    common = list(range(0, int(0.06 * n)))
    holders = sorted({*common, bystander, *list(burst_ids)[:5]})
    keys = pl.concat(
        [
            pl.DataFrame({"_i": in_bin, "kind": KINDS.index("creation_burst"), "key": 11}),
            pl.DataFrame({"_i": holders, "kind": KINDS.index("template"), "key": 12}),
        ]
    ).cast({"_i": pl.UInt32, "kind": pl.UInt8, "key": pl.UInt64})
    pairs = key_pairs(keys, n, DetectConfig(), burst_membership(table.cast({"_i": pl.UInt32})))
    summed = pairs.group_by("a", "b").agg(pl.col("weight").sum(), pl.len().alias("kinds"))
    # The most a pair gets before the corroboration bonus (1.25 for two kinds) and suspicion (0.8 for
    # ordinary accounts): under the link threshold.
    touching = summed.filter((pl.col("a") == bystander) | (pl.col("b") == bystander))
    assert (touching["weight"] * 1.25 * 0.8).max() < DetectConfig().link_threshold  # type: ignore[operator]


def test_a_burst_straddling_a_bin_edge_is_one_burst() -> None:
    # Twelve accounts created within ten minutes across the top of an hour: six in each hourly bin, but
    # one burst of twelve in the binning offset by half an hour.
    ordinary = [WINDOW_START - timedelta(days=int(d), hours=7) for d in range(2, 400)]
    edge = WINDOW_START + timedelta(hours=30)
    bursts = [edge + timedelta(minutes=m) for m in (-5, -4, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5)]
    table = enrich(_accounts(ordinary + bursts), DetectConfig())
    ids = [f"acct{i:05d}" for i in range(len(ordinary), len(ordinary) + len(bursts))]
    burst_rows = table.filter(pl.col("account_id").is_in(ids))
    assert burst_rows["creation_burst_accounts"].to_list() == [12] * 12
    assert burst_rows["creation_burst_ratio"].min() == 12.0
