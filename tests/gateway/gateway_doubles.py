"""Shared by the gateway tests: keys, a test policy, prompts and a deterministic test-double detector.

(A uniquely named module: several test folders have a conftest.py, so ``from conftest import`` is
ambiguous.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from distillguard.detect.types import AccountVerdict, DetectionResult, Evidence
from distillguard.gateway import BackgroundServer, Gateway

KEYS = {"sk-legit": "acct_legit", "sk-harvest": "acct_harvest", "sk-mixed": "acct_mixed"}

# Accounts whose requests mostly ask for full step-by-step reasoning are blocked; a mixed pattern is
# throttled. The detector below is a stand-in for the real engine, scoring exactly that share.
TEST_POLICY = """
version: "test-1"
rules:
  - name: reasoning-harvest
    description: almost every request harvests reasoning traces
    when:
      account_score_min: 0.9
      signals: {reasoning_elicitation: 0.9}
    action: block
  - name: flagged-account
    when:
      flagged: true
    action: throttle
    requests_per_minute: 6
    burst: 2
"""

HARVEST_PROMPT = "Solve this and show your full step by step reasoning: what is 17 * 23?"
LEGIT_PROMPT = "Summarise our refund policy for a customer in two sentences."


class ReasoningShareDetector:
    """Test double: an account's score is the share of its requests that ask for step-by-step reasoning.

    Flagged at >= 0.5 with at least ``min_requests`` requests. Deterministic, and it counts the calls.
    """

    def __init__(self, min_requests: int = 5) -> None:
        self.min_requests = min_requests
        self.calls = 0
        self.seen_events = 0

    def __call__(self, events: list[dict[str, Any]]) -> DetectionResult:
        self.calls += 1
        self.seen_events = len(events)
        per_account: dict[str, list[dict[str, Any]]] = {}
        for event in events:
            per_account.setdefault(event["account_id"], []).append(event)
        verdicts = [self._verdict(account, rows) for account, rows in sorted(per_account.items())]
        return DetectionResult(accounts=tuple(verdicts), campaigns=(), threshold=0.5)

    def _verdict(self, account: str, rows: list[dict[str, Any]]) -> AccountVerdict:
        asks = sum(1 for row in rows if "step by step" in _last_user(row).lower())
        share = asks / len(rows)
        enough = len(rows) >= self.min_requests
        times = sorted(datetime.fromisoformat(row["ts"]) for row in rows)
        evidence = (
            (Evidence("reasoning_elicitation", share, f"{asks} of {len(rows)} requests ask for reasoning"),)
            if asks
            else ()
        )
        return AccountVerdict(
            account_id=account,
            score=share if enough else 0.0,
            flagged=enough and share >= 0.5,
            campaign_id=None,
            requests=len(rows),
            first_seen=times[0],
            last_seen=times[-1],
            evidence=evidence,
        )


def _last_user(event: dict[str, Any]) -> str:
    for message in reversed(event.get("request", {}).get("messages") or []):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            return str(message["content"])
    return ""


@dataclass
class Running:
    gateway: Gateway
    server: BackgroundServer
    detector: ReasoningShareDetector
    policy_path: Path
    state: Path

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/v1"

    def status(self) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(f"{self.server.url}/distillguard/status", timeout=5).json()
        return data

    def wait_for(self, condition: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if condition(status):
                return status
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s; status: {status}")
            time.sleep(0.05)

    def wait_cycles(self, count: int, timeout: float = 30.0) -> dict[str, Any]:
        start = self.status()["cycles"]
        return self.wait_for(lambda s: s["cycles"] >= start + count, timeout)
