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

import re
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.errors import SchemaMismatchError
from distillguard.fingerprint._hashing import xxh32, xxh32_series
from distillguard.fingerprint._vocab import dense_ids

if TYPE_CHECKING:
    from datasketch import LeanMinHash

# datasketch is imported where it is used: it pulls in scipy (~1 s and ~60 MB per process), and the
# scan's parse workers import this package for ``prepare`` alone.

ALGORITHM: Final = "datasketch-minhash-affine32/xxh32-token-polynomial/word-shingles"
SCHEME: Final = "affine32"
# Bumped whenever the shingling (tokens, placeholders) changes, since it changes every signature.
SHINGLING_VERSION: Final = "2"

# Tokens of a skeleton: placeholders, single CJK characters (those scripts do not separate words with
# spaces), and runs of letters/digits.
_TOKEN_RE: Final = r"<[a-z]+>|[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]|[\p{L}\p{N}_]+"
# Python's re has no \p{...}: the same token classes for the reference implementation.
_PY_TOKEN_RE: Final = r"<[a-z]+>|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W]+"
_MIX: Final = 0x9E3779B1
_MIX_U32: Final = np.uint32(_MIX)
# Templates whose signatures are computed together: bounds the shingle arrays (~50 shingles a template)
# and polars' intermediates (the tokens). 4,096 rather than 16,384: the scan's last signatures run on
# threads that end afterwards, and polars' allocator keeps what such a thread freed (its arena sees no more
# activity to decay it): 16,384 left the scan's peak, in detection, ~45 MB higher.
_SIGNATURE_SLICE: Final = 4_096
# Templates ``sign_pending`` signs per call: ~30 ms of work, so that a caller filling a wait with it
# notices soon when the wait is over.
_PENDING_SLICE: Final = 2_048
# Threads that compute a large batch of missing signatures at once (``_ensure_signatures``).
_SIGNING_THREADS: Final = 2


def _datasketch_version() -> str:
    return package_version("datasketch")


@dataclass(frozen=True)
class MinHashParams:
    """Everything that must match for two signatures to be comparable."""

    num_perm: int = 64
    seed: int = 1
    shingle_size: int = 3
    shingle_chars: int = 300
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
            "shingle_chars": self.shingle_chars,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MinHashParams:
        return cls(
            num_perm=int(data["num_perm"]),
            seed=int(data["seed"]),
            shingle_size=int(data["shingle_size"]),
            shingle_chars=int(data["shingle_chars"]),
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
        from datasketch import LeanMinHash

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


def shingle_hash(tokens: Sequence[str]) -> int:
    """The 32-bit hash of one shingle (a few consecutive tokens): a polynomial over the tokens' xxh32.

    This is the ``hashfunc`` the signatures use, defined on token tuples so that ``MinHasher`` can compute
    it for millions of shingles with numpy from the xxh32 of each distinct token, instead of hashing every
    shingle string in Python.
    """
    value = 0
    for token in tokens:
        value = (value * _MIX + xxh32(token)) & 0xFFFFFFFF
    return value


def skeleton_shingles(skeleton: str, params: MinHashParams) -> list[tuple[str, ...]]:
    """The shingles of one skeleton, as ``MinHasher`` forms them (the reference for tests and docs)."""
    frame = pl.DataFrame({"s": [skeleton]}).select(pl.col("s").str.slice(0, params.shingle_chars))
    tokens = tuple(re.findall(_PY_TOKEN_RE, frame["s"][0]))
    size = params.shingle_size
    if len(tokens) < size:
        return [tokens] if tokens else []
    return [tokens[i : i + size] for i in range(len(tokens) - size + 1)]


class MinHasher:
    """Computes datasketch-compatible signatures for many skeletons at once."""

    def __init__(self, params: MinHashParams) -> None:
        self.params = params
        from datasketch import MinHash

        permutations = MinHash(num_perm=params.num_perm, seed=params.seed, scheme=SCHEME).permutations
        self._a = np.asarray(permutations[0], dtype=np.uint32)
        self._b = np.asarray(permutations[1], dtype=np.uint32)

    def signatures(self, skeletons: pl.Series) -> npt.NDArray[np.uint32]:
        """One row of ``num_perm`` hash values per skeleton."""
        result = np.full((len(skeletons), self.params.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
        rows, hashes = self._shingle_hashes(skeletons)
        if len(rows) == 0:
            return result
        keys = np.sort((rows.astype(np.uint64) << np.uint64(32)) | hashes.astype(np.uint64))
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
        rows = (keys >> np.uint64(32)).astype(np.int64)
        mixed = _fmix32((keys & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        starts = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
        result[rows[starts]] = self._minima(mixed, starts).T
        return result

    def _minima(self, mixed: npt.NDArray[np.uint32], starts: npt.NDArray[np.intp]) -> npt.NDArray[np.uint32]:
        """(num_perm x rows): per permutation, the smallest permuted value of each row's run of shingles.

        One permutation at a time over a contiguous vector: a minimum over runs of a 1-D array is ~9x
        faster in numpy than the same reduction down the rows of a (shingles x permutations) matrix, and
        the temporary is one vector instead of a matrix.
        """
        minima = np.empty((self.params.num_perm, len(starts)), dtype=np.uint32)
        permuted = np.empty(len(mixed), dtype=np.uint32)
        for index, (a, b) in enumerate(zip(self._a, self._b, strict=True)):
            np.multiply(mixed, a, out=permuted)
            permuted += b
            minima[index] = np.minimum.reduceat(permuted, starts)
        return minima

    def _shingle_hashes(self, skeletons: pl.Series) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
        """(row, shingle hash) for every shingle of every skeleton, computed column-wise."""
        tokens = skeletons.str.slice(0, self.params.shingle_chars).str.extract_all(_TOKEN_RE)
        lengths = tokens.list.len().fill_null(0).to_numpy().astype(np.int64)
        # Each distinct token is hashed once and gathered back by its index in the vocabulary.
        token_ids, vocabulary = dense_ids(tokens.explode().drop_nulls())
        token_hashes = xxh32_series(vocabulary).to_numpy()[token_ids]
        rows = np.repeat(np.arange(len(skeletons), dtype=np.int64), lengths)
        size = self.params.shingle_size
        # Windows of `size` tokens inside one row; a row shorter than that is one shingle of all its tokens.
        values = token_hashes.astype(np.uint32)
        window = values.copy()
        same_row = np.ones(len(values), dtype=bool)
        for k in range(1, size):
            shifted = np.zeros_like(values)
            shifted[:-k] = values[k:]
            window = window * _MIX_U32 + shifted
            later_row = np.full(len(rows), -1, dtype=np.int64)
            later_row[:-k] = rows[k:]
            same_row &= later_row == rows
        short = np.repeat((lengths > 0) & (lengths < size), lengths)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[(lengths > 0) & (lengths < size)]
        short_hashes = [
            self._short_hash(values[a : a + n])
            for a, n in zip(starts, lengths[(lengths > 0) & (lengths < size)], strict=True)
        ]
        keep = same_row & ~short
        out_rows = np.concatenate([rows[keep], rows[starts]])
        out_hashes = np.concatenate([window[keep], np.array(short_hashes, dtype=np.uint32)])
        return out_rows, out_hashes

    @staticmethod
    def _short_hash(values: npt.NDArray[np.uint32]) -> int:
        value = 0
        for item in values.tolist():
            value = (value * _MIX + item) & 0xFFFFFFFF
        return value


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
        self._size = 0
        # Slot arrays, with spare capacity at the end (grown by doubling).
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._counts = np.zeros(0, dtype=np.int64)
        self._signed = np.zeros(0, dtype=bool)
        # Signatures of the first len(_signatures) slots: allocated only when signatures are asked for, so a
        # catalog that is never asked holds none (64 x 4 bytes per template at the default num_perm).
        self._signatures = np.zeros((0, self._params.num_perm), dtype=np.uint32)
        # template hash -> slot, as a sorted array searched with numpy (a dict costs ~100 bytes a template).
        self._sorted_hashes = np.zeros(0, dtype=np.uint64)
        self._sorted_slots = np.zeros(0, dtype=np.int64)
        # The skeleton's head: the preview, and the text signatures are computed from when needed. One
        # polars string column rather than a list of Python strings (~50 bytes less a template).
        self._stored_chars = max(preview_chars, self._params.shingle_chars)
        self._previews = pl.Series("preview", [], dtype=pl.String)

    # ----- reading -----------------------------------------------------------------------------------

    @property
    def params(self) -> MinHashParams:
        return self._params

    def __len__(self) -> int:
        return self._size

    def __contains__(self, template_hash: object) -> bool:
        if not isinstance(template_hash, int | np.integer) or not 0 <= int(template_hash) < 2**64:
            return False
        return bool(self._lookup(np.array([template_hash], dtype=np.uint64))[0] >= 0)

    def __iter__(self) -> Iterator[int]:
        return iter(self._hashes[: self._size].tolist())

    def requests(self, template_hash: int) -> int:
        return int(self._counts[self._index(template_hash)])

    def preview(self, template_hash: int) -> str:
        return str(self._previews[self._index(template_hash)])[: self.preview_chars]

    def signature(self, template_hash: int) -> TemplateSignature:
        index = self._index(template_hash)
        self._ensure_signatures()
        return TemplateSignature(self._params, self._signatures[index].copy())

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
                "preview": self._previews.str.slice(0, self.preview_chars),
            }
        )

    def _index(self, template_hash: int) -> int:
        if template_hash in self:
            return int(self._lookup(np.array([template_hash], dtype=np.uint64))[0])
        raise KeyError(f"template {template_hash} is not in the catalog")

    def _lookup(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """The slot of each hash, -1 where the catalog does not hold it."""
        if len(self._sorted_hashes) == 0:
            return np.full(len(hashes), -1, dtype=np.int64)
        position = np.minimum(np.searchsorted(self._sorted_hashes, hashes), len(self._sorted_hashes) - 1)
        found = self._sorted_hashes[position] == hashes
        return np.where(found, self._sorted_slots[position], -1)

    def _index_appended(self, start: int, end: int) -> None:
        """Put slots ``start:end`` into the sorted index by insertion, where sorting every hash again (as
        ``_reindex`` does) cost ~10 ms a batch at 180,000 templates. Equal hashes keep slot order (``side=
        "right"``: the appended slots are the larger), exactly as the stable sort would."""
        hashes = self._hashes[start:end]
        order = np.argsort(hashes, kind="stable")
        at = np.searchsorted(self._sorted_hashes, hashes[order], side="right")
        self._sorted_hashes = np.insert(self._sorted_hashes, at, hashes[order])
        self._sorted_slots = np.insert(self._sorted_slots, at, order.astype(np.int64) + start)

    def _reindex(self) -> None:
        order = np.argsort(self._hashes[: self._size], kind="stable")
        self._sorted_hashes = self._hashes[: self._size][order]
        self._sorted_slots = order.astype(np.int64)

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
        self._ensure_signatures()
        from datasketch import LeanMinHash, MinHashLSH

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
        """Add a batch's distinct templates with their request counts; new ones get a signature later."""
        hashes, counts = template_hashes.cast(pl.UInt64), counts.cast(pl.Int64)
        batch = (
            pl.DataFrame({"hash": hashes, "count": counts, "skeleton": skeletons.cast(pl.String)})
            .drop_nulls("hash")
            .group_by("hash", maintain_order=True)
            .agg(pl.col("count").sum(), pl.col("skeleton").first())
        )
        self.observe_distinct(batch["hash"].to_numpy(), batch["count"].to_numpy(), batch["skeleton"])

    def observe_distinct(
        self, hashes: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64], skeletons: pl.Series
    ) -> None:
        """``observe`` for hashes known to be distinct and not null (the fingerprinter's per-batch counts):
        without the grouping that makes them so."""
        slots = self._lookup(hashes)
        known = slots >= 0
        np.add.at(self._counts, slots[known], counts[known])
        if not known.all():
            # Signatures are computed later, for the templates still here when one is needed: most new
            # templates of very diverse traffic are seen once and evicted before anyone asks.
            fresh = np.flatnonzero(~known)
            previews = skeletons.gather(fresh).str.slice(0, self._stored_chars)
            self._append(hashes[fresh], counts[fresh], None, previews)
        if len(self) > self.max_templates:
            # Evict below the cap so that eviction (a full copy) happens once per many batches, not each one.
            self._evict(int(self.max_templates * 0.9))

    def _append(
        self,
        hashes: npt.NDArray[Any],
        counts: npt.NDArray[Any],
        signatures: npt.NDArray[np.uint32] | None,
        previews: pl.Series,
    ) -> None:
        start, end = len(self), len(self) + len(previews)
        if end > len(self._hashes):
            self._grow(max(end, 2 * len(self._hashes)))
        self._hashes[start:end] = hashes
        self._counts[start:end] = counts
        if signatures is not None:
            self._allocate_signatures(end)
            self._signatures[start:end] = signatures
        self._signed[start:end] = signatures is not None
        self._previews = pl.concat([self._previews, previews.alias("preview").cast(pl.String)], rechunk=False)
        if self._previews.n_chunks() > 64:
            self._previews = self._previews.rechunk()
        self._size = end
        self._index_appended(start, end)

    def _grow(self, capacity: int) -> None:
        n = len(self)
        hashes = np.zeros(capacity, dtype=np.uint64)
        counts = np.zeros(capacity, dtype=np.int64)
        signed = np.zeros(capacity, dtype=bool)
        hashes[:n], counts[:n], signed[:n] = self._hashes[:n], self._counts[:n], self._signed[:n]
        self._hashes, self._counts, self._signed = hashes, counts, signed

    def _allocate_signatures(self, rows: int, headroom: bool = False) -> None:
        """Room for the signatures of the first ``rows`` slots: exactly that many, or with ``headroom`` (for
        a catalog still growing) as many as slots are allocated, up to the cap, so that signing as templates
        arrive does not copy the matrix at every step; at most a cap's worth (51 MB at 200,000 templates)."""
        held = len(self._signatures)
        if held < rows:
            if headroom:
                rows = max(rows, min(len(self._hashes), self.max_templates))
            signatures = np.empty((rows, self._params.num_perm), dtype=np.uint32)
            signatures[:held] = self._signatures
            self._signatures = signatures

    def sign_pending(self, limit: int = _PENDING_SLICE) -> bool:
        """Compute the signatures of up to ``limit`` templates that lack one (the oldest first); False when
        every template had one already.

        For a caller with time to spare while templates are still arriving (the scan, while it waits for
        its parse worker): the signatures are then ready when detection asks for them. The result is the
        same as computing them later; a template evicted in between was signed for nothing. So the ones
        eviction keeps longest go first: templates requested more than once (eviction drops the least
        requested), then the newest of the rest (among equals it drops the oldest).
        """
        n = len(self)
        missing = np.flatnonzero(~self._signed[:n])
        if len(missing) == 0:
            return False
        repeated = missing[self._counts[missing] > 1]
        missing = repeated[:limit] if len(repeated) else missing[-limit:]
        self._allocate_signatures(n, headroom=True)
        texts = self._previews.gather(missing).str.slice(0, self._params.shingle_chars)
        self._signatures[missing] = self._hasher.signatures(texts)
        self._signed[missing] = True
        return True

    def _ensure_signatures(self) -> None:
        """Compute the signatures of templates that do not have one yet, in slices of templates so that the
        (shingle x permutation) intermediates stay small; several slices on ``_SIGNING_THREADS`` threads.

        The scan asks for the last signatures once its parse worker has ended, on a thread beside the
        frame's assembly, which then waited for it (~1 s of one CPU idle on 1M events): the signing is
        numpy and polars work that releases the GIL, so two threads use that CPU. Each slice writes its own
        rows, and a signature depends on its template alone: the result is the same.
        """
        n = len(self)
        missing = np.flatnonzero(~self._signed[:n])
        if len(missing) == 0:
            return
        self._allocate_signatures(n)
        slices = np.array_split(missing, -(-len(missing) // _SIGNATURE_SLICE))  # even, none above a slice
        if len(slices) == 1:
            self._sign(slices[0])
        else:
            with ThreadPoolExecutor(min(_SIGNING_THREADS, len(slices)), "sign-templates") as pool:
                for _ in pool.map(self._sign, slices):
                    pass
        self._signed[missing] = True

    def _sign(self, rows: npt.NDArray[np.intp]) -> None:
        """Compute the signatures of the templates in slots ``rows`` (not marked signed here)."""
        texts = self._previews.gather(rows).str.slice(0, self._params.shingle_chars)
        self._signatures[rows] = self._hasher.signatures(texts)

    def _evict(self, keep: int) -> None:
        n = len(self)
        order = np.lexsort((-np.arange(n), -self._counts[:n]))[:keep]
        order.sort()
        self.evicted += n - len(order)
        self._hashes = self._hashes[order]
        self._counts = self._counts[order]
        self._signed = self._signed[order]
        held = len(self._signatures)
        self._signatures = self._signatures[order[order < held]] if held else self._signatures
        # Slots of signed templates must stay within the signature rows: unsign the rest.
        self._signed[len(self._signatures) :] = False
        self._previews = self._previews.gather(order)
        self._size = len(order)
        self._reindex()

    def merge(self, other: TemplateCatalog) -> None:
        """Fold another catalog (e.g. from another worker) into this one: counts add up."""
        self._params.check_compatible(other.params)
        other._ensure_signatures()
        n = len(other)
        slots = self._lookup(other._hashes[:n])
        known = slots >= 0
        np.add.at(self._counts, slots[known], other._counts[:n][known])
        if not known.all():
            rows = np.flatnonzero(~known)
            previews = other._previews.gather(rows)
            self._append(other._hashes[rows], other._counts[rows], other._signatures[rows], previews)
        if len(self) > self.max_templates:
            self._evict(self.max_templates)

    # ----- persistence -------------------------------------------------------------------------------

    def to_arrow(self) -> pa.Table:
        """The catalog as an Arrow table, with the MinHash parameters in the schema metadata."""
        n = len(self)
        self._ensure_signatures()
        signatures = pa.FixedSizeListArray.from_arrays(
            pa.array(self._signatures[:n].reshape(-1), type=pa.uint32()), self._params.num_perm
        )
        table = pa.table(
            {
                "template_hash": pa.array(self._hashes[:n], type=pa.uint64()),
                "requests": pa.array(self._counts[:n], type=pa.int64()),
                "preview": self._previews.to_arrow().cast(pa.string()),
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
            pl.Series("preview", table["preview"].to_pylist(), dtype=pl.String),
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
