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
which is harmless here because a model is only applied with the hashing it was trained with: a model kept
on disk is keyed by the digest of the corpus's hashed features (``_model_store``), so a change of hash
retrains it. No hashed feature is ever shared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import polars as pl

from distillguard.fingerprint._vocab import dense_ids

if TYPE_CHECKING:
    import scipy.sparse as sp  # type: ignore[import-untyped]

N_FEATURES: Final = 1 << 20
_SEED: Final = 20260226
_TOKEN_RE: Final = r"<[a-z]+>|[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]|[\p{L}\p{N}_]+"
_AFFIX: Final = 4
# Marks "no affix feature" (buckets are below N_FEATURES).
_NONE: Final = np.uint64(np.iinfo(np.uint64).max)
# Largest vocabulary**2 for which distinct bigrams are found with a dense table (8 MB of flags and 32 MB
# of indices at most, for a moment); larger vocabularies find them by hashing the pair codes.
_DENSE_PAIRS: Final = 1 << 23
# The vocabulary path pays when pieces repeat: when a sample of pieces is more than this share distinct
# (free text from a large vocabulary), tokenising every text directly is cheaper.
_DISTINCT_SHARE: Final = 0.2
_SAMPLE_PIECES: Final = 20_000


def hashed_features(texts: pl.Series) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distinct (row, hashed feature) pairs of the texts, sorted by row then feature.

    Two computations with the same result (a test checks both against hashing every n-gram string):
    through the batch's vocabulary when its pieces repeat (templated traffic, skeletons full of slots),
    otherwise by tokenising every text.
    """
    keys = feature_keys(texts)
    # The low half by truncation, the high half by a shift: both exact for these keys.
    return (keys >> np.uint64(32)).astype(np.int64), keys.astype(np.uint32).astype(np.int64)


def feature_keys(texts: pl.Series) -> npt.NDArray[np.uint64]:
    """``hashed_features`` as one sorted array of distinct ``row << 32 | bucket`` keys, without splitting
    it into two ``int64`` arrays: the classifier scores from the keys directly."""
    pieces = texts.fill_null("").str.split(" ")
    flat = pieces.explode(empty_as_null=False, keep_nulls=False)
    sample = flat.head(_SAMPLE_PIECES)
    if len(sample) and sample.n_unique() > _DISTINCT_SHARE * len(sample):
        return _features_direct(texts)
    return _features_by_vocabulary(pieces, flat)


def _features_direct(texts: pl.Series) -> npt.NDArray[np.uint64]:
    """Every text tokenised, every n-gram string built and hashed (for text whose pieces rarely repeat)."""
    tokens = texts.fill_null("").str.to_lowercase().str.extract_all(_TOKEN_RE)
    lengths = tokens.list.len().fill_null(0).to_numpy()
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    flat = pl.DataFrame({"row": rows, "token": tokens.explode(empty_as_null=False, keep_nulls=False)})
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
    keys = features.select(row.cast(pl.UInt64) * (1 << 32) + _bucket(token)).to_series().to_numpy()
    return _distinct(np.sort(keys))


def _features_by_vocabulary(pieces: pl.Series, flat: pl.Series) -> npt.NDArray[np.uint64]:
    """Each *distinct* piece of the batch (tokens never contain a space) is lower-cased and tokenised
    once, each distinct token hashed once with its affixes, each distinct adjacent pair once; per token
    of the texts only integer gathers and one sort remain."""
    n = len(pieces)
    pieces_per_row = pieces.list.len().fill_null(0).to_numpy()
    piece_ids, piece_vocabulary = dense_ids(flat)
    tokens = piece_vocabulary.str.to_lowercase().str.extract_all(_TOKEN_RE)
    tokens_per_piece = tokens.list.len().fill_null(0).to_numpy().astype(np.int64)
    token_ids, token_vocabulary = dense_ids(tokens.explode(empty_as_null=False, keep_nulls=False))
    # The token sequence of every text: each piece occurrence replaced by its piece's tokens.
    lengths = tokens_per_piece[piece_ids]
    first_token = np.cumsum(tokens_per_piece) - tokens_per_piece
    tokens_before = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=tokens_before[1:])
    sequence = token_ids[
        np.repeat(first_token[piece_ids] - tokens_before[:-1], lengths) + np.arange(tokens_before[-1])
    ]
    # Each token's row, already shifted into the key's high half: the row's key repeated once per token.
    row_ends = tokens_before[np.cumsum(pieces_per_row)]
    tokens_per_row = np.diff(row_ends, prepend=0)
    row_keys = np.repeat(np.arange(n, dtype=np.uint64) << np.uint64(32), tokens_per_row)
    unigram, prefix, suffix = _token_buckets(token_vocabulary)
    same_row = row_keys[1:] == row_keys[:-1]
    bigrams = _bigram_buckets(sequence[:-1][same_row], sequence[1:][same_row], token_vocabulary)
    # Keys (row << 32 | bucket) of the four kinds of feature, deduplicated per row by one sort.
    has_affix = (prefix != _NONE)[sequence]
    affix_tokens = sequence[has_affix]
    affix_keys = row_keys[has_affix]
    # Written in place into one array (no concatenation copy).
    keys = np.empty(len(sequence) + len(bigrams) + 2 * len(affix_keys), dtype=np.uint64)
    parts = np.cumsum([0, len(sequence), len(bigrams), len(affix_keys), len(affix_keys)])
    np.bitwise_or(row_keys, unigram[sequence], out=keys[parts[0] : parts[1]])
    np.bitwise_or(row_keys[:-1][same_row], bigrams, out=keys[parts[1] : parts[2]])
    np.bitwise_or(affix_keys, prefix[affix_tokens], out=keys[parts[2] : parts[3]])
    np.bitwise_or(affix_keys, suffix[affix_tokens], out=keys[parts[3] : parts[4]])
    keys.sort()
    return _distinct(keys)


def _distinct(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Sorted keys with duplicates removed."""
    if len(keys) == 0:
        return keys
    first = np.empty(len(keys), dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    distinct: npt.NDArray[np.uint64] = keys[first]
    return distinct


def _bucket(strings: pl.Expr) -> pl.Expr:
    return strings.hash(_SEED) % N_FEATURES


def _token_buckets(
    vocabulary: pl.Series,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """Per distinct token: its bucket, and the buckets of its initial and final 4-grams (``_NONE`` for a
    token too short to have them)."""
    token = pl.col("token")
    long_token = token.str.len_chars() > _AFFIX + 1
    frame = pl.DataFrame({"token": vocabulary}).select(
        _bucket(token).alias("unigram"),
        pl.when(long_token)
        .then(_bucket(pl.concat_str([pl.lit("^"), token.str.slice(0, _AFFIX)])))
        .otherwise(pl.lit(int(_NONE), dtype=pl.UInt64))
        .alias("prefix"),
        pl.when(long_token)
        .then(_bucket(pl.concat_str([token.str.slice(-_AFFIX), pl.lit("$")])))
        .otherwise(pl.lit(int(_NONE), dtype=pl.UInt64))
        .alias("suffix"),
    )
    return frame["unigram"].to_numpy(), frame["prefix"].to_numpy(), frame["suffix"].to_numpy()


def _bigram_buckets(
    first: npt.NDArray[np.int64], second: npt.NDArray[np.int64], vocabulary: pl.Series
) -> npt.NDArray[np.uint64]:
    """The bucket of each (first, second) token pair. Each *distinct* pair's string is built and hashed
    once: pairs repeat (a template's phrasing recurs in every text poured into it), and building a string
    per occurrence was measured to cost more than the rest of the features together."""
    size = max(len(vocabulary), 1)
    codes = first * size + second
    if size * size <= _DENSE_PAIRS:
        # Few distinct tokens (templated text): a direct lookup table over all possible pairs.
        present = np.zeros(size * size, dtype=bool)
        present[codes] = True
        distinct = np.flatnonzero(present)
        table = np.zeros(size * size, dtype=np.uint32)
        table[distinct] = _pair_buckets(distinct, size, vocabulary)
        result: npt.NDArray[np.uint64] = table[codes].astype(np.uint64)
        return result
    # A large vocabulary: distinct pair codes by hashing, and each occurrence's bucket by a hash lookup.
    occurrences = pl.Series("code", codes, dtype=pl.Int64)
    distinct_codes = occurrences.unique()
    buckets = pl.Series(_pair_buckets(distinct_codes.to_numpy(), size, vocabulary), dtype=pl.UInt64)
    looked_up: npt.NDArray[np.uint64] = occurrences.replace_strict(
        distinct_codes, buckets, return_dtype=pl.UInt64
    ).to_numpy()
    return looked_up


def _pair_buckets(codes: npt.NDArray[np.int64], size: int, vocabulary: pl.Series) -> npt.NDArray[np.uint64]:
    first, second = vocabulary.gather(codes // size), vocabulary.gather(codes % size)
    strings = pl.DataFrame({"first": first, "second": second})
    return strings.select(_bucket(pl.concat_str(["first", "second"], separator=" ")))[:, 0].to_numpy()


def normalized_matrix(
    rows: npt.NDArray[np.int64], columns: npt.NDArray[np.int64], n_rows: int
) -> sp.csr_matrix:
    """One L2-normalised row of hashed n-gram presence per text, from ``hashed_features``' pairs."""
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    matrix = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, columns)),
        shape=(n_rows, N_FEATURES),
        dtype=np.float64,
    )
    result: sp.csr_matrix = normalize(matrix, norm="l2", copy=False)
    return result
