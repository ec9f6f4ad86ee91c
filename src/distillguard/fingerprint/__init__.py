"""Fingerprint stage: reduce each request's text to hashes, template ids and labels, then drop the text.

``Fingerprinter(config).fingerprint(batch)`` maps ``EVENT_SCHEMA`` batches to ``FINGERPRINT_SCHEMA``
batches (``prepare`` then ``Fingerprinter.finish``: the first part needs no state and may run in another
process, as the scan's parse workers do); ``Fingerprinter.catalog`` holds every template seen with its
MinHash signature, for near-duplicate grouping (``TemplateCatalog.clusters``).
"""

from __future__ import annotations

from distillguard.fingerprint._catalog import MinHashParams, TemplateCatalog, TemplateEntry, TemplateSignature
from distillguard.fingerprint._classifier import TextClassifier, default_classifier
from distillguard.fingerprint._config import FingerprintConfig
from distillguard.fingerprint._fingerprinter import Fingerprinter, PreparedBatch, prepare
from distillguard.fingerprint.schema import CAPABILITIES, FINGERPRINT_FIELDS, FINGERPRINT_SCHEMA, LABELS

__all__ = [
    "CAPABILITIES",
    "FINGERPRINT_FIELDS",
    "FINGERPRINT_SCHEMA",
    "LABELS",
    "FingerprintConfig",
    "Fingerprinter",
    "MinHashParams",
    "PreparedBatch",
    "TemplateCatalog",
    "TemplateEntry",
    "TemplateSignature",
    "TextClassifier",
    "default_classifier",
    "prepare",
]
