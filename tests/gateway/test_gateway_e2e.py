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
from distillguard.gateway.demo import HARVEST_SYSTEM, harvest_prompt
from distillguard.policy import DecisionStore, Policy, default_policy_text


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
def gateway_url(tmp_path: Path, warm_history: Path) -> Iterator[tuple[str, Path, Gateway]]:
    state = tmp_path / "state"
    config = GatewayConfig(
        keys=KeyTable({"sk-harvest": "acct_live_harvest", "sk-legit": "acct_live_legit"}),
        state_dir=state,
        policy=Policy.from_yaml(default_policy_text(), "<default>"),
        detect_every=1.0,
    )
    detector = PipelineDetector([warm_history], state / "scratch")
    gateway = Gateway(config, detector)
    with BackgroundServer(gateway.app) as server:
        yield f"{server.url}/v1", state, gateway


# About 30 s (a simulated day of warm history, detection cycles over it): kept in the default run because
# it is the one test of enforcement with the real engine.
def test_reasoning_harvest_is_throttled_by_the_default_policy(gateway_url: tuple[str, Path, Gateway]) -> None:
    url, state, gateway = gateway_url
    harvest = openai.OpenAI(base_url=url, api_key="sk-harvest", max_retries=0, timeout=30)
    legit = openai.OpenAI(base_url=url, api_key="sk-legit", max_retries=0, timeout=30)
    for i in range(60):
        harvest.chat.completions.create(
            model="mock-small",
            messages=[
                {"role": "system", "content": HARVEST_SYSTEM},
                {"role": "user", "content": harvest_prompt(i)},
            ],
            max_tokens=4096,
            temperature=0.0,
        )
        if i % 4 == 0:
            legit.chat.completions.create(
                model="mock-small",
                messages=[{"role": "user", "content": f"Summarise our refund policy for customer #{i}."}],
            )
    # Target: enforced within two detection cycles of the account reaching the policy's threshold.
    cycles_at_threshold = gateway.loop.status.cycles
    deadline = time.monotonic() + 240  # detection cycles over the warm history take seconds each
    i = 60
    while True:
        i += 1
        try:
            harvest.chat.completions.create(
                model="mock-small",
                messages=[
                    {"role": "system", "content": HARVEST_SYSTEM},
                    {"role": "user", "content": harvest_prompt(i)},
                ],
            )
        except openai.RateLimitError as exc:
            assert exc.code == "rate_limit_exceeded"
            break
        except openai.PermissionDeniedError:
            pytest.fail("the default policy throttles a flagged account; it does not block it")
        assert time.monotonic() < deadline, "the harvesting account was never throttled"
        time.sleep(0.2)
    assert gateway.loop.status.cycles - cycles_at_threshold <= 2
    assert legit.chat.completions.create(model="mock-small", messages=[{"role": "user", "content": "Hello"}])
    with DecisionStore(state) as store:
        harvest_decisions = store.decisions(account_id="acct_live_harvest")
        legit_decisions = store.decisions(account_id="acct_live_legit")
    throttled = harvest_decisions[0]
    assert throttled.action.value == "throttle" and throttled.rule == "flagged-account"
    assert "reasoning_elicitation" in {e.signal for e in throttled.evidence}
    assert all(d.enforced_action.value in ("allow", "monitor") for d in legit_decisions)


@pytest.mark.slow
def test_enforcement_demo_refuses_the_harvester_and_serves_the_product(
    warm_history: Path, tmp_path: Path
) -> None:
    from rich.console import Console

    from distillguard.gateway.demo import KEYS, print_outcome, run_enforcement_demo

    outcome = run_enforcement_demo([warm_history], tmp_path / "state", detect_every=1.0)
    console = Console(record=True, width=160)
    print_outcome(outcome, console)
    shown = console.export_text()
    assert "rate_limit_exceeded" in shown and "flagged-account" in shown
    harvester, product = KEYS["sk-demo-harvester"], KEYS["sk-demo-product"]
    assert outcome.first_refusal[harvester][1:3] == (429, "rate_limit_exceeded")
    assert outcome.refused[product] == 0 and outcome.served[product] > 10
    assert outcome.cycles_to_enforce is not None and outcome.cycles_to_enforce <= 2
    assert {d.account_id: d.action.value for d in outcome.decisions}[harvester] == "throttle"
