"""The per-block UTF-8 check agrees with Python's own decoder, byte for byte, on valid and broken text."""

from __future__ import annotations

import random

import pytest

from distillguard.ingest._blocks import LineBlock, is_valid_utf8

TRAPS = [
    b"plain ascii\n",
    "caf\u00e9 \u4e2d\u6587 \U0001f600\n".encode(),
    b"\xed\xa0\x80 a UTF-8-encoded surrogate\n",
    b"\xc0\xaf an overlong slash\n",
    b"\xe0\x80\xaf an overlong slash in three bytes\n",
    b"\xf4\x90\x80\x80 beyond U+10FFFF\n",
    b"\xf8\x88\x80\x80\x80 a five-byte form\n",
    b"\xc3 a lead byte without its continuation\n",
    b"\x80 a lone continuation byte\n",
    b"ends in the middle of a character \xe4\xb8\n",
    b"\xff\xfe\n",
    b"\x00 NUL is valid UTF-8\n",
]


def _python_says(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("line", TRAPS)
def test_each_trap_line_is_judged_as_python_judges_it(line: bytes) -> None:
    # Broken bytes outside the block (the rest of the read chunk) must not count, and the block may
    # start anywhere in the chunk.
    chunk = b"\xff\xc3" + line + b"\xe4"
    assert is_valid_utf8(LineBlock(chunk, 2, 2 + len(line))) is _python_says(line)


def test_random_blocks_are_judged_as_python_judges_them() -> None:
    rng = random.Random(5)
    alphabet = [t for t in TRAPS] + [b'{"k": "v"}\n', "\u00e9\u00e8".encode(), b"\xe2\x82\xac"]
    for _ in range(400):
        body = b"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        if rng.random() < 0.3:  # cut anywhere, also inside a multi-byte character
            body = body[: rng.randint(1, len(body))]
        prefix = bytes(rng.randrange(256) for _ in range(rng.randint(0, 3)))
        chunk = prefix + body + bytes(rng.randrange(256) for _ in range(rng.randint(0, 3)))
        block = LineBlock(chunk, len(prefix), len(prefix) + len(body))
        assert is_valid_utf8(block) is _python_says(body), body
