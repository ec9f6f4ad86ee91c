"""Helpers to build canonical event batches directly, without the ingest stage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest

from distillguard.ingest.schema import EVENT_SCHEMA

EventFactory = Callable[..., pa.RecordBatch]


def event_batch(
    user_texts: Sequence[str | None],
    system_texts: Sequence[str | None] | None = None,
    tools_texts: Sequence[str | None] | None = None,
    **columns: Sequence[Any],
) -> pa.RecordBatch:
    """An EVENT_SCHEMA batch with one event per user text; other columns default to plausible values."""
    n = len(user_texts)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    data: dict[str, Sequence[Any]] = {
        "ts": [start + timedelta(seconds=i) for i in range(n)],
        "account_id": [f"acct_{i % 7}" for i in range(n)],
        "request_id": [f"req_{i}" for i in range(n)],
        "model": ["model-a"] * n,
        "n_messages": [2] * n,
        "n_user_messages": [1] * n,
        "n_tool_messages": [0] * n,
        "n_tools": [0 if not tools_texts or tools_texts[i] is None else 1 for i in range(n)],
        "user_text": list(user_texts),
        "system_text": list(system_texts) if system_texts is not None else [None] * n,
        "tools_text": list(tools_texts) if tools_texts is not None else [None] * n,
        "prompt_chars": [len(t or "") for t in user_texts],
    }
    data.update(columns)
    arrays = [pa.array(data.get(field.name, [None] * n), type=field.type) for field in EVENT_SCHEMA]
    return pa.RecordBatch.from_arrays(arrays, schema=EVENT_SCHEMA)


@pytest.fixture
def make_events() -> EventFactory:
    return event_batch
