# ruff: noqa: RUF001, SIM905  (stopword data in several scripts, written as space-separated text)
"""Content words of a payload: what ``payload_words`` samples to show how broad a template's inputs are."""

from __future__ import annotations

from typing import Final

# Words of three or more letters, or pairs of CJK characters (those scripts do not separate words with
# spaces; a character bigram is the usual stand-in for a word). Digits are slots, not content.
WORD_RE: Final = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]{2}|[\p{L}\p{M}]{3,}"

# Function words of the languages the project sees most: they say nothing about a payload's topic.
STOPWORDS: Final[list[str]] = sorted(
    set(
        # English
        "the and for are but not you all any can had her was one our out has him his how its may new now "
        "old see two who did get she too use that with have this will your from they know want been good "
        "much some time very when come here just like long make many more only over such take than them "
        "well were what which their there would about could other these those into then also each where "
        "should because please answer question following text give write"
        # Spanish
        " los las del una por con para como más pero sus que este esta esto son entre cuando muy sin "
        "sobre también hasta hay donde quien desde todo nos durante todos uno les contra otros ese eso"
        # German
        " der die das und den dem des ein eine einen einem ist nicht sich mit auf für von auch wie als "
        "aus bei nach oder aber vor zur zum bis durch wenn noch über unter sie ich wir ihr"
        # French
        " les des une est pas pour que qui dans sur avec plus par son ses aux cette ces comme mais ont "
        "été être tout nous vous leur"
        # Russian
        " что это как так все она они его для был быть если или уже при они мне меня нас вас над под "
        "только также чтобы когда где который которые".split()
    )
)
