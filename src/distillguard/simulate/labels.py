"""Ground truth: one label per simulated account (``labels.jsonl``), read back by benchmarks and tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from distillguard.errors import InputFormatError


@dataclass(frozen=True, slots=True)
class AccountLabel:
    """What an account really is: its population, whether it distils, and for which campaign."""

    account_id: str
    platform: str
    population: str
    malicious: bool
    campaign_id: str | None
    hard_negative: bool
    first_seen: str  # RFC 3339, the account's first request in the traffic
    account_created: str
    events: int

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccountLabel:
        try:
            return cls(
                account_id=str(data["account_id"]),
                platform=str(data["platform"]),
                population=str(data["population"]),
                malicious=bool(data["malicious"]),
                campaign_id=None if data.get("campaign_id") is None else str(data["campaign_id"]),
                hard_negative=bool(data.get("hard_negative", False)),
                first_seen=str(data["first_seen"]),
                account_created=str(data["account_created"]),
                events=int(data["events"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputFormatError(f"not a simulator label: {exc!r}") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "platform": self.platform,
            "population": self.population,
            "malicious": self.malicious,
            "campaign_id": self.campaign_id,
            "hard_negative": self.hard_negative,
            "first_seen": self.first_seen,
            "account_created": self.account_created,
            "events": self.events,
        }


def read_labels(path: Path | str) -> dict[str, AccountLabel]:
    """Labels by account id from a ``labels.jsonl`` written by the simulator."""
    labels: dict[str, AccountLabel] = {}
    with Path(path).open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                label = AccountLabel.from_dict(orjson.loads(line))
            except (orjson.JSONDecodeError, InputFormatError) as exc:
                raise InputFormatError(f"bad label line: {exc}", path=str(path), line=number) from None
            labels[label.account_id] = label
    return labels
