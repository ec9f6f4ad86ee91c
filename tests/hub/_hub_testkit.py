"""Shared objects for the hub tests (a plain module: tests here have no package)."""

from __future__ import annotations

import uuid
from typing import Any

PASSWORDS = {"provider-a": "alpha-secret-1", "provider-b": "bravo-secret-2"}


def indicator(creator: str, n: int = 0, modified: str = "2026-03-01T00:00:00.000Z") -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_DNS, f'{creator}-{n}')}",
        "created": "2026-03-01T00:00:00.000Z",
        "modified": modified,
        "created_by_ref": creator,
        "name": f"indicator {n}",
        "pattern": f"[ipv4-addr:value = '198.51.100.{n % 250}']",
        "pattern_type": "stix",
        "valid_from": "2026-03-01T00:00:00Z",
    }
