"""Process-level settings that keep the gateway's event loop from stalling.

A full garbage collection scans every container object the process holds; in a gateway that has imported
the detection engine (polars, pyarrow, the detectors) that is hundreds of thousands of objects that will
never be garbage, and the collection holds the GIL while it runs, whichever thread triggered it: the
latency benchmark measured full collections of 100-250 ms stalling every in-flight request. Freezing the
heap once start-up is done moves those objects to a permanent generation the collector skips, so later
collections only look at what was allocated since.

The detection thread runs Python between cycles' waits (taking the window's new lines, applying the
policy to every scored account, recording decisions). While it holds the GIL, the event loop waits for
it up to the interpreter's switch interval (5 ms by default) each time it wakes; 1 ms bounds that wait
per wake-up at a small cost in switches, and only when both threads want to run.
"""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL_SECONDS = 0.001


def freeze_startup_heap() -> None:
    """Collect start-up garbage, then move every surviving object out of the collector's sight."""
    gc.collect()
    gc.freeze()


def tune_for_latency() -> None:
    """What the gateway process sets once it has started (``GatewayConfig.tune_runtime``)."""
    freeze_startup_heap()
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
