"""The canonical request log of DESIGN.md: one JSON object per line, ``request`` an OpenAI Chat body."""

from __future__ import annotations

from typing import Any

from distillguard.ingest._base import JsonLinesReader, Row
from distillguard.ingest._openai import conversation, first_finish_reason, sampling, tools_summary
from distillguard.ingest._record import RecordError, opt_dict, opt_int, opt_str, required_str, wrong_type

_EMPTY: tuple[int, int, int, int, None, None, int] = (0, 0, 0, 0, None, None, 0)


class CanonicalReader(JsonLinesReader):
    name = "canonical"

    @classmethod
    def sniff(cls, obj: dict[str, Any]) -> bool:
        return "account_id" in obj and ("request" in obj or "ts" in obj)

    def extract(self, obj: dict[str, Any]) -> Row:
        ts = obj.get("ts")
        if type(ts) is not str:
            if ts is None:
                raise RecordError("missing field: ts")
            raise wrong_type("ts", "an RFC 3339 string", ts)
        account_id = required_str(obj, "account_id")
        request = obj.get("request")
        if type(request) is not dict:
            if request is None:
                raise RecordError("missing field: request")
            raise wrong_type("request", "an object", request)
        messages = request.get("messages")
        conv = _EMPTY if messages is None else conversation(messages, "request.messages")
        n_tools, tools_text = tools_summary(request.get("tools"), "request.tools")
        response = opt_dict(obj, "response")
        usage = opt_dict(response, "usage", "response.usage")
        latency = obj.get("latency_ms")
        if latency is not None and type(latency) is not int:
            if type(latency) is not float:
                raise wrong_type("latency_ms", "a number", latency)
            latency = round(latency)
        return (
            ts,
            account_id,
            opt_str(obj, "request_id"),
            opt_str(obj, "api_key_id"),
            opt_str(obj, "ip"),
            opt_str(obj, "user_agent"),
            opt_str(obj, "account_created"),
            opt_str(obj, "payment_fingerprint"),
            opt_str(obj, "endpoint"),
            opt_str(request, "model", "request.model"),
            conv[0],
            conv[1],
            conv[2],
            conv[3],
            n_tools,
            conv[4],
            conv[5],
            tools_text,
            conv[6],
            *sampling(request),
            first_finish_reason(response),
            opt_int(usage, "prompt_tokens", "response.usage.prompt_tokens"),
            opt_int(usage, "completion_tokens", "response.usage.completion_tokens"),
            opt_int(obj, "status"),
            latency,
        )
