"""Seed derivation: every population draws from its own stream, so adding one never shifts another."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def derive_seed(seed: int, *names: str) -> int:
    """A 64-bit seed from the run seed and a path of names (stable across Python versions)."""
    digest = hashlib.blake2b(f"{seed}|{'|'.join(names)}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def streams(seed: int, *names: str) -> tuple[random.Random, np.random.Generator]:
    """A Python RNG (for choices over text) and a numpy RNG (for vectorised times), both from one seed."""
    derived = derive_seed(seed, *names)
    return random.Random(derived), np.random.default_rng(derived)


def pick(rng: random.Random, seq: Sequence[T]) -> T:
    """``rng.choice`` without its rejection loop: about three times faster on the hot path."""
    return seq[int(rng.random() * len(seq))]


def randint(rng: random.Random, low: int, high: int) -> int:
    """An integer in ``[low, high]`` from one float draw (``rng.randint`` is slow)."""
    return low + int(rng.random() * (high - low + 1))
