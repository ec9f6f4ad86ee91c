"""Turn one simulated request into one canonical request-log line (DESIGN.md input contract)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson

from distillguard.simulate._model import Account

# Per-token generation time (ms) by model role; smaller models are faster.
_MS_PER_TOKEN = {"mini": 6.0, "flagship": 14.0, "reasoning": 18.0, "new": 16.0}
_MINUTES = tuple(f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440))


# Lookup tables: concatenating table entries is cheaper than formatting numbers for every event.
_SECONDS = tuple(f"{s:02d}." for s in range(60))
_MILLIS = tuple(f"{ms:03d}Z" for ms in range(1000))


_ERROR_KINDS = {429: "rate_limit_exceeded", 400: "invalid_request_error", 500: "server_error"}


def rfc3339(ts: float) -> str:
    """UTC RFC 3339 with milliseconds, e.g. 2026-03-02T08:15:02.123Z."""
    dt = datetime(1970, 1, 1) + timedelta(seconds=ts)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def estimate_tokens(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> int:
    """Prompt tokens, roughly: a quarter of the characters plus a few per message for framing."""
    chars = 0
    for message in messages:
        content = message.get("content")
        if content:
            chars += len(content) + 16
        calls = message.get("tool_calls")
        if calls:
            for call in calls:
                chars += len(call["function"]["arguments"]) + 40
    if tools:
        chars += 180 * len(tools)
    return 3 + chars // 4


@dataclass(slots=True)
class AccountTally:
    events: int = 0
    first_seen: float = float("inf")
    first_seen_text: str = ""


@dataclass(slots=True)
class EventFactory:
    """Serialises events and keeps per-account counts (for labels and the summary).

    ``model_roles`` maps model name -> role, for latency. ``day_starts`` are epoch seconds of each UTC day;
    timestamps are formatted from a per-day date prefix because ``strftime`` per event is slow.
    """

    model_roles: Mapping[str, str]
    day_starts: tuple[float, ...]
    tallies: dict[str, AccountTally] = field(default_factory=dict)
    _prefixes: tuple[str, ...] = ()

    _ms_per_token: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._prefixes = tuple(rfc3339(start)[:11] for start in self.day_starts)
        self._ms_per_token = {model: _MS_PER_TOKEN[role] for model, role in self.model_roles.items()}

    def _format_ts(self, within: float, day: int) -> str:
        """``within``: seconds since the start of UTC day ``day``; millisecond precision."""
        ms_total = int(within * 1000.0)
        ms_total = min(max(ms_total, 0), 86_399_999)
        minute, ms_in_minute = divmod(ms_total, 60_000)
        second, ms = divmod(ms_in_minute, 1000)
        return self._prefixes[day] + _MINUTES[minute] + _SECONDS[second] + _MILLIS[ms]

    def emit(
        self,
        out: list[tuple[float, bytes]],
        *,
        r: random.Random,
        account: Account,
        day: int,
        ts: float,
        request: dict[str, Any],
        ip: str,
        user_agent: str,
        completion_tokens: int,
        finish_reason: str = "stop",
        status: int = 200,
        api_key: str | None = None,
    ) -> None:
        """Append one serialised event (with its sort key) to ``out``. ``ts`` is seconds within the day."""
        epoch = self.day_starts[day] + ts
        model = request["model"]
        prompt_tokens = estimate_tokens(request["messages"], request.get("tools"))
        response: dict[str, Any]
        if status == 200:
            n = request.get("n", 1)
            completion = completion_tokens * n
            response = {
                "id": f"chatcmpl-{r.getrandbits(72):018x}",
                "object": "chat.completion",
                "model": model,
                "choices": [{"index": 0, "finish_reason": finish_reason}]
                if n == 1
                else [{"index": i, "finish_reason": finish_reason} for i in range(n)],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion,
                    "total_tokens": prompt_tokens + completion,
                },
            }
            ms_per_token = self._ms_per_token.get(model, 14.0)
            latency = 180 + prompt_tokens * 0.05 + completion_tokens * ms_per_token * (0.7 + 0.7 * r.random())
        else:
            response = {"error": {"type": _ERROR_KINDS.get(status, "server_error"), "code": status}}
            latency = 20 + 380 * r.random()
        ts_text = self._format_ts(ts, day)
        event = {
            "ts": ts_text,
            "request_id": f"req_{r.getrandbits(80):020x}",
            "account_id": account.account_id,
            "api_key_id": api_key or account.api_keys[0],
            "ip": ip,
            "user_agent": user_agent,
            "account_created": account.created_rfc3339,
            "payment_fingerprint": account.payment_fingerprint,
            "endpoint": "/v1/chat/completions",
            "request": request,
            "response": response,
            "status": status,
            "latency_ms": int(latency),
        }
        out.append((epoch, orjson.dumps(event)))
        tally = self.tallies.get(account.account_id)
        if tally is None:
            self.tallies[account.account_id] = AccountTally(1, epoch, ts_text)
            return
        tally.events += 1
        if epoch < tally.first_seen:
            tally.first_seen = epoch
            tally.first_seen_text = ts_text
