"""Generate populations in worker processes and merge their sorted days into one time-ordered file.

Each task generates one population for every day into per-day part files (records already sorted by
time). The merge orders records by (time, population position), which is exactly the order of the
single-process run (a stable sort by time over events generated population by population), so the
output is byte-identical whatever the number of workers.
"""

from __future__ import annotations

import heapq
import multiprocessing
import shutil
import struct
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from operator import itemgetter
from pathlib import Path

from distillguard.simulate._events import AccountTally, EventFactory
from distillguard.simulate._model import SimContext
from distillguard.simulate._writer import TrafficWriter
from distillguard.simulate.config import SimulationConfig
from distillguard.simulate.populations import POPULATIONS

_HEADER = struct.Struct("<dI")  # epoch seconds, line length

Tallies = dict[str, tuple[int, float, str]]


def _part_path(parts: Path, position: int, day: int) -> Path:
    return parts / f"{position:03d}-{day:04d}.bin"


def generate_population(config: SimulationConfig, name: str, position: int, parts: Path) -> Tallies:
    """Worker task: every day of one population into sorted part files; returns per-account tallies."""
    ctx = SimContext.from_config(config)
    population = POPULATIONS[name](ctx)
    day_starts = tuple(ctx.start_epoch + day * 86400.0 for day in range(config.days))
    factory = EventFactory(model_roles=ctx.model_roles(), day_starts=day_starts)
    for day in range(config.days):
        lines: list[tuple[float, bytes]] = []
        for account in population.accounts:
            population.day_events(account, day, factory, lines)
        lines.sort(key=itemgetter(0))
        with _part_path(parts, position, day).open("wb") as handle:
            for epoch, line in lines:
                handle.write(_HEADER.pack(epoch, len(line)))
                handle.write(line)
    return {key: (t.events, t.first_seen, t.first_seen_text) for key, t in factory.tallies.items()}


def _records(path: Path, position: int) -> Iterator[tuple[float, int, bytes]]:
    with path.open("rb", buffering=1 << 20) as handle:
        while header := handle.read(_HEADER.size):
            epoch, length = _HEADER.unpack(header)
            yield epoch, position, handle.read(length)


def generate_parallel(
    config: SimulationConfig, names: list[str], workers: int, progress_step: Callable[[], None] | None = None
) -> dict[str, AccountTally]:
    """Generate ``names`` with ``workers`` processes and write the merged traffic file."""
    config.out_dir.mkdir(parents=True, exist_ok=True)
    parts = Path(tempfile.mkdtemp(prefix=".parts-", dir=config.out_dir))
    tallies: dict[str, AccountTally] = {}
    try:
        # "spawn": workers start clean even when the caller runs threads (e.g. a progress display).
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            futures = [
                pool.submit(generate_population, config, name, position, parts)
                for position, name in enumerate(names)
            ]
            for future in as_completed(futures):
                for key, (events, first, text) in future.result().items():
                    tallies[key] = AccountTally(events, first, text)
                if progress_step is not None:
                    progress_step()
        with TrafficWriter(config.traffic_path, config.gzip) as writer:
            for day in range(config.days):
                streams = [
                    _records(_part_path(parts, position, day), position) for position in range(len(names))
                ]
                merged = heapq.merge(*streams, key=itemgetter(0, 1))
                writer.write_lines(line for _, _, line in merged)
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    return tallies
