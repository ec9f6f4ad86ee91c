"""The template catalog: one entry per distinct template, with a MinHash signature for near-duplicates.

Exact template hashes split a campaign's template into variants as soon as an operator changes a word;
MinHash signatures of the skeleton's word shingles let detection group those variants again (Jaccard
similarity over shingles, clustered with ``datasketch.MinHashLSH``).

Signatures are ``datasketch`` MinHashes in the ``affine32`` scheme with xxHash32 as the shingle hash. They
are computed for all new templates of a batch at once with numpy, applying the same permutations that
``datasketch.MinHash(num_perm, seed, scheme="affine32", hashfunc=xxh32)`` would (a test checks they are
identical), because building one ``MinHash`` object per template in Python would cost more than the rest of
the fingerprint stage together.

Memory is bounded by ``max_templates``: when the catalog grows past it, it keeps the most frequent
templates (ties: the most recently added) and drops the rest, counting how many it dropped in ``evicted``.
A dropped template that returns starts again from zero.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from datasketch import LeanMinHash, MinHash, MinHashLSH

from distillguard.errors import SchemaMismatchError
from distillguard.fingerprint._hashing import xxh32_series

ALGORITHM: Final = "datasketch-minhash-affine32/xxh32-utf8/word-shingles"
SCHEME: Final = "affine32"
# Bumped whenever the shingling (tokens, placeholders) changes, since it changes every signature.
SHINGLING_VERSION: Final = "1"

# Tokens of a skeleton: placeholders, single CJK characters (those scripts do not separate words with
# spaces), and runs of letters/digits.
_TOKEN_RE: Final = r"<[a-z]+>|[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]|[\p{L}\p{N}_]+"
# Rows of (shingle x permutation) processed at once, to bound the temporary matrix (~25 MB at 64 perms).
_CHUNK_ROWS: Final = 100_000


def _datasketch_version() -> str:
    return package_version("datasketch")


@dataclass(frozen=True)
class MinHashParams:
    """Everything that must match for two signatures to be comparable."""

    num_perm: int = 64
    seed: int = 1
    shingle_size: int = 3
    algorithm: str = ALGORITHM
    version: str = field(default_factory=lambda: f"{SHINGLING_VERSION}+datasketch-{_datasketch_version()}")

    def check_compatible(self, other: MinHashParams) -> None:
        """Raise ``SchemaMismatchError`` unless signatures made with ``other`` compare with ours.

        The datasketch version is recorded for provenance; only its major version must match, since the
        ``affine32`` permutations are fixed by the seed within a major version.
        """
        mine, theirs = self.to_dict(), other.to_dict()
        mine["version"], theirs["version"] = self._compat_version(), other._compat_version()
        different = [key for key in mine if mine[key] != theirs[key]]
        if different:
            raise SchemaMismatchError(
                "MinHash signatures made with different parameters cannot be compared",
                fields=", ".join(different),
                ours=", ".join(f"{key}={mine[key]}" for key in different),
                theirs=", ".join(f"{key}={theirs[key]}" for key in different),
            )

    def _compat_version(self) -> str:
        shingling, _, library = self.version.partition("+")
        return f"{shingling}+{library.split('.')[0]}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "num_perm": self.num_perm,
            "seed": self.seed,
            "shingle_size": self.shingle_size,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MinHashParams:
        return cls(
            num_perm=int(data["num_perm"]),
            seed=int(data["seed"]),
            shingle_size=int(data["shingle_size"]),
            algorithm=str(data["algorithm"]),
            version=str(data["version"]),
        )


@dataclass(frozen=True, eq=False)
class TemplateSignature:
    """A MinHash signature of one skeleton, tagged with the parameters that made it."""

    params: MinHashParams
    hashvalues: npt.NDArray[np.uint32]

    def jaccard(self, other: TemplateSignature) -> float:
        """Estimated Jaccard similarity of the two skeletons' shingle sets."""
        self.params.check_compatible(other.params)
        return float(np.mean(self.hashvalues == other.hashvalues))

    def to_minhash(self) -> LeanMinHash:
        return LeanMinHash(seed=self.params.seed, hashvalues=self.hashvalues, scheme=SCHEME)


@dataclass(frozen=True)
class TemplateEntry:
    template_hash: int
    requests: int
    preview: str
    signature: TemplateSignature


def _fmix32(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """MurmurHash3's 32-bit finalizer, the pre-mix of datasketch's affine32 scheme (wrapping arithmetic)."""
    h = values.copy()
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def shingle_frame(skeletons: pl.Series, shingle_size: int) -> pl.DataFrame:
    """(row, shingle) pairs: word ``shingle_size``-grams of each skeleton (the whole skeleton if shorter)."""
    tokens = pl.col("skeleton").str.extract_all(_TOKEN_RE)
    parts = [pl.element().shift(-k) for k in range(shingle_size)]
    windows = tokens.list.eval(pl.concat_str(parts, separator=" ").drop_nulls())
    whole = tokens.list.join(" ")
    frame = pl.DataFrame({"skeleton": skeletons}).with_row_index("row")
    return (
        frame.select(
            "row",
            pl.when(tokens.list.len() >= shingle_size)
            .then(windows)
            .otherwise(pl.concat_list(whole))
            .alias("shingle"),
        )
        .explode("shingle")
        .drop_nulls("shingle")
    )


class MinHasher:
    """Computes datasketch-compatible signatures for many skeletons at once."""

    def __init__(self, params: MinHashParams) -> None:
        self.params = params
        permutations = MinHash(num_perm=params.num_perm, seed=params.seed, scheme=SCHEME).permutations
        self._a = np.asarray(permutations[0], dtype=np.uint32)
        self._b = np.asarray(permutations[1], dtype=np.uint32)

    def signatures(self, skeletons: pl.Series) -> npt.NDArray[np.uint32]:
        """One row of ``num_perm`` hash values per skeleton."""
        result = np.full((len(skeletons), self.params.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
        pairs = shingle_frame(skeletons, self.params.shingle_size)
        if pairs.height == 0:
            return result
        distinct = pairs.select(pl.col("shingle").unique())
        hashed = distinct.with_columns(xxh32_series(distinct["shingle"]).alias("hv"))
        pairs = pairs.join(hashed, on="shingle").select("row", "hv").unique().sort("row")
        rows = pairs["row"].to_numpy()
        mixed = _fmix32(pairs["hv"].to_numpy())
        for start in range(0, len(rows), _CHUNK_ROWS):
            self._reduce_chunk(rows[start : start + _CHUNK_ROWS], mixed[start : start + _CHUNK_ROWS], result)
        return result

    def _reduce_chunk(
        self, rows: npt.NDArray[np.uint32], mixed: npt.NDArray[np.uint32], out: npt.NDArray[np.uint32]
    ) -> None:
        permuted = mixed[:, None] * self._a[None, :] + self._b[None, :]
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        minima = np.minimum.reduceat(permuted, starts, axis=0)
        targets = rows[starts]
        out[targets] = np.minimum(out[targets], minima)


class TemplateCatalog:
    """Every distinct template seen: request count, skeleton preview and MinHash signature."""

    def __init__(
        self, params: MinHashParams | None = None, max_templates: int = 200_000, preview_chars: int = 300
    ) -> None:
        self._params = params or MinHashParams()
        self._hasher = MinHasher(self._params)
        self.max_templates = max_templates
        self.preview_chars = preview_chars
        self.evicted = 0
        self._slot: dict[int, int] = {}
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._counts = np.zeros(0, dtype=np.int64)
        self._signatures = np.zeros((0, self._params.num_perm), dtype=np.uint32)
        self._previews: list[str] = []

    # ----- reading -----------------------------------------------------------------------------------

    @property
    def params(self) -> MinHashParams:
        return self._params

    def __len__(self) -> int:
        return len(self._previews)

    def __contains__(self, template_hash: object) -> bool:
        return template_hash in self._slot

    def __iter__(self) -> Iterator[int]:
        return iter(list(self._slot))

    def requests(self, template_hash: int) -> int:
        return int(self._counts[self._index(template_hash)])

    def preview(self, template_hash: int) -> str:
        return self._previews[self._index(template_hash)]

    def signature(self, template_hash: int) -> TemplateSignature:
        return TemplateSignature(self._params, self._signatures[self._index(template_hash)].copy())

    def entry(self, template_hash: int) -> TemplateEntry:
        return TemplateEntry(
            template_hash=template_hash,
            requests=self.requests(template_hash),
            preview=self.preview(template_hash),
            signature=self.signature(template_hash),
        )

    def similarity(self, first: int, second: int) -> float:
        """Estimated Jaccard similarity of two templates' skeletons."""
        return self.signature(first).jaccard(self.signature(second))

    def to_frame(self) -> pl.DataFrame:
        """One row per template: ``template_hash``, ``requests``, ``preview`` (no signatures)."""
        n = len(self)
        return pl.DataFrame(
            {
                "template_hash": pl.Series(self._hashes[:n], dtype=pl.UInt64),
                "requests": pl.Series(self._counts[:n], dtype=pl.Int64),
                "preview": pl.Series(self._previews, dtype=pl.String),
            }
        )

    def _index(self, template_hash: int) -> int:
        try:
            return self._slot[template_hash]
        except KeyError:
            raise KeyError(f"template {template_hash} is not in the catalog") from None

    # ----- near-duplicate grouping -----------------------------------------------------------------------

    def clusters(self, threshold: float = 0.7) -> dict[int, int]:
        """Map every template to a cluster id: templates whose skeletons are near-duplicates share one.

        Candidate pairs come from ``datasketch.MinHashLSH`` at Jaccard ``threshold``; a candidate pair is
        kept only if its estimated similarity reaches the threshold, and clusters are the connected
        components of the kept pairs. The cluster id is the template hash of the cluster's most frequent
        member, so it is stable and points at a real template.
        """
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        n = len(self)
        lsh = MinHashLSH(threshold=threshold, num_perm=self._params.num_perm)
        sketches = [
            LeanMinHash(seed=self._params.seed, hashvalues=self._signatures[i], scheme=SCHEME)
            for i in range(n)
        ]
        with lsh.insertion_session() as session:
            for i, sketch in enumerate(sketches):
                session.insert(i, sketch, check_duplication=False)
        parent = list(range(n))
        for i, sketch in enumerate(sketches):
            for j in lsh.query(sketch):
                if j != i and sketch.jaccard(sketches[j]) >= threshold:
                    _union(parent, i, j)
        return self._label_components(parent)

    def _label_components(self, parent: list[int]) -> dict[int, int]:
        n = len(parent)
        roots = np.array([_find(parent, i) for i in range(n)], dtype=np.int64)
        frame = pl.DataFrame({"root": roots, "count": self._counts[:n], "hash": self._hashes[:n]})
        leaders = (
            frame.sort(["count", "hash"], descending=[True, False])
            .group_by("root", maintain_order=True)
            .agg(pl.col("hash").first().alias("cluster"))
        )
        labelled = frame.join(leaders, on="root", how="left", maintain_order="left")
        return dict(zip(labelled["hash"].to_list(), labelled["cluster"].to_list(), strict=True))

    # ----- writing -----------------------------------------------------------------------------------

    def observe(self, template_hashes: pl.Series, counts: pl.Series, skeletons: pl.Series) -> None:
        """Add a batch's distinct templates with their request counts; new ones get a signature."""
        new_rows: list[int] = []
        for row, (value, count) in enumerate(zip(template_hashes.to_list(), counts.to_list(), strict=True)):
            slot = self._slot.get(value)
            if slot is None:
                new_rows.append(row)
            else:
                self._counts[slot] += count
        if new_rows:
            signatures = self._hasher.signatures(skeletons.gather(new_rows))
            previews = skeletons.gather(new_rows).str.slice(0, self.preview_chars).to_list()
            self._append(
                template_hashes.gather(new_rows).to_numpy(),
                counts.gather(new_rows).to_numpy(),
                signatures,
                previews,
            )
        if len(self) > self.max_templates:
            # Evict below the cap so that eviction (a full copy) happens once per many batches, not each one.
            self._evict(int(self.max_templates * 0.9))

    def _append(
        self,
        hashes: npt.NDArray[Any],
        counts: npt.NDArray[Any],
        signatures: npt.NDArray[np.uint32],
        previews: list[str],
    ) -> None:
        start, end = len(self), len(self) + len(previews)
        if end > len(self._hashes):
            self._grow(max(end, 2 * len(self._hashes)))
        self._hashes[start:end] = hashes
        self._counts[start:end] = counts
        self._signatures[start:end] = signatures
        self._previews.extend(previews)
        for offset, value in enumerate(self._hashes[start:end].tolist()):
            self._slot[value] = start + offset

    def _grow(self, capacity: int) -> None:
        n = len(self)
        hashes = np.zeros(capacity, dtype=np.uint64)
        counts = np.zeros(capacity, dtype=np.int64)
        signatures = np.zeros((capacity, self._params.num_perm), dtype=np.uint32)
        hashes[:n], counts[:n], signatures[:n] = self._hashes[:n], self._counts[:n], self._signatures[:n]
        self._hashes, self._counts, self._signatures = hashes, counts, signatures

    def _evict(self, keep: int) -> None:
        n = len(self)
        order = np.lexsort((-np.arange(n), -self._counts[:n]))[:keep]
        order.sort()
        self.evicted += n - len(order)
        self._hashes = self._hashes[order]
        self._counts = self._counts[order]
        self._signatures = self._signatures[order]
        self._previews = [self._previews[i] for i in order]
        self._slot = {value: slot for slot, value in enumerate(self._hashes.tolist())}

    def merge(self, other: TemplateCatalog) -> None:
        """Fold another catalog (e.g. from another worker) into this one: counts add up."""
        self._params.check_compatible(other.params)
        n = len(other)
        new_rows: list[int] = []
        for row, (value, count) in enumerate(
            zip(other._hashes[:n].tolist(), other._counts[:n].tolist(), strict=True)
        ):
            slot = self._slot.get(value)
            if slot is None:
                new_rows.append(row)
            else:
                self._counts[slot] += count
        if new_rows:
            rows = np.asarray(new_rows)
            previews = [other._previews[i] for i in new_rows]
            self._append(other._hashes[rows], other._counts[rows], other._signatures[rows], previews)
        if len(self) > self.max_templates:
            self._evict(self.max_templates)

    # ----- persistence -------------------------------------------------------------------------------

    def to_arrow(self) -> pa.Table:
        """The catalog as an Arrow table, with the MinHash parameters in the schema metadata."""
        n = len(self)
        signatures = pa.FixedSizeListArray.from_arrays(
            pa.array(self._signatures[:n].reshape(-1), type=pa.uint32()), self._params.num_perm
        )
        table = pa.table(
            {
                "template_hash": pa.array(self._hashes[:n], type=pa.uint64()),
                "requests": pa.array(self._counts[:n], type=pa.int64()),
                "preview": pa.array(self._previews, type=pa.string()),
                "signature": signatures,
            }
        )
        metadata = {f"minhash.{key}": str(value) for key, value in self._params.to_dict().items()}
        return table.replace_schema_metadata(metadata)

    @classmethod
    def from_arrow(
        cls, table: pa.Table, max_templates: int = 200_000, preview_chars: int = 300
    ) -> TemplateCatalog:
        metadata = {key.decode(): value.decode() for key, value in (table.schema.metadata or {}).items()}
        try:
            params = MinHashParams.from_dict(
                {
                    key.removeprefix("minhash."): value
                    for key, value in metadata.items()
                    if key.startswith("minhash.")
                }
            )
        except KeyError as missing:
            raise SchemaMismatchError(
                "template catalog table lacks its MinHash parameters", key=str(missing)
            ) from None
        catalog = cls(params, max_templates=max_templates, preview_chars=preview_chars)
        n = table.num_rows
        flat = pc.list_flatten(table["signature"]).to_numpy()
        catalog._append(
            table["template_hash"].to_numpy().astype(np.uint64),
            table["requests"].to_numpy().astype(np.int64),
            flat.astype(np.uint32).reshape(n, params.num_perm),
            [str(text) for text in table["preview"].to_pylist()],
        )
        return catalog


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _union(parent: list[int], i: int, j: int) -> None:
    root_i, root_j = _find(parent, i), _find(parent, j)
    if root_i != root_j:
        parent[max(root_i, root_j)] = min(root_i, root_j)
