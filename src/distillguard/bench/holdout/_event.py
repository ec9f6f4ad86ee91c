"""Accounts and the sink that turns a request body into one canonical log line.

The sink owns everything the provider's edge would add (request id, response usage, status, latency),
serialises each event with orjson as it is emitted, and keeps per-account counts for the labels.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson

from distillguard.bench.holdout._clock import Window, rfc3339
from distillguard.bench.holdout._models import MODELS
from distillguard.bench.holdout._rand import pick

ENDPOINT = "/v1/chat/completions"
Body = dict[str, Any]


@dataclass(frozen=True)
class Account:
    """One billing organisation and the ground truth about who runs it."""

    account_id: str
    population: str
    malicious: bool
    campaign_id: str | None
    hard_negative: bool
    created_ms: int
    payment_fingerprint: str
    api_keys: tuple[str, ...]
    user_agent: str
    error_rate: float = 0.004

    def label(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "population": self.population,
            "malicious": self.malicious,
            "campaign_id": self.campaign_id,
            "hard_negative": self.hard_negative,
        }


def text_chars(messages: list[dict[str, Any]]) -> int:
    """Characters of all message text, tool-call arguments included."""
    total = 0
    for message in messages:
        content = message.get("content")
        if content.__class__ is str:
            total += len(content)
        elif content:
            total += sum(len(part.get("text", "")) for part in content)
        if "tool_calls" in message:
            total += sum(len(call["function"]["arguments"]) + 16 for call in message["tool_calls"])
    return total


class Sink:
    """Collects serialised events (with their times) and per-account request counts.

    Events are serialised without ``ts`` at emission; the timestamp (which leads each line, so that
    fixed-width lines sort and merge by time) is formatted for a whole run at once when it is written.
    """

    def __init__(self, window: Window, rng: random.Random, *, spill_dir: Path, spill_events: int) -> None:
        self.window = window
        self._rng = rng
        self._spill_dir = spill_dir
        self._spill_events = spill_events
        self._spills: list[Path] = []
        self._times: list[int] = []
        self._lines: list[bytes] = []  # events serialised without their leading '{"ts": …,'
        self.counts: dict[str, int] = {}
        self.accounts: dict[str, Account] = {}
        self._created: dict[str, str] = {}

    def register(self, account: Account) -> Account:
        self.accounts[account.account_id] = account
        self._created[account.account_id] = rfc3339(account.created_ms)
        return account

    def emit(
        self,
        ts: int,
        account: Account,
        body: Body,
        *,
        ip: str,
        out_tokens: int,
        key: str | None = None,
        user_agent: str | None = None,
        finish: str = "stop",
        tool_tokens: int = 0,
    ) -> None:
        """Record one request at ``ts`` (epoch ms); requests outside the window are dropped."""
        if ts < self.window.start_ms or ts >= self.window.end_ms or ts < account.created_ms:
            return
        rng = self._rng
        random = rng.random
        spec = MODELS[body["model"]]
        messages = body["messages"]
        prompt_tokens = text_chars(messages) // 4 + 6 * len(messages) + tool_tokens
        if "tools" in body:
            prompt_tokens += 55 * len(body["tools"])
        roll = random()
        if roll >= account.error_rate:
            status = 200
            response, produced = self._response(body, spec.reasons, prompt_tokens, out_tokens, finish)
            latency = spec.ttft_ms + 1000.0 * produced / spec.tokens_per_s
            latency *= 0.8 + 0.55 * random()
        else:
            status = 429 if roll < account.error_rate * 0.8 else pick(rng, (500, 503, 400))
            response = {"error": {"code": status, "type": _ERROR_TYPES[status]}}
            latency = 15.0 + 105.0 * random()
        account_id = account.account_id
        event = {
            "request_id": f"rq_{rng.getrandbits(96):024x}",
            "account_id": account_id,
            "api_key_id": key or account.api_keys[0],
            "ip": ip,
            "user_agent": user_agent or account.user_agent,
            "account_created": self._created[account_id],
            "payment_fingerprint": account.payment_fingerprint,
            "endpoint": ENDPOINT,
            "request": body,
            "response": response,
            "status": status,
            "latency_ms": int(latency),
        }
        self._times.append(ts)
        # Slicing copies the line into a right-sized object: orjson's own result keeps a 4 KiB buffer.
        self._lines.append(orjson.dumps(event)[1:])
        self.counts[account_id] = self.counts.get(account_id, 0) + 1
        if len(self._lines) >= self._spill_events:
            self._spill()

    def _spill(self) -> None:
        """Write the buffered events, sorted by (time, emission order), to a run file on disk."""
        path = self._spill_dir / f"run-{len(self._spills):05d}.jsonl"
        with path.open("wb") as out:
            write_lines(out, self._drain_sorted())
        self._spills.append(path)

    def _drain_sorted(self) -> Iterator[bytes]:
        """Buffered events in (time, emission order), completed with their timestamps; empties the buffer."""
        times = np.array(self._times, dtype=np.int64)
        order = np.argsort(times, kind="stable")  # stable: ties keep emission order
        texts: list[str] = np.datetime_as_string(times[order].astype("datetime64[ms]"), unit="ms").tolist()
        lines = self._lines
        self._times, self._lines = [], []
        for text, index in zip(texts, order.tolist(), strict=True):
            yield b'{"ts":"' + text.encode() + b'Z",' + lines[index]

    def sorted_runs(self) -> list[Iterator[bytes]]:
        """Time-sorted runs of serialised events; merged, they give the (time, emission order) order."""
        if not self._spills:
            return [self._drain_sorted()]
        if self._lines:
            self._spill()
        return [_read_lines(path) for path in self._spills]

    def _response(
        self, body: Body, reasons: bool, prompt_tokens: int, out_tokens: int, finish: str
    ) -> tuple[dict[str, Any], int]:
        random = self._rng.random
        cap = body.get("max_completion_tokens") or body.get("max_tokens")
        reasoning = 0
        if reasons and "reasoning_effort" in body:
            reasoning = int(out_tokens * _EFFORT_SCALE.get(body["reasoning_effort"], 1.0) * (0.5 + random()))
        choices = []
        total = 0
        for index in range(body.get("n") or 1):
            produced = max(1, int(out_tokens * (0.6 + 0.8 * random()))) + reasoning
            reason = finish
            if cap is not None and produced >= cap:
                produced, reason = cap, "length"
            total += produced
            choices.append({"index": index, "finish_reason": reason})
        usage: dict[str, Any] = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": total,
            "total_tokens": prompt_tokens + total,
        }
        if reasoning:
            usage["completion_tokens_details"] = {"reasoning_tokens": min(total, reasoning * len(choices))}
        response = {
            "id": f"nbc-{self._rng.getrandbits(80):020x}",
            "object": "chat.completion",
            "model": body["model"],
            "choices": choices,
            "usage": usage,
        }
        return response, total


def write_lines(out: BinaryIO, lines: Iterable[bytes], chunk: int = 20_000) -> int:
    """Write newline-terminated lines in chunks (one join per chunk keeps memory flat); returns the count."""
    count = 0
    for batch in _batched(lines, chunk):
        out.write(b"\n".join(batch) + b"\n")
        count += len(batch)
    return count


def _batched(lines: Iterable[bytes], size: int) -> Iterator[tuple[bytes, ...]]:
    """``itertools.batched`` for Python 3.11."""
    iterator = iter(lines)
    while batch := tuple(itertools.islice(iterator, size)):
        yield batch


def _read_lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        for line in handle:
            yield line.rstrip(b"\n")


_EFFORT_SCALE = {"minimal": 0.2, "low": 0.6, "medium": 1.5, "high": 3.5}
_ERROR_TYPES = {429: "rate_limit_exceeded", 500: "server_error", 503: "overloaded", 400: "invalid_request"}
