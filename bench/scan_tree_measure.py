"""One whole scan in this process, with the CPU of every process of the tree and the tree's peak RSS.

Usage: ``PYTHONPATH=SRC .venv/bin/python bench/scan_tree_measure.py TRAFFIC.jsonl [EVERY]`` prints one JSON
line (``EVERY``: parse every EVERY-th part in this process, ``AUTO_MAPPED_LOCAL_EVERY``, default 3):
wall seconds, CPU seconds of this process and of its helpers (the forkserver and the background parse
worker, sampled every 50 ms with psutil, so a helper's last ~50 ms may be missed), this process's CPU and
RSS when the fingerprint stage ends (just after ``pipeline.release_free_memory``), the peak RSS of the
tree with when it happened, how many parts this process parsed itself, the wall time it blocked on the
worker's results (and spent on work ahead instead), whether the classifier was trained in this run
(``classifier_trained``: false when it came from the on-disk cache, see docs/fingerprint.md; run once to
fill the cache before measuring), and the result's size. With ``SCAN_RESULT_DIGEST=PATH`` it also writes the
detection result as JSON (``detect._compare.result_digest``) to compare runs with
``result_differences``. Point ``PYTHONPATH`` at another checkout's ``src`` (e.g. ``git archive main src |
tar -x -C /tmp/base``) to measure old code against new; run them one after the other under ``nice -n 5``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import psutil

import distillguard
import distillguard.ingest._parallel as parallel
import distillguard.ingest._read as read
import distillguard.pipeline as pipeline
from distillguard.fingerprint import Fingerprinter

_STARTED = time.perf_counter()


class _Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.done = threading.Event()
        self.peak = 0
        self.peak_at: tuple[float, int, int] = (0.0, 0, 0)
        self.cpu: dict[int, float] = {}

    def sample(self) -> None:
        me = psutil.Process()
        total = main = 0
        for process in [me, *me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                rss = process.memory_info().rss
                total += rss
                main = rss if process.pid == me.pid else main
                times = process.cpu_times()
                self.cpu[process.pid] = times.user + times.system
        if total > self.peak:
            elapsed = round(time.perf_counter() - _STARTED, 1)
            self.peak, self.peak_at = total, (elapsed, main >> 20, (total - main) >> 20)

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.sample()


def main() -> None:
    local: list[int] = []
    marks: dict[str, float] = {}
    run_task, release = parallel.run_task, pipeline.release_free_memory

    def counting(*args: Any, **kwargs: Any) -> Any:  # parts this process parses itself
        local.append(1)
        return run_task(*args, **kwargs)

    # Pickled by name for the worker, where it resolves to the real run_task.
    counting.__module__, counting.__qualname__ = run_task.__module__, run_task.__qualname__
    parallel.run_task = counting

    def marking() -> None:
        release()
        times = psutil.Process().cpu_times()
        marks["fingerprint_phase_wall"] = time.perf_counter() - start
        marks["fingerprint_phase_main_cpu"] = times.user + times.system
        marks["main_rss_entering_detection_mb"] = psutil.Process().memory_info().rss >> 20

    pipeline.release_free_memory = marking
    # Wall time this process blocks on the worker's results, and spends on work ahead while it would wait
    # (``Fingerprinter.work_ahead``; absent from older code).
    waits = {"blocked_on_worker_s": 0.0, "work_ahead_s": 0.0}
    blocking_result = Future.result

    def timed_result(self: Future[Any], timeout: float | None = None) -> Any:
        began = time.perf_counter()
        try:
            return blocking_result(self, timeout)
        finally:
            waits["blocked_on_worker_s"] += time.perf_counter() - began

    Future.result = timed_result  # type: ignore[method-assign]
    work_ahead = getattr(Fingerprinter, "work_ahead", None)
    if work_ahead is not None:

        def timed_work_ahead(self: Fingerprinter) -> bool:
            began = time.perf_counter()
            try:
                return bool(work_ahead(self))
            finally:
                waits["work_ahead_s"] += time.perf_counter() - began

        Fingerprinter.work_ahead = timed_work_ahead  # type: ignore[method-assign]
    sampler = _Sampler()
    sampler.start()
    start = time.perf_counter()
    if len(sys.argv) > 2:  # the share of parts this process parses itself, for the experiment
        read.AUTO_MAPPED_LOCAL_EVERY = int(sys.argv[2])
    report = pipeline.scan([Path(sys.argv[1])], quarantine_path=Path(sys.argv[1] + ".quarantine.jsonl"))
    wall = time.perf_counter() - start
    sampler.sample()
    sampler.done.set()
    sampler.join()
    times = psutil.Process().cpu_times()
    helpers = sum(cpu for pid, cpu in sampler.cpu.items() if pid != os.getpid())
    result = {
        "src": os.path.dirname(distillguard.__file__),
        "events": report.events,
        "wall_s": round(wall, 1),
        "cpu_main_s": round(times.user + times.system, 1),
        "cpu_helpers_s": round(helpers, 1),
        **{key: round(value, 1) for key, value in marks.items()},
        **{key: round(value, 1) for key, value in waits.items()},
        "peak_tree_mb": sampler.peak >> 20,
        "peak_at_s_main_mb_helpers_mb": sampler.peak_at,
        "parts_parsed_here": len(local),
        "local_every": read.AUTO_MAPPED_LOCAL_EVERY,
        "flagged": sum(1 for account in report.result.accounts if account.flagged),
        "campaigns": len(report.result.campaigns),
        # False when the classifier came from the on-disk cache (a first scan on a machine trains it).
        "classifier_trained": "sklearn" in sys.modules,
        "load": round(os.getloadavg()[0], 1),
    }
    digest_path = os.environ.get("SCAN_RESULT_DIGEST")
    if digest_path:  # the detection result as plain data, for ``detect._compare.result_differences``
        from distillguard.detect._compare import result_digest

        Path(digest_path).write_text(json.dumps(result_digest(report.result)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
