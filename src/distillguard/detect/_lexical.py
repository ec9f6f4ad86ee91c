"""Lexical breadth at equal sample sizes: is an account's payload vocabulary a product's domain or a sweep?

A type-token ratio over a fixed number of words cannot tell a product with a vocabulary of a hundred words
(an enterprise RAG tenant's knowledge base, a support bot's catalogue) from a sweep across topics: at 256
words both still show new words, and only with more words does the closed vocabulary stop growing.
Comparing with the population's *accounts* at the same sample size does not help either: the accounts
large enough to measure at 1,000 words are mostly the heavy products themselves, whose median is narrow.

So each account's vocabulary growth curve (distinct payload words among its first 64, 128, ... 1,024
sampled words) is compared with the population's *pooled* curve at the same sample size: the distinct words
among as many words drawn across all accounts (a few from each, so that no heavy account dominates it).
``lexical_breadth`` is the ratio at the largest checkpoint the account reaches: about 1 for an account as
varied as the whole platform's traffic, a small fraction for one product's narrow domain, whatever the
account's volume. The words are the fingerprint stage's hashed content words (``payload_words``), sampled
in payload-hash order as the feature stage does, so no text and no embeddings are needed.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from distillguard.features import WordSample, sample_words
from distillguard.features._words import key_hashes

# Sample sizes (payload words) at which vocabularies are compared; an account is measured at the largest
# one it reaches. Below the smallest there are too few words to judge (null: no judgement either way).
CHECKPOINTS: tuple[int, ...] = (64, 128, 256, 512, 1024)
# Words each account contributes to the pooled population sample: enough to carry its domain's typical
# words, few enough that a thousand small accounts weigh as much as their traffic's variety.
POOL_WORDS_PER_ACCOUNT = 16
# Seed of the hash that shuffles the pooled words (a fixed seed: same input, same reference curve).
_POOL_SEED = 77

LEXICAL_COLUMNS = ("lexical_words", "lexical_breadth")


def vocabulary_curves(events: pl.DataFrame, key: str = "account_id") -> pl.DataFrame:
    """Per ``key``: ``lexical_words`` (sampled words, at most the last checkpoint) and ``v<N>`` columns,
    the distinct words among the first N sampled words (null when the account has fewer than N)."""
    return _curves(sample_words(events, key, CHECKPOINTS[-1]))


def pooled_curve(events: pl.DataFrame, key: str = "account_id") -> dict[int, float]:
    """Distinct words among N words drawn across the population (``POOL_WORDS_PER_ACCOUNT`` per account,
    shuffled), for each checkpoint N the pool reaches."""
    return _pooled(sample_words(events, key, POOL_WORDS_PER_ACCOUNT))


def _curves(sample: WordSample) -> pl.DataFrame:
    # Per key, the distinct words below each checkpoint (shared with the features' word counts, which
    # need two of these columns: ``WordSample.distinct_counts``); ``keys`` maps ``_k`` back to the key.
    counts = sample.distinct_counts(CHECKPOINTS)
    return (
        sample.keys.join(counts, on="_k", how="inner")
        .drop("_k")
        .select(
            sample.key,
            pl.col("sample_words").alias("lexical_words"),
            *(
                pl.when(pl.col("sample_words") >= c).then(pl.col(f"d{c}")).otherwise(None).alias(f"v{c}")
                for c in CHECKPOINTS
            ),
        )
    )


def _pooled(sample: WordSample) -> dict[int, float]:
    # The pool's order is a hash of (key hash, position): the same order whatever stands for the key.
    words = sample.positions.filter(pl.col("_pos") < POOL_WORDS_PER_ACCOUNT).join(key_hashes(sample), on="_k")
    order = pl.struct(pl.col("_h").alias("_k"), "_pos").hash(_POOL_SEED).alias("_order")
    pool = words.select("payload_words", order).sort("_order")
    pool = pool.with_row_index("_i")
    first = pool.group_by("payload_words").agg(pl.col("_i").min())
    out: dict[int, float] = {}
    for checkpoint in CHECKPOINTS:
        if pool.height >= checkpoint:
            out[checkpoint] = float(first.filter(pl.col("_i") < checkpoint).height)
    return out


def lexical_breadth(curves: pl.DataFrame, reference: Mapping[int, float]) -> pl.DataFrame:
    """``curves`` plus ``lexical_breadth``: the account's vocabulary at its largest checkpoint divided by
    the pooled population's vocabulary at the same sample size (null when neither can be measured)."""
    breadth: pl.Expr = pl.lit(None, dtype=pl.Float64)
    # From the smallest checkpoint to the largest: each measurable one replaces the previous.
    for checkpoint in CHECKPOINTS:
        pooled = reference.get(checkpoint)
        if not pooled:
            continue
        column = pl.col(f"v{checkpoint}").cast(pl.Float64)
        breadth = pl.when(column.is_not_null()).then((column / pooled).clip(0.0, 1.0)).otherwise(breadth)
    return curves.with_columns(breadth.alias("lexical_breadth"))


def account_lexical(events: pl.DataFrame) -> pl.DataFrame:
    """(account_id, lexical_words, lexical_breadth) for every account with payload words."""
    return lexical_table(events)[0]


def lexical_table(
    events: pl.DataFrame, reference: Mapping[int, float] | None = None, sample: WordSample | None = None
) -> tuple[pl.DataFrame, dict[int, float]]:
    """(account_id, lexical_words, lexical_breadth) per account of ``events``, and the pooled reference
    curve it was measured against: ``reference`` if given (e.g. the whole population's, when ``events``
    holds only some groups), else the pool of ``events`` itself. ``sample`` is
    ``sample_words(events, "account_id", CHECKPOINTS[-1])`` if the caller has drawn it already."""
    if "payload_words" not in events.columns or events.height == 0:
        empty = pl.DataFrame(
            schema={"account_id": pl.String, "lexical_words": pl.Int64, "lexical_breadth": pl.Float64}
        )
        return empty, dict(reference or {})
    # One sample serves both: each account's first words are also what it contributes to the pool.
    if sample is None:
        sample = sample_words(events, "account_id", CHECKPOINTS[-1])
    elif sample.key != "account_id" or sample.cap != CHECKPOINTS[-1]:
        raise ValueError(f"word sample of {sample.cap} words per {sample.key}, not {CHECKPOINTS[-1]}")
    pooled = dict(reference) if reference is not None else _pooled(sample)
    curves = _curves(sample)
    return lexical_breadth(curves, pooled).select("account_id", *LEXICAL_COLUMNS), pooled
