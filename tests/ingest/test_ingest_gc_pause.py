"""The JSON-lines loop pauses the cyclic garbage collector only while it runs, never while its consumer does.

The reader keeps the collector off from one yield to the next (its loop makes no reference cycles) and
hands it back between batches, so a consumer's cycles are still collected by the collector itself, and
whatever state the consumer put the collector in is respected.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from distillguard.ingest import Quarantine
from distillguard.ingest._batch import BatchBuilder
from distillguard.ingest._blocks import BrokenTail, LineBlock
from distillguard.ingest._canonical import CanonicalReader


def _record(number: int) -> dict[str, object]:
    return {
        "ts": "2026-03-02T09:00:01Z",
        "account_id": f"acct_{number % 7}",
        "request": {"model": "m", "messages": [{"role": "user", "content": f"question {number}"}]},
        "response": {"id": "x" * 1_000},  # the file spans several 1 MB read blocks
    }


@pytest.fixture
def traffic(tmp_path: Path) -> Path:
    path = tmp_path / "traffic.jsonl"
    lines = [orjson.dumps(_record(i)) for i in range(3_000)]
    lines.insert(1_500, b"{broken")  # a quarantined line in the middle changes nothing here
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _batches(path: Path, quarantine: Quarantine) -> Iterator[pa.RecordBatch]:
    return CanonicalReader(path, quarantine, batch_rows=200).batches()


def test_the_collector_runs_for_the_consumer_between_batches(traffic: Path) -> None:
    states = []
    collected_cycles = []
    with Quarantine(None) as quarantine:
        for _batch in _batches(traffic, quarantine):
            states.append(gc.isenabled())
            cycle = _Cycle()
            collected_cycles.append(weakref.ref(cycle))
            del cycle
            # Allocate enough container objects for the collector to run on its own (no gc.collect).
            junk = [[i] for i in range(2 * gc.get_threshold()[0])]
            del junk
    assert len(states) == 15 and all(states)
    assert gc.isenabled()
    # The cycles of all but the last few batches were freed by the collector while the scan went on.
    assert sum(ref() is None for ref in collected_cycles) >= len(collected_cycles) - 2


def test_a_consumer_that_turned_the_collector_off_keeps_it_off(traffic: Path) -> None:
    states = []
    with Quarantine(None) as quarantine:
        for index, _batch in enumerate(_batches(traffic, quarantine)):
            states.append(gc.isenabled())
            if index == 2:
                gc.disable()
    assert states[:3] == [True, True, True] and not any(states[3:])
    assert not gc.isenabled()


def test_the_collector_is_back_when_the_consumer_stops_early_or_reading_fails(traffic: Path) -> None:
    with Quarantine(None) as quarantine:
        batches = _batches(traffic, quarantine)
        next(batches)
        batches.close()
    assert gc.isenabled()

    with Quarantine(None) as quarantine:
        batches = _batches(traffic, quarantine)
        next(batches)
        gc.disable()
        batches.close()  # closing must not turn back on what the consumer turned off
    assert not gc.isenabled()
    gc.enable()

    def failing_blocks() -> Iterator[LineBlock | BrokenTail]:
        data = traffic.read_bytes()
        yield LineBlock(data, 0, len(data))
        raise OSError("disk gone")

    with Quarantine(None) as quarantine:
        reader = CanonicalReader(traffic, quarantine, batch_rows=200)
        builder = BatchBuilder(reader.source, quarantine, reader.batch_rows)
        with pytest.raises(OSError, match="disk gone"):
            for _batch in reader.batches_from(failing_blocks(), builder):
                assert gc.isenabled()
    assert gc.isenabled()


def test_no_collection_runs_while_the_reader_works(traffic: Path) -> None:
    # Thousands of row tuples and message lists are made and freed; none of that may start a collection
    # (each would walk the young objects, and now and then the whole heap of the scan).
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    with Quarantine(None) as quarantine:
        batches = _batches(traffic, quarantine)
        gc.collect()
        gc.callbacks.append(count)
        try:
            rows = sum(batch.num_rows for batch in batches)
        finally:
            gc.callbacks.remove(count)
    assert rows == 3_000
    assert collections == []
