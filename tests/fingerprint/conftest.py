"""Fixtures of the fingerprint tests."""

from __future__ import annotations

import pytest
from fp_events import EventFactory, event_batch


@pytest.fixture
def make_events() -> EventFactory:
    return event_batch
