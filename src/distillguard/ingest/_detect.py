"""Recognise a log file's format from its content, never from its name.

Parquet by its ``PAR1`` magic; gzip by its magic, then the decompressed content is sniffed; JSON formats by
voting over the first parseable lines (a few broken lines do not decide the format), with a pretty-printed
OTLP/JSON document recognised by its ``resourceSpans`` key.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson

from distillguard.errors import InputFormatError
from distillguard.ingest._base import Reader
from distillguard.ingest._source import GZIP_MAGIC, iter_lines, open_error, read_head

PARQUET_MAGIC = b"PAR1"
_SNIFF_BYTES = 1 << 16
_VOTES_NEEDED = 20
# Stop sniffing after this much input even without a vote (a file of garbage, or one enormous line).
_SNIFF_LIMIT_BYTES = 64 << 20


def _raw_head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(4)
    except OSError as exc:
        raise open_error(path, exc) from exc


def is_empty(path: Path) -> bool:
    """Whether the file holds nothing but whitespace (a rotated-out log): not an error, just no events."""
    return not read_head(path, _SNIFF_BYTES).strip() and path.stat().st_size < _SNIFF_BYTES


def _vote(path: Path, readers: list[type[Reader]]) -> str | None:
    """The format most of the first parseable lines look like (whole lines, however long)."""
    votes: Counter[str] = Counter()
    seen = 0
    lines = iter_lines(path)
    try:
        for _, line, problem in lines:
            seen += len(line)
            if seen > _SNIFF_LIMIT_BYTES or sum(votes.values()) >= _VOTES_NEEDED:
                break
            if problem is not None:
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if type(obj) is dict:
                for reader in readers:
                    if reader.sniff(obj):
                        votes[reader.name] += 1
                        break
    finally:
        lines.close()
    return votes.most_common(1)[0][0] if votes else None


def sniff_json(path: Path, head: bytes, readers: list[type[Reader]]) -> str | None:
    name = _vote(path, readers)
    if name is None and head.lstrip().startswith(b"{") and b'"resourceSpans"' in head:
        name = "otel"  # one pretty-printed OTLP/JSON export document
    return name


def detect(path: Path, readers: list[type[Reader]]) -> str:
    if path.is_dir():
        raise InputFormatError("expected a file, got a directory", path=path)
    magic = _raw_head(path)
    if magic == PARQUET_MAGIC:
        return "parquet"
    head = read_head(path, _SNIFF_BYTES)
    if magic.startswith(GZIP_MAGIC) and head.startswith(PARQUET_MAGIC):
        raise InputFormatError(
            "gzip-compressed Parquet is not supported; decompress the file first", path=path
        )
    name = sniff_json(path, head, readers)
    if name is None:
        raise InputFormatError(
            "cannot recognise the log format from the content (expected canonical JSONL, LiteLLM "
            "StandardLoggingPayload JSONL, OTLP/JSON trace export or Parquet, optionally gzipped)",
            path=path,
        )
    return name
