"""The report's JSON keeps every field DESIGN.md names, round-trips, and renders to HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from distillguard.detect.types import AccountVerdict, Campaign, DetectionResult, Evidence
from distillguard.errors import InputFormatError
from distillguard.report import DetectionReport, ReportWindow, render_html

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
T1 = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)


def _report() -> DetectionReport:
    evidence = Evidence(
        "reasoning_elicitation", 0.93, "93% of 412 requests ask for full step-by-step reasoning"
    )
    accounts = (
        AccountVerdict("acct_bad", 0.97, True, "cmp_1", 412, T0, T1, (evidence,)),
        AccountVerdict("acct_ok", 0.05, False, None, 40, T0, T1, ()),
    )
    campaign = Campaign(
        "cmp_1",
        0.99,
        ("acct_bad",),
        T0,
        T1,
        412,
        ("reasoning",),
        (Evidence("shared_template", 38, "38 accounts send 4 variants of one template"),),
        {"ip_prefixes": ["203.0.113.0/24"]},
    )
    result = DetectionResult(accounts=accounts, campaigns=(campaign,), threshold=0.5)
    return DetectionReport(T1, ReportWindow(T0, T1), 452, 3, result, {"sources": ["x.jsonl"]})


def test_json_has_every_contract_field(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    _report().write_json(path)
    data = orjson.loads(path.read_bytes())
    assert {"generated_at", "window", "events", "quarantined", "accounts", "campaigns"} <= data.keys()
    assert data["window"] == {"start": "2026-03-02T08:00:00Z", "end": "2026-03-04T20:00:00Z"}
    account = data["accounts"][0]
    assert {"account_id", "score", "flagged", "campaign_id", "evidence"} <= account.keys()
    assert account["evidence"][0] == {
        "signal": "reasoning_elicitation",
        "value": 0.93,
        "detail": "93% of 412 requests ask for full step-by-step reasoning",
    }
    campaign = data["campaigns"][0]
    assert {
        "campaign_id",
        "score",
        "accounts",
        "first_seen",
        "last_seen",
        "requests",
        "capabilities",
        "evidence",
    } <= campaign.keys()


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    original = _report()
    original.write_json(path)
    assert DetectionReport.read_json(path) == original


def test_not_a_report_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text('{"events": 3}')
    with pytest.raises(InputFormatError, match="not a distillguard detection report"):
        DetectionReport.read_json(path)
    path.write_text("[1, 2")
    with pytest.raises(InputFormatError, match="not JSON"):
        DetectionReport.read_json(path)


def test_html_shows_campaigns_and_escapes_text() -> None:
    report = _report()
    bad = AccountVerdict("<script>x</script>", 0.9, True, None, 1, T0, T1, ())
    html = render_html(
        DetectionReport(
            report.generated_at,
            report.window,
            report.events,
            report.quarantined,
            DetectionResult((*report.result.accounts, bad), report.result.campaigns, 0.5),
            {},
        )
    )
    assert "cmp_1" in html and "38 accounts send 4 variants of one template" in html
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
