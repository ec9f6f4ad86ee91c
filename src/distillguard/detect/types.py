"""The detection stage's output: frozen records that the report, sharing and policy stages consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    """One signal that fired, with the value that made it fire and a sentence a reviewer can check."""

    signal: str
    value: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"signal": self.signal, "value": self.value, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        return cls(signal=str(data["signal"]), value=float(data["value"]), detail=str(data["detail"]))


@dataclass(frozen=True, slots=True)
class AccountVerdict:
    account_id: str
    score: float
    flagged: bool
    campaign_id: str | None
    requests: int
    first_seen: datetime
    last_seen: datetime
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Campaign:
    campaign_id: str
    score: float
    accounts: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    requests: int
    capabilities: tuple[str, ...]
    evidence: tuple[Evidence, ...] = ()
    # Shareable, non-identifying indicators (template signatures, timing signature, ...), filled by detect
    # for the share stage; keyed hashing of network values happens at export, not here.
    indicators: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DetectionResult:
    accounts: tuple[AccountVerdict, ...]
    campaigns: tuple[Campaign, ...]
    threshold: float
