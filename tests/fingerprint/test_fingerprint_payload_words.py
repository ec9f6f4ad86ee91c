# ruff: noqa: RUF001  (Greek, Turkish, Cyrillic and CJK text is intended)
"""Payload words: a bounded, sorted, consistent sample of a text's content words."""

from __future__ import annotations

import random
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


# Payload words lower-case each distinct token instead of the whole text: the same words, including
# where lower-casing depends on the neighbouring letters (Greek final sigma) or changes a letter's length.
PIECES = [
    "ΟΔΥΣΣΕΥΣ ΟΔΟΣ ΣΟΦΟΣ.",  # final sigma at the end of a word, inside a word, before a full stop
    "ΟΔΟΣ,ΔΡΟΜΟΣ ΣΣΣ Σ ΑΣ",
    "İSTANBUL İzmir DİYARBAKIR",  # İ lower-cases to two characters
    "\u212aELVIN \u212a\u212a\u212a",  # the Kelvin sign lower-cases to a one-byte k
    "The THE the tHe Größe GRÖSSE",
    "Объясни ПОЖАЛУЙСТА Фотосинтез",
    "中文字 日本語です ÉCOLE",
    "mixed-Case/Tokens_and_MORE, x",
    "",
]


def test_words_of_case_sensitive_tokens_follow_the_documented_rule() -> None:
    rng = random.Random(5)
    texts = [" ".join(rng.choices(PIECES, k=rng.randint(1, 4))) for _ in range(300)] + PIECES
    lists = payload_words(pl.Series(texts), max_chars=2000, k=32).to_pylist()
    assert lists == [reference_payload_words(t, 32) for t in texts]


def test_same_word_in_any_case_has_one_hash() -> None:
    texts = pl.Series(["ΟΔΟΣ odos", "οδος ODOS", "Οδος Odos"])
    lists = payload_words(texts, max_chars=2000, k=32).to_pylist()
    assert lists[0] == lists[1] == lists[2] and len(lists[0]) == 2


def test_random_mixed_case_texts_with_nulls_and_a_short_cap() -> None:
    rng = random.Random(1)
    alphabet = [*"abcXYZ ΣσςΟΔİıK\u212a中文字日本語-/.,'\n\t 12", "the ", "AND ", "Größe ", "ΟΔΟΣ ", "  "]
    texts = [
        None if rng.random() < 0.05 else "".join(rng.choices(alphabet, k=rng.randint(0, 60)))
        for _ in range(2_000)
    ]
    for max_chars in (2000, 7):
        lists = payload_words(pl.Series(texts, dtype=pl.String), max_chars=max_chars, k=3).to_pylist()
        expected = [[] if t is None else reference_payload_words(t[:max_chars], 3) for t in texts]
        assert lists == expected


def test_texts_in_several_chunks_give_the_same_words() -> None:
    texts = [*TEXTS, None, "Zeilen\tund 中文字中文 mixed-Case/Tokens_and_MORE", "ab", "   "]
    chunked = pl.concat([pl.Series(texts[:7], dtype=pl.String), pl.Series(texts[7:], dtype=pl.String)])
    assert chunked.n_chunks() == 2
    lists = payload_words(chunked, max_chars=2000, k=6).to_pylist()
    assert lists == [[] if t is None else reference_payload_words(t, 6) for t in texts]


def test_words_of_tokens_equal_the_token_words_definition() -> None:
    # The CJK rule runs only on tokens that are not ASCII: the same words as running it on every token.
    from distillguard.fingerprint._words import _words_of_tokens, token_words

    rng = random.Random(9)
    alphabet = [*"abcXYZ-/.,'12_", "中", "文", "字", "日本", "語", "한국", "ÉÖ", "ß", "\u0301", "テスト"]
    tokens = ["".join(rng.choices(alphabet, k=rng.randint(0, 9))) for _ in range(3_000)]
    series = pl.Series("token", tokens, dtype=pl.String)
    expected = series.to_frame().select(token_words(pl.col("token")))["token"]
    assert _words_of_tokens(series).to_list() == expected.to_list()
    ascii_only = pl.Series("token", ["abc-def", "x/y", "", "plain"], dtype=pl.String)
    assert _words_of_tokens(ascii_only).to_list() == [["abc", "def"], ["x", "y"], [""], ["plain"]]
