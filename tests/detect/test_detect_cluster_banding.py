"""The band-at-a-time LSH banding finds exactly the candidate pairs of the plain definition."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl

from distillguard.detect._clusters import _band_edges, _components


def _reference_edges(matrix: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """Every template linked to the smallest template sharing its values in some band."""
    edges: set[tuple[int, int]] = set()
    for band in range(bands):
        first: dict[tuple[int, ...], int] = {}
        for node, row in enumerate(matrix[:, band * rows : (band + 1) * rows].tolist()):
            root = first.setdefault(tuple(row), node)
            if root != node:
                edges.add((node, root))
    return edges


def _signatures(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    matrix = rng.integers(0, 2**32, (300, 24), dtype=np.uint64).astype(np.uint32)
    # Near-duplicates: copies of a few templates with some of their values changed.
    for copy in range(200, 300):
        source = int(rng.integers(0, 20))
        matrix[copy] = matrix[source]
        changed = rng.choice(24, size=int(rng.integers(0, 12)), replace=False)
        matrix[copy, changed] = rng.integers(0, 2**32, len(changed), dtype=np.uint64).astype(np.uint32)
    return matrix


def test_band_edges_match_the_definition() -> None:
    matrix = _signatures(3)
    edges = _band_edges(matrix, bands=6, rows=4)
    found = set(zip(edges["node"].to_list(), edges["root"].to_list(), strict=True))
    expected = _reference_edges(matrix, 6, 4)
    assert found == expected
    assert len(found) > 50


def test_components_label_each_template_with_its_smallest_linked_template() -> None:
    matrix = _signatures(4)
    labels = _components(len(matrix), _band_edges(matrix, bands=6, rows=4))
    for node, root in _reference_edges(matrix, 6, 4):
        assert labels[node] == labels[root] <= root
    assert labels[:20].tolist() == list(range(20))


def test_components_equal_the_graph_definition_on_long_chains_and_stars() -> None:
    """Each node's label is the smallest node of its connected component (networkx as the reference),
    however long the chains: a path of 5,000 nodes given in shuffled order, stars, isolated nodes."""
    import networkx as nx

    rng = np.random.default_rng(8)
    n = 12_000
    path = rng.permutation(5_000)
    pairs = [(int(x), int(y)) for x, y in itertools.pairwise(path)]
    pairs += [(int(rng.integers(5_000, n)), int(rng.integers(5_000, n))) for _ in range(3_000)]
    edges = pl.DataFrame(
        {"node": [max(p) for p in pairs], "root": [min(p) for p in pairs]},
        schema={"node": pl.Int64, "root": pl.Int64},
    )
    labels = _components(n, edges)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(pairs)
    expected = np.arange(n)
    for component in nx.connected_components(graph):
        members = list(component)
        expected[members] = min(members)
    assert labels.tolist() == expected.tolist()
    assert labels.dtype == np.int64
