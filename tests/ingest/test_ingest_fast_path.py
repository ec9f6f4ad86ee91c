"""The typed (msgspec) path for canonical JSON lines gives exactly what the orjson path gives.

Each test reads the same file twice, with and without ``CanonicalReader.fast_extract``, and compares the
events and the quarantine records byte for byte: the orjson path is the reference.
"""

from __future__ import annotations

import copy
import gzip
import json
import random
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest
from ingest_helpers import SAMPLES

from distillguard.ingest import EVENT_SCHEMA, TEXT_CAP_CHARS, Quarantine, _source
from distillguard.ingest._blocks import BrokenTail, iter_blocks
from distillguard.ingest._canonical import CanonicalReader


def _read(path: Path, tmp_path: Path, *, fast: bool, batch_rows: int = 50) -> tuple[pa.Table, list[Any], int]:
    qpath = tmp_path / f"quarantine-{fast}.jsonl"
    with Quarantine(qpath) as quarantine:
        reader = CanonicalReader(path, quarantine, batch_rows)
        if not fast:
            reader.fast_extract = None
        batches = list(reader.batches())
    assert all(b.num_rows <= batch_rows for b in batches)
    records = [orjson.loads(line) for line in qpath.read_bytes().splitlines()]
    return pa.Table.from_batches(batches, schema=EVENT_SCHEMA), records, reader.lines_read


def assert_same_as_orjson_path(path: Path, tmp_path: Path) -> tuple[pa.Table, list[Any]]:
    fast_table, fast_quarantine, fast_lines = _read(path, tmp_path, fast=True)
    ref_table, ref_quarantine, ref_lines = _read(path, tmp_path, fast=False)
    assert fast_table.schema == ref_table.schema
    assert fast_table.num_rows == ref_table.num_rows
    for name in EVENT_SCHEMA.names:  # column by column, so that a failure names the column
        assert fast_table.column(name).equals(ref_table.column(name)), name
    assert fast_quarantine == ref_quarantine
    assert fast_lines == ref_lines
    return fast_table, fast_quarantine


def _record(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "ts": "2026-03-02T09:00:01.250Z",
        "request_id": "req_1",
        "account_id": "acct_1",
        "ip": "203.0.113.7",
        "request": {
            "model": "gpt-4o",
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
            "temperature": 0.7,
            "max_tokens": 256,
        },
        "response": {
            "choices": [{"finish_reason": "stop"}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 3},
        },
        "status": 200,
        "latency_ms": 321,
    }
    record.update(overrides)
    return record


def _write(path: Path, chunks: list[bytes]) -> Path:
    path.write_bytes(b"".join(chunks))
    return path


def _lines(records: list[Any]) -> bytes:
    return b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in records)


# Values of every JSON type and of the edges the two paths must agree on: ints where floats are expected
# and the reverse, the int32/int64 limits, bools, empty strings, huge and tiny numbers.
REPLACEMENTS: list[Any] = [
    None, 0, -1, 1.5, 512.0, True, False, "", "x", "2026-03-02T09:00:00Z", [], {}, [1, "a"], {"a": None},
    [None], [{"type": "text"}], [{"type": "text", "text": 5}], {"type": 5}, {"type": "json_object"},
    2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30, -(10**30), 1e300, -0.0, 0.1,
]  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            paths += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += _paths(item, (*prefix, index))
    return paths


def _mutate(record: Any, rng: random.Random) -> Any:
    for _ in range(rng.randint(1, 2)):
        path = rng.choice(_paths(record)[1:])
        target = record
        for step in path[:-1]:
            target = target[step]
        if rng.random() < 0.15 and isinstance(target, dict):
            del target[path[-1]]
        else:
            target[path[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
    return record


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mutated_records_read_identically(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    originals = (SAMPLES / "canonical.jsonl").read_bytes().splitlines()
    mutated = [json.dumps(_mutate(orjson.loads(rng.choice(originals)), rng)).encode() for _ in range(600)]
    path = _write(tmp_path / "mutated.jsonl", [line + b"\n" for line in originals + mutated])
    table, quarantined = assert_same_as_orjson_path(path, tmp_path)
    assert table.num_rows > len(originals) and quarantined  # both paths were exercised


def test_samples_and_the_tool_loop_read_identically(tmp_path: Path) -> None:
    table, quarantined = assert_same_as_orjson_path(SAMPLES / "canonical.jsonl", tmp_path)
    assert table.num_rows > 0 and not quarantined
    assert table.column("tools_text").drop_null().to_pylist()  # the sample has tool definitions


def test_malformed_line_in_the_middle_keeps_its_number_and_its_neighbours(tmp_path: Path) -> None:
    records: list[Any] = [_record(request_id=f"req_{i}") for i in range(2000)]
    records[1000] = b'{"ts": "2026-03-02T09:00:00Z", "account_id": "acct_1", "request": {'  # cut off
    records[1500] = orjson.dumps(_record(request_id="req_1500", status="200"))
    path = _write(tmp_path / "requests.jsonl", [_lines([r]) for r in records])
    table, quarantined = assert_same_as_orjson_path(path, tmp_path)
    assert [(r["line"], r["reason"].split(":")[0]) for r in quarantined] == [
        (1001, "broken JSON"),
        (1501, "wrong type"),
    ]
    ids = table.column("request_id").to_pylist()
    assert len(ids) == 1998 and ids[999] == "req_999" and ids[1000] == "req_1001"


def test_huge_prompt_is_capped_on_a_character_not_a_byte(tmp_path: Path) -> None:
    prompt = "é😀" * (TEXT_CAP_CHARS * 3)
    system = "x" * (TEXT_CAP_CHARS - 1) + "日本語"
    record = _record(
        request={
            "model": "m",
            "messages": [
                {"role": "developer", "content": system},
                {"role": "system", "content": "second"},
                {"role": "user", "content": [{"type": "text", "text": prompt}, {"type": "image_url"}]},
            ],
        }
    )
    path = _write(tmp_path / "big.jsonl", [_lines([record, _record()])])
    table, _ = assert_same_as_orjson_path(path, tmp_path)
    row = table.to_pylist()[0]
    assert row["user_text"] == prompt[:TEXT_CAP_CHARS]
    assert row["system_text"] == (system + "\nsecond")[:TEXT_CAP_CHARS]
    assert row["prompt_chars"] == len(prompt) + len(system) + len("second")


def test_unicode_escapes_and_invalid_utf8_in_an_unused_field(tmp_path: Path) -> None:
    escaped = json.dumps(_record(request_id="r\u00e9q", user_agent="\U0001f600 agent \u2028")).encode()
    raw_utf8 = orjson.dumps(_record(request_id="日本語", account_id="acct_ü"))
    bad_utf8 = orjson.dumps(_record(request_id="bad"))[:-1] + b', "note": "caf\xe9"}'
    escaped_key = b'{"t\\u0073": "2026-03-02T09:00:00Z", "account_id": "a", "request": {}}'
    path = _write(tmp_path / "unicode.jsonl", [_lines([escaped, raw_utf8, bad_utf8, escaped_key])])
    table, quarantined = assert_same_as_orjson_path(path, tmp_path)
    assert table.column("request_id").to_pylist() == ["réq", "日本語", None]
    assert [(r["line"], r["reason"].split(":")[0]) for r in quarantined] == [(3, "not UTF-8")]


def test_gzip_and_truncated_gzip(tmp_path: Path) -> None:
    body = _lines([_record(request_id=f"req_{i}") for i in range(300)])
    plain = _write(tmp_path / "plain.jsonl", [body])
    packed = tmp_path / "packed.jsonl.gz"
    packed.write_bytes(gzip.compress(body))
    plain_table, _ = assert_same_as_orjson_path(plain, tmp_path)
    packed_table, _ = assert_same_as_orjson_path(packed, tmp_path)
    assert packed_table.equals(plain_table)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(body)[:-40])
    table, quarantined = assert_same_as_orjson_path(cut, tmp_path)
    assert len(quarantined) == 1 and quarantined[0]["reason"].startswith("truncated gzip")
    assert quarantined[0]["line"] == table.num_rows + 1


def test_blank_crlf_whitespace_and_no_final_newline(tmp_path: Path) -> None:
    one, two = orjson.dumps(_record(request_id="a")), orjson.dumps(_record(request_id="b"))
    path = _write(tmp_path / "odd.jsonl", [b"\n" + one + b"\r\n\r\n   \n\t" + two + b"  \n" + one])
    table, quarantined = assert_same_as_orjson_path(path, tmp_path)
    assert table.column("request_id").to_pylist() == ["a", "b", "a"] and not quarantined


@pytest.mark.parametrize("chunk_bytes", [7, 64, 1000])
def test_lines_spanning_read_chunks(
    chunk_bytes: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_source, "CHUNK_BYTES", chunk_bytes)
    records = [_record(request_id=f"req_{i}") for i in range(40)]
    path = _write(tmp_path / "small-chunks.jsonl", [_lines(records)[:-1]])
    table, _ = assert_same_as_orjson_path(path, tmp_path)
    assert table.column("request_id").to_pylist() == [f"req_{i}" for i in range(40)]


@pytest.mark.parametrize("chunk_bytes", [5, 100, 1 << 20])
@pytest.mark.parametrize("truncate", [False, True])
def test_blocks_hold_the_same_lines_as_line_views(
    chunk_bytes: int, truncate: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_source, "CHUNK_BYTES", chunk_bytes)
    body = b"a\n\nbb\r\nccc\n" * 50 + b"last"
    path = tmp_path / "lines.gz"
    path.write_bytes(gzip.compress(body)[:-30] if truncate else gzip.compress(body))
    expected = [(n, bytes(line), problem) for n, line, problem in _source.iter_line_views(path)]
    got: list[tuple[int, bytes, str | None]] = []
    for block in iter_blocks(path):
        if isinstance(block, BrokenTail):
            got.append((len(got) + 1, block.data, block.reason))
            continue
        for line in block.data[block.start : block.end].split(b"\n")[:-1]:
            got.append((len(got) + 1, line, None))
    assert got == expected


def test_same_tools_in_other_spellings_give_the_same_text(tmp_path: Path) -> None:
    tools = [
        {
            "type": "function",
            "function": {"name": "get_weather", "parameters": {"type": "object", "b": 1, "a": [2]}},
        },
        {"type": "function", "function": {"name": "search", "description": "Search ü"}},
    ]
    request = {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "tools": tools}
    compact = orjson.dumps(_record(request=request))
    spaced = json.dumps(_record(request=request), indent=None).encode()
    ascii_escaped = json.dumps(_record(request={**request, "tools": list(reversed(tools))})).encode()
    path = _write(tmp_path / "tools.jsonl", [_lines([compact, spaced, compact, ascii_escaped, spaced])])
    table, _ = assert_same_as_orjson_path(path, tmp_path)
    texts = table.column("tools_text").to_pylist()
    assert texts[0] == texts[1] == texts[2] == texts[4] != texts[3]
    assert table.column("n_tools").to_pylist() == [2] * 5


def test_float_parsing_matches_orjson(tmp_path: Path) -> None:
    rng = random.Random(5)
    numbers = [repr(rng.uniform(0, 2)) for _ in range(300)]
    numbers += [f"{10 ** rng.uniform(-300, 300):.{rng.randint(0, 18)}e}" for _ in range(300)]
    numbers += [str(rng.randrange(10 ** rng.randint(1, 25))) for _ in range(100)]
    lines = [
        orjson.dumps(_record(request_id=n))[:-1] + b', "request": {"temperature": ' + n.encode() + b"}}"
        for n in numbers
    ]
    path = _write(tmp_path / "floats.jsonl", [_lines(lines)])
    table, _ = assert_same_as_orjson_path(path, tmp_path)
    assert table.num_rows > 600


def test_a_number_beyond_double_range_in_an_unused_field_is_read(tmp_path: Path) -> None:
    """The one deliberate difference: orjson refuses numbers beyond the double range anywhere in a line,
    the typed decoder only parses the fields the event uses, so such a request is read, not quarantined."""
    line = orjson.dumps(_record())[:-1] + b', "response_cost": 1e999}'
    path = _write(tmp_path / "overflow.jsonl", [_lines([line])])
    fast_table, fast_quarantine, _ = _read(path, tmp_path, fast=True)
    ref_table, ref_quarantine, _ = _read(path, tmp_path, fast=False)
    assert fast_table.num_rows == 1 and not fast_quarantine
    assert ref_table.num_rows == 0 and ref_quarantine[0]["reason"].startswith("broken JSON")
