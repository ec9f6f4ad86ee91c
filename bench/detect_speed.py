"""Time and size the detection stage, old code against new, each in a fresh process on the same events.

    # 1. Build the fingerprinted frame and template catalog once, from canonical JSONL (the scan's own
    #    ingest and fingerprint stages), or a synthetic FINGERPRINT_SCHEMA table without a catalog:
    .venv/bin/python bench/detect_speed.py prepare --traffic traffic.jsonl --cache /tmp/dg-1m
    .venv/bin/python bench/detect_speed.py prepare --synthetic 1000000 --cache /tmp/dg-synth

    # 2. Measure ``detect`` with this checkout, and with another checkout's ``src`` for comparison:
    git worktree add /tmp/dg-main main
    nice -n 5 .venv/bin/python bench/detect_speed.py measure --cache /tmp/dg-1m --baseline /tmp/dg-main/src

    # 3. Where the time and memory go, stage by stage (this checkout, or PYTHONPATH=<other src>):
    .venv/bin/python bench/detect_speed.py stages --cache /tmp/dg-1m
    # live memory rather than what the allocator keeps cached (jemalloc's decay off):
    export _RJEM_MALLOC_CONF=dirty_decay_ms:0,muzzy_decay_ms:0
    .venv/bin/python bench/detect_speed.py stages --cache /tmp/dg-1m

Each run is a fresh process that loads the cached frame (one chunk, as the scan hands it over), computes the
catalog's MinHash signatures first (fingerprint-stage work, reported apart), then runs ``detect`` alone and
reports its CPU seconds (user + system, all threads), wall seconds and the RSS it added at its peak (sampled
every 5 ms) over the RSS before it started. With ``--baseline`` both results are compared field by field
(flagged accounts, scores within 1e-9, evidence, campaigns) and any difference is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
SAMPLE_SECONDS = 0.005


def synthetic_events(rows: int, accounts: int, seed: int = 7) -> pl.DataFrame:
    """Random FINGERPRINT_SCHEMA events shaped like provider traffic (skewed volumes, shared templates)."""
    from distillguard.features import fingerprint_frame
    from distillguard.fingerprint.schema import CAPABILITIES, LABELS

    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.2, accounts) + 0.05
    account = rng.choice(accounts, size=rows, p=weights / weights.sum())
    start = int(datetime(2026, 3, 2, tzinfo=UTC).timestamp() * 1e6)
    ts = start + rng.integers(0, 3 * 86_400_000_000, rows)
    templates = rng.integers(0, 400, accounts)
    template = np.where(rng.random(rows) < 0.7, templates[account], rng.integers(0, 50_000, rows))
    words = rng.integers(0, 200_000, (rows, 12)).astype(np.uint32)
    ips = np.array([f"198.{a % 200}.{(a // 200) % 250}.{a % 7}" for a in range(accounts)])
    ip = ips[account]
    v6 = rng.random(rows) < 0.05
    ip = np.where(v6, np.array([f"2001:db8:{a % 500:x}::{a % 9:x}" for a in range(accounts)])[account], ip)
    created = start - rng.integers(0, 400 * 86_400_000_000, accounts)
    models = np.array(["m-large", "m-small", "m-think", "m-new"])
    model = models[rng.integers(0, 3, rows)]
    model = np.where((ts > start + 40 * 3_600_000_000) & (rng.random(rows) < 0.1), "m-new", model)
    columns: dict[str, object] = {
        "ts": pl.Series(ts).cast(pl.Datetime("us", "UTC")),
        "account_id": [f"acct_{a:06d}" for a in account],
        "ip": ip,
        "user_agent": np.array(["openai-python/1.0", "curl/8", "httpx/0.28", "Go-http-client/1.1"])[
            account % 4
        ],
        "account_created": pl.Series(created[account]).cast(pl.Datetime("us", "UTC")),
        # Mostly one payment method per account; every 50th account shares its card with the next one.
        "payment_fingerprint": [f"pay_{a - 1 if a % 50 == 1 else a}" for a in account],
        "model": model,
        "n_messages": rng.integers(1, 8, rows),
        "n_user_messages": rng.integers(1, 4, rows),
        "n_assistant_messages": rng.integers(0, 3, rows),
        "n_tool_messages": rng.integers(0, 2, rows),
        "n_tools": rng.integers(0, 3, rows),
        "temperature": rng.random(rows),
        "max_tokens": rng.choice([256, 1024, 4096, 32768], rows),
        "logprobs": rng.random(rows) < 0.05,
        "top_logprobs": rng.integers(0, 5, rows),
        "n": rng.integers(1, 3, rows),
        "reasoning_effort": np.array([None, "low", "medium", "high"], dtype=object)[rng.integers(0, 4, rows)],
        "finish_reason": np.array(["stop", "length"])[rng.integers(0, 2, rows)],
        "prompt_tokens": rng.integers(10, 4000, rows),
        "completion_tokens": rng.integers(1, 4000, rows),
        "status": np.where(rng.random(rows) < 0.01, 429, 200),
        "template_hash": template.astype(np.uint64),
        "payload_hash": rng.integers(0, 2**63, rows, dtype=np.uint64),
        "system_hash": (account % 50).astype(np.uint64),
        "tools_hash": np.where(account % 5 == 0, (account % 11).astype(np.uint64), 0).astype(np.uint64),
        "payload_words": pl.Series(list(words)).cast(pl.List(pl.UInt32)),
        "capability": np.array(CAPABILITIES)[rng.integers(0, len(CAPABILITIES), rows)],
    }
    for label in LABELS:
        columns[f"p_{label}"] = (rng.random(rows) ** 6).astype(np.float32)
    return fingerprint_frame(columns)  # type: ignore[arg-type]


def prepare(args: argparse.Namespace) -> None:
    cache: Path = args.cache
    cache.mkdir(parents=True, exist_ok=True)
    if args.synthetic:
        synthetic_events(args.synthetic, args.accounts).write_parquet(cache / "events.parquet")
        (cache / "catalog.pkl").unlink(missing_ok=True)
    else:
        from distillguard.config import ScanConfig
        from distillguard.ingest import Quarantine, read_events
        from distillguard.pipeline import fingerprint_events

        config = ScanConfig()
        with Quarantine(cache / "quarantine.jsonl") as quarantine:
            batches = read_events([args.traffic], quarantine=quarantine, batch_rows=config.batch_rows)
            data = fingerprint_events(batches, config)
        data.events.write_parquet(cache / "events.parquet")
        with (cache / "catalog.pkl").open("wb") as handle:
            pickle.dump(data.catalog, handle)
    print(f"wrote {cache}")


class _PeakSampler:
    """Highest RSS seen while running, sampled from a thread (VmHWM cannot be reset per stage)."""

    def __init__(self) -> None:
        import psutil

        self._process = psutil.Process()
        self.start = self.rss()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> float:
        return float(self._process.memory_info().rss) / 2**20

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, self.rss())

    def __enter__(self) -> _PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())


def child(args: argparse.Namespace) -> None:
    """One measurement in this (fresh) process; writes metrics and the result digest as JSON."""
    import gc

    from distillguard.detect import DetectConfig, detect

    # The digest comes from this checkout's module even when a baseline checkout is on the path.
    result_digest = _this_compare().result_digest

    events = pl.read_parquet(args.cache / "events.parquet").rechunk()
    catalog = None
    signing = 0.0
    catalog_path = args.cache / "catalog.pkl"
    if catalog_path.exists():
        with catalog_path.open("rb") as handle:
            catalog = pickle.load(handle)
        started = time.process_time()
        catalog.to_arrow()  # computes the lazy MinHash signatures: fingerprint-stage work, kept apart
        signing = time.process_time() - started
    gc.collect()
    times = os.times()
    wall = time.perf_counter()
    with _PeakSampler() as sampler:
        result = detect(events, catalog, DetectConfig())
    after = os.times()
    metrics = {
        "events": events.height,
        "cpu_s": (after.user + after.system) - (times.user + times.system),
        "wall_s": time.perf_counter() - wall,
        "rss_before_mb": sampler.start,
        "peak_added_mb": sampler.peak - sampler.start,
        "signatures_cpu_s": signing,
        "accounts": len(result.accounts),
        "flagged": sum(a.flagged for a in result.accounts),
        "campaigns": len(result.campaigns),
    }
    args.out.write_text(json.dumps({"metrics": metrics, "digest": result_digest(result)}))


# The stages of ``detect`` that ``stages`` times: module-level names of the engine (and of group scoring)
# that exist in the code measured (older checkouts lack some).
_STAGES = (
    "_with_clusters", "prefix_column", "with_network_codes", "_lexical_and_words", "_clusters_joined",
    "account_features_with_counts", "with_end_user_features", "enrich", "score_all", "link", "score_groups",
    "_assemble",
)  # fmt: skip


def stages(args: argparse.Namespace) -> None:
    """CPU s, wall s and the peak RSS over the RSS before ``detect`` of each stage, in this process."""
    import functools
    import gc

    import psutil

    from distillguard.detect import DetectConfig, _engine, detect

    events, catalog = _load(args.cache)
    gc.collect()
    process = psutil.Process()
    current = ["detect (rest)"]
    peaks: dict[str, float] = {}
    totals: dict[str, list[float]] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.003):
            rss = process.memory_info().rss / 2**20
            peaks[current[0]] = max(peaks.get(current[0], 0.0), rss)

    def wrapped(name: str, function: Any) -> Any:
        @functools.wraps(function)
        def run(*a: Any, **k: Any) -> Any:
            outer, current[0] = current[0], name
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                entry = totals.setdefault(name, [0.0, 0.0])
                entry[0] += time.process_time() - cpu
                entry[1] += time.perf_counter() - wall
                current[0] = outer

        return run

    for name in _STAGES:
        if hasattr(_engine, name):
            setattr(_engine, name, wrapped(name, getattr(_engine, name)))
    before = process.memory_info().rss / 2**20
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu, wall = time.process_time(), time.perf_counter()
    result = detect(events, catalog, DetectConfig())
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    stop.set()
    sampler.join()
    print(f"{'stage':32s} {'CPU s':>7s} {'wall s':>7s} {'peak added MiB':>15s}")
    for name, (stage_cpu, stage_wall) in totals.items():
        print(f"{name:32s} {stage_cpu:7.2f} {stage_wall:7.2f} {peaks.get(name, before) - before:15.0f}")
    rest = peaks.get("detect (rest)", before) - before
    print(f"{'detect (total; rest: peak)':32s} {cpu:7.2f} {wall:7.2f} {rest:15.0f}")
    flagged = sum(a.flagged for a in result.accounts)
    print(
        f"{len(result.accounts):,} accounts, {flagged} flagged, {len(result.campaigns)} campaigns; "
        f"peak added {max(peaks.values(), default=before) - before:.0f} MiB; load {os.getloadavg()[0]:.1f}"
    )


def _load(cache: Path) -> tuple[pl.DataFrame, Any]:
    """The cached frame (one chunk) and catalog, its signatures computed (fingerprint-stage work)."""
    events = pl.read_parquet(cache / "events.parquet").rechunk()
    catalog = None
    if (cache / "catalog.pkl").exists():
        with (cache / "catalog.pkl").open("rb") as handle:
            catalog = pickle.load(handle)
        catalog.to_arrow()
    return events, catalog


def _this_compare() -> Any:
    import importlib.util

    path = HERE.parent / "src" / "distillguard" / "detect" / "_compare.py"
    spec = importlib.util.spec_from_file_location("_detect_compare", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_child(cache: Path, src: Path | None, out: Path) -> dict[str, Any]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    command = [
        sys.executable,
        str(HERE / "detect_speed.py"),
        "_child",
        "--cache",
        str(cache),
        "--out",
        str(out),
    ]
    subprocess.run(command, env=env, check=True)
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def measure(args: argparse.Namespace) -> None:
    from distillguard.detect._compare import result_differences

    runs: list[tuple[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="detect-speed-") as tmp:
        for repeat in range(args.repeat):
            if args.baseline is not None:
                runs.append(
                    ("baseline", _run_child(args.cache, args.baseline, Path(tmp) / f"b{repeat}.json"))
                )
            runs.append(("this checkout", _run_child(args.cache, None, Path(tmp) / f"n{repeat}.json")))
    header = ("code", "events", "CPU s", "wall s", "RSS added MiB", "signing CPU s")
    print("{:14s} {:>10s} {:>7s} {:>7s} {:>14s} {:>14s}".format(*header))
    for name, run in runs:
        m = run["metrics"]
        print(
            f"{name:14s} {m['events']:>10,} {m['cpu_s']:>7.2f} {m['wall_s']:>7.2f} "
            f"{m['peak_added_mb']:>14.0f} "
            f"{m['signatures_cpu_s']:>14.2f}   ({m['accounts']:,} accounts, {m['flagged']} flagged, "
            f"{m['campaigns']} campaigns)"
        )
    if args.baseline is None:
        return
    old = [run for name, run in runs if name == "baseline"]
    new = [run for name, run in runs if name != "baseline"]
    cpu = min(r["metrics"]["cpu_s"] for r in new) / min(r["metrics"]["cpu_s"] for r in old)
    rss = min(r["metrics"]["peak_added_mb"] for r in new) / min(r["metrics"]["peak_added_mb"] for r in old)
    print(f"new/old (best of {args.repeat}): CPU {cpu:.2f}x, RSS added {rss:.2f}x")
    differences = result_differences(old[0]["digest"], new[0]["digest"])
    if differences:
        print("RESULTS DIFFER:")
        for line in differences:
            print(f"  {line}")
        raise SystemExit(1)
    print("results identical (flagged accounts, scores within 1e-9, evidence, campaigns)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare", help="build the cached fingerprinted frame (and catalog)")
    p.add_argument("--cache", type=Path, required=True)
    p.add_argument("--traffic", type=Path, help="canonical JSONL to ingest and fingerprint")
    p.add_argument("--synthetic", type=int, default=0, help="rows of synthetic events instead")
    p.add_argument("--accounts", type=int, default=8_000)
    m = commands.add_parser("measure", help="measure detect on the cached frame")
    m.add_argument("--cache", type=Path, required=True)
    m.add_argument("--baseline", type=Path, help="another checkout's src directory to compare with")
    m.add_argument("--repeat", type=int, default=1)
    s = commands.add_parser("stages", help="CPU, wall and peak RSS of each stage of detect, in this process")
    s.add_argument("--cache", type=Path, required=True)
    c = commands.add_parser("_child")
    c.add_argument("--cache", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "prepare":
        if not args.synthetic and args.traffic is None:
            parser.error("prepare needs --traffic or --synthetic")
        prepare(args)
    elif args.command == "measure":
        measure(args)
    elif args.command == "stages":
        stages(args)
    else:
        child(args)


if __name__ == "__main__":
    main()
