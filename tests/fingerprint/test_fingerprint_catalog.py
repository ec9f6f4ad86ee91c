"""The template catalog: counts, previews, MinHash signatures, near-duplicate clusters, bounded size."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from conftest import EventFactory
from datasketch import MinHash

from distillguard.errors import SchemaMismatchError
from distillguard.fingerprint import FingerprintConfig, Fingerprinter, MinHashParams, TemplateCatalog
from distillguard.fingerprint._catalog import MinHasher, shingle_frame
from distillguard.fingerprint._hashing import xxh32

# Two phrasings of one operator template (one word changed) and an unrelated template.
OPERATOR_A = (
    "Solve the following problem {i}. Think step by step, show every intermediate calculation, check each "
    "step twice, and give the final answer on its own line prefixed with ANSWER."
)
OPERATOR_B = OPERATOR_A.replace("check each", "verify each")
OTHER = "You are a support bot for order {i}. Reply politely and briefly to the customer message below."


def texts(template: str, n: int) -> list[str]:
    return [template.format(i=i) for i in range(n)]


def test_counts_and_previews_accumulate(make_events: EventFactory) -> None:
    fingerprinter = Fingerprinter()
    fingerprinter.fingerprint(make_events(texts(OPERATOR_A, 5) + texts(OTHER, 2)))
    fingerprinter.fingerprint(make_events(texts(OPERATOR_A, 3)))
    catalog = fingerprinter.catalog
    assert len(catalog) == 2
    counts = sorted(catalog.requests(h) for h in catalog)
    assert counts == [2, 8]
    assert all(len(catalog.preview(h)) <= 300 for h in catalog)
    assert catalog.to_frame()["requests"].sum() == 10


def test_near_duplicate_templates_cluster_and_others_do_not(make_events: EventFactory) -> None:
    fingerprinter = Fingerprinter()
    fingerprinter.fingerprint(make_events(texts(OPERATOR_A, 4) + texts(OPERATOR_B, 2) + texts(OTHER, 3)))
    catalog = fingerprinter.catalog
    assert len(catalog) == 3
    clusters = catalog.clusters(threshold=0.6)
    by_requests = {catalog.requests(h): h for h in catalog}
    a, b, other = by_requests[4], by_requests[2], by_requests[3]
    assert clusters[a] == clusters[b] == a  # the cluster id is its most frequent member
    assert clusters[other] == other
    assert catalog.similarity(a, b) > 0.6 > catalog.similarity(a, other)


def test_signatures_equal_datasketch_minhash() -> None:
    params = MinHashParams(num_perm=32, seed=7)
    skeleton = "solve the following problem <num> . think step by step"
    [ours] = MinHasher(params).signatures(pl.Series([skeleton]))
    shingles = shingle_frame(pl.Series([skeleton]), params.shingle_size)["shingle"].to_list()
    reference = MinHash(num_perm=32, seed=7, scheme="affine32", hashfunc=xxh32)
    reference.update_batch(shingles)
    assert np.array_equal(ours, reference.hashvalues)


def test_mismatched_parameters_are_refused(make_events: EventFactory) -> None:
    small = Fingerprinter(FingerprintConfig(num_perm=32))
    large = Fingerprinter(FingerprintConfig(num_perm=64))
    other_seed = Fingerprinter(FingerprintConfig(minhash_seed=2))
    batch = make_events(texts(OPERATOR_A, 2))
    for fingerprinter in (small, large, other_seed):
        fingerprinter.fingerprint(batch)
    [h] = list(large.catalog)
    with pytest.raises(SchemaMismatchError, match="num_perm"):
        small.catalog.signature(h).jaccard(large.catalog.signature(h))
    with pytest.raises(SchemaMismatchError, match="seed"):
        other_seed.catalog.signature(h).jaccard(large.catalog.signature(h))
    with pytest.raises(SchemaMismatchError):
        large.catalog.merge(small.catalog)
    with pytest.raises(SchemaMismatchError, match="version"):
        MinHashParams(version="2+datasketch-2.0.0").check_compatible(MinHashParams())


def test_catalog_is_capped_keeping_the_most_frequent(make_events: EventFactory) -> None:
    fingerprinter = Fingerprinter(FingerprintConfig(max_templates=10))
    frequent = [f"Frequent template number {w} asks for something" for w in ("alpha", "beta", "gamma")]
    fingerprinter.fingerprint(make_events(frequent * 20))
    for round_ in range(4):
        rare = [f"Rare template {round_} {w} variant" for w in "abcdefghijkl"]
        fingerprinter.fingerprint(make_events(rare))
    catalog = fingerprinter.catalog
    assert len(catalog) <= 10
    assert catalog.evicted > 0
    assert sorted(catalog.requests(h) for h in catalog)[-3:] == [20, 20, 20]


def test_round_trip_through_arrow_and_merge(make_events: EventFactory) -> None:
    fingerprinter = Fingerprinter()
    fingerprinter.fingerprint(make_events(texts(OPERATOR_A, 3) + texts(OTHER, 1)))
    table = fingerprinter.catalog.to_arrow()
    restored = TemplateCatalog.from_arrow(table)
    assert restored.params == fingerprinter.catalog.params
    original = fingerprinter.catalog.to_frame().sort("template_hash")
    assert restored.to_frame().sort("template_hash").equals(original)
    restored.merge(fingerprinter.catalog)
    assert sorted(restored.requests(h) for h in restored) == [2, 6]
    with pytest.raises(SchemaMismatchError, match="lacks its MinHash parameters"):
        TemplateCatalog.from_arrow(table.replace_schema_metadata({}))
