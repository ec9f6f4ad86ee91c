"""The audit trail: every enforcement decision and every analyst override, in SQLite under a state folder.

Decisions are append-only: a new decision for an account is a new row, so the history of why an account
was throttled, by which policy version and on what evidence, is never rewritten. An override (an appeal
upheld by an analyst) wins over automatic decisions until it expires.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from distillguard.errors import PolicyError
from distillguard.policy.model import Action, Decision

DB_NAME = "decisions.sqlite"
OVERRIDE_RULE_PREFIX = "override:"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    action TEXT NOT NULL,
    enforced_action TEXT NOT NULL,
    rule TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    decided_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_account ON decisions (account_id, id);
CREATE TABLE IF NOT EXISTS overrides (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    analyst TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT
);
CREATE INDEX IF NOT EXISTS overrides_account ON overrides (account_id, id);
"""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """``30m``, ``12h``, ``7d``, ``2w`` -> a timedelta."""
    match = _DURATION.match(text)
    if match is None:
        raise PolicyError(f"cannot read duration '{text}' (use a number and s, m, h, d or w, e.g. 7d)")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


@dataclass(frozen=True, slots=True)
class Override:
    """An analyst's decision for one account that wins over automatic decisions until it expires."""

    override_id: int
    account_id: str
    action: Action
    reason: str
    created_at: datetime
    expires_at: datetime | None
    analyst: str | None = None

    def active(self, now: datetime) -> bool:
        return self.created_at <= now and (self.expires_at is None or now < self.expires_at)

    def as_decision(self, now: datetime, policy_version: str) -> Decision:
        return Decision(
            account_id=self.account_id,
            action=self.action,
            rule=f"{OVERRIDE_RULE_PREFIX}{self.override_id}",
            policy_version=policy_version,
            decided_at=now,
            reason=self.reason,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "override_id": self.override_id,
            "account_id": self.account_id,
            "action": self.action.value,
            "reason": self.reason,
            "analyst": self.analyst,
            "created_at": self.created_at.isoformat(),
            "expires_at": None if self.expires_at is None else self.expires_at.isoformat(),
        }


def apply_override(decision: Decision, override: Override | None, now: datetime) -> Decision:
    """The decision to enforce: an active override replaces the automatic one, keeping its evidence."""
    if override is None or not override.active(now):
        return decision
    return replace(
        override.as_decision(now, decision.policy_version),
        evidence=decision.evidence,
        score=decision.score,
        campaign_id=decision.campaign_id,
    )


class DecisionStore:
    """SQLite audit trail at ``STATE/decisions.sqlite``; safe to use from several threads and processes."""

    def __init__(self, state_dir: str | Path) -> None:
        self.state_dir = Path(state_dir)
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PolicyError(
                f"cannot create state folder: {exc.strerror}", path=str(self.state_dir)
            ) from exc
        self.path = self.state_dir / DB_NAME
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=10.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> DecisionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- decisions ------------------------------------------------------------------------------------

    def record(self, decisions: list[Decision]) -> int:
        """Append decisions in one transaction; returns how many were written."""
        rows = [
            (
                d.account_id,
                d.action.value,
                d.enforced_action.value,
                d.rule,
                d.policy_version,
                int(d.dry_run),
                _iso(d.decided_at),
                orjson.dumps(d.to_dict()).decode(),
            )
            for d in decisions
        ]
        if not rows:
            return 0
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO decisions (account_id, action, enforced_action, rule, policy_version, dry_run,"
                " decided_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._db.execute("COMMIT")
        return len(rows)

    def decisions(self, account_id: str | None = None, limit: int | None = None) -> list[Decision]:
        """Recorded decisions, newest first."""
        sql = "SELECT body FROM decisions"
        params: list[Any] = []
        if account_id is not None:
            sql += " WHERE account_id = ?"
            params.append(account_id)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [Decision.from_dict(orjson.loads(body)) for (body,) in rows]

    def latest(self) -> dict[str, Decision]:
        """The most recent decision of every account (what was in force when the gateway stopped)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM decisions WHERE id IN (SELECT max(id) FROM decisions GROUP BY account_id)"
            ).fetchall()
        out = [Decision.from_dict(orjson.loads(body)) for (body,) in rows]
        return {d.account_id: d for d in out}

    # -- overrides ------------------------------------------------------------------------------------

    def add_override(
        self,
        account_id: str,
        action: Action,
        reason: str,
        now: datetime,
        expires_in: timedelta | None = None,
        analyst: str | None = None,
    ) -> Override:
        if not reason.strip():
            raise PolicyError("an override needs a reason (it is the answer to the appeal)")
        expires_at = None if expires_in is None else now + expires_in
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO overrides (account_id, action, reason, analyst, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    account_id,
                    action.value,
                    reason,
                    analyst,
                    _iso(now),
                    None if expires_at is None else _iso(expires_at),
                ),
            )
            override_id = int(cursor.lastrowid or 0)
        return Override(override_id, account_id, action, reason, now, expires_at, analyst)

    def overrides(self, account_id: str | None = None) -> list[Override]:
        """All overrides, newest first."""
        sql = "SELECT id, account_id, action, reason, created_at, expires_at, analyst FROM overrides"
        params: list[Any] = []
        if account_id is not None:
            sql += " WHERE account_id = ?"
            params.append(account_id)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY id DESC", params).fetchall()
        return [
            Override(
                override_id=row[0],
                account_id=row[1],
                action=Action(row[2]),
                reason=row[3],
                created_at=datetime.fromisoformat(row[4]),
                expires_at=None if row[5] is None else datetime.fromisoformat(row[5]),
                analyst=row[6],
            )
            for row in rows
        ]

    def active_overrides(self, now: datetime) -> dict[str, Override]:
        """The newest active override of each account."""
        active: dict[str, Override] = {}
        for override in self.overrides():
            if override.account_id not in active and override.active(now):
                active[override.account_id] = override
        return active

    def overrides_version(self) -> int:
        """Changes whenever an override is added (cheap to poll from another process)."""
        with self._lock:
            row = self._db.execute("SELECT coalesce(max(id), 0) FROM overrides").fetchone()
        return int(row[0])


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()
