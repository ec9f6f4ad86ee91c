"""Hashed n-gram features of (masked) prompt text, computed column-wise in polars.

Features per text: word unigrams and bigrams, word-initial and word-final character 4-grams (the stem and
the inflection, which carry across Russian, German, Spanish or French word forms), and for scripts written
without spaces (Chinese, Japanese, Korean) character unigrams and bigrams, since each such character is a
token. Every feature is hashed into ``N_FEATURES`` buckets; a row holds the presence of its features,
L2-normalised.

Why not ``sklearn``'s ``HashingVectorizer``: it tokenises and builds n-grams in Python, one document at a
time; measured on this project's 2-core machine it did ~9,000 documents of 400 characters per second for
word 1-2-grams and ~1,400 for ``char_wb`` 3-4-grams, while this polars version does ~18,000 with the
richer feature set above, and the classifier runs on every distinct prompt of the traffic. The bucket of a
feature comes from polars' ``hash`` with a fixed seed: that value may change between polars releases,
which is harmless here because the model is trained in the same process that applies it (see
``_classifier``) and no hashed feature is ever stored or shared.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.preprocessing import normalize

N_FEATURES: Final = 1 << 20
_SEED: Final = 20260226
_TOKEN_RE: Final = r"<[a-z]+>|[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]|[\p{L}\p{N}_]+"
_AFFIX: Final = 4


def hashed_features(texts: pl.Series) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distinct (row, hashed feature) pairs of the texts, sorted by row then feature.

    Works on the exploded token column (one row per token) rather than with per-list expressions, which
    was measured about twice as fast.
    """
    tokens = texts.fill_null("").str.to_lowercase().str.extract_all(_TOKEN_RE)
    lengths = tokens.list.len().fill_null(0).to_numpy()
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    flat = pl.DataFrame({"row": rows, "token": tokens.explode().drop_nulls()})
    token, row = pl.col("token"), pl.col("row")
    long_token = token.str.len_chars() > _AFFIX + 1
    features = pl.concat(
        [
            flat,
            flat.select(row, pl.concat_str([token, token.shift(-1)], separator=" ").alias("token")).filter(
                row == row.shift(-1)
            ),
            flat.filter(long_token).select(
                row, pl.concat_str([pl.lit("^"), token.str.slice(0, _AFFIX)]).alias("token")
            ),
            flat.filter(long_token).select(
                row, pl.concat_str([token.str.slice(-_AFFIX), pl.lit("$")]).alias("token")
            ),
        ],
        how="vertical",
    )
    keys = features.select(row.cast(pl.UInt64) * (1 << 32) + token.hash(_SEED) % N_FEATURES).to_series()
    ordered = np.sort(keys.to_numpy())
    if len(ordered):
        ordered = ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]
    return (ordered >> np.uint64(32)).astype(np.int64), (ordered & np.uint64(0xFFFFFFFF)).astype(np.int64)


def featurize(texts: pl.Series) -> sp.csr_matrix:
    """One L2-normalised row of hashed n-gram presence per text (texts are masked skeletons)."""
    rows, columns = hashed_features(texts)
    matrix = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, columns)),
        shape=(len(texts), N_FEATURES),
        dtype=np.float64,
    )
    result: sp.csr_matrix = normalize(matrix, norm="l2", copy=False)
    return result
