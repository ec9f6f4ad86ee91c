"""Background detection: every few seconds, scan the sliding window (plus warm history), apply the policy
and publish the decisions the request path enforces.

Detection runs in its own thread so that a cycle never holds up a request; the request path only reads
the decisions dict that a cycle swaps in. Policy-file changes, SIGHUP and new analyst overrides are picked
up between cycles (within a second) by re-deciding from the last detection result, without rescanning.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from distillguard.detect.types import DetectionResult
from distillguard.errors import DistillguardError
from distillguard.gateway._worker import DeltaDetector, JsonlDetector, WindowOutOfSyncError
from distillguard.gateway.enforcement import Enforcer
from distillguard.gateway.events import EventRecorder
from distillguard.gateway.metrics import GatewayMetrics
from distillguard.policy.model import Decision, Policy
from distillguard.policy.store import DecisionStore, apply_override

log = logging.getLogger("distillguard.gateway")

# Canonical events (the DESIGN.md input contract, as dicts) in, a detection result out.
Detector = Callable[[list[dict[str, Any]]], DetectionResult]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def with_history(detector: Detector, history: Sequence[dict[str, Any]]) -> Detector:
    """A detector that always sees ``history`` (``--warm``) before the live window, for baselines."""
    frozen = list(history)

    def detect(events: list[dict[str, Any]]) -> DetectionResult:
        return detector(frozen + events)

    return detect


class PolicySource:
    """The policy in force, reloaded when its file changes (or on request, e.g. SIGHUP).

    An invalid file is refused with a logged message naming the line; the previous policy stays in force.
    """

    def __init__(self, policy: Policy, path: Path | None = None) -> None:
        self.policy = policy
        self.path = path
        self.last_error: str | None = None
        self._stamp = self._stat()
        self._reload_requested = threading.Event()

    def request_reload(self) -> None:
        self._reload_requested.set()

    def _stat(self) -> tuple[int, int] | None:
        if self.path is None:
            return None
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def poll(self, metrics: GatewayMetrics | None = None) -> bool:
        """Reload if the file changed; True when a new policy is now in force."""
        if self.path is None:
            return False
        stamp = self._stat()
        requested = self._reload_requested.is_set()
        if stamp == self._stamp and not requested:
            return False
        self._reload_requested.clear()
        self._stamp = stamp
        try:
            policy = Policy.from_file(self.path)
        except DistillguardError as exc:
            self.last_error = str(exc)
            log.error("policy refused, version %s stays in force: %s", self.policy.version, exc)
            if metrics is not None:
                metrics.policy_reloads.inc(result="refused")
            return False
        self.last_error = None
        self.policy = policy
        log.info("policy %s loaded from %s (%d rules)", policy.version, self.path, len(policy.rules))
        if metrics is not None:
            metrics.policy_reloads.inc(result="ok")
        return True


@dataclass
class CycleStatus:
    cycles: int = 0
    errors: int = 0
    last_cycle_at: datetime | None = None
    last_cycle_seconds: float | None = None
    last_error: str | None = None
    last_accounts: int = 0
    last_flagged: int = 0


class DetectionLoop:
    """Runs detection every ``detect_every`` seconds in a daemon thread and publishes decisions."""

    def __init__(
        self,
        recorder: EventRecorder,
        detector: Detector,
        policy: PolicySource,
        store: DecisionStore,
        enforcer: Enforcer,
        metrics: GatewayMetrics,
        detect_every: float = 30.0,
        account_created: Mapping[str, datetime] | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.recorder = recorder
        self.detector = detector
        self.policy = policy
        self.store = store
        self.enforcer = enforcer
        self.metrics = metrics
        self.detect_every = detect_every
        self.account_created = dict(account_created or {})
        self.clock = clock
        self.status = CycleStatus()
        self._result: DetectionResult | None = None
        self._recorded: dict[str, Decision] = store.latest()
        self._synced: int | None = None  # where a DeltaDetector's window copy ends
        self._overrides_version = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one cycle or refresh at a time
        # Told (label, start, end, thread CPU seconds) of each cycle and flush, when the probe is on.
        self.observer: Callable[[str, float, float, float], None] | None = None

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        # Until the first cycle ends, enforce what was in force when the gateway last stopped.
        self._publish(dict(self._recorded), self.clock(), record=False)
        self._thread = threading.Thread(target=self._run, name="distillguard-detection", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.recorder.flush()

    def _run(self) -> None:
        next_cycle = time.monotonic()
        tick = max(0.05, min(1.0, self.detect_every / 4))
        while not self._stop.is_set():
            if time.monotonic() >= next_cycle:
                self._observed("cycle", self.run_cycle)
                next_cycle = time.monotonic() + self.detect_every
            elif self._policy_or_overrides_changed():
                self.refresh()
            self._observed("flush", self.recorder.flush)
            self._stop.wait(tick)

    def _observed(self, label: str, work: Callable[[], None]) -> None:
        observer = self.observer
        if observer is None:
            work()
            return
        start, cpu = time.perf_counter(), time.thread_time()
        work()
        observer(label, start, time.perf_counter(), time.thread_time() - cpu)

    def _policy_or_overrides_changed(self) -> bool:
        policy_changed = self.policy.poll(self.metrics)
        version = self.store.overrides_version()
        overrides_changed = version != self._overrides_version
        return policy_changed or overrides_changed

    # -- work -----------------------------------------------------------------------------------------

    def run_cycle(self) -> None:
        """Scan the window, then decide. A failing detector keeps the previous decisions in force."""
        with self._lock:
            self.policy.poll(self.metrics)
            started = time.perf_counter()
            now = self.clock()
            try:
                result = self._detect(now)
            except Exception as exc:  # a detector bug must not take the gateway down
                log.exception("detection cycle failed; previous decisions stay in force")
                self.status.errors += 1
                self.status.last_error = f"{type(exc).__name__}: {exc}"
                self.metrics.cycles.inc(result="error")
                return
            self._result = result
            self._decide(now)
            elapsed = time.perf_counter() - started
            self.status.cycles += 1
            self.status.last_cycle_at = now
            self.status.last_cycle_seconds = elapsed
            self.status.last_accounts = len(result.accounts)
            self.status.last_flagged = sum(1 for v in result.accounts if v.flagged)
            self.metrics.cycles.inc(result="ok")
            self.metrics.cycle_seconds.set(elapsed)
            self.metrics.cycle_seconds_sum.inc(elapsed)

    def _detect(self, now: datetime) -> DetectionResult:
        if isinstance(self.detector, DeltaDetector):
            return self._detect_delta(self.detector, now)
        if isinstance(self.detector, JsonlDetector):
            self.metrics.window_events.set(len(self.recorder))
            return self.detector.detect_jsonl(self.recorder.snapshot_jsonl(now))
        events = self.recorder.snapshot(now)
        self.metrics.window_events.set(len(events))
        return self.detector(events)

    def _detect_delta(self, detector: DeltaDetector, now: datetime) -> DetectionResult:
        synced, self._synced = self._synced, None  # unknown until this delta has been applied
        delta = self.recorder.delta(synced, now)
        self.metrics.window_events.set(delta.size)
        try:
            result = detector.detect_delta(delta)
        except WindowOutOfSyncError:
            log.info("detection worker's window is out of step; sending the whole window")
            delta = self.recorder.delta(None, now)
            result = detector.detect_delta(delta)
        self._synced = delta.end
        return result

    def refresh(self) -> None:
        """Re-decide from the last detection result (after a policy change or a new override)."""
        with self._lock:
            self._decide(self.clock())

    def _decide(self, now: datetime) -> None:
        self._overrides_version = self.store.overrides_version()
        overrides = self.store.active_overrides(now)
        policy = self.policy.policy
        decisions: dict[str, Decision] = {}
        if self._result is not None:
            campaigns = {c.campaign_id: c for c in self._result.campaigns}
            for verdict in self._result.accounts:
                campaign = campaigns.get(verdict.campaign_id) if verdict.campaign_id else None
                decision = policy.decide(verdict, campaign, self.account_created.get(verdict.account_id), now)
                decisions[verdict.account_id] = apply_override(
                    decision, overrides.get(verdict.account_id), now
                )
        for account, override in overrides.items():
            if account not in decisions:
                decisions[account] = override.as_decision(now, policy.version)
        self._publish(decisions, now, record=True)

    def _publish(self, decisions: dict[str, Decision], now: datetime, record: bool) -> None:
        if record:
            changed = [d for a, d in decisions.items() if not d.same_outcome(self._recorded.get(a))]
            if changed:
                written = self.store.record(changed)
                self.metrics.decisions_recorded.inc(written)
                for decision in changed:
                    self._recorded[decision.account_id] = decision
                    log.info(
                        "decision %s -> %s (rule %s, policy %s)",
                        decision.account_id,
                        decision.enforced_action.value,
                        decision.rule,
                        decision.policy_version,
                    )
        self.enforcer.publish(decisions)
        counts = Counter(d.enforced_action.value for d in decisions.values())
        self.metrics.decisions.replace({(("action", action),): float(n) for action, n in counts.items()})

    def status_dict(self) -> dict[str, Any]:
        s = self.status
        counts = Counter(d.enforced_action.value for d in self.enforcer.decisions.values())
        return {
            "policy_version": self.policy.policy.version,
            "policy_dry_run": self.policy.policy.dry_run,
            "policy_error": self.policy.last_error,
            "cycles": s.cycles,
            "cycle_errors": s.errors,
            "last_cycle_at": None if s.last_cycle_at is None else s.last_cycle_at.isoformat(),
            "last_cycle_seconds": s.last_cycle_seconds,
            "last_error": s.last_error,
            "accounts_scored": s.last_accounts,
            "accounts_flagged": s.last_flagged,
            "decisions": dict(counts),
            "window_events": len(self.recorder),
        }
