"""gateway: an OpenAI-compatible reverse proxy that records events and enforces policy decisions."""

from __future__ import annotations

from distillguard.gateway.app import MOCK, Gateway, GatewayConfig
from distillguard.gateway.detection import DetectionLoop, Detector, PolicySource, with_history
from distillguard.gateway.enforcement import Enforcer, Rejection, TokenBucket
from distillguard.gateway.events import EventRecorder, load_history
from distillguard.gateway.keys import KeyTable, key_id
from distillguard.gateway.mock_upstream import create_mock_upstream
from distillguard.gateway.server import BackgroundServer

__all__ = [
    "MOCK",
    "BackgroundServer",
    "DetectionLoop",
    "Detector",
    "Enforcer",
    "EventRecorder",
    "Gateway",
    "GatewayConfig",
    "KeyTable",
    "PolicySource",
    "Rejection",
    "TokenBucket",
    "create_mock_upstream",
    "key_id",
    "load_history",
    "with_history",
]
