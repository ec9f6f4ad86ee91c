"""Ingest: every supported request-log format to batches of the canonical event schema.

``read_events`` reads canonical JSONL, LiteLLM ``StandardLoggingPayload`` logs, OTLP/JSON GenAI spans and
Parquet (gzip or not, recognised by content) into ``EVENT_SCHEMA`` record batches; every record that
cannot be read goes to the :class:`Quarantine` with its source, line and reason.
"""

from __future__ import annotations

from distillguard.ingest._base import Reader
from distillguard.ingest._parquet import write_parquet
from distillguard.ingest._quarantine import Quarantine
from distillguard.ingest._read import FORMATS, detect_format, read_events, read_mapped
from distillguard.ingest.schema import EVENT_SCHEMA, QUARANTINE_SCHEMA, TEXT_CAP_CHARS

__all__ = [
    "EVENT_SCHEMA",
    "FORMATS",
    "QUARANTINE_SCHEMA",
    "TEXT_CAP_CHARS",
    "Quarantine",
    "Reader",
    "detect_format",
    "read_events",
    "read_mapped",
    "write_parquet",
]
