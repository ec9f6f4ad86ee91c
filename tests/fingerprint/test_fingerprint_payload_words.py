# ruff: noqa: RUF001  (Cyrillic text is intended)
"""Payload words: a bounded, sorted, consistent sample of a text's content words."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import polars as pl

from distillguard.fingerprint._hashing import xxh32
from distillguard.fingerprint._words import STOPWORDS, payload_words

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


_CJK = "\u3040-\u309f\u30a0-\u30ff\u4e00-\u9fff\uac00-\ud7af"


def reference_payload_words(text: str, k: int) -> list[int]:
    """The documented rule, written plainly one text at a time (for the common scripts of TEXTS)."""
    lowered = text[:2000].lower()
    letters = "".join(c if c == " " or unicodedata.category(c)[0] in "LM" else " " for c in lowered)
    words = re.sub(f"([{_CJK}]{{2}})", r"\1 ", letters).split(" ")
    content = {w for w in words if (len(w) >= 3 or re.fullmatch(f"[{_CJK}]{{2}}", w)) and w not in STOPWORDS}
    return sorted({xxh32(w) for w in content})[:k]


def test_payload_words_follow_the_documented_rule() -> None:
    texts = [*TEXTS, "Ein Satz,mit-Zeichen;und\nZeilen\tund 中文字中文 テスト、日本語。", "中文中文中文"]
    lists = payload_words(pl.Series(texts), max_chars=2000, k=5).to_pylist()
    assert lists == [reference_payload_words(t, 5) for t in texts]
