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


class _TreeMemory(threading.Thread):
    """Samples the RSS of this process plus its descendants (a scan's background parser) every 0.2 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self.done.wait(0.2):
            total = me.memory_info().rss
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
            self.peak_mb = max(self.peak_mb, total / (1024 * 1024))


def _child(target: Callable[[], int], conn: multiprocessing.connection.Connection) -> None:
    tree = _TreeMemory()
    tree.start()
    start = time.perf_counter()
    value = target()
    seconds = time.perf_counter() - start
    tree.done.set()
    tree.join()
    # Helper processes count while they live: the peak of the sampled total of the process tree, or the
    # process's own high-water mark if that is higher (a short spike between two samples).
    conn.send(Measurement(seconds, max(_peak_rss_mb(), tree.peak_mb), value))
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
