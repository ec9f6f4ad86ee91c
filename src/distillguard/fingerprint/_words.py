# ruff: noqa: RUF001, SIM905  (stopword data in several scripts, written as space-separated text)
"""Content words of a payload: what ``payload_words`` samples to show how broad a template's inputs are."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
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
    once; the per-text work is a join and one sort of (text, hash) keys.
    """
    n = len(words)
    lengths = words.list.len().fill_null(0).to_numpy()
    flat = pl.DataFrame({"word": words.explode(), "row": np.repeat(np.arange(n, dtype=np.uint64), lengths)})
    vocabulary = flat.select(pl.col("word").unique().drop_nulls())["word"]
    content = (vocabulary.str.len_chars() >= 3) | vocabulary.str.contains(_CJK_WORD)
    vocabulary = vocabulary.filter(content & ~vocabulary.is_in(STOPWORDS))
    hashed = pl.DataFrame({"word": vocabulary, "hash": xxh32_array(vocabulary.to_list()).astype(np.uint64)})
    pairs = flat.join(hashed, on="word", how="inner")
    keys = np.sort((pairs["row"].to_numpy() << np.uint64(32)) | pairs["hash"].to_numpy())
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
