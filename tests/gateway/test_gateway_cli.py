"""``distillguard gateway`` as an operator runs it: a process, a keys file, a policy reloaded on SIGHUP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from distillguard.gateway._engine import engine_available
from distillguard.policy import default_policy_text

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, predicate: Any, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            status: dict[str, Any] = httpx.get(url, timeout=2).json()
            if predicate(status):
                return status
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"timed out waiting on {url}"
        time.sleep(0.2)


def test_cli_gateway_serves_detects_and_refuses_a_broken_policy_on_sighup(tmp_path: Path) -> None:
    try:
        engine_available()
    except Exception as exc:
        pytest.skip(f"detection engine not in this build: {exc}")
    keys = tmp_path / "keys.yaml"
    keys.write_text("keys:\n  sk-one: acct_one\n")
    policy = tmp_path / "policy.yaml"
    policy.write_text(default_policy_text())
    port = _free_port()
    executable = str(Path(sys.executable).parent / "distillguard")
    command = [
        executable, "gateway", "--port", str(port), "--upstream", "mock", "--keys", str(keys),
        "--policy", str(policy), "--state", str(tmp_path / "state"), "--detect-every", "1",
        "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/distillguard/status", lambda s: s["cycles"] >= 1, timeout=180)
        body = {"model": "mock-small", "messages": [{"role": "user", "content": "hello"}]}
        served = httpx.post(
            f"{base}/v1/chat/completions", json=body, headers={"authorization": "Bearer sk-one"}
        )
        assert served.status_code == 200
        unknown = httpx.post(
            f"{base}/v1/chat/completions", json=body, headers={"authorization": "Bearer sk-x"}
        )
        assert unknown.status_code == 401
        _wait(
            f"{base}/distillguard/status", lambda s: s["window_events"] >= 1 and s["cycles"] >= 2, timeout=120
        )

        # Same size and mtime granularity aside, SIGHUP forces the re-read.
        policy.write_text(default_policy_text().replace("action: monitor", "action: monitr", 1))
        os.kill(proc.pid, signal.SIGHUP)
        status = _wait(f"{base}/distillguard/status", lambda s: s["policy_error"] is not None, timeout=30)
        assert "unknown action 'monitr'" in status["policy_error"] and status["policy_version"] == "default-1"
        again = httpx.post(
            f"{base}/v1/chat/completions", json=body, headers={"authorization": "Bearer sk-one"}
        )
        assert again.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, stderr = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate()
    assert "policy refused" in stderr and "line=" in stderr
