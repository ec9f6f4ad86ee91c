"""Columnar LSH banding over catalog signatures groups near-duplicate templates, and only those."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from distillguard.detect._clusters import banding, signature_clusters


class _Catalog:
    def __init__(self, hashes: list[int], requests: list[int], signatures: np.ndarray) -> None:
        self._table = pa.table(
            {
                "template_hash": pa.array(hashes, type=pa.uint64()),
                "requests": pa.array(requests, type=pa.int64()),
                "preview": pa.array([""] * len(hashes)),
                "signature": pa.FixedSizeListArray.from_arrays(
                    pa.array(signatures.reshape(-1), type=pa.uint32()), signatures.shape[1]
                ),
            }
        )

    def to_arrow(self) -> pa.Table:
        return self._table


def test_banding_midpoint_is_near_the_threshold() -> None:
    bands, rows = banding(64, 0.7)
    assert bands * rows <= 64
    assert abs((1 / bands) ** (1 / rows) - 0.7) < 0.05


def test_near_duplicates_share_a_cluster_led_by_the_most_requested() -> None:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 2**32, 64, dtype=np.uint64)
    variant = base.copy()
    variant[rng.choice(64, 6, replace=False)] = rng.integers(0, 2**32, 6, dtype=np.uint64)  # ~0.9 similar
    other = rng.integers(0, 2**32, 64, dtype=np.uint64)
    catalog = _Catalog([10, 11, 12], [5, 50, 7], np.stack([base, variant, other]).astype(np.uint32))
    clusters = dict(signature_clusters(catalog, 0.7).iter_rows())
    assert clusters[10] == clusters[11] == 11
    assert clusters[12] == 12


def test_empty_catalog() -> None:
    catalog = _Catalog([], [], np.zeros((0, 64), dtype=np.uint32))
    assert signature_clusters(catalog, 0.7).height == 0
