"""Lexical breadth at equal sample sizes: a product's narrow vocabulary against a sweep, at any volume."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from detect_fixtures import _words, account, individuals

from distillguard.detect._lexical import CHECKPOINTS, account_lexical, pooled_curve, vocabulary_curves


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    rng = np.random.default_rng(41)
    parts = [
        individuals(rng, 300),
        # A product's knowledge base: 80 words, at two very different volumes.
        account(rng, "narrow_big", 3000, payload_words=_words(rng, 3000, 80, base=5_000_000)),
        account(rng, "narrow_mid", 300, payload_words=_words(rng, 300, 80, base=5_000_000)),
        # A sweep: new subject words all the time, at two volumes.
        account(rng, "broad_big", 3000, payload_words=_words(rng, 3000, 300_000, base=7_000_000)),
        account(rng, "broad_small", 12, payload_words=_words(rng, 12, 300_000, base=9_000_000)),
        account(rng, "tiny", 3, payload_words=_words(rng, 3, 300_000, base=9_500_000)),
    ]
    return pl.concat(parts)


@pytest.fixture(scope="module")
def breadth(events: pl.DataFrame) -> dict[str, float | None]:
    table = account_lexical(events)
    return dict(zip(table["account_id"].to_list(), table["lexical_breadth"].to_list(), strict=True))


def test_a_closed_vocabulary_is_narrow_however_much_traffic(breadth: dict[str, float | None]) -> None:
    narrow_big, narrow_mid = breadth["narrow_big"], breadth["narrow_mid"]
    assert narrow_big is not None and narrow_mid is not None
    assert narrow_big < 0.3 and narrow_mid < 0.3


def test_a_sweep_is_broad_at_any_volume(breadth: dict[str, float | None]) -> None:
    broad_big, broad_small = breadth["broad_big"], breadth["broad_small"]
    assert broad_big is not None and broad_small is not None
    assert broad_big > 0.7 and broad_small > 0.7


def test_too_few_words_is_no_judgement(breadth: dict[str, float | None]) -> None:
    assert breadth["tiny"] is None


def test_curves_count_distinct_words_at_each_checkpoint(events: pl.DataFrame) -> None:
    curves = vocabulary_curves(events).filter(pl.col("account_id") == "narrow_big").row(0, named=True)
    values = [curves[f"v{c}"] for c in CHECKPOINTS]
    assert values == sorted(values), "vocabulary only grows"
    assert values[-1] <= 80, "never more words than the vocabulary holds"
    assert curves["lexical_words"] == CHECKPOINTS[-1]
    small = vocabulary_curves(events).filter(pl.col("account_id") == "tiny").row(0, named=True)
    assert small["v64"] is None


def test_the_pooled_population_curve_keeps_growing(events: pl.DataFrame) -> None:
    curve = pooled_curve(events)
    assert set(curve) == set(CHECKPOINTS)
    values = [curve[c] for c in CHECKPOINTS]
    assert values == sorted(values) and values[-1] > 0.5 * CHECKPOINTS[-1]


def test_rows_in_any_order_give_the_same_breadth(events: pl.DataFrame) -> None:
    shuffled = events.sample(fraction=1.0, shuffle=True, seed=3)
    left = account_lexical(events).sort("account_id")
    right = account_lexical(shuffled).sort("account_id")
    assert left.equals(right)
