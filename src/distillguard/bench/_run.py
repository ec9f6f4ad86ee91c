"""``distillguard bench``: detection quality, time to first detection, speed and memory, in one run.

Everything is measured side by side in the same run on the same machine, and speed is also given as a
ratio to merely parsing the same file, because absolute numbers on a shared machine are noisy.
"""

from __future__ import annotations

import functools
import os
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from distillguard.bench._labels import AccountLabel, Scorecard, read_labels, score_accounts
from distillguard.bench._measure import Measurement, measure_in_subprocess, parse_only
from distillguard.bench._prefix import write_prefix
from distillguard.bench._scenarios import Scenario, scenarios
from distillguard.pipeline import scan
from distillguard.report import parse_ts

DETECTION_HORIZONS_H = (6, 12, 24)

Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class QualityRun:
    scenario: Scenario
    events: int
    seconds: float
    card: Scorecard


@dataclass(frozen=True, slots=True)
class FirstDetection:
    scenario: str
    campaign_id: str
    population: str
    detected_by_hours: dict[int, bool]


@dataclass(frozen=True, slots=True)
class SpeedRun:
    events: int
    parse: Measurement
    scan: Measurement

    @property
    def ratio(self) -> float:
        return self.scan.seconds / self.parse.seconds if self.parse.seconds else float("inf")


@dataclass(slots=True)
class BenchResults:
    started: datetime
    quick: bool
    quality: list[QualityRun] = field(default_factory=list)
    first_detection: list[FirstDetection] = field(default_factory=list)
    speed: SpeedRun | None = None


def run_bench(
    work_dir: Path | None,
    *,
    quick: bool,
    log: Log,
    checkpoint: Callable[[BenchResults], None] = lambda _: None,
) -> BenchResults:
    """Run every section; ``checkpoint`` gets the results so far after each one, so a long run that
    fails late still leaves its numbers."""
    results = BenchResults(started=datetime.now(UTC), quick=quick)
    with tempfile.TemporaryDirectory(prefix="distillguard-bench-") as tmp:
        root = work_dir or Path(tmp)
        for scenario in scenarios(quick):
            log(f"quality: {scenario.name}")
            traffic, labels_path = scenario.generate(root / scenario.name)
            labels = read_labels(labels_path)
            results.quality.append(_quality(scenario, traffic, labels, root))
            checkpoint(results)
            if scenario.generator == "simulator" and not results.first_detection:
                log(f"time to first detection: {scenario.name}")
                results.first_detection.extend(_first_detection(scenario, traffic, labels, root))
                checkpoint(results)
        log("speed and memory")
        results.speed = _speed(root, quick)
        checkpoint(results)
    return results


def _quality(scenario: Scenario, traffic: Path, labels: dict[str, AccountLabel], root: Path) -> QualityRun:
    started = time.perf_counter()
    report = scan([traffic], quarantine_path=root / f"{scenario.name}.quarantine.jsonl")
    seconds = time.perf_counter() - started
    return QualityRun(scenario, report.events, seconds, score_accounts(report.result.accounts, labels))


def _first_detection(
    scenario: Scenario, traffic: Path, labels: dict[str, AccountLabel], root: Path
) -> list[FirstDetection]:
    starts = _campaign_starts(traffic, labels)
    found: list[FirstDetection] = []
    for campaign_id, start in sorted(starts.items()):
        members = {a for a, label in labels.items() if label.campaign_id == campaign_id}
        population = next(labels[a].population for a in members)
        by_hours: dict[int, bool] = {}
        for hours in DETECTION_HORIZONS_H:
            prefix = root / f"{scenario.name}-{campaign_id}-{hours}h.jsonl"
            write_prefix(traffic, start + timedelta(hours=hours), prefix)
            report = scan([prefix], quarantine_path=prefix.with_suffix(".quarantine.jsonl"))
            by_hours[hours] = any(v.flagged and v.account_id in members for v in report.result.accounts)
            prefix.unlink()
        found.append(FirstDetection(scenario.name, campaign_id, population, by_hours))
    return found


def _campaign_starts(traffic: Path, labels: dict[str, AccountLabel]) -> dict[str, datetime]:
    """When each labelled campaign sent its first request (the traffic file is sorted by time)."""
    starts: dict[str, datetime] = {}
    with traffic.open("rb") as handle:
        for line in handle:
            event = orjson.loads(line)
            label = labels.get(str(event.get("account_id")))
            if label is None or label.campaign_id is None or label.campaign_id in starts:
                continue
            starts[label.campaign_id] = parse_ts(event["ts"])
    return starts


def _speed(root: Path, quick: bool) -> SpeedRun:
    # About a million events from the simulator (10 days at 1.4x); a tenth of that in quick mode.
    scenario = Scenario("speed", "simulator", "A", 99, 0.15 if quick else 1.4, 10)
    traffic, _ = scenario.generate(root / "speed")
    parse = measure_in_subprocess(functools.partial(parse_only, traffic))
    scanned = measure_in_subprocess(functools.partial(_scan_count, traffic, root / "speed.quarantine.jsonl"))
    return SpeedRun(events=parse.value, parse=parse, scan=scanned)


def _scan_count(traffic: Path, quarantine: Path) -> int:
    return scan([traffic], quarantine_path=quarantine).events


def machine_line() -> str:
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{python}, {os.cpu_count()} cores, {platform.machine()}"
