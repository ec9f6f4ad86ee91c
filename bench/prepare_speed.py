"""CPU time of ``fingerprint.prepare`` (the stateless half of the stage), old code against new.

``prepare`` is what a scan's parse worker runs on two of every three parts (masking, hashes, payload
words). This times it alone, in batches the size a scan uses (one 16 MB part: ~12,200 events of the
bench speed file), with the fingerprint package of a git revision (``--baseline``, loaded as
``fp_baseline`` like ``bench/fingerprint_speed.py`` does) and with this tree, interleaved round by round
in one process, and checks that both give the same prepared batches (event columns, template skeletons,
system skeletons: ``RecordBatch.equals``).

Usage (CPU seconds of this process; set ``POLARS_MAX_THREADS=1`` for a per-thread number):

    POLARS_MAX_THREADS=1 nice -n 5 .venv/bin/python bench/prepare_speed.py --input LOG --baseline main

``--only baseline|current`` times one variant, so that a shell loop can alternate fresh processes:

    for round in 1 2; do for v in baseline current; do
        POLARS_MAX_THREADS=1 nice -n 5 .venv/bin/python bench/prepare_speed.py --input LOG --only $v \
            --rounds 1
    done; done

This is a measurement, not a test; numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fingerprint_speed import _variant, baseline_dir

from distillguard.ingest import Quarantine, read_events


def _prepare_all(module: ModuleType, batches: list[pa.RecordBatch]) -> tuple[float, list[object]]:
    started = time.process_time()
    prepared = [module.prepare(batch) for batch in batches]
    return time.process_time() - started, prepared


def _same(old: list[object], new: list[object]) -> bool:
    return all(
        a.events.equals(b.events) and a.templates.equals(b.templates) and a.systems.equals(b.systems)  # type: ignore[attr-defined]
        for a, b in zip(old, new, strict=True)
    )


def compare(path: str, revision: str, rounds: int, batch_rows: int, only: str | None = None) -> None:
    directory = str(baseline_dir(revision))
    names = [only] if only else ["baseline", "current"]
    variants = {name: _variant(name, directory) for name in names}
    batches = list(read_events([path], quarantine=Quarantine(None), batch_rows=batch_rows))
    events = sum(b.num_rows for b in batches)
    threads = os.environ.get("POLARS_MAX_THREADS", "default")
    print(
        f"{events:,} events in {len(batches)} batches from {path}; baseline = {revision}; polars threads "
        f"{threads}; load {os.getloadavg()[0]:.1f}"
    )
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    outputs: dict[str, list[object]] = {}
    for _ in range(rounds):
        for name, module in variants.items():
            seconds, outputs[name] = _prepare_all(module, batches)
            cpu[name].append(seconds)
    for name in variants:
        times = ", ".join(f"{t:.2f}" for t in cpu[name])
        print(
            f"  {name:>8}: best {min(cpu[name]):.2f} s, median {statistics.median(cpu[name]):.2f} s "
            f"(rounds {times}) = {events / min(cpu[name]):,.0f} events/CPU-s"
        )
    if only:
        return
    print(
        f"  CPU ratio new/old: best {min(cpu['current']) / min(cpu['baseline']):.3f}, "
        f"median {statistics.median(cpu['current']) / statistics.median(cpu['baseline']):.3f}"
    )
    print(f"  prepared batches identical: {_same(outputs['baseline'], outputs['current'])}")
    print(f"  load at the end {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--input", required=True, help="request log (any ingest format)")
    parser.add_argument("--baseline", default="main", help="git revision to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds")
    parser.add_argument("--batch-rows", type=int, default=12_200, help="rows per batch (a scan's part)")
    parser.add_argument(
        "--only", choices=("baseline", "current"), default=None, help="time one variant (a fresh process)"
    )
    args = parser.parse_args()
    compare(args.input, args.baseline, args.rounds, args.batch_rows, args.only)


if __name__ == "__main__":
    main()
