"""Per-account behavioural features: a pure, partitionable function from events to account rows."""

from __future__ import annotations

from distillguard.features._account import (
    WORD_SAMPLE,
    account_features,
    account_features_with_counts,
    account_word_counts,
    empty_account_features,
)
from distillguard.features._context import FeatureContext
from distillguard.features._frames import fingerprint_frame, fingerprint_schema
from distillguard.features._index import AccountIndex
from distillguard.features._words import WordSample, sample_words
from distillguard.features.schema import ACCOUNT_FEATURE_COLUMNS, ACCOUNT_FEATURES

__all__ = [
    "ACCOUNT_FEATURES",
    "ACCOUNT_FEATURE_COLUMNS",
    "WORD_SAMPLE",
    "AccountIndex",
    "FeatureContext",
    "WordSample",
    "account_features",
    "account_features_with_counts",
    "account_word_counts",
    "empty_account_features",
    "fingerprint_frame",
    "fingerprint_schema",
    "sample_words",
]
