"""The default detector: the real detection pipeline over the gateway's window plus ``--warm`` history.

Kept apart from the gateway so that the gateway runs with any ``Detector`` (tests inject a small double).
The engine's modules are looked up at construction, so a build without them fails with one clear message
instead of an import error at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from distillguard.detect.types import DetectionResult
from distillguard.errors import ConfigError

WINDOW_FILE = "window.jsonl"


def engine_available() -> None:
    """Raise ``ConfigError`` unless the detection engine is importable."""
    _engine()


def _engine() -> tuple[Any, Any]:
    try:
        ingest = importlib.import_module("distillguard.ingest")
        pipeline = importlib.import_module("distillguard.pipeline")
        return ingest, pipeline
    except ImportError as exc:
        raise ConfigError(f"the detection engine is not available in this build ({exc})") from exc


class PipelineDetector:
    """``pipeline.detect_events`` over the warm history (read once, in any ingest format) and the window.

    The window's canonical events go through the same reader ``distillguard scan`` uses, so the gateway's
    detections are those a scan of the same traffic would make.
    """

    def __init__(self, warm: Sequence[Path], scratch_dir: Path, config: Any = None) -> None:
        self._ingest, self._pipeline = _engine()
        if not hasattr(self._pipeline, "detect_events") or not hasattr(self._ingest, "read_events"):
            raise ConfigError("the detection engine in this build has no detect_events/read_events")
        self.config = config
        self.scratch_dir = scratch_dir
        scratch_dir.mkdir(parents=True, exist_ok=True)
        with self._ingest.Quarantine(scratch_dir / "warm-quarantine.jsonl") as quarantine:
            self._warm = list(self._ingest.read_events(list(warm), fmt="auto", quarantine=quarantine))
            self.warm_quarantined = int(quarantine.count)
        self.warm_events = sum(batch.num_rows for batch in self._warm)

    def __call__(self, events: list[dict[str, Any]]) -> DetectionResult:
        return self.detect_jsonl(b"".join(orjson.dumps(event) + b"\n" for event in events))

    def detect_jsonl(self, data: bytes) -> DetectionResult:
        batches = list(self._warm)
        if data.strip():
            path = self.scratch_dir / WINDOW_FILE
            path.write_bytes(data)
            with self._ingest.Quarantine(None) as quarantine:
                batches.extend(self._ingest.read_events([path], fmt="canonical", quarantine=quarantine))
        result: DetectionResult = self._pipeline.detect_events(batches, self.config)
        return result


def make_pipeline_detector(warm: Sequence[Path], scratch_dir: Path) -> PipelineDetector:
    """Module-level (so picklable) factory for ``ProcessDetector``."""
    return PipelineDetector(warm, scratch_dir)
