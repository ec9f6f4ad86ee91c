"""Cut a time-sorted canonical JSONL file at a moment, for time-to-first-detection runs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import orjson

from distillguard.report import format_ts


def write_prefix(source: Path, cutoff: datetime, target: Path) -> int:
    """Copy the lines of ``source`` whose ``ts`` is before ``cutoff``; return how many were copied.

    RFC 3339 UTC strings in one format sort like the times they name, so the comparison is on text; the
    file is time-sorted, so reading stops at the first line past the cutoff.
    """
    limit = format_ts(cutoff).encode()
    copied = 0
    with source.open("rb") as reader, target.open("wb") as writer:
        for line in reader:
            ts = orjson.loads(line).get("ts", "")
            if _normalise(ts.encode()) >= limit:
                break
            writer.write(line)
            copied += 1
    return copied


def _normalise(ts: bytes) -> bytes:
    # The simulators write UTC with either "Z" or "+00:00"; compare both as "Z".
    return ts.replace(b"+00:00", b"Z")
