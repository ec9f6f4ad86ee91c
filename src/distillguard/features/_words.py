"""A bounded, order-independent sample of each account's payload words, shared by the features that need one.

Two features measure an account's vocabulary on the same sample: ``distinct_words`` / ``word_breadth``
(``account_features``) and the lexical breadth curve (``distillguard.detect._lexical``). Drawing the sample
is the costly part (a sort of every event, then gathering and exploding word lists), so detection draws it
once (``sample_words``) and hands it to both.

The sample: requests taken in payload-hash order (pseudo-random, and a total order with time as tie-break,
so the result does not depend on row order) until ``cap`` words are collected, words in their stored order
within a request, null words left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from distillguard.features._index import AccountIndex

# Seed of the 64-bit hash that keys the sample (sorting on it is several times cheaper than on the strings).
KEY_SEED = 78


@dataclass(frozen=True)
class WordSample:
    """``positions``: (``_k``, ``payload_words``, ``_pos``), each key's first ``cap`` sampled words and their
    position in the sample; ``keys``: (``_k``, key column), the key behind each ``_k``. ``_k`` is an
    integer standing for the key: its 64-bit hash (``KEY_SEED``), or its number in an ``AccountIndex``;
    nothing drawn from the sample depends on which (see ``key_hashes`` for what needs the hash)."""

    key: str
    cap: int
    positions: pl.DataFrame
    keys: pl.DataFrame
    # The row numbers (in the events sampled) of the requests the sample took words from.
    rows: pl.Series | None = None
    # ``distinct_counts`` already computed, by the limits they were computed for.
    _counted: dict[tuple[int, ...], pl.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def distinct_counts(self, limits: tuple[int, ...]) -> pl.DataFrame:
        """Per ``_k``: ``sample_words`` (the words sampled) and, per limit N of ``limits``, ``d<N>``: the
        distinct words among the key's first N sampled words. Computed once for the features and the
        lexical curves together (whichever asks first with limits covering the other's)."""
        for counted, frame in self._counted.items():
            if set(limits) <= set(counted):
                return frame
        frame = _distinct_counts(self.positions, limits)
        self._counted[tuple(limits)] = frame
        return frame


def sample_words(events: pl.DataFrame, key: str, cap: int, index: AccountIndex | None = None) -> WordSample:
    """The first ``cap`` words of each ``key`` (see the module docstring); ``events`` needs ``key``,
    ``payload_hash``, ``ts`` and ``payload_words``. ``index``: the events' ``AccountIndex`` of ``key``, if
    the caller has one: its numbers stand for the keys instead of a hash of every event's key (the same
    sample: the requests and words kept per key do not depend on what stands for it)."""
    # The sort and the running word counts touch only narrow columns; the word lists (the bulk of the
    # frame's memory) are gathered afterwards for the requests that are kept.
    stand_in = (
        index.key.alias("_k")
        if index is not None and index.fits(events, key)
        else pl.col(key).hash(KEY_SEED).alias("_k")
    )
    order = (
        events.select(
            stand_in,
            "payload_hash",
            "ts",
            pl.col("payload_words").list.len().fill_null(0).cast(pl.Int64).alias("_n"),
        )
        .with_row_index("_row")
        .filter(pl.col("_n") > 0)
        .pipe(_sample_order)
        .with_columns((pl.col("_n").cum_sum().over("_k") - pl.col("_n")).alias("_before"))
        .filter(pl.col("_before") < cap)
        .select("_row", "_k")
    )
    rows = order["_row"]
    keys = pl.DataFrame([order["_k"], events[key].gather(rows)]).unique("_k")
    positions = (
        pl.DataFrame([order["_k"], events["payload_words"].gather(rows)])
        .explode("payload_words")
        .drop_nulls("payload_words")
        .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).over("_k").alias("_pos"))
        .filter(pl.col("_pos") < cap)
    )
    return WordSample(key, cap, positions, keys, rows)


def _sample_order(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` in (``_k``, ``payload_hash``, ``ts``) order, as ``sort_by_key_then`` gives it.

    With a 32-bit ``_k`` (an ``AccountIndex``'s numbers) one stable sort on the key packed above the
    payload hash's high bits (as many as the key leaves free: 51 for 7,000 accounts) replaces the sorts on
    the hash and on the key (1M events: 0.16 against 0.28 CPU s). That order is the same unless two
    requests of one key share those bits but not the hash and come out of order; checked, and then
    (practically never) sorted the long way.
    """
    narrow = frame.schema["_k"] in (pl.UInt8, pl.UInt16, pl.UInt32)
    if not narrow or frame.schema["payload_hash"] != pl.UInt64 or frame["payload_hash"].null_count():
        return sort_by_key_then(frame, "_k", "payload_hash", "ts")
    bits = max(1, int(frame["_k"].max() or 0).bit_length())  # type: ignore[arg-type]
    high = pl.col("_k").cast(pl.UInt64) * pl.lit(1 << (64 - bits), dtype=pl.UInt64)
    packed = high + pl.col("payload_hash") // pl.lit(1 << bits, dtype=pl.UInt64)
    ordered = frame.sort("ts").with_columns(packed.alias("_p")).sort("_p", maintain_order=True).drop("_p")
    same_key = pl.col("_k") == pl.col("_k").shift()
    if ordered.select((same_key & (pl.col("payload_hash") < pl.col("payload_hash").shift())).any()).item():
        return sort_by_key_then(frame, "_k", "payload_hash", "ts")
    # Sorted by ``_k`` (its bits lead the packed key), as the long way's last sort leaves it; flagged so,
    # so that the group-bys and windows on ``_k`` downstream take polars' sorted path (without the flag
    # the sample's word counts cost five times as much: 0.28 against 0.05 s).
    return ordered.with_columns(pl.col("_k").set_sorted())


def key_hashes(sample: WordSample) -> pl.DataFrame:
    """(``_k``, ``_h``): the 64-bit hash (``KEY_SEED``) of the key behind each ``_k`` of the sample, for
    what depends on the hash itself (the pooled vocabulary's pseudo-random order)."""
    return sample.keys.select("_k", pl.col(sample.key).hash(KEY_SEED).alias("_h"))


def sort_by_key_then(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """``frame.sort(*columns)`` as one stable single-column sort per column, the last column first.

    Polars sorts on several columns through row-encoded keys, two to three times the cost of the same
    order built from stable sorts on one integer column each (the radix case); on the order of the
    columns the two agree, and rows equal in every column keep their order (the multi-column sort leaves
    that open). The last column (time, in the callers) is usually sorted already, which costs a check.
    Eager on purpose: a lazy query folds consecutive sorts back into one multi-column sort.
    """
    *leading, last = columns
    frame = frame.sort(last)
    for column in reversed(leading):
        frame = frame.sort(column, maintain_order=True)
    return frame


def word_counts(sample: WordSample, head: int, limits: tuple[int, ...] = ()) -> pl.DataFrame:
    """Per key (the sample's key column): ``sample_words`` (words in the sample), ``distinct_words``
    (distinct among them) and ``head_distinct_words`` (distinct among the first ``head``). ``limits``:
    further limits to count at once (``WordSample.distinct_counts``; a caller about to ask for them)."""
    # Every sampled word is among the first ``cap``: the distinct words below ``cap`` are all of them.
    counts = sample.distinct_counts(tuple(sorted({head, sample.cap, *limits})))
    return (
        counts.lazy()
        .select(
            "_k",
            "sample_words",
            pl.col(f"d{sample.cap}").alias("distinct_words"),
            pl.col(f"d{head}").alias("head_distinct_words"),
        )
        .join(sample.keys.lazy(), on="_k")
        .drop("_k")
        .collect()
    )


def _distinct_counts(positions: pl.DataFrame, limits: tuple[int, ...]) -> pl.DataFrame:
    """``WordSample.distinct_counts`` of the sample's ``positions`` (``_k``, ``payload_words``, ``_pos``).

    One group-by on ``_k``, which the sample leaves sorted (polars' sorted path: each key a slice), with a
    distinct count per limit: 2M sampled words, 0.12 CPU s against 0.28 for a group-by on (key, word)
    pairs and another pass for the features' counts.
    """
    words = pl.col("payload_words")
    distinct = [words.filter(pl.col("_pos") < n).n_unique().cast(pl.Int64).alias(f"d{n}") for n in limits]
    sizes = pl.len().cast(pl.Int64).alias("sample_words")
    return positions.lazy().group_by("_k").agg(sizes, *distinct).collect()


def _within_run(running: pl.Expr) -> pl.Expr:
    """A running total over a frame sorted by ``_k``, restarted at each key's first row: equal to
    ``running.over("_k")`` there, without the window's hashing of the key."""
    start = pl.col("_k").ne_missing(pl.col("_k").shift())
    return running - pl.when(start).then(running).forward_fill()
