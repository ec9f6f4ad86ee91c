"""The template catalog: counts, previews, MinHash signatures, near-duplicate clusters, bounded size."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from datasketch import MinHash
from fp_events import EventFactory

from distillguard.errors import SchemaMismatchError
from distillguard.fingerprint import FingerprintConfig, Fingerprinter, MinHashParams, TemplateCatalog
from distillguard.fingerprint._catalog import MinHasher, shingle_hash, skeleton_shingles

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


@pytest.mark.parametrize(
    "skeleton",
    [
        "solve the following problem <num> . think step by step",
        "hi there",
        "请一步一步思考 <num> 题",
        "ok",
        "",
    ],
)
def test_signatures_equal_datasketch_minhash(skeleton: str) -> None:
    params = MinHashParams(num_perm=32, seed=7)
    [ours] = MinHasher(params).signatures(pl.Series([skeleton]))
    reference = MinHash(num_perm=32, seed=7, scheme="affine32", hashfunc=shingle_hash)
    reference.update_batch(skeleton_shingles(skeleton, params))
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
        MinHashParams(version="0+datasketch-2.0.0").check_compatible(MinHashParams())


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


def _observe(catalog: TemplateCatalog, hashes: list[int], skeletons: list[str]) -> None:
    catalog.observe(
        pl.Series(hashes, dtype=pl.UInt64),
        pl.Series([1] * len(hashes), dtype=pl.Int64),
        pl.Series(skeletons, dtype=pl.String),
    )


def test_signatures_stay_with_their_templates_through_eviction() -> None:
    catalog = TemplateCatalog(MinHashParams(num_perm=16), max_templates=6)
    skeleton = {h: f"template {chr(96 + h)} asks for <num> things" for h in range(1, 21)}
    _observe(catalog, [1, 2, 3], [skeleton[h] for h in (1, 2, 3)])
    _observe(catalog, [1, 2], [skeleton[1], skeleton[2]])  # 1 and 2 are now the most frequent
    catalog.signature(1)  # signatures computed for the first three only
    for first in range(4, 20, 4):
        hashes = list(range(first, first + 4))
        _observe(catalog, hashes, [skeleton[h] for h in hashes])
    assert len(catalog) <= 6 and catalog.evicted > 0
    assert 1 in catalog and 2 in catalog and 3 not in catalog
    hasher = MinHasher(catalog.params)
    for h in catalog:
        [expected] = hasher.signatures(pl.Series([skeleton[h]]))
        assert np.array_equal(catalog.signature(h).hashvalues, expected)
        assert catalog.preview(h) == skeleton[h]


def test_observe_adds_up_repeated_hashes_and_finds_templates() -> None:
    catalog = TemplateCatalog()
    _observe(catalog, [5, 7, 5], ["five", "seven", "five"])
    _observe(catalog, [7], ["seven"])
    assert catalog.requests(5) == 2 and catalog.requests(7) == 2 and len(catalog) == 2
    assert 5 in catalog and 6 not in catalog and "5" not in catalog and -1 not in catalog
    with pytest.raises(KeyError):
        catalog.preview(6)


def test_index_by_insertion_equals_sorting_every_hash() -> None:
    rng = np.random.default_rng(5)
    catalog = TemplateCatalog(max_templates=10_000)
    for size in (7, 1, 300, 64, 0, 1_000):
        hashes = rng.integers(1, 2**63, size=size, dtype=np.uint64)
        skeletons = [f"template number {h} with <num> slots" for h in hashes.tolist()]
        catalog.observe(
            pl.Series(hashes, dtype=pl.UInt64),
            pl.Series(np.ones(size, dtype=np.int64)),
            pl.Series(skeletons, dtype=pl.String),
        )
        inserted = (catalog._sorted_hashes.copy(), catalog._sorted_slots.copy())
        catalog._reindex()
        assert np.array_equal(inserted[0], catalog._sorted_hashes)
        assert np.array_equal(inserted[1], catalog._sorted_slots)
    # Every template is found at its own slot.
    held = catalog._hashes[: len(catalog)]
    assert np.array_equal(catalog._lookup(held), np.arange(len(catalog)))


def test_signatures_on_several_threads_equal_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import distillguard.fingerprint._catalog as catalog_module

    monkeypatch.setattr(catalog_module, "_SIGNATURE_SLICE", 7)  # 50 missing signatures: 8 slices, 2 threads
    skeletons = [f"request {i} about <num> widgets in {i % 5} colours" for i in range(60)]
    catalog = TemplateCatalog(MinHashParams(num_perm=16))
    _observe(catalog, list(range(1, 61)), skeletons)
    catalog.sign_pending(limit=10)  # some signed already, the rest at once
    table = catalog.to_arrow()
    expected = MinHasher(catalog.params).signatures(pl.Series(skeletons))
    assert np.array_equal(np.stack(table["signature"].to_numpy(zero_copy_only=False)), expected)
