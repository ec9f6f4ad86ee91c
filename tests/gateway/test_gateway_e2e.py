"""End to end with the real detection engine: simulated history warms the baselines, then a live account
that starts harvesting reasoning traces through the gateway is throttled, and a legitimate one is not."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from typer.testing import CliRunner

from distillguard.cli import app
from distillguard.gateway import BackgroundServer, Gateway, GatewayConfig, KeyTable
from distillguard.gateway._engine import PipelineDetector, engine_available
from distillguard.policy import DecisionStore, Policy, default_policy_text

pytestmark = pytest.mark.slow

SYSTEM = "You are a careful expert. Always reason step by step in full detail."
TOPICS = (
    "the derivative of x^3 sin x",
    "the integral of ln x",
    "why the sky is blue",
    "a proof that sqrt 2 is irrational",
    "the time complexity of heapsort",
    "how TCP congestion control works",
    "the Krebs cycle",
    "Bayes' theorem with an example",
)


def harvest_prompt(i: int) -> str:
    return (
        f"Problem {i}: explain {TOPICS[i % len(TOPICS)]} (variant {i}). Think step by step and show your "
        "complete chain of reasoning before the final answer."
    )


@pytest.fixture(scope="module")
def warm_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        engine_available()
    except Exception as exc:  # the engine lands on main separately
        pytest.skip(f"detection engine not in this build: {exc}")
    out = tmp_path_factory.mktemp("sim")
    result = CliRunner().invoke(
        app, ["simulate", "--out", str(out), "--days", "1", "--scale", "0.1", "--seed", "3", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    return out / "traffic.jsonl"


@pytest.fixture
def gateway_url(tmp_path: Path, warm_history: Path) -> Iterator[tuple[str, Path]]:
    state = tmp_path / "state"
    config = GatewayConfig(
        keys=KeyTable({"sk-harvest": "acct_live_harvest", "sk-legit": "acct_live_legit"}),
        state_dir=state,
        policy=Policy.from_yaml(default_policy_text(), "<default>"),
        detect_every=1.0,
    )
    detector = PipelineDetector([warm_history], state / "scratch")
    with BackgroundServer(Gateway(config, detector).app) as server:
        yield f"{server.url}/v1", state


def test_reasoning_harvest_is_throttled_by_the_default_policy(gateway_url: tuple[str, Path]) -> None:
    url, state = gateway_url
    harvest = openai.OpenAI(base_url=url, api_key="sk-harvest", max_retries=0, timeout=30)
    legit = openai.OpenAI(base_url=url, api_key="sk-legit", max_retries=0, timeout=30)
    for i in range(60):
        harvest.chat.completions.create(
            model="mock-small",
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": harvest_prompt(i)}],
            max_tokens=4096,
            temperature=0.0,
        )
        if i % 4 == 0:
            legit.chat.completions.create(
                model="mock-small",
                messages=[{"role": "user", "content": f"Summarise our refund policy for customer #{i}."}],
            )
    deadline = time.monotonic() + 240  # detection cycles over the warm history take seconds each
    i = 60
    while True:
        i += 1
        try:
            harvest.chat.completions.create(
                model="mock-small",
                messages=[
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": harvest_prompt(i)},
                ],
            )
        except openai.RateLimitError as exc:
            assert exc.code == "rate_limit_exceeded"
            break
        assert time.monotonic() < deadline, "the harvesting account was never throttled"
        time.sleep(0.2)
    assert legit.chat.completions.create(model="mock-small", messages=[{"role": "user", "content": "Hello"}])
    with DecisionStore(state) as store:
        harvest_decisions = store.decisions(account_id="acct_live_harvest")
        legit_decisions = store.decisions(account_id="acct_live_legit")
    throttled = harvest_decisions[0]
    assert throttled.action.value == "throttle" and throttled.rule == "flagged-account"
    assert "reasoning_elicitation" in {e.signal for e in throttled.evidence}
    assert all(d.enforced_action.value in ("allow", "monitor") for d in legit_decisions)
