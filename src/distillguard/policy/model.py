"""A provider's own enforcement policy: ordered rules from detections (and peers' signals) to actions.

The first rule whose conditions all hold decides; a rule without conditions matches every account. Every
decision names the rule that made it and carries the evidence it was made on, so an analyst can check it
and an appeal can be answered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from distillguard.detect.types import AccountVerdict, Campaign, Evidence

# The evidence signal that the share stage attaches when a peer provider's indicator matched this account.
PEER_SIGNAL = "peer_indicator"
DEFAULT_RULE = "default"


class Action(StrEnum):
    """What the gateway does with an account's requests, from least to most restrictive."""

    ALLOW = "allow"
    MONITOR = "monitor"  # served, but the decision is recorded and shown to analysts
    THROTTLE = "throttle"  # served up to the rule's requests per minute, then 429
    REQUIRE_VERIFICATION = "require_verification"  # 403 until the account is verified (an override)
    BLOCK = "block"  # 403

    @property
    def serves(self) -> bool:
        return self in (Action.ALLOW, Action.MONITOR, Action.THROTTLE)


@dataclass(frozen=True, slots=True)
class Conditions:
    """Conditions of one rule; all that are set must hold (``None`` means "not a condition")."""

    account_score_min: float | None = None
    account_score_max: float | None = None
    flagged: bool | None = None
    in_campaign: bool | None = None
    campaign_score_min: float | None = None
    campaign_accounts_min: int | None = None
    # Evidence signal name -> minimum value; every listed signal must be present at or above its minimum.
    signals: Mapping[str, float] = field(default_factory=dict)
    peer_corroborated: bool | None = None
    peer_indicator_min: float | None = None
    # Account age in days; an account whose creation time is unknown never matches an age condition.
    account_age_max_days: float | None = None
    account_age_min_days: float | None = None
    # Names of allow-lists (``any`` for all of them) the account must be on.
    in_allow_list: tuple[str, ...] = ()

    def only_peer(self) -> bool:
        """True when the rule would act on a peer's signal with no local evidence at all."""
        local = (
            self.account_score_min,
            self.flagged,
            self.in_campaign,
            self.campaign_score_min,
            self.campaign_accounts_min,
        )
        peer = self.peer_corroborated is True or self.peer_indicator_min is not None
        local_signals = any(name != PEER_SIGNAL for name in self.signals)
        return (peer or PEER_SIGNAL in self.signals) and all(v is None for v in local) and not local_signals

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in _CONDITION_FIELDS:
            value = getattr(self, name)
            if value is None or value == {} or value == ():
                continue
            out[name] = (
                dict(value) if name == "signals" else list(value) if name == "in_allow_list" else value
            )
        return out


_CONDITION_FIELDS: tuple[str, ...] = tuple(Conditions.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    action: Action
    when: Conditions = field(default_factory=Conditions)
    requests_per_minute: float | None = None  # throttle only
    burst: int | None = None  # throttle only; default: ten seconds' worth of requests
    description: str = ""

    @property
    def effective_burst(self) -> int:
        if self.burst is not None:
            return self.burst
        return max(1, math.ceil((self.requests_per_minute or 0.0) / 6.0))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "when": self.when.to_dict(), "action": self.action.value}
        if self.requests_per_minute is not None:
            out["requests_per_minute"] = self.requests_per_minute
        if self.burst is not None:
            out["burst"] = self.burst
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True, slots=True)
class Decision:
    """What the policy decided for one account, why, and on what evidence."""

    account_id: str
    action: Action
    rule: str
    policy_version: str
    decided_at: datetime
    dry_run: bool = False
    evidence: tuple[Evidence, ...] = ()
    score: float | None = None
    campaign_id: str | None = None
    requests_per_minute: float | None = None
    burst: int | None = None
    reason: str = ""

    @property
    def enforced_action(self) -> Action:
        """The action the gateway applies: a dry-run policy only records what it would have done."""
        return Action.ALLOW if self.dry_run else self.action

    def same_outcome(self, other: Decision | None) -> bool:
        """True when ``other`` would be enforced identically (so unchanged decisions are not re-recorded)."""
        return (
            other is not None
            and other.action == self.action
            and other.rule == self.rule
            and other.policy_version == self.policy_version
            and other.dry_run == self.dry_run
            and other.requests_per_minute == self.requests_per_minute
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "action": self.action.value,
            "enforced_action": self.enforced_action.value,
            "rule": self.rule,
            "policy_version": self.policy_version,
            "decided_at": self.decided_at.isoformat(),
            "dry_run": self.dry_run,
            "evidence": [item.to_dict() for item in self.evidence],
            "score": self.score,
            "campaign_id": self.campaign_id,
            "requests_per_minute": self.requests_per_minute,
            "burst": self.burst,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        return cls(
            account_id=str(data["account_id"]),
            action=Action(data["action"]),
            rule=str(data["rule"]),
            policy_version=str(data["policy_version"]),
            decided_at=datetime.fromisoformat(str(data["decided_at"])),
            dry_run=bool(data.get("dry_run", False)),
            evidence=tuple(Evidence.from_dict(item) for item in data.get("evidence") or ()),
            score=None if data.get("score") is None else float(data["score"]),
            campaign_id=data.get("campaign_id"),
            requests_per_minute=(
                None if data.get("requests_per_minute") is None else float(data["requests_per_minute"])
            ),
            burst=None if data.get("burst") is None else int(data["burst"]),
            reason=str(data.get("reason") or ""),
        )


@dataclass(frozen=True, slots=True)
class Policy:
    version: str
    rules: tuple[Rule, ...]
    dry_run: bool = False
    default_action: Action = Action.ALLOW
    allow_lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    source: str = "<memory>"

    @classmethod
    def from_dict(cls, data: Any, source: str = "<memory>") -> Policy:
        from distillguard.policy._located import Located
        from distillguard.policy._validate import policy_from_located

        return policy_from_located(Located(data=data, source=source))

    @classmethod
    def from_yaml(cls, text: str, source: str = "<string>") -> Policy:
        from distillguard.policy._located import load_located
        from distillguard.policy._validate import policy_from_located

        return policy_from_located(load_located(text, source))

    @classmethod
    def from_file(cls, path: str | Path) -> Policy:
        from distillguard.policy._located import load_located_file
        from distillguard.policy._validate import policy_from_located

        return policy_from_located(load_located_file(Path(path)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "dry_run": self.dry_run,
            "default_action": self.default_action.value,
            "allow_lists": {name: sorted(members) for name, members in self.allow_lists.items()},
            "rules": [rule.to_dict() for rule in self.rules],
        }

    def allow_lists_of(self, account_id: str) -> frozenset[str]:
        return frozenset(name for name, members in self.allow_lists.items() if account_id in members)

    def decide(
        self,
        verdict: AccountVerdict,
        campaign: Campaign | None,
        account_created: datetime | None,
        now: datetime,
    ) -> Decision:
        """The first matching rule's decision for one account (the default action when none matches)."""
        facts = _Facts.of(verdict, campaign, account_created, now, self.allow_lists_of(verdict.account_id))
        # The account's evidence, then its campaign's (without repeating an item both carry).
        evidence = tuple(
            dict.fromkeys(verdict.evidence + (campaign.evidence if campaign is not None else ()))
        )
        for rule in self.rules:
            if facts.satisfy(rule.when):
                return Decision(
                    account_id=verdict.account_id,
                    action=rule.action,
                    rule=rule.name,
                    policy_version=self.version,
                    decided_at=now,
                    dry_run=self.dry_run,
                    evidence=evidence,
                    score=verdict.score,
                    campaign_id=verdict.campaign_id,
                    requests_per_minute=rule.requests_per_minute,
                    burst=rule.effective_burst if rule.action is Action.THROTTLE else None,
                    reason=rule.description,
                )
        return Decision(
            account_id=verdict.account_id,
            action=self.default_action,
            rule=DEFAULT_RULE,
            policy_version=self.version,
            decided_at=now,
            dry_run=self.dry_run,
            evidence=evidence,
            score=verdict.score,
            campaign_id=verdict.campaign_id,
            reason="no rule matched",
        )


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the conditions are evaluated against, computed once per account."""

    score: float
    flagged: bool
    campaign: Campaign | None
    signals: Mapping[str, float]
    age_days: float | None
    allow_lists: frozenset[str]

    @classmethod
    def of(
        cls,
        verdict: AccountVerdict,
        campaign: Campaign | None,
        account_created: datetime | None,
        now: datetime,
        allow_lists: frozenset[str],
    ) -> _Facts:
        signals: dict[str, float] = {}
        # A signal may appear on the account and on its campaign; the strongest value counts.
        for item in verdict.evidence + (campaign.evidence if campaign is not None else ()):
            signals[item.signal] = max(item.value, signals.get(item.signal, -math.inf))
        age = None if account_created is None else (now - account_created).total_seconds() / 86400.0
        return cls(verdict.score, verdict.flagged, campaign, signals, age, allow_lists)

    def satisfy(self, when: Conditions) -> bool:
        return all(check(self, when) for check in _CHECKS)


def _bounds(value: float | None, low: float | None, high: float | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _check_score(f: _Facts, w: Conditions) -> bool:
    return _bounds(f.score, w.account_score_min, w.account_score_max)


def _check_flagged(f: _Facts, w: Conditions) -> bool:
    return w.flagged is None or f.flagged == w.flagged


def _check_campaign(f: _Facts, w: Conditions) -> bool:
    if w.in_campaign is not None and (f.campaign is not None) != w.in_campaign:
        return False
    if w.campaign_score_min is None and w.campaign_accounts_min is None:
        return True
    if f.campaign is None:
        return False
    score_ok = w.campaign_score_min is None or f.campaign.score >= w.campaign_score_min
    size_ok = w.campaign_accounts_min is None or len(f.campaign.accounts) >= w.campaign_accounts_min
    return score_ok and size_ok


def _check_signals(f: _Facts, w: Conditions) -> bool:
    return all(name in f.signals and f.signals[name] >= low for name, low in w.signals.items())


def _check_peer(f: _Facts, w: Conditions) -> bool:
    peer = f.signals.get(PEER_SIGNAL)
    corroborated = peer is not None and peer > 0
    if w.peer_corroborated is not None and corroborated != w.peer_corroborated:
        return False
    return w.peer_indicator_min is None or (peer is not None and peer >= w.peer_indicator_min)


def _check_age(f: _Facts, w: Conditions) -> bool:
    return _bounds(f.age_days, w.account_age_min_days, w.account_age_max_days)


def _check_allow_list(f: _Facts, w: Conditions) -> bool:
    if not w.in_allow_list:
        return True
    if "any" in w.in_allow_list:
        return bool(f.allow_lists)
    return bool(f.allow_lists.intersection(w.in_allow_list))


_CHECKS = (
    _check_allow_list,
    _check_score,
    _check_flagged,
    _check_campaign,
    _check_signals,
    _check_peer,
    _check_age,
)
