"""A whole scan's timeline: when each step ran, and how busy each process of the tree was meanwhile.

Usage: ``PYTHONPATH=SRC .venv/bin/python bench/scan_timeline.py TRAFFIC.jsonl [DIGEST.json]``. Prints the
steps of one scan in this process (imports, each part this process finished or parsed, waits for the
parse worker, the end of the fingerprint phase, the template clusters, each stage of ``detect``) with
their start and end (seconds since this process started) and the CPU seconds of this process and of the
worker in each (sampled every 20 ms with psutil), then main and worker CPU second by second, so that the
serial stretches (one CPU of two idle) show, and a summary line (wall, CPU, peak RSS of the tree).

With ``DIGEST.json``, the detection result is written there (``detect._compare.result_digest``) to compare
old code's result with new code's. Point ``PYTHONPATH`` at another checkout's ``src`` to take the timeline
of other code (names it lacks are not patched).
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()

import contextlib  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from concurrent.futures import Future  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import psutil  # noqa: E402

_T_IMPORTS = time.perf_counter() - _T0
import distillguard.pipeline as pipeline  # noqa: E402

_T_PIPELINE = time.perf_counter() - _T0
import distillguard.detect._engine as engine  # noqa: E402
import distillguard.ingest._parallel as parallel  # noqa: E402
from distillguard.fingerprint import Fingerprinter, TemplateCatalog  # noqa: E402

SAMPLE_S = 0.02
_DETECT_STAGES = (
    "_with_clusters", "prefix_column", "_lexical_and_words", "account_features_with_counts",
    "with_end_user_features", "enrich", "score_all", "link", "score_groups", "_assemble",
    "_clusters_started", "_clusters_joined",
)  # fmt: skip


def now() -> float:
    return time.perf_counter() - _T0


class Sampler(threading.Thread):
    """(time, {pid: cpu seconds}) every ``SAMPLE_S``, and the tree's peak RSS."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.done = threading.Event()
        self.samples: list[tuple[float, dict[int, float]]] = []
        self.peak = 0
        self.peak_at = 0.0
        self.names: dict[int, str] = {}

    def sample(self) -> None:
        me = psutil.Process()
        cpu: dict[int, float] = {}
        total = 0
        for process in [me, *me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                cpu[process.pid] = times.user + times.system
                total += process.memory_info().rss
                # The forkserver is this process's child, a worker its grandchild.
                if process.pid not in self.names:
                    self.names[process.pid] = (
                        "main"
                        if process.pid == me.pid
                        else ("forkserver" if process.ppid() == me.pid else "worker")
                    )
        # A process that ended keeps its last CPU time in the samples after it.
        self.samples.append((now(), {**(self.samples[-1][1] if self.samples else {}), **cpu}))
        if total > self.peak:
            self.peak, self.peak_at = total, now()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_S):
            self.sample()

    def cpu_between(self, start: float, end: float) -> dict[int, float]:
        """CPU seconds each process used between two times (nearest samples; a process that ended counts
        up to its last sample)."""
        first = min(self.samples, key=lambda s: abs(s[0] - start))[1]
        last: dict[int, float] = {}
        for at, cpu in self.samples:
            if at > end + SAMPLE_S:
                break
            last.update(cpu)
        return {pid: last[pid] - first.get(pid, 0.0) for pid in last}


def main() -> None:
    marks: list[tuple[str, float, float]] = []

    def timed(owner: Any, name: str, label: str | None = None) -> None:
        function = getattr(owner, name, None)
        if function is None:
            return

        @functools.wraps(function)
        def run(*a: Any, **k: Any) -> Any:
            began = now()
            try:
                return function(*a, **k)
            finally:
                marks.append((label or name, began, now()))

        setattr(owner, name, run)

    run_task = parallel.run_task

    def local_task(*args: Any, **kwargs: Any) -> Any:
        began = now()
        try:
            return run_task(*args, **kwargs)
        finally:
            marks.append(("part parsed here", began, now()))

    local_task.__module__, local_task.__qualname__ = run_task.__module__, run_task.__qualname__
    parallel.run_task = local_task
    blocking = Future.result

    def result(self: Future[Any], timeout: float | None = None) -> Any:
        began = now()
        try:
            return blocking(self, timeout)
        finally:
            if now() - began > 0.005:
                marks.append(("blocked on worker", began, now()))

    Future.result = result  # type: ignore[method-assign]
    timed(Fingerprinter, "finish", "finish (part batch)")
    timed(Fingerprinter, "work_ahead")
    timed(pipeline, "frame_from_batches")
    timed(pipeline, "release_free_memory")
    timed(pipeline, "detect")
    timed(pipeline, "_model_first_seen")
    timed(TemplateCatalog, "to_arrow", "  catalog.to_arrow (last signatures)")
    timed(engine, "signature_clusters", "  signature_clusters (+ to_arrow)")
    thread_cpu: dict[str, float] = {}
    clusters_function = getattr(engine, "template_clusters", None)
    if clusters_function is not None:  # the clusters' own thread: its CPU seconds (``time.thread_time``)

        @functools.wraps(clusters_function)
        def clusters_timed(*a: Any, **k: Any) -> Any:
            began = time.thread_time()
            try:
                return clusters_function(*a, **k)
            finally:
                thread_cpu["clusters_thread_cpu_s"] = round(time.thread_time() - began, 2)

        engine.template_clusters = clusters_timed
    for stage in _DETECT_STAGES:
        timed(engine, stage, f"  detect: {stage}")
    sampler = Sampler()
    sampler.start()
    scan_start = now()
    traffic = Path(sys.argv[1])
    report = pipeline.scan([traffic], quarantine_path=Path(str(traffic) + ".quarantine.jsonl"))
    scan_end = now()
    sampler.sample()
    sampler.done.set()
    sampler.join()
    marks.append(("scan", scan_start, scan_end))
    if len(sys.argv) > 2:  # the result as plain data, for ``detect._compare.result_differences``
        from distillguard.detect._compare import result_digest

        Path(sys.argv[2]).write_text(json.dumps(result_digest(report.result)))
    print_timeline(marks, sampler, scan_start, scan_end, report, thread_cpu)


def merged(marks: list[tuple[str, float, float]], label: str) -> list[tuple[float, float]]:
    """Runs of the same mark closer than 50 ms joined (the parts' finish calls, the work ahead)."""
    spans: list[tuple[float, float]] = []
    for _, start, end in sorted(m for m in marks if m[0] == label):
        if spans and start - spans[-1][1] < 0.05:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def print_timeline(
    marks: list[tuple[str, float, float]],
    sampler: Sampler,
    scan_start: float,
    scan_end: float,
    report: Any,
    thread_cpu: dict[str, float],
) -> None:
    worker_pids = [pid for pid, name in sampler.names.items() if name == "worker"]
    rows: list[tuple[str, float, float]] = [
        ("imports (python, psutil)", 0.0, _T_IMPORTS),
        ("import distillguard.pipeline", _T_IMPORTS, _T_PIPELINE),
    ]
    summed = {"finish (part batch)", "work_ahead", "part parsed here", "blocked on worker"}
    for label in summed:
        for index, (start, end) in enumerate(merged(marks, label)):
            if label != "finish (part batch)" or index < 2 or end > scan_end - 12:
                rows.append((label, start, end))
    rows += [m for m in marks if m[0] not in summed]
    rows.sort(key=lambda row: row[1])
    print(f"{'step':44s} {'start':>7s} {'end':>7s} {'wall':>6s} {'main':>6s} {'worker':>6s} {'other':>6s}")
    for label, start, end in rows:
        cpu = sampler.cpu_between(start, end) if end - start > SAMPLE_S else {}
        main_cpu = cpu.get(os.getpid(), 0.0)
        worker = sum(cpu.get(pid, 0.0) for pid in worker_pids)
        other = sum(cpu.values()) - main_cpu - worker
        times = f"{start:7.2f} {end:7.2f} {end - start:6.2f}"
        print(f"{label:44s} {times} {main_cpu:6.2f} {worker:6.2f} {other:6.2f}")
    print("per second: start, main CPU, worker CPU (a CPU's idle second shows as a gap from 1.0)")
    second = int(scan_start)
    while second < scan_end:
        cpu = sampler.cpu_between(second, second + 1)
        worker = sum(cpu.get(pid, 0.0) for pid in worker_pids)
        print(f"  {second:4d} {cpu.get(os.getpid(), 0.0):5.2f} {worker:5.2f}")
        second += 1
    appeared = [t for t, cpu in sampler.samples if any(pid in cpu for pid in worker_pids)]
    print(f"worker first seen at {appeared[0] if appeared else float('nan'):.2f} s")
    below_one = below_one_half = 0.0
    for (t0, c0), (t1, c1) in zip(sampler.samples, sampler.samples[1:], strict=False):
        if t0 < scan_start:
            continue
        busy = (sum(c1.values()) - sum(c0.get(pid, 0.0) for pid in c1)) / max(t1 - t0, 1e-9)
        below_one += (t1 - t0) * (busy < 1.0)
        below_one_half += (t1 - t0) * (busy < 1.5)
    total_cpu = sampler.cpu_between(scan_start, scan_end)
    summary = {
        "scan_wall_s": round(scan_end - scan_start, 2),
        "import_pipeline_s": round(_T_PIPELINE - _T_IMPORTS, 2),
        "cpu_main_s": round(total_cpu.get(os.getpid(), 0.0), 1),
        "cpu_worker_s": round(sum(total_cpu.get(pid, 0.0) for pid in worker_pids), 1),
        "wall_below_1_cpu_s": round(below_one, 1),
        "wall_below_1.5_cpu_s": round(below_one_half, 1),
        **thread_cpu,
        "peak_tree_mb": sampler.peak >> 20,
        "peak_at_s": round(sampler.peak_at, 1),
        "flagged": sum(1 for account in report.result.accounts if account.flagged),
        "campaigns": len(report.result.campaigns),
        "load": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
