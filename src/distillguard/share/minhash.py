"""Template fingerprints: MinHash signatures over *keyed* shingle hashes of a masked prompt skeleton.

Two members with the same consortium key get near-identical signatures for near-identical templates
(the fraction of equal signature slots estimates the Jaccard similarity of their word 3-gram sets).
Without the key the shingle hashes, and so the signature, say nothing about the text: an outsider
cannot test a guessed template against it.

Each distinct shingle is hashed once with keyed BLAKE2b (a PRF under the epoch key); the MinHash
permutations (``(a * x + b) mod 2^61-1``, lower 32 bits, as in datasketch) are applied to all
(template, shingle) pairs at once with numpy, so thousands of templates take well under a second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from distillguard.errors import SchemaMismatchError
from distillguard.share.keys import ConsortiumKey

NUM_PERM = 64
SHINGLE_WORDS = 3
# Fixed seed: the permutations are public; the secrecy lives in the keyed shingle hashes.
_PERMUTATION_SEED = 20260301
_MERSENNE_PRIME = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64(0xFFFFFFFF)
_PAIRS_PER_CHUNK = 65_536


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(_PERMUTATION_SEED)
    a = rng.randint(1, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
    b = rng.randint(0, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
    return a, b


_A, _B = _permutations()


def shingles(skeleton: str, size: int = SHINGLE_WORDS) -> set[str]:
    words = skeleton.lower().split()
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def template_signatures(skeletons: Sequence[str], key: ConsortiumKey, epoch: int) -> np.ndarray:
    """MinHash signatures (``len(skeletons)`` x ``NUM_PERM`` uint32) of the skeletons under the epoch key."""
    mac_key = key.epoch_key(epoch)
    shingle_ids: dict[str, int] = {}
    rows: list[int] = []
    ids: list[int] = []
    for row, skeleton in enumerate(skeletons):
        for shingle in shingles(skeleton):
            rows.append(row)
            ids.append(shingle_ids.setdefault(shingle, len(shingle_ids)))
    keyed = np.fromiter(
        (
            int.from_bytes(
                hashlib.blake2b(s.encode("utf-8"), key=mac_key, digest_size=4, person=b"dg-shingle").digest(),
                "little",
            )
            for s in shingle_ids
        ),
        dtype=np.uint64,
        count=len(shingle_ids),
    )
    result = np.full((len(skeletons), NUM_PERM), _MAX_HASH, dtype=np.uint64)
    row_array = np.asarray(rows, dtype=np.int64)
    values = keyed[np.asarray(ids, dtype=np.int64)] if ids else np.zeros(0, dtype=np.uint64)
    for start in range(0, len(values), _PAIRS_PER_CHUNK):
        chunk = values[start : start + _PAIRS_PER_CHUNK]
        # uint64 arithmetic wraps on overflow, as datasketch's does; the result is a fixed hash family.
        hashed = ((chunk[:, None] * _A[None, :] + _B[None, :]) % _MERSENNE_PRIME) & _MAX_HASH
        np.minimum.at(result, row_array[start : start + _PAIRS_PER_CHUNK], hashed)
    return result.astype(np.uint32)


def template_signature(skeleton: str, key: ConsortiumKey, epoch: int) -> np.ndarray:
    """The MinHash signature (``NUM_PERM`` uint32 values) of one skeleton under the epoch key."""
    signature: np.ndarray = template_signatures([skeleton], key, epoch)[0]
    return signature


def encode_signature(signature: np.ndarray) -> str:
    return signature.astype(">u4").tobytes().hex()


def decode_signature(text: str) -> np.ndarray:
    try:
        raw = bytes.fromhex(text)
    except ValueError as exc:
        raise SchemaMismatchError("a template fingerprint is not hex") from exc
    if len(raw) != NUM_PERM * 4:
        raise SchemaMismatchError(
            f"a template fingerprint has {len(raw) // 4} slots, this version uses {NUM_PERM}",
            slots=len(raw) // 4,
        )
    return np.frombuffer(raw, dtype=">u4").astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two templates' shingle sets."""
    return float(np.mean(a == b))
