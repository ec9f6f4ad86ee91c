"""STIX/TAXII timestamps in one sortable text form, so SQL can compare them as strings."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# More than microsecond precision is legal STIX but Python cannot parse it: keep the first six digits.
_EXTRA_DIGITS = re.compile(r"(\.\d{6})\d+")


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp; a naive one is taken as UTC. Raises ValueError when unreadable."""
    value = datetime.fromisoformat(_EXTRA_DIGITS.sub(r"\1", text.strip()))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """The canonical form: UTC, microseconds, ``Z`` (fixed width, so text order is time order)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalize_timestamp(text: str) -> str:
    return format_timestamp(parse_timestamp(text))


def utc_now() -> datetime:
    return datetime.now(UTC)
