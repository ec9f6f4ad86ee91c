"""Measure the fingerprint stage's throughput (events per second) on generated batches.

Two kinds of traffic, generated here with a fixed seed (independent of the project's simulator):

* ``templated``: a few hundred prompt templates with their slots filled with random numbers, names,
  quoted strings and code, a few dozen system prompts and tool schemas. Almost every user text is
  distinct, but skeletons repeat, which is what real API traffic looks like.
* ``unique``: every prompt is a distinct free text of 100-1,500 characters from a large vocabulary, so
  every event is a new template and goes through the classifier.

Usage: ``.venv/bin/python bench/fingerprint_speed.py [--events 200000] [--batch 65536]``.
This is a measurement, not a test; numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import random
import string
import time
from datetime import UTC, datetime, timedelta

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--unique-events", type=int, default=None, help="events for the unique case")
    parser.add_argument("--batch", type=int, default=65_536)
    parser.add_argument("--kind", choices=("templated", "unique", "both"), default="both")
    parser.add_argument("--vectorizers", action="store_true", help="only compare feature hashing speed")
    args = parser.parse_args()
    if args.vectorizers:
        compare_vectorizers()
        return
    started = time.perf_counter()
    default_classifier()
    print(f"classifier training (first use, once per process): {time.perf_counter() - started:.2f} s")
    for kind in ("templated", "unique") if args.kind == "both" else (args.kind,):
        events = args.unique_events if kind == "unique" and args.unique_events else args.events
        measure(kind, events, args.batch)


if __name__ == "__main__":
    main()
