"""The detection report (DESIGN.md output contract) as a typed record with a JSON round trip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from distillguard.detect.types import AccountVerdict, Campaign, DetectionResult, Evidence
from distillguard.errors import InputFormatError

REPORT_VERSION = 1


def format_ts(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, the form every timestamp in the report takes."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class ReportWindow:
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True, slots=True)
class DetectionReport:
    generated_at: datetime
    window: ReportWindow
    events: int
    quarantined: int
    result: DetectionResult
    # Free-form extras (sources read, timings, peer bundles used); more fields may be added.
    meta: dict[str, Any]

    @property
    def flagged_accounts(self) -> tuple[AccountVerdict, ...]:
        return tuple(a for a in self.result.accounts if a.flagged)

    def to_dict(self) -> dict[str, Any]:
        return {
            "report_version": REPORT_VERSION,
            "generated_at": format_ts(self.generated_at),
            "window": {
                "start": format_ts(self.window.start) if self.window.start else None,
                "end": format_ts(self.window.end) if self.window.end else None,
            },
            "events": self.events,
            "quarantined": self.quarantined,
            "threshold": self.result.threshold,
            "accounts": [_account_to_dict(a) for a in self.result.accounts],
            "campaigns": [_campaign_to_dict(c) for c in self.result.campaigns],
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DetectionReport:
        try:
            window = data["window"]
            result = DetectionResult(
                accounts=tuple(_account_from_dict(a) for a in data["accounts"]),
                campaigns=tuple(_campaign_from_dict(c) for c in data["campaigns"]),
                threshold=float(data.get("threshold", 0.5)),
            )
            return cls(
                generated_at=parse_ts(data["generated_at"]),
                window=ReportWindow(
                    start=parse_ts(window["start"]) if window.get("start") else None,
                    end=parse_ts(window["end"]) if window.get("end") else None,
                ),
                events=int(data["events"]),
                quarantined=int(data["quarantined"]),
                result=result,
                meta=dict(data.get("meta", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputFormatError(f"not a distillguard detection report: {exc!r}") from exc

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2))

    @classmethod
    def read_json(cls, path: Path) -> DetectionReport:
        try:
            data = orjson.loads(path.read_bytes())
        except OSError as exc:
            raise InputFormatError(f"cannot read report: {exc.strerror}", path=str(path)) from exc
        except orjson.JSONDecodeError as exc:
            raise InputFormatError(f"report is not JSON: {exc}", path=str(path)) from exc
        if not isinstance(data, dict):
            raise InputFormatError("report is not a JSON object", path=str(path))
        return cls.from_dict(data)


def _account_to_dict(account: AccountVerdict) -> dict[str, Any]:
    return {
        "account_id": account.account_id,
        "score": round(account.score, 4),
        "flagged": account.flagged,
        "campaign_id": account.campaign_id,
        "requests": account.requests,
        "first_seen": format_ts(account.first_seen),
        "last_seen": format_ts(account.last_seen),
        "evidence": [e.to_dict() for e in account.evidence],
    }


def _account_from_dict(data: dict[str, Any]) -> AccountVerdict:
    return AccountVerdict(
        account_id=str(data["account_id"]),
        score=float(data["score"]),
        flagged=bool(data["flagged"]),
        campaign_id=data.get("campaign_id"),
        requests=int(data.get("requests", 0)),
        first_seen=parse_ts(data["first_seen"]),
        last_seen=parse_ts(data["last_seen"]),
        evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", [])),
    )


def _campaign_to_dict(campaign: Campaign) -> dict[str, Any]:
    return {
        "campaign_id": campaign.campaign_id,
        "score": round(campaign.score, 4),
        "accounts": list(campaign.accounts),
        "first_seen": format_ts(campaign.first_seen),
        "last_seen": format_ts(campaign.last_seen),
        "requests": campaign.requests,
        "capabilities": list(campaign.capabilities),
        "evidence": [e.to_dict() for e in campaign.evidence],
        "indicators": campaign.indicators,
    }


def _campaign_from_dict(data: dict[str, Any]) -> Campaign:
    return Campaign(
        campaign_id=str(data["campaign_id"]),
        score=float(data["score"]),
        accounts=tuple(str(a) for a in data["accounts"]),
        first_seen=parse_ts(data["first_seen"]),
        last_seen=parse_ts(data["last_seen"]),
        requests=int(data["requests"]),
        capabilities=tuple(str(c) for c in data.get("capabilities", [])),
        evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", [])),
        indicators=dict(data.get("indicators", {})),
    )
