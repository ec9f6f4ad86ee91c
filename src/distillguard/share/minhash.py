"""Template fingerprints: MinHash signatures over *keyed* shingle hashes of a masked prompt skeleton.

Two members with the same consortium key get near-identical signatures for near-identical templates
(the fraction of equal signature slots estimates the Jaccard similarity of their word 3-gram sets).
Without the key the shingle hashes, and so the signature, say nothing about the text: an outsider
cannot test a guessed template against it.
"""

from __future__ import annotations

import hmac

import numpy as np
from datasketch import MinHash

from distillguard.errors import SchemaMismatchError
from distillguard.share.keys import ConsortiumKey

NUM_PERM = 64
SHINGLE_WORDS = 3
# Fixed seed: the permutations are public; the secrecy lives in the keyed shingle hashes.
_PERMUTATION_SEED = 20260301


def shingles(skeleton: str, size: int = SHINGLE_WORDS) -> set[str]:
    words = skeleton.lower().split()
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def template_signature(skeleton: str, key: ConsortiumKey, epoch: int) -> np.ndarray:
    """The MinHash signature (``NUM_PERM`` uint32 values) of ``skeleton`` under the epoch key."""
    epoch_key = key.epoch_key(epoch)
    keyed = [hmac.digest(epoch_key, b"shingle\0" + s.encode("utf-8"), "sha256") for s in shingles(skeleton)]
    sketch = MinHash(num_perm=NUM_PERM, seed=_PERMUTATION_SEED)
    if keyed:
        sketch.update_batch(keyed)
    return np.asarray(sketch.hashvalues, dtype=np.uint32)


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
