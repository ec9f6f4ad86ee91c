# ruff: noqa: E501, RUF001  (example prompts, several scripts, one per line)
"""Template mining: variants of one template share a skeleton, different templates do not."""

from __future__ import annotations

import polars as pl
import pytest

from distillguard.fingerprint._hashing import xxh32, xxh64
from distillguard.fingerprint._masking import skeleton_expr


def skeletons(texts: list[str]) -> list[str]:
    frame = pl.DataFrame({"text": texts})
    return frame.select(skeleton_expr(pl.col("text"), 4096))["text"].to_list()


VARIANT_GROUPS = [
    [  # numbers, decimals, dates
        "A train leaves at 3 pm at 80 km/h; another at 4 pm at 100 km/h. When does it catch up? Think step by step.",
        "A train leaves at 9 pm at 65.5 km/h; another at 11 pm at 120 km/h. When does it catch up? Think step by step.",
    ],
    [  # quoted strings in several quote styles
        'Translate "good morning" into French and explain the grammar.',
        "Translate 'see you tomorrow, my friend' into French and explain the grammar.",
        "Translate «bonne chance» into French and explain the grammar.",
    ],
    [  # code blocks and inline code
        "Explain what this code does:\n```python\nprint(sum(range(10)))\n```\nThen suggest a test.",
        "Explain what this code does:\n```js\nconst x = [1,2].map(v => v * 2);\nconsole.log(x);\n```\nThen suggest a test.",
        "Explain what this code does: `SELECT * FROM users` Then suggest a test.",
    ],
    [  # URLs, emails, UUIDs, hex ids, mixed ids
        "Summarise https://example.com/a/b?x=1 for ann@corp.io, ticket 3f2a9c1e-1234-4abc-8def-0123456789ab",
        "Summarise http://news.site.org/story for bob.smith@mail.example.com, ticket 9b1c2d3e-0000-4fff-8aaa-bbbbbbbbbbbb",
    ],
    [  # names and capitalised entities mid-sentence
        "Write a short biography of Marie Curie for a school newsletter.",
        "Write a short biography of Alan Turing for a school newsletter.",
    ],
    [  # lists of different lengths
        "Rank these by importance:\n- speed\n- cost\n- safety\n",
        "Rank these by importance:\n1. price\n2. weight\n3. durability\n4. colour\n5. warranty\n",
    ],
    [  # Chinese with different numbers
        "一个水池甲管6小时注满，乙管4小时注满，两管同时开需要多少小时？请一步一步思考。",
        "一个水池甲管9小时注满，乙管3小时注满，两管同时开需要多少小时？请一步一步思考。",
    ],
    [  # order ids and SKUs
        "Where is my order ORD-88213? It was SKU A17B shipped to warehouse W3.",
        "Where is my order ORD-10002? It was SKU Z99Q shipped to warehouse W12.",
    ],
]


@pytest.mark.parametrize("group", VARIANT_GROUPS, ids=lambda g: g[0][:30])
def test_variants_of_one_template_collapse(group: list[str]) -> None:
    assert len(set(skeletons(group))) == 1, skeletons(group)


def test_different_templates_stay_apart() -> None:
    firsts = [group[0] for group in VARIANT_GROUPS]
    others = [
        "A train leaves at 3 pm at 80 km/h. Give only the final answer.",
        'Translate "good morning" into German, no explanation.',
        "Classify the sentiment of this review as positive or negative: great phone",
    ]
    result = skeletons(firsts + others)
    assert len(set(result)) == len(result)


def test_skeleton_keeps_instruction_words_and_masks_slots() -> None:
    [skeleton] = skeletons(['Order #12345 for Alice Smith: "blue jacket", see https://shop.example/x'])
    assert "order" in skeleton
    for slot in ("12345", "alice", "blue jacket", "https"):
        assert slot not in skeleton
    for placeholder in ("<num>", "<name>", "<str>", "<url>"):
        assert placeholder in skeleton


def test_apostrophes_are_not_quotes() -> None:
    [skeleton] = skeletons(["I don't know why it's failing, can you help?"])
    assert "<str>" not in skeleton


def test_stable_hashes_golden_values() -> None:
    # xxHash over UTF-8 with seed 0: the published test vector for "abc", stable on every machine.
    assert xxh64("abc") == 4952883123889572249
    assert xxh32("abc") == 852579327
