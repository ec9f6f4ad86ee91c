"""The detection stage's output: frozen records that the report, sharing and policy stages consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Keys of ``Campaign.indicators`` (all optional; detect fills what it has, share reads what it knows):
#   "templates":      [{"template_hash": int, "skeleton": str (masked text, capped), "requests": int}, ...]
#   "system_hashes":  [int, ...]        "tools_hashes": [int, ...]
#   "ips":            [str, ...]        "ip_prefixes":  ["203.0.113.0/24", "2001:db8::/48", ...]
#   "payment_fingerprints": [str, ...]  "user_agents":  [str, ...]
#   "models":         {model: first request time, RFC 3339}
#   "timing":         {"hour_histogram": [24 floats summing to 1], "median_interarrival_s": float,
#                      "active_hours_per_day": float}
INDICATOR_KEYS: tuple[str, ...] = (
    "templates",
    "system_hashes",
    "tools_hashes",
    "ips",
    "ip_prefixes",
    "payment_fingerprints",
    "user_agents",
    "models",
    "timing",
)


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
    # The campaign's local indicators, for the share stage (see INDICATOR_KEYS). They hold raw local
    # values (IPs, payment ids): the report stays inside the provider, and ``share export`` turns them
    # into keyed hashes / PSI sets before anything leaves.
    indicators: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DetectionResult:
    accounts: tuple[AccountVerdict, ...]
    campaigns: tuple[Campaign, ...]
    threshold: float
