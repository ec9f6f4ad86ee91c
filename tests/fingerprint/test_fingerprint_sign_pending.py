"""Signing catalogued templates ahead of time, a slice per call, gives the signatures computed at once."""

from __future__ import annotations

import numpy as np
import polars as pl

from distillguard.fingerprint import MinHashParams, TemplateCatalog


def _observe(catalog: TemplateCatalog, hashes: list[int], counts: list[int]) -> None:
    catalog.observe(
        pl.Series(hashes, dtype=pl.UInt64),
        pl.Series(counts, dtype=pl.Int64),
        pl.Series([f"template {h} asks for <num> things about {h % 7}" for h in hashes], dtype=pl.String),
    )


def _batches() -> list[tuple[list[int], list[int]]]:
    rng = np.random.default_rng(3)
    batches = []
    for _ in range(12):
        hashes = rng.choice(np.arange(1, 400), size=25, replace=False).tolist()
        batches.append((hashes, rng.integers(1, 5, size=25).tolist()))
    return batches


def test_signing_in_slices_between_batches_equals_signing_at_the_end() -> None:
    # A cap small enough to evict (signed and unsigned templates both), slices smaller than a batch.
    params = MinHashParams(num_perm=16)
    ahead, later = TemplateCatalog(params, max_templates=120), TemplateCatalog(params, max_templates=120)
    for step, (hashes, counts) in enumerate(_batches()):
        _observe(ahead, hashes, counts)
        _observe(later, hashes, counts)
        for _ in range(step % 3):  # sometimes not at all, sometimes twice
            ahead.sign_pending(limit=7)
    assert ahead.evicted > 0 and ahead.evicted == later.evicted
    assert ahead.to_arrow().equals(later.to_arrow())


def test_sign_pending_reports_when_nothing_is_left() -> None:
    catalog = TemplateCatalog(MinHashParams(num_perm=16))
    assert catalog.sign_pending() is False  # empty
    _observe(catalog, list(range(1, 11)), [1] * 10)
    assert [catalog.sign_pending(limit=4) for _ in range(4)] == [True, True, True, False]
    signatures = catalog._signatures.copy()
    catalog.to_arrow()  # nothing left to sign: the signatures stay as they are
    assert np.array_equal(catalog._signatures[:10], signatures[:10])
    _observe(catalog, [11], [1])  # a new template is pending again
    assert catalog.sign_pending() is True and catalog.sign_pending() is False
