"""Measure the fingerprint stage's throughput (events per second) on generated batches.

Two kinds of traffic, generated here with a fixed seed (independent of the project's simulator):

* ``templated``: a few hundred prompt templates with their slots filled with random numbers, names,
  quoted strings and code, a few dozen system prompts and tool schemas. Almost every user text is
  distinct, but skeletons repeat, which is what real API traffic looks like.
* ``unique``: every prompt is a distinct free text of 100-1,500 characters from a large vocabulary, so
  every event is a new template and goes through the classifier.

Usage: ``.venv/bin/python bench/fingerprint_speed.py [--events 200000] [--batch 65536] [--input LOG]``
(``--input`` also measures a request log, e.g. from ``distillguard simulate``, in the batches ``scan``
reads). Set ``POLARS_MAX_THREADS=1`` for CPU times that do not include idle polars threads spinning.

Old against new in one run: ``--input LOG --baseline main [--labels labels.jsonl]`` takes the
fingerprint package of a git revision (renamed, so both load in one process), fingerprints the log with
both, interleaved, and prints the CPU time of each, the output's bytes per event, the peak RSS of a
streamed fingerprinting of the log in a fresh process, the memory of a full template catalog, and with
``--labels`` the detection scorecard of both outputs (and whether they flag the same accounts).
This is a measurement, not a test; numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import io
import json
import os
import random
import resource
import shutil
import statistics
import string
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import polars as pl
import psutil
import pyarrow as pa

from distillguard.fingerprint import Fingerprinter, default_classifier
from distillguard.ingest.schema import EVENT_SCHEMA

_OPENERS = (
    "Please",
    "Could you",
    "I need you to",
    "Kindly",
    "Go ahead and",
    "Your task is to",
    "Help me",
    "Bitte",
    "Por favor,",
    "请",
    "Пожалуйста,",
)
_VERBS = (
    "solve",
    "summarise",
    "translate",
    "classify",
    "explain",
    "rewrite",
    "review",
    "answer",
    "extract the key facts of",
    "grade",
    "compare",
    "continue",
    "critique",
    "outline",
    "fix",
)
_OBJECTS = (
    "the following problem",
    "this support ticket",
    "the paragraph below",
    "the customer's message",
    "this function",
    "the contract clause",
    "the product review",
    "this SQL query",
    "the essay",
)
_TAILS = (
    "Think step by step.",
    "Answer in JSON.",
    "Be brief.",
    "Show every step of your reasoning.",
    "Return a score from 1 to 10.",
    "Use a friendly tone.",
    "",
    "",
    "Cite the source.",
)
_NAMES = ("Alice Martin", "Bob Chen", "Carla Ruiz", "Dmitri Petrov", "Emma Schulz", "Farid Khan", "Yuki Sato")


def _words(rng: random.Random, vocabulary: list[str], n: int) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(n))


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    return ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10))) for _ in range(size)]


def templated_texts(rng: random.Random, n: int) -> list[str]:
    vocabulary = _vocabulary(rng, 3000)
    templates = []
    for _ in range(300):
        body = _words(rng, vocabulary, rng.randint(5, 40))
        templates.append(
            f"{rng.choice(_OPENERS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} ({body}) about {{name}}: "
            f'"{{quote}}", item {{num}}. {rng.choice(_TAILS)}'
        )
    texts = []
    for _ in range(n):
        template = templates[min(int(rng.paretovariate(1.2)) - 1, len(templates) - 1)]
        texts.append(
            template.format(
                name=rng.choice(_NAMES),
                quote=_words(rng, vocabulary, rng.randint(2, 30)),
                num=rng.randint(1, 10**6),
            )
        )
    return texts


def unique_texts(rng: random.Random, n: int) -> list[str]:
    vocabulary = _vocabulary(rng, 50_000)
    return [_words(rng, vocabulary, rng.randint(15, 220)) + "?" for _ in range(n)]


def make_batch(rng: random.Random, texts: list[str], start: int) -> pa.RecordBatch:
    n = len(texts)
    systems = [
        f"You are assistant #{i} for {rng.choice(_NAMES)}'s company. Follow policy." for i in range(40)
    ]
    tools = [f'[{{"type":"function","function":{{"name":"tool_{i}","parameters":{{}}}}}}]' for i in range(10)]
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    columns = {
        "ts": [t0 + timedelta(milliseconds=start + i) for i in range(n)],
        "account_id": [f"acct_{rng.randint(0, 5000)}" for _ in range(n)],
        "user_text": texts,
        "system_text": [rng.choice(systems) if rng.random() < 0.6 else None for _ in range(n)],
        "tools_text": [rng.choice(tools) if rng.random() < 0.15 else None for _ in range(n)],
        "n_tools": [0] * n,
        "n_tool_messages": [0] * n,
        "prompt_chars": [len(t) for t in texts],
    }
    arrays = [pa.array(columns.get(f.name, [None] * n), type=f.type) for f in EVENT_SCHEMA]
    return pa.RecordBatch.from_arrays(arrays, schema=EVENT_SCHEMA)


def measure(kind: str, events: int, batch_size: int) -> None:
    rng = random.Random(7)
    generate = templated_texts if kind == "templated" else unique_texts
    texts = generate(rng, events)
    batches = [make_batch(rng, texts[i : i + batch_size], i) for i in range(0, events, batch_size)]
    chars = sum(len(t) for t in texts) / len(texts)
    fingerprinter = Fingerprinter()
    started, cpu_started = time.perf_counter(), time.process_time()
    for batch in batches:
        fingerprinter.fingerprint(batch)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rss = psutil.Process().memory_info().rss / 2**20
    # CPU time is reported too: on a shared machine wall time mostly measures the other tenants.
    print(
        f"{kind:>10}: {events:,} events ({chars:.0f} chars/prompt avg): wall {seconds:.2f} s = "
        f"{events / seconds:,.0f} events/s; CPU {cpu:.2f} s = {events / cpu:,.0f} events/CPU-s; "
        f"{len(fingerprinter.catalog):,} templates; RSS {rss:,.0f} MiB; load {os.getloadavg()[0]:.1f}"
    )


def measure_file(path: str) -> None:
    """Throughput on a real request log (e.g. ``distillguard simulate`` output), batches as ``scan`` reads."""
    from distillguard.ingest import Quarantine, read_events

    batches = list(read_events([path], quarantine=Quarantine(None)))
    events = sum(b.num_rows for b in batches)
    fingerprinter = Fingerprinter()
    started, cpu_started = time.perf_counter(), time.process_time()
    for batch in batches:
        fingerprinter.fingerprint(batch)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"{'file':>10}: {events:,} events from {path}: wall {seconds:.2f} s = {events / seconds:,.0f} "
        f"events/s; CPU {cpu:.2f} s = {events / cpu:,.0f} events/CPU-s; "
        f"{len(fingerprinter.catalog):,} templates; load {os.getloadavg()[0]:.1f}"
    )


def compare_vectorizers(documents: int = 10_000) -> None:
    """CPU throughput of this stage's feature hashing against scikit-learn's HashingVectorizer."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from distillguard.fingerprint._features import hashed_features

    rng = random.Random(0)
    vocabulary = _vocabulary(rng, 20_000)
    docs = [_words(rng, vocabulary, 65) for _ in range(documents)]
    print(f"feature hashing on {documents:,} documents of {sum(map(len, docs)) / len(docs):.0f} chars:")
    candidates = {
        "distillguard hashed_features": lambda: hashed_features(pl.Series(docs)),
        "HashingVectorizer word 1-2": lambda: HashingVectorizer(ngram_range=(1, 2)).transform(docs),
        "HashingVectorizer char_wb 3-4": lambda: HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 4)
        ).transform(docs),
    }
    for name, run in candidates.items():
        started = time.process_time()
        run()
        print(f"  {name}: {documents / (time.process_time() - started):,.0f} documents/CPU-s")


# ----- old against new, in one run ----------------------------------------------------------------------

_BASELINE = "fp_baseline"
_CATALOG_TEMPLATES = 250_000


def baseline_dir(revision: str) -> Path:
    """The fingerprint package of ``revision``, extracted as package ``fp_baseline`` in a temporary dir."""
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", revision, "src/distillguard/fingerprint"],
        check=True,
        capture_output=True,
    ).stdout
    target = Path(tempfile.mkdtemp(prefix="fp-baseline-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    package = target / _BASELINE
    (target / "src" / "distillguard" / "fingerprint").rename(package)
    for source in package.rglob("*.py"):
        source.write_text(source.read_text().replace("distillguard.fingerprint", _BASELINE))
    return target


def _variant(name: str, directory: str | None) -> ModuleType:
    if name == "current":
        return importlib.import_module("distillguard.fingerprint")
    assert directory is not None
    if directory not in sys.path:
        sys.path.insert(0, directory)
    return importlib.import_module(_BASELINE)


def _rss_mib() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


def _peak_rss_mib() -> float:
    """Peak RSS of this process image. ``ru_maxrss`` would not do: Linux carries it across ``exec``, so a
    child started from a large parent reports the parent's size; ``VmHWM`` restarts at ``exec``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, path: str | None, directory: str | None) -> None:
    """Memory of one variant in a fresh process; prints one JSON line."""
    from distillguard.ingest import Quarantine, read_events

    kind, name = mode.split(":")
    module = _variant(name, directory)
    module.default_classifier()
    result: dict[str, float] = {}
    if kind == "stream":
        # What the scan does: stream batches through the stage, keep the outputs, build the frame.
        assert path is not None
        start = _rss_mib()
        fingerprinter = module.Fingerprinter()
        outputs = [fingerprinter.fingerprint(b) for b in read_events([path], quarantine=Quarantine(None))]
        table = pa.Table.from_batches(outputs)
        events = table.num_rows
        frame = pl.from_arrow(table)
        del outputs, table
        assert isinstance(frame, pl.DataFrame)
        fingerprinter.catalog.to_arrow()  # detection asks the catalog for its signatures
        result = {
            "events": events,
            "frame_bytes_per_event": frame.estimated_size() / max(events, 1),
            "peak_rss_mib": _peak_rss_mib(),
            "rss_growth_mib": _rss_mib() - start,
            "templates": len(fingerprinter.catalog),
        }
    else:
        # The catalog alone, at its cap: distinct skeletons of ~300 characters, in batches.
        rng = random.Random(11)
        vocabulary = _vocabulary(rng, 20_000)
        skeletons = [_words(rng, vocabulary, 45)[:300] for _ in range(_CATALOG_TEMPLATES)]
        hashes = np.array(random.Random(12).sample(range(1, 2**63), _CATALOG_TEMPLATES), dtype=np.uint64)
        start = _rss_mib()
        catalog = module.TemplateCatalog()
        for first in range(0, _CATALOG_TEMPLATES, 50_000):
            part = slice(first, first + 50_000)
            catalog.observe(
                pl.Series(hashes[part], dtype=pl.UInt64),
                pl.Series(np.ones(len(hashes[part]), dtype=np.int64)),
                pl.Series(skeletons[part], dtype=pl.String),
            )
        observed = _rss_mib()
        catalog.to_arrow()
        result = {
            "templates": len(catalog),
            "rss_after_observe_mib": observed - start,
            "rss_after_signatures_mib": _rss_mib() - start,
            "peak_above_start_mib": _peak_rss_mib() - start,
        }
    print(json.dumps(result))


def _run_child(mode: str, path: str, directory: str) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", mode, "--input", path, "--baseline-dir", directory]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def compare(
    path: str, revision: str, labels: str | None, rounds: int, memory: bool = True, batch_rows: int = 50_000
) -> None:
    """Old (``revision``) against new (this tree): CPU, memory and, with labels, detection quality."""
    from distillguard.ingest import Quarantine, read_events

    directory = str(baseline_dir(revision))
    variants = {"baseline": _variant("baseline", directory), "current": _variant("current", directory)}
    batches = list(read_events([path], quarantine=Quarantine(None), batch_rows=batch_rows))
    events = sum(b.num_rows for b in batches)
    print(f"{events:,} events from {path}; baseline = {revision}; load {os.getloadavg()[0]:.1f}")
    for module in variants.values():
        module.default_classifier()
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    outputs: dict[str, tuple[pl.DataFrame, Any]] = {}
    for _ in range(rounds):
        for name, module in variants.items():
            fingerprinter = module.Fingerprinter()
            started = time.process_time()
            reduced = [fingerprinter.fingerprint(b) for b in batches]
            cpu[name].append(time.process_time() - started)
            frame = pl.from_arrow(pa.Table.from_batches(reduced))
            assert isinstance(frame, pl.DataFrame)
            outputs[name] = (frame, fingerprinter.catalog)
    median = {name: statistics.median(times) for name, times in cpu.items()}
    for name in variants:
        times = ", ".join(f"{t:.2f}" for t in cpu[name])
        rate = events / median[name]
        print(f"  {name:>8}: CPU {median[name]:.2f} s (rounds {times}) = {rate:,.0f} events/CPU-s")
    print(f"  CPU ratio new/old: {median['current'] / median['baseline']:.3f}")
    for name, (frame, catalog) in outputs.items():
        print(
            f"  {name:>8}: frame {frame.estimated_size() / events:.0f} bytes/event "
            f"({frame.width} columns), {len(catalog):,} templates"
        )
    identical = _same_output(outputs["baseline"], outputs["current"])
    print(f"  fingerprinted frame and catalog (with signatures) identical: {identical}")
    for mode in ("stream", "catalog") if memory else ():
        old = _run_child(f"{mode}:baseline", path, directory)
        new = _run_child(f"{mode}:current", path, directory)
        for key in old:
            ratio = new[key] / old[key] if old[key] else float("nan")
            print(f"  {mode} {key}: old {old[key]:,.1f} new {new[key]:,.1f} (new/old {ratio:.3f})")
    if labels:
        _compare_quality(outputs, Path(labels))


def _same_output(old: tuple[pl.DataFrame, Any], new: tuple[pl.DataFrame, Any]) -> bool:
    """Whether both variants made the same frame (every column, bit for bit) and the same catalog
    (hashes, counts, previews and MinHash signatures, in the same order)."""
    same_frame = old[0].equals(new[0], null_equal=True)
    same_catalog = old[1].to_arrow().equals(new[1].to_arrow())
    if not same_frame:
        for column in old[0].columns:
            if not old[0][column].equals(new[0][column], check_names=True, null_equal=True):
                print(f"  column {column} differs")
    if not same_catalog:
        print("  catalogs differ")
    return bool(same_frame and same_catalog)


def _compare_quality(outputs: dict[str, tuple[pl.DataFrame, Any]], labels_path: Path) -> None:
    from distillguard.bench._labels import read_labels, score_accounts
    from distillguard.detect import DetectConfig, detect

    labels = read_labels(labels_path)
    flagged: dict[str, set[str]] = {}
    for name, (frame, catalog) in outputs.items():
        result = detect(frame, catalog, DetectConfig())
        card = score_accounts(result.accounts, labels)
        flagged[name] = {v.account_id for v in result.accounts if v.flagged}
        print(
            f"  {name:>8}: precision {card.precision:.4f} recall {card.recall:.4f} "
            f"FPR {card.false_positive_rate:.4f} hard negatives flagged {card.hard_negative_flagged} "
            f"campaigns {card.campaigns_found}/{card.campaigns_total}"
        )
    difference = flagged["baseline"] ^ flagged["current"]
    print(f"  accounts flagged by one and not the other: {len(difference)} {sorted(difference)[:10]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--unique-events", type=int, default=None, help="events for the unique case")
    parser.add_argument("--batch", type=int, default=65_536)
    parser.add_argument("--kind", choices=("templated", "unique", "both"), default="both")
    parser.add_argument("--input", default=None, help="also measure on this request log (any ingest format)")
    parser.add_argument("--vectorizers", action="store_true", help="only compare feature hashing speed")
    parser.add_argument("--baseline", default=None, help="git revision to compare with (needs --input)")
    parser.add_argument("--labels", default=None, help="with --baseline: labels.jsonl to score detection")
    parser.add_argument("--rounds", type=int, default=3, help="with --baseline: interleaved timing rounds")
    parser.add_argument("--no-memory", action="store_true", help="with --baseline: skip the memory runs")
    parser.add_argument(
        "--batch-rows",
        type=int,
        default=50_000,
        help="with --baseline: rows per batch (a scan's parts: ~12,000)",
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--baseline-dir", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.vectorizers:
        compare_vectorizers()
        return
    if args.child:
        _child(args.child, args.input, args.baseline_dir)
        return
    if args.baseline:
        if not args.input:
            parser.error("--baseline needs --input")
        compare(
            args.input,
            args.baseline,
            labels=args.labels,
            rounds=args.rounds,
            memory=not args.no_memory,
            batch_rows=args.batch_rows,
        )
        return
    started = time.perf_counter()
    default_classifier()
    print(f"classifier training (first use, once per process): {time.perf_counter() - started:.2f} s")
    for kind in ("templated", "unique") if args.kind == "both" else (args.kind,):
        events = args.unique_events if kind == "unique" and args.unique_events else args.events
        measure(kind, events, args.batch)
    if args.input:
        measure_file(args.input)


if __name__ == "__main__":
    main()
