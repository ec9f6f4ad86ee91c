"""What the event schema keeps of an OpenAI Chat Completions request: conversation shape, capped text,
tool definitions and sampling parameters.

Shared by the canonical reader (whose ``request`` is such a body) and the LiteLLM reader (whose
``messages`` and ``model_parameters`` are its halves); the OpenTelemetry reader reuses the tool and text
helpers so that the same request gives the same columns whatever format it was logged in.
"""

from __future__ import annotations

from typing import Any

import orjson

from distillguard.ingest._record import (
    RecordError,
    opt_bool,
    opt_float,
    opt_int,
    opt_str,
    wrong_type,
)
from distillguard.ingest.schema import TEXT_CAP_CHARS

# (n_messages, n_user, n_assistant, n_tool, system_text, user_text, prompt_chars)
Conversation = tuple[int, int, int, int, str | None, str | None, int]
# (temperature, top_p, max_tokens, logprobs, top_logprobs, n, reasoning_effort, stream, response_format)
Sampling = tuple[
    float | None,
    float | None,
    int | None,
    bool | None,
    int | None,
    int | None,
    str | None,
    bool | None,
    str | None,
]

SYSTEM_ROLES = frozenset({"system", "developer"})
TOOL_ROLES = frozenset({"tool", "function"})
PART_SEPARATOR = "\n"


def cap(text: str | None) -> str | None:
    """Text capped at ``TEXT_CAP_CHARS`` (slicing a shorter str returns it without copying)."""
    return None if text is None else text[:TEXT_CAP_CHARS]


def _parts_text(parts: list[Any], field: str) -> str:
    """The text of an OpenAI content-part list: ``text`` parts (``input_text`` in the Responses API);
    images, audio and files carry no text."""
    texts = []
    for part in parts:
        if type(part) is not dict:
            raise wrong_type(f"{field}[]", "an object", part)
        kind = part.get("type")
        if kind == "text" or kind == "input_text":
            text = part.get("text")
            if type(text) is not str:
                raise wrong_type(f"{field}[].text", "a string", text)
            texts.append(text)
    return PART_SEPARATOR.join(texts)


def conversation(messages: object, field: str = "messages") -> Conversation:
    """Counts per role, the (joined) system prompt, the last user message and the total text length."""
    if messages.__class__ is not list:
        raise wrong_type(field, "a list", messages)
    n_user = n_assistant = n_tool = chars = 0
    system_text: str | None = None
    user_text: str | None = None
    for message in messages:
        if message.__class__ is not dict:
            raise wrong_type(f"{field}[]", "an object", message)
        content = message.get("content")
        if content.__class__ is str:
            text = content
        elif content is None:
            text = ""
        elif content.__class__ is list:
            text = _parts_text(content, f"{field}[].content")
        else:
            raise wrong_type(f"{field}[].content", "a string or a list of parts", content)
        chars += len(text)
        role = message.get("role")
        if role == "user":
            n_user += 1
            user_text = text
        elif role == "assistant":
            n_assistant += 1
        elif role.__class__ is not str:
            raise wrong_type(f"{field}[].role", "a string", role)
        elif role in SYSTEM_ROLES:
            # Usually one system prompt; several are joined (capped below, so this stays small).
            system_text = (
                text if system_text is None else system_text[:TEXT_CAP_CHARS] + PART_SEPARATOR + text
            )
        elif role in TOOL_ROLES:
            n_tool += 1
    return len(messages), n_user, n_assistant, n_tool, cap(system_text), cap(user_text), chars


def _flat_tool(tool: object, field: str) -> object:
    """An OpenAI ``{"type": "function", "function": {...}}`` tool in the flat form OpenTelemetry uses."""
    if type(tool) is not dict:
        raise wrong_type(f"{field}[]", "an object", tool)
    inner = tool.get("function")
    if type(inner) is dict:
        return {"type": tool.get("type", "function"), **inner}
    return tool


def tools_summary(tools: object, field: str = "tools") -> tuple[int, str | None]:
    """``(n_tools, tools_text)``: tool definitions as canonical (sorted, compact) JSON, capped."""
    if tools is None:
        return 0, None
    if type(tools) is not list:
        raise wrong_type(field, "a list", tools)
    if not tools:
        return 0, None
    flat = [_flat_tool(tool, field) for tool in tools]
    text = orjson.dumps(flat, option=orjson.OPT_SORT_KEYS).decode()
    return len(tools), cap(text)


def _response_format(params: dict[str, Any]) -> str | None:
    value = params.get("response_format")
    if value is None or type(value) is str:
        return value
    if type(value) is dict:
        kind = value.get("type")
        if kind is None or type(kind) is str:
            return kind
    raise wrong_type("response_format", "an object with a string type", value)


def _checked_sampling(params: dict[str, Any]) -> Sampling:
    """The strict path: every parameter type-checked, with a precise reason for the first bad one."""
    max_tokens = opt_int(params, "max_completion_tokens")
    if max_tokens is None:
        max_tokens = opt_int(params, "max_tokens")
    return (
        opt_float(params, "temperature"),
        opt_float(params, "top_p"),
        max_tokens,
        opt_bool(params, "logprobs"),
        opt_int(params, "top_logprobs"),
        opt_int(params, "n"),
        opt_str(params, "reasoning_effort"),
        opt_bool(params, "stream"),
        _response_format(params),
    )


def sampling(params: dict[str, Any]) -> Sampling:
    """The sampling parameters; ``max_completion_tokens`` wins over the older ``max_tokens``.

    The fast path only checks the numbers (Arrow would silently turn ``True`` into 1.0 and truncate
    512.5 to 512); strings and booleans are type-checked by the Arrow conversion of the batch.
    """
    get = params.get
    temperature, top_p, top_logprobs, n = get("temperature"), get("top_p"), get("top_logprobs"), get("n")
    max_tokens = get("max_completion_tokens")
    if max_tokens is None:
        max_tokens = get("max_tokens")
    response_format = get("response_format")
    if (
        (temperature is not None and temperature.__class__ is not float and temperature.__class__ is not int)
        or (top_p is not None and top_p.__class__ is not float and top_p.__class__ is not int)
        or (max_tokens is not None and max_tokens.__class__ is not int)
        or (top_logprobs is not None and top_logprobs.__class__ is not int)
        or (n is not None and n.__class__ is not int)
        or (response_format is not None and response_format.__class__ is not str)
    ):
        return _checked_sampling(params)
    return (
        temperature,
        top_p,
        max_tokens,
        get("logprobs"),
        top_logprobs,
        n,
        get("reasoning_effort"),
        get("stream"),
        response_format,
    )


def first_finish_reason(response: dict[str, Any]) -> str | None:
    choices = response.get("choices")
    if not choices:
        return None
    if type(choices) is not list or type(choices[0]) is not dict:
        raise RecordError("wrong type: response.choices must be a list of objects")
    return opt_str(choices[0], "finish_reason", "response.choices[].finish_reason")


def conversation_columns(
    conv: Conversation, n_tools: int, tools_text: str | None
) -> tuple[int, int, int, int, int, str | None, str | None, str | None, int]:
    """A row's conversation and tool values in EVENT_SCHEMA column order (the two are interleaved there)."""
    return (conv[0], conv[1], conv[2], conv[3], n_tools, conv[4], conv[5], tools_text, conv[6])
