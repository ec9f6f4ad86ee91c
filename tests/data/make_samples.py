"""Build the ingest sample files: one set of 20 varied API requests written in all four log formats.

Run ``python tests/data/make_samples.py`` to regenerate ``tests/data/samples/``; the tests check that the
committed files are what this script writes and that every format reads back to the same events.

The events cover what real traffic has: multi-turn chat, agent tool loops, logprob harvesting, list
content with images, reasoning models, structured output, streaming, n > 1, failures, IPv6 clients,
RFC 3339 offsets. The LiteLLM payloads follow ``StandardLoggingPayload`` and the OTLP/JSON export follows
the OpenTelemetry GenAI semantic conventions (parts-based ``gen_ai.input.messages``).
"""

from __future__ import annotations

import gzip
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).parent
SAMPLES = HERE / "samples"

SYSTEM_TUTOR = "You are Ada, a friendly maths tutor for secondary-school students. Keep answers short."
SYSTEM_SUPPORT = "You are the support assistant of Larkspur Bank. Never ask for full card numbers."
SYSTEM_AGENT = "You are a coding agent working in a sandboxed repository. Use the tools; be concise."
SYSTEM_GRADER = (
    "You are a strict grader. Score the RESPONSE against the RUBRIC from 1 to 10 and justify each point."
)

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
            "required": ["city"],
        },
    },
}
REPO_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "read_file",
            "description": "Read a file from the repository.",
            "parameters": {
                "type": "object",
                "properties": {"path": {"type": "string"}},
                "required": ["path"],
            },
            "strict": True,
        },
    },
    {
        "type": "function",
        "function": {
            "name": "run_tests",
            "description": "Run the test suite and return the failures.",
            "parameters": {"type": "object", "properties": {"selector": {"type": "string"}}},
        },
    },
]


def _event(i: int, ts: str, account: str, request: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """One canonical log line with the fields a gateway records, plus per-event overrides."""
    status = extra.pop("status", 200)
    finish = extra.pop("finish", "stop")
    usage = extra.pop("usage", (40 + 7 * i, 12 + 5 * i))
    event: dict[str, Any] = {
        "ts": ts,
        "request_id": f"req_{i:04d}_{account[-4:]}",
        "account_id": account,
        "api_key_id": f"key_{account[-4:]}_{i % 2}",
        "ip": extra.pop("ip", f"203.0.113.{10 + i}"),
        "user_agent": extra.pop("user_agent", "OpenAI/Python 1.51.0"),
        "account_created": extra.pop("account_created", "2025-11-03T08:15:00Z"),
        "payment_fingerprint": f"pm_{account[-4:]}",
        "endpoint": "/v1/chat/completions",
        "request": request,
        "response": {"usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1]}},
        "status": status,
        "latency_ms": extra.pop("latency_ms", 300 + 37 * i),
    }
    if status == 200:
        event["response"]["choices"] = [{"index": 0, "finish_reason": finish}]
    event.update(extra)
    return event


def canonical_events() -> list[dict[str, Any]]:
    """The 20 sample requests as canonical log records."""
    user = "acct_9f2c"
    events = [
        _event(
            1,
            "2026-03-02T09:00:01.250Z",
            user,
            {
                "model": "gpt-4o",
                "messages": [
                    {"role": "system", "content": SYSTEM_TUTOR},
                    {"role": "user", "content": "What is the derivative of x^3 sin x?"},
                ],
                "temperature": 0.7,
                "max_tokens": 512,
                # The tutoring app passes its own end users' ids (kept only as pseudonyms).
                "user": "student-4411@example.edu",
            },
        ),
        _event(
            2,
            "2026-03-02T09:01:15.500Z",
            user,
            {
                "model": "gpt-4o",
                "messages": [
                    {"role": "system", "content": SYSTEM_TUTOR},
                    {"role": "user", "content": "What is the derivative of x^3 sin x?"},
                    {"role": "assistant", "content": "Use the product rule: 3x^2 sin x + x^3 cos x."},
                    {"role": "user", "content": "And the second derivative?"},
                ],
                "temperature": 0.7,
                "max_tokens": 512,
                "user": "student-4411@example.edu",
            },
        ),
        _event(
            3,
            "2026-03-02T10:12:00.000+01:00",
            "acct_77ab",
            {
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": SYSTEM_SUPPORT},
                    {"role": "user", "content": "Is it going to rain in Lisbon? I need to go to the branch."},
                ],
                "tools": [WEATHER_TOOL],
                "tool_choice": "auto",
                "temperature": 0.2,
            },
            finish="tool_calls",
        ),
        _event(
            4,
            "2026-03-02T09:12:02.800Z",
            "acct_77ab",
            {
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": SYSTEM_SUPPORT},
                    {"role": "user", "content": "Is it going to rain in Lisbon? I need to go to the branch."},
                    {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "call_7Hq2",
                                "type": "function",
                                "function": {"name": "get_weather", "arguments": '{"city": "Lisbon"}'},
                            }
                        ],
                    },
                    {"role": "tool", "tool_call_id": "call_7Hq2", "content": '{"sky": "rain", "temp_c": 14}'},
                ],
                "tools": [WEATHER_TOOL],
                "temperature": 0.2,
            },
        ),
        _event(
            5,
            "2026-03-02T11:30:00.001Z",
            "acct_c0de",
            {
                "model": "gpt-4.1",
                "messages": [
                    {"role": "system", "content": SYSTEM_AGENT},
                    {"role": "user", "content": "The CI fails on test_parse_dates. Find out why and fix it."},
                    {
                        "role": "assistant",
                        "content": "Let me look at the test first.",
                        "tool_calls": [
                            {
                                "id": "call_a1",
                                "type": "function",
                                "function": {
                                    "name": "read_file",
                                    "arguments": '{"path": "tests/test_dates.py"}',
                                },
                            }
                        ],
                    },
                    {
                        "role": "tool",
                        "tool_call_id": "call_a1",
                        "content": "def test_parse_dates():\n    ...",
                    },
                    {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "call_a2",
                                "type": "function",
                                "function": {"name": "run_tests", "arguments": '{"selector": "test_dates"}'},
                            }
                        ],
                    },
                    {"role": "tool", "tool_call_id": "call_a2", "content": "1 failed: tz offset ignored"},
                ],
                "tools": REPO_TOOLS,
                "parallel_tool_calls": False,
                "temperature": 0,
                "max_completion_tokens": 2048,
            },
            finish="tool_calls",
        ),
        _event(
            6,
            "2026-03-02T12:00:00.100Z",
            "acct_5e1f",
            {
                "model": "gpt-4o",
                "messages": [
                    {
                        "role": "user",
                        "content": "Question: Which planet has the shortest day?\n"
                        "A) Mercury B) Jupiter C) Earth D) Mars\nAnswer:",
                    }
                ],
                "logprobs": True,
                "top_logprobs": 20,
                "max_tokens": 1,
                "temperature": 0,
            },
            finish="length",
            usage=(31, 1),
        ),
        _event(
            7,
            "2026-03-02T12:00:00.350Z",
            "acct_5e1f",
            {
                "model": "gpt-4o",
                "messages": [
                    {
                        "role": "user",
                        "content": "Question: What is the boiling point of water at sea level in Kelvin?\n"
                        "A) 273 B) 100 C) 373 D) 212\nAnswer:",
                    }
                ],
                "logprobs": True,
                "top_logprobs": 20,
                "max_tokens": 1,
                "temperature": 0,
            },
            finish="length",
            usage=(36, 1),
        ),
        _event(
            8,
            "2026-03-02T13:45:10.000Z",
            "acct_1mg9",
            {
                "model": "gpt-4o",
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": "What does this chart show?"},
                            {"type": "image_url", "image_url": {"url": "https://example.com/q3-revenue.png"}},
                            {"type": "text", "text": "Answer in two sentences."},
                        ],
                    }
                ],
                "max_tokens": 300,
            },
        ),
        _event(
            9,
            "2026-03-02T14:00:00.000Z",
            "acct_r34s",
            {
                "model": "o3-mini",
                "messages": [
                    {"role": "developer", "content": "Show all of your reasoning before the final answer."},
                    {
                        "role": "user",
                        "content": "Prove that there are infinitely many primes congruent to 3 mod 4. "
                        "Think step by step and write out every intermediate step.",
                    },
                ],
                "reasoning_effort": "high",
                "max_completion_tokens": 8000,
            },
            latency_ms=41250,
            usage=(58, 6120),
        ),
        _event(
            10,
            "2026-03-02T14:00:30.000Z",
            "acct_r34s",
            {
                "model": "o3-mini",
                "messages": [
                    {"role": "developer", "content": "Show all of your reasoning before the final answer."},
                    {
                        "role": "user",
                        "content": "Prove that the square root of 12 is irrational. Think step by step and "
                        "write out every intermediate step.",
                    },
                ],
                "reasoning_effort": "high",
                "max_completion_tokens": 8000,
            },
            latency_ms=29870,
            usage=(55, 4410),
        ),
        _event(
            11,
            "2026-03-02T15:20:00.000Z",
            "acct_e77a",
            {
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": "Extract the invoice fields as JSON."},
                    {
                        "role": "user",
                        "content": "Invoice 4471 from Brightwater Ltd, due 2026-04-01, EUR 1,250.00",
                    },
                ],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {
                        "name": "invoice",
                        "schema": {"type": "object", "properties": {"number": {"type": "string"}}},
                    },
                },
                "temperature": 0,
            },
        ),
        _event(
            12,
            "2026-03-02T15:20:01.000Z",
            "acct_e77a",
            {
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": "Extract the invoice fields as JSON."},
                    {
                        "role": "user",
                        "content": "Invoice 4472 from Harbour & Sons, due 2026-04-03, GBP 310.40",
                    },
                ],
                "response_format": {"type": "json_object"},
                "temperature": 0,
            },
        ),
        _event(
            13,
            "2026-03-02T16:05:00.000Z",
            user,
            {
                "model": "gpt-4o",
                "messages": [{"role": "user", "content": "Write a haiku about the sea in winter."}],
                "stream": True,
                "stream_options": {"include_usage": True},
                "top_p": 0.9,
                "temperature": 1.1,
            },
            user_agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15",
        ),
        _event(
            14,
            "2026-03-02T16:10:00.000Z",
            "acct_d4t4",
            {
                "model": "gpt-4o",
                "messages": [
                    {"role": "system", "content": "You generate diverse training questions."},
                    {
                        "role": "user",
                        "content": "Write one hard organic chemistry exam question with its answer.",
                    },
                ],
                "n": 4,
                "temperature": 1.0,
                "max_tokens": 700,
            },
            ip="2001:db8:85a3::8a2e:370:7334",
        ),
        _event(
            15,
            "2026-03-02T16:11:00.000Z",
            "acct_d4t4",
            {
                "model": "gpt-4o",
                "messages": [
                    {"role": "system", "content": "You generate diverse training questions."},
                    {
                        "role": "user",
                        "content": "Write one hard number theory exam question with its answer.",
                    },
                ],
                "n": 4,
                "temperature": 1.0,
                "max_tokens": 700,
            },
            status=429,
            usage=(0, 0),
            latency_ms=12,
            ip="2001:db8:85a3::8a2e:370:7334",
        ),
        _event(
            16,
            "2026-03-02T17:00:00.000Z",
            "acct_6r4d",
            {
                "model": "gpt-4o",
                "messages": [
                    {"role": "system", "content": SYSTEM_GRADER},
                    {
                        "role": "user",
                        "content": "RUBRIC: correctness, clarity, completeness\nRESPONSE: The mitochondria "
                        "is the powerhouse of the cell because it makes ATP by respiration.",
                    },
                ],
                "temperature": 0,
                "max_tokens": 400,
            },
        ),
        _event(
            17,
            "2026-03-02T17:00:02.000-05:00",
            "acct_6r4d",
            {
                "model": "gpt-4o",
                "messages": [
                    {"role": "system", "content": SYSTEM_GRADER},
                    {
                        "role": "user",
                        "content": "RUBRIC: correctness, clarity, completeness\n"
                        "RESPONSE: Photosynthesis turns light into chemical energy stored as glucose.",
                    },
                ],
                "temperature": 0,
                "max_tokens": 400,
            },
            status=500,
            usage=(0, 0),
            latency_ms=30004,
        ),
        _event(
            18,
            "2026-03-02T18:30:00.000Z",
            "acct_77ab",
            {
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": SYSTEM_SUPPORT},
                    {"role": "system", "content": "Customer tier: premium. Locale: pt-PT."},
                    {"role": "user", "content": "Como altero o limite do meu cartão?"},
                ],
                "temperature": 0.3,
                "max_tokens": 256,
            },
            account_created="2024-06-30T22:00:00+02:00",
        ),
        _event(
            19,
            "2026-03-02T19:00:00.000Z",
            "acct_c0de",
            {
                "model": "gpt-4.1",
                "messages": [
                    {"role": "system", "content": SYSTEM_AGENT},
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": "Summarise this diff:\n" + "+ added line\n" * 60}
                        ],
                    },
                ],
                "tools": REPO_TOOLS,
                "temperature": 0,
                "max_completion_tokens": 1024,
            },
        ),
        _event(
            20,
            "2026-03-02T23:59:59.999Z",
            "acct_9f2c",
            {
                "model": "gpt-4o",
                "messages": [
                    {"role": "system", "content": SYSTEM_TUTOR},
                    {"role": "user", "content": "Explain eigenvalues like I am fifteen. 🙂"},
                ],
                "temperature": 0.7,
                "max_tokens": 512,
            },
            ip="198.51.100.7",
        ),
    ]
    return events


def _epoch(ts: str) -> float:
    return datetime.fromisoformat(ts).timestamp()


def _epoch_ms(ts: str) -> int:
    return round(_epoch(ts) * 1000)


# ----------------------------------------------------------------------------------------------- LiteLLM


def _response_message(event: dict[str, Any]) -> dict[str, Any]:
    finish = event["response"]["choices"][0]["finish_reason"]
    if finish == "tool_calls":
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_r1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
            ],
        }
    return {"role": "assistant", "content": "(response text omitted from the sample)"}


def to_litellm(event: dict[str, Any]) -> dict[str, Any]:
    """The ``StandardLoggingPayload`` the LiteLLM proxy logs for this request."""
    request = event["request"]
    start_ms = _epoch_ms(event["ts"])
    latency = event["latency_ms"]
    usage = event["response"]["usage"]
    ok = event["status"] == 200
    params = {k: v for k, v in request.items() if k not in ("model", "messages")}
    payload: dict[str, Any] = {
        "id": event["request_id"],
        "trace_id": f"trace-{event['request_id']}",
        "call_type": "acompletion",
        "stream": bool(request.get("stream")),
        "response_cost": round(0.0000025 * usage["prompt_tokens"] + 0.00001 * usage["completion_tokens"], 8),
        "response_cost_failure_debug_info": None,
        "status": "success" if ok else "failure",
        "custom_llm_provider": "openai",
        "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"],
        "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"],
        "startTime": start_ms / 1000,
        "endTime": (start_ms + latency) / 1000,
        "completionStartTime": (start_ms + latency) / 1000,
        "response_time": latency / 1000,
        "model_map_information": {"model_map_key": request["model"], "model_map_value": None},
        "model": request["model"],
        "model_id": f"deployment-{request['model']}",
        "model_group": request["model"],
        "api_base": "https://api.openai.com/v1",
        "metadata": {
            "user_api_key_hash": event["api_key_id"],
            "user_api_key_alias": None,
            "user_api_key_org_id": event["account_id"],
            "user_api_key_team_id": "team_default",
            "user_api_key_user_id": None,
            "user_api_key_team_alias": None,
            "user_api_key_request_route": event["endpoint"],
            "spend_logs_metadata": None,
            "requester_ip_address": event["ip"],
            "user_agent": event["user_agent"],
            "requester_metadata": {},
            "applied_guardrails": [],
        },
        "cache_hit": None,
        "cache_key": None,
        "saved_cache_cost": 0.0,
        "request_tags": [],
        "end_user": request.get("user"),
        "requester_ip_address": event["ip"],
        "messages": request["messages"],
        "response": {},
        "error_str": None,
        "error_information": None,
        "model_parameters": params,
        "hidden_params": {
            "model_id": f"deployment-{request['model']}",
            "cache_key": None,
            "api_base": "https://api.openai.com/v1",
            "response_cost": None,
            "additional_headers": {"x_ratelimit_remaining_requests": 9999},
            "litellm_overhead_time_ms": 2.1,
        },
    }
    if ok:
        payload["response"] = {
            "id": f"chatcmpl-{event['request_id']}",
            "object": "chat.completion",
            "created": start_ms // 1000,
            "model": request["model"],
            "choices": [
                {
                    "index": 0,
                    "finish_reason": event["response"]["choices"][0]["finish_reason"],
                    "message": _response_message(event),
                }
            ],
            "usage": {**usage, "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]},
        }
    else:
        kind = {429: "RateLimitError", 500: "InternalServerError"}[event["status"]]
        payload["error_str"] = f"litellm.{kind}: OpenAIException - error code {event['status']}"
        payload["error_information"] = {
            "error_code": str(event["status"]),
            "error_class": kind,
            "llm_provider": "openai",
        }
    return payload


# ------------------------------------------------------------------------------------------ OpenTelemetry


def _trace_id(index: int) -> str:
    return f"{(index + 1) * 0x9E3779B97F4A7C15F39CC0605CEDC834 % 2**128:032x}"


def _value(value: Any) -> dict[str, Any]:
    """A Python value as an OTLP/JSON ``AnyValue`` (64-bit ints as strings, as protobuf JSON does)."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, list):
        return {"arrayValue": {"values": [_value(v) for v in value]}}
    return {"stringValue": str(value)}


def _otel_parts(message: dict[str, Any]) -> list[dict[str, Any]]:
    """An OpenAI message's content as GenAI semantic-convention parts."""
    content = message.get("content")
    parts: list[dict[str, Any]] = []
    if message["role"] == "tool":
        return [{"type": "tool_call_response", "id": message.get("tool_call_id"), "response": content}]
    if isinstance(content, str):
        parts.append({"type": "text", "content": content})
    elif isinstance(content, list):
        for part in content:
            if part["type"] == "text":
                parts.append({"type": "text", "content": part["text"]})
            elif part["type"] == "image_url":
                parts.append({"type": "uri", "modality": "image", "uri": part["image_url"]["url"]})
    for call in message.get("tool_calls") or []:
        function = call["function"]
        parts.append(
            {
                "type": "tool_call",
                "id": call["id"],
                "name": function["name"],
                "arguments": orjson.loads(function["arguments"]),
            }
        )
    return parts


def to_otel_span(event: dict[str, Any], index: int, user_key: str) -> dict[str, Any]:
    """The GenAI client span an instrumented gateway exports for this request."""
    request = event["request"]
    messages = request["messages"]
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": request["model"],
        user_key: event["account_id"],
        "client.address": event["ip"],
        "user_agent.original": event["user_agent"],
        "url.path": event["endpoint"],
        "http.request.header.x-request-id": [event["request_id"]],
        "http.response.status_code": event["status"],
        "server.address": "api.openai.com",
        "server.port": 443,
    }
    if request.get("user"):
        attrs["enduser.pseudo.id"] = request["user"]
    # Half the spans record the leading system prompt as gen_ai.system_instructions, as the conventions
    # allow; the rest keep it as a system message in the history.
    if index % 2 == 0 and messages[0]["role"] == "system" and messages[1]["role"] != "system":
        attrs["gen_ai.system_instructions"] = orjson.dumps(
            [{"type": "text", "content": messages[0]["content"]}]
        )
        messages = messages[1:]
    attrs["gen_ai.input.messages"] = orjson.dumps(
        [{"role": m["role"], "parts": _otel_parts(m)} for m in messages]
    ).decode()
    for key, name in (
        ("temperature", "gen_ai.request.temperature"),
        ("top_p", "gen_ai.request.top_p"),
        ("n", "gen_ai.request.choice.count"),
        ("stream", "gen_ai.request.stream"),
        ("logprobs", "openai.request.logprobs"),
        ("top_logprobs", "openai.request.top_logprobs"),
        ("reasoning_effort", "openai.request.reasoning_effort"),
    ):
        if key in request:
            attrs[name] = float(request[key]) if name.endswith(("temperature", "top_p")) else request[key]
    max_tokens = request.get("max_completion_tokens", request.get("max_tokens"))
    if max_tokens is not None:
        attrs["gen_ai.request.max_tokens"] = max_tokens
    if "response_format" in request:
        kind = request["response_format"]["type"]
        attrs["gen_ai.output.type"] = "text" if kind == "text" else "json"
        attrs["gen_ai.openai.request.response_format"] = kind
    if "tools" in request:
        attrs["gen_ai.tool.definitions"] = orjson.dumps(
            [{"type": t["type"], **t["function"]} for t in request["tools"]]
        ).decode()
    usage = event["response"]["usage"]
    attrs["gen_ai.usage.input_tokens"] = usage["prompt_tokens"]
    attrs["gen_ai.usage.output_tokens"] = usage["completion_tokens"]
    if event["status"] == 200:
        attrs["gen_ai.response.id"] = f"chatcmpl-{event['request_id']}"
        attrs["gen_ai.response.model"] = f"{request['model']}-2025-01-01"
        attrs["gen_ai.response.finish_reasons"] = [c["finish_reason"] for c in event["response"]["choices"]]
        status = {"code": 1}
    else:
        attrs["error.type"] = str(event["status"])
        status = {"code": 2, "message": f"Error code: {event['status']}"}
    start_ns = _epoch_ms(event["ts"]) * 1_000_000
    return {
        "traceId": _trace_id(index),
        "spanId": _trace_id(index)[:16],
        "name": f"chat {request['model']}",
        "kind": 3,
        "startTimeUnixNano": str(start_ns),
        "endTimeUnixNano": str(start_ns + event["latency_ms"] * 1_000_000),
        "attributes": [
            {"key": k, "value": _value(v.decode() if isinstance(v, bytes) else v)} for k, v in attrs.items()
        ],
        "status": status,
    }


def _noise_spans(index: int) -> list[dict[str, Any]]:
    """Spans an export also holds that are not model calls: an HTTP server span and a tool execution."""
    return [
        {
            "traceId": _trace_id(index),
            "spanId": f"{index + 1000:016x}",
            "name": "POST /v1/chat/completions",
            "kind": 2,
            "startTimeUnixNano": "1772442000000000000",
            "endTimeUnixNano": "1772442000300000000",
            "attributes": [{"key": "http.request.method", "value": {"stringValue": "POST"}}],
        },
        {
            "traceId": _trace_id(index),
            "spanId": f"{index + 2000:016x}",
            "name": "execute_tool get_weather",
            "kind": 1,
            "startTimeUnixNano": "1772442000000000000",
            "endTimeUnixNano": "1772442000100000000",
            "attributes": [
                {"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}},
                {"key": "gen_ai.tool.name", "value": {"stringValue": "get_weather"}},
            ],
        },
    ]


def to_otel_exports(events: list[dict[str, Any]], per_request: int = 8) -> list[dict[str, Any]]:
    """``ExportTraceServiceRequest`` documents, as the Collector's file exporter writes them."""
    exports = []
    for start in range(0, len(events), per_request):
        chunk = events[start : start + per_request]
        spans = [
            to_otel_span(e, start + i, "enduser.id" if (start + i) % 3 else "user.id")
            for i, e in enumerate(chunk)
        ]
        exports.append(
            {
                "resourceSpans": [
                    {
                        "resource": {
                            "attributes": [
                                {"key": "service.name", "value": {"stringValue": "llm-gateway"}},
                                {"key": "deployment.environment.name", "value": {"stringValue": "prod"}},
                            ]
                        },
                        "scopeSpans": [
                            {
                                "scope": {
                                    "name": "opentelemetry.instrumentation.openai_v2",
                                    "version": "2.1b0",
                                },
                                "spans": spans[: len(spans) // 2],
                            },
                            {
                                "scope": {
                                    "name": "opentelemetry.instrumentation.openai_v2",
                                    "version": "2.1b0",
                                },
                                "spans": spans[len(spans) // 2 :] + _noise_spans(start),
                            },
                        ],
                    }
                ]
            }
        )
    return exports


# ----------------------------------------------------------------------------------------------- writing


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def sample_files() -> dict[str, bytes]:
    """File name to content for every JSON sample (Parquet is written from the canonical events)."""
    events = canonical_events()
    return {
        "canonical.jsonl": _jsonl(events),
        "litellm.jsonl": _jsonl([to_litellm(e) for e in events]),
        "otel.jsonl": _jsonl(to_otel_exports(events)),
    }


def write_samples(directory: Path = SAMPLES) -> None:
    from distillguard.ingest import Quarantine, read_events, write_parquet

    directory.mkdir(parents=True, exist_ok=True)
    for name, content in sample_files().items():
        (directory / name).write_bytes(content)
    (directory / "canonical.jsonl.gz").write_bytes(gzip.compress(sample_files()["canonical.jsonl"], mtime=0))
    with Quarantine(None) as quarantine:
        write_parquet(
            read_events([directory / "canonical.jsonl"], quarantine=quarantine), directory / "events.parquet"
        )
        if quarantine.count:
            sys.exit(f"the canonical sample has {quarantine.count} unreadable records")


if __name__ == "__main__":
    write_samples()
