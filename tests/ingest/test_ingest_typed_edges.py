"""Edge values at the checks the typed decoder makes itself, read exactly as the orjson path reads them.

The sampling floats are bounded by msgspec constraints (beyond 2**53 the line is left to the orjson path),
and the conversation loop is inlined in ``FastCanonical.row``: both are compared with the reference.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
from test_ingest_fast_path import _lines, _record, _write, assert_same_as_orjson_path

from distillguard.ingest import TEXT_CAP_CHARS

# Around the 2**53 bound, as integers, floats and exponents, both signs, for both float columns.
BOUNDARY_NUMBERS = [
    "9007199254740991",
    "9007199254740992",
    "9007199254740993",
    "-9007199254740991",
    "-9007199254740992",
    "9007199254740991.0",
    "9007199254740991.5",
    "9007199254740992.0",
    "-9007199254740993.0",
    "9.007199254740991e15",
    "9.007199254740992e15",
    "1e300",
    "-1e300",
    "0",
    "-0.0",
    "1E-320",
    "18446744073709551616",
]


def test_sampling_floats_at_the_exact_integer_limit(tmp_path: Path) -> None:
    lines = []
    for number in BOUNDARY_NUMBERS:
        for field in ("temperature", "top_p"):
            lines.append(
                orjson.dumps(_record(request_id=f"{field}={number}"))[:-1]
                + b', "request": {"'
                + field.encode()
                + b'": '
                + number.encode()
                + b"}}"
            )
    path = _write(tmp_path / "bounds.jsonl", [_lines(lines)])
    table, quarantine = assert_same_as_orjson_path(path, tmp_path)
    assert table.num_rows + len(quarantine) == len(lines)
    assert quarantine  # the integers beyond 2**53 are refused by Arrow on the orjson path
    assert 2.0**53 - 1 in table.column("temperature").to_pylist()


def _message(rng: random.Random) -> dict[str, Any]:
    role = rng.choice(["system", "developer", "user", "assistant", "tool", "function", "critic"])
    content = rng.choice(
        [
            "",
            "plain",
            "é中😀",
            None,
            [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "x"}}],
            [{"type": "input_text", "text": "b"}, {"type": "text", "text": "c"}],
            [],
            "s" * (TEXT_CAP_CHARS + 3),
        ]
    )
    return {"role": role, "content": content}


def test_conversations_of_every_shape(tmp_path: Path) -> None:
    """Roles in every order and number (several system prompts, unknown roles, none at all), contents of
    every kind (None, part lists, empty, non-ASCII, longer than the cap)."""
    rng = random.Random(11)
    records = []
    for i in range(400):
        messages = [_message(rng) for _ in range(rng.randint(0, 7))]
        records.append(_record(request_id=f"req_{i}", request={"model": "m", "messages": messages}))
    path = _write(tmp_path / "conversations.jsonl", [_lines(records)])
    table, quarantine = assert_same_as_orjson_path(path, tmp_path)
    assert not quarantine and table.num_rows == len(records)
    assert max(table.column("n_messages").to_pylist()) == 7
    system = [text for text in table.column("system_text").to_pylist() if text]
    assert any("\n" in text for text in system)  # several system prompts joined
    assert max(len(text) for text in system) == TEXT_CAP_CHARS
