# ruff: noqa: RUF001  (quote, comma and multiplication characters of several scripts are intended)
"""Template mining: reduce a prompt to its skeleton by masking the slots that vary between uses.

A distillation operator pours thousands of payloads into one phrasing; a product pours its users' inputs
into one prompt template. Masking numbers and ids, quoted text, code, URLs, lists and names leaves the part
that stays fixed, whose hash is the template id. Everything here is a polars expression, so masking runs
column-wise in Rust on the distinct texts of a batch, never in a Python loop.

The rules use Unicode classes (``\\p{L}``, ``\\d`` is Unicode-aware in Rust's regex) so that they hold for
any script; name masking only applies to scripts with letter case. Rust's regex has no look-around, so
rules that need left context capture it and put it back (``$1``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import polars as pl

# Placeholders. They are lower-case because the skeleton is lower-cased at the end; the angle brackets
# keep them apart from ordinary words for the shingling that follows.
CODE: Final = "<code>"
URL: Final = "<url>"
EMAIL: Final = "<email>"
NUM: Final = "<num>"
STR: Final = "<str>"
MATH: Final = "<math>"
LIST: Final = "<list>"
NAME: Final = "<name>"
PLACEHOLDERS: Final = (CODE, URL, EMAIL, NUM, STR, MATH, LIST, NAME)

# (pattern, replacement) in the order they apply. Order matters: code first (it contains anything), then
# URLs and emails (they contain digits), then anything with a digit, quotes after code, names last because
# they need the letter case that lower-casing removes. Rules of one kind are merged into one alternation
# where the alternation keeps a literal to search for (each pass over the column has a cost), and no rule
# uses a bounded repetition such as {1,400}: those blow up the regex automaton and were measured to make
# one pass 100x slower.
_SLOT = r"<(?:code|math|url|email|num|str|list|name)>"
_WORDCH = r"[\p{L}\p{N}_'<>-]"
_SHORT_ITEM = rf"{_WORDCH}+(?: {_WORDCH}+){{0,2}}"
MASK_RULES: Final[tuple[tuple[str, str], ...]] = (
    # Fenced code blocks (also one cut open by the text cap) and inline code.
    (r"(?s)```.*?(?:```|$)|`[^`\n]+`", f" {CODE} "),
    # Display and inline LaTeX ($x^2$, not "$40 and $50") and LaTeX commands with arguments.
    (r"\$\$[^$]+\$\$|\$[^\s$][^$\n]*[^\s$]\$|\\[a-zA-Z]+(?:\{[^{}\n]*\})+", f" {MATH} "),
    (r"(?i)\b(?:https?|ftp)://\S+|\bwww\.\S+", f" {URL} "),
    (r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", f" {EMAIL} "),
    # Any token with a digit, with its separators: 3, -4.5, 1,000, 12:30, 2024-01-05, 50%, and ids such as
    # UUIDs, hex digests, SKUs or "acct_3f9" (which collapse to the same slot as numbers).
    (r"[\p{L}\p{N}_]*\d[\p{L}\p{N}_]*(?:[-.:/][\p{L}\p{N}_]+|,\d+)*%?", f" {NUM} "),
    # Quoted strings in the quote styles of several languages; straight single quotes need a left boundary
    # so that the apostrophes of "don't ... it's" are not taken for quotes.
    (
        r'"[^"\n]+"|[“”„][^“”„\n]+[“”]|‘[^‘’\n]+’|«[^«»\n]+»'
        r"|「[^「」]+」|『[^『』]+』|《[^《》]+》",
        f" {STR} ",
    ),
    (r"(^|[\s(\[:=])'[^'\n]+'", f"$1 {STR} "),
    # Lists: three or more bulleted / numbered lines, and runs of five or more short comma-separated items.
    (rf"(?m)(?:^[ \t]*(?:[-*•·]|{NUM} ?[.)]|\p{{L}}[.)])[ \t]+[^\n]*(?:\n|$)){{3,}}", f" {LIST}\n"),
    (rf"(?:{_SHORT_ITEM}[,;、，] ?){{4,}}{_SHORT_ITEM}", f" {LIST} "),
    # Capitalised words not at the start of a sentence: names, places, products. Left context is kept.
    (r"([^\s.!?:;\"'\n]\s+)\p{Lu}[\p{Ll}\p{Lm}]+(?:[ -]\p{Lu}[\p{Ll}\p{Lm}]+)*", f"$1{NAME}"),
    # Runs of slots ("3, 4 and 5", "Alice and Bob") collapse into the first, so that variants with more or
    # fewer values match.
    (rf"({_SLOT})(?:[\s,;+*/×=()-]*(?:(?:and|or|y|und|et|и)\s+)?{_SLOT})+", "$1"),
)


_WHITESPACE: Final = r"\s{2,}|[^\S ]"


def skeleton_expr(text: pl.Expr, max_chars: int) -> pl.Expr:
    """The masked, normalised skeleton of ``text`` (first ``max_chars`` characters): the template.

    The definition, rule by rule over every row; ``skeletons`` gives the same strings faster.
    """
    return _masked(text.str.slice(0, max_chars), MASK_RULES, normalise=True)


def _masked(text: pl.Expr, rules: tuple[tuple[str, str], ...], *, normalise: bool) -> pl.Expr:
    """``text`` with ``rules`` applied in order, then (``normalise``) lower-cased and its irregular
    whitespace collapsed, as a skeleton ends."""
    for pattern, replacement in rules:
        text = text.str.replace_all(pattern, replacement)
    if not normalise:
        return text
    # Only irregular whitespace is replaced (a run, or a tab or newline): single spaces are most matches.
    return text.str.to_lowercase().str.replace_all(_WHITESPACE, " ").str.strip_chars()


@dataclass(frozen=True)
class _Gate:
    """Rules ``MASK_RULES[first:last]`` can only match a text that passes ``test`` (a cheap column test of
    the text *before masking*), so they run only on the rows that pass.

    This holds because each gated rule needs something in its match that no earlier rule adds: the
    replacements of rules 0-7 add placeholders (``<``, ``>`` and the letters of ``code``, ``math``,
    ``url``, ``email``, ``num``, ``str``, ``list``), spaces and (the list rule only) a newline, with a
    space on both sides of each placeholder (the single-quote rule keeps its left-context character, then
    a space), so they never add nor join up a backtick, dollar, backslash, ``://``, ``www.``, ``@``, quote
    character or list separator. Masking only removes those, so a text that fails a test before masking
    still fails it when the gated rules' turn comes, and they would leave it unchanged.
    """

    first: int
    last: int
    test: Callable[[pl.Series], pl.Series]


_GATES: Final = (
    # Code needs a backtick; LaTeX a dollar or a backslash; URLs "://" or "www." (the rule is
    # case-insensitive, so is the test); e-mails an "@". About 3 % of prompts have any of them.
    # (Two tests: one alternation of the class and the two strings cost 1.4x as much, measured.)
    _Gate(0, 4, lambda text: text.str.contains(r"[`$\\@]") | text.str.contains(r"://|(?i:www\.)")),
    # Quotes need a quote character (the straight single quote too: it is the apostrophe, ~20 % of texts).
    _Gate(5, 7, lambda text: text.str.contains("[\"“”„‘«「『《']")),
    # A bulleted list is three lines that start with a list marker (``_bulleted_lines``).
    _Gate(7, 8, lambda text: _bulleted_lines(text)),
    # Comma-separated lists need four separators.
    _Gate(8, 9, lambda text: text.str.count_matches("[,;、，]") >= 4),
)


# How a line that the bulleted-list rule can take starts, in the text *before masking*: a bullet, a
# letter and ``.`` or ``)``, a token with a digit (which the number rule turns into ``<num>``), or a
# literal ``<num>``. The rule needs three lines starting with ``[-*•·]``, ``<num> ?[.)]`` or ``\p{L}[.)]``
# after masking; masking neither adds a newline nor puts anything but a placeholder (``<``, letters, ``>``)
# and spaces where it replaces, and a replacement always holds its placeholder. So a line's start after
# masking is a line start before masking, its leading spaces and tabs are the same characters, and the
# marker is either the same characters there (a bullet; a letter and ``.``/``)``: no replacement begins
# with those) or a ``<num>`` that the number rule made of a token starting there (its match holds only
# letters, digits and ``_`` of the text as it was; the placeholders' letters are fenced by ``<`` ``>``).
_LIST_MARKER: Final = r"[ \t]*(?:[-*•·]|\p{L}[.)]|[\p{L}\p{N}_]*\d|<num>)"


def _bulleted_lines(text: pl.Series) -> pl.Series:
    """Whether a text has three lines that can start a bulleted list (``_LIST_MARKER`` at a line start).

    The lines after the first are counted as a newline followed by a marker (a literal to search for:
    ``(?m)^`` is tried at every position and cost 2.5x as much), the first line by a test anchored at the
    start. About 1 % of prompts pass, where the list rule ran on the ~40 % with two newlines before (it
    cost more than any other gated rule).
    """
    later = text.str.count_matches(f"\n{_LIST_MARKER}")
    first = text.str.contains(f"^{_LIST_MARKER}").cast(pl.UInt32)
    return (later + first) >= 3


_MIN_GATED_ROWS: Final = 2_000


def skeletons(texts: pl.Series, max_chars: int) -> pl.Series:
    """``skeleton_expr`` of each text, computed with fewer passes over the column.

    Each pass of ``str.replace_all`` costs a copy of the column and a scan without a literal to search
    for even where nothing matches; the gated rules (``_GATES``) run only on the rows that can match,
    which is a few per cent for the code, URL and e-mail rules. The rules between gates run as one
    expression chain (measured ~8 % cheaper than the same passes called one by one on a Series). Tested
    equal to ``skeleton_expr`` on adversarial texts (``tests/fingerprint/test_fingerprint_masking_gates.py``).
    """
    if len(texts) < _MIN_GATED_ROWS:
        # Few texts (a batch's system prompts): three more regexes to compile would cost more than the
        # passes they spare.
        return texts.to_frame().select(skeleton_expr(pl.col(texts.name), max_chars)).to_series()
    text = texts.str.slice(0, max_chars)
    # The tests read the text before masking (see ``_Gate``), all at once.
    gates = {gate.first: (gate.last, gate.test(text).arg_true()) for gate in _GATES}
    index, normalised = 0, False
    while index < len(MASK_RULES):
        if index in gates:
            last, rows = gates[index]
            text = _replace_rows(text, rows, MASK_RULES[index:last])
        else:
            # The ungated rules up to the next gate; the last run also normalises, in the same chain.
            last = min([first for first in gates if first > index], default=len(MASK_RULES))
            normalised = last == len(MASK_RULES)
            text = _replace(text, MASK_RULES[index:last], normalise=normalised)
        index = last
    return text if normalised else _replace(text, (), normalise=True)


def _replace(text: pl.Series, rules: tuple[tuple[str, str], ...], *, normalise: bool) -> pl.Series:
    """``_masked`` over a Series."""
    return text.to_frame().select(_masked(pl.col(text.name), rules, normalise=normalise)).to_series()


def _replace_rows(text: pl.Series, rows: pl.Series, rules: tuple[tuple[str, str], ...]) -> pl.Series:
    """``text`` with ``rules`` applied, in order, to the rows at ``rows`` only."""
    if rows.is_empty():
        return text
    return text.scatter(rows, _replace(text.gather(rows), rules, normalise=False))
