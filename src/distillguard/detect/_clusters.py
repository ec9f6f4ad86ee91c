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
    frame = pl.from_arrow(table.select(["template_hash", "requests"]))
    assert isinstance(frame, pl.DataFrame)
    if frame.height == 0:
        return pl.DataFrame(schema={"template_hash": pl.UInt64, "template_cluster": pl.UInt64})
    matrix = _signature_matrix(table, frame.height)
    del table  # the previews and a copy of the signatures: drop them before the banding allocates
    bands, rows = banding(matrix.shape[1], threshold)
    edges = _band_edges(matrix, bands, rows)
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


def _signature_matrix(table: pa.Table, height: int) -> np.ndarray:
    """The signatures as a (templates, num_perm) matrix of their own 32-bit type (no 64-bit copy)."""
    chunks = [cast("pa.FixedSizeListArray[Any, Any]", chunk).flatten() for chunk in table["signature"].chunks]
    flat = chunks[0] if len(chunks) == 1 else pa.concat_arrays(chunks)
    values = np.asarray(flat.to_numpy(zero_copy_only=False))
    return values.reshape(height, len(values) // height)


def _band_edges(matrix: np.ndarray, bands: int, rows: int) -> pl.DataFrame:
    """(node, root) star edges: in every band, each template links to the smallest one with the same key.

    One band at a time, so the working memory is one band's keys, not a (templates x bands) table.
    """
    height = matrix.shape[0]
    found: list[np.ndarray] = []
    for band in range(bands):
        block = matrix[:, band * rows : (band + 1) * rows].astype(np.uint64)
        # One 64-bit key per template: a polynomial mix of the band's values (wrapping arithmetic).
        key = np.zeros(height, dtype=np.uint64)
        for column in range(rows):
            key = key * np.uint64(1_000_003) + block[:, column] + np.uint64(band)
        order = np.argsort(key)
        ordered = key[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        sizes = np.diff(np.append(starts, height))
        root = np.repeat(np.minimum.reduceat(order, starts), sizes)
        linked = order != root
        # Pairs packed into one integer, so duplicates across bands drop with one np.unique.
        found.append(order[linked].astype(np.int64) * height + root[linked])
    pairs = np.sort(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
    return pl.DataFrame(
        {"node": pairs // height, "root": pairs % height}, schema={"node": pl.Int64, "root": pl.Int64}
    )


def _components(n: int, edges: pl.DataFrame) -> np.ndarray:
    """Connected-component label (smallest node id) per node, by min-label propagation with numpy.

    Rounds repeat until no label changes (components of near-duplicate templates are shallow: a few
    rounds); a round cap would leave a long chain with several labels."""
    labels = np.arange(n, dtype=np.int64)
    if edges.height == 0:
        return labels
    a = edges["node"].to_numpy()
    b = edges["root"].to_numpy()
    while True:  # labels only decrease, so this ends
        before = labels.copy()
        low = np.minimum(labels[a], labels[b])
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        # Pointer jumping: follow labels to their own labels to converge in few rounds.
        labels = labels[labels]
        if np.array_equal(labels, before):
            break
    return labels
