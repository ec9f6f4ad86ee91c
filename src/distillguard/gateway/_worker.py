"""Detection in a worker process, so that its CPU-bound work never competes with requests for the GIL.

The worker builds its detector once (the warm history is read there, not in the gateway), then answers
each cycle: the worker keeps its own copy of the window, and each cycle sends it only the lines recorded
since the last one (a ``WindowDelta``), so that the gateway process never joins, pickles and pipes the
whole window (up to 200,000 lines, holding the GIL for tens of milliseconds) while it serves requests.
A ``DetectionResult`` (frozen, picklable records) comes back.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, runtime_checkable

import orjson

from distillguard.detect.types import DetectionResult
from distillguard.gateway.events import WindowDelta, WindowMirror


@runtime_checkable
class JsonlDetector(Protocol):
    """A detector that takes the window as canonical JSONL bytes (no per-event objects needed)."""

    def detect_jsonl(self, data: bytes) -> DetectionResult: ...


@runtime_checkable
class DeltaDetector(Protocol):
    """A detector that keeps its own copy of the window and is sent only what changed."""

    def detect_delta(self, delta: WindowDelta) -> DetectionResult: ...


class WindowOutOfSyncError(Exception):
    """The worker's window copy does not end where the delta starts: send the whole window."""


# The worker runs at a lower CPU priority than the gateway: where detection and requests compete for a
# core, the kernel runs the request first and detection takes the idle time (a cycle takes a little
# longer on a busy host; a request does not wait behind a cycle).
WORKER_NICENESS = 10

_detector: Any = None
_mirror = WindowMirror()


def _init(factory: Callable[[], Any], niceness: int = WORKER_NICENESS) -> None:
    global _detector
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)
    _detector = factory()


def _ready() -> None:
    """Nothing: submitted at construction so that the worker (and its detector) starts right away."""


def _detect_delta(delta: WindowDelta) -> DetectionResult:
    if not _mirror.apply(delta):
        raise WindowOutOfSyncError(f"worker window ends at {_mirror.seq}, delta starts at {delta.start}")
    return _detect(_mirror.jsonl())


def _detect(data: bytes) -> DetectionResult:
    if isinstance(_detector, JsonlDetector):
        return _detector.detect_jsonl(data)
    events = [orjson.loads(line) for line in data.splitlines() if line.strip()]
    result: DetectionResult = _detector(events)
    return result


class ProcessDetector:
    """Runs ``factory()``'s detector in one spawned worker process (``factory`` must be picklable)."""

    def __init__(self, factory: Callable[[], Any], niceness: int = WORKER_NICENESS) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_init, initargs=(factory, niceness)
        )
        # Start the worker now (spawning it and reading the warm history take seconds of CPU), not at
        # the first cycle while requests are being served.
        self._pool.submit(_ready)

    def detect_delta(self, delta: WindowDelta) -> DetectionResult:
        return self._pool.submit(_detect_delta, delta).result()

    def detect_jsonl(self, data: bytes) -> DetectionResult:
        return self._pool.submit(_detect, data).result()

    def __call__(self, events: list[dict[str, Any]]) -> DetectionResult:
        return self.detect_jsonl(b"".join(orjson.dumps(event) + b"\n" for event in events))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
