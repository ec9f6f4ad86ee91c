"""Bad input never stops a scan and is never lost: every unreadable record is in the quarantine file."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_helpers import SAMPLES, read_all

from distillguard.errors import InputFormatError
from distillguard.ingest import Quarantine, read_events

GOOD = {
    "ts": "2026-03-02T09:00:00Z",
    "account_id": "acct_ok",
    "request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]},
}


def _line(**changes: Any) -> bytes:
    record = {**GOOD, **changes}
    return orjson.dumps({k: v for k, v in record.items() if v is not None})


def _request(**changes: Any) -> dict[str, Any]:
    return {**GOOD["request"], **changes}


# (bad line, expected reason prefix)
BAD_LINES = [
    pytest.param(b'{"ts": "2026-03-02T09:00:00Z", "account_id": ', "broken JSON:", id="broken-json"),
    pytest.param(b'["ts", "account_id"]', "not a JSON object: got list", id="not-an-object"),
    pytest.param(b"42", "not a JSON object: got integer", id="a-number"),
    pytest.param(_line(account_id=None), "missing field: account_id", id="missing-account"),
    pytest.param(_line(account_id=""), "missing field: account_id", id="empty-account"),
    pytest.param(_line(ts=None), "missing field: ts", id="missing-ts"),
    pytest.param(_line(ts="last tuesday"), "unparseable time: ts 'last tuesday'", id="unparseable-ts"),
    pytest.param(_line(ts="2026-02-30T10:00:00Z"), "unparseable time:", id="impossible-date"),
    pytest.param(_line(ts="2026-03-02T09:00:00"), "unparseable time:", id="ts-without-offset"),
    pytest.param(
        _line(ts=1772442000), "wrong type: ts must be an RFC 3339 string, got integer", id="ts-number"
    ),
    pytest.param(
        _line(account_created="soon"), "unparseable time: account_created 'soon'", id="bad-account-created"
    ),
    pytest.param(
        _line(request=_request(messages="hello")),
        "wrong type: request.messages must be a list, got string",
        id="messages-not-list",
    ),
    pytest.param(
        _line(request=_request(messages=["hello"])),
        "wrong type: request.messages[] must be an object, got string",
        id="message-not-object",
    ),
    pytest.param(
        _line(request=_request(max_tokens="512")),
        "wrong type: max_tokens must be an integer, got string",
        id="max-tokens-string",
    ),
    pytest.param(
        _line(request=_request(temperature=True)),
        "wrong type: temperature must be a number, got boolean",
        id="temperature-bool",
    ),
    pytest.param(
        _line(request="gpt-4o please"), "wrong type: request must be an object", id="request-string"
    ),
    pytest.param(_line(request=None), "missing field: request", id="missing-request"),
    pytest.param(_line(status=10**12), "value out of range: status", id="status-out-of-range"),
    pytest.param(_line(ip=3405803786), "wrong type: ip must be a string, got integer", id="ip-number"),
    pytest.param(
        _line(request=_request(model=["gpt-4o"])),
        "wrong type: model must be a string, got list",
        id="model-list",
    ),
    pytest.param(
        _line(request=_request(logprobs="yes")),
        "wrong type: logprobs must be a boolean, got string",
        id="logprobs-string",
    ),
    pytest.param(
        _line(request=_request(max_tokens=512.5)),
        "wrong type: max_tokens must be an integer, got number",
        id="max-tokens-fraction",
    ),
    pytest.param(
        b'{"ts": "2026-03-02T09:00:00Z", "account_id": "acct_\xff\xfe"}',
        "not UTF-8: invalid byte",
        id="not-utf8",
    ),
    pytest.param(b"\x00\x01\x02\x8b\x00PK\x03\x04garbage\x00", "binary data:", id="binary-garbage"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_LINES)
def test_bad_line_is_quarantined_and_the_rest_is_read(bad: bytes, reason: str, tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b"\n".join([_line(), bad, _line(account_id="acct_after")]) + b"\n")
    table, quarantined, quarantine = read_all([path], tmp_path)
    assert table.column("account_id").to_pylist() == ["acct_ok", "acct_after"]
    assert quarantine.count == 1
    assert len(quarantined) == 1
    record = quarantined[0]
    assert record["source"] == str(path)
    assert record["line"] == 2
    assert record["reason"].startswith(reason), record["reason"]
    assert record["raw"] == bad.decode("utf-8", "replace")


def test_blank_lines_are_skipped_not_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b"\n" + _line() + b"\n   \n\r\n" + _line() + b"\n\n")
    table, quarantined, quarantine = read_all([path], tmp_path)
    assert table.num_rows == 2
    assert quarantined == [] and quarantine.count == 0


def test_many_bad_lines_are_counted_per_reason_and_keep_their_line_numbers(tmp_path: Path) -> None:
    lines = []
    for i in range(300):
        if i % 50 == 7:
            lines.append(_line(ts=f"day {i}"))
        elif i % 50 == 13:
            lines.append(b"{not json")
        else:
            lines.append(_line(account_id=f"acct_{i}"))
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b"\n".join(lines))
    table, quarantined, quarantine = read_all([path], tmp_path, batch_rows=64)
    assert table.num_rows == 288
    assert quarantine.count == 12
    assert quarantine.by_reason == {"unparseable time": 6, "broken JSON": 6}
    assert sorted(r["line"] for r in quarantined if r["reason"].startswith("unparseable")) == [
        i + 1 for i in range(300) if i % 50 == 7
    ]


def test_raw_is_capped_in_the_quarantine(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b'{"broken": "' + b"x" * 100_000 + b"\n")
    _, quarantined, _ = read_all([path], tmp_path, fmt="canonical")
    assert quarantined[0]["reason"].startswith("broken JSON")
    assert len(quarantined[0]["raw"]) == 2048


def test_truncated_gzip_tail_is_quarantined(tmp_path: Path) -> None:
    content = b"".join(_line(account_id=f"acct_{i}") + b"\n" for i in range(200))
    compressed = gzip.compress(content)
    path = tmp_path / "requests.jsonl.gz"
    path.write_bytes(compressed[: len(compressed) - 40])  # a log shipper killed mid-write
    table, quarantined, quarantine = read_all([path], tmp_path)
    assert quarantine.count == 1
    record = quarantined[0]
    assert record["reason"].startswith("truncated gzip:")
    assert record["line"] == table.num_rows + 1
    assert table.num_rows >= 150
    assert table.column("account_id").to_pylist() == [f"acct_{i}" for i in range(table.num_rows)]


def test_concatenated_gzip_members_are_all_read(tmp_path: Path) -> None:
    path = tmp_path / "rotated.jsonl.gz"
    path.write_bytes(gzip.compress(_line() + b"\n") + gzip.compress(_line(account_id="acct_2") + b"\n"))
    table, quarantined, _ = read_all([path], tmp_path)
    assert table.column("account_id").to_pylist() == ["acct_ok", "acct_2"]
    assert quarantined == []


def test_litellm_record_without_any_account_key_is_quarantined(tmp_path: Path) -> None:
    payloads = [orjson.loads(line) for line in (SAMPLES / "litellm.jsonl").read_bytes().splitlines()[:3]]
    for key in ("user_api_key_org_id", "user_api_key_team_id", "user_api_key_hash"):
        payloads[1]["metadata"][key] = None
    payloads[2]["startTime"] = "not a time"
    path = tmp_path / "litellm.log"
    path.write_bytes(b"\n".join(orjson.dumps(p) for p in payloads))
    table, quarantined, _ = read_all([path], tmp_path)
    assert table.num_rows == 1
    assert [(r["line"], r["reason"].split(":")[0]) for r in quarantined] == [
        (2, "missing field"),
        (3, "unparseable time"),
    ]


def test_litellm_team_then_key_hash_are_account_fallbacks(tmp_path: Path) -> None:
    payload = orjson.loads((SAMPLES / "litellm.jsonl").read_bytes().splitlines()[0])
    payload["metadata"]["user_api_key_org_id"] = None
    team_only = orjson.dumps(payload)
    payload["metadata"]["user_api_key_team_id"] = None
    path = tmp_path / "litellm.jsonl"
    path.write_bytes(team_only + b"\n" + orjson.dumps(payload))
    table, _, _ = read_all([path], tmp_path)
    assert table.column("account_id").to_pylist() == ["team_default", "key_9f2c_1"]


def test_otel_span_problems_are_quarantined_with_their_location(tmp_path: Path) -> None:
    export = orjson.loads((SAMPLES / "otel.jsonl").read_bytes().splitlines()[0])
    spans = export["resourceSpans"][0]["scopeSpans"][0]["spans"]
    spans[0]["attributes"] = [a for a in spans[0]["attributes"] if a["key"] not in ("enduser.id", "user.id")]
    for attribute in spans[1]["attributes"]:
        if attribute["key"] == "gen_ai.input.messages":
            attribute["value"] = {"stringValue": '[{"role": "user", "parts": [{"type": "text", "content": '}
    path = tmp_path / "traces.json"
    path.write_bytes(orjson.dumps(export) + b"\n")
    table, quarantined, _ = read_all([path], tmp_path)
    assert table.num_rows == 6
    reasons = [(r["line"], r["reason"]) for r in quarantined]
    assert reasons[0][0] == 1 and reasons[0][1].startswith("missing field: account_id")
    assert reasons[0][1].endswith("(at resourceSpans[0].scopeSpans[0].spans[0])")
    assert reasons[1][1].startswith("broken JSON: in gen_ai.input.messages")


def test_parquet_without_a_required_column_is_an_error_naming_the_file(tmp_path: Path) -> None:
    table = pq.read_table(SAMPLES / "events.parquet").drop_columns(["account_id"])
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    with Quarantine(None) as quarantine, pytest.raises(InputFormatError) as error:
        list(read_events([path], quarantine=quarantine))
    assert "account_id" in str(error.value) and str(path) in str(error.value)


def test_parquet_rows_without_account_are_quarantined(tmp_path: Path) -> None:
    table = pq.read_table(SAMPLES / "events.parquet")
    accounts = table.column("account_id").to_pylist()
    accounts[3] = None
    accounts[11] = ""
    # The sample predates later optional columns (end_user): old files stay readable.
    loose = pa.schema([f.with_nullable(True) for f in table.schema])
    table = table.cast(loose).set_column(1, loose.field("account_id"), pa.array(accounts))
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    events, quarantined, _ = read_all([path], tmp_path)
    assert events.num_rows == 18
    assert [(r["line"], r["reason"]) for r in quarantined] == [
        (4, "missing field: account_id"),
        (12, "missing field: account_id"),
    ]
    assert orjson.loads(quarantined[0]["raw"])["request_id"] == "req_0004_77ab"


def test_unknown_format_name_is_an_error(tmp_path: Path) -> None:
    with Quarantine(None) as quarantine, pytest.raises(InputFormatError, match="unknown format 'csv'"):
        list(read_events([SAMPLES / "canonical.jsonl"], fmt="csv", quarantine=quarantine))


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with Quarantine(None) as quarantine, pytest.raises(InputFormatError) as error:
        list(read_events([tmp_path / "nope.jsonl"], quarantine=quarantine))
    assert "nope.jsonl" in str(error.value)


def test_truncated_pretty_printed_otlp_document_is_one_quarantine_record(tmp_path: Path) -> None:
    export = orjson.loads((SAMPLES / "otel.jsonl").read_bytes().splitlines()[0])
    text = orjson.dumps(export, option=orjson.OPT_INDENT_2)
    path = tmp_path / "export.json"
    path.write_bytes(text[: len(text) // 2])
    table, quarantined, quarantine = read_all([path], tmp_path, fmt="otel")
    assert table.num_rows == 0
    assert quarantine.count == 1
    assert quarantined[0]["line"] == 1
    assert quarantined[0]["reason"].startswith("broken JSON:")
    assert quarantined[0]["reason"].endswith("(the whole OTLP/JSON document)")


def test_otel_attribute_of_the_wrong_type(tmp_path: Path) -> None:
    export = orjson.loads((SAMPLES / "otel.jsonl").read_bytes().splitlines()[0])
    span = export["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    for attribute in span["attributes"]:
        if attribute["key"] == "gen_ai.request.max_tokens":
            attribute["value"] = {"stringValue": "512"}
    path = tmp_path / "traces.jsonl"
    path.write_bytes(orjson.dumps(export))
    _, quarantined, _ = read_all([path], tmp_path)
    assert [r["reason"] for r in quarantined] == [
        "wrong type: gen_ai.request.max_tokens must be an integer, got string "
        "(at resourceSpans[0].scopeSpans[0].spans[0])"
    ]


def test_litellm_start_time_out_of_range(tmp_path: Path) -> None:
    payloads = [orjson.loads(line) for line in (SAMPLES / "litellm.jsonl").read_bytes().splitlines()[:2]]
    payloads[1]["startTime"] = 1e300
    path = tmp_path / "litellm.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(p) for p in payloads))
    table, quarantined, _ = read_all([path], tmp_path)
    assert table.num_rows == 1
    assert [(r["line"], r["reason"].split(":")[0]) for r in quarantined] == [(2, "unparseable time")]


def test_quarantine_used_without_with_still_writes(tmp_path: Path) -> None:
    quarantine = Quarantine(tmp_path / "q.jsonl")
    quarantine.add("logs.jsonl", 7, "broken JSON: x", b"{")
    quarantine.close()
    record = orjson.loads((tmp_path / "q.jsonl").read_bytes())
    assert record == {"source": "logs.jsonl", "line": 7, "reason": "broken JSON: x", "raw": "{"}


def test_litellm_non_chat_calls_are_kept_without_a_conversation(tmp_path: Path) -> None:
    payload = orjson.loads((SAMPLES / "litellm.jsonl").read_bytes().splitlines()[0])
    payload["call_type"] = "aembedding"
    payload["messages"] = ["first passage to embed", "second passage"]
    chat_with_bad_messages = {**payload, "call_type": "acompletion", "id": "bad"}
    path = tmp_path / "litellm.jsonl"
    path.write_bytes(orjson.dumps(payload) + b"\n" + orjson.dumps(chat_with_bad_messages))
    table, quarantined, _ = read_all([path], tmp_path)
    assert table.to_pylist()[0]["n_messages"] == 0 and table.num_rows == 1
    assert [(r["line"], r["reason"]) for r in quarantined] == [
        (2, "wrong type: messages[] must be an object, got string")
    ]
