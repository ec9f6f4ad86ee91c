"""Units of the gateway: token bucket, enforcement, SSE summaries, keys file, mock upstream, window."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from conftest import ReasoningShareDetector

from distillguard.detect.types import DetectionResult
from distillguard.errors import ConfigError
from distillguard.gateway import EventRecorder, KeyTable, TokenBucket, create_mock_upstream
from distillguard.gateway._sse import StreamSummary
from distillguard.gateway.detection import DetectionLoop, PolicySource
from distillguard.gateway.enforcement import Enforcer
from distillguard.gateway.metrics import GatewayMetrics
from distillguard.policy import Action, Decision, DecisionStore, Policy

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def decision(
    action: Action, rpm: float | None = None, burst: int | None = None, dry_run: bool = False
) -> Decision:
    return Decision("acct", action, "r", "v1", NOW, dry_run=dry_run, requests_per_minute=rpm, burst=burst)


def test_token_bucket_rate_and_burst() -> None:
    bucket = TokenBucket(per_minute=60, burst=3, now=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(0.0) == pytest.approx(1.0)  # one request per second refills
    assert bucket.take(0.5) == pytest.approx(0.5)
    assert bucket.take(1.0) == 0.0
    assert bucket.take(100.0) == 0.0  # refills to the burst, never beyond
    assert [bucket.take(100.0) for _ in range(3)][-1] > 0


def test_enforcer_answers() -> None:
    enforcer = Enforcer()
    assert enforcer.check("acct", 0.0) is None  # no decision: served
    enforcer.publish({"acct": decision(Action.BLOCK)})
    blocked = enforcer.check("acct", 0.0)
    assert blocked is not None and blocked.status == 403 and blocked.code == "account_blocked"
    assert set(blocked.body()["error"]) == {"message", "type", "param", "code"}  # type: ignore[arg-type]
    enforcer.publish({"acct": decision(Action.REQUIRE_VERIFICATION)})
    verify = enforcer.check("acct", 0.0)
    assert verify is not None and verify.code == "verification_required"
    enforcer.publish({"acct": decision(Action.BLOCK, dry_run=True)})
    assert enforcer.check("acct", 0.0) is None  # dry run: recorded, not enforced
    enforcer.publish({"acct": decision(Action.MONITOR)})
    assert enforcer.check("acct", 0.0) is None


def test_throttle_bucket_survives_republishing_the_same_decision() -> None:
    enforcer = Enforcer()
    enforcer.publish({"acct": decision(Action.THROTTLE, rpm=6, burst=1)})
    assert enforcer.check("acct", 0.0) is None
    limited = enforcer.check("acct", 0.1)
    assert limited is not None and limited.status == 429 and limited.retry_after == 10
    # The next detection cycle publishes an equal decision: no free refill of the bucket.
    enforcer.publish({"acct": decision(Action.THROTTLE, rpm=6, burst=1)})
    assert enforcer.check("acct", 0.2) is not None
    # A changed limit starts a fresh bucket.
    enforcer.publish({"acct": decision(Action.THROTTLE, rpm=60, burst=1)})
    assert enforcer.check("acct", 0.3) is None


def test_stream_summary_handles_split_chunks() -> None:
    stream = (
        b'data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}\n\n'
        b'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n'
        b"data: [DONE]\n\n"
    )
    summary = StreamSummary()
    for start in range(0, len(stream), 7):  # arbitrary chunk boundaries
        summary.feed(stream[start : start + 7])
    assert summary.as_response() == {
        "choices": [{"finish_reason": "length"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }


def test_keys_file(tmp_path: Path) -> None:
    good = tmp_path / "keys.yaml"
    good.write_text(
        "keys:\n  sk-1: acct_a\n  sk-2: acct_a\naccounts:\n  acct_a: {created: 2025-01-15T00:00:00Z}\n"
    )
    table = KeyTable.from_file(good)
    assert table.account_for("sk-2") == "acct_a" and table.account_for("sk-3") is None
    assert table.account_created["acct_a"] == datetime(2025, 1, 15, tzinfo=UTC)
    bad = tmp_path / "bad.yaml"
    bad.write_text("keys:\n  sk-1: acct_a\n  sk-2:\n")
    with pytest.raises(ConfigError) as caught:
        KeyTable.from_file(bad)
    assert caught.value.context["line"] == 3 and "account id" in caught.value.message
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError, match="cannot read"):
        KeyTable.from_file(missing)


def test_mock_upstream_is_deterministic_and_validates() -> None:
    async def run() -> None:
        transport = httpx.ASGITransport(app=create_mock_upstream())
        async with httpx.AsyncClient(transport=transport, base_url="http://mock/v1") as client:
            body = {
                "model": "mock-small",
                "messages": [{"role": "user", "content": "Name three primes"}],
                "n": 2,
            }
            first = (await client.post("chat/completions", json=body)).json()
            again = (await client.post("chat/completions", json=body)).json()
            assert first == again and len(first["choices"]) == 2
            assert first["choices"][0]["message"]["content"] != first["choices"][1]["message"]["content"]
            cut = (await client.post("chat/completions", json={**body, "max_tokens": 3})).json()
            assert cut["choices"][0]["finish_reason"] == "length" and cut["usage"]["completion_tokens"] == 6
            unknown = await client.post("chat/completions", json={**body, "model": "gpt-9"})
            assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "model_not_found"
            empty = await client.post("chat/completions", json={"model": "mock-small", "messages": []})
            assert empty.status_code == 400

    asyncio.run(run())


def test_window_drops_old_events_and_caps_size(tmp_path: Path) -> None:
    recorder = EventRecorder(tmp_path, max_events=3, max_age=timedelta(hours=1))
    for minute in range(5):
        at = NOW + timedelta(minutes=minute)
        recorder.record({"ts": at.isoformat(), "account_id": "a", "n": minute}, at)
    assert [e["n"] for e in recorder.snapshot(NOW + timedelta(minutes=5))] == [2, 3, 4]
    assert [e["n"] for e in recorder.snapshot(NOW + timedelta(minutes=63, seconds=30))] == [4]
    recorder.close()
    assert len((tmp_path / "events.jsonl").read_text().splitlines()) == 5  # the file keeps everything


def test_failing_detector_keeps_previous_decisions(tmp_path: Path) -> None:
    policy = Policy.from_yaml(
        "version: v\nrules:\n  - name: f\n    when: {flagged: true}\n    action: block\n"
    )
    detector = ReasoningShareDetector(min_requests=1)
    calls = {"n": 0}

    def flaky(events: list[dict[str, object]]) -> DetectionResult:
        calls["n"] += 1
        if calls["n"] > 1:
            raise RuntimeError("engine bug")
        return detector(events)  # type: ignore[arg-type]

    recorder = EventRecorder(tmp_path)
    prompt = {"messages": [{"role": "user", "content": "step by step please"}]}
    recorder.record({"ts": NOW.isoformat(), "account_id": "a", "request": prompt}, NOW)
    enforcer, metrics = Enforcer(), GatewayMetrics()
    with DecisionStore(tmp_path) as store:
        loop = DetectionLoop(
            recorder, flaky, PolicySource(policy), store, enforcer, metrics, clock=lambda: NOW
        )
        loop.run_cycle()
        assert enforcer.decisions["a"].action is Action.BLOCK
        loop.run_cycle()
        assert enforcer.decisions["a"].action is Action.BLOCK
        assert loop.status.errors == 1 and "engine bug" in (loop.status.last_error or "")
        assert metrics.cycles.get(result="error") == 1
        assert len(store.decisions()) == 1  # unchanged decisions are not re-recorded
    recorder.close()
