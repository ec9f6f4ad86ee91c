"""How fast is ingest compared with just parsing the JSON? A measurement, not a test.

    .venv/bin/python bench/ingest_speed.py [--lines 200000] [--keep DIR] [--file traffic.jsonl] [--rounds 1]

Writes ~200k varied canonical request lines (chat personas, multi-turn, agent tool loops, RAG with long
context, logprob probes, reasoning prompts, list content), or takes ``--file`` (e.g. the 1M-event
``distillguard simulate --platform A --seed 99 --scale 1.7 --days 10`` traffic of the scan benchmark),
then, each in a fresh process so the numbers do not mix: (1) ``orjson.loads`` of every line (the
benchmark's parse floor), (2) ``read_events`` on the same file (the full canonical reader: typed decoding,
extraction, timestamp parsing, Arrow batches), (3) the same reader with every line read by orjson +
``extract`` (the per-line reference the typed path falls back to), (4) ``read_events(workers=2)``.
Prints lines per CPU-second (CPU time is what a shared machine cannot inflate much), each phase's CPU
time as a ratio to orjson's, wall time and peak RSS. ``--rounds N`` repeats the phases in turn and keeps
each phase's least CPU time.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

WORDS = (  # noqa: SIM905
    "model data value system request answer question reason step proof number function market customer "
    "invoice contract clause policy energy cell protein planet history river language translate summary "
    "table column query error test build deploy latency memory budget risk report chart revenue growth "
    "theorem lemma prime integer matrix vector gradient loss token batch shard replica cluster region"
).split()
PERSONAS = [
    "You are Ada, a friendly maths tutor. Keep answers short and encouraging.",
    "You are the support assistant of Larkspur Bank. Never ask for full card numbers.",
    "You are a coding agent in a sandboxed repository. Use the tools; be concise.",
    "You answer questions using only the CONTEXT. Cite the document ids you used.",
]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": name,
            "description": f"{name.replace('_', ' ')} in the workspace",
            "parameters": {"type": "object", "properties": {"arg": {"type": "string"}}, "required": ["arg"]},
        },
    }
    for name in ("read_file", "run_tests", "search_code", "write_file")
]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _messages(rng: random.Random, kind: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    params: dict[str, Any] = {
        "temperature": rng.choice([0, 0.2, 0.7, 1.0]),
        "max_tokens": rng.choice([256, 1024]),
    }
    if kind == "chat":
        msgs: list[dict[str, Any]] = [{"role": "system", "content": PERSONAS[0]}]
        for _ in range(rng.randint(0, 3)):
            msgs += [
                {"role": "user", "content": _sentence(rng, rng.randint(8, 30))},
                {"role": "assistant", "content": _sentence(rng, rng.randint(20, 60))},
            ]
        msgs.append({"role": "user", "content": _sentence(rng, rng.randint(8, 40))})
    elif kind == "agent":
        msgs = [
            {"role": "system", "content": PERSONAS[2]},
            {"role": "user", "content": _sentence(rng, 20)},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "read_file", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": _sentence(rng, 80)},
        ]
        params = {"tools": TOOLS, "temperature": 0, "max_completion_tokens": 2048}
    elif kind == "rag":
        context = "\n".join(f"[doc{i}] {_sentence(rng, 60)}" for i in range(rng.randint(3, 8)))
        msgs = [
            {"role": "system", "content": PERSONAS[3]},
            {"role": "user", "content": f"CONTEXT:\n{context}\n\nQUESTION: {_sentence(rng, 12)}"},
        ]
        params = {"temperature": 0, "max_tokens": 512}
    elif kind == "logprobs":
        msgs = [{"role": "user", "content": f"Question: {_sentence(rng, 15)}\nA) x B) y C) z D) w\nAnswer:"}]
        params = {"logprobs": True, "top_logprobs": 20, "max_tokens": 1, "temperature": 0}
    elif kind == "reasoning":
        msgs = [{"role": "user", "content": _sentence(rng, 30) + " Think step by step and show every step."}]
        params = {"reasoning_effort": rng.choice(["medium", "high"]), "max_completion_tokens": 8000}
    else:  # list content with an image
        msgs = [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": _sentence(rng, 12)},
                    {
                        "type": "image_url",
                        "image_url": {"url": f"https://img.example.com/{rng.random()}.png"},
                    },
                ],
            }
        ]
    return msgs, params


def generate(path: Path, lines: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    kinds = ["chat"] * 5 + ["agent"] * 2 + ["rag"] * 2 + ["logprobs", "reasoning", "image"]
    start = 1_772_400_000
    with path.open("wb") as f:
        for i in range(lines):
            messages, params = _messages(rng, rng.choice(kinds))
            account = f"acct_{rng.randrange(5000):05d}"
            ts = start + i * 0.37 + rng.random()
            record = {
                "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts % 1 * 1e6):06d}Z",
                "request_id": f"req_{i:09d}",
                "account_id": account,
                "api_key_id": f"key_{account}_{rng.randrange(3)}",
                "ip": f"198.51.{rng.randrange(256)}.{rng.randrange(256)}",
                "user_agent": rng.choice(["OpenAI/Python 1.51.0", "OpenAI/NodeJS 4.67.1", "curl/8.5.0"]),
                "endpoint": "/v1/chat/completions",
                "request": {
                    "model": rng.choice(["gpt-4o", "gpt-4o-mini", "o3-mini"]),
                    "messages": messages,
                    **params,
                },
                "response": {
                    "choices": [{"index": 0, "finish_reason": "stop"}],
                    "usage": {
                        "prompt_tokens": rng.randrange(20, 3000),
                        "completion_tokens": rng.randrange(1, 900),
                    },
                },
                "status": 200 if rng.random() > 0.01 else 429,
                "latency_ms": rng.randrange(80, 20000),
            }
            f.write(orjson.dumps(record) + b"\n")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children: stable on a machine shared with others."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _descendants_cpu_seconds() -> float:
    """CPU time of live descendants and of the processes they reaped: the workers run under the
    forkserver, which reaps them, so they are not our children in ``getrusage``."""
    import psutil

    total = 0.0
    for process in psutil.Process().children(recursive=True):
        times = process.cpu_times()
        total += times.user + times.system + times.children_user + times.children_system
    return total


def measure(phase: str, path: Path) -> None:
    from distillguard.ingest import Quarantine, read_events  # imported before the clock starts

    start, cpu_start = time.perf_counter(), _cpu_seconds()
    if phase == "orjson":
        loads = orjson.loads
        with path.open("rb") as f:
            count = sum(1 for line in f if loads(line) is not None)
    else:
        workers = 2 if phase == "ingest-2" else 1
        if phase == "ingest-per-line":
            from distillguard.ingest._canonical import CanonicalReader

            CanonicalReader.typed = False
        with Quarantine(None) as quarantine:
            count = sum(b.num_rows for b in read_events([path], quarantine=quarantine, workers=workers))
        assert quarantine.count == 0
    result = {
        "phase": phase,
        "lines": count,
        "seconds": time.perf_counter() - start,
        "cpu_seconds": _cpu_seconds() - cpu_start + _descendants_cpu_seconds(),
        "peak_rss_mb": _peak_rss_mb(),
    }
    print(orjson.dumps(result).decode())


PHASES = ("orjson", "ingest", "ingest-per-line", "ingest-2")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="directory to keep the generated file in")
    parser.add_argument(
        "--file", type=Path, help="measure this canonical JSONL file instead of generating one"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="repeat the phases, keep each one's least CPU time"
    )
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        measure(args.phase, args.file)
        return
    directory = None
    if args.file:
        path = args.file
    else:
        directory = args.keep or Path(tempfile.mkdtemp(prefix="ingest-speed-"))
        path = directory / "requests.jsonl"
        generate(path, args.lines)
    size_mb = path.stat().st_size / 1e6
    results: dict[str, dict[str, Any]] = {}
    for _ in range(max(1, args.rounds)):
        for phase in PHASES:
            out = subprocess.run(
                [sys.executable, __file__, "--phase", phase, "--file", str(path)],
                check=True,
                capture_output=True,
            )
            result = orjson.loads(out.stdout)
            if phase not in results or result["cpu_seconds"] < results[phase]["cpu_seconds"]:
                results[phase] = result
    lines = results["orjson"]["lines"]
    print(f"{path}: {lines:,} lines, {size_mb:,.0f} MB ({size_mb * 1e6 / lines:,.0f} bytes/line)")
    floor = results["orjson"]["cpu_seconds"]
    for name, r in results.items():
        print(
            f"  {name:15s} {r['lines'] / r['cpu_seconds']:>9,.0f} lines per CPU-second  "
            f"{r['cpu_seconds'] / floor:5.2f}x orjson  ({r['cpu_seconds']:.1f} s CPU, "
            f"{r['seconds']:.1f} s wall, {r['lines'] / r['seconds']:,.0f} lines/s wall)  "
            f"peak RSS {r['peak_rss_mb']:.0f} MB"
        )
    print(
        "  ingest-per-line = the same reader with every line parsed by orjson + extract (the reference the"
        " typed path falls back to); ingest-2 = 2 worker processes: its CPU time includes the workers' (and"
        " their start-up), its peak RSS is the parent's"
    )
    if directory is not None and not args.keep:
        path.unlink()
        directory.rmdir()


if __name__ == "__main__":
    main()
