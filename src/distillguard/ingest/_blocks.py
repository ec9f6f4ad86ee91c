"""A JSON-lines file as blocks of whole lines, for a reader loop that slices lines out itself.

Built on :func:`iter_chunks`, so gzip, byte ranges (parallel parts) and truncated gzip streams behave as in
:func:`iter_line_views`: the same lines, and an incomplete last line of a truncated stream is handed over
as a :class:`BrokenTail` to be quarantined with its reason. A block is a slice of a read chunk, not a copy:
only a line that spans two chunks is copied (into a block of its own).
"""

from __future__ import annotations

import struct
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
    megabyte, as strict as Python's decoder (no surrogates, no overlong forms), and no copy of the data.

    The block is wrapped as a one-string Arrow array (offsets packed by hand) and fully validated, which
    runs the same UTF-8 check as a cast to string without the compute kernel's overhead: ~0.55x the
    time per 1 MB block, and ~0.1x on the small blocks of lines that span two read chunks.
    """
    offsets = pa.py_buffer(_OFFSETS.pack(block.start, block.end))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(block.data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


_OFFSETS = struct.Struct("=qq")  # two native-endian int64 offsets: Arrow's large_string layout
