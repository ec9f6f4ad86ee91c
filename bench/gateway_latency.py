"""Added latency of the distillguard gateway: direct vs proxied calls to the mock upstream, in one run.

    .venv/bin/python bench/gateway_latency.py [--rate 200] [--seconds 10] [--json out.json]
        [--baseline OTHER_CHECKOUT]

The mock upstream and the gateway each run in their own process (uvicorn on 127.0.0.1), as they would in
production; this process is the client. Requests are sent open-loop at ``--rate`` per second, alternating
one-second phases of direct and proxied traffic so that drift in the machine's load hits both alike.
The gateway records every request and runs background detection cycles (``--detect-every``) meanwhile.
Everything is bounded: ``--seconds`` of load per target, then the servers are stopped.

The gateway runs with its probe on and the report includes what it saw server-side (``gateway_probe``):
event-loop lag percentiles, late ticks attributed to the loop's own work, GC, other threads of the
gateway (GIL) or the machine, request phases, GC pauses, detection cycles and flushes. That separates the
gateway's own cost from a busy machine's noise.

``--baseline DIR`` (a checkout of another revision, e.g. ``git worktree add /tmp/base main``) starts a
second gateway running that revision's code and adds its phases to the rotation (direct, proxied,
baseline): an A/B comparison under the same load in the same minutes.
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
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil

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

    uvicorn.run(
        create_mock_upstream(),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=60,
    )


class NoVerdicts:
    """A detector that reads the window it is given and flags no one."""

    def detect_jsonl(self, data: bytes) -> object:
        from distillguard.detect.types import DetectionResult

        return DetectionResult(accounts=(), campaigns=(), threshold=0.5)

    def __call__(self, events: list[dict[str, object]]) -> object:
        return self.detect_jsonl(b"")


def serve_gateway(
    port: int, upstream: str, state: Path, detect_every: float, warm: Path | None, probe: bool = True
) -> None:
    import functools

    import uvicorn

    from distillguard.gateway import Detector, Gateway, GatewayConfig, KeyTable
    from distillguard.gateway._engine import make_pipeline_detector
    from distillguard.gateway._worker import ProcessDetector
    from distillguard.policy import Policy, default_policy_text

    # Detection as the CLI runs it: in a worker process that receives the window every cycle. Without
    # --warm the worker's detector flags no one (the request path never waits for detection, so it only
    # needs to run); with --warm it is the real engine over the warm history and the window.
    factory: Callable[[], object] = NoVerdicts
    if warm is not None:
        factory = functools.partial(make_pipeline_detector, [warm], state / "scratch")
    detector: Detector = ProcessDetector(factory)

    # A --baseline revision may predate the probe.
    extra = {"probe": probe} if "probe" in GatewayConfig.__dataclass_fields__ else {}
    config = GatewayConfig(
        keys=KeyTable({KEY: "acct_bench"}),
        state_dir=state,
        # The bench account hammers one request: with the real engine it is (rightly) flagged, so it is
        # on the partners allow-list, as a provider's own load-test account would be.
        policy=Policy.from_yaml(default_policy_text().replace("partners: []", "partners: [acct_bench]")),
        upstream=upstream,
        detect_every=detect_every,
        **extra,  # type: ignore[arg-type]
    )
    app = Gateway(config, detector).app
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, timeout_keep_alive=60
    )


@contextlib.contextmanager
def process(args: list[str], source: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """This script in a child process; with ``source``, importing distillguard from ``source/src``."""
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source / "src"), env.get("PYTHONPATH")]))
    proc = subprocess.Popen([sys.executable, __file__, *args], env=env)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_first_cycle(base: str, timeout: float = 300.0) -> None:
    """Wait for a gateway's first detection cycle: its worker process has started and taken the window
    once, a start-up cost paid once per gateway and not part of the steady state measured here."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(f"{base}/distillguard/status", timeout=5).json()["cycles"] >= 1:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{base}: no detection cycle within {timeout:.0f} s")


def wait_ready(base: str, timeout: float = 120.0) -> None:
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
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                if exc.partial:
                    raise
                # The server closed an idle keep-alive connection: reconnect once, as any client would.
                writer.close()
                reader, writer = await asyncio.open_connection(self.host, self.port)
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


def latency_summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 50), 3),
        "p90_ms": round(percentile(values, 90), 3),
        "p99_ms": round(percentile(values, 99), 3),
        "mean_ms": round(statistics.fmean(values), 3),
        "n": len(values),
    }


async def load(
    targets: dict[str, str], rate: float, seconds: int, warmup: int, after_warmup: list[str]
) -> dict[str, object]:
    """Phases of one second per target in turn (direct first); ``after_warmup``: probe URLs to reset."""
    lat: dict[str, list[float]] = {name: [] for name in targets}
    errors = dict.fromkeys(targets, 0)
    pools = {name: Pool(url, 32) for name, url in targets.items()}
    for pool in pools.values():
        await pool.open()
        await phase(pool, rate, warmup, [])  # warm connections and code paths; not measured
    async with httpx.AsyncClient() as client:
        for url in after_warmup:
            await client.delete(url)
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
    summaries = {name: latency_summary(values) for name, values in lat.items()}
    result.update(summaries)
    direct = summaries["direct"]
    for name in targets:
        if name != "direct":
            key = "added" if name == "proxied" else f"added_{name}"
            result[key] = {
                k: round(summaries[name][k] - direct[k], 3) for k in ("p50_ms", "p90_ms", "p99_ms", "mean_ms")
            }
    return result


def gateway_report(base: str, spent: float, per_target: int) -> dict[str, object]:
    """What a gateway reports about itself after the run, and its CPU per request."""
    status = httpx.get(f"{base}/distillguard/status", timeout=5).json()
    report: dict[str, object] = {
        "cpu_ms_per_request": round(spent * 1000 / per_target, 3),
        "detection_cycles": status["cycles"],
        "last_cycle_seconds": status["last_cycle_seconds"],
        "events_recorded": status["window_events"],
    }
    probe = httpx.get(f"{base}/distillguard/probe", timeout=5)
    if probe.status_code == 200:
        report["probe"] = probe.json()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second per target")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of load per target (max 120)")
    parser.add_argument("--detect-every", type=float, default=2.0, help="gateway detection interval")
    parser.add_argument("--warm", type=Path, help="run the real detection engine over this history meanwhile")
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--baseline", type=Path, help="A/B: also run a gateway from this checkout's src/")
    parser.add_argument(
        "--no-probe",
        action="store_true",
        help="gateway without its probe (for CPU comparisons with --baseline)",
    )
    parser.add_argument("--serve-upstream", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-gateway", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_upstream:
        serve_upstream(args.serve_upstream)
        return
    if args.serve_gateway:
        port, upstream, state = args.serve_gateway
        serve_gateway(int(port), upstream, Path(state), args.detect_every, args.warm, not args.no_probe)
        return
    seconds = max(1, min(args.seconds, 120))
    up_port = free_port()
    upstream = f"http://127.0.0.1:{up_port}/v1"
    gateways = {"proxied": (free_port(), None)}
    if args.baseline:
        gateways["baseline"] = (free_port(), args.baseline.resolve())
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        procs = {"upstream": stack.enter_context(process(["--serve-upstream", str(up_port)]))}
        for name, (port, source) in gateways.items():
            state = Path(tmp) / name
            gw_args = [
                "--serve-gateway",
                str(port),
                upstream,
                str(state),
                "--detect-every",
                str(args.detect_every),
            ]
            if args.warm:
                gw_args += ["--warm", str(args.warm.resolve())]
            if args.no_probe or source is not None:  # the baseline never probes: compare with --no-probe
                gw_args.append("--no-probe")
            procs[name] = stack.enter_context(process(gw_args, source))
        wait_ready(upstream)
        bases = {name: f"http://127.0.0.1:{port}" for name, (port, _) in gateways.items()}
        for base in bases.values():
            wait_ready(f"{base}/v1")
        for base in bases.values():
            wait_first_cycle(base)
        # CPU seconds the processes spend, per request: a figure that queueing on a busy machine
        # does not inflate the way it inflates latencies.
        cpu = {name: psutil.Process(p.pid) for name, p in procs.items()}
        before = {name: proc.cpu_times()[:2] for name, proc in cpu.items()}
        targets = {"direct": f"{upstream}/chat/completions"}
        targets.update({name: f"{base}/v1/chat/completions" for name, base in bases.items()})
        probes = [f"{base}/distillguard/probe" for base in bases.values()]
        result = asyncio.run(load(targets, args.rate, seconds, 200, probes))
        after = {name: proc.cpu_times()[:2] for name, proc in cpu.items()}
        user_sys = {
            name: (after[name][0] - before[name][0], after[name][1] - before[name][1]) for name in cpu
        }
        spent = {name: sum(pair) for name, pair in user_sys.items()}
        per_target = seconds * int(args.rate) + 200  # measured requests plus the warm-up
        # The upstream serves the direct requests and those of every gateway.
        result["upstream_cpu_ms_per_request"] = round(
            spent["upstream"] * 1000 / (len(targets) * per_target), 3
        )
        result["detector"] = f"engine over --warm {args.warm}" if args.warm else "none (no verdicts)"
        for name, base in bases.items():
            report = gateway_report(base, spent[name], per_target)
            key = "gateway" if name == "proxied" else f"{name}_gateway"
            result[f"{key}_cpu_ms_per_request"] = report.pop("cpu_ms_per_request")
            user, system = user_sys[name]
            report["cpu_user_system_ms_per_request"] = [
                round(user * 1000 / per_target, 3),
                round(system * 1000 / per_target, 3),
            ]
            result[key] = report
        main_report = result["gateway"]
        assert isinstance(main_report, dict)
        for field in ("detection_cycles", "last_cycle_seconds", "events_recorded"):  # the earlier keys
            result[f"gateway_{field}"] = main_report[field]
    result["cpus"] = os.cpu_count()
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
