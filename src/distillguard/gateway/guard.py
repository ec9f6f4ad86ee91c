"""What every enforcement point shares: event recording, background detection, policy and enforcement.

The ASGI gateway and the LiteLLM hook are two front ends over one ``Guard``; a request path only calls
``check`` (a dict look-up) and ``record`` (a deque push and a buffered write).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from distillguard.gateway.detection import Clock, DetectionLoop, Detector, PolicySource, utc_now
from distillguard.gateway.enforcement import Enforcer, Rejection
from distillguard.gateway.events import EventRecorder
from distillguard.gateway.metrics import GatewayMetrics
from distillguard.policy.model import Policy
from distillguard.policy.store import DecisionStore


@dataclass(frozen=True)
class GuardConfig:
    state_dir: Path
    policy: Policy
    policy_path: Path | None = None
    detect_every: float = 30.0
    window_events: int = 200_000
    window_hours: float = 24.0
    account_created: Mapping[str, datetime] = field(default_factory=dict)


class Guard:
    def __init__(
        self,
        config: GuardConfig,
        detector: Detector,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.clock = clock
        # Rate limits run on a monotonic clock (wall time may jump); injectable so tests need not race it.
        self.monotonic = monotonic
        self.metrics = GatewayMetrics()
        self.enforcer = Enforcer()
        self.store = DecisionStore(config.state_dir)
        self.recorder = EventRecorder(
            config.state_dir, config.window_events, timedelta(hours=config.window_hours)
        )
        self.policy = PolicySource(config.policy, config.policy_path)
        self.loop = DetectionLoop(
            self.recorder,
            detector,
            self.policy,
            self.store,
            self.enforcer,
            self.metrics,
            config.detect_every,
            config.account_created,
            clock,
        )
        self._running = False

    def check(self, account_id: str) -> Rejection | None:
        return self.enforcer.check(account_id, self.monotonic())

    def record(self, event: dict[str, Any], at: datetime) -> None:
        self.recorder.record(event, at)

    def start(self) -> None:
        if not self._running:
            self._running = True
            self.loop.start()

    def stop(self) -> None:
        if self._running:
            self._running = False
            self.loop.stop()

    def close(self) -> None:
        self.stop()
        self.recorder.close()
        self.store.close()
        close_detector = getattr(self.loop.detector, "close", None)
        if callable(close_detector):
            close_detector()
