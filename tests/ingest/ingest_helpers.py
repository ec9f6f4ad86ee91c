"""Helpers shared by the ingest tests (a uniquely named module, not a conftest)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from distillguard.ingest import EVENT_SCHEMA, Quarantine, read_events

SAMPLES = Path(__file__).parents[1] / "data" / "samples"
sys.path.insert(0, str(SAMPLES.parent))


def read_all(
    paths: Sequence[Path], tmp_path: Path, fmt: str = "auto", batch_rows: int = 50_000
) -> tuple[pa.Table, list[dict[str, Any]], Quarantine]:
    """Every event of ``paths`` as one table, plus the quarantine records and the quarantine itself."""
    qpath = tmp_path / "quarantine.jsonl"
    with Quarantine(qpath) as quarantine:
        batches = list(read_events(paths, fmt=fmt, quarantine=quarantine, batch_rows=batch_rows))
    table = pa.Table.from_batches(batches, schema=EVENT_SCHEMA)
    records = [orjson.loads(line) for line in qpath.read_bytes().splitlines()]
    return table, records, quarantine
