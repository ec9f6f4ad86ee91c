"""The few population-wide facts that per-account features need (model caps, model releases).

``account_features`` is a pure function of one partition of whole accounts; a feature such as "max_tokens
near the model's cap" or "traffic moved to a model within hours of its release" needs a fact about the
whole population. Those facts are tiny, so they are computed once (``FeatureContext.from_events`` on each
partition, combined with ``merge``) and handed to every partition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl


@dataclass(frozen=True)
class FeatureContext:
    """Population facts: each model's output cap and first appearance, and the window's start."""

    # Largest max_tokens any account asked of each model: the practical cap the provider allows.
    model_caps: Mapping[str, int] = field(default_factory=dict)
    # When each model was first requested in the window.
    model_first_seen: Mapping[str, datetime] = field(default_factory=dict)
    window_start: datetime | None = None
    # A model first seen more than this long after the window opened counts as newly released: a model
    # used from the start cannot be told apart from an established one.
    new_model_margin_hours: float = 6.0
    # A request to a new model counts as a pivot when it comes within this many hours of the release.
    pivot_hours: float = 48.0

    @property
    def model_release(self) -> dict[str, datetime]:
        """The models released during the window, with their first appearance."""
        if self.window_start is None:
            return {}
        margin = timedelta(hours=self.new_model_margin_hours)
        return {m: first for m, first in self.model_first_seen.items() if first - self.window_start > margin}

    @classmethod
    def from_events(
        cls, events: pl.DataFrame, *, new_model_margin_hours: float = 6.0, pivot_hours: float = 48.0
    ) -> FeatureContext:
        """Derive the context from the events themselves (the one-machine case)."""
        if events.height == 0:
            return cls(new_model_margin_hours=new_model_margin_hours, pivot_hours=pivot_hours)
        per_model = (
            events.lazy()
            .filter(pl.col("model").is_not_null())
            .group_by("model")
            .agg(pl.col("max_tokens").max().alias("cap"), pl.col("ts").min().alias("first"))
            .collect()
        )
        window_start = events["ts"].min()
        assert isinstance(window_start, datetime)
        models = [str(m) for m in per_model["model"]]
        caps = {m: int(c) for m, c in zip(models, per_model["cap"], strict=True) if c is not None}
        first_seen = dict(zip(models, per_model["first"], strict=True))
        return cls(caps, first_seen, window_start, new_model_margin_hours, pivot_hours)

    def merge(self, other: FeatureContext) -> FeatureContext:
        """Combine contexts computed on two partitions (max of caps, earliest appearances)."""
        caps = dict(self.model_caps)
        for model, cap in other.model_caps.items():
            caps[model] = max(cap, caps.get(model, cap))
        first_seen = dict(self.model_first_seen)
        for model, first in other.model_first_seen.items():
            first_seen[model] = min(first, first_seen.get(model, first))
        starts = [s for s in (self.window_start, other.window_start) if s is not None]
        return FeatureContext(
            caps, first_seen, min(starts) if starts else None, self.new_model_margin_hours, self.pivot_hours
        )
