"""The canonical request log of DESIGN.md: one JSON object per line, ``request`` an OpenAI Chat body."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from distillguard.ingest._base import JsonLinesReader, Row
from distillguard.ingest._fast_canonical import FastCanonical
from distillguard.ingest._openai import (
    conversation,
    conversation_columns,
    first_finish_reason,
    sampling,
    tools_summary,
)
from distillguard.ingest._quarantine import Quarantine
from distillguard.ingest._record import (
    RecordError,
    end_user_pseudonym,
    opt_dict,
    opt_int,
    required_str,
    wrong_type,
)

_EMPTY: tuple[int, int, int, int, None, None, int] = (0, 0, 0, 0, None, None, 0)


class CanonicalReader(JsonLinesReader):
    name = "canonical"

    # Typed decoding (msgspec) for the common case; ``extract`` below stays the reference for every other
    # line. False reads every line with orjson + ``extract`` (the benchmark's "per-line" reference).
    typed: ClassVar[bool] = True

    def __init__(self, path: Path, quarantine: Quarantine, batch_rows: int = 50_000) -> None:
        super().__init__(path, quarantine, batch_rows)
        if self.typed:
            self.fast_extract = FastCanonical().row

    @classmethod
    def sniff(cls, obj: dict[str, Any]) -> bool:
        return "account_id" in obj and ("request" in obj or "ts" in obj)

    def extract(self, obj: dict[str, Any]) -> Row:
        # Hot path. Optional strings are not type-checked here: the Arrow conversion of the batch
        # rejects a non-string and the row is quarantined then, with the same kind of reason.
        get = obj.get
        ts = get("ts")
        if ts.__class__ is not str:
            if ts is None:
                raise RecordError("missing field: ts")
            raise wrong_type("ts", "an RFC 3339 string", ts)
        account_id = get("account_id")
        if account_id.__class__ is not str or not account_id:
            account_id = required_str(obj, "account_id")
        request = get("request")
        if request.__class__ is not dict:
            if request is None:
                raise RecordError("missing field: request")
            raise wrong_type("request", "an object", request)
        messages = request.get("messages")
        conv = _EMPTY if messages is None else conversation(messages, "request.messages")
        tools = request.get("tools")
        n_tools, tools_text = (0, None) if tools is None else tools_summary(tools, "request.tools")
        response = get("response")
        if response.__class__ is not dict:
            response = opt_dict(obj, "response")
        usage = response.get("usage")
        if usage.__class__ is not dict:
            usage = opt_dict(response, "usage", "response.usage")
        prompt_tokens, completion_tokens = usage.get("prompt_tokens"), usage.get("completion_tokens")
        status, latency = get("status"), get("latency_ms")
        if (
            (prompt_tokens is not None and prompt_tokens.__class__ is not int)
            or (completion_tokens is not None and completion_tokens.__class__ is not int)
            or (status is not None and status.__class__ is not int)
            or (latency is not None and latency.__class__ is not int)
        ):
            prompt_tokens = opt_int(usage, "prompt_tokens", "response.usage.prompt_tokens")
            completion_tokens = opt_int(usage, "completion_tokens", "response.usage.completion_tokens")
            status = opt_int(obj, "status")
            latency = _latency(latency)
        return (
            ts,
            account_id,
            get("request_id"),
            get("api_key_id"),
            get("ip"),
            get("user_agent"),
            get("account_created"),
            get("payment_fingerprint"),
            get("endpoint"),
            request.get("model"),
            *conversation_columns(conv, n_tools, tools_text),
            *sampling(request),
            first_finish_reason(response),
            prompt_tokens,
            completion_tokens,
            status,
            latency,
            request_end_user(request),
        )


def _latency(value: object) -> int | None:
    """Latency in whole milliseconds; fractional milliseconds are rounded."""
    if value is None or type(value) is int:
        return value
    if type(value) is float:
        return round(value)
    raise wrong_type("latency_ms", "a number", value)


def request_end_user(request: dict[str, Any]) -> str | None:
    """Pseudonym of the request body's end-user id: ``user``, or ``safety_identifier`` (its successor)."""
    user = request.get("user")
    if user is not None and user != "":
        return end_user_pseudonym(user, "request.user")
    return end_user_pseudonym(request.get("safety_identifier"), "request.safety_identifier")
