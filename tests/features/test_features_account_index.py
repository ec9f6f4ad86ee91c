"""The shared account numbering (``AccountIndex``) against its plain definition, and what uses it: the same
features, word sample, lexical table and pooled curve as without it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from distillguard.detect._lexical import CHECKPOINTS, lexical_table
from distillguard.features import AccountIndex, account_features, fingerprint_frame
from distillguard.features import _words as words_module
from distillguard.features._account import WORD_SAMPLE, account_features_with_counts, account_word_counts
from distillguard.features._words import KEY_SEED, _sample_order, key_hashes, sample_words, sort_by_key_then

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def _events(seed: int, accounts: int = 80, rows: int = 8_000) -> pl.DataFrame:
    """Accounts of skewed sizes with ids whose string order differs from their order of appearance
    (mixed case, digits, non-ASCII), repeated payloads, null word lists and null words."""
    rng = np.random.default_rng(seed)
    ids = [f"{'AbZ'[i % 3]}cct_{'é' if i % 5 == 0 else ''}{(i * 7919) % 1000:03d}" for i in range(accounts)]
    weights = rng.pareto(1.0, accounts) + 0.05
    account = rng.choice(accounts, size=rows, p=weights / weights.sum())
    words = [
        None
        if rng.random() < 0.05
        else [int(w) if rng.random() > 0.05 else None for w in rng.integers(0, 300, 9)]
        for _ in range(rows)
    ]
    return fingerprint_frame(
        {
            "ts": [T0 + timedelta(seconds=int(s)) for s in rng.integers(0, 3 * 86_400, rows)],
            "account_id": [ids[a] for a in account],
            "template_hash": rng.integers(0, 30, rows),
            "payload_hash": np.where(
                rng.random(rows) < 0.2, rng.integers(0, 20, rows), rng.integers(0, 2**62, rows)
            ),
            "payload_words": words,
            "ip": [f"10.0.{a % 7}.{a}" for a in account],
            "model": ["m-1" if a % 2 else "m-2" for a in account],
            "max_tokens": rng.integers(10, 4000, rows),
        }
    )


def test_the_index_numbers_accounts_in_id_order() -> None:
    events = _events(1)
    index = AccountIndex.of(events)
    distinct = sorted(set(events["account_id"].to_list()))
    assert index.names["account_id"].to_list() == distinct
    assert index.names["_a"].to_list() == list(range(len(distinct)))
    number = {account: n for n, account in enumerate(distinct)}
    assert index.key.to_list() == [number[a] for a in events["account_id"].to_list()]
    assert index.key.dtype == pl.UInt32 and index.key.name == "_a"
    assert index.fits(events) and not index.fits(events.head(10)) and not index.fits(events, "ip")


def test_the_index_knows_a_table_listing_its_accounts_in_order() -> None:
    events = _events(2)
    index = AccountIndex.of(events)
    features = account_features(events)
    assert index.numbers_rows_of(features)
    assert not index.numbers_rows_of(features.reverse())
    assert not index.numbers_rows_of(features.head(3))


def test_null_account_ids_are_refused() -> None:
    events = _events(3).with_columns(
        pl.when(pl.int_range(pl.len()) == 5).then(None).otherwise(pl.col("account_id")).alias("account_id")
    )
    with pytest.raises(ValueError, match="null"):
        AccountIndex.of(events)


@pytest.mark.parametrize("seed", [4, 5])
def test_features_with_the_index_equal_features_without(seed: int) -> None:
    events = _events(seed)
    index = AccountIndex.of(events)
    plain, plain_counts = account_features_with_counts(events, count_keys=("system", "payment", "ip"))
    shared, shared_counts = account_features_with_counts(
        events, count_keys=("system", "payment", "ip"), index=index
    )
    assert shared.equals(plain)
    assert shared_counts.keys() == plain_counts.keys()
    for name, frame in plain_counts.items():
        assert shared_counts[name].sort("account_id", "value").equals(frame.sort("account_id", "value")), name
    # An index of other events is not used (numbers would not line up): the same features again.
    assert account_features(events, index=AccountIndex.of(events.head(100))).equals(plain)


@pytest.mark.parametrize("seed", [6, 7])
def test_the_sample_with_the_index_is_the_sample_without(seed: int) -> None:
    events = _events(seed)
    index = AccountIndex.of(events)
    hashed = sample_words(events, "account_id", WORD_SAMPLE)
    numbered = sample_words(events, "account_id", WORD_SAMPLE, index)
    assert numbered.positions["_k"].dtype == pl.UInt32

    def by_account(sample: object) -> pl.DataFrame:
        assert hasattr(sample, "positions") and hasattr(sample, "keys")
        return (
            sample.positions.join(sample.keys, on="_k")
            .drop("_k")
            .sort("account_id", "_pos")
            .select("account_id", "_pos", "payload_words")
        )

    assert by_account(numbered).equals(by_account(hashed))
    assert (
        account_word_counts(numbered)
        .sort("account_id")
        .equals(account_word_counts(hashed).sort("account_id"))
    )
    # The pool's order needs the key's hash, whatever stands for it.
    expected = numbered.keys.select("_k", pl.col("account_id").hash(KEY_SEED).alias("_h"))
    assert key_hashes(numbered).sort("_k").equals(expected.sort("_k"))
    assert key_hashes(hashed)["_k"].equals(key_hashes(hashed)["_h"], check_names=False)
    hashed_lexical, hashed_pool = lexical_table(events, None, hashed)
    numbered_lexical, numbered_pool = lexical_table(events, None, numbered)
    assert numbered_pool == hashed_pool == lexical_table(events)[1]
    assert len(hashed_pool) == len(CHECKPOINTS)
    assert numbered_lexical.sort("account_id").equals(hashed_lexical.sort("account_id"))


def _order_frame(high: np.ndarray, low: np.ndarray, key: np.ndarray, ts: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "_k": pl.Series(key, dtype=pl.UInt32),
            "payload_hash": pl.Series(high.astype(np.uint64) * np.uint64(1 << 32) + low.astype(np.uint64)),
            "ts": pl.Series(ts).cast(pl.Datetime("us", "UTC")),
        }
    ).with_row_index("_row")


@pytest.mark.parametrize("case", ["distinct high bits", "shared high bits", "shared, low bits in time order"])
def test_the_one_sort_sample_order_is_the_three_sorts_order(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(11)
    n = 4_000
    key = rng.integers(0, 30, n)
    # Repeated payloads (equal hashes, equal or different times) in every case.
    ts = np.sort(rng.integers(0, 10**9, n)) if case != "shared high bits" else rng.integers(0, 50, n)
    high = rng.integers(0, 2**32, n) if case == "distinct high bits" else rng.integers(0, 3, n)
    low = rng.integers(0, 40, n) if case != "shared, low bits in time order" else np.arange(n) // 3
    frame = _order_frame(high, low, key, ts)
    expected = sort_by_key_then(frame, "_k", "payload_hash", "ts")
    long_way: list[int] = []
    monkeypatch.setattr(
        words_module, "sort_by_key_then", lambda f, *c: long_way.append(1) or sort_by_key_then(f, *c)
    )
    assert _sample_order(frame).equals(expected)
    # The check sends out-of-order shared high bits the long way, and only those.
    assert long_way == ([1] if case == "shared high bits" else [])
    # A 64-bit key (a hash standing for the key) always goes the long way.
    assert _sample_order(frame.with_columns(pl.col("_k").cast(pl.UInt64))).equals(expected)


def test_high_effort_share_counts_every_letter_case() -> None:
    efforts = ["High", "HIGH", "xhigh", "low", None, "Maximum", "medium", "MAX", "hígh", "max "]
    rng = np.random.default_rng(12)
    accounts, picks = rng.integers(0, 6, 600), rng.integers(0, len(efforts), 600)
    rows = [(f"a{a}", efforts[e]) for a, e in zip(accounts, picks, strict=True)]
    events = (
        _events(13)
        .head(len(rows))
        .with_columns(
            pl.Series("account_id", [a for a, _ in rows]),
            pl.Series("reasoning_effort", [e for _, e in rows], dtype=pl.String),
        )
    )
    features = account_features(events)
    for account, share in features.select("account_id", "high_effort_share").iter_rows():
        mine = [e for a, e in rows if a == account]
        high = [e is not None and e.lower() in ("high", "xhigh", "max", "maximum") for e in mine]
        assert share == pytest.approx(sum(high) / len(mine), abs=1e-9), account


def test_top_shares_and_distinct_counts_follow_their_definition() -> None:
    """Each top value's share of all the account's requests (nulls count in the total, not as a value;
    ties by the smaller value), and the distinct non-null values; an account without any value has
    share 0 and 0 distinct."""
    rng = np.random.default_rng(14)
    n = 3_000
    account = [f"a{a}" for a in rng.integers(0, 12, n)]
    system = [None if a in ("a0", "a1") or rng.random() < 0.2 else int(rng.integers(0, 4)) for a in account]
    tools = [None if rng.random() < 0.5 else int(rng.integers(0, 3)) for _ in account]
    capability = [
        None if a == "a2" or rng.random() < 0.1 else ("coding", "math")[int(rng.integers(0, 2))]
        for a in account
    ]
    events = (
        _events(15)
        .head(n)
        .with_columns(
            pl.Series("account_id", account),
            pl.Series("system_hash", system, dtype=pl.UInt64),
            pl.Series("tools_hash", tools, dtype=pl.UInt64),
            pl.Series("capability", capability, dtype=pl.String),
        )
    )
    features = account_features(events)
    for row in features.iter_rows(named=True):
        mine = [i for i, a in enumerate(account) if a == row["account_id"]]
        for name, values, distinct in (
            ("system", system, "distinct_systems"),
            ("tools", tools, "distinct_tools"),
        ):
            seen = [values[i] for i in mine if values[i] is not None]
            counts = {v: seen.count(v) for v in set(seen)}
            top = min(counts, key=lambda v: (-counts[v], v)) if counts else None
            assert row[f"top_{name}"] == top, (row["account_id"], name)
            assert row[f"top_{name}_share"] == pytest.approx(counts.get(top, 0) / len(mine), abs=1e-9)
            assert row[distinct] == len(counts)
        assert row["distinct_capabilities"] == len({capability[i] for i in mine} - {None})
    assert features.filter(pl.col("account_id") == "a0")["top_system_share"].to_list() == [0.0]
    assert features.filter(pl.col("account_id") == "a2")["distinct_capabilities"].to_list() == [0]
