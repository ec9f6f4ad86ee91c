"""The column hashes (Rust, ``polars-hash``) are the ``xxhash`` package's, value for value: they are shared
with peers and persisted, so a difference would silently break every comparison with older data."""

from __future__ import annotations

import random

import polars as pl
import pytest
import xxhash

from distillguard.fingerprint._hashing import xxh32, xxh32_series, xxh64, xxh64_series

_ALPHABET = "abcXYZ 019\t\n\"'\\{}<>éüßЖж中文字ひらがなカタ한국\u200b\u0000\U0001f600\U00010348"


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    texts = ["", " ", "a", "abc", "\u0000", "é" * 5000, "x" * 31, "x" * 32, "x" * 33]
    texts += ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 400))) for _ in range(count)]
    return texts


@pytest.mark.parametrize(
    ("series_hash", "one_hash", "dtype"),
    [
        (xxh64_series, xxhash.xxh64_intdigest, pl.UInt64),
        (xxh32_series, xxhash.xxh32_intdigest, pl.UInt32),
    ],
)
def test_column_hashes_equal_the_xxhash_package(series_hash, one_hash, dtype) -> None:  # type: ignore[no-untyped-def]
    texts = _texts(7, 3000)
    hashed = series_hash(pl.Series("text", texts))
    assert hashed.name == "text"
    assert hashed.dtype == dtype
    assert hashed.to_list() == [one_hash(text.encode("utf-8"), 0) for text in texts]


def test_nulls_stay_null_and_the_rest_is_hashed_in_place() -> None:
    hashed = xxh64_series(pl.Series("t", ["abc", None, "é"]))
    assert hashed.to_list() == [xxh64("abc"), None, xxh64("é")]
    assert xxh32_series(pl.Series("t", [None, "abc"])).to_list() == [None, xxh32("abc")]


def test_an_empty_column_keeps_its_type() -> None:
    assert xxh64_series(pl.Series("t", [], dtype=pl.String)).dtype == pl.UInt64
