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
_ERROR_KINDS = {429: "rate_limit_exceeded", 400: "invalid_request_error", 500: "server_error"}


def rfc3339(ts: float) -> str:
    """UTC RFC 3339 with milliseconds, e.g. 2026-03-02T08:15:02.123Z."""
    dt = datetime(1970, 1, 1) + timedelta(seconds=ts)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def estimate_tokens(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> int:
    chars = 0
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            chars += len(content)
        for call in message.get("tool_calls") or ():
            chars += len(call["function"]["arguments"]) + 20
    if tools:
        chars += 180 * len(tools)
    return 8 + chars // 4


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

    def __post_init__(self) -> None:
        self._prefixes = tuple(rfc3339(start)[:11] for start in self.day_starts)

    def _format_ts(self, within: float, day: int) -> str:
        """``within``: seconds since the start of UTC day ``day``."""
        ms_total = int(within * 1000.0)
        ms_total = min(max(ms_total, 0), 86_399_999)
        secs, ms = divmod(ms_total, 1000)
        hours, rem = divmod(secs, 3600)
        minutes, seconds = divmod(rem, 60)
        return f"{self._prefixes[day]}{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}Z"

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
        extra_latency_ms: float = 0.0,
    ) -> None:
        """Append one serialised event (with its sort key) to ``out``. ``ts`` is seconds within the day."""
        epoch = self.day_starts[day] + ts
        model = request["model"]
        prompt_tokens = estimate_tokens(request["messages"], request.get("tools"))
        n = int(request.get("n", 1))
        response: dict[str, Any]
        if status == 200:
            response = {
                "id": f"chatcmpl-{r.getrandbits(72):018x}",
                "object": "chat.completion",
                "model": model,
                "choices": [{"index": i, "finish_reason": finish_reason} for i in range(n)],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens * n,
                    "total_tokens": prompt_tokens + completion_tokens * n,
                },
            }
            ms_per_token = _MS_PER_TOKEN.get(self.model_roles.get(model, "flagship"), 14.0)
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
            "latency_ms": int(latency + extra_latency_ms),
        }
        out.append((epoch, orjson.dumps(event)))
        tally = self.tallies.get(account.account_id)
        if tally is None:
            tally = self.tallies[account.account_id] = AccountTally()
        tally.events += 1
        if epoch < tally.first_seen:
            tally.first_seen = epoch
            tally.first_seen_text = ts_text
