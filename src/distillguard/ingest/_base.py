"""What every reader shares: the ``Reader`` base class and the JSON-lines loop.

A reader turns one file into ``EVENT_SCHEMA`` record batches of at most ``batch_rows`` rows and sends
every record it cannot read to the quarantine. JSON-lines readers only implement ``extract`` (one parsed
object to one row tuple) and ``sniff`` (does this parsed object look like my format?).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pyarrow as pa

from distillguard.ingest._batch import BatchBuilder
from distillguard.ingest._quarantine import RAW_CAP_BYTES, Quarantine
from distillguard.ingest._record import RecordError, type_name
from distillguard.ingest._source import iter_lines

Row = tuple[Any, ...]


class Reader(ABC):
    """Reads one file of one format into event batches."""

    name: ClassVar[str]
    # Whether a large plain file of this format can be read in line-aligned parts by parallel workers.
    splittable: ClassVar[bool] = False

    def __init__(self, path: Path, quarantine: Quarantine, batch_rows: int = 50_000) -> None:
        self.path = path
        self.source = str(path)
        self.quarantine = quarantine
        self.batch_rows = max(1, batch_rows)
        # Set by the parallel reader to read one line-aligned part of a large JSON-lines file; line
        # numbers then count from the start of the part and ``lines_read`` says how many there were.
        self.byte_range: tuple[int, int] | None = None
        self.lines_read = 0

    @abstractmethod
    def batches(self) -> Iterator[pa.RecordBatch]:
        """Record batches in ``EVENT_SCHEMA``, each at most ``batch_rows`` rows."""

    @classmethod
    def sniff(cls, obj: dict[str, Any]) -> bool:
        """Whether one parsed JSON object looks like a record of this format (JSON formats only)."""
        return False


def undecodable_reason(line: bytes, exc: Exception) -> str:
    """Why a line is not JSON, telling binary garbage and bad encodings apart from broken JSON."""
    if b"\x00" in line:
        return "binary data: the line contains NUL bytes"
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as decode_error:
        return f"not UTF-8: invalid byte at offset {decode_error.start}"
    return f"broken JSON: {exc}"


class JsonLinesReader(Reader):
    """One JSON object per line, each becoming one event row."""

    splittable: ClassVar[bool] = True

    @abstractmethod
    def extract(self, obj: dict[str, Any]) -> Row:
        """One event row in ``EVENT_COLUMNS`` order; raises :class:`RecordError` for an unreadable record."""

    def batches(self) -> Iterator[pa.RecordBatch]:
        builder = BatchBuilder(self.source, self.quarantine, self.batch_rows)
        loads, extract, quarantine, source = orjson.loads, self.extract, self.quarantine, self.source
        cap = RAW_CAP_BYTES
        cut = builder.next_cut()
        # The per-line loop is the hot path of a scan: locals only, appends inlined, no per-row calls
        # beyond parsing and extracting.
        rows, lines, raws = builder.rows, builder.lines, builder.raws
        number = 0
        for number, line, problem in iter_lines(self.path, self.byte_range):
            if problem is not None:
                quarantine.add(source, number, problem, line)
                continue
            try:
                obj = loads(line)
            except orjson.JSONDecodeError as exc:
                if line.strip():
                    quarantine.add(source, number, undecodable_reason(line, exc), line)
                continue
            if type(obj) is not dict:
                quarantine.add(source, number, f"not a JSON object: got {type_name(obj)}", line)
                continue
            try:
                rows.append(extract(obj))
            except RecordError as exc:
                quarantine.add(source, number, exc.reason, line)
                continue
            lines.append(number)
            raws.append(line if len(line) <= cap else line[:cap])
            if len(rows) >= cut:
                builder.convert()
                if len(builder) >= self.batch_rows:
                    yield from builder.flush()
                rows, lines, raws = builder.rows, builder.lines, builder.raws
                cut = builder.next_cut()
        self.lines_read = number
        yield from builder.flush()
