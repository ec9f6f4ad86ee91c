"""Imports every command module so that each registers itself on the app."""

from __future__ import annotations

from distillguard.cli import (  # noqa: F401
    bench,
    convert,
    demo,
    gateway,
    hub,
    policy,
    scan,
    share,
    simulate,
    version,
)
