"""Detection in a worker process: same enforcement, and the gateway's events are what ingest reads."""

from __future__ import annotations

import time
from pathlib import Path

import openai
from conftest import HARVEST_PROMPT, KEYS, LEGIT_PROMPT, TEST_POLICY, ReasoningShareDetector

from distillguard.gateway import BackgroundServer, Gateway, GatewayConfig, KeyTable
from distillguard.gateway._worker import ProcessDetector
from distillguard.gateway.events import EVENTS_FILE
from distillguard.ingest import Quarantine, read_events
from distillguard.policy import Policy


def test_worker_process_detection_blocks_the_harvester(tmp_path: Path) -> None:
    config = GatewayConfig(
        keys=KeyTable(dict(KEYS)),
        state_dir=tmp_path / "state",
        policy=Policy.from_yaml(TEST_POLICY, "policy"),
        detect_every=0.25,
    )
    gateway = Gateway(config, ProcessDetector(ReasoningShareDetector))
    with BackgroundServer(gateway.app) as server:
        harvest = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-harvest", max_retries=0)
        legit = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-legit", max_retries=0)
        messages = [{"role": "user", "content": HARVEST_PROMPT}]
        for _ in range(6):
            harvest.chat.completions.create(model="mock-small", messages=messages)  # type: ignore[arg-type]
            legit.chat.completions.create(
                model="mock-small", messages=[{"role": "user", "content": LEGIT_PROMPT}]
            )
        deadline = time.monotonic() + 30  # the first cycle waits for the worker process to start
        while True:
            try:
                harvest.chat.completions.create(model="mock-small", messages=messages)  # type: ignore[arg-type]
            except openai.PermissionDeniedError:
                break
            assert time.monotonic() < deadline, "never blocked"
            time.sleep(0.1)
        assert legit.chat.completions.create(model="mock-small", messages=[{"role": "user", "content": "hi"}])
        assert gateway.loop.status.cycles >= 1 and gateway.loop.status.errors == 0

    # Every request, served or refused, is a canonical event that ingest reads without quarantine.
    with Quarantine(None) as quarantine:
        batches = list(
            read_events([tmp_path / "state" / EVENTS_FILE], fmt="canonical", quarantine=quarantine)
        )
        assert quarantine.count == 0
    rows = [row for batch in batches for row in batch.to_pylist()]
    assert {row["account_id"] for row in rows} == {"acct_harvest", "acct_legit"}
    assert {row["status"] for row in rows} == {200, 403}
    served = next(row for row in rows if row["account_id"] == "acct_harvest" and row["status"] == 200)
    assert (
        served["model"] == "mock-small" and served["finish_reason"] == "stop" and served["completion_tokens"]
    )
    assert "step by step" in served["user_text"]
