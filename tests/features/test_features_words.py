"""The shared word sample: vocabulary features drawn from it equal their plain definition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from distillguard.detect._lexical import CHECKPOINTS, lexical_table
from distillguard.features import account_features, fingerprint_frame
from distillguard.features._account import BREADTH_SAMPLE_WORDS, WORD_SAMPLE, account_word_counts
from distillguard.features._words import sample_words

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def _events(seed: int) -> pl.DataFrame:
    """Accounts of every size, with null word lists, empty lists, null words inside lists, repeated
    payloads (equal payload hash and time), and one account without any words."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    sizes = {"big": 900, "mid": 120, "small": 7, "one": 1, "wordless": 20, "ünï": 60}
    for account, n in sizes.items():
        for _ in range(n):
            kind = rng.random()
            words: list[int | None] | None
            if account == "wordless" or kind < 0.05:
                words = None
            elif kind < 0.1:
                words = []
            else:
                words = [int(w) for w in rng.integers(0, 400, rng.integers(1, 12))]
                if kind < 0.15:
                    words[0] = None
            payload = int(rng.integers(0, 50)) if kind > 0.9 else int(rng.integers(0, 2**62))
            rows.append(
                {
                    "ts": T0 + timedelta(seconds=int(rng.integers(0, 86_400))),
                    "account_id": account,
                    "template_hash": 1,
                    "payload_hash": payload,
                    "payload_words": words,
                }
            )
    # An exact repeat: same payload, same time, same words.
    rows += [dict(rows[3]), dict(rows[3])]
    return fingerprint_frame({c: [r[c] for r in rows] for c in rows[0]})


def _plain_word_features(events: pl.DataFrame) -> dict[str, tuple[int, float | None]]:
    """distinct_words and word_breadth by their definition: requests in (payload hash, time) order, words
    until WORD_SAMPLE are taken (null words skipped), distinct among them and among the first 256."""
    out: dict[str, tuple[int, float | None]] = {}
    for account in events["account_id"].unique().to_list():
        mine = events.filter(pl.col("account_id") == account).sort("payload_hash", "ts")
        words: list[int] = []
        for row_words in mine["payload_words"].to_list():
            if len(words) >= WORD_SAMPLE:
                break
            words += [w for w in row_words or [] if w is not None]
        words = words[:WORD_SAMPLE]
        breadth = (
            len(set(words[:BREADTH_SAMPLE_WORDS])) / BREADTH_SAMPLE_WORDS
            if len(words) >= BREADTH_SAMPLE_WORDS
            else None
        )
        out[account] = (len(set(words)), breadth)
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_word_features_follow_their_definition(seed: int) -> None:
    events = _events(seed)
    features = account_features(events)
    got = {
        a: (d, b) for a, d, b in features.select("account_id", "distinct_words", "word_breadth").iter_rows()
    }
    assert got == _plain_word_features(events)
    assert got["wordless"] == (0, None) and got["big"][1] is not None


@pytest.mark.parametrize("seed", [1, 2])
def test_a_shared_sample_gives_the_same_features_and_lexical_table(seed: int) -> None:
    events = _events(seed)
    assert CHECKPOINTS[-1] == WORD_SAMPLE  # what lets detection share one sample
    sample = sample_words(events, "account_id", WORD_SAMPLE)
    shared = account_features(events, word_counts=account_word_counts(sample))
    assert shared.equals(account_features(events))
    shared_lexical, shared_pool = lexical_table(events, None, sample)
    own_lexical, own_pool = lexical_table(events)
    assert shared_lexical.sort("account_id").equals(own_lexical.sort("account_id"))
    assert shared_pool == own_pool


def test_the_sample_does_not_depend_on_row_order() -> None:
    events = _events(3)
    shuffled = events.sample(fraction=1.0, shuffle=True, seed=4)
    left = account_word_counts(sample_words(events, "account_id", WORD_SAMPLE)).sort("account_id")
    right = account_word_counts(sample_words(shuffled, "account_id", WORD_SAMPLE)).sort("account_id")
    assert left.equals(right)


def test_a_sample_of_another_size_is_refused() -> None:
    events = _events(1)
    with pytest.raises(ValueError, match="word sample"):
        account_word_counts(sample_words(events, "account_id", 64))
