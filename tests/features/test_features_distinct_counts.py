"""``WordSample.distinct_counts``: distinct words below each limit, counted once for features and curves."""

from __future__ import annotations

import numpy as np
from tests.features.test_features_words import _events

from distillguard.detect._lexical import CHECKPOINTS, vocabulary_curves
from distillguard.features._account import BREADTH_SAMPLE_WORDS, WORD_SAMPLE, account_word_counts
from distillguard.features._words import WordSample


def _plain(sample: WordSample, limit: int) -> dict[int, int]:
    """Distinct words among each key's first ``limit`` sampled words (the positions' rows in any order)."""
    out: dict[int, set[int]] = {}
    for key, word, position in sample.positions.iter_rows():
        out.setdefault(key, set())
        if position < limit:
            out[key].add(word)
    return {key: len(words) for key, words in out.items()}


def _sample(seed: int) -> WordSample:
    from distillguard.features._words import sample_words

    return sample_words(_events(seed), "account_id", WORD_SAMPLE)


def test_distinct_counts_equal_their_definition_in_any_row_order() -> None:
    sample = _sample(3)
    # The count does not lean on the positions' order (the sample leaves them sorted; shuffled here).
    shuffled = sample.positions.sample(fraction=1.0, shuffle=True, seed=5)
    for positions in (sample.positions, shuffled):
        fresh = WordSample(sample.key, sample.cap, positions, sample.keys, sample.rows)
        counts = fresh.distinct_counts((7, 64, 256, WORD_SAMPLE))
        sizes = dict(positions.group_by("_k").len().iter_rows())
        for limit in (7, 64, 256, WORD_SAMPLE):
            got = dict(counts.select("_k", f"d{limit}").iter_rows())
            assert got == _plain(fresh, limit)
        assert dict(counts.select("_k", "sample_words").iter_rows()) == sizes


def test_counts_are_computed_once_for_the_curves_and_the_features() -> None:
    sample = _sample(4)
    curves = sample.distinct_counts(CHECKPOINTS)
    # The features' limits (the breadth head and the cap) are among the checkpoints: the same frame.
    assert sample.distinct_counts((BREADTH_SAMPLE_WORDS, WORD_SAMPLE)) is curves
    words = account_word_counts(sample).sort("account_id")
    names = dict(sample.keys.iter_rows())
    plain_all, plain_head = _plain(sample, WORD_SAMPLE), _plain(sample, BREADTH_SAMPLE_WORDS)
    expected = sorted((names[k], plain_all[k], plain_head[k]) for k in plain_all)
    assert list(words.select("account_id", "distinct_words", "head_distinct_words").iter_rows()) == expected
    # A limit not counted yet is counted anew.
    assert sample.distinct_counts((3,)) is not curves


def test_vocabulary_curves_null_below_each_checkpoint() -> None:
    events = _events(6)
    curves = vocabulary_curves(events).sort("account_id")
    for row in curves.iter_rows(named=True):
        for checkpoint in CHECKPOINTS:
            if row["lexical_words"] < checkpoint:
                assert row[f"v{checkpoint}"] is None
            else:
                assert 1 <= row[f"v{checkpoint}"] <= checkpoint
        measured = [row[f"v{c}"] for c in CHECKPOINTS if row[f"v{c}"] is not None]
        assert np.all(np.diff(measured) >= 0)  # more words never show fewer distinct ones
    # The big account reaches the last checkpoint (null words inside lists are sampled, then left out).
    assert BREADTH_SAMPLE_WORDS < curves["lexical_words"].max() <= WORD_SAMPLE  # type: ignore[operator]
