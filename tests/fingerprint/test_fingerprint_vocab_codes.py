"""The batch vocabulary (``_vocab``): each row's index gathers its own value back, each value once."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from distillguard.fingerprint._vocab import coded, dense_ids, row_of_each_code


def _random_values(seed: int, n: int, nulls: bool) -> pl.Series:
    rng = random.Random(seed)
    pool = ["", "a", "b", "ab", "Größe", "中文", "x" * 40, "y" * 13, *(f"w{i}" for i in range(50))]
    values = [None if nulls and rng.random() < 0.1 else rng.choice(pool) for _ in range(n)]
    return pl.Series("v", values, dtype=pl.String)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coded_gathers_every_value_back_and_holds_each_once(seed: int) -> None:
    values = _random_values(seed, 5_000, nulls=True)
    ids, vocabulary = coded(values)
    assert ids.dtype == pl.UInt32 and vocabulary.name == "v"
    assert vocabulary.gather(ids).to_list() == values.to_list()  # nulls gather nulls
    assert vocabulary.is_unique().all() and vocabulary.null_count() == 0
    assert sorted(vocabulary.to_list()) == sorted(values.drop_nulls().unique().to_list())


@pytest.mark.parametrize("seed", [4, 5])
def test_dense_ids_gather_every_value_back_and_hold_each_once(seed: int) -> None:
    values = _random_values(seed, 5_000, nulls=False)
    ids, vocabulary = dense_ids(values)
    assert ids.dtype == np.int64
    assert vocabulary.gather(ids).to_list() == values.to_list()
    assert vocabulary.is_unique().all()
    assert len(vocabulary) == values.n_unique()


def test_empty_and_all_null_columns() -> None:
    ids, vocabulary = coded(pl.Series("v", [None, None], dtype=pl.String))
    assert ids.to_list() == [None, None] and vocabulary.is_empty()
    ids, vocabulary = coded(pl.Series("v", [], dtype=pl.String))
    assert ids.is_empty() and vocabulary.is_empty()
    dense, vocabulary = dense_ids(pl.Series("v", [], dtype=pl.String))
    assert len(dense) == 0 and vocabulary.is_empty()


def test_row_of_each_code_points_at_a_row_holding_that_code() -> None:
    codes = np.array([2, 0, 2, 1, 0, 3])
    rows = np.array([10, 11, 12, 13, 14, 15])
    row = row_of_each_code(codes, rows)
    assert len(row) == 4
    for code, at in enumerate(row):
        assert codes[rows.tolist().index(at)] == code
