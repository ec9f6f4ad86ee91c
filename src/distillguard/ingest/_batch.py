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
from distillguard.ingest._record import type_name
from distillguard.ingest.schema import EVENT_SCHEMA, TS_TYPE

_NS_TS = pa.timestamp("ns", tz="UTC")
TIME_COLUMNS = frozenset(name for name in EVENT_SCHEMA.names if EVENT_SCHEMA.field(name).type == TS_TYPE)
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError)


def parse_rfc3339(strings: pa.Array[Any]) -> pa.Array[Any]:
    """RFC 3339 strings (``Z`` or offset) to UTC microseconds; nanosecond fractions are truncated."""
    try:
        parsed: pa.Array[Any] = strings.cast(TS_TYPE)
        return parsed
    except pa.ArrowInvalid:
        # Arrow's microsecond parser rejects more than six fraction digits (Go and Java loggers write nine).
        return strings.cast(_NS_TS).cast(TS_TYPE, safe=False)


def _time_converter(values: Sequence[Any]) -> Callable[[Sequence[Any]], pa.Array[Any]]:
    """RFC 3339 strings, or epoch microseconds from readers that parse numeric times: decided once per
    column so that each value is checked against the same type (and bisection finds every bad one)."""
    first = next((value for value in values if value is not None), None)
    if type(first) is int:
        return lambda chunk: pa.array(chunk, type=pa.int64()).cast(TS_TYPE)
    return lambda chunk: parse_rfc3339(pa.array(chunk, type=pa.string()))


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


# Rows are turned into Arrow in chunks this size: the Python objects of a chunk are still in the CPU cache
# when they are converted, and they are freed long before a full batch of ``batch_rows`` is assembled.
CHUNK_ROWS = 4096


def _row_type(time_type: pa.DataType) -> pa.StructType:
    return pa.struct(
        [pa.field(f.name, time_type if f.name in TIME_COLUMNS else f.type) for f in EVENT_SCHEMA]
    )


# Rows as Arrow structs, with times still as the readers deliver them (text, or epoch microseconds).
_TEXT_TIME_ROW = _row_type(pa.string())
_EPOCH_TIME_ROW = _row_type(pa.int64())


def _convert_clean(rows: list[tuple[Any, ...]]) -> pa.RecordBatch | None:
    """The fast path: all rows converted in one row-wise pass (no Python transposition); None when any
    value is rejected, so that the caller can find the bad rows."""
    epoch = rows[0][0].__class__ is int
    try:
        struct = pa.array(rows, type=_EPOCH_TIME_ROW if epoch else _TEXT_TIME_ROW)
        arrays = struct.flatten()  # type: ignore[attr-defined]
        for index, name in enumerate(EVENT_SCHEMA.names):
            if name in TIME_COLUMNS:
                arrays[index] = arrays[index].cast(TS_TYPE) if epoch else parse_rfc3339(arrays[index])
    except _ARROW_ERRORS:
        return None
    if arrays[0].null_count or arrays[1].null_count:
        return None
    return pa.RecordBatch.from_arrays(arrays, schema=EVENT_SCHEMA)


class BatchBuilder:
    """Collects row tuples for one source and turns them into ``EVENT_SCHEMA`` record batches.

    Hot loops append to ``rows``, ``lines`` and ``raws`` directly and call :meth:`convert` whenever
    ``len(rows) >= chunk_rows``; :meth:`flush` yields everything collected as one batch.
    """

    def __init__(self, source: str, quarantine: Quarantine, batch_rows: int = CHUNK_ROWS) -> None:
        self.source = source
        self.quarantine = quarantine
        self.batch_rows = max(1, batch_rows)
        self.rows: list[tuple[Any, ...]] = []
        self.lines: list[int] = []
        # The raw line of each pending row, only to quarantine a row that fails conversion (the quarantine
        # caps it when writing; a memoryview into the read chunk costs no copy).
        self.raws: list[bytes | memoryview | None] = []
        self._chunks: list[pa.RecordBatch] = []
        self._converted = 0

    def __len__(self) -> int:
        return self._converted + len(self.rows)

    def next_cut(self) -> int:
        """How many pending rows to convert next: a chunk, or what is left before the batch is full."""
        return max(1, min(CHUNK_ROWS, self.batch_rows - self._converted))

    def add(self, row: tuple[Any, ...], line: int, raw: bytes | memoryview | None) -> bool:
        """Add one row; True when the batch is full and should be flushed."""
        self.rows.append(row)
        self.lines.append(line)
        self.raws.append(raw if raw is None or len(raw) <= RAW_CAP_BYTES else raw[:RAW_CAP_BYTES])
        if len(self.rows) >= self.next_cut():
            self.convert()
            return self._converted >= self.batch_rows
        return False

    def convert(self) -> None:
        """Turn the pending rows into an Arrow chunk, quarantining rows with values Arrow rejects."""
        if not self.rows:
            return
        rows, lines, raws = self.rows, self.lines, self.raws
        self.rows, self.lines, self.raws = [], [], []
        chunk = _convert_clean(rows)
        if chunk is None:  # some value is bad: column by column, to find and quarantine its rows
            chunk = self._convert_checked(rows, lines, raws)
        if chunk.num_rows:
            self._chunks.append(chunk)
            self._converted += chunk.num_rows

    def _convert_checked(
        self, rows: list[tuple[Any, ...]], lines: list[int], raws: list[bytes | memoryview | None]
    ) -> pa.RecordBatch:
        columns = [list(column) for column in zip(*rows, strict=True)]
        dropped: set[int] = set()
        arrays = [
            self._column(field, values, dropped, lines, raws)
            for field, values in zip(EVENT_SCHEMA, columns, strict=True)
        ]
        chunk = pa.RecordBatch.from_arrays(arrays, schema=EVENT_SCHEMA)
        if dropped:
            chunk = chunk.filter(pa.array([i not in dropped for i in range(chunk.num_rows)]))
        return chunk

    def flush(self) -> Iterator[pa.RecordBatch]:
        """Everything collected as one batch (nothing if every row was bad); the builder is emptied."""
        self.convert()
        chunks, self._chunks, self._converted = self._chunks, [], 0
        if len(chunks) == 1:
            yield chunks[0]
        elif chunks:
            yield pa.concat_batches(chunks)  # type: ignore[attr-defined]

    def _column(
        self,
        field: pa.Field[Any],
        values: list[Any],
        dropped: set[int],
        lines: list[int],
        raws: list[bytes | memoryview | None],
    ) -> pa.Array[Any]:
        is_time = field.name in TIME_COLUMNS
        if is_time:
            convert = _time_converter(values)
        else:

            def convert(chunk: Sequence[Any]) -> pa.Array[Any]:
                array: pa.Array[Any] = pa.array(chunk, type=field.type)
                return array

        try:
            return convert(values)
        except _ARROW_ERRORS:
            pass
        for position in _bad_positions(values, convert):
            if position not in dropped:
                reason = _problem(field, values[position], is_time)
                self.quarantine.add(self.source, lines[position], reason, raws[position])
                dropped.add(position)
            values[position] = None
        array = convert(values)
        if not field.nullable and array.null_count:
            array = pc.fill_null(array, _placeholder(field))  # type: ignore[arg-type]
        return array


def _expected(data_type: pa.DataType) -> tuple[tuple[type, ...], str]:
    """The JSON value types a column accepts, and how to say so."""
    if pa.types.is_string(data_type):
        return (str,), "a string"
    if pa.types.is_integer(data_type):
        return (int,), "an integer"
    if pa.types.is_floating(data_type):
        return (int, float), "a number"
    return (bool,), "a boolean"


def _problem(field: pa.Field[Any], value: object, is_time: bool) -> str:
    """Why Arrow rejected ``value`` for ``field``: a wrong JSON type, an unparseable time or a range."""
    shown = str(value)[:80]
    if is_time:
        if isinstance(value, str):
            return f"unparseable time: {field.name} {shown!r}"
        if isinstance(value, int):  # epoch microseconds from a numeric time field
            return f"unparseable time: {field.name} out of range ({shown} µs since 1970)"
        return f"wrong type: {field.name} must be an RFC 3339 string, got {type_name(value)}"
    accepted, expected = _expected(field.type)
    if (isinstance(value, bool) and bool not in accepted) or not isinstance(value, accepted):
        return f"wrong type: {field.name} must be {expected}, got {type_name(value)}"
    return f"value out of range: {field.name} {shown!r}"


def _placeholder(field: pa.Field[Any]) -> pa.Scalar[Any]:
    """A filler for non-nullable columns at rows that are dropped anyway."""
    if field.type == TS_TYPE:
        zero: pa.Scalar[Any] = pa.scalar(0, type=pa.int64()).cast(TS_TYPE)
        return zero
    empty: pa.Scalar[Any] = pa.scalar("", type=field.type)
    return empty
