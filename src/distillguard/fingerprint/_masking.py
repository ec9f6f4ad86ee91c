# ruff: noqa: RUF001  (quote, comma and multiplication characters of several scripts are intended)
"""Template mining: reduce a prompt to its skeleton by masking the slots that vary between uses.

A distillation operator pours thousands of payloads into one phrasing; a product pours its users' inputs
into one prompt template. Masking numbers, quoted text, code, URLs, ids, lists and names leaves the part
that stays fixed, whose hash is the template id. Everything here is a polars expression, so masking runs
column-wise in Rust on the distinct texts of a batch, never in a Python loop.

The rules use Unicode classes (``\\p{L}``, ``\\d`` is Unicode-aware in Rust's regex) so that they hold for
any script; name masking only applies to scripts with letter case. Rust's regex has no look-around, so
rules that need left context capture it and put it back (``$1``).
"""

from __future__ import annotations

from typing import Final

import polars as pl

# Placeholders. They are lower-case because the skeleton is lower-cased at the end; the angle brackets
# keep them apart from ordinary words for the shingling that follows.
CODE: Final = "<code>"
URL: Final = "<url>"
EMAIL: Final = "<email>"
ID: Final = "<id>"
NUM: Final = "<num>"
STR: Final = "<str>"
MATH: Final = "<math>"
LIST: Final = "<list>"
NAME: Final = "<name>"
PLACEHOLDERS: Final = (CODE, URL, EMAIL, ID, NUM, STR, MATH, LIST, NAME)

# (pattern, replacement) in the order they apply. Order matters: code first (it contains anything),
# then things with digits inside (URLs, ids) before bare numbers, quotes after code, names last because
# they need the case that later lower-casing removes.
_WORDCH = r"[\p{L}\p{N}_'<>-]"
_SHORT_ITEM = rf"{_WORDCH}+(?: {_WORDCH}+){{0,2}}"
MASK_RULES: Final[tuple[tuple[str, str], ...]] = (
    # Fenced code blocks, including one cut open by the text cap.
    (r"(?s)```.*?```", f" {CODE} "),
    (r"(?s)```.*$", f" {CODE} "),
    (r"`[^`\n]{1,300}`", f" {CODE} "),
    # LaTeX / inline math.
    (r"\$\$[^$]{1,2000}\$\$", f" {MATH} "),
    (r"\$[^$\n]{1,300}\$", f" {MATH} "),
    (r"\\[a-zA-Z]+(?:\{[^{}\n]{0,200}\})+", f" {MATH} "),
    (r"(?i)\b(?:https?|ftp)://\S+|\bwww\.\S+", f" {URL} "),
    (r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", f" {EMAIL} "),
    (r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", f" {ID} "),
    (r"(?i)\b(?:0x)?[0-9a-f]{12,}\b", f" {ID} "),
    # Tokens mixing letters and digits (order ids, SKUs, api keys, "acct_3f9"): an id, not a number.
    (r"\b[\p{L}_]+\d[\p{L}\p{N}_-]*|\b\d+[\p{L}_][\p{L}\p{N}_-]*", f" {ID} "),
    # Numbers with their separators: 3, -4.5, 1,000, 12:30, 2024-01-05, 3/4, 50%.
    (r"[+-]?\d(?:[\d,._:/-]*\d)?%?", f" {NUM} "),
    # Quoted strings in the quote styles of several languages (straight single quotes need a left
    # boundary so that apostrophes in "don't ... it's" are not taken as quotes).
    (r'"[^"\n]{1,400}"', f" {STR} "),
    (r"(^|[\s(\[:=])'[^'\n]{1,400}'", f"$1 {STR} "),
    (r"[“”„][^“”„\n]{1,400}[“”]", f" {STR} "),
    (r"‘[^‘’\n]{1,400}’", f" {STR} "),
    (r"«[^«»\n]{1,400}»", f" {STR} "),
    (r"「[^「」]{1,400}」|『[^『』]{1,400}』|《[^《》]{1,400}》", f" {STR} "),
    # Lists: three or more bulleted / numbered lines, and runs of five or more short comma-separated items.
    (rf"(?m)(?:^[ \t]*(?:[-*•·]|{NUM} ?[.)]|\p{{L}}[.)])[ \t]+[^\n]*(?:\n|$)){{3,}}", f" {LIST}\n"),
    (rf"(?:{_SHORT_ITEM}[,;、，] ?){{4,}}{_SHORT_ITEM}", f" {LIST} "),
    # Capitalised words not at the start of a sentence: names, places, products. Left context is kept.
    (r"([^\s.!?:;\"'\n]\s+)\p{Lu}[\p{Ll}\p{Lm}]+(?:[ -]\p{Lu}[\p{Ll}\p{Lm}]+)*", f"$1{NAME}"),
    # Runs of the same slot (3, 4 and 5 / "a", "b") collapse, so variants with more or fewer values match.
    (rf"{NUM}(?:[\s,;+*/×x=()-]*{NUM})+", NUM),
    (rf"{STR}(?:[\s,;]*(?:and|or|y|und|et|и)?[\s,;]*{STR})+", STR),
    (rf"{NAME}(?:[\s,;]*(?:and|or|y|und|et|и)?[\s,;]*{NAME})+", NAME),
    (rf"{ID}(?:[\s,;]*{ID})+", ID),
)


def skeleton_expr(text: pl.Expr, max_chars: int) -> pl.Expr:
    """The masked, normalised skeleton of ``text`` (first ``max_chars`` characters): the template."""
    expr = text.str.slice(0, max_chars)
    for pattern, replacement in MASK_RULES:
        expr = expr.str.replace_all(pattern, replacement)
    return expr.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
