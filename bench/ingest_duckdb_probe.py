"""Would DuckDB's JSON reader make canonical ingest cheaper? A go/no-go measurement, not a reader.

    pip install duckdb==2.0.0        # not a dependency of distillguard: install it to run this probe
    nice -n 5 .venv/bin/python bench/ingest_duckdb_probe.py --file traffic.jsonl [--rounds 2] [--check]

Phases, each in a fresh process, interleaved over ``--rounds``, each phase's least CPU time kept:

- ``ingest``: the current canonical reader (``read_events``, one process).
- ``duckdb``: the fast path as it would have to be to give the same events: per 16 MB line-aligned part
  (the scan's parts), UTF-8 and JSON syntax checked the way the current reader's decoder checks them
  (DuckDB's parser takes ``NaN``/``Infinity`` and trailing commas anywhere in a line), the part copied into
  a memfd (DuckDB reads files, not byte ranges), ``read_json`` with explicit types (numbers and booleans as
  JSON leaves, since DuckDB casts ``"512"``, ``true`` and ``512.7`` into BIGINT and a number into VARCHAR
  without a word), then the event columns and every guard computed with Arrow and numpy (message counts,
  last user text, system text, prompt_chars in code points, strict type checks of each leaf, int32 ranges,
  tools, response_format and the end-user pseudonym over distinct values, timestamps). Rows a guard
  does not vouch for are only counted here (a real reader would read them with the per-line reader).
- ``duckdb-transform``: DuckDB alone, ``read_json`` of the whole file into the same columns, no checks:
  the floor of any DuckDB-based path.
- ``syntax``: reading the parts, the UTF-8 check and the syntax check alone.

``--check`` also compares the ``duckdb`` phase's table with the current reader's, column by column.
Findings and numbers: docs/ingest.md, "DuckDB's JSON reader (tried, not kept)".
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.ingest import EVENT_SCHEMA, Quarantine, read_events
from distillguard.ingest._blocks import LineBlock, is_valid_utf8
from distillguard.ingest._canonical import request_end_user
from distillguard.ingest._openai import _response_format, tools_summary
from distillguard.ingest._parallel import PART_BYTES
from distillguard.ingest._record import RecordError
from distillguard.ingest._source import line_aligned_ranges
from distillguard.ingest.schema import TEXT_CAP_CHARS, TS_TYPE

COLUMNS = """{ts: 'VARCHAR', account_id: 'VARCHAR', request_id: 'VARCHAR', api_key_id: 'VARCHAR',
 ip: 'VARCHAR', user_agent: 'VARCHAR', account_created: 'VARCHAR', payment_fingerprint: 'VARCHAR',
 endpoint: 'VARCHAR',
 request: 'STRUCT(model VARCHAR, messages STRUCT(role VARCHAR, content VARCHAR)[], tools JSON,
   temperature JSON, top_p JSON, max_tokens JSON, max_completion_tokens JSON, logprobs JSON,
   top_logprobs JSON, n JSON,
   reasoning_effort VARCHAR, stream JSON, response_format JSON, "user" JSON, safety_identifier JSON)',
 response: 'STRUCT(choices STRUCT(finish_reason VARCHAR)[],
   usage STRUCT(prompt_tokens JSON, completion_tokens JSON))',
 status: 'JSON', latency_ms: 'JSON'}"""
SELECT = """SELECT ts, account_id, request_id, api_key_id, ip, user_agent, account_created,
 payment_fingerprint, endpoint, request IS NULL AS no_request, request.model AS model,
 request.messages AS messages,
 CAST(request.tools AS VARCHAR) AS tools, CAST(request.temperature AS VARCHAR) AS temperature,
 CAST(request.top_p AS VARCHAR) AS top_p, CAST(request.max_tokens AS VARCHAR) AS max_tokens,
 CAST(request.max_completion_tokens AS VARCHAR) AS max_completion_tokens,
 CAST(request.logprobs AS VARCHAR) AS logprobs, CAST(request.top_logprobs AS VARCHAR) AS top_logprobs,
 CAST(request.n AS VARCHAR) AS n, request.reasoning_effort AS reasoning_effort,
 CAST(request.stream AS VARCHAR) AS stream, CAST(request.response_format AS VARCHAR) AS response_format,
 CAST(request.user AS VARCHAR) AS "user", CAST(request.safety_identifier AS VARCHAR) AS safety_identifier,
 coalesce(len(response.choices), 0) AS n_choices, response.choices[1] IS NULL AS first_choice_null,
 response.choices[1].finish_reason AS finish_reason,
 CAST(response.usage.prompt_tokens AS VARCHAR) AS prompt_tokens,
 CAST(response.usage.completion_tokens AS VARCHAR) AS completion_tokens,
 CAST(status AS VARCHAR) AS status, CAST(latency_ms AS VARCHAR) AS latency_ms"""
# What DuckDB writes into a VARCHAR leaf for a JSON number, boolean, object or array.
_NON_STRING = r"^(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|[\[{].*)$"
_INTEGER = r"^-?[0-9]{1,18}$"  # 19 digits and more: left to the per-line reader (int64 range)
_NUMBER = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
_FLOAT_INT_LIMIT = 2.0**53
_ROLES = pa.array(["user", "assistant", "system", "developer", "tool", "function"])
_STRING_COLUMNS = (
    "account_id", "request_id", "api_key_id", "ip", "user_agent", "payment_fingerprint", "endpoint", "model",
    "reasoning_effort", "finish_reason", "ts", "account_created",
)  # fmt: skip
_UNSURE = object()


class _Anything(msgspec.Struct):
    """Decoding into this skips every field: msgspec's syntax check without building anything."""


_CHECK_SYNTAX = msgspec.json.Decoder(_Anything).decode_lines


def _mask(array: Any) -> np.ndarray[Any, Any]:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _integers(table: pa.Table, name: str, bits: int, bad: np.ndarray[Any, Any]) -> pa.Array:
    text = table.column(name).combine_chunks()
    bad |= _mask(pc.invert(pc.match_substring_regex(text, _INTEGER)))
    values = pc.if_else(pc.match_substring_regex(text, _INTEGER), text, None).cast(pa.int64())
    if bits == 32:
        inside = pc.and_(pc.greater_equal(values, -(2**31)), pc.less_equal(values, 2**31 - 1))
        bad |= _mask(pc.invert(inside))
        values = pc.if_else(inside, values, None).cast(pa.int32())
    return values


def _floats(table: pa.Table, name: str, bad: np.ndarray[Any, Any]) -> pa.Array:
    text = table.column(name).combine_chunks()
    number = pc.match_substring_regex(text, _NUMBER)
    bad |= _mask(pc.invert(number))
    values = pc.if_else(number, text, None).cast(pa.float64())
    bad |= _mask(pc.greater_equal(pc.abs(values), _FLOAT_INT_LIMIT))
    return values


def _booleans(table: pa.Table, name: str, bad: np.ndarray[Any, Any]) -> pa.Array:
    text = table.column(name).combine_chunks()
    bad |= _mask(pc.and_(text.is_valid(), pc.invert(pc.is_in(text, pa.array(["true", "false"])))))
    return pc.equal(text, "true")


def _by_distinct(array: Any, convert: Any, bad: np.ndarray[Any, Any], data_type: pa.DataType) -> pa.Array:
    """``convert`` (the per-line reader's own code) once per distinct value, mapped back."""
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    distinct = pc.unique(array)
    results = [None if value is None else convert(value) for value in distinct.to_pylist()]
    unsure = pa.array([result is _UNSURE for result in results])
    index = pc.index_in(array, distinct)
    bad |= _mask(unsure.take(index))
    return pa.array([None if r is _UNSURE else r for r in results], data_type).take(index)


def _tools(text: str) -> object:
    """``{n, text}`` of one distinct ``tools`` value as DuckDB re-serialised it."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _UNSURE
    if re.search(r"[0-9][eE]", text):  # DuckDB re-serialised the value: a huge integer became a float
        return _UNSURE
    try:
        n_tools, tools_text = tools_summary(value, "request.tools")
    except RecordError:
        return _UNSURE
    return {"n": n_tools, "text": tools_text}


def _response_format_of(text: str) -> object:
    try:
        return _response_format({"response_format": orjson.loads(text)})
    except RecordError:
        return _UNSURE


def _end_user_of(pair: str) -> object:
    user, safety = pair.split("\x00")
    try:
        return request_end_user({"user": orjson.loads(user), "safety_identifier": orjson.loads(safety)})
    except RecordError:
        return _UNSURE


def _conversation(messages: pa.ListArray, n: int, bad: np.ndarray[Any, Any]) -> dict[str, pa.Array]:
    """Counts per role, last user text, the system text and prompt_chars from the messages lists."""
    parent = np.asarray(pc.list_parent_indices(messages))
    flat = messages.flatten()
    bad[parent[_mask(flat.is_null())]] = True
    role = flat.field("role")
    content = flat.field("content")
    code = np.asarray(pc.fill_null(pc.index_in(role, _ROLES), -1))
    bad[parent[code < 0]] = True  # an unknown role or one that is not a string: the per-line reader
    bad[parent[_mask(pc.match_substring_regex(content, _NON_STRING))]] = True  # a list of parts, a number...
    text = pc.fill_null(content, "")
    lengths = np.asarray(pc.utf8_length(text))
    n_messages = np.asarray(pc.fill_null(pc.list_value_length(messages), 0))
    counts = [np.bincount(parent[code == c], minlength=n) for c in range(6)]
    system = counts[2] + counts[3]
    bad[system > 1] = True
    capped = pc.utf8_slice_codeunits(text, 0, TEXT_CAP_CHARS)
    return {
        "n_messages": pa.array(n_messages, pa.int32()),
        "n_user_messages": pa.array(counts[0], pa.int32()),
        "n_assistant_messages": pa.array(counts[1], pa.int32()),
        "n_tool_messages": pa.array(counts[4] + counts[5], pa.int32()),
        "system_text": _pick(capped, parent, (code == 2) | (code == 3), n, first=True),
        "user_text": _pick(capped, parent, code == 0, n, first=False),
        "prompt_chars": pa.array(np.bincount(parent, weights=lengths, minlength=n).astype(np.int64)),
    }


def _pick(
    text: pa.Array, parent: np.ndarray[Any, Any], chosen: np.ndarray[Any, Any], n: int, first: bool
) -> pa.Array:
    positions = np.flatnonzero(chosen)
    owners = parent[positions]
    if not first:
        positions, owners = positions[::-1], owners[::-1]
    owners, where = np.unique(owners, return_index=True)
    index = np.full(n, -1, dtype=np.int64)
    index[owners] = positions[where]
    take = pa.array(index, mask=index < 0)
    return text.take(take)


def _times(column: Any, bad: np.ndarray[Any, Any]) -> pa.Array:
    try:
        return column.cast(TS_TYPE)
    except pa.ArrowInvalid:
        bad[:] = True  # a real reader would find the rows by bisection, as _batch.py does
        return pa.nulls(len(column), TS_TYPE)


def events_of_part(con: Any, data: bytes) -> tuple[pa.Table, int] | None:
    """The part's events and how many rows no guard vouches for; None when the whole part is left to
    the per-line reader (bad UTF-8, a byte-order mark, a syntax error, a DuckDB error, blank lines)."""
    if data.startswith(b"\xef\xbb\xbf") or not is_valid_utf8(LineBlock(data, 0, len(data))):
        return None
    try:
        _CHECK_SYNTAX(data)
    except msgspec.DecodeError:
        return None
    fd = os.memfd_create("part")
    try:
        os.write(fd, data)
        path = f"/proc/self/fd/{fd}"
        table = con.sql(
            f"{SELECT} FROM read_json('{path}', format='newline_delimited', columns={COLUMNS})"
        ).to_arrow_table()
    except Exception:  # duckdb.Error: a duplicate key, a container of the wrong type...
        return None
    finally:
        os.close(fd)
    n = table.num_rows
    if n != data.count(b"\n"):
        return None
    bad = np.zeros(n, dtype=bool)
    for name in _STRING_COLUMNS:
        bad |= _mask(pc.match_substring_regex(table.column(name), _NON_STRING))
    account_id = table.column("account_id")
    bad |= _mask(pc.or_kleene(account_id.is_null(), pc.equal(account_id, "")))
    bad |= _mask(table.column("ts").is_null()) | _mask(table.column("no_request"))
    bad |= _mask(pc.and_(pc.greater(table.column("n_choices"), 0), table.column("first_choice_null")))
    messages = table.column("messages").combine_chunks()
    columns: dict[str, Any] = {name: table.column(name) for name in table.column_names}
    columns.update(_conversation(messages, n, bad))
    columns["ts"] = _times(table.column("ts"), bad)
    columns["account_created"] = _times(table.column("account_created"), bad)
    for name in ("top_logprobs", "n", "status"):
        columns[name] = _integers(table, name, 32, bad)
    for name in ("prompt_tokens", "completion_tokens", "latency_ms"):
        columns[name] = _integers(table, name, 64, bad)
    newer, older = _integers(table, "max_completion_tokens", 64, bad), _integers(table, "max_tokens", 64, bad)
    columns["max_tokens"] = pc.coalesce(newer, older)
    columns["temperature"], columns["top_p"] = (
        _floats(table, "temperature", bad),
        _floats(table, "top_p", bad),
    )
    columns["logprobs"], columns["stream"] = (
        _booleans(table, "logprobs", bad),
        _booleans(table, "stream", bad),
    )
    tools = _by_distinct(
        table.column("tools"), _tools, bad, pa.struct([("n", pa.int32()), ("text", pa.string())])
    )
    columns["n_tools"] = pc.fill_null(pc.struct_field(tools, "n"), 0)
    columns["tools_text"] = pc.struct_field(tools, "text")
    columns["response_format"] = _by_distinct(
        table.column("response_format"), _response_format_of, bad, pa.string()
    )
    pair = pc.binary_join_element_wise(
        pc.fill_null(table.column("user"), "null"),
        pc.fill_null(table.column("safety_identifier"), "null"),
        "\x00",
    )
    columns["end_user"] = _by_distinct(pair, _end_user_of, bad, pa.string())
    events = pa.table([columns[f.name] for f in EVENT_SCHEMA], schema=EVENT_SCHEMA)
    return events, int(bad.sum())


def read_with_duckdb(path: Path) -> tuple[pa.Table, int, int]:
    import duckdb

    con = duckdb.connect(config={"threads": 1, "memory_limit": "1GB"})
    tables, unvouched, parts_left = [], 0, 0
    with path.open("rb") as f:
        for start, end in line_aligned_ranges(path, PART_BYTES):
            f.seek(start)
            got = events_of_part(con, f.read(end - start))
            if got is None:
                parts_left += 1
                continue
            tables.append(got[0])
            unvouched += got[1]
    return pa.concat_tables(tables), unvouched, parts_left


def read_current(path: Path) -> pa.Table:
    with Quarantine(None) as quarantine:
        batches = list(read_events([path], fmt="canonical", quarantine=quarantine, workers=1))
    return pa.Table.from_batches(batches, schema=EVENT_SCHEMA)


def measure(phase: str, path: Path, check: bool) -> None:
    start, cpu = time.perf_counter(), os.times()
    extra: dict[str, Any] = {}
    if phase == "ingest":
        rows = read_current(path).num_rows
    elif phase == "duckdb":
        table, unvouched, parts_left = read_with_duckdb(path)
        rows, extra = table.num_rows, {"rows_not_vouched_for": unvouched, "parts_left": parts_left}
    elif phase == "duckdb-transform":
        import duckdb

        con = duckdb.connect(config={"threads": 1})
        query = f"{SELECT} FROM read_json('{path}', format='newline_delimited', columns={COLUMNS})"
        rows = con.sql(query).to_arrow_table().num_rows
    else:
        rows = 0
        with path.open("rb") as f:
            for first, end in line_aligned_ranges(path, PART_BYTES):
                f.seek(first)
                data = f.read(end - first)
                is_valid_utf8(LineBlock(data, 0, len(data)))
                rows += len(_CHECK_SYNTAX(data))
    done = os.times()
    result = {
        "phase": phase,
        "rows": rows,
        "cpu_seconds": done.user - cpu.user + done.system - cpu.system,
        "seconds": time.perf_counter() - start,
        **extra,
    }
    if check and phase == "duckdb":
        reference = read_current(path)
        result["different_columns"] = [
            name for name in EVENT_SCHEMA.names if not table.column(name).equals(reference.column(name))
        ]
    print(orjson.dumps(result).decode())


PHASES = ("ingest", "duckdb", "duckdb-transform", "syntax")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--check", action="store_true", help="compare the duckdb phase's table too")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        measure(args.phase, args.file, args.check)
        return
    best: dict[str, dict[str, Any]] = {}
    for _ in range(max(1, args.rounds)):
        for phase in PHASES:
            command = [sys.executable, __file__, "--phase", phase, "--file", str(args.file)]
            out = subprocess.run(
                command + (["--check"] if args.check else []), check=True, capture_output=True
            )
            result = orjson.loads(out.stdout)
            print(orjson.dumps(result).decode(), flush=True)
            if phase not in best or result["cpu_seconds"] < best[phase]["cpu_seconds"]:
                best[phase] = result
    reference = best["ingest"]["cpu_seconds"]
    for phase, result in best.items():
        cpu = result["cpu_seconds"]
        print(f"{phase:17s} {cpu:6.2f} s CPU  {cpu / reference:5.2f}x the current reader")


if __name__ == "__main__":
    main()
