"""Run a mix, sort the events by time and write ``traffic.jsonl``, ``labels.jsonl`` and ``summary.json``."""

from __future__ import annotations

import heapq
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from distillguard.bench.holdout._clock import make_window, rfc3339
from distillguard.bench.holdout._context import Ctx
from distillguard.bench.holdout._event import Sink, write_lines
from distillguard.bench.holdout._mixes import MIXES, POPULATIONS
from distillguard.bench.holdout._models import NEW_MODEL
from distillguard.bench.holdout._rand import streams
from distillguard.errors import ConfigError

# Events held in memory before a sorted run is spilled to disk (keeps memory flat at large scales).
SPILL_EVENTS = 200_000


@dataclass(frozen=True)
class HoldoutSummary:
    """What was generated, where, and how fast."""

    traffic_path: Path
    labels_path: Path
    seed: int
    hours: int
    scale: float
    mix: str
    window_start: str
    window_end: str
    new_model: str
    new_model_release: str
    events: int
    accounts: int
    malicious_accounts: int
    campaigns: dict[str, str] = field(default_factory=dict)  # campaign id -> population
    events_by_population: dict[str, int] = field(default_factory=dict)
    accounts_by_population: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Everything but the run time, so the file is as deterministic as the data."""
        return {
            "seed": self.seed,
            "hours": self.hours,
            "scale": self.scale,
            "mix": self.mix,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "new_model": self.new_model,
            "new_model_release": self.new_model_release,
            "events": self.events,
            "accounts": self.accounts,
            "malicious_accounts": self.malicious_accounts,
            "campaigns": self.campaigns,
            "events_by_population": self.events_by_population,
            "accounts_by_population": self.accounts_by_population,
        }


def generate(
    out_dir: Path, *, seed: int, hours: int = 48, scale: float = 1.0, mix: str = "default"
) -> HoldoutSummary:
    """Generate holdout traffic and ground-truth labels into ``out_dir``."""
    if mix not in MIXES:
        raise ConfigError(f"unknown holdout mix '{mix}'", choices=", ".join(sorted(MIXES)))
    if hours < 1:
        raise ConfigError("hours must be at least 1", hours=hours)
    if scale <= 0:
        raise ConfigError("scale must be positive", scale=scale)
    began = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    traffic_path, labels_path = out_dir / "traffic.jsonl", out_dir / "labels.jsonl"
    meta_rng, _ = streams(seed, "window")
    window = make_window(seed, hours, release_fraction=meta_rng.uniform(0.3, 0.45))
    sink_rng, _ = streams(seed, "edge")
    with tempfile.TemporaryDirectory(prefix="holdout-", dir=out_dir) as spill_dir:
        sink = Sink(window, sink_rng, spill_dir=Path(spill_dir), spill_events=SPILL_EVENTS)
        for share in MIXES[mix]:
            rng, nrng = streams(seed, mix, share.population)
            # Sizes and volumes vary by up to a third from seed to seed, so no count is a constant.
            jitter, volume = rng.uniform(0.75, 1.3), share.volume * rng.uniform(0.75, 1.3)
            ctx = Ctx(window=window, sink=sink, rng=rng, nrng=nrng, volume=volume, cover=share.cover)
            POPULATIONS[share.population].generate(ctx, share.accounts_at(scale, jitter))
        events = _write_sorted(traffic_path, sink.sorted_runs())
    summary = _summarise(sink, labels_path, traffic_path, events, seed, hours, scale, mix)
    summary = replace(summary, seconds=time.perf_counter() - began)
    (out_dir / "summary.json").write_bytes(orjson.dumps(summary.to_dict(), option=orjson.OPT_INDENT_2))
    return summary


def _write_sorted(path: Path, runs: list[Iterator[bytes]]) -> int:
    """Merge time-sorted runs (the timestamp leads every line and has a fixed width) into one file."""
    merged = runs[0] if len(runs) == 1 else heapq.merge(*runs, key=_ts_key)
    with path.open("wb") as out:
        return write_lines(out, merged)


def _ts_key(line: bytes) -> bytes:
    return line[:40]


def _summarise(
    sink: Sink,
    labels_path: Path,
    traffic_path: Path,
    events: int,
    seed: int,
    hours: int,
    scale: float,
    mix: str,
) -> HoldoutSummary:
    campaigns: dict[str, str] = {}
    events_by_population: dict[str, int] = {}
    accounts_by_population: dict[str, int] = {}
    labels: list[bytes] = []
    malicious = 0
    for account in sink.accounts.values():
        n = sink.counts.get(account.account_id, 0)
        if n == 0:
            continue  # an account that never sent a request in the window is not part of the traffic
        labels.append(orjson.dumps(account.label()))
        events_by_population[account.population] = events_by_population.get(account.population, 0) + n
        accounts_by_population[account.population] = accounts_by_population.get(account.population, 0) + 1
        if account.campaign_id is not None:
            campaigns[account.campaign_id] = account.population
            malicious += 1
    labels_path.write_bytes(b"\n".join(labels) + b"\n" if labels else b"")
    window = sink.window
    return HoldoutSummary(
        traffic_path=traffic_path,
        labels_path=labels_path,
        seed=seed,
        hours=hours,
        scale=scale,
        mix=mix,
        window_start=rfc3339(window.start_ms),
        window_end=rfc3339(window.end_ms),
        new_model=NEW_MODEL,
        new_model_release=rfc3339(window.release_ms),
        events=events,
        accounts=len(labels),
        malicious_accounts=malicious,
        campaigns=campaigns,
        events_by_population=events_by_population,
        accounts_by_population=accounts_by_population,
    )
