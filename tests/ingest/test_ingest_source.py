"""Line splitting across read chunks: zero-copy views give exactly the lines and numbers of a plain split."""

from __future__ import annotations

import gzip
from itertools import pairwise
from pathlib import Path

import pytest

from distillguard.ingest import _source


@pytest.mark.parametrize("chunk_bytes", [1, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("compress", [False, True])
def test_line_views_match_a_plain_split(
    chunk_bytes: int, compress: bool, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(_source, "CHUNK_BYTES", chunk_bytes)
    content = b'{"a": 1}\n\n{"b": "' + b"x" * 150 + b'"}\r\n  \n{"c": [1, 2]}\n\xff\xfe\n{"last": true}'
    path = tmp_path / "lines.jsonl"
    path.write_bytes(gzip.compress(content) if compress else content)
    expected = [(i + 1, line, None) for i, line in enumerate(content.split(b"\n"))]
    views = [(n, bytes(line), problem) for n, line, problem in _source.iter_line_views(path)]
    assert views == expected
    assert list(_source.iter_lines(path)) == expected


def test_byte_ranges_cover_the_file_at_line_starts(tmp_path: Path) -> None:
    content = b"".join(b"%d %s\n" % (i, b"y" * (i % 17)) for i in range(500))
    path = tmp_path / "lines.jsonl"
    path.write_bytes(content)
    ranges = _source.line_aligned_ranges(path, 300)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(content)
    assert all(end == start for (_, end), (start, _) in pairwise(ranges))
    assert all(content[start - 1 : start] == b"\n" for start, _ in ranges[1:])
    lines = [bytes(line) for r in ranges for _, line, _ in _source.iter_line_views(path, r)]
    assert lines == content.split(b"\n")[:-1]
