"""GenAI semantic-convention content: parts-based messages summarised like an OpenAI conversation.

``gen_ai.input.messages`` is a list of ``{"role", "parts": [...]}`` where text parts carry ``content``
and tool results are ``tool_call_response`` parts; ``gen_ai.system_instructions`` is a list of parts.
Both may be recorded as JSON strings or as structured attribute values.
"""

from __future__ import annotations

from typing import Any

import orjson

from distillguard.ingest._openai import PART_SEPARATOR, Conversation, cap
from distillguard.ingest._record import RecordError, wrong_type


def structured(value: object, key: str) -> object:
    """Content attributes may be recorded as JSON strings or as structured values."""
    if type(value) is not str:
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise RecordError(f"broken JSON: in {key}: {exc}") from None


def _part_text(part: dict[str, Any]) -> str | None:
    kind = part.get("type")
    if kind == "text":
        content = part.get("content")
        if type(content) is not str:
            raise wrong_type("gen_ai.input.messages[].parts[].content", "a string", content)
        return content
    if kind == "tool_call_response":
        response = part.get("response", part.get("result"))
        if response is None or type(response) is str:
            return response
        return orjson.dumps(response).decode()
    return None


def _parts_text(parts: object, field: str) -> str:
    if type(parts) is not list:
        raise wrong_type(field, "a list of parts", parts)
    texts = []
    for part in parts:
        if type(part) is not dict:
            raise wrong_type(f"{field}[]", "an object", part)
        text = _part_text(part)
        if text is not None:
            texts.append(text)
    return PART_SEPARATOR.join(texts)


def conversation(messages: object, instructions: object) -> Conversation:
    """The same summary as for an OpenAI body, from parts-based GenAI messages."""
    messages = [] if messages is None else structured(messages, "gen_ai.input.messages")
    if type(messages) is not list:
        raise wrong_type("gen_ai.input.messages", "a list", messages)
    system = []
    if instructions is not None:
        system.append(
            _parts_text(structured(instructions, "gen_ai.system_instructions"), "gen_ai.system_instructions")
        )
    n_user = n_assistant = n_tool = chars = 0
    user_text: str | None = None
    for message in messages:
        if type(message) is not dict:
            raise wrong_type("gen_ai.input.messages[]", "an object", message)
        text = _parts_text(message.get("parts") or [], "gen_ai.input.messages[].parts")
        chars += len(text)
        role = message.get("role")
        if role == "user":
            n_user += 1
            user_text = text
        elif role == "assistant":
            n_assistant += 1
        elif role == "system" or role == "developer":
            system.append(text)
        elif role == "tool":
            n_tool += 1
    if instructions is not None:
        chars += len(system[0])
    system_text = PART_SEPARATOR.join(system) if system else None
    return (
        len(messages) + (instructions is not None),
        n_user,
        n_assistant,
        n_tool,
        cap(system_text),
        cap(user_text),
        chars,
    )
