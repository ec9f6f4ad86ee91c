"""This provider's model line-up: the holdout world's own names, speeds and release."""

from __future__ import annotations

from dataclasses import dataclass

NEW_MODEL = "nimbus-3"


@dataclass(frozen=True)
class ModelSpec:
    """Serving characteristics used to derive latency and reasoning-token usage."""

    name: str
    ttft_ms: float
    tokens_per_s: float
    reasons: bool


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("nimbus-2", 420.0, 75.0, False),
        ModelSpec("nimbus-2-2026-01-20", 420.0, 75.0, False),
        ModelSpec("nimbus-2-mini", 210.0, 160.0, False),
        ModelSpec("nimbus-2-mini-2025-11-04", 210.0, 160.0, False),
        ModelSpec("nimbus-2-think", 900.0, 62.0, True),
        ModelSpec(NEW_MODEL, 520.0, 85.0, True),
        ModelSpec("nimbus-3-mini", 260.0, 150.0, True),
    )
}
