"""Where the gateway's time goes: event-loop lag, request phases, GC pauses and detection cycles.

Off by default (``GatewayConfig.probe``); the latency benchmark turns it on and reads
``GET /distillguard/probe``. Everything is recorded with ``time.perf_counter`` stamps so that a late
wake-up of the loop can be put next to what happened at that moment:

- a ticker task asks to wake every ``interval`` seconds and records how late it woke (the loop's lag),
  with the CPU the loop thread and the process's other threads used meanwhile. A late tick during which
  the loop thread itself was busy is the gateway's own blocking work; one during which other threads of
  the gateway ran is a GIL hand-over; one during which neither ran is the machine (another process had
  the CPU).
- each request's phases: ``pre`` (key, body, decision, upstream request), ``upstream`` (the await on the
  upstream, which includes waiting for the loop), ``post`` (summary, event, response), all wall time.
- garbage-collector pauses by generation (``gc.callbacks``), and detection cycles (wall time and the
  CPU they cost the gateway process's own thread).
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

# A tick later than this counts as a stall worth attributing.
STALL_MS = 2.0
_MAX_SAMPLES = 200_000


def _percentiles(values: list[float] | deque[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    last = len(ordered) - 1

    def at(q: float) -> float:
        return round(ordered[min(last, round(q * last))], 3)

    return {
        "n": len(ordered),
        "p50_ms": at(0.50),
        "p90_ms": at(0.90),
        "p99_ms": at(0.99),
        "p999_ms": at(0.999),
        "max_ms": round(ordered[-1], 3),
    }


@dataclass
class _Tick:
    at: float  # perf_counter when the tick woke
    lag_ms: float
    loop_cpu_ms: float  # CPU of the loop thread since the previous tick
    other_cpu_ms: float  # CPU of the process's other threads since the previous tick


@dataclass
class _Span:
    start: float
    end: float
    label: str
    cpu_ms: float = 0.0


@dataclass
class _Phases:
    pre: deque[float] = field(default_factory=lambda: deque(maxlen=_MAX_SAMPLES))
    upstream: deque[float] = field(default_factory=lambda: deque(maxlen=_MAX_SAMPLES))
    post: deque[float] = field(default_factory=lambda: deque(maxlen=_MAX_SAMPLES))
    total: deque[float] = field(default_factory=lambda: deque(maxlen=_MAX_SAMPLES))


class Probe:
    """Collects the samples; ``summary()`` turns them into percentiles and an attribution of stalls."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.ticks: deque[_Tick] = deque(maxlen=_MAX_SAMPLES)
        self.phases = _Phases()
        self.gc_pauses: deque[_Span] = deque(maxlen=_MAX_SAMPLES)
        self.cycles: deque[_Span] = deque(maxlen=10_000)
        self.started = time.perf_counter()
        self._gc_started: dict[int, float] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop_thread = 0

    # -- recording ------------------------------------------------------------------------------------

    def request(self, started: float, sent: float, answered: float, done: float) -> None:
        phases = self.phases
        phases.pre.append((sent - started) * 1000)
        phases.upstream.append((answered - sent) * 1000)
        phases.post.append((done - answered) * 1000)
        phases.total.append((done - started) * 1000)

    def background(self, label: str, start: float, end: float, cpu_seconds: float) -> None:
        """Work of the detection thread: a cycle (``"cycle"``) or an events-file flush (``"flush"``)."""
        self.cycles.append(_Span(start, end, label, cpu_seconds * 1000))

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        ident = threading.get_ident()
        if phase == "start":
            self._gc_started[ident] = time.perf_counter()
            return
        begun = self._gc_started.pop(ident, None)
        if begun is not None:
            where = "loop" if ident == self._loop_thread else "other"
            self.gc_pauses.append(_Span(begun, time.perf_counter(), f"gen{info['generation']}/{where}"))

    # -- lifecycle (call from the event loop) ---------------------------------------------------------

    def start(self) -> None:
        self._loop_thread = threading.get_ident()
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.get_running_loop().create_task(self._tick_forever())

    def stop(self) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def reset(self) -> None:
        self.ticks.clear()
        self.gc_pauses.clear()
        self.cycles.clear()
        self.phases = _Phases()
        self.started = time.perf_counter()

    async def _tick_forever(self) -> None:
        interval = self.interval
        last_loop, last_proc = time.thread_time(), time.process_time()
        while True:
            due = time.perf_counter() + interval
            await asyncio.sleep(interval)
            now, loop_cpu, proc_cpu = time.perf_counter(), time.thread_time(), time.process_time()
            loop_delta = loop_cpu - last_loop
            other_delta = max(0.0, (proc_cpu - last_proc) - loop_delta)
            self.ticks.append(_Tick(now, max(0.0, (now - due) * 1000), loop_delta * 1000, other_delta * 1000))
            last_loop, last_proc = loop_cpu, proc_cpu

    # -- reading --------------------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        ticks = list(self.ticks)
        stalls = [t for t in ticks if t.lag_ms > STALL_MS]
        gc_pauses = list(self.gc_pauses)
        background = list(self.cycles)
        cycles = [c for c in background if c.label == "cycle"]
        flushes = [c for c in background if c.label == "flush"]
        return {
            "seconds": round(time.perf_counter() - self.started, 3),
            "tick_interval_ms": self.interval * 1000,
            "loop_lag": _percentiles([t.lag_ms for t in ticks]),
            "stalls": self._attribute(stalls, gc_pauses, background),
            "request_phases": {
                name: _percentiles(getattr(self.phases, name))
                for name in ("pre", "upstream", "post", "total")
            },
            "gc_pauses": self._gc_summary(gc_pauses),
            "detection_cycles": {
                "n": len(cycles),
                "wall": _percentiles([(c.end - c.start) * 1000 for c in cycles]),
                "gateway_cpu_ms": _percentiles([c.cpu_ms for c in cycles]),
            },
            "flushes": {
                "n": len(flushes),
                "wall": _percentiles([(c.end - c.start) * 1000 for c in flushes]),
            },
        }

    def _attribute(
        self, stalls: list[_Tick], gc_pauses: list[_Span], background: list[_Span]
    ) -> dict[str, Any]:
        """Why each late tick was late: the stall is the window [woke - lag, woke]."""
        causes: dict[str, list[float]] = {}
        for tick in stalls:
            window = (tick.at - tick.lag_ms / 1000 - self.interval, tick.at)
            # GC holds the GIL whichever thread runs it, so any collection in the window stalls the loop.
            gc_ms = sum(_overlap_ms(window, p) for p in gc_pauses)
            if gc_ms >= 0.5 * tick.lag_ms:
                cause = "gc"
            elif tick.loop_cpu_ms >= 0.5 * tick.lag_ms:
                cause = "loop_busy"
            elif tick.other_cpu_ms >= 0.5 * tick.lag_ms:
                cause = "other_threads_gil"
            else:
                cause = "machine"
            for label in ("cycle", "flush"):
                if any(c.label == label and _overlaps(window, c) for c in background):
                    cause += f"+during_{label}"
            causes.setdefault(cause, []).append(tick.lag_ms)
        return {
            "threshold_ms": STALL_MS,
            "n": len(stalls),
            "total_ms": round(sum(t.lag_ms for t in stalls), 1),
            "by_cause": {
                cause: {"n": len(lags), "total_ms": round(sum(lags), 1), "max_ms": round(max(lags), 3)}
                for cause, lags in sorted(causes.items())
            },
        }

    @staticmethod
    def _gc_summary(pauses: list[_Span]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for label in sorted({p.label for p in pauses}):
            durations = [(p.end - p.start) * 1000 for p in pauses if p.label == label]
            out[label] = {
                "n": len(durations),
                "total_ms": round(sum(durations), 2),
                "max_ms": round(max(durations), 3),
            }
        return out


def _overlaps(window: tuple[float, float], span: _Span) -> bool:
    return span.start < window[1] and span.end > window[0]


def _overlap_ms(window: tuple[float, float], span: _Span) -> float:
    return max(0.0, min(window[1], span.end) - max(window[0], span.start)) * 1000
