"""Sharing detection signals with peer providers without sharing customer data.

``export_bundle`` turns a scan report's campaigns into a STIX 2.1 bundle of keyed, rotating values
(``keys``, ``minhash``), ``psi`` compares individual IPs / payment ids pairwise, ``client`` publishes
to and pulls from the consortium hub, and ``correlate`` matches peer indicators against local traffic.
"""

from __future__ import annotations

from distillguard.share.export import ExportOptions, export_bundle
from distillguard.share.keys import KEY_ENV, ConsortiumKey, load_consortium_key
from distillguard.share.validate import require_valid, validation_errors

__all__ = [
    "KEY_ENV",
    "ConsortiumKey",
    "ExportOptions",
    "export_bundle",
    "load_consortium_key",
    "require_valid",
    "validation_errors",
]
