# ruff: noqa: RUF001  (quotes, separators and text of several scripts are intended)
"""The fast masking (``skeletons``: gated rules on the rows that can match) gives exactly the skeletons
of the rule-by-rule definition (``skeleton_expr``), on texts built to hit the rules' edges."""

from __future__ import annotations

import random

import polars as pl
import pytest

from distillguard.fingerprint._masking import _MIN_GATED_ROWS, skeleton_expr, skeletons

# Pieces that trigger (or nearly trigger) each rule, in several scripts, and pieces that interact:
# placeholders next to each other, text cut by the cap, quotes inside code, digits inside URLs.
PIECES = [
    "```python\nprint(1)\n```",
    "```js\nconst x = 1;",  # a fence cut open (by the cap, or never closed)
    "`inline code`",
    "a lone ` backtick",
    "$x^2 + y$",
    "$$\\int_0^1 f(x)\\,dx$$",
    "costs $40 and $50",
    "\\frac{a}{b} and \\sqrt{2}",
    "a \\ backslash",
    "see https://example.com/a/1?x=2 now",
    "HTTP://EXAMPLE.ORG/Path",
    "WWW.Example.com/x9",
    "www.",
    "ftp://files.example.net",
    "httpſ://weird.example",
    "mail ann.lee+tag@corp-mail.example.co.uk today",
    "user@www.example.com",
    "@handle and a@b",
    "3, 4 and 5",
    "-4.5 or 1,000 or 12:30 on 2024-01-05 at 50%",
    "acct_3f9 and 3f2a9c1e-1234-4abc-8def-0123456789ab",
    "٣ ٤ ٥ and ３４",
    '"double quoted"',
    "“curly” and „low“ and ‘single’",
    "«guillemets» 「かぎ」 『二重』 《书名》",
    "don't say it's 'quoted' here",
    "('paren') [:='x']",
    "'unclosed",
    "\n- one\n- two\n- three\n",
    "- one\n- two\n- three",  # the fewest newlines a list can have: two
    "1. a\n2. b\n3. c",
    "\n1. first\n2. second\n3) third",
    "\n* a\n• b\n· c",
    "\na) x\nb) y\nc) z",
    # Line starts the bulleted-list gate has to let through: markers that masking makes of a token with
    # a digit, a literal <num>, tabs before the marker, and markers after a slot (which are not lists).
    "a1. x\nb2. y\nc3. z",
    "x2) a\n\t3) b\n 4 ) c",
    "<num>. a\n<num>) b\n<num> . c",
    "\t- a\n \t* b\n\t• c",
    "Q3 up\nQ4 down\nQ1 flat",
    "`x`. a\n`y`. b\n`z`. c",
    "'q'. a\n\"r\") b\n- c",
    "red, green, blue, cyan, magenta, yellow",
    "uno; dos; tres; cuatro; cinco",
    "一、二、三、四、五",
    "甲，乙，丙，丁，戊",
    "a,b,c,d",
    "Write about Marie Curie and Alan Turing.",
    "ask New York-Based Acme today. Then Paris",
    "Привет, Иван Петрович! Как дела у Марии?",
    "Größe Straße İstanbul ǅemal",
    "中文字日本語です한국어",
    "مرحبا بالعالم 123 שלום",
    "<num> <str> <name>",
    "x  y\t\tz\r\n\u00a0\u2003w",
    "   ",
    "",
    "Alice and Bob or Carol y Dave und Eve et Фёдор",
    "='eq' :'colon'",
]


def fast(texts: list[str | None], max_chars: int, *, gated: bool = True) -> list[str | None]:
    """``skeletons`` of ``texts``; ``gated``: padded with plain filler rows to take the gated path."""
    filler = ["plain filler text"] * max(0, _MIN_GATED_ROWS - len(texts)) if gated else []
    masked = skeletons(pl.Series("text", [*texts, *filler], dtype=pl.String), max_chars).to_list()
    return masked[: len(texts)]


def definition(texts: list[str | None], max_chars: int) -> list[str | None]:
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    return frame.select(skeleton_expr(pl.col("text"), max_chars))["text"].to_list()


def composed(rng: random.Random, n: int) -> list[str | None]:
    """Texts of 1-6 pieces joined by the separators that matter to the rules (space, none, newline,
    comma, quote), some of them null."""
    joins = [" ", "", "\n", ", ", "'", '"', " `", "$", "@", ". "]
    texts: list[str | None] = []
    for _ in range(n):
        if rng.random() < 0.03:
            texts.append(None)
            continue
        parts = rng.choices(PIECES, k=rng.randint(1, 6))
        text = parts[0]
        for part in parts[1:]:
            text += rng.choice(joins) + part
        texts.append(text)
    return texts


def test_each_piece_alone_masks_as_defined() -> None:
    texts: list[str | None] = [*PIECES, None]
    assert fast(texts, 4096) == definition(texts, 4096)


@pytest.mark.parametrize("max_chars", [4096, 40, 12])
def test_composed_texts_mask_as_defined(max_chars: int) -> None:
    # A short cap cuts code fences, quotes and lists open, and can cut a gated literal off.
    texts = composed(random.Random(7 + max_chars), 4_000)
    assert fast(texts, max_chars) == definition(texts, max_chars)


def test_gated_rules_still_mask_their_rows() -> None:
    # The gates must not skip what they guard: each of these changes under its rule.
    texts: list[str | None] = [
        "run `ls` now",
        "see http://a.example/b",
        "mail me@host.example",
        'say "hi" there',
        "red, green, blue, cyan, teal",
        "- one\n- two\n- three",
    ]
    assert fast(texts, 4096) == [
        "run <code> now",
        "see <url>",
        "mail <email>",
        "say <str> there",
        "<list>",
        "<list>",
    ]


@pytest.mark.parametrize("gated", [True, False])
def test_empty_and_all_null_columns(gated: bool) -> None:
    assert fast([], 4096, gated=gated) == []
    assert fast([None, None], 4096, gated=gated) == [None, None]
    assert skeletons(pl.Series("text", [None] * 3_000, dtype=pl.String), 4096).null_count() == 3_000


def test_few_texts_take_the_plain_path_with_the_same_result() -> None:
    texts = composed(random.Random(3), 50)
    assert fast(texts, 4096, gated=False) == definition(texts, 4096)
