"""One exception root for everything distillguard raises on purpose.

Every error carries the context a user needs to fix the problem (a file, a line, a field), so the CLI
can print one readable message instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DistillguardError(Exception):
    """Root of every error distillguard raises deliberately."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context: Mapping[str, Any] = context

    def __str__(self) -> str:
        if not self.context:
            return self.message
        where = ", ".join(f"{key}={value}" for key, value in self.context.items() if value is not None)
        return f"{self.message} ({where})" if where else self.message


class ConfigError(DistillguardError):
    """A configuration or policy file that cannot be used."""


class InputFormatError(DistillguardError):
    """An input file whose format cannot be recognised or read at all."""


class SchemaMismatchError(DistillguardError):
    """Data in a schema (or a sketch with parameters) that this code cannot compare or combine."""


class ShareError(DistillguardError):
    """A problem exporting, publishing, pulling or matching shared intelligence."""


class HubError(DistillguardError):
    """A TAXII hub request that failed."""


class PolicyError(DistillguardError):
    """A policy that cannot be loaded or applied."""
