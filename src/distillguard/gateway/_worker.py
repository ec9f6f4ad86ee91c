"""Detection in a worker process, so that its CPU-bound work never competes with requests for the GIL.

The worker builds its detector once (the warm history is read there, not in the gateway), then answers
each cycle: the window arrives as one JSONL bytes object and a ``DetectionResult`` (frozen, picklable
records) comes back.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, runtime_checkable

import orjson

from distillguard.detect.types import DetectionResult


@runtime_checkable
class JsonlDetector(Protocol):
    """A detector that takes the window as canonical JSONL bytes (no per-event objects needed)."""

    def detect_jsonl(self, data: bytes) -> DetectionResult: ...


_detector: Any = None


def _init(factory: Callable[[], Any]) -> None:
    global _detector
    _detector = factory()


def _detect(data: bytes) -> DetectionResult:
    if isinstance(_detector, JsonlDetector):
        return _detector.detect_jsonl(data)
    events = [orjson.loads(line) for line in data.splitlines() if line.strip()]
    result: DetectionResult = _detector(events)
    return result


class ProcessDetector:
    """Runs ``factory()``'s detector in one spawned worker process (``factory`` must be picklable)."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_init, initargs=(factory,)
        )

    def detect_jsonl(self, data: bytes) -> DetectionResult:
        return self._pool.submit(_detect, data).result()

    def __call__(self, events: list[dict[str, Any]]) -> DetectionResult:
        return self.detect_jsonl(b"".join(orjson.dumps(event) + b"\n" for event in events))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
