"""The scan from files to report, through the library and through the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import orjson
from typer.testing import CliRunner

from distillguard.bench import read_labels, score_accounts
from distillguard.cli import app
from distillguard.pipeline import scan
from distillguard.simulate import SimulationSummary

runner = CliRunner()
SAMPLES = Path(__file__).parent.parent / "data" / "samples"


def _accounts_in(path: Path) -> set[str]:
    return {str(orjson.loads(line)["account_id"]) for line in path.read_bytes().splitlines() if line.strip()}


def test_cli_scan_writes_the_report_contract(small_platform: SimulationSummary, tmp_path: Path) -> None:
    out, html = tmp_path / "report.json", tmp_path / "report.html"
    result = runner.invoke(
        app, ["scan", str(small_platform.traffic_path), "--out", str(out), "--html", str(html)]
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads(out.read_bytes())
    assert report["events"] == small_platform.events
    assert report["quarantined"] == 0
    assert {a["account_id"] for a in report["accounts"]} == _accounts_in(small_platform.traffic_path)
    assert report["window"]["start"] < report["window"]["end"]
    for account in report["accounts"]:
        assert 0.0 <= account["score"] <= 1.0
        assert account["flagged"] == (account["score"] >= report["threshold"]) or account["campaign_id"]
    assert "<html" in html.read_text()


def test_scan_finds_campaigns_and_spares_most_customers(
    small_platform: SimulationSummary, tmp_path: Path
) -> None:
    report = scan([small_platform.traffic_path], quarantine_path=tmp_path / "q.jsonl")
    card = score_accounts(report.result.accounts, read_labels(small_platform.labels_path))
    assert card.campaigns_found >= card.campaigns_total // 2
    assert card.recall >= 0.7
    assert card.false_positive_rate <= 0.01
    for campaign in report.result.campaigns:
        assert campaign.evidence and all(e.detail for e in campaign.evidence)


def test_bad_lines_are_counted_and_the_rest_is_scanned(
    small_platform: SimulationSummary, tmp_path: Path
) -> None:
    traffic = tmp_path / "traffic.jsonl"
    shutil.copy(small_platform.traffic_path, traffic)
    with traffic.open("ab") as handle:
        handle.write(b'{"ts": "yesterday", "account_id": "a", "request": {}}\n{broken\n\xff\xfe\n')
    quarantine = tmp_path / "q.jsonl"
    report = scan([traffic], quarantine_path=quarantine)
    assert report.quarantined == 3
    assert report.events == small_platform.events
    assert len(quarantine.read_bytes().splitlines()) == 3


def test_the_same_events_in_four_formats_give_the_same_report(tmp_path: Path) -> None:
    files = ["canonical.jsonl", "litellm.jsonl", "otel.jsonl", "events.parquet"]
    reports = [scan([SAMPLES / name], quarantine_path=tmp_path / f"{name}.q") for name in files]
    first = reports[0]
    for other in reports[1:]:
        assert other.events == first.events
        assert other.window == first.window
        assert [(a.account_id, a.requests, a.score) for a in other.result.accounts] == [
            (a.account_id, a.requests, a.score) for a in first.result.accounts
        ]


def test_cli_error_is_one_readable_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "distillguard", "scan", str(missing), "--out", str(tmp_path / "r.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr and "nope.jsonl" in result.stderr
