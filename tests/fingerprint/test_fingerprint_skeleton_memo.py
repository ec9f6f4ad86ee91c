"""The system prompts' skeleton memo gives exactly ``skeletons`` of each text, whatever it remembers."""

from __future__ import annotations

import random

import polars as pl

from distillguard.fingerprint._fingerprinter import _SkeletonMemo
from distillguard.fingerprint._masking import skeletons

SYSTEMS = [
    "You are a helpful assistant for Acme Corp. Answer in 3 sentences.",
    "You are a grader. Score the answer from 1 to 10 and explain 'why'.",
    "Du bist ein Assistent von Müller GmbH. Antworte auf Deutsch.",
    "- rule one\n- rule two\n- rule three\nFollow them, Alice.",
    "",
    "x" * 900,
]


def test_memo_equals_masking_across_batches_caps_and_overflow() -> None:
    rng = random.Random(4)
    memo = _SkeletonMemo(capacity=5)  # small: it overflows and forgets while batches repeat texts
    for _ in range(30):
        texts = [*rng.choices(SYSTEMS, k=rng.randint(1, 8)), f"Prompt {rng.randint(0, 9)} of Bob"]
        series = pl.Series("system_text", texts, dtype=pl.String)
        for max_chars in (400, 20):
            got = memo.of(series, max_chars)
            assert got.name == "system_text"
            assert got.to_list() == skeletons(series, max_chars).to_list()
    assert len(memo._skeletons) <= 9  # a batch's distinct texts at most, after forgetting


def test_empty_batch() -> None:
    memo = _SkeletonMemo(capacity=10)
    assert memo.of(pl.Series("s", [], dtype=pl.String), 400).to_list() == []
