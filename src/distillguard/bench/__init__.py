"""Benchmark and evaluation: simulated traffic with ground truth, scored scans, speed and memory."""

from distillguard.bench._labels import AccountLabel, PopulationScore, Scorecard, read_labels, score_accounts
from distillguard.bench._scorecard_table import scorecard_table

__all__ = [
    "AccountLabel",
    "PopulationScore",
    "Scorecard",
    "read_labels",
    "score_accounts",
    "scorecard_table",
]
