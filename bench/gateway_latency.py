"""Added latency of the distillguard gateway: direct vs proxied calls to the mock upstream, in one run.

    .venv/bin/python bench/gateway_latency.py [--rate 200] [--seconds 10] [--json out.json]

The mock upstream and the gateway each run in their own process (uvicorn on 127.0.0.1), as they would in
production; this process is the client. Requests are sent open-loop at ``--rate`` per second, alternating
one-second phases of direct and proxied traffic so that drift in the machine's load hits both alike.
The gateway records every request and runs background detection cycles (``--detect-every``) meanwhile.
Everything is bounded: ``--seconds`` of load per target, then the servers are stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

BODY = {
    "model": "mock-small",
    "messages": [
        {"role": "system", "content": "You are a helpful assistant for Acme's customers."},
        {"role": "user", "content": "Summarise our refund policy for a customer in two sentences."},
    ],
    "max_tokens": 64,
}
KEY = "sk-bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_upstream(port: int) -> None:
    import uvicorn

    from distillguard.gateway import create_mock_upstream

    uvicorn.run(create_mock_upstream(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def serve_gateway(port: int, upstream: str, state: Path, detect_every: float) -> None:
    import uvicorn

    from distillguard.detect.types import DetectionResult
    from distillguard.gateway import Gateway, GatewayConfig, KeyTable
    from distillguard.policy import Policy, default_policy_text

    def detector(events: list[dict[str, object]]) -> DetectionResult:
        # The request path never waits for detection; this bench measures that path, so detection here
        # only needs to run (it reads the whole window each cycle) without flagging the bench account.
        return DetectionResult(accounts=(), campaigns=(), threshold=0.5)

    config = GatewayConfig(
        keys=KeyTable({KEY: "acct_bench"}),
        state_dir=state,
        policy=Policy.from_yaml(default_policy_text(), "<default>"),
        upstream=upstream,
        detect_every=detect_every,
    )
    uvicorn.run(
        Gateway(config, detector).app, host="127.0.0.1", port=port, log_level="warning", access_log=False
    )


@contextlib.contextmanager
def process(args: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, __file__, *args])
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_ready(base: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if (
                httpx.get(f"{base}/models", headers={"authorization": f"Bearer {KEY}"}, timeout=1).status_code
                == 200
            ):
                return
        time.sleep(0.1)
    raise RuntimeError(f"{base} did not come up")


class Pool:
    """Keep-alive HTTP/1.1 connections sending one pre-encoded request: a client that costs little CPU
    (like wrk), so that the numbers are the servers' and not the load generator's."""

    def __init__(self, url: str, size: int) -> None:
        parts = httpx.URL(url)
        self.host, self.port, self.size = parts.host, parts.port or 80, size
        body = json.dumps(BODY).encode()
        self.request = (
            f"POST {parts.raw_path.decode()} HTTP/1.1\r\nhost: {self.host}:{self.port}\r\n"
            f"authorization: Bearer {KEY}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n\r\n"
        ).encode() + body
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.size):
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))

    async def close(self) -> None:
        while not self.idle.empty():
            _, writer = self.idle.get_nowait()
            writer.close()

    async def send(self) -> int:
        reader, writer = await self.idle.get()
        try:
            writer.write(self.request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            writer.close()
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))
            raise
        self.idle.put_nowait((reader, writer))
        return status


async def phase(pool: Pool, rate: float, count: int, out: list[float]) -> int:
    """Send ``count`` requests open-loop at ``rate``/s; append each latency (ms); return the errors."""
    errors = 0
    start = time.perf_counter()

    async def one(at: float) -> None:
        nonlocal errors
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent = time.perf_counter()
        try:
            status = await pool.send()
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            print(f"request failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            errors += 1
            return
        elapsed = (time.perf_counter() - sent) * 1000
        if status == 200:
            out.append(elapsed)
        else:
            errors += 1

    await asyncio.gather(*(one(start + i / rate) for i in range(count)))
    return errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


async def load(direct: str, proxied: str, rate: float, seconds: int, warmup: int) -> dict[str, object]:
    lat: dict[str, list[float]] = {"direct": [], "proxied": []}
    errors = {"direct": 0, "proxied": 0}
    pools = {"direct": Pool(direct, 32), "proxied": Pool(proxied, 32)}
    for pool in pools.values():
        await pool.open()
        await phase(pool, rate, warmup, [])  # warm connections and code paths; not measured
    per_phase = int(rate)  # one second of traffic per phase
    for _ in range(seconds):
        for name, pool in pools.items():
            errors[name] += await phase(pool, rate, per_phase, lat[name])
    for pool in pools.values():
        await pool.close()
    result: dict[str, object] = {
        "rate_per_s": rate,
        "requests_per_target": seconds * int(rate),
        "errors": errors,
    }
    for name, values in lat.items():
        result[name] = {
            "p50_ms": round(percentile(values, 50), 3),
            "p90_ms": round(percentile(values, 90), 3),
            "p99_ms": round(percentile(values, 99), 3),
            "mean_ms": round(statistics.fmean(values), 3),
            "n": len(values),
        }
    d, p = result["direct"], result["proxied"]
    assert isinstance(d, dict) and isinstance(p, dict)
    result["added"] = {k: round(p[k] - d[k], 3) for k in ("p50_ms", "p90_ms", "p99_ms", "mean_ms")}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second per target")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of load per target (max 120)")
    parser.add_argument("--detect-every", type=float, default=2.0, help="gateway detection interval")
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--serve-upstream", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-gateway", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_upstream:
        serve_upstream(args.serve_upstream)
        return
    if args.serve_gateway:
        port, upstream, state = args.serve_gateway
        serve_gateway(int(port), upstream, Path(state), args.detect_every)
        return
    seconds = max(1, min(args.seconds, 120))
    up_port, gw_port = free_port(), free_port()
    upstream = f"http://127.0.0.1:{up_port}/v1"
    gateway = f"http://127.0.0.1:{gw_port}/v1"
    with tempfile.TemporaryDirectory() as state:
        gw_args = ["--serve-gateway", str(gw_port), upstream, state, "--detect-every", str(args.detect_every)]
        with process(["--serve-upstream", str(up_port)]), process(gw_args):
            wait_ready(upstream)
            wait_ready(gateway)
            result = asyncio.run(
                load(f"{upstream}/chat/completions", f"{gateway}/chat/completions", args.rate, seconds, 200)
            )
            status = httpx.get(gateway.removesuffix("/v1") + "/distillguard/status", timeout=5).json()
        result["gateway_detection_cycles"] = status["cycles"]
        result["gateway_events_recorded"] = status["window_events"]
    result["cpus"] = os.cpu_count()
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
