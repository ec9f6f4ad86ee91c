"""`distillguard bench --quick` runs every section and writes the Markdown results."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from distillguard.cli import app


@pytest.mark.slow
def test_quick_bench_writes_every_section(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    result = CliRunner().invoke(app, ["bench", "--quick", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    for section in ("## Detection quality", "### Per population", "## Time to first detection", "## Speed"):
        assert section in text
