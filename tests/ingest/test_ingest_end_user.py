"""End-user ids (OpenAI ``user``, LiteLLM ``end_user``, OTel ``enduser.pseudo.id``) become pseudonyms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest
from ingest_helpers import SAMPLES, read_all

from distillguard.ingest import EVENT_SCHEMA, Quarantine
from distillguard.ingest._canonical import CanonicalReader
from distillguard.ingest._record import end_user_pseudonym

RAW = "student-4411@example.edu"


def _record(i: int, **request: Any) -> dict[str, Any]:
    body = {"model": "m", "messages": [{"role": "user", "content": f"question {i}"}], **request}
    return {"ts": f"2026-03-02T09:00:{i:02d}Z", "account_id": "acct_1", "request": body}


def _read_canonical(
    records: list[dict[str, Any]], tmp_path: Path, *, fast: bool
) -> tuple[pa.Table, list[Any]]:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    qpath = tmp_path / f"q-{fast}.jsonl"
    with Quarantine(qpath) as quarantine:
        reader = CanonicalReader(path, quarantine)
        if not fast:
            reader.fast_extract = None
        batches = list(reader.batches())
    quarantined = [orjson.loads(line) for line in qpath.read_bytes().splitlines()]
    return pa.Table.from_batches(batches, schema=EVENT_SCHEMA), quarantined


def test_pseudonym_is_stable_distinct_and_not_the_raw_id() -> None:
    first = end_user_pseudonym(RAW)
    assert first == end_user_pseudonym(RAW)
    assert first is not None and len(first) == 16 and RAW not in first
    assert end_user_pseudonym("student-4412@example.edu") != first
    assert end_user_pseudonym(4411) == end_user_pseudonym("4411")
    assert end_user_pseudonym(None) is None and end_user_pseudonym("") is None


@pytest.mark.parametrize("fmt", ["canonical", "litellm", "otel", "parquet"])
def test_every_format_keeps_the_same_pseudonym_and_never_the_raw_id(fmt: str, tmp_path: Path) -> None:
    files = {"canonical": "canonical.jsonl", "litellm": "litellm.jsonl", "otel": "otel.jsonl"}
    table, quarantined, _ = read_all([SAMPLES / files.get(fmt, "events.parquet")], tmp_path, fmt=fmt)
    assert quarantined == []
    end_users = table.column("end_user").to_pylist()
    # The tutoring app's two requests name the same end user; the other requests name none.
    assert end_users.count(end_user_pseudonym(RAW)) == 2
    assert sum(value is not None for value in end_users) == 2
    for column in table.column_names:
        if pa.types.is_string(table.schema.field(column).type):
            assert RAW not in [v for v in table.column(column).to_pylist() if v is not None], column


@pytest.mark.parametrize("fast", [True, False])
def test_canonical_user_and_safety_identifier(fast: bool, tmp_path: Path) -> None:
    records = [
        _record(1, user=RAW),
        _record(2, safety_identifier="sid-1"),
        _record(3, user=RAW, safety_identifier="sid-1"),  # ``user`` wins
        _record(4, user=77),
        _record(5),
        _record(6, user=["not", "an", "id"]),
    ]
    table, quarantined = _read_canonical(records, tmp_path, fast=fast)
    assert table.column("end_user").to_pylist() == [
        end_user_pseudonym(RAW),
        end_user_pseudonym("sid-1"),
        end_user_pseudonym(RAW),
        end_user_pseudonym("77"),
        None,
    ]
    assert [(q["line"], q["reason"]) for q in quarantined] == [
        (6, "wrong type: request.user must be a string, got list")
    ]
