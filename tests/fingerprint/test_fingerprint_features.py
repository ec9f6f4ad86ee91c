# ruff: noqa: RUF001  (example texts in several scripts)
"""Hashed n-gram features: the vocabulary-based computation equals hashing every n-gram string."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest

from distillguard.fingerprint import _features
from distillguard.fingerprint._features import N_FEATURES, hashed_features
from distillguard.fingerprint._vocab import dense_ids
from distillguard.fingerprint.training import generate


def reference_features(texts: pl.Series) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every n-gram of every text built as a string and hashed (the definition of the features)."""
    seed = _features._SEED
    keys: set[tuple[int, int]] = set()
    tokens = texts.fill_null("").str.to_lowercase().str.extract_all(_features._TOKEN_RE).to_list()
    for row, words in enumerate(tokens):
        grams = list(words) + [f"{a} {b}" for a, b in itertools.pairwise(words)]
        grams += [f"^{w[:4]}" for w in words if len(w) > 5] + [f"{w[-4:]}$" for w in words if len(w) > 5]
        buckets = pl.Series(grams, dtype=pl.String).hash(seed) % N_FEATURES
        keys.update((row, int(bucket)) for bucket in buckets.to_list())
    ordered = sorted(keys)
    rows = np.array([r for r, _ in ordered], dtype=np.int64)
    return rows, np.array([f for _, f in ordered], dtype=np.int64)


TEXTS = [
    "Solve <num> + <num> step by step, showing every intermediate result.",
    "",
    None,
    "  two  spaces and\ttabs\nand newlines ",
    "请一步一步推理：<num> 个苹果",
    "Рассуждай шаг за шагом, подробно: <str>",
    "don't stop-words <code> <url> e-mail x",
    "Über naïve façade — «quoted» 「かぎ」 ステップバイステップ",
]


@pytest.mark.parametrize(("dense_pairs", "distinct_share"), [(True, 1.0), (False, 1.0), (True, 0.0)])
def test_features_equal_hashing_every_ngram_string(
    dense_pairs: bool, distinct_share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every path: through the vocabulary with bigrams from a dense table (small vocabularies) or built per
    # occurrence, and tokenising every text directly (pieces that rarely repeat).
    monkeypatch.setattr(_features, "_DENSE_PAIRS", 1 << 22 if dense_pairs else 0)
    monkeypatch.setattr(_features, "_DISTINCT_SHARE", distinct_share)
    corpus = [e.text for e in generate()][:400]
    texts = pl.Series(TEXTS + corpus, dtype=pl.String)
    rows, features = hashed_features(texts)
    expected_rows, expected_features = reference_features(texts)
    assert np.array_equal(rows, expected_rows)
    assert np.array_equal(features, expected_features)


def test_features_of_no_texts() -> None:
    rows, features = hashed_features(pl.Series([], dtype=pl.String))
    assert len(rows) == 0 and len(features) == 0


def test_dense_ids_index_the_vocabulary() -> None:
    values = pl.Series(["b", "a", "b", "", "c", "a", "ü"])
    ids, vocabulary = dense_ids(values)
    assert vocabulary.n_unique() == len(vocabulary) == 5
    assert vocabulary.gather(ids).to_list() == values.to_list()
