"""Near-duplicate template clusters from the catalog's MinHash signatures, with columnar LSH banding.

``TemplateCatalog.clusters`` queries a ``datasketch.MinHashLSH`` one template at a time, which is fine for
thousands of templates but takes minutes for the tens of thousands a day of traffic produces (every
one-off prompt is its own template). When the catalog can hand over its signatures as an Arrow table
(``to_arrow``: ``template_hash`` and a fixed-size-list ``signature``), the same banding is done here as
polars group-bys: the signature is cut into ``bands`` bands of ``rows`` values, templates whose band
values agree in any band are candidates, and clusters are the connected components of the candidates
(label propagation, vectorised). The S-curve of banding puts the similarity at which two templates become
candidates with probability 1/2 at about (1 / bands) ** (1 / rows).
"""

from __future__ import annotations

from typing import Any, Protocol, cast, runtime_checkable

import numpy as np
import polars as pl
import pyarrow as pa

# How many label-propagation rounds at most; components of near-duplicate templates are shallow.
MAX_ROUNDS = 30


@runtime_checkable
class SignedCatalog(Protocol):
    """A catalog that can hand over its MinHash signatures (``TemplateCatalog.to_arrow``)."""

    def to_arrow(self) -> pa.Table: ...


def banding(num_perm: int, threshold: float) -> tuple[int, int]:
    """(bands, rows) with bands * rows <= num_perm whose S-curve midpoint is closest to ``threshold``."""
    best = (1, num_perm)
    best_gap = float("inf")
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        midpoint = (1.0 / bands) ** (1.0 / rows)
        if abs(midpoint - threshold) < best_gap:
            best, best_gap = (bands, rows), abs(midpoint - threshold)
    return best


def signature_clusters(catalog: SignedCatalog, threshold: float) -> pl.DataFrame:
    """``template_hash`` -> ``template_cluster`` (the cluster's most requested member's hash)."""
    table = catalog.to_arrow()
    frame = pl.from_arrow(table.select(["template_hash", "requests", "signature"]))
    assert isinstance(frame, pl.DataFrame)
    if frame.height == 0:
        return pl.DataFrame(schema={"template_hash": pl.UInt64, "template_cluster": pl.UInt64})
    flat = pa.concat_arrays(
        [cast("pa.FixedSizeListArray[Any, Any]", chunk).flatten() for chunk in table["signature"].chunks]
    )
    signatures = np.asarray(flat.to_numpy(zero_copy_only=False), dtype=np.uint64)
    num_perm = len(signatures) // frame.height
    matrix = signatures.reshape(frame.height, num_perm)
    bands, rows = banding(num_perm, threshold)
    # One 64-bit key per (template, band): a polynomial mix of the band's values.
    keys = np.zeros((frame.height, bands), dtype=np.uint64)
    for band in range(bands):
        block = matrix[:, band * rows : (band + 1) * rows]
        mixed = np.zeros(frame.height, dtype=np.uint64)
        for column in range(rows):
            mixed = mixed * np.uint64(1_000_003) + block[:, column] + np.uint64(band)
        keys[:, band] = mixed
    node = np.arange(frame.height, dtype=np.int64)
    buckets = pl.DataFrame(
        {"node": np.repeat(node, bands), "band": np.tile(np.arange(bands), frame.height), "key": keys.ravel()}
    )
    # Star edges: every member of a bucket links to the bucket's smallest node (same components as all pairs).
    edges = (
        buckets.with_columns(pl.col("node").min().over("band", "key").alias("root"))
        .filter(pl.col("node") != pl.col("root"))
        .select("node", "root")
        .unique()
    )
    labels = _components(frame.height, edges)
    ranked = frame.select("template_hash", "requests").with_columns(pl.Series("label", labels))
    leaders = (
        ranked.sort(["requests", "template_hash"], descending=[True, False])
        .group_by("label", maintain_order=True)
        .agg(pl.col("template_hash").first().alias("template_cluster"))
    )
    return ranked.join(leaders, on="label").select(
        pl.col("template_hash").cast(pl.UInt64), pl.col("template_cluster").cast(pl.UInt64)
    )


def _components(n: int, edges: pl.DataFrame) -> np.ndarray:
    """Connected-component label (smallest node id) per node, by min-label propagation with numpy."""
    labels = np.arange(n, dtype=np.int64)
    if edges.height == 0:
        return labels
    a = edges["node"].to_numpy()
    b = edges["root"].to_numpy()
    for _ in range(MAX_ROUNDS):
        before = labels.copy()
        low = np.minimum(labels[a], labels[b])
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        # Pointer jumping: follow labels to their own labels to converge in few rounds.
        labels = labels[labels]
        if np.array_equal(labels, before):
            break
    return labels
