"""The CPU of ``Fingerprinter.finish`` (the scan main process's share of the fingerprint stage) on real parts.

Two steps, each under the ``PYTHONPATH`` of the code to measure (old against new: an exported ``src``):

* ``dump TRAFFIC.jsonl PARTS.pkl``: every 16 MB part of the file parsed and ``prepare``d as a scan does it
  (``ingest._parallel.plan`` + ``run_task``), the prepared batches pickled. ``prepare``'s output is part of
  the code under test (the request counts per template come from there now), so dump with each side's code.
* ``measure PARTS.pkl [--save FRAME.arrow]``: a fresh ``Fingerprinter`` (classifier from the on-disk cache)
  runs ``finish`` on every part in order, then signs every catalogued template still unsigned. Prints one
  JSON line: CPU and wall seconds of the ``finish`` calls and of the signing, the catalog's size, and
  digests of the output frame (its columns' buffers after ``combine_chunks``) and of the catalog with its
  signatures (Arrow IPC bytes): equal digests mean identical output. ``--save`` writes the frame (Feather)
  for a value comparison with ``pyarrow.Table.equals``.

Set ``POLARS_MAX_THREADS=1`` for CPU seconds without idle polars threads spinning; run old and new
alternately under ``nice -n 5``. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import pickle
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather

import distillguard
from distillguard.fingerprint import Fingerprinter, default_classifier, prepare


def dump(traffic: Path, out: Path) -> None:
    from distillguard.ingest._parallel import plan, run_task
    from distillguard.ingest._read import _readers
    from distillguard.pipeline import ScanConfig

    config = ScanConfig()
    transform = functools.partial(prepare, config=config.fingerprint)
    parts = []
    for task in plan(_readers([traffic], "auto")):
        parts.extend(run_task(task, config.batch_rows, transform).batches)
    with out.open("wb") as file:
        pickle.dump(parts, file)
    print(json.dumps({"parts": len(parts), "events": sum(p.num_rows for p in parts)}))


def _frame_digest(table: pa.Table) -> str:
    digest = hashlib.sha256()
    for column in table.columns:
        for buffer in column.combine_chunks().buffers():
            if buffer is not None:
                digest.update(buffer)
    return digest.hexdigest()[:16]


def _catalog_digest(catalog: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, catalog.schema) as writer:
        writer.write_table(catalog)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()[:16]


def measure(parts_path: Path, save: Path | None) -> None:
    with parts_path.open("rb") as file:
        parts = pickle.load(file)
    fingerprinter = Fingerprinter(classifier=default_classifier())
    cpu, wall = time.process_time(), time.perf_counter()
    outputs = [fingerprinter.finish(part) for part in parts]
    finish_cpu, finish_wall = time.process_time() - cpu, time.perf_counter() - wall
    cpu = time.process_time()
    catalog = fingerprinter.catalog.to_arrow()  # signs every template still unsigned
    sign_cpu = time.process_time() - cpu
    table = pa.Table.from_batches(outputs)
    if save is not None:
        feather.write_feather(table, str(save), compression="uncompressed")
    result = {
        "src": os.path.dirname(distillguard.__file__),
        "events": table.num_rows,
        "finish_cpu_s": round(finish_cpu, 2),
        "finish_wall_s": round(finish_wall, 2),
        "sign_and_export_cpu_s": round(sign_cpu, 2),
        "templates": catalog.num_rows,
        "evicted": fingerprinter.catalog.evicted,
        "frame_digest": _frame_digest(table),
        "catalog_digest": _catalog_digest(catalog),
        "load": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump", help="prepare every part of a traffic file and pickle them")
    dumping.add_argument("traffic", type=Path)
    dumping.add_argument("out", type=Path)
    measuring = commands.add_parser("measure", help="finish every pickled part; CPU and output digests")
    measuring.add_argument("parts", type=Path)
    measuring.add_argument("--save", type=Path, default=None, help="write the output frame (Feather)")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.traffic, args.out)
    else:
        measure(args.parts, args.save)


if __name__ == "__main__":
    main()
