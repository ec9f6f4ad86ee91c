"""Compare two ``DetectionResult``s field by field: the check that a speed-up changed nothing.

Used by ``bench/detect_speed.py --baseline`` (old code against new on the same events) and by the tests
that run detection on differently laid out but equal inputs.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime
from typing import Any

from distillguard.detect.types import DetectionResult

# Scores are rounded to 6 digits in verdicts; feature values to 9. Anything beyond this is a real change.
SCORE_TOLERANCE = 1e-9
# At most this many differences are listed: the first few say what changed.
MAX_LISTED = 20


def result_digest(result: DetectionResult) -> dict[str, Any]:
    """The result as plain data (datetimes as ISO text), accounts and campaigns keyed by id."""
    plain = _plain(dataclasses.asdict(result))
    return {
        "threshold": plain["threshold"],
        "accounts": {a["account_id"]: a for a in plain["accounts"]},
        "campaigns": {c["campaign_id"]: c for c in plain["campaigns"]},
    }


def result_differences(
    before: DetectionResult | dict[str, Any],
    after: DetectionResult | dict[str, Any],
    tolerance: float = SCORE_TOLERANCE,
) -> list[str]:
    """Human-readable differences (empty when equal; floats compared within ``tolerance``)."""
    first = before if isinstance(before, dict) else result_digest(before)
    second = after if isinstance(after, dict) else result_digest(after)
    out: list[str] = []
    _diff(first, second, "result", tolerance, out)
    return out[:MAX_LISTED]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _diff(a: Any, b: Any, path: str, tolerance: float, out: list[str]) -> None:
    if len(out) >= MAX_LISTED:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'after' if key not in a else 'before'}")
            else:
                _diff(a[key], b[key], f"{path}.{key}", tolerance, out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items before, {len(b)} after")
            return
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{index}]", tolerance, out)
    elif isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        if not math.isclose(float(a), float(b), rel_tol=0.0, abs_tol=tolerance):
            out.append(f"{path}: {a!r} before, {b!r} after")
    elif a != b:
        out.append(f"{path}: {a!r} before, {b!r} after")
