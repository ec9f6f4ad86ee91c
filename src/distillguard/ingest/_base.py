"""What every reader shares: the ``Reader`` base class and the JSON-lines loop.

A reader turns one file into ``EVENT_SCHEMA`` record batches of at most ``batch_rows`` rows and sends
every record it cannot read to the quarantine. JSON-lines readers only implement ``extract`` (one parsed
object to one row tuple) and ``sniff`` (does this parsed object look like my format?).
"""

from __future__ import annotations

import gc
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pyarrow as pa

from distillguard.ingest._batch import BatchBuilder
from distillguard.ingest._blocks import BrokenTail, LineBlock, is_valid_utf8, iter_blocks
from distillguard.ingest._quarantine import Quarantine
from distillguard.ingest._record import RecordError, type_name

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


# Errors a record of an unanticipated shape can raise from extraction code (a safety net: the readers
# check what they read and raise RecordError with a precise reason; the fuzz tests look for gaps).
UNEXPECTED = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError, RecursionError)


# What a ``fast_extract`` may raise for a line it leaves to the orjson path (msgspec's DecodeError and
# ValidationError are ValueErrors).
FAST_MISSES: tuple[type[Exception], ...] = (RecordError, *UNEXPECTED)


def unexpected_reason(exc: Exception) -> str:
    return f"unreadable record: {type(exc).__name__}: {exc}"


def undecodable_reason(line: bytes, exc: Exception) -> str:
    """Why a line is not JSON, telling binary garbage and bad encodings apart from broken JSON."""
    if b"\x00" in line:
        return "binary data: the line contains NUL bytes"
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as decode_error:
        return f"not UTF-8: invalid byte at offset {decode_error.start}"
    return f"broken JSON: {exc}"


def _pause_gc() -> bool:
    """Pause the cyclic garbage collector if it runs; True when it was paused here (and must resume)."""
    if gc.isenabled():
        gc.disable()
        return True
    return False


def _resume_gc(paused: bool) -> bool:
    """Resume the collector if ``_pause_gc`` paused it; False (nothing left to resume)."""
    if paused:
        gc.enable()
    return False


class JsonLinesReader(Reader):
    """One JSON object per line, each becoming one event row.

    A subclass may also set ``fast_extract``: a function from one raw line straight to a row that is
    *exactly* what ``extract(orjson.loads(line))`` gives, or raises one of ``FAST_MISSES`` (any line it
    is not sure about); such lines, and every line of a block that is not valid UTF-8 (a typed decoder
    need not check the bytes of fields it skips), take the orjson path, which quarantines with a reason.
    """

    splittable: ClassVar[bool] = True
    fast_extract: Callable[[memoryview], Row] | None = None

    @abstractmethod
    def extract(self, obj: dict[str, Any]) -> Row:
        """One event row in ``EVENT_COLUMNS`` order; raises :class:`RecordError` for an unreadable record."""

    def batches(self) -> Iterator[pa.RecordBatch]:
        builder = BatchBuilder(self.source, self.quarantine, self.batch_rows)
        yield from self.batches_from(iter_blocks(self.path, self.byte_range), builder)

    def batches_from(
        self, blocks: Iterable[LineBlock | BrokenTail], builder: BatchBuilder
    ) -> Iterator[pa.RecordBatch]:
        """Parse and extract every line of ``blocks``, quarantining what cannot be read, and yield
        ``builder``'s batches; ``lines_read`` is set to the last line number."""
        number = 0
        # The cyclic garbage collector is paused while this generator runs and resumed whenever it hands
        # control back (a yield, the end, an exception): the loop makes no reference cycles, but its row
        # tuples and message lists would trigger collections that walk the whole heap of the scan. Paused
        # per 1 MB block instead, every resume started a collection that walked the block's live rows
        # (~5% of the reading time, docs/ingest.md); now the consumer's first allocations after a yield
        # do that once per batch. The consumer runs with the collector as it left it, so its cycles are
        # collected as usual.
        paused = _pause_gc()
        try:
            for block in blocks:
                if isinstance(block, BrokenTail):
                    number += 1
                    self.quarantine.add(self.source, number, block.reason, block.data)
                    continue
                full: list[pa.RecordBatch] = []
                number = self._read_block(block, number, builder, full)
                for batch in full:
                    paused = _resume_gc(paused)
                    yield batch
                    paused = _pause_gc()
            self.lines_read = number
            rest = list(builder.flush())
        finally:
            paused = _resume_gc(paused)
        yield from rest

    def _read_block(
        self, block: LineBlock, number: int, builder: BatchBuilder, full: list[pa.RecordBatch]
    ) -> int:
        """Read the lines of ``block`` (numbered from ``number + 1``) into ``builder``, moving batches that
        fill up to ``full``; returns the number of the block's last line."""
        fast = self.fast_extract if self.fast_extract is not None and is_valid_utf8(block) else None
        slow = self._read_line
        # The per-line loop is the hot path of a scan: locals only, appends inlined, no per-row calls
        # beyond parsing and extracting.
        rows, lines, raws = builder.rows, builder.lines, builder.raws
        cut = builder.next_cut()
        data, start, end = block.data, block.start, block.end
        view, find = memoryview(data), data.find
        while start < end:
            newline = find(b"\n", start, end)
            # A zero-copy slice: orjson and msgspec parse memoryviews, and the raw line kept for the
            # quarantine (capped when written) costs nothing unless it is needed.
            line = view[start:newline]
            start = newline + 1
            number += 1
            if fast is None:
                row = slow(number, line)
            else:
                try:
                    row = fast(line)
                except FAST_MISSES:
                    row = slow(number, line)
            if row is None:
                continue
            rows.append(row)
            lines.append(number)
            raws.append(line)
            if len(rows) >= cut:
                builder.convert()
                if len(builder) >= builder.batch_rows:
                    full.extend(builder.flush())
                rows, lines, raws = builder.rows, builder.lines, builder.raws
                cut = builder.next_cut()
        return number

    def _read_line(self, number: int, line: memoryview) -> Row | None:
        """One line by ``orjson`` and :meth:`extract`: its row, or None when it is blank or quarantined."""
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raw = bytes(line)
            if raw.strip():
                self.quarantine.add(self.source, number, undecodable_reason(raw, exc), raw)
            return None
        if type(obj) is not dict:
            self.quarantine.add(self.source, number, f"not a JSON object: got {type_name(obj)}", line)
            return None
        try:
            return self.extract(obj)
        except RecordError as exc:
            self.quarantine.add(self.source, number, exc.reason, line)
        except UNEXPECTED as exc:  # a shape no check anticipated must not stop the scan either
            self.quarantine.add(self.source, number, unexpected_reason(exc), line)
        return None
