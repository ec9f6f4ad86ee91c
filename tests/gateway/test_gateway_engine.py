"""The gateway's detector gives exactly what the scan pipeline gives over the same events."""

from __future__ import annotations

from pathlib import Path

import orjson

from distillguard.gateway._engine import PipelineDetector
from distillguard.gateway.demo import HARVEST_SYSTEM, harvest_prompt
from distillguard.ingest import Quarantine, read_events
from distillguard.pipeline import detect_events
from distillguard.simulate import SimulationConfig, simulate


def _live_events() -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    for i in range(30):
        messages = [
            {"role": "system", "content": HARVEST_SYSTEM},
            {"role": "user", "content": harvest_prompt(i)},
        ]
        events.append(
            {
                "ts": f"2026-03-02T12:{i:02d}:00Z",
                "account_id": "acct_live",
                "request": {"model": "mock-small", "messages": messages, "max_tokens": 4096},
                "response": {"choices": [{"finish_reason": "stop"}], "usage": {"completion_tokens": 900}},
                "status": 200,
            }
        )
    return events


def test_incremental_detection_equals_the_pipeline(tmp_path: Path) -> None:
    config = {"platform": "A", "days": 1, "seed": 11, "scale": 0.02, "out_dir": tmp_path / "sim"}
    warm = [simulate(SimulationConfig.from_dict(config)).traffic_path]
    detector = PipelineDetector(warm, tmp_path / "scratch")
    live = _live_events()
    first = detector(live)
    second = detector(live)  # the cached warm state is not changed by a cycle
    window = tmp_path / "window.jsonl"
    window.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in live))
    with Quarantine(None) as quarantine:
        batches = list(read_events(warm, fmt="auto", quarantine=quarantine))
        batches += list(read_events([window], fmt="canonical", quarantine=quarantine))
    assert first == detect_events(batches) == second
    assert any(v.account_id == "acct_live" for v in first.accounts)
