"""The default detector: the scan pipeline's detection over the gateway's window plus ``--warm`` history.

Kept apart from the gateway so that the gateway runs with any ``Detector`` (tests inject a small double).

Each cycle gives the same result as ``pipeline.detect_events(warm + window)`` (a test holds it to that),
but the warm history is fingerprinted once, not every cycle: the fingerprinter's state after the warm
history is copied and only the window's events go through the copy. Fingerprinting is most of a cycle's
cost, so a cycle then costs about what detection over the events costs.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pyarrow as pa

from distillguard.config import ScanConfig
from distillguard.detect import detect
from distillguard.detect.types import DetectionResult
from distillguard.errors import ConfigError
from distillguard.fingerprint import Fingerprinter
from distillguard.fingerprint.schema import FINGERPRINT_SCHEMA
from distillguard.ingest import Quarantine, read_events

WINDOW_FILE = "window.jsonl"


def engine_available() -> None:
    """Raise ``ConfigError`` unless the detection engine is importable (it is, in this build)."""
    try:
        from distillguard import pipeline  # noqa: F401
    except ImportError as exc:  # pragma: no cover - only in a broken install
        raise ConfigError(f"the detection engine is not available in this build ({exc})") from exc


class PipelineDetector:
    """Detection over the warm history (read once, any ingest format) and the live window.

    The window's canonical events go through the same reader ``distillguard scan`` uses, so the gateway's
    detections are those a scan of the same traffic would make.
    """

    def __init__(self, warm: Sequence[Path], scratch_dir: Path, config: ScanConfig | None = None) -> None:
        self.config = config or ScanConfig()
        self.scratch_dir = scratch_dir
        scratch_dir.mkdir(parents=True, exist_ok=True)
        with Quarantine(scratch_dir / "warm-quarantine.jsonl") as quarantine:
            warm_batches = list(read_events(list(warm), fmt="auto", quarantine=quarantine))
            self.warm_quarantined = quarantine.count
        self.warm_events = sum(batch.num_rows for batch in warm_batches)
        self._fingerprinter = Fingerprinter(self.config.fingerprint)
        self._warm = [self._fingerprinter.fingerprint(batch) for batch in warm_batches]

    def __call__(self, events: list[dict[str, Any]]) -> DetectionResult:
        return self.detect_jsonl(b"".join(orjson.dumps(event) + b"\n" for event in events))

    def detect_jsonl(self, data: bytes) -> DetectionResult:
        fingerprinter = copy.deepcopy(self._fingerprinter)  # the state right after the warm history
        reduced = list(self._warm)
        if data.strip():
            path = self.scratch_dir / WINDOW_FILE
            path.write_bytes(data)
            with Quarantine(None) as quarantine:
                for batch in read_events([path], fmt="canonical", quarantine=quarantine):
                    reduced.append(fingerprinter.fingerprint(batch))
        frame = pl.from_arrow(pa.Table.from_batches(reduced, schema=FINGERPRINT_SCHEMA))
        assert isinstance(frame, pl.DataFrame)
        return detect(frame, fingerprinter.catalog, self.config.detect)


def make_pipeline_detector(warm: Sequence[Path], scratch_dir: Path) -> PipelineDetector:
    """Module-level (so picklable) factory for ``ProcessDetector``."""
    return PipelineDetector(warm, scratch_dir)
