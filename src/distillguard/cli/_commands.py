"""Imports every command module so that each registers itself on the app."""

from __future__ import annotations

from distillguard.cli import (  # noqa: F401
    convert,
    gateway,
    hub,
    policy,
    share,
    simulate,
    version,
)
