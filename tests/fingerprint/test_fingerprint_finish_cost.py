"""The cheaper ``finish``: same labels, scores and catalog as the straightforward computations."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pyarrow as pa
import scipy.sparse as sp  # type: ignore[import-untyped]
from fp_events import EventFactory

from distillguard.fingerprint import Fingerprinter, TemplateCatalog, default_classifier, prepare
from distillguard.fingerprint._classifier import TextClassifier
from distillguard.fingerprint._features import hashed_features
from distillguard.fingerprint._fingerprinter import template_requests

TEXTS = [
    "Solve this step by step and show your reasoning. Problem 17.",
    "Write a poem about the sea.",
    "Solve this step by step and show your reasoning. Problem 4.",
    None,
    'Rate the answer below from 1 to 10 and return JSON: {"a": 3}',
    "Write a poem about the sea.",
    "翻译成英文 今天天气很好。",
    "",
    "Solve this step by step and show your reasoning. Problem 99.",
]


def _reference_scores(classifier: TextClassifier, skeletons: pl.Series) -> np.ndarray:
    """The scores as computed before (row counts by ``bincount`` on the split pairs): the summation order
    of the sparse product must not change, since the labels must stay bit for bit the same."""
    n = len(skeletons)
    rows, features = hashed_features(skeletons)
    norms = np.sqrt(np.maximum(np.bincount(rows, minlength=n), 1)).astype(np.float32)
    compact = classifier.column[features]
    known = compact >= 0
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[known], minlength=n))])
    matrix = sp.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.float32), compact[known], indptr),
        shape=(n, classifier.weights.shape[0]),
    )
    totals = np.asarray(matrix @ classifier.weights, dtype=np.float32)
    result: np.ndarray = totals / norms[:, None] + classifier.bias
    return result


def test_scores_from_the_sorted_keys_are_bit_identical() -> None:
    classifier = default_classifier()
    rng = np.random.default_rng(3)
    words = ["solve", "<num>", "step", "by", "the", "answer", "grade", "JSON", "poem", "日本語", "x"]
    generated = [" ".join(rng.choice(words, size=rng.integers(0, 60)).tolist()) for _ in range(300)]
    for texts in (TEXTS, generated, [], ["", ""]):
        skeletons = pl.Series([t or "" for t in texts], dtype=pl.String)
        assert np.array_equal(classifier.scores(skeletons), _reference_scores(classifier, skeletons))


def test_template_requests_count_each_template_in_order_of_first_request() -> None:
    hashes = pl.Series([5, 9, None, 5, 7, 9, 5], dtype=pl.UInt64)
    counts = template_requests(hashes)
    assert counts["template_hash"].to_list() == [5, 9, 7]
    assert counts["requests"].to_list() == [3, 2, 1]


def test_finish_gives_the_same_output_with_or_without_the_prepared_counts(make_events: EventFactory) -> None:
    batches = [make_events(TEXTS), make_events([*reversed(TEXTS), "Write a poem about the sea."])]
    with_counts, without_counts = Fingerprinter(), Fingerprinter()
    for batch in batches:
        prepared = prepare(batch)
        assert prepared.template_requests is not None
        expected = template_requests(pl.Series(prepared.events.column("template_hash")))
        assert pl.from_arrow(prepared.template_requests).equals(expected)  # type: ignore[union-attr]
        bare = dataclasses.replace(prepared, template_requests=None)
        assert with_counts.finish(prepared).equals(without_counts.finish(bare))
    assert with_counts.catalog.to_arrow().equals(without_counts.catalog.to_arrow())
    poem = pl.from_arrow(prepare(batches[0]).events)["template_hash"][1]  # type: ignore[index]
    assert with_counts.catalog.requests(int(poem)) == 2 + 3


def test_observe_distinct_equals_observe() -> None:
    grouped, distinct = TemplateCatalog(max_templates=5), TemplateCatalog(max_templates=5)
    rng = np.random.default_rng(8)
    for _ in range(6):
        hashes = rng.choice(np.arange(1, 12, dtype=np.uint64), size=4, replace=False)
        counts = rng.integers(1, 4, size=4).astype(np.int64)
        skeletons = pl.Series([f"template {h} with <num>" for h in hashes.tolist()], dtype=pl.String)
        grouped.observe(pl.Series(hashes, dtype=pl.UInt64), pl.Series(counts), skeletons)
        distinct.observe_distinct(hashes, counts, skeletons)
        assert grouped.to_arrow().equals(distinct.to_arrow())
    assert grouped.evicted == distinct.evicted > 0


def test_label_memo_with_a_small_capacity_labels_a_scan_as_a_large_one(make_events: EventFactory) -> None:
    rng = np.random.default_rng(11)
    pool = [f"Question {i}: solve step by step" if i % 3 else f"Write a poem number {i}" for i in range(40)]
    pool = [p.replace(str(i), "xyz"[i % 3] * (i % 5 + 1)) for i, p in enumerate(pool)]
    small = Fingerprinter(dataclasses.replace(Fingerprinter().config, classifier_cache_size=6))
    large = Fingerprinter()
    for _ in range(8):
        batch = make_events([pool[i] for i in rng.integers(0, len(pool), size=12)])
        out_small, out_large = small.fingerprint(batch), large.fingerprint(batch)
        assert out_small.equals(out_large)
        assert isinstance(out_small, pa.RecordBatch)
    assert len(small._user_labels) < len(large._user_labels)
