"""End to end with the real detection engine: a simulated platform's history warms the baselines, then
one of its reasoning-harvest operator accounts keeps harvesting through the gateway and is refused, while
its busiest legitimate customer is served throughout."""

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
from distillguard.gateway.demo import (
    HARVEST_SYSTEM,
    HARVESTER_KEY,
    PRODUCT_KEY,
    harvest_prompt,
    pick_accounts,
)
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
def gateway_url(tmp_path: Path, warm_history: Path) -> Iterator[tuple[str, Path, Gateway, dict[str, str]]]:
    state = tmp_path / "state"
    keys = pick_accounts(warm_history.parent / "labels.jsonl")
    config = GatewayConfig(
        keys=KeyTable(dict(keys)),
        state_dir=state,
        policy=Policy.from_yaml(default_policy_text(), "<default>"),
        detect_every=1.0,
    )
    detector = PipelineDetector([warm_history], state / "scratch")
    gateway = Gateway(config, detector)
    with BackgroundServer(gateway.app) as server:
        yield f"{server.url}/v1", state, gateway, keys


# About 30 s (a simulated day of warm history, detection cycles over it): kept in the default run because
# it is the one test of enforcement with the real engine.
def test_operator_account_is_refused_and_the_customer_served(
    gateway_url: tuple[str, Path, Gateway, dict[str, str]],
) -> None:
    url, state, gateway, keys = gateway_url
    harvester, product = keys[HARVESTER_KEY], keys[PRODUCT_KEY]
    harvest = openai.OpenAI(base_url=url, api_key=HARVESTER_KEY, max_retries=0, timeout=30)
    legit = openai.OpenAI(base_url=url, api_key=PRODUCT_KEY, max_retries=0, timeout=30)
    deadline = time.monotonic() + 240  # a detection cycle over the warm history takes seconds
    i = 0
    while True:
        i += 1
        assert legit.chat.completions.create(
            model="mock-small", messages=[{"role": "user", "content": f"Summarise our refund policy, #{i}."}]
        )
        try:
            harvest.chat.completions.create(
                model="mock-small",
                messages=[
                    {"role": "system", "content": HARVEST_SYSTEM},
                    {"role": "user", "content": harvest_prompt(i)},
                ],
                max_tokens=4096,
            )
        except (openai.RateLimitError, openai.PermissionDeniedError) as exc:
            assert exc.code in ("rate_limit_exceeded", "account_blocked", "verification_required")
            break
        assert time.monotonic() < deadline, "the operator's account was never refused"
        time.sleep(0.1)
    # Over the threshold from the start (its history is in the warm file): refused by the second cycle.
    assert gateway.loop.status.cycles <= 2
    assert legit.chat.completions.create(model="mock-small", messages=[{"role": "user", "content": "Hello"}])
    with DecisionStore(state) as store:
        refused = store.decisions(account_id=harvester)[0]
        served = store.decisions(account_id=product)
    assert refused.action.value in ("throttle", "block", "require_verification")
    assert "reasoning_elicitation" in {e.signal for e in refused.evidence}
    assert all(d.enforced_action.value in ("allow", "monitor") for d in served)


@pytest.mark.slow
def test_enforcement_demo_refuses_the_harvester_and_serves_the_product(
    warm_history: Path, tmp_path: Path
) -> None:
    from rich.console import Console

    from distillguard.gateway.demo import print_outcome, run_enforcement_demo

    outcome = run_enforcement_demo([warm_history], tmp_path / "state", detect_every=1.0)
    harvester, product = outcome.accounts["harvester"], outcome.accounts["product"]
    assert outcome.first_refusal[harvester][1] in (403, 429)
    assert outcome.refused[product] == 0 and outcome.served[product] > outcome.served[harvester]
    assert outcome.cycles_to_enforce is not None and outcome.cycles_to_enforce <= 2
    assert {d.account_id for d in outcome.decisions} >= {harvester}
    console = Console(record=True, width=160)
    print_outcome(outcome, console)
    shown = console.export_text()
    assert harvester in shown and "reasoning_elicitation" in shown
