"""Fixtures for the gateway tests: a running gateway with the test-double detector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gateway_doubles import KEYS, TEST_POLICY, ReasoningShareDetector, Running

from distillguard.gateway import BackgroundServer, Gateway, GatewayConfig, KeyTable
from distillguard.policy import Policy


@pytest.fixture
def running_gateway(tmp_path: Path) -> Iterator[Running]:
    policy_path = tmp_path / "policy.yaml"
    policy_path.write_text(TEST_POLICY)
    state = tmp_path / "state"
    detector = ReasoningShareDetector()
    config = GatewayConfig(
        keys=KeyTable(dict(KEYS)),
        state_dir=state,
        policy=Policy.from_file(policy_path),
        policy_path=policy_path,
        upstream="mock",
        detect_every=0.25,
    )
    gateway = Gateway(config, detector)
    with BackgroundServer(gateway.app) as server:
        yield Running(gateway, server, detector, policy_path, state)
