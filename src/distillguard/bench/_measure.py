"""Measurements that need a process of their own: peak memory is only honest in a fresh process."""

from __future__ import annotations

import contextlib
import multiprocessing
import resource
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import psutil


@dataclass(frozen=True, slots=True)
class Measurement:
    seconds: float
    peak_rss_mb: float
    value: int


def _peak_rss_mb() -> float:
    # Linux keeps ru_maxrss across fork and exec, so a child would report its parent's peak; VmHWM is the
    # high-water mark of this process's own memory.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    # ru_maxrss is KiB on Linux and bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class _HelperMemory(threading.Thread):
    """Samples the total RSS of this process's descendants (a scan's background parser), every 0.2 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self.done.wait(0.2):
            total = 0
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
            self.peak_mb = max(self.peak_mb, total / (1024 * 1024))


def _child(target: Callable[[], int], conn: multiprocessing.connection.Connection) -> None:
    helpers = _HelperMemory()
    helpers.start()
    start = time.perf_counter()
    value = target()
    seconds = time.perf_counter() - start
    helpers.done.set()
    helpers.join()
    # The peak counts helper processes too: the process's own high-water mark plus its helpers' sampled peak.
    conn.send(Measurement(seconds, _peak_rss_mb() + helpers.peak_mb, value))
    conn.close()


def measure_in_subprocess(target: Callable[[], int]) -> Measurement:
    """Run ``target`` in a fresh process; return its wall time, peak RSS and return value."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(target, child))
    process.start()
    child.close()
    result = parent.recv()
    process.join()
    assert isinstance(result, Measurement)
    return result


def parse_only(path: Path) -> int:
    """The floor a scan is compared against: read the file and ``orjson.loads`` every line."""
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                orjson.loads(line)
                count += 1
    return count
