"""Each format parses field by field, and the same requests in all four formats give the same events."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from ingest_helpers import SAMPLES, read_all
from make_samples import canonical_events, sample_files

from distillguard.ingest import EVENT_SCHEMA, FORMATS, Reader

# What each source format does not record at all (the reader leaves these null).
NOT_CARRIED = {
    "canonical": set(),
    "parquet": set(),
    "litellm": {"account_created", "payment_fingerprint"},
    "otel": {"account_created", "payment_fingerprint", "api_key_id"},
}
FILES = {
    "canonical": "canonical.jsonl",
    "parquet": "events.parquet",
    "litellm": "litellm.jsonl",
    "otel": "otel.jsonl",
}


def test_registry_names_every_format_with_a_reader() -> None:
    assert set(FORMATS) == {"canonical", "litellm", "otel", "parquet"}
    assert all(issubclass(reader, Reader) and reader.name == name for name, reader in FORMATS.items())


def test_committed_samples_are_what_the_generator_writes() -> None:
    for name, content in sample_files().items():
        assert (SAMPLES / name).read_bytes() == content, f"{name} is stale: run tests/data/make_samples.py"
    assert gzip.decompress((SAMPLES / "canonical.jsonl.gz").read_bytes()) == sample_files()["canonical.jsonl"]


@pytest.mark.parametrize("fmt", ["litellm", "otel", "parquet"])
def test_same_events_in_every_format(fmt: str, tmp_path: Path) -> None:
    canonical, _, _ = read_all([SAMPLES / FILES["canonical"]], tmp_path)
    other, quarantined, _ = read_all([SAMPLES / FILES[fmt]], tmp_path, fmt=fmt)
    assert quarantined == []
    assert other.num_rows == canonical.num_rows == len(canonical_events())
    for column in EVENT_SCHEMA.names:
        if column in NOT_CARRIED[fmt]:
            assert other.column(column).null_count == other.num_rows
        else:
            assert other.column(column).to_pylist() == canonical.column(column).to_pylist(), column


def test_gzip_gives_the_same_events_as_plain(tmp_path: Path) -> None:
    plain, _, _ = read_all([SAMPLES / "canonical.jsonl"], tmp_path)
    gzipped, _, _ = read_all([SAMPLES / "canonical.jsonl.gz"], tmp_path)
    assert gzipped.equals(plain)


def _row(table: pa.Table, request_id: str) -> dict[str, object]:
    rows = [r for r in table.to_pylist() if r["request_id"] == request_id]
    assert len(rows) == 1
    return rows[0]


def test_canonical_fields_of_a_tool_loop(tmp_path: Path) -> None:
    table, _, _ = read_all([SAMPLES / "canonical.jsonl"], tmp_path)
    row = _row(table, "req_0005_c0de")
    assert row["ts"] == datetime(2026, 3, 2, 11, 30, 0, 1000, tzinfo=UTC)
    assert row["account_id"] == "acct_c0de"
    assert row["api_key_id"] == "key_c0de_1"
    assert row["model"] == "gpt-4.1"
    assert (
        row["n_messages"],
        row["n_user_messages"],
        row["n_assistant_messages"],
        row["n_tool_messages"],
    ) == (
        6,
        1,
        2,
        2,
    )
    assert row["n_tools"] == 2
    assert row["system_text"].startswith("You are a coding agent")
    assert row["user_text"] == "The CI fails on test_parse_dates. Find out why and fix it."
    assert '"name":"read_file"' in row["tools_text"] and '"strict":true' in row["tools_text"]
    assert row["max_tokens"] == 2048  # from max_completion_tokens
    assert row["temperature"] == 0.0
    assert row["finish_reason"] == "tool_calls"
    assert row["account_created"] == datetime(2025, 11, 3, 8, 15, tzinfo=UTC)
    assert row["payment_fingerprint"] == "pm_c0de"
    assert row["status"] == 200


def test_canonical_offsets_list_content_and_logprobs(tmp_path: Path) -> None:
    table, _, _ = read_all([SAMPLES / "canonical.jsonl"], tmp_path)
    offset = _row(table, "req_0003_77ab")
    assert offset["ts"] == datetime(2026, 3, 2, 9, 12, tzinfo=UTC)  # 10:12 at +01:00
    image = _row(table, "req_0008_1mg9")
    assert image["user_text"] == "What does this chart show?\nAnswer in two sentences."
    assert image["prompt_chars"] == len(image["user_text"])
    logprobs = _row(table, "req_0006_5e1f")
    assert (logprobs["logprobs"], logprobs["top_logprobs"], logprobs["max_tokens"]) == (True, 20, 1)
    reasoning = _row(table, "req_0009_r34s")
    assert reasoning["reasoning_effort"] == "high"
    assert reasoning["system_text"] == "Show all of your reasoning before the final answer."  # developer role
    two_systems = _row(table, "req_0018_77ab")
    assert two_systems["system_text"].endswith("\nCustomer tier: premium. Locale: pt-PT.")
    assert _row(table, "req_0011_e77a")["response_format"] == "json_schema"
    assert _row(table, "req_0013_9f2c")["stream"] is True
    assert _row(table, "req_0014_d4t4")["ip"] == "2001:db8:85a3::8a2e:370:7334"


def test_litellm_fields(tmp_path: Path) -> None:
    table, _, _ = read_all([SAMPLES / "litellm.jsonl"], tmp_path)
    ok = _row(table, "req_0001_9f2c")
    assert ok["account_id"] == "acct_9f2c"  # metadata.user_api_key_org_id wins over the team id
    assert ok["ts"] == datetime(2026, 3, 2, 9, 0, 1, 250000, tzinfo=UTC)
    assert ok["latency_ms"] == 337
    assert ok["endpoint"] == "/v1/chat/completions"
    assert ok["user_agent"] == "OpenAI/Python 1.51.0"
    assert (ok["prompt_tokens"], ok["completion_tokens"], ok["finish_reason"]) == (47, 17, "stop")
    rate_limited = _row(table, "req_0015_d4t4")
    assert rate_limited["status"] == 429  # "failure" with error_information.error_code "429"
    assert rate_limited["finish_reason"] is None


def test_otel_fields(tmp_path: Path) -> None:
    table, quarantined, _ = read_all([SAMPLES / "otel.jsonl"], tmp_path)
    assert quarantined == []
    assert table.num_rows == 20  # the HTTP and execute_tool spans in the export are not model calls
    agent = _row(table, "req_0005_c0de")
    assert agent["account_id"] == "acct_c0de"
    assert agent["ip"] == "203.0.113.15"
    assert agent["n_tool_messages"] == 2 and agent["n_tools"] == 2
    assert agent["latency_ms"] == 300 + 37 * 5
    assert _row(table, "req_0017_6r4d")["status"] == 500
    assert _row(table, "req_0001_9f2c")["system_text"] == _row(table, "req_0002_9f2c")["system_text"]
