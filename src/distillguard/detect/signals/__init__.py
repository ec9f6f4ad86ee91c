"""Detection signals: one small class per line of evidence, registered by name in ``SIGNALS``."""

from __future__ import annotations

from distillguard.detect.signals import (  # noqa: F401
    _account,
    _content,
    _end_user,
    _shape,
    _sweep,
    _timing,
    _usage,
)
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
