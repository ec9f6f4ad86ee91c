"""Rows to Arrow: one record batch from the row tuples a reader collected, built column by column.

Readers do the per-line Python work (extracting values into a tuple in ``EVENT_COLUMNS`` order); the
expensive conversions happen here once per batch: RFC 3339 strings are parsed by Arrow's vectorised
cast, and a batch with a bad value is bisected so that only the offending rows go to the quarantine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from distillguard.ingest._quarantine import RAW_CAP_BYTES, Quarantine
from distillguard.ingest.schema import EVENT_SCHEMA, TS_TYPE

_NS_TS = pa.timestamp("ns", tz="UTC")
TIME_COLUMNS = frozenset(name for name in EVENT_SCHEMA.names if EVENT_SCHEMA.field(name).type == TS_TYPE)
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError)


def _parse_rfc3339(strings: pa.Array[Any]) -> pa.Array[Any]:
    """RFC 3339 strings (``Z`` or offset) to UTC microseconds; nanosecond fractions are truncated."""
    try:
        parsed: pa.Array[Any] = strings.cast(TS_TYPE)
        return parsed
    except pa.ArrowInvalid:
        # Arrow's microsecond parser rejects more than six fraction digits (Go and Java loggers write nine).
        return strings.cast(_NS_TS).cast(TS_TYPE, safe=False)


def _convert_time(values: Sequence[Any]) -> pa.Array[Any]:
    array = pa.array(values)
    if pa.types.is_string(array.type) or pa.types.is_null(array.type):
        return _parse_rfc3339(array.cast(pa.string()))
    if pa.types.is_integer(array.type):  # epoch microseconds, from readers that parse numeric times
        epoch: pa.Array[Any] = array.cast(pa.int64()).cast(TS_TYPE)
        return epoch
    raise pa.ArrowTypeError(f"time values must be RFC 3339 strings, got {array.type}")


def _bad_positions(
    values: Sequence[Any], convert: Callable[[Sequence[Any]], pa.Array[Any]], offset: int = 0
) -> list[int]:
    """Positions where ``convert`` fails, found by bisection: O(bad * log n) conversions, not n."""
    try:
        convert(values)
        return []
    except _ARROW_ERRORS:
        if len(values) == 1:
            return [offset]
    middle = len(values) // 2
    return _bad_positions(values[:middle], convert, offset) + _bad_positions(
        values[middle:], convert, offset + middle
    )


class BatchBuilder:
    """Collects row tuples for one source and turns them into ``EVENT_SCHEMA`` record batches."""

    def __init__(self, source: str, quarantine: Quarantine) -> None:
        self.source = source
        self.quarantine = quarantine
        self.rows: list[tuple[Any, ...]] = []
        self.lines: list[int] = []
        self.raws: list[bytes | None] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, row: tuple[Any, ...], line: int, raw: bytes | None) -> None:
        self.rows.append(row)
        self.lines.append(line)
        # Kept only so a row failing a batch-level conversion can be quarantined with its bytes.
        self.raws.append(raw if raw is None or len(raw) <= RAW_CAP_BYTES else raw[:RAW_CAP_BYTES])

    def flush(self) -> Iterator[pa.RecordBatch]:
        """The collected rows as one batch (nothing if every row was bad); the builder is emptied."""
        if not self.rows:
            return
        columns = [list(column) for column in zip(*self.rows, strict=True)]
        lines, raws = self.lines, self.raws
        self.rows, self.lines, self.raws = [], [], []
        arrays: list[pa.Array[Any]] = []
        dropped: set[int] = set()
        for field, values in zip(EVENT_SCHEMA, columns, strict=True):
            arrays.append(self._column(field, values, dropped, lines, raws))
        batch = pa.RecordBatch.from_arrays(arrays, schema=EVENT_SCHEMA)
        if dropped:
            keep = pa.array([i not in dropped for i in range(batch.num_rows)])
            batch = batch.filter(keep)
        if batch.num_rows:
            yield batch

    def _column(
        self,
        field: pa.Field[Any],
        values: list[Any],
        dropped: set[int],
        lines: list[int],
        raws: list[bytes | None],
    ) -> pa.Array[Any]:
        is_time = field.name in TIME_COLUMNS

        def convert(chunk: Sequence[Any]) -> pa.Array[Any]:
            return _convert_time(chunk) if is_time else pa.array(chunk, type=field.type)

        try:
            return convert(values)
        except _ARROW_ERRORS:
            pass
        for position in _bad_positions(values, convert):
            if position not in dropped:
                kind = "unparseable time" if is_time else "value out of range"
                reason = f"{kind}: {field.name} {str(values[position])[:80]!r}"
                self.quarantine.add(self.source, lines[position], reason, raws[position])
                dropped.add(position)
            values[position] = None
        array = convert(values)
        if not field.nullable and array.null_count:
            array = pc.fill_null(array, _placeholder(field))  # type: ignore[arg-type]
        return array


def _placeholder(field: pa.Field[Any]) -> pa.Scalar[Any]:
    """A filler for non-nullable columns at rows that are dropped anyway."""
    if field.type == TS_TYPE:
        zero: pa.Scalar[Any] = pa.scalar(0, type=pa.int64()).cast(TS_TYPE)
        return zero
    empty: pa.Scalar[Any] = pa.scalar("", type=field.type)
    return empty
