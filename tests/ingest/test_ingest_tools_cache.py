"""The typed reader's cache of tool summaries: found by length, then compared byte for byte.

Every lookup must give what parsing the record's own ``tools`` value gives, also for distinct tool lists
of the same byte length (which share a length bucket) and once the cache has stopped growing.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import orjson
import pytest
from test_ingest_fast_path import _lines, _record, _write, assert_same_as_orjson_path

from distillguard.ingest._fast_canonical import ToolsCache
from distillguard.ingest._openai import tools_summary


def _tool(name: str, description: str = "run it") -> dict[str, object]:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": {}}}


def _raw(value: object) -> msgspec.Raw:
    """A ``tools`` value as the typed decoder hands it over: a view into the decoded line."""
    line = orjson.dumps({"tools": value})
    raw: msgspec.Raw = msgspec.json.decode(line, type=dict[str, msgspec.Raw])["tools"]
    return raw


# Distinct tool lists of exactly the same byte length (one name differs by a letter, or two swap places).
SAME_LENGTH = [
    [_tool("read_file"), _tool("run_tests")],
    [_tool("read_fila"), _tool("run_tests")],
    [_tool("run_tests"), _tool("read_file")],
    [_tool("read_file", "run iu"), _tool("run_tests")],
]


def test_tool_lists_of_the_same_length_keep_their_own_summaries() -> None:
    assert len({len(orjson.dumps(tools)) for tools in SAME_LENGTH}) == 1
    cache = ToolsCache()
    for _ in range(3):  # first as misses, then as hits in the shared length bucket
        for tools in SAME_LENGTH:
            assert cache.summary(_raw(tools)) == tools_summary(tools, "request.tools")
    texts = {cache.summary(_raw(tools))[1] for tools in SAME_LENGTH}
    assert len(texts) == len(SAME_LENGTH)


@pytest.mark.parametrize(("max_entries", "max_per_length"), [(2, 16), (4096, 2)])
def test_a_full_cache_still_answers_every_lookup(
    max_entries: int, max_per_length: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ToolsCache, "MAX_ENTRIES", max_entries)
    monkeypatch.setattr(ToolsCache, "MAX_PER_LENGTH", max_per_length)
    cache = ToolsCache()
    lists = [[_tool(f"tool_{i}")] for i in range(6)] + SAME_LENGTH
    for tools in lists + lists[::-1]:
        assert cache.summary(_raw(tools)) == tools_summary(tools, "request.tools")


def test_the_cache_keeps_a_copy_not_a_view_of_the_line() -> None:
    cache = ToolsCache()
    line = bytearray(orjson.dumps({"tools": [_tool("read_file")]}))
    raw = msgspec.json.decode(line, type=dict[str, msgspec.Raw])["tools"]
    cache.summary(raw)
    del raw
    line.extend(b"x")  # resizing a bytearray fails (BufferError) while a view of it is kept anywhere
    assert cache.summary(_raw([_tool("read_file")])) == tools_summary([_tool("read_file")], "request.tools")


def test_same_length_tool_lists_in_a_file_read_as_by_the_orjson_path(tmp_path: Path) -> None:
    records = []
    for i in range(40):
        tools = SAME_LENGTH[i % len(SAME_LENGTH)]
        request = dict(_record()["request"], tools=tools)
        records.append(_record(request_id=f"req_{i}", request=request))
    table, quarantine = assert_same_as_orjson_path(_write(tmp_path / "t.jsonl", [_lines(records)]), tmp_path)
    assert quarantine == []
    assert table.column("tools_text").unique().to_pylist() == [
        tools_summary(tools, "request.tools")[1] for tools in SAME_LENGTH
    ]
