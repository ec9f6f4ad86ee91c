"""Parquet files in the canonical event schema, read one row group slice at a time.

Columns are matched by name and cast to ``EVENT_SCHEMA`` types (naive timestamps are taken as UTC,
RFC 3339 strings are parsed); optional columns that are absent become nulls, extra columns are ignored.
A file without ``ts`` or ``account_id``, or with a column that cannot be cast, is an
``InputFormatError``; single rows with a null ``ts`` or ``account_id`` go to the quarantine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from distillguard.errors import InputFormatError
from distillguard.ingest._base import Reader
from distillguard.ingest._batch import parse_rfc3339
from distillguard.ingest.schema import EVENT_SCHEMA, REQUIRED_COLUMNS, TEXT_CAP_CHARS, TEXT_COLUMNS


class ParquetReader(Reader):
    name = "parquet"

    def batches(self) -> Iterator[pa.RecordBatch]:
        try:
            parquet = pq.ParquetFile(self.path)
        except (OSError, pa.ArrowException) as exc:
            raise InputFormatError(f"cannot read Parquet file: {exc}", path=self.path) from exc
        names = parquet.schema_arrow.names
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if missing:
            raise InputFormatError(
                f"Parquet file lacks required column(s) {', '.join(missing)} of the event schema",
                path=self.path,
            )
        columns = [name for name in EVENT_SCHEMA.names if name in names]
        offset = 0
        try:
            for batch in parquet.iter_batches(batch_size=self.batch_rows, columns=columns):
                conformed = self._conform(batch, offset)
                offset += batch.num_rows
                if conformed.num_rows:
                    yield conformed
        except (OSError, pa.ArrowException) as exc:
            raise InputFormatError(f"cannot read Parquet file: {exc}", path=self.path, row=offset) from exc

    def _conform(self, batch: pa.RecordBatch, offset: int) -> pa.RecordBatch:
        arrays = [self._column(batch, field) for field in EVENT_SCHEMA]
        ts, account = arrays[0], arrays[1]
        empty_account = pc.equal(account, pa.scalar("", pa.string()))
        bad = pc.or_(pc.is_null(ts), pc.or_kleene(pc.is_null(account), empty_account))
        bad = pc.fill_null(bad, pa.scalar(True))  # type: ignore[assignment]
        if pc.any(bad).as_py():
            positions: list[int] = pc.indices_nonzero(bad).to_pylist()  # type: ignore[assignment]
            for index in positions:
                field = "ts" if not ts[index].is_valid else "account_id"
                raw = orjson.dumps(batch.slice(index, 1).to_pylist()[0], default=str)
                self.quarantine.add(self.source, offset + index + 1, f"missing field: {field}", raw)
            keep = pc.invert(bad)
            arrays = [pc.filter(array, keep) for array in arrays]
            arrays[0] = pc.fill_null(arrays[0], pa.scalar(0, pa.int64()).cast(arrays[0].type))
        return pa.RecordBatch.from_arrays(arrays, schema=EVENT_SCHEMA)

    def _column(self, batch: pa.RecordBatch, field: pa.Field[Any]) -> pa.Array[Any]:
        if field.name not in batch.schema.names:
            nulls: pa.Array[Any] = pa.nulls(batch.num_rows, type=field.type)
            return nulls
        array = batch.column(field.name)
        if pa.types.is_timestamp(field.type) and not (
            pa.types.is_timestamp(array.type)
            or pa.types.is_string(array.type)
            or pa.types.is_large_string(array.type)
        ):
            # An integer could be seconds, milliseconds or nanoseconds since 1970: refuse to guess.
            raise InputFormatError(
                f"Parquet column {field.name} has type {array.type}; "
                "store times as timestamps or RFC 3339 strings",
                path=self.path,
            )
        try:
            if pa.types.is_timestamp(field.type) and (
                pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
            ):
                array = parse_rfc3339(array.cast(pa.string()))
            elif array.type != field.type:
                array = array.cast(field.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
            raise InputFormatError(
                f"Parquet column {field.name} of type {array.type} cannot be read as {field.type}: {exc}",
                path=self.path,
            ) from exc
        if field.name in TEXT_COLUMNS:
            array = pc.utf8_slice_codeunits(array, 0, TEXT_CAP_CHARS)
        conformed: pa.Array[Any] = array
        return conformed


def write_parquet(batches: Iterable[pa.RecordBatch] | pa.Table, path: Path | str) -> int:
    """Write event batches (or a table) in ``EVENT_SCHEMA`` to a Parquet file; returns the row count."""
    if isinstance(batches, pa.Table):
        batches = batches.to_batches()
    rows = 0
    with pq.ParquetWriter(str(path), EVENT_SCHEMA) as writer:
        for batch in batches:
            writer.write_batch(batch.select(EVENT_SCHEMA.names).cast(EVENT_SCHEMA))
            rows += batch.num_rows
    return rows
