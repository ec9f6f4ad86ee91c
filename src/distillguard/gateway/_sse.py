"""Reads finish reasons and usage out of a Chat Completions SSE stream as it passes through."""

from __future__ import annotations

from typing import Any

import orjson


class StreamSummary:
    """Fed raw bytes in arbitrary chunks; remembers each choice's finish reason and the usage chunk."""

    def __init__(self) -> None:
        self._pending = b""
        self.finish_reasons: dict[int, str | None] = {}
        self.usage: dict[str, Any] | None = None

    def feed(self, chunk: bytes) -> None:
        self._pending += chunk
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            self._line(line.strip())

    def _line(self, line: bytes) -> None:
        if not line.startswith(b"data:"):
            return
        payload = line[5:].strip()
        if not payload or payload == b"[DONE]":
            return
        try:
            doc = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return
        if not isinstance(doc, dict):
            return
        for choice in doc.get("choices") or ():
            if isinstance(choice, dict):
                index = int(choice.get("index") or 0)
                if choice.get("finish_reason") is not None or index not in self.finish_reasons:
                    self.finish_reasons[index] = choice.get("finish_reason")
        if isinstance(doc.get("usage"), dict):
            self.usage = doc["usage"]

    def as_response(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "choices": [{"finish_reason": self.finish_reasons[i]} for i in sorted(self.finish_reasons)]
        }
        if self.usage is not None:
            out["usage"] = {
                k: self.usage[k]
                for k in ("prompt_tokens", "completion_tokens", "total_tokens")
                if k in self.usage
            }
        return out
