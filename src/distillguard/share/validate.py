"""Validate bundles with ``stix2-validator``, offline, including the distillguard extension schemas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stix2validator import ValidationOptions, validate_instance

from distillguard.errors import ShareError
from distillguard.share.stix_types import schema_dir


def validation_errors(bundle: Mapping[str, Any]) -> list[str]:
    """Every validator error of ``bundle`` (empty when valid). Warnings are not errors."""
    options = ValidationOptions(version="2.1", schema_dir=schema_dir(), strict=False)
    results = validate_instance(dict(bundle), options)
    errors: list[str] = []
    for result in results.object_results if hasattr(results, "object_results") else [results]:
        errors.extend(f"{result.object_id}: {error.message}" for error in result.errors)
    if not results.is_valid and not errors:
        errors.append("the bundle is not valid STIX 2.1")
    return errors


def require_valid(bundle: Mapping[str, Any]) -> None:
    errors = validation_errors(bundle)
    if errors:
        shown = "; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")
        raise ShareError(f"the bundle does not validate as STIX 2.1: {shown}")
