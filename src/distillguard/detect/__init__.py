"""The detection engine: per-account signals against the population baseline, linked groups, campaigns.

    result = detect(events, catalog, DetectConfig())

``events`` is a polars frame in ``FINGERPRINT_SCHEMA``; ``catalog`` is the fingerprint stage's template
catalog (or None). See ``distillguard.detect.types`` for the result records.
"""

from __future__ import annotations

from distillguard.detect._baseline import Baseline
from distillguard.detect._campaign import TemplateCatalogLike, campaign_id
from distillguard.detect._engine import PendingClusters, detect, explain
from distillguard.detect.config import DEFAULT_WEIGHTS, DetectConfig
from distillguard.detect.signals import SIGNALS, Signal, SignalContext, SignalScores, build_signals
from distillguard.detect.types import AccountVerdict, Campaign, DetectionResult, Evidence

__all__ = [
    "DEFAULT_WEIGHTS",
    "SIGNALS",
    "AccountVerdict",
    "Baseline",
    "Campaign",
    "DetectConfig",
    "DetectionResult",
    "Evidence",
    "PendingClusters",
    "Signal",
    "SignalContext",
    "SignalScores",
    "TemplateCatalogLike",
    "build_signals",
    "campaign_id",
    "detect",
    "explain",
]
