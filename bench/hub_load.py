"""Load benchmark of the consortium hub: concurrent TAXII reads of a 10,000-object collection.

Fills a fresh SQLite hub with ``--objects`` indicators, starts ``distillguard hub serve`` in its own
process on 127.0.0.1, then runs ``--concurrency`` httpx async readers for ``--seconds`` against it, each
read one of: a page of objects (``limit=100`` at a random ``next`` cursor), one object by id, a filtered
page (``match[type]``), a manifest page. Prints reads/s and latency percentiles per kind and overall, and
writes them as JSON with ``--json``. Target: 200 reads/s from one hub process.

    .venv/bin/python bench/hub_load.py --objects 10000 --seconds 20 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil

from distillguard.hub import COLLECTION_ID, TAXII_MEDIA_TYPE, new_member, open_store
from distillguard.hub.server import free_port
from distillguard.hub.store import NewObject

USER, PASSWORD = "bench-member", "bench-password-1"


def fill(db: Path, n: int) -> list[str]:
    """A hub with one member and ``n`` indicators; returns the object ids."""
    store = open_store(db)
    member = new_member(USER, PASSWORD)
    store.add_member(member)
    ids: list[str] = []
    batch: list[NewObject] = []
    rng = random.Random(7)
    for i in range(n):
        obj_id = f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        body = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": obj_id,
            "created": "2026-03-01T00:00:00.000Z",
            "modified": "2026-03-01T00:00:00.000Z",
            "created_by_ref": member.identity_id,
            "name": f"keyed network hash {i}",
            "pattern": f"[x-distillguard-network-hash:value = '{rng.getrandbits(128):032x}']",
            "pattern_type": "stix",
            "valid_from": "2026-03-01T00:00:00Z",
            "confidence": 80,
        }
        batch.append(NewObject(obj_id, "2026-03-01T00:00:00.000000Z", "indicator", "2.1", json.dumps(body)))
        ids.append(obj_id)
        if len(batch) == 1000:
            store.add_objects(USER, batch)
            batch = []
    if batch:
        store.add_objects(USER, batch)
    store.close()
    return ids


async def reader(
    client: httpx.AsyncClient,
    base: str,
    ids: list[str],
    stop_at: float,
    seed: int,
    out: list[tuple[str, float, int]],
) -> None:
    rng = random.Random(seed)
    objects = f"{base}/consortium/collections/{COLLECTION_ID}/objects/"
    n = len(ids)
    while time.perf_counter() < stop_at:
        roll = rng.random()
        if roll < 0.4:
            kind, url, params = "objects_page", objects, {"limit": "100", "next": str(rng.randrange(n))}
        elif roll < 0.7:
            kind, url, params = "object_by_id", f"{objects}{rng.choice(ids)}/", {}
        elif roll < 0.85:
            kind, url, params = "filtered_page", objects, {"match[type]": "indicator", "limit": "100"}
        else:
            kind, url = "manifest_page", f"{base}/consortium/collections/{COLLECTION_ID}/manifest/"
            params = {"limit": "100", "next": str(rng.randrange(n))}
        start = time.perf_counter()
        response = await client.get(url, params=params)
        out.append((kind, time.perf_counter() - start, response.status_code))


async def load(
    base: str, ids: list[str], seconds: float, concurrency: int, seed_offset: int = 0
) -> tuple[list[tuple[str, float, int]], float]:
    results: list[tuple[str, float, int]] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Accept": TAXII_MEDIA_TYPE}
    async with httpx.AsyncClient(auth=(USER, PASSWORD), headers=headers, limits=limits, timeout=30) as client:
        await client.get(f"{base}/taxii2/")  # pays the one scrypt check before timing starts
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(
            *(reader(client, base, ids, stop_at, seed_offset + seed, results) for seed in range(concurrency))
        )
        elapsed = time.perf_counter() - started
    return results, elapsed


def _load_process(
    args: tuple[str, list[str], float, int, int],
) -> tuple[list[tuple[str, float, int]], float, float]:
    """One load-generator process: its own event loop and connection pool."""
    base, ids, seconds, concurrency, offset = args
    cpu_start = time.process_time()
    results, elapsed = asyncio.run(load(base, ids, seconds, concurrency, offset))
    return results, elapsed, time.process_time() - cpu_start


def summarize(results: list[tuple[str, float, int]], elapsed: float) -> dict[str, Any]:
    def stats(rows: list[tuple[str, float, int]]) -> dict[str, Any]:
        latencies = np.array([r[1] for r in rows]) * 1000
        return {
            "reads": len(rows),
            "reads_per_s": round(len(rows) / elapsed, 1),
            "errors": sum(1 for r in rows if r[2] != 200),
            "p50_ms": round(float(np.percentile(latencies, 50)), 1),
            "p95_ms": round(float(np.percentile(latencies, 95)), 1),
            "p99_ms": round(float(np.percentile(latencies, 99)), 1),
        }

    kinds = sorted({r[0] for r in results})
    return {"overall": stats(results), **{k: stats([r for r in results if r[0] == k]) for k in kinds}}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--objects", type=int, default=10_000, help="collection size")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of the read load")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent readers")
    parser.add_argument("--clients", type=int, default=1, help="load-generator processes (each async)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="distillguard-hub-bench-") as tmp:
        db = Path(tmp) / "hub.db"
        ids = fill(db, args.objects)
        port = free_port()
        cli = str(Path(sys.executable).parent / "distillguard")
        server = subprocess.Popen(
            [cli, "hub", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{base}/taxii2/", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the hub did not start") from None
                    time.sleep(0.2)
            hub_process = psutil.Process(server.pid)
            cpu_before = sum(hub_process.cpu_times()[:2])
            jobs = [(base, ids, args.seconds, args.concurrency, 1000 * i) for i in range(args.clients)]
            with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
                outcomes = pool.map(_load_process, jobs)
            results = [row for outcome in outcomes for row in outcome[0]]
            elapsed = max(outcome[1] for outcome in outcomes)
            client_cpu_s = sum(outcome[2] for outcome in outcomes)
            hub_cpu_s = sum(hub_process.cpu_times()[:2]) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=30)
    summary = {
        "objects": args.objects,
        "concurrency": args.concurrency * args.clients,
        "load_processes": args.clients,
        "machine_load_average_1m": round(os.getloadavg()[0], 2),
        "client_cpu_ms_per_read": round(1000 * client_cpu_s / max(len(results), 1), 2),
        "seconds": round(elapsed, 2),
        "target_reads_per_s": 200,
        # CPU the hub process spent per read: the hub's own cost, apart from the load generator's.
        "hub_cpu_ms_per_read": round(1000 * hub_cpu_s / max(len(results), 1), 2),
        "hub_cpu_utilisation": round(hub_cpu_s / elapsed, 2),
        **summarize(results, elapsed),
    }
    for kind, row in summary.items():
        if isinstance(row, dict):
            print(
                f"{kind:14s} {row['reads_per_s']:8.1f} reads/s  p50 {row['p50_ms']:6.1f} ms  "
                f"p95 {row['p95_ms']:6.1f} ms  p99 {row['p99_ms']:6.1f} ms  errors {row['errors']}"
            )
    print(
        f"hub CPU {summary['hub_cpu_ms_per_read']} ms per read, "
        f"{summary['hub_cpu_utilisation']:.0%} of one core; load generator "
        f"{summary['client_cpu_ms_per_read']} ms CPU per read; "
        f"machine load {summary['machine_load_average_1m']}"
    )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
