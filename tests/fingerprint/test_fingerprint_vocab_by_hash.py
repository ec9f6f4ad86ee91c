"""``coded_by_hash``: the same numbering as ``coded``, and a hash collision never merges two texts."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from distillguard.fingerprint._hashing import xxh64_series
from distillguard.fingerprint._vocab import coded, coded_by_hash, dense_ids, dense_ids_by_hash


def _random_texts(seed: int, n: int) -> pl.Series:
    rng = random.Random(seed)
    pool = ["", " ", "a", "A", "ab", "Größe", "中文", "x" * 40, "x" * 41, "y" * 13]
    pool += [f"w{i}" for i in range(80)]
    values = [None if rng.random() < 0.1 else rng.choice(pool) for _ in range(n)]
    return pl.Series("user_text", values, dtype=pl.String)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_numbering_by_hash_equals_the_categorical_numbering(seed: int) -> None:
    texts = _random_texts(seed, 4_000)
    ids, vocabulary, hashes = coded_by_hash(texts, xxh64_series(texts))
    expected_ids, expected_vocabulary = coded(texts)
    assert ids.to_list() == expected_ids.to_list()  # nulls too
    assert vocabulary.to_list() == expected_vocabulary.to_list()  # the same order: first appearances
    assert hashes.to_list() == xxh64_series(expected_vocabulary).to_list()


def test_colliding_hashes_fall_back_to_the_texts_themselves() -> None:
    # Two different texts given one hash (as a crafted xxHash collision would): they must stay apart.
    texts = pl.Series("user_text", ["alpha", None, "beta", "alpha", "gamma", "beta"], dtype=pl.String)
    forged = pl.Series("user_text", [7, None, 7, 7, 9, 7], dtype=pl.UInt64)
    ids, vocabulary, hashes = coded_by_hash(texts, forged)
    assert vocabulary.gather(ids).to_list() == texts.to_list()
    assert vocabulary.to_list() == ["alpha", "beta", "gamma"]
    assert hashes.to_list() == [7, 7, 9]  # each vocabulary entry keeps its own row's hash


def test_empty_and_all_null_columns() -> None:
    for values in ([], [None, None]):
        texts = pl.Series("user_text", values, dtype=pl.String)
        ids, vocabulary, hashes = coded_by_hash(texts, xxh64_series(texts))
        assert ids.to_list() == values and vocabulary.is_empty() and hashes.is_empty()


@pytest.mark.parametrize("seed", [4, 5])
def test_token_numbering_by_hash_equals_the_categorical_numbering(seed: int) -> None:
    tokens = _random_texts(seed, 6_000).drop_nulls()
    ids, vocabulary = dense_ids_by_hash(tokens)
    expected_ids, expected_vocabulary = dense_ids(tokens)
    assert np.array_equal(ids, expected_ids)
    assert vocabulary.to_list() == expected_vocabulary.to_list()


def test_colliding_token_hashes_fall_back_to_the_tokens_themselves() -> None:
    tokens = pl.Series("t", ["the", "cat", "sat", "cat", "the", "mat"], dtype=pl.String)
    forged = pl.Series("t", [1, 2, 2, 2, 1, 3], dtype=pl.UInt64)  # "cat" and "sat" share a hash
    ids, vocabulary = dense_ids_by_hash(tokens, forged)
    assert vocabulary.gather(ids).to_list() == tokens.to_list()
    assert vocabulary.to_list() == ["the", "cat", "sat", "mat"]
    ids, vocabulary = dense_ids_by_hash(pl.Series("t", [], dtype=pl.String))
    assert len(ids) == 0 and vocabulary.is_empty()
