"""The per-request check: an O(1) look-up of the account's current decision, plus a token bucket.

Detection (in the background) publishes a new ``dict[account, Decision]`` by swapping one reference;
requests only read it, so they never wait for a detection cycle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from distillguard.policy.model import Action, Decision


@dataclass(frozen=True, slots=True)
class Rejection:
    """An enforcement answer in the OpenAI error envelope (so the official SDKs raise the right error)."""

    status: int
    message: str
    type: str
    code: str
    retry_after: int | None = None

    def body(self) -> dict[str, object]:
        return {"error": {"message": self.message, "type": self.type, "param": None, "code": self.code}}


UNKNOWN_KEY = Rejection(
    401,
    "Incorrect API key provided. You can find your API key in your account settings.",
    "invalid_request_error",
    "invalid_api_key",
)


class TokenBucket:
    """``rate`` requests per second on average, up to ``burst`` at once."""

    __slots__ = ("burst", "last", "rate", "tokens")

    def __init__(self, per_minute: float, burst: int, now: float) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.tokens = float(burst)
        self.last = now

    def take(self, now: float) -> float:
        """0.0 when a request may go ahead, else the seconds until it may."""
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class Enforcer:
    """Holds the decisions in force and answers, per request, whether the account is served."""

    def __init__(self) -> None:
        self._decisions: Mapping[str, Decision] = {}
        self._buckets: dict[str, tuple[Decision, TokenBucket]] = {}

    @property
    def decisions(self) -> Mapping[str, Decision]:
        return self._decisions

    def publish(self, decisions: Mapping[str, Decision]) -> None:
        """Replace the decisions in force (one reference swap; safe from another thread)."""
        self._decisions = decisions

    def check(self, account_id: str, now: float) -> Rejection | None:
        decision = self._decisions.get(account_id)
        if decision is None:
            return None
        action = decision.enforced_action
        if action is Action.BLOCK:
            return Rejection(
                403,
                "This account's access has been suspended under the provider's usage policy "
                f"(rule '{decision.rule}'). Contact support to appeal.",
                "permission_error",
                "account_blocked",
            )
        if action is Action.REQUIRE_VERIFICATION:
            return Rejection(
                403,
                "This account must complete verification before making further requests "
                f"(rule '{decision.rule}'). Contact support to verify.",
                "permission_error",
                "verification_required",
            )
        if action is Action.THROTTLE and decision.requests_per_minute:
            return self._throttle(account_id, decision, now)
        if account_id in self._buckets:  # no longer throttled: forget its bucket
            del self._buckets[account_id]
        return None

    def _throttle(self, account_id: str, decision: Decision, now: float) -> Rejection | None:
        held = self._buckets.get(account_id)
        if held is None or not held[0].same_outcome(decision):
            # A new decision (or a changed limit) starts a fresh bucket; a re-published one keeps it.
            burst = decision.burst or max(1, math.ceil((decision.requests_per_minute or 1.0) / 6.0))
            held = (decision, TokenBucket(decision.requests_per_minute or 1.0, burst, now))
            self._buckets[account_id] = held
        wait = held[1].take(now)
        if wait == 0.0:
            return None
        return Rejection(
            429,
            f"Rate limit reached for this account: {decision.requests_per_minute:g} requests per minute "
            f"under the provider's usage policy (rule '{decision.rule}'). Please try again in {wait:.1f}s.",
            "requests",
            "rate_limit_exceeded",
            retry_after=max(1, math.ceil(wait)),
        )
