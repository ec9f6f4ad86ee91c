# ruff: noqa: RUF001, SIM905  (stopword data in several scripts, written as space-separated text)
"""Content words of a payload: what ``payload_words`` samples to show how broad a template's inputs are."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from distillguard.fingerprint._hashing import xxh32_array

# Function words of the languages the project sees most: they say nothing about a payload's topic.
STOPWORDS: Final[list[str]] = sorted(
    set(
        # English
        "the and for are but not you all any can had her was one our out has him his how its may new now "
        "old see two who did get she too use that with have this will your from they know want been good "
        "much some time very when come here just like long make many more only over such take than them "
        "well were what which their there would about could other these those into then also each where "
        "should because please answer question following text give write"
        # Spanish
        " los las del una por con para como más pero sus que este esta esto son entre cuando muy sin "
        "sobre también hasta hay donde quien desde todo nos durante todos uno les contra otros ese eso"
        # German
        " der die das und den dem des ein eine einen einem ist nicht sich mit auf für von auch wie als "
        "aus bei nach oder aber vor zur zum bis durch wenn noch über unter sie ich wir ihr"
        # French
        " les des une est pas pour que qui dans sur avec plus par son ses aux cette ces comme mais ont "
        "été être tout nous vous leur"
        # Russian
        " что это как так все она они его для был быть если или уже при они мне меня нас вас над под "
        "только также чтобы когда где который которые".split()
    )
)

_CJK_PAIR: Final = r"([\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]{2})"
_CJK_WORD: Final = r"^[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]{2}$"
_MIN_CONTENT_BYTES: Final = 3
# Seeds of the in-batch word keys (polars' hash; see ``_word_hashes``): any two distinct values.
_KEY_SEED: Final = 0x5EED
_CHECK_SEED: Final = 0xC0FFEE


def word_lists(text: pl.Expr, max_chars: int) -> pl.Expr:
    """The lower-cased words of the first ``max_chars`` characters (CJK split into character pairs).

    An expression, so that the caller can evaluate it in the same ``with_columns`` as the masking and let
    polars run the two on different threads.
    """
    return (
        text.str.slice(0, max_chars)
        .str.to_lowercase()
        # Only runs of non-letters other than a single space are replaced: replacing every space too
        # (the obvious "\P{L}+") makes every word boundary a match and was measured 4x slower.
        .str.replace_all(r"[^\p{L}\p{M} ]+", " ")
        .str.replace_all(_CJK_PAIR, "$1 ")
        .str.split(" ")
    )


def payload_words(texts: pl.Series, max_chars: int, k: int) -> pa.ListArray[Any]:
    """For each text, the ``k`` smallest distinct xxh32 hashes of its content words, ascending."""
    words = pl.DataFrame({"text": texts}).select(word_lists(pl.col("text"), max_chars))["text"]
    return bottom_k_word_hashes(words, k)


def bottom_k_word_hashes(words: pl.Series, k: int) -> pa.ListArray[Any]:
    """For each list of words, the ``k`` smallest distinct xxh32 hashes of its content words, ascending.

    Bottom-k is a consistent sample: two payloads that share words tend to share sampled hashes, so the
    union over an account's requests estimates how broad its payloads are. Content words are runs of three
    or more letters (not stopwords) and pairs of CJK characters. Each distinct word of the batch is hashed
    once with xxh32; the per-occurrence work is integer work (see ``_word_hashes``) and one sort of
    (text, hash) keys.
    """
    n = len(words)
    flat = (
        pl.DataFrame({"word": words})
        .lazy()
        .with_row_index("row")
        .explode("word")
        # Shorter words are never content words (a CJK pair is 6 bytes): drop them before any hashing.
        .filter(pl.col("word").str.len_bytes() >= _MIN_CONTENT_BYTES)
        .collect()
    )
    row, hashes = _word_hashes(flat)
    keys = np.sort((row.astype(np.uint64) << np.uint64(32)) | hashes)
    return _bottom_k_lists(keys, n, k)


def _word_hashes(flat: pl.DataFrame) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint64]]:
    """(row, xxh32) of every content word occurrence of ``flat`` (columns ``row``, ``word``).

    A batch holds millions of word occurrences but only thousands of distinct words. Deduplicating and
    joining on the strings themselves was most of this stage's cost, so occurrences are keyed by polars'
    (fast, vectorised) 64-bit string hash instead; only one word per key is hashed with xxh32 and tested
    against the stopwords. Polars' hash is used only inside this call, never stored. A second, independent
    64-bit hash checks that no two distinct words of the batch share a key; if any do (odds about 3 in
    10^10 for a batch of 100,000 distinct words), the exact string join is used instead.
    """
    keyed = flat.select(
        "row",
        "word",
        pl.col("word").hash(_KEY_SEED).alias("key"),
        pl.col("word").hash(_CHECK_SEED).alias("check"),
    )
    vocabulary = keyed.filter(pl.col("key").is_first_distinct())
    content = _is_content(vocabulary["word"])
    xxh = np.zeros(len(vocabulary), dtype=np.uint64)
    xxh[content.to_numpy()] = xxh32_array(vocabulary["word"].filter(content).to_list())
    table = pl.DataFrame(
        {"key": vocabulary["key"], "hash": xxh, "expected": vocabulary["check"], "content": content}
    )
    mapped = keyed.select("row", "key", "check").join(table, on="key", how="inner")
    if not (mapped["expected"] == mapped["check"]).all():
        return _word_hashes_exact(flat)
    mapped = mapped.filter("content")
    return mapped["row"].to_numpy(), mapped["hash"].to_numpy()


def _word_hashes_exact(flat: pl.DataFrame) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint64]]:
    """``_word_hashes`` by joining on the word strings (slower, no hash keys involved)."""
    vocabulary = flat.select(pl.col("word").unique())["word"]
    vocabulary = vocabulary.filter(_is_content(vocabulary))
    hashed = pl.DataFrame({"word": vocabulary, "hash": xxh32_array(vocabulary.to_list()).astype(np.uint64)})
    pairs = flat.join(hashed, on="word", how="inner")
    return pairs["row"].to_numpy(), pairs["hash"].to_numpy()


def _is_content(vocabulary: pl.Series) -> pl.Series:
    """Runs of three or more letters that are not stopwords, and CJK character pairs."""
    content = (vocabulary.str.len_chars() >= 3) | vocabulary.str.contains(_CJK_WORD)
    return content & ~vocabulary.is_in(STOPWORDS)


def _bottom_k_lists(keys: npt.NDArray[np.uint64], n: int, k: int) -> pa.ListArray[Any]:
    """The ``k`` smallest distinct hashes of each of ``n`` rows from sorted (row << 32 | hash) keys."""
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    rows = (keys >> np.uint64(32)).astype(np.int64)
    # Position of each key within its text's run: keep the first k (the smallest hashes).
    starts = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]])) if len(rows) else rows
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.concatenate([starts, [len(rows)]])))
    keep = rank < k
    counts = np.bincount(rows[keep], minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    values = (keys[keep] & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), pa.array(values, type=pa.uint32()))
