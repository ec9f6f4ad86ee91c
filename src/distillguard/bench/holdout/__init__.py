"""Holdout traffic: an independent generator of labelled API traffic for measuring generalisation.

Written without reference to the project's main simulator, with its own populations, phrasings, id
formats, model names and timing models, so that a detector tuned to the simulator can be checked on
traffic it has never seen. ``generate`` writes ``traffic.jsonl`` (canonical request log, time-sorted),
``labels.jsonl`` (one line per account) and ``summary.json``.
"""

from __future__ import annotations

from distillguard.bench.holdout._generate import HoldoutSummary, generate
from distillguard.bench.holdout._mixes import MIXES, POPULATIONS

__all__ = ["MIXES", "POPULATIONS", "HoldoutSummary", "generate"]
