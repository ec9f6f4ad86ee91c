"""A JSON-lines file as blocks of whole lines, for a reader loop that slices lines out itself.

Built on :func:`iter_chunks`, so gzip, byte ranges (parallel parts) and truncated gzip streams behave as in
:func:`iter_line_views`: the same lines, and an incomplete last line of a truncated stream is handed over
as a :class:`BrokenTail` to be quarantined with its reason. A block is a slice of a read chunk, not a copy:
only a line that spans two chunks is copied (into a block of its own).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from distillguard.ingest._source import TruncatedTail, iter_chunks


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Whole lines: ``data[start:end]`` is one or more lines, each ending with a newline."""

    data: bytes
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class BrokenTail:
    """The incomplete last line of a truncated gzip stream (it is the line after the last block's)."""

    data: bytes
    reason: str


def iter_blocks(path: Path, byte_range: tuple[int, int] | None = None) -> Iterator[LineBlock | BrokenTail]:
    """The file's lines in blocks, in order; a last line without a newline gets one."""
    pending: list[bytes] = []  # pieces of a line that started in an earlier chunk
    for chunk in iter_chunks(path, byte_range):
        if isinstance(chunk, TruncatedTail):
            data = b"".join(pending) + chunk.data
            cut = data.rfind(b"\n") + 1
            if cut:
                yield LineBlock(data, 0, cut)
            yield BrokenTail(data[cut:], chunk.reason)
            return
        first = chunk.find(b"\n")
        if first < 0:
            pending.append(chunk)
            continue
        start = 0
        if pending:
            pending.append(chunk[: first + 1])
            joined = b"".join(pending)
            pending = []
            yield LineBlock(joined, 0, len(joined))
            start = first + 1
        end = chunk.rfind(b"\n") + 1
        if end > start:
            yield LineBlock(chunk, start, end)
        if end < len(chunk):
            pending.append(chunk[end:])
    if pending:
        data = b"".join(pending) + b"\n"
        yield LineBlock(data, 0, len(data))


def is_valid_utf8(block: LineBlock) -> bool:
    """Whether the block's bytes are valid UTF-8, by Arrow's validator: a fraction of a millisecond per
    megabyte, as strict as Python's decoder (no surrogates, no overlong forms), and no copy of the data."""
    offsets = pa.array([block.start, block.end], type=pa.int64())
    buffers = [None, offsets.buffers()[1], pa.py_buffer(block.data)]
    binary = pa.Array.from_buffers(pa.large_binary(), 1, buffers)
    try:
        binary.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True
