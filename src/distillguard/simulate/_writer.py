"""Streaming output: traffic lines written day by day (optionally gzip, reproducibly), labels, meta."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from io import BufferedWriter
from pathlib import Path
from types import TracebackType

import orjson


class TrafficWriter:
    """Writes JSONL lines to a plain or gzip file; gzip headers carry no name or time, so bytes repeat."""

    def __init__(self, path: Path, compress: bool) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._raw = path.open("wb")
        self._out: gzip.GzipFile | BufferedWriter = (
            gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=3)
            if compress
            else self._raw
        )

    def write_lines(self, lines: Iterable[bytes], chunk: int = 4096) -> None:
        """Write lines, joined in chunks (one write call per chunk, bounded extra memory)."""
        buffer: list[bytes] = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= chunk:
                self._out.write(b"\n".join(buffer) + b"\n")
                buffer.clear()
        if buffer:
            self._out.write(b"\n".join(buffer) + b"\n")

    def close(self) -> None:
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()

    def __enter__(self) -> TrafficWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def write_jsonl(path: Path, rows: Iterable[object]) -> None:
    with path.open("wb") as handle:
        for row in rows:
            handle.write(orjson.dumps(row))
            handle.write(b"\n")


def write_json(path: Path, document: object) -> None:
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
