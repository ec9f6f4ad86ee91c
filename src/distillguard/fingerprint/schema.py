"""What the fingerprint stage leaves of an event: hashes, labels and lengths instead of text.

``FINGERPRINT_SCHEMA`` is the event schema without its text columns (and without the few event columns no
later stage reads, ``DROPPED_EVENT_COLUMNS``) plus the columns below. Features and
detection only ever see this; raw prompt text does not survive past fingerprinting.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from distillguard.ingest.schema import EVENT_SCHEMA, TEXT_COLUMNS

# Elicitation / task labels: one probability per label, from the text classifier.
LABELS: tuple[str, ...] = ("reasoning", "grader", "rewrite", "datagen", "taskgen")

# Coarse capability the request exercises, for campaign summaries ("capabilities": [...]).
CAPABILITIES: tuple[str, ...] = ("reasoning", "coding", "math", "agentic", "writing", "knowledge", "other")

FINGERPRINT_FIELDS: tuple[pa.Field[Any], ...] = (
    # Hash of the user text with its slots masked (numbers, quoted text, code, names, ...): the template.
    pa.field("template_hash", pa.uint64()),
    # Hash of the exact user text: identical payloads.
    pa.field("payload_hash", pa.uint64()),
    # Exact hashes of the system prompt and of the tool definitions; null when absent.
    pa.field("system_hash", pa.uint64()),
    pa.field("tools_hash", pa.uint64()),
    # Up to 32 distinct hashed content words of the user text: breadth of what is poured into templates.
    pa.field("payload_words", pa.list_(pa.uint32())),
    pa.field("user_chars", pa.int32()),
    pa.field("system_chars", pa.int32()),
    *(pa.field(f"p_{label}", pa.float32()) for label in LABELS),
    pa.field("capability", pa.string()),
)

# Event columns that no later stage reads (features, detect, share, report, gateway: checked with grep), so
# the stage drops them with the text: per event they cost more memory than all the hashes together (a
# unique request id, the same endpoint string on every row). A stage that comes to need one adds it back.
DROPPED_EVENT_COLUMNS: tuple[str, ...] = ("request_id", "endpoint", "latency_ms")

FINGERPRINT_SCHEMA = pa.schema(
    [field for field in EVENT_SCHEMA if field.name not in (*TEXT_COLUMNS, *DROPPED_EVENT_COLUMNS)]
    + list(FINGERPRINT_FIELDS)
)
