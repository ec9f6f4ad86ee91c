"""Where the scan's parse worker sits idle between its parts, and why.

Usage: ``PYTHONPATH=SRC .venv/bin/python bench/worker_gaps.py TRAFFIC.jsonl``. Runs one scan in this process.
Every task the pool runs is wrapped (in the worker) so that it logs its wall-clock start and end; this
process logs when each task was submitted and when its result arrived (the future's done callback, on the
pool's thread). Between two parts the worker is idle either because the next part was not submitted yet
(this process had not got round to it: the share of work) or after it was (the time to hand the result
back and take the next part). Prints both, the median hand-over (worker's end to result received), and the
catalog's unsigned templates at the end of the fingerprint phase. Works with old code (``PYTHONPATH``).
"""

from __future__ import annotations

import functools
import itertools
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import distillguard.pipeline as pipeline

SPANS = Path(os.environ.setdefault("WORKER_GAPS_LOG", tempfile.mktemp(prefix="worker-gaps-")))


def timed_call(function: Any, task: Any, *args: Any, **kwargs: Any) -> Any:
    """Runs in the worker: the task, and a line with its start and end (wall clock, shared by processes)."""
    began = time.time()
    result = function(task, *args, **kwargs)
    with open(os.environ["WORKER_GAPS_LOG"], "a") as log:
        log.write(f"{task.byte_range[0] if task.byte_range else -1} {began:.4f} {time.time():.4f}\n")
    return result


def main() -> None:
    submitted: dict[int, float] = {}
    received: dict[int, float] = {}
    submit = ProcessPoolExecutor.submit

    def logged_submit(self: ProcessPoolExecutor, function: Any, *args: Any, **kwargs: Any) -> Any:
        if not args:  # the launch's no-op
            return submit(self, function, *args, **kwargs)
        key = args[0].byte_range[0] if args[0].byte_range else -1
        submitted[key] = time.time()
        future = submit(self, functools.partial(timed_call, function), *args, **kwargs)
        future.add_done_callback(lambda _: received.__setitem__(key, time.time()))
        return future

    ProcessPoolExecutor.submit = logged_submit  # type: ignore[method-assign]
    ended: dict[str, Any] = {}
    start_clusters = pipeline.PendingClusters.start

    def phase_end(catalog: Any, *args: Any, **kwargs: Any) -> Any:
        ended["at"] = time.time()
        signed = getattr(catalog, "_signed", None)
        if signed is not None:
            unsigned = ~signed[: len(catalog)]
            ended["unsigned"] = (
                int(unsigned.sum()),
                int((unsigned & (catalog._counts[: len(catalog)] > 1)).sum()),
            )
        return start_clusters(catalog, *args, **kwargs)

    pipeline.PendingClusters.start = phase_end  # type: ignore[method-assign]
    began = time.time()
    traffic = Path(sys.argv[1])
    pipeline.scan([traffic], quarantine_path=Path(tempfile.mkdtemp()) / "quarantine.jsonl")
    spans = sorted((float(s), float(e), int(k)) for k, s, e in (line.split() for line in SPANS.open()))
    SPANS.unlink()
    waiting = after_submit = 0.0
    for (_, end, _), (start, _, key) in itertools.pairwise(spans):
        before = max(0.0, min(start, submitted.get(key, 0.0)) - end)
        waiting, after_submit = waiting + before, after_submit + (start - end - before)
    handover = [received[key] - end for _, end, key in spans if key in received]
    busy = sum(end - start for start, end, _ in spans)
    print(
        f"fingerprint phase {ended['at'] - began:.1f} s; the worker ran {len(spans)} parts, busy {busy:.1f} s"
    )
    print(
        f"idle between parts: {waiting:.2f} s before the next part was submitted, {after_submit:.2f} s after"
    )
    print(f"worker's end to result received: median {statistics.median(handover) * 1000:.1f} ms")
    if "unsigned" in ended:
        total, repeated = ended["unsigned"]
        print(
            f"unsigned templates at the end of the phase: {total:,} ({repeated:,} requested more than once)"
        )
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
