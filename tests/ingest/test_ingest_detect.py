"""Formats are recognised by content, whatever the file is called."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import orjson
import pytest
from ingest_helpers import SAMPLES, read_all

from distillguard.errors import InputFormatError
from distillguard.ingest import Quarantine, detect_format, read_events


@pytest.mark.parametrize(
    ("sample", "misleading_name", "expected"),
    [
        ("canonical.jsonl", "events.parquet", "canonical"),
        ("litellm.jsonl", "otel-traces.json", "litellm"),
        ("otel.jsonl", "litellm.jsonl", "otel"),
        ("events.parquet", "requests.jsonl", "parquet"),
        ("canonical.jsonl.gz", "requests.jsonl", "canonical"),
    ],
)
def test_detected_by_content_not_name(
    sample: str, misleading_name: str, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / misleading_name
    shutil.copy(SAMPLES / sample, path)
    assert detect_format(path) == expected
    table, quarantined, _ = read_all([path], tmp_path)
    assert table.num_rows == 20 and quarantined == []


def test_gzipped_litellm_with_a_text_name(tmp_path: Path) -> None:
    path = tmp_path / "proxy.log"
    path.write_bytes(gzip.compress((SAMPLES / "litellm.jsonl").read_bytes()))
    assert detect_format(path) == "litellm"


def test_pretty_printed_otlp_document(tmp_path: Path) -> None:
    exports = [orjson.loads(line) for line in (SAMPLES / "otel.jsonl").read_bytes().splitlines()]
    merged = {"resourceSpans": [rs for export in exports for rs in export["resourceSpans"]]}
    path = tmp_path / "export.txt"
    path.write_bytes(orjson.dumps(merged, option=orjson.OPT_INDENT_2))
    assert detect_format(path) == "otel"
    table, quarantined, _ = read_all([path], tmp_path)
    assert table.num_rows == 20 and quarantined == []


def test_a_few_broken_first_lines_do_not_decide_the_format(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b"{oops\n\xff\xfe\n" + (SAMPLES / "litellm.jsonl").read_bytes())
    assert detect_format(path) == "litellm"
    table, quarantined, _ = read_all([path], tmp_path)
    assert table.num_rows == 20
    assert [r["line"] for r in quarantined] == [1, 2]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"timestamp,account,prompt\n2026-03-01,acct_1,hello\n", id="csv"),
        pytest.param(b'{"level": "info", "msg": "server started"}\n', id="other-json"),
        pytest.param(bytes(range(256)) * 8, id="binary"),
    ],
)
def test_unrecognisable_content_is_an_error_naming_the_file(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputFormatError, match="cannot recognise") as error:
        detect_format(path)
    assert str(path) in str(error.value)


def test_gzipped_parquet_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet.gz"
    path.write_bytes(gzip.compress((SAMPLES / "events.parquet").read_bytes()))
    with pytest.raises(InputFormatError, match="gzip-compressed Parquet"):
        detect_format(path)


def test_empty_files_give_no_events_and_directories_are_expanded(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "empty.jsonl").write_bytes(b"\n\n")
    shutil.copy(SAMPLES / "litellm.jsonl", tmp_path / "logs" / "a.jsonl")
    shutil.copy(SAMPLES / "otel.jsonl", tmp_path / "logs" / "b.json")
    (tmp_path / "logs" / ".hidden").write_bytes(b"garbage")
    with Quarantine(None) as quarantine:
        rows = sum(b.num_rows for b in read_events([tmp_path / "logs"], quarantine=quarantine))
    assert rows == 40 and quarantine.count == 0


def test_explicit_format_skips_detection(tmp_path: Path) -> None:
    table, _, _ = read_all([SAMPLES / "canonical.jsonl"], tmp_path, fmt="canonical")
    assert table.num_rows == 20
    table, quarantined, _ = read_all([SAMPLES / "canonical.jsonl"], tmp_path, fmt="litellm")
    assert table.num_rows == 0
    assert len(quarantined) == 20 and quarantined[0]["reason"].startswith("missing field: ts")
