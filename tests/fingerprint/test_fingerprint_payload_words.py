# ruff: noqa: RUF001  (Cyrillic text is intended)
"""Payload words: a bounded, sorted, consistent sample of a text's content words."""

from __future__ import annotations

import numpy as np
import polars as pl

from distillguard.fingerprint._words import payload_words

TEXTS = [
    'Translate "good morning" into French, please. Ticket 4471.',
    "ab中文字x 日本語です Größe straße İstanbul and the the THE",
    "Erkläre mir bitte die Photosynthese und die Zellatmung.",
    "Объясни, пожалуйста, как работает фотосинтез у растений.",
    "",
    "a b c",
] * 3


def test_payload_words_are_sorted_distinct_and_bounded() -> None:
    lists = payload_words(pl.Series(TEXTS), max_chars=2000, k=4).to_pylist()
    assert lists[4] == [] and lists[5] == []
    for hashes in lists:
        assert hashes == sorted(set(hashes)) and len(hashes) <= 4
    assert lists[0] == lists[6]  # same text, same sample
    assert np.all(np.array(lists[1]) < 2**32)
