"""Distinct values of a string column with the index of each row's value: the batch's vocabulary.

Most per-row text work of this stage repeats on few distinct values (a prompt's space-separated pieces,
its tokens, whole user texts of templated traffic), so it is done once per distinct value and gathered
back by index. Casting to a ``Categorical`` with a fresh, private set of categories gives both in one
hashing pass over the strings: measured on 830,000 pieces of 24,000 skeletons it took 0.04 s of CPU,
against 0.07 s for ``unique()`` plus a join and 0.16-0.21 s for ``numpy.unique`` on 64-bit hashes.
The categories are private (``Categories.random()``), so nothing accumulates in a process-wide string
cache across batches.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl


def dense_ids(values: pl.Series) -> tuple[npt.NDArray[np.int64], pl.Series]:
    """(index of each row's value in the vocabulary, vocabulary): ``vocabulary[ids[i]] == values[i]``.

    ``values`` must not contain nulls. The vocabulary holds each distinct value once, in no promised order.
    """
    coded = values.cast(pl.Categorical(pl.Categories.random()))
    ids = coded.to_physical().to_numpy().astype(np.int64, copy=False)
    # The categories are fresh, so their codes are 0 .. distinct - 1: the vocabulary is one row of each
    # code, gathered (any row of a code holds its value). Cheaper than the distinct values of the
    # categorical sorted by code (~20 % of this function's CPU on a part's pieces).
    representative = np.full(int(ids.max()) + 1 if len(ids) else 0, -1, dtype=np.int64)
    representative[ids] = np.arange(len(ids), dtype=np.int64)
    if len(representative) and representative.min() < 0:
        raise AssertionError("a fresh categorical's codes are not dense")
    return ids, values.gather(representative)


def coded(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(index of each row's value in the vocabulary, null where the value is null; vocabulary): like
    ``dense_ids`` for a column with nulls, the indices as a ``UInt32`` series to ``gather`` with (a null
    index gathers a null)."""
    categorical = values.cast(pl.Categorical(pl.Categories.random()))
    ids = categorical.to_physical()
    distinct = categorical.unique().drop_nulls()
    order = np.argsort(distinct.to_physical().to_numpy())
    return ids, distinct.cast(pl.String).gather(order).alias(values.name)
