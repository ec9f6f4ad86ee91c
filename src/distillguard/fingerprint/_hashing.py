"""Stable hashes of text: xxHash over UTF-8, seed 0.

These values are shared with peer providers and persisted, so they must be identical on every machine and
every version: never Python's ``hash`` (salted per process) nor polars' ``hash`` (unstable across
releases). Callers pass the *distinct* values of a batch, so this Python-level loop runs once per distinct
string, not once per event.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import polars as pl
import xxhash

HASH_SEED = 0


def xxh64(text: str) -> int:
    """xxHash64 of the UTF-8 bytes of ``text``."""
    return int(xxhash.xxh64_intdigest(text.encode("utf-8"), HASH_SEED))


def xxh32(text: str) -> int:
    """xxHash32 of the UTF-8 bytes of ``text``."""
    return int(xxhash.xxh32_intdigest(text.encode("utf-8"), HASH_SEED))


def xxh64_array(values: Iterable[str]) -> npt.NDArray[np.uint64]:
    # map() over C functions: no Python frame per value (the seed argument defaults to 0 = HASH_SEED).
    return np.fromiter(map(xxhash.xxh64_intdigest, map(str.encode, values)), dtype=np.uint64)


def xxh32_array(values: Iterable[str]) -> npt.NDArray[np.uint32]:
    return np.fromiter(map(xxhash.xxh32_intdigest, map(str.encode, values)), dtype=np.uint32)


def xxh64_series(values: pl.Series) -> pl.Series:
    """xxHash64 of each non-null string of ``values`` (nulls stay null)."""
    if values.null_count() == 0:
        # The common case (a batch's distinct texts): no filtered copy of the strings, no null mask.
        return pl.Series(values.name, xxh64_array(values.to_list()), dtype=pl.UInt64)
    mask = values.is_not_null()
    hashes = np.zeros(len(values), dtype=np.uint64)
    hashes[mask.to_numpy()] = xxh64_array(values.filter(mask).to_list())
    return pl.Series(values.name, hashes, dtype=pl.UInt64).set(~mask, None)


def xxh32_series(values: pl.Series) -> pl.Series:
    """xxHash32 of each string of ``values`` (which must not contain nulls)."""
    return pl.Series(values.name, xxh32_array(values.to_list()), dtype=pl.UInt32)
