"""Deterministic randomness: every stream is derived from the run seed and a path of names.

A generator for (seed, platform, population, account, day) does not depend on how many other accounts
or populations exist, so adding a population does not reshuffle the others, and the same seed gives
byte-identical output. Operators' template families are derived without the platform, so the same
operator behaves the same way on every platform.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def _digest(*parts: object) -> bytes:
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def stable_hex(*parts: object, length: int = 16) -> str:
    """A stable identifier derived from names (not from any random stream)."""
    return _digest(*parts).hex()[:length]


def rng_for(seed: int, *parts: object) -> np.random.Generator:
    """A numpy Generator for the named stream under ``seed``."""
    words = np.frombuffer(_digest(*parts), dtype=np.uint32).tolist()
    return np.random.default_rng(np.random.SeedSequence([seed, *words]))


class FastRandom(random.Random):
    """``random.Random`` with cheaper ``choice``/``randrange`` (one float draw, no rejection sampling).

    The tiny bias of ``int(random() * n)`` is irrelevant for simulation and makes the per-event text
    composition several times faster than the exact stdlib versions.
    """

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        if step != 1:
            return start + step * int(self.random() * ((stop - start + step - 1) // step))
        return start + int(self.random() * (stop - start))


def random_for(seed: int, *parts: object) -> random.Random:
    """A fast scalar generator for the named stream under ``seed`` (no numpy set-up cost)."""
    return FastRandom(int.from_bytes(_digest(seed, *parts), "little"))


def py_random(gen: np.random.Generator) -> random.Random:
    """A fast scalar generator seeded from ``gen``, for per-event text choices.

    numpy is used for vectorised draws (arrival times, counts); scalar choices in the per-event text
    composition go through ``random.Random``, which is an order of magnitude cheaper per call.
    """
    return FastRandom(int(gen.integers(0, 2**63 - 1)))
