"""The classifier's training corpus, generated deterministically from the phrase lists in this package."""

from __future__ import annotations

from distillguard.fingerprint.training.corpus import Example, generate, held_out_families

__all__ = ["Example", "generate", "held_out_families"]
