"""Old against new ingest code, run at the same time so that both see the same contention.

    nice -n 5 .venv/bin/python bench/ingest_pair.py OLD_SRC NEW_SRC TRAFFIC.jsonl [--pairs 3]

``OLD_SRC`` and ``NEW_SRC`` are ``src`` folders (e.g. ``git archive main src | tar -x -C /tmp/base`` gives
``/tmp/base/src``). Each pair starts two fresh processes together, one per ``src``, each reading the whole
file with ``read_events(workers=1)`` and reporting its own CPU time, and prints the ratio new / old. On a
machine shared with other jobs, CPU seconds of one run move by 10-30% with the load; the two halves of a
pair share that load, so their ratio is steadier than the ratio of runs made one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

_CHILD = """
import json, resource, sys
from pathlib import Path
from distillguard.ingest import Quarantine, read_events
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start, rows = cpu(), 0
with Quarantine(None) as quarantine:
    for batch in read_events([Path(sys.argv[1])], quarantine=quarantine, workers=1):
        rows += batch.num_rows
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "cpu": cpu() - start, "peak_rss_mb": peak_mb}))
"""


def _start(src: Path, traffic: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(traffic)], env=env, stdout=subprocess.PIPE, text=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("old_src", type=Path)
    parser.add_argument("new_src", type=Path)
    parser.add_argument("traffic", type=Path)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    ratios = []
    for pair in range(1, args.pairs + 1):
        old, new = _start(args.old_src, args.traffic), _start(args.new_src, args.traffic)
        results = [json.loads(process.communicate()[0]) for process in (old, new)]
        if results[0]["rows"] != results[1]["rows"]:
            sys.exit(f"different row counts: {results}")
        ratios.append(results[1]["cpu"] / results[0]["cpu"])
        print(
            f"pair {pair}: old {results[0]['cpu']:.2f} s CPU, new {results[1]['cpu']:.2f} s CPU, "
            f"new/old {ratios[-1]:.3f} (peak RSS {results[0]['peak_rss_mb']:.0f} / "
            f"{results[1]['peak_rss_mb']:.0f} MB, load {os.getloadavg()[0]:.1f})"
        )
    print(f"new/old CPU: min {min(ratios):.3f}, median {sorted(ratios)[len(ratios) // 2]:.3f}")


if __name__ == "__main__":
    main()
