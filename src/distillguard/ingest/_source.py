"""Bytes and lines from an input file, transparently gunzipped, with truncation reported instead of raised.

A gzip file cut off mid-stream (a log shipper killed while writing) still yields every complete line
before the cut; the partial tail is handed to the caller as a :class:`TruncatedTail` so it can be
quarantined with its line number rather than lost or crashing the scan.
"""

from __future__ import annotations

import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from distillguard.errors import InputFormatError

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class TruncatedTail:
    """The bytes after the last complete line of a gzip stream that ended early."""

    data: bytes
    reason: str


def open_error(path: Path, exc: OSError) -> InputFormatError:
    return InputFormatError(f"cannot open input file: {exc.strerror or exc}", path=path)


def read_head(path: Path, size: int = 1 << 16) -> bytes:
    """The first ``size`` bytes of the file's content (decompressed if it is gzip)."""
    out = bytearray()
    for chunk in iter_chunks(path):
        if isinstance(chunk, TruncatedTail):
            out += chunk.data
            break
        out += chunk
        if len(out) >= size:
            break
    return bytes(out[:size])


def is_gzip(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(2) == GZIP_MAGIC
    except OSError as exc:
        raise open_error(path, exc) from exc


def _range_chunks(path: Path, start: int, end: int) -> Iterator[bytes]:
    """The raw bytes ``[start, end)`` of a plain (not gzip) file."""
    try:
        f = path.open("rb")
    except OSError as exc:
        raise open_error(path, exc) from exc
    with f:
        f.seek(start)
        left = end - start
        while left > 0:
            chunk = f.read(min(CHUNK_BYTES, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def line_aligned_ranges(path: Path, target_bytes: int) -> list[tuple[int, int]]:
    """Byte ranges of about ``target_bytes`` covering a plain file, each starting at a line start."""
    size = path.stat().st_size
    bounds = [0]
    with path.open("rb") as f:
        while bounds[-1] + target_bytes < size:
            f.seek(bounds[-1] + target_bytes)
            f.readline()  # to the end of the line the nominal boundary falls in
            if f.tell() >= size:
                break
            bounds.append(f.tell())
    bounds.append(size)
    return list(pairwise(bounds))


def iter_chunks(path: Path, byte_range: tuple[int, int] | None = None) -> Iterator[bytes | TruncatedTail]:
    """Raw content chunks; for gzip, decompressed (multi-member aware), ending in a tail if truncated.

    ``byte_range`` reads only that part of a plain file (the parallel reader splits large files).
    """
    if byte_range is not None:
        yield from _range_chunks(path, *byte_range)
        return
    try:
        f = path.open("rb")
    except OSError as exc:
        raise open_error(path, exc) from exc
    with f:
        first = f.read(CHUNK_BYTES)
        if not first.startswith(GZIP_MAGIC):
            while first:
                yield first
                first = f.read(CHUNK_BYTES)
            return
        yield from _gunzip(first, f)


def _gunzip(first: bytes, f: object) -> Iterator[bytes | TruncatedTail]:
    read = f.read  # type: ignore[attr-defined]
    decomp = zlib.decompressobj(wbits=31)
    data = first
    while True:
        try:
            out = decomp.decompress(data)
        except zlib.error as exc:
            yield TruncatedTail(b"", f"corrupt gzip stream: {exc}")
            return
        if out:
            yield out
        if decomp.eof:
            rest = decomp.unused_data
            decomp = zlib.decompressobj(wbits=31)
            if rest.strip(b"\x00"):  # another gzip member follows (concatenated .gz files)
                data = rest
                continue
            data = read(CHUNK_BYTES)
            if not data:
                return
            continue
        data = read(CHUNK_BYTES)
        if not data:
            tail = decomp.flush()
            yield TruncatedTail(tail, "truncated gzip: the stream ends before its end marker")
            return


def iter_lines(
    path: Path, byte_range: tuple[int, int] | None = None
) -> Generator[tuple[int, bytes, str | None], None, None]:
    """``(line_number, line_bytes, problem)`` for each line (1-based, newline stripped), blank ones included.

    ``problem`` is None for a complete line; a truncated gzip stream ends with its incomplete last line
    and the reason it is incomplete. With ``byte_range``, numbers count from the start of the range.
    """
    pending: list[bytes] = []
    number = 0
    for chunk in iter_chunks(path, byte_range):
        if isinstance(chunk, TruncatedTail):
            lines = (b"".join(pending) + chunk.data).split(b"\n")
            for line in lines[:-1]:
                number += 1
                yield number, line, None
            yield number + 1, lines[-1], chunk.reason
            return
        lines = chunk.split(b"\n")
        if len(lines) == 1:
            pending.append(chunk)
            continue
        if pending:
            pending.append(lines[0])
            lines[0] = b"".join(pending)
            pending = []
        last = lines.pop()
        for line in lines:
            number += 1
            yield number, line, None
        if last:
            pending.append(last)
    if pending:
        yield number + 1, b"".join(pending), None
