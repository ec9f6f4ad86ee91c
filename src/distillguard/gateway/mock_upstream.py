"""A deterministic OpenAI-compatible upstream for demos, tests and benchmarks (``--upstream mock``).

The same request always gets the same answer, so tests can assert on it; token counts are whitespace
word counts, close enough to exercise everything that reads ``usage``.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

MODELS = ("mock-small", "mock-large")
CREATED = 1_700_000_000  # fixed, so that responses are byte-for-byte reproducible
_JSON = "application/json"


def _error(status: int, message: str, code: str, param: str | None = None) -> Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
    return Response(orjson.dumps(body), status_code=status, media_type=_JSON)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return ""


def _answer(body: Mapping[str, Any], index: int) -> str:
    messages = body.get("messages") or []
    last_user = next((_text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    # The answer depends on the conversation only, so a streamed and a plain request get the same text.
    seed = orjson.dumps([body.get("model"), messages, index], option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256(seed).hexdigest()
    topic = " ".join(last_user.split()[:8]) or "your request"
    return f"Mock answer {digest[:8]} about {topic}. First, consider the question. Then, answer it."


def _prompt_tokens(body: Mapping[str, Any]) -> int:
    return sum(len(_text_of(m.get("content")).split()) + 3 for m in body.get("messages") or [])


def _completions(body: Mapping[str, Any]) -> list[tuple[list[str], str]]:
    """Per choice: the answer's words (cut at max_tokens) and the finish reason."""
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    out = []
    for index in range(int(body.get("n") or 1)):
        words = _answer(body, index).split()
        if isinstance(limit, int) and 0 < limit < len(words):
            out.append((words[:limit], "length"))
        else:
            out.append((words, "stop"))
    return out


def _validate(body: Any) -> Response | None:
    if not isinstance(body, dict):
        return _error(400, "The request body must be a JSON object.", "invalid_json")
    if body.get("model") not in MODELS:
        return _error(404, f"The model '{body.get('model')}' does not exist.", "model_not_found", "model")
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        return _error(400, "'messages' must be a non-empty array.", "invalid_messages", "messages")
    return None


async def chat_completions(request: Request) -> Response:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return _error(400, "We could not parse the JSON body of your request.", "invalid_json")
    invalid = _validate(body)
    if invalid is not None:
        return invalid
    request_id = (
        "chatcmpl-" + hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()[:24]
    )
    completions = _completions(body)
    prompt_tokens = _prompt_tokens(body)
    completion_tokens = sum(len(words) for words, _ in completions)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        stream = _stream(request_id, body["model"], completions, usage if include_usage else None)
        return StreamingResponse(stream, media_type="text/event-stream")
    choices = [
        {
            "index": index,
            "message": {"role": "assistant", "content": " ".join(words), "refusal": None},
            "logprobs": None,
            "finish_reason": finish,
        }
        for index, (words, finish) in enumerate(completions)
    ]
    doc = {
        "id": request_id,
        "object": "chat.completion",
        "created": CREATED,
        "model": body["model"],
        "choices": choices,
        "usage": usage,
    }
    return Response(orjson.dumps(doc), media_type=_JSON)


async def _stream(
    request_id: str, model: str, completions: list[tuple[list[str], str]], usage: dict[str, int] | None
) -> AsyncIterator[bytes]:
    def chunk(choices: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> bytes:
        doc = {"id": request_id, "object": "chat.completion.chunk", "created": CREATED, "model": model}
        doc["choices"] = choices
        doc.update(extra or {})
        return b"data: " + orjson.dumps(doc) + b"\n\n"

    for index, (words, finish) in enumerate(completions):
        yield chunk([{"index": index, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        for position, word in enumerate(words):
            text = word if position == 0 else " " + word
            yield chunk([{"index": index, "delta": {"content": text}, "finish_reason": None}])
        yield chunk([{"index": index, "delta": {}, "finish_reason": finish}])
    if usage is not None:
        yield chunk([], {"usage": usage})
    yield b"data: [DONE]\n\n"


async def models(request: Request) -> Response:
    data = [
        {"id": name, "object": "model", "created": CREATED, "owned_by": "distillguard-mock"}
        for name in MODELS
    ]
    return Response(orjson.dumps({"object": "list", "data": data}), media_type=_JSON)


def create_mock_upstream() -> Starlette:
    """The mock upstream as an ASGI app (mounted in-process by the gateway, or served on its own port)."""
    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
        ]
    )
