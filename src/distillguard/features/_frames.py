"""Build FINGERPRINT_SCHEMA frames from partial columns (for tests, benchmarks and small tools)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from distillguard.fingerprint.schema import FINGERPRINT_SCHEMA


def fingerprint_schema() -> dict[str, pl.DataType]:
    """FINGERPRINT_SCHEMA as a polars schema."""
    return dict(_schema())


@functools.cache
def _schema() -> tuple[tuple[str, pl.DataType], ...]:
    frame = pl.from_arrow(FINGERPRINT_SCHEMA.empty_table())
    assert isinstance(frame, pl.DataFrame)
    return tuple(frame.schema.items())


def fingerprint_frame(columns: Mapping[str, Sequence[Any] | pl.Series]) -> pl.DataFrame:
    """A frame in FINGERPRINT_SCHEMA: given columns are cast to their schema type, the rest are null.

    Every given column must have the same length; unknown names raise ``KeyError`` so typos fail loudly.
    """
    schema = fingerprint_schema()
    unknown = sorted(set(columns) - set(schema))
    if unknown:
        raise KeyError(f"not FINGERPRINT_SCHEMA columns: {', '.join(unknown)}")
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns differ in length: {sorted(lengths)}")
    height = lengths.pop() if lengths else 0
    series = []
    for name, dtype in schema.items():
        values = columns.get(name)
        if values is None:
            series.append(pl.Series(name, [None] * height, dtype=dtype))
        elif isinstance(values, pl.Series):
            series.append(values.alias(name).cast(dtype))
        else:
            series.append(pl.Series(name, values, dtype=dtype, strict=False))
    return pl.DataFrame(series)
