"""LiteLLM proxy logs: one ``StandardLoggingPayload`` JSON object per line.

Field mapping (LiteLLM's own names on the left):

- account: ``metadata.user_api_key_org_id``, else ``metadata.user_api_key_team_id``, else
  ``metadata.user_api_key_hash``; api key: ``metadata.user_api_key_hash``
- time: ``startTime`` (epoch seconds, float); latency: ``endTime - startTime``
- ip: ``requester_ip_address`` (or ``metadata.requester_ip_address``); user agent: ``metadata.user_agent``;
  endpoint: ``metadata.user_api_key_request_route``
- model: ``model_group`` (the name the client asked for), else ``model``
- ``messages`` + ``model_parameters`` (tools and sampling parameters) are the two halves of the
  OpenAI request body; ``response`` is the OpenAI response; ``prompt_tokens``/``completion_tokens``
- end user: ``end_user`` (filled from the request's ``user``), else ``metadata.user_api_key_end_user_id``,
  else ``model_parameters.user``; kept as a pseudonym only
- status: ``"success"`` is 200; a ``"failure"`` takes ``error_information.error_code`` (e.g. "429"),
  else 500.

LiteLLM does not log account creation time or payment method: those columns are null. Calls other than
chat and text completions (embeddings, images, audio, rerank) are kept as events; their ``messages`` are
read as a conversation when they are one, else the event has none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from distillguard.ingest._base import JsonLinesReader, Row
from distillguard.ingest._openai import (
    Conversation,
    conversation,
    conversation_columns,
    first_finish_reason,
    sampling,
    tools_summary,
)
from distillguard.ingest._record import RecordError, end_user_pseudonym, opt_dict, opt_int, wrong_type

_ACCOUNT_KEYS = ("user_api_key_org_id", "user_api_key_team_id", "user_api_key_hash")
# Calls whose ``messages`` are a conversation; for other calls (embeddings, images, audio, rerank...)
# LiteLLM logs the input in other shapes, and the event keeps no conversation rather than being dropped.
_CONVERSATION_CALLS = frozenset(
    {"completion", "acompletion", "text_completion", "atext_completion", "anthropic_messages"}
)
_NO_CONVERSATION: Conversation = (0, 0, 0, 0, None, None, 0)
_FAILURE_STATUS = 500


def _epoch_us(value: object, field: str) -> int | None:
    if value is None:
        return None
    if type(value) is float or type(value) is int:
        return round(value * 1_000_000)
    if type(value) is str:  # some LiteLLM sinks serialise datetimes as ISO strings
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise RecordError(f"unparseable time: {field} {value[:80]!r}") from None
        if parsed.tzinfo is None:
            raise RecordError(f"unparseable time: {field} {value[:80]!r} has no UTC offset")
        return round(parsed.timestamp() * 1_000_000)
    raise wrong_type(field, "epoch seconds", value)


def _status(obj: dict[str, Any]) -> int | None:
    status = obj.get("status")
    if status == "success":
        return 200
    if status != "failure":
        return opt_int(obj, "status") if type(status) is not str else None
    code = opt_dict(obj, "error_information").get("error_code")
    if type(code) is int:
        return code
    if type(code) is str and code.isdigit():
        return int(code)
    return _FAILURE_STATUS


def _conversation(obj: dict[str, Any]) -> Conversation:
    messages = obj.get("messages")
    if type(messages) is str:  # text-completion calls log the prompt string
        messages = [{"role": "user", "content": messages}]
    if messages is None:
        return _NO_CONVERSATION
    call_type = obj.get("call_type")
    if call_type is None or (type(call_type) is str and call_type in _CONVERSATION_CALLS):
        return conversation(messages, "messages")
    try:
        return conversation(messages, "messages")
    except RecordError:
        return _NO_CONVERSATION


def _account(metadata: dict[str, Any]) -> str:
    for key in _ACCOUNT_KEYS:
        value = metadata.get(key)
        if value:
            if type(value) is not str:
                raise wrong_type(f"metadata.{key}", "a string", value)
            return value
    raise RecordError(
        "missing field: account_id (metadata.user_api_key_org_id, _team_id and _hash are all empty)"
    )


class LiteLLMReader(JsonLinesReader):
    name = "litellm"

    @classmethod
    def sniff(cls, obj: dict[str, Any]) -> bool:
        return "startTime" in obj and ("model_parameters" in obj or "call_type" in obj)

    def extract(self, obj: dict[str, Any]) -> Row:
        start = obj.get("startTime")
        if start is None:
            raise RecordError("missing field: ts (startTime)")
        ts = _epoch_us(start, "startTime")
        metadata = opt_dict(obj, "metadata")
        account_id = _account(metadata)
        conv = _conversation(obj)
        params = opt_dict(obj, "model_parameters")
        n_tools, tools_text = tools_summary(params.get("tools"), "model_parameters.tools")
        response = obj.get("response")
        finish = first_finish_reason(response) if type(response) is dict else None
        end = _epoch_us(obj.get("endTime"), "endTime")
        latency = None if end is None or ts is None else round((end - ts) / 1000)
        # Optional strings are type-checked by the Arrow conversion of the batch (see the canonical reader).
        get, meta = obj.get, metadata.get
        ip = get("requester_ip_address") or meta("requester_ip_address")
        model = get("model_group") or get("model")
        return (
            ts,
            account_id,
            get("id"),
            meta("user_api_key_hash"),
            ip,
            meta("user_agent"),
            None,
            None,
            meta("user_api_key_request_route"),
            model,
            *conversation_columns(conv, n_tools, tools_text),
            *sampling(params),
            finish,
            opt_int(obj, "prompt_tokens"),
            opt_int(obj, "completion_tokens"),
            _status(obj),
            latency,
            _end_user(obj, metadata, params),
        )


def _end_user(obj: dict[str, Any], metadata: dict[str, Any], params: dict[str, Any]) -> str | None:
    """Pseudonym of the end-user id: the payload's ``end_user`` (LiteLLM fills it from the request's
    ``user``), else the proxy's ``metadata.user_api_key_end_user_id``, else ``model_parameters.user``."""
    for value, field in (
        (obj.get("end_user"), "end_user"),
        (metadata.get("user_api_key_end_user_id"), "metadata.user_api_key_end_user_id"),
        (params.get("user"), "model_parameters.user"),
    ):
        if value is not None and value != "":
            return end_user_pseudonym(value, field)
    return None
