"""Imports every command module so that each registers itself on the app."""

from __future__ import annotations

from distillguard.cli import (
    policy,  # noqa: F401
    version,  # noqa: F401
)
