"""account_features: correct per-account aggregates, pure and partitionable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from distillguard.features import (
    ACCOUNT_FEATURE_COLUMNS,
    FeatureContext,
    account_features,
    empty_account_features,
    fingerprint_frame,
)

T0 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    columns = sorted({key for row in rows for key in row})
    return fingerprint_frame({c: [row.get(c) for row in rows] for c in columns})


def _row(account: str, minutes: float, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "ts": T0 + timedelta(minutes=minutes),
        "account_id": account,
        "template_hash": 1,
        "payload_hash": int(minutes * 1000) + 1,
        "payload_words": [1, 2, 3],
        "n_user_messages": 1,
        "n_assistant_messages": 0,
        "model": "m1",
        "ip": "203.0.113.9",
    }
    base.update(extra)
    return base


def test_empty_table_gives_empty_features_with_schema() -> None:
    out = account_features(fingerprint_frame({}))
    assert out.height == 0
    assert tuple(out.columns) == ACCOUNT_FEATURE_COLUMNS
    assert empty_account_features().schema == out.schema


def test_one_row_per_account_sorted_with_all_columns() -> None:
    rows = [_row("b", m) for m in range(5)] + [_row("a", m) for m in range(3)]
    out = account_features(_frame(rows))
    assert out["account_id"].to_list() == ["a", "b"]
    assert out["requests"].to_list() == [3, 5]
    assert tuple(out.columns) == ACCOUNT_FEATURE_COLUMNS


def test_shares_and_concentration() -> None:
    rows = [
        _row("x", 0, template_hash=7, p_reasoning=0.9, logprobs=True, completion_tokens=1),
        _row("x", 1, template_hash=7, p_reasoning=0.8, n_user_messages=3, n_assistant_messages=2),
        _row("x", 2, template_hash=7, p_reasoning=0.1, system_hash=5, n_tool_messages=2),
        _row("x", 3, template_hash=8, p_reasoning=None, tools_hash=9, n_tools=2),
    ]
    out = account_features(_frame(rows)).row(0, named=True)
    assert out["top_template"] == 7
    assert out["top_template_share"] == pytest.approx(0.75)
    assert out["distinct_templates"] == 2
    assert out["reasoning_share"] == pytest.approx(2 / 3)  # null probabilities are ignored
    assert out["single_turn_share"] == pytest.approx(0.75)
    assert out["logprob_tiny_share"] == pytest.approx(0.25)
    assert out["system_share"] == pytest.approx(0.25)
    assert out["tools_share"] == pytest.approx(0.25)
    assert out["tool_loop_share"] == pytest.approx(0.25)


def test_near_cap_is_relative_to_the_models_cap() -> None:
    rows = [_row("big", 0, max_tokens=30000), _row("big", 1, max_tokens=32000)]
    rows += [_row("small", 2, max_tokens=512), _row("small", 3, max_tokens=32000, model="m2")]
    out = account_features(_frame(rows))
    shares = dict(zip(out["account_id"], out["near_cap_share"], strict=True))
    assert shares["big"] == pytest.approx(1.0)
    assert shares["small"] == pytest.approx(0.5)  # 512 of 32000 is not near the cap; m2's own cap is 32000


def test_quiet_window_separates_round_the_clock_from_office_hours() -> None:
    machine = [_row("bot", m) for m in range(0, 3 * 24 * 60, 30)]
    office = [_row("office", d * 1440 + h * 60) for d in range(3) for h in range(9, 18)]
    out = account_features(_frame(machine + office))
    quiet = dict(zip(out["account_id"], out["quiet_window_share"], strict=True))
    assert quiet["bot"] == pytest.approx(0.25)
    assert quiet["office"] == 0.0
    entropy = dict(zip(out["account_id"], out["hour_entropy"], strict=True))
    assert entropy["bot"] == pytest.approx(1.0)
    assert entropy["office"] < 0.75


def test_interarrival_regularity() -> None:
    metronome = [_row("clock", m * 10) for m in range(50)]
    rng = np.random.default_rng(1)
    poisson = [_row("random", float(t)) for t in np.cumsum(rng.exponential(10, 50))]
    out = account_features(_frame(metronome + poisson))
    cv = dict(zip(out["account_id"], out["interarrival_cv"], strict=True))
    assert cv["clock"] == pytest.approx(0.0, abs=1e-9)
    assert 0.6 < cv["random"] < 1.5


def test_new_model_pivot_share_and_lag() -> None:
    early = [_row("old", m) for m in range(0, 600, 60)]
    # "m-new" first appears 20 h into the window.
    pivot = [_row("pivoter", 20 * 60 + m, model="m-new") for m in range(0, 120, 10)]
    pivot += [_row("pivoter", 20 * 60 + 200, model="m1")]
    stay = [_row("loyal", 21 * 60 + m) for m in range(0, 120, 10)]
    out = account_features(_frame(early + pivot + stay))
    share = dict(zip(out["account_id"], out["new_model_share"], strict=True))
    assert share["pivoter"] == pytest.approx(12 / 13)
    assert share["loyal"] == 0.0
    assert share["old"] is None  # no request after the release
    lag = dict(zip(out["account_id"], out["new_model_lag_hours"], strict=True))
    assert lag["pivoter"] == pytest.approx(0.0)


def test_ip_prefixes_for_ipv4_and_ipv6() -> None:
    rows = [
        _row("a", 0, ip="198.51.100.7"),
        _row("a", 1, ip="198.51.100.200"),
        _row("a", 2, ip="2001:db8:abcd:12::1"),
        _row("a", 3, ip="2001:db8:abcd:ffff::2"),
        _row("a", 4, ip="not-an-ip"),
        _row("a", 5, ip=None),
    ]
    out = account_features(_frame(rows)).row(0, named=True)
    assert out["distinct_ips"] == 5
    assert out["distinct_prefixes"] == 2
    assert out["top_prefix"] in {"198.51.100.0/24", "2001:db8:abcd::/48"}


def test_account_age_and_payment() -> None:
    rows = [_row("a", 60, account_created=T0 - timedelta(days=2), payment_fingerprint="pm1")]
    out = account_features(_frame(rows)).row(0, named=True)
    assert out["account_age_days"] == pytest.approx(2 + 1 / 24)
    assert out["payment_fingerprint"] == "pm1"


def test_partitioned_computation_equals_whole() -> None:
    rng = np.random.default_rng(4)
    rows = [
        _row(
            f"acct{int(a)}",
            float(m),
            template_hash=int(rng.integers(1, 4)),
            model=str(rng.choice(["m1", "m2"])),
            max_tokens=int(rng.integers(1, 5000)),
        )
        for a, m in zip(rng.integers(0, 12, 400), rng.uniform(0, 4000, 400), strict=True)
    ]
    events = _frame(rows)
    whole = account_features(events)
    context = FeatureContext.from_events(events)
    left = events.filter(pl.col("account_id") < "acct5")
    right = events.filter(pl.col("account_id") >= "acct5")
    merged = FeatureContext.from_events(left).merge(FeatureContext.from_events(right))
    assert merged.model_caps == context.model_caps
    assert merged.model_release == context.model_release
    parts = pl.concat([account_features(left, merged), account_features(right, merged)]).sort("account_id")
    assert parts.equals(whole)


def test_ip_prefixes_match_ipaddress_canonical_form() -> None:
    import ipaddress

    from distillguard.features._network import ip_prefixes

    ips = [
        "2001:db8:abcd:12::1",
        "2001:0DB8:ABCD:ffff::2",
        "2001:db8::1",
        "::1",
        "fe80:0:0:1::",
        "2001:db8:0:1:2:3:4:5",
        "2001:0:abcd::1",
        "::ffff:192.0.2.1",
        "192.0.2.77",
        "not an ip",
    ]
    got = dict(ip_prefixes(pl.Series(ips)).iter_rows())
    for ip in ips:
        try:
            expected: str | None = ipaddress.ip_network(
                f"{ip}/{48 if ':' in ip else 24}", strict=False
            ).compressed
        except ValueError:
            expected = None
        assert got[ip] == expected, ip


def test_novelty_is_judged_per_prompt_not_per_tool_loop_turn() -> None:
    # An agent: ten new tasks, each followed by four requests handing back tool results (the same last user
    # message every turn). A benchmark rerun: the same ten prompts asked five times as fresh conversations.
    agent = [
        _row("agent", 10 * task + turn, payload_hash=100 + task, n_tool_messages=turn)
        for task in range(10)
        for turn in range(5)
    ]
    rerun = [_row("rerun", 10 * rep + i, payload_hash=200 + i) for rep in range(5) for i in range(10)]
    out = {r["account_id"]: r for r in account_features(_frame(agent + rerun)).iter_rows(named=True)}
    assert out["agent"]["payload_unique_share"] == pytest.approx(1.0)
    assert out["rerun"]["payload_unique_share"] == pytest.approx(0.2)


def test_novelty_of_a_loop_only_account_is_bounded_by_one() -> None:
    # Every request carries tool results (a log that starts mid-loop): distinct prompts over themselves.
    rows = [_row("mid", m, payload_hash=1 + m % 3, n_tool_messages=2) for m in range(9)]
    out = account_features(_frame(rows)).row(0, named=True)
    assert out["payload_unique_share"] == pytest.approx(1.0)
