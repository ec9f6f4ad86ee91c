"""`make demo` runs `distillguard demo`: every step of the story must run end to end."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from distillguard.cli import app


def test_demo_runs_every_step_at_a_small_scale(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--days", "1", "--scale", "0.1"])
    assert result.exit_code == 0, result.output
    for step in ("Simulate", "Scan", "Compare", "Share", "Enforce"):
        assert step in result.output
    report = orjson.loads((tmp_path / "report.json").read_bytes())
    assert report["events"] > 0 and report["accounts"]
    assert (tmp_path / "report.html").read_text().startswith("<!doctype html>")
    assert "sightings" in result.output
