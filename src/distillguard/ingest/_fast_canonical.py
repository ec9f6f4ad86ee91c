"""Canonical records straight from bytes to row tuples, with msgspec's typed JSON decoder.

``orjson.loads`` builds a dict, a str and a number object for every field of a record, most of which the
event schema drops (response ids, tool calls, assistant text...). Decoding into the typed structs below
skips what is not needed without building it and checks each type on the way, so ``row`` needs no
checks of its own: it is a plain transcription of ``CanonicalReader.extract``.

The rule that keeps the two paths identical: a struct field accepts only values for which ``extract``
returns the same thing, and anything else fails decoding (a float ``max_tokens``, a ``True`` status, an
empty ``account_id``, an ``int32`` column out of range, a null message...). A failed line is then read
by ``orjson`` + ``extract``, which reads it (e.g. ``512.0`` as 512) or quarantines it with its reason.
msgspec does not check the bytes of fields it skips; the reader validates each block's UTF-8 first.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
import orjson

from distillguard.ingest._base import Row
from distillguard.ingest._openai import (
    PART_SEPARATOR,
    SYSTEM_ROLES,
    TOOL_ROLES,
    tools_summary,
)
from distillguard.ingest._record import end_user_pseudonym
from distillguard.ingest.schema import TEXT_CAP_CHARS

Int32 = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
# The per-line reader keeps JSON integers in float columns as Python ints, which Arrow refuses beyond
# 2**53 (not exactly representable: the row is quarantined); msgspec would have made them floats. So a
# float column beyond 2**53 (an absurd temperature either way) fails decoding and is left to the
# per-line reader (checked by msgspec as it decodes, cheaper than a comparison in Python).
_FLOAT_INT_LIMIT = 2.0**53
Float = Annotated[float, msgspec.Meta(gt=-_FLOAT_INT_LIMIT, lt=_FLOAT_INT_LIMIT)]
# The default of an absent ``tools`` (msgspec hands out this very object, so it is found by identity).
_NO_TOOLS = msgspec.Raw(b"null")


class _Part(msgspec.Struct, gc=False):
    type: str | None = None
    text: str | None = None


class _Message(msgspec.Struct, gc=False):
    role: str
    content: str | list[_Part] | None = None


class _ResponseFormat(msgspec.Struct, gc=False):
    type: str | None = None


class _Request(msgspec.Struct, gc=False):
    model: str | None = None
    messages: list[_Message] | None = None
    tools: msgspec.Raw = _NO_TOOLS  # the raw bytes: see ToolsCache
    temperature: Float | None = None
    top_p: Float | None = None
    max_tokens: Int64 | None = None
    max_completion_tokens: Int64 | None = None
    logprobs: bool | None = None
    top_logprobs: Int32 | None = None
    n: Int32 | None = None
    reasoning_effort: str | None = None
    stream: bool | None = None
    response_format: _ResponseFormat | str | None = None
    user: str | int | None = None
    safety_identifier: str | int | None = None


class _Choice(msgspec.Struct, gc=False):
    finish_reason: str | None = None


class _Usage(msgspec.Struct, gc=False):
    prompt_tokens: Int64 | None = None
    completion_tokens: Int64 | None = None


class _Response(msgspec.Struct, gc=False):
    choices: list[_Choice] | None = None
    usage: _Usage | None = None


class _Record(msgspec.Struct, gc=False):
    ts: str
    account_id: NonEmpty
    request: _Request
    request_id: str | None = None
    api_key_id: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    account_created: str | None = None
    payment_fingerprint: str | None = None
    endpoint: str | None = None
    response: _Response | None = None
    status: Int32 | None = None
    latency_ms: Int64 | None = None


class _NotFastError(ValueError):
    """A record the typed path leaves to the orjson path (a ValueError: one of ``FAST_MISSES``)."""


class ToolsCache:
    """``(n_tools, tools_text)`` per raw ``tools`` value: a provider's traffic carries few distinct tool
    lists, each repeated in thousands of requests, so each is parsed and serialised once. Equal raw bytes
    are equal JSON values, so the cached result is exactly what parsing this record would give.

    Entries are found by the raw value's length and then compared byte for byte (``msgspec.Raw``
    equality, a ``memcmp``): hashing a 1.3 KB tool list costs more than the rest of the lookup together
    (0.5x the CPU per lookup), and distinct lists of the same length are few; at most ``MAX_PER_LENGTH``
    are kept per length, so that crafted traffic cannot make a lookup scan thousands of entries.
    """

    MAX_ENTRIES = 4096
    MAX_PER_LENGTH = 16

    def __init__(self) -> None:
        self._by_length: dict[int, list[tuple[msgspec.Raw, tuple[int, str | None]]]] = {}
        self._entries = 0

    def summary(self, raw: msgspec.Raw) -> tuple[int, str | None]:
        same_length = self._by_length.get(len(raw))
        if same_length is not None:
            for known, found in same_length:
                if known == raw:
                    return found
        found = tools_summary(orjson.loads(memoryview(raw)), "request.tools")
        if same_length is None:
            same_length = self._by_length[len(raw)] = []
        if self._entries < self.MAX_ENTRIES and len(same_length) < self.MAX_PER_LENGTH:
            # A copy: ``raw`` is a view into the read block, which must not be kept alive.
            same_length.append((raw.copy(), found))
            self._entries += 1
        return found


def _parts_text(parts: list[_Part]) -> str:
    texts = []
    for part in parts:
        kind = part.type
        if kind == "text" or kind == "input_text":
            if part.text is None:
                raise _NotFastError
            texts.append(part.text)
    return PART_SEPARATOR.join(texts)


class FastCanonical:
    """``row(line)``: one canonical JSON line to the row ``CanonicalReader.extract`` would make of it."""

    def __init__(self) -> None:
        self._decode = msgspec.json.Decoder(_Record).decode
        self._tools = ToolsCache()

    def row(self, line: memoryview) -> Row:
        # The hot path: one call per request, so small helpers are inlined, the conversation loop too
        # (``_openai.conversation`` over typed messages, whose roles and content types msgspec checked):
        # no intermediate tuples, no calls.
        record = self._decode(line)
        request = record.request
        messages = request.messages
        n_messages = n_user = n_assistant = n_tool = chars = 0
        system_text = user_text = None
        if messages is not None:
            n_messages = len(messages)
            for message in messages:
                content = message.content
                if content.__class__ is str:
                    text: str = content
                elif content is None:
                    text = ""
                else:
                    text = _parts_text(content)  # type: ignore[arg-type]
                chars += len(text)
                role = message.role
                if role == "user":
                    n_user += 1
                    user_text = text
                elif role == "assistant":
                    n_assistant += 1
                elif role in SYSTEM_ROLES:
                    system_text = (
                        text if system_text is None else system_text[:TEXT_CAP_CHARS] + PART_SEPARATOR + text
                    )
                elif role in TOOL_ROLES:
                    n_tool += 1
            if system_text is not None:
                system_text = system_text[:TEXT_CAP_CHARS]
            if user_text is not None:
                user_text = user_text[:TEXT_CAP_CHARS]
        tools = request.tools
        n_tools, tools_text = (0, None) if tools is _NO_TOOLS else self._tools.summary(tools)
        max_tokens = request.max_completion_tokens
        if max_tokens is None:
            max_tokens = request.max_tokens
        response_format = request.response_format
        if response_format is not None and response_format.__class__ is not str:
            response_format = response_format.type  # type: ignore[union-attr]
        response = record.response
        finish_reason = prompt_tokens = completion_tokens = None
        if response is not None:
            choices = response.choices
            if choices:
                finish_reason = choices[0].finish_reason
            usage = response.usage
            if usage is not None:
                prompt_tokens, completion_tokens = usage.prompt_tokens, usage.completion_tokens
        # As ``request_end_user`` of the canonical reader (msgspec has checked the types): ``user``, else
        # ``safety_identifier``; absent or empty is no end user.
        user = request.user
        if user is None or user == "":
            user = request.safety_identifier
        end_user = None if user is None or user == "" else end_user_pseudonym(user)
        return (
            record.ts,
            record.account_id,
            record.request_id,
            record.api_key_id,
            record.ip,
            record.user_agent,
            record.account_created,
            record.payment_fingerprint,
            record.endpoint,
            request.model,
            # The conversation and tool columns, interleaved as in EVENT_SCHEMA (``conversation_columns``).
            n_messages,
            n_user,
            n_assistant,
            n_tool,
            n_tools,
            system_text,
            user_text,
            tools_text,
            chars,
            request.temperature,
            request.top_p,
            max_tokens,
            request.logprobs,
            request.top_logprobs,
            request.n,
            request.reasoning_effort,
            request.stream,
            response_format,
            finish_reason,
            prompt_tokens,
            completion_tokens,
            record.status,
            record.latency_ms,
            end_user,
        )
