"""The canonical event schema: what every reader produces, whatever the log format.

One row per API request. Text columns are capped at ingest (``TEXT_CAP_CHARS``) and are dropped by the
fingerprint stage, which replaces them with hashes and labels (see ``distillguard.fingerprint``).
Parquet input files are expected in exactly this schema.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

# A multi-megabyte prompt is kept as an event, but only this much of each text field is fingerprinted.
TEXT_CAP_CHARS = 8192

TS_TYPE = pa.timestamp("us", tz="UTC")

_EVENT_FIELDS: list[pa.Field[Any]] = [
    pa.field("ts", TS_TYPE, nullable=False),
    pa.field("account_id", pa.string(), nullable=False),
    pa.field("request_id", pa.string()),
    pa.field("api_key_id", pa.string()),
    pa.field("ip", pa.string()),
    pa.field("user_agent", pa.string()),
    pa.field("account_created", TS_TYPE),
    pa.field("payment_fingerprint", pa.string()),
    pa.field("endpoint", pa.string()),
    pa.field("model", pa.string()),
    # Conversation shape.
    pa.field("n_messages", pa.int32()),
    pa.field("n_user_messages", pa.int32()),
    pa.field("n_assistant_messages", pa.int32()),
    pa.field("n_tool_messages", pa.int32()),
    pa.field("n_tools", pa.int32()),
    # Text, capped at TEXT_CAP_CHARS; dropped after fingerprinting.
    pa.field("system_text", pa.string()),
    pa.field("user_text", pa.string()),  # the last user message
    pa.field("tools_text", pa.string()),  # canonical JSON of the tool definitions
    pa.field("prompt_chars", pa.int64()),  # uncapped length of all message text
    # Sampling parameters.
    pa.field("temperature", pa.float64()),
    pa.field("top_p", pa.float64()),
    pa.field("max_tokens", pa.int64()),  # max_tokens or max_completion_tokens
    pa.field("logprobs", pa.bool_()),
    pa.field("top_logprobs", pa.int32()),
    pa.field("n", pa.int32()),
    pa.field("reasoning_effort", pa.string()),
    pa.field("stream", pa.bool_()),
    pa.field("response_format", pa.string()),  # "text", "json_object", "json_schema"
    # Outcome.
    pa.field("finish_reason", pa.string()),
    pa.field("prompt_tokens", pa.int64()),
    pa.field("completion_tokens", pa.int64()),
    pa.field("status", pa.int32()),
    pa.field("latency_ms", pa.int64()),
    # Who the account says the request is for: the request's end-user id (OpenAI ``user`` or
    # ``safety_identifier``, LiteLLM ``end_user``, OpenTelemetry ``enduser.pseudo.id``), which API routers and
    # products pass per end user. Only a pseudonym is kept (``end_user_pseudonym``), never the raw id.
    pa.field("end_user", pa.string()),
]
EVENT_SCHEMA = pa.schema(_EVENT_FIELDS)

EVENT_COLUMNS: tuple[str, ...] = tuple(EVENT_SCHEMA.names)
TEXT_COLUMNS: tuple[str, ...] = ("system_text", "user_text", "tools_text")
REQUIRED_COLUMNS: tuple[str, ...] = ("ts", "account_id")

_QUARANTINE_FIELDS: list[pa.Field[Any]] = [
    pa.field("source", pa.string(), nullable=False),
    pa.field("line", pa.int64(), nullable=False),  # 1-based line or record number in the source
    pa.field("reason", pa.string(), nullable=False),
    pa.field("raw", pa.string()),  # the offending bytes, decoded with replacement, capped
]
QUARANTINE_SCHEMA = pa.schema(_QUARANTINE_FIELDS)
