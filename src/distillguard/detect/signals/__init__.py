"""Detection signals: one small class per line of evidence, registered by name in ``SIGNALS``."""

from __future__ import annotations

from distillguard.detect.signals import _account, _content, _shape, _sweep, _timing, _usage  # noqa: F401
from distillguard.detect.signals._base import (
    SIGNALS,
    Signal,
    SignalContext,
    SignalScores,
    build_signals,
    ramp,
    register,
)

__all__ = ["SIGNALS", "Signal", "SignalContext", "SignalScores", "build_signals", "ramp", "register"]
