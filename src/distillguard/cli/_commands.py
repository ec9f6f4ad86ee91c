"""Imports every command module so that each registers itself on the app."""

from __future__ import annotations

from distillguard.cli import hub  # noqa: F401
from distillguard.cli import share  # noqa: F401
from distillguard.cli import version  # noqa: F401
