"""What keeps the gateway's request path short: window deltas to the detection worker, the events writer
thread, the lean chat path, the fast ASGI entry and the probe that measures it all."""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from gateway_doubles import KEYS, LEGIT_PROMPT, TEST_POLICY, ReasoningShareDetector

from distillguard.detect.types import DetectionResult
from distillguard.gateway import (
    BackgroundServer,
    EventRecorder,
    Gateway,
    GatewayConfig,
    KeyTable,
    create_mock_upstream,
)
from distillguard.gateway._transport import PreparedPost
from distillguard.gateway._worker import WORKER_NICENESS, ProcessDetector, WindowOutOfSyncError
from distillguard.gateway.detection import DetectionLoop, PolicySource
from distillguard.gateway.enforcement import Enforcer
from distillguard.gateway.events import EVENTS_FILE, WindowDelta, WindowMirror, load_history
from distillguard.gateway.metrics import GatewayMetrics
from distillguard.policy import DecisionStore, Policy

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _record(recorder: EventRecorder, n: int, at: datetime) -> None:
    recorder.record({"ts": at.isoformat(), "account_id": "a", "n": n}, at)


def test_window_deltas_keep_a_copy_equal_to_the_window(tmp_path: Path) -> None:
    recorder = EventRecorder(tmp_path, max_events=5, max_age=timedelta(hours=1))
    mirror = WindowMirror()
    for n in range(3):
        _record(recorder, n, NOW)
    first = recorder.delta(None, NOW)
    assert first.start is None and first.size == 3
    assert mirror.apply(first) and mirror.jsonl() == recorder.snapshot_jsonl(NOW)
    for n in range(3, 7):  # the window holds 5: two fall out
        _record(recorder, n, NOW + timedelta(minutes=n))
    second = recorder.delta(first.end, NOW + timedelta(minutes=7))
    assert second.start == first.end and second.data.count(b"\n") == 4  # only the new lines travel
    assert mirror.apply(second) and mirror.jsonl() == recorder.snapshot_jsonl(NOW + timedelta(minutes=7))
    assert len(mirror) == 5
    later = NOW + timedelta(minutes=64)  # events older than an hour expire: only n=4..6 stay
    third = recorder.delta(second.end, later)
    assert third.data == b"" and mirror.apply(third)
    assert [e["n"] for e in recorder.snapshot(later)] == [4, 5, 6]
    assert mirror.jsonl() == recorder.snapshot_jsonl(later)
    # A copy that missed a delta refuses the next one rather than drifting.
    assert not WindowMirror().apply(WindowDelta(3, 4, 1, b"{}\n"))
    # More new events than the window holds: the delta replaces the copy.
    for n in range(7, 20):
        _record(recorder, n, later)
    assert recorder.delta(third.end, later).start is None
    recorder.close()


class _MirroringDetector:
    """A stand-in for the worker process: keeps a window copy and sees every delta it is sent."""

    def __init__(self) -> None:
        self.mirror = WindowMirror()
        self.deltas: list[WindowDelta] = []
        self.windows: list[bytes] = []

    def detect_delta(self, delta: WindowDelta) -> DetectionResult:
        self.deltas.append(delta)
        if not self.mirror.apply(delta):
            raise WindowOutOfSyncError("out of step")
        self.windows.append(self.mirror.jsonl())
        return DetectionResult(accounts=(), campaigns=(), threshold=0.5)

    def __call__(self, events: list[dict[str, Any]]) -> DetectionResult:
        raise AssertionError("a delta detector is sent deltas, not event lists")


def test_detection_cycles_send_deltas_and_resync_a_restarted_worker(tmp_path: Path) -> None:
    recorder = EventRecorder(tmp_path / "state")
    detector = _MirroringDetector()
    store = DecisionStore(tmp_path / "state")
    loop = DetectionLoop(
        recorder,
        detector,
        PolicySource(Policy.from_yaml(TEST_POLICY)),
        store,
        Enforcer(),
        GatewayMetrics(),
        clock=lambda: NOW,
    )
    for n in range(4):
        _record(recorder, n, NOW)
    loop.run_cycle()
    for n in range(4, 6):
        _record(recorder, n, NOW)
    loop.run_cycle()
    assert [d.start for d in detector.deltas] == [None, 4]
    assert detector.deltas[1].data.count(b"\n") == 2
    assert detector.windows[-1] == recorder.snapshot_jsonl(NOW)
    detector.mirror = WindowMirror()  # the worker lost its copy
    _record(recorder, 6, NOW)
    loop.run_cycle()
    assert [d.start for d in detector.deltas[2:]] == [6, None]  # refused, then the whole window
    assert detector.windows[-1] == recorder.snapshot_jsonl(NOW) and loop.status.errors == 0
    recorder.close()
    store.close()


def test_events_reach_the_file_without_a_flush_on_the_request_path(tmp_path: Path) -> None:
    recorder = EventRecorder(tmp_path, write_every=0.05)
    for n in range(3):
        _record(recorder, n, NOW)
    deadline = time.monotonic() + 5
    path = tmp_path / EVENTS_FILE
    while time.monotonic() < deadline and len(path.read_bytes().splitlines()) < 3:
        time.sleep(0.02)
    assert [e["n"] for e in load_history([path])] == [0, 1, 2]  # written by the writer thread
    _record(recorder, 3, NOW)
    recorder.close()  # closing writes what is pending
    assert [e["n"] for e in load_history([path])] == [0, 1, 2, 3]


def test_a_writer_that_falls_behind_slows_recording_instead_of_dropping(tmp_path: Path) -> None:
    recorder = EventRecorder(tmp_path, write_every=3600, max_pending_bytes=1)
    _record(recorder, 0, NOW)  # past the pending limit: written at once by record itself
    assert [e["n"] for e in load_history([tmp_path / EVENTS_FILE])] == [0]
    recorder.close()


def test_prepared_post_encodes_one_request_head() -> None:
    post = PreparedPost(httpx.URL("http://127.0.0.1:9/v1/chat/completions"), {"content-type": "a/b"})
    assert post.key == ("http", "127.0.0.1", 9)
    payload = post.payload(b'{"x":1}')
    head, _, body = payload.partition(b"\r\n\r\n")
    assert head.split(b"\r\n") == [
        b"POST /v1/chat/completions HTTP/1.1",
        b"host: 127.0.0.1:9",
        b"content-type: a/b",
        b"content-length: 7",
    ]
    assert body == b'{"x":1}'


def _gateway(tmp_path: Path, upstream: str = "mock", probe: bool = False) -> Gateway:
    config = GatewayConfig(
        keys=KeyTable(dict(KEYS)),
        state_dir=tmp_path / "state",
        policy=Policy.from_yaml(TEST_POLICY),
        upstream=upstream,
        detect_every=3600,
        probe=probe,
    )
    return Gateway(config, ReasoningShareDetector())


def _ask(sdk: openai.OpenAI, stream: bool = False) -> str:
    messages: Any = [{"role": "user", "content": LEGIT_PROMPT}]
    if stream:
        chunks = sdk.chat.completions.create(
            model="mock-small", messages=messages, stream=True, stream_options={"include_usage": True}
        )
        return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return sdk.chat.completions.create(model="mock-small", messages=messages).choices[0].message.content or ""


def test_lean_chat_path_records_usage_and_relays_errors(tmp_path: Path) -> None:
    with BackgroundServer(create_mock_upstream()) as upstream:
        gateway = _gateway(tmp_path, f"{upstream.url}/v1")
        with BackgroundServer(gateway.app) as server:
            sdk = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-legit", max_retries=0)
            assert _ask(sdk) == _ask(sdk, stream=True)
            with pytest.raises(openai.NotFoundError) as missing:
                sdk.chat.completions.create(model="gpt-nope", messages=[{"role": "user", "content": "hi"}])
            assert missing.value.code == "model_not_found"
        gateway.recorder.flush()
    events = load_history([tmp_path / "state" / EVENTS_FILE])
    assert [e["status"] for e in events] == [200, 200, 404]
    plain, streamed = events[0]["response"], events[1]["response"]
    assert plain["usage"]["completion_tokens"] > 0 and plain["usage"] == streamed["usage"]
    assert plain["choices"] == streamed["choices"] == [{"finish_reason": "stop"}]
    ids = [e["request_id"] for e in events]
    assert len(set(ids)) == 3 and all(i.startswith("req_") and len(i) == 36 for i in ids)


def test_a_failure_in_the_chat_handler_is_a_500_in_the_openai_envelope(tmp_path: Path) -> None:
    gateway = _gateway(tmp_path)

    def broken(account_id: str) -> None:
        raise RuntimeError("boom")

    gateway.guard.check = broken  # type: ignore[method-assign,assignment]
    with BackgroundServer(gateway.app) as server:
        sdk = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-legit", max_retries=0)
        with pytest.raises(openai.InternalServerError) as caught:
            _ask(sdk)
        assert caught.value.code == "internal_error"


def test_probe_reports_loop_lag_and_request_phases(tmp_path: Path) -> None:
    with BackgroundServer(_gateway(tmp_path / "off").app) as server:
        off = httpx.get(f"{server.url}/distillguard/probe", timeout=5)
        assert off.status_code == 404 and off.json()["error"]["code"] == "probe_off"
    with BackgroundServer(_gateway(tmp_path / "on", probe=True).app) as server:
        sdk = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-legit", max_retries=0)
        for _ in range(3):
            _ask(sdk)
        time.sleep(0.1)  # a few ticks
        probe = httpx.get(f"{server.url}/distillguard/probe", timeout=5).json()
        assert probe["loop_lag"]["n"] > 0 and probe["loop_lag"]["p50_ms"] >= 0
        assert probe["request_phases"]["total"]["n"] == 3
        assert probe["request_phases"]["upstream"]["p50_ms"] <= probe["request_phases"]["total"]["p50_ms"]
        assert set(probe["stalls"]) >= {"n", "total_ms", "by_cause"}
        assert httpx.delete(f"{server.url}/distillguard/probe", timeout=5).status_code == 204
        again = httpx.get(f"{server.url}/distillguard/probe", timeout=5).json()
        assert again["request_phases"]["total"]["n"] == 0


def test_detection_worker_runs_at_a_lower_cpu_priority() -> None:
    detector = ProcessDetector(ReasoningShareDetector)
    try:
        worker = detector._pool.submit(os.nice, 0).result(timeout=120)
    finally:
        detector.close()
    assert worker == min(19, os.nice(0) + WORKER_NICENESS)


def test_an_upstream_that_dies_mid_body_is_a_502_not_a_truncated_answer(tmp_path: Path) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve_one_broken_reply() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{")

    server_thread = threading.Thread(target=serve_one_broken_reply, daemon=True)
    server_thread.start()
    gateway = _gateway(tmp_path, f"http://127.0.0.1:{port}/v1")
    with BackgroundServer(gateway.app) as server:
        sdk = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-legit", max_retries=0)
        with pytest.raises(openai.APIStatusError) as caught:
            _ask(sdk)
        assert caught.value.status_code == 502 and caught.value.code == "upstream_unavailable"
    server_thread.join(5)
    listener.close()
