"""Stable hashes of text: xxHash over UTF-8, seed 0.

These values are shared with peer providers and persisted, so they must be identical on every machine and
every version: never Python's ``hash`` (salted per process) nor polars' ``hash`` (unstable across
releases). A column of strings is hashed in Rust by the ``polars-hash`` plugin (the same xxHash64 and
xxHash32, seed 0, as the ``xxhash`` package; a test checks them against each other on adversarial text):
a Python call per string cost ~5 µs, some 4 CPU seconds per million events across the stage's columns.
"""

from __future__ import annotations

import polars as pl
import polars_hash
import xxhash

HASH_SEED = 0


def xxh64(text: str) -> int:
    """xxHash64 of the UTF-8 bytes of ``text``."""
    return int(xxhash.xxh64_intdigest(text.encode("utf-8"), HASH_SEED))


def xxh32(text: str) -> int:
    """xxHash32 of the UTF-8 bytes of ``text``."""
    return int(xxhash.xxh32_intdigest(text.encode("utf-8"), HASH_SEED))


def xxh64_series(values: pl.Series) -> pl.Series:
    """xxHash64 of each string of ``values`` (``UInt64``; nulls stay null), named as ``values``."""
    column = polars_hash.col(values.name).nchash.xxhash64(seed=HASH_SEED)
    return values.to_frame().select(column).to_series()


def xxh32_series(values: pl.Series) -> pl.Series:
    """xxHash32 of each string of ``values`` (``UInt32``; nulls stay null), named as ``values``."""
    column = polars_hash.col(values.name).nchash.xxhash32(seed=HASH_SEED)
    return values.to_frame().select(column).to_series()
