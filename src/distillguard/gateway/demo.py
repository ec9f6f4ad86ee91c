"""An enforcement demonstration for ``distillguard demo``: a gateway on 127.0.0.1 with the mock upstream,
a legitimate product account and an account that starts harvesting reasoning traces.

Everything is real except the upstream model: the canonical events, the detection engine over warm
history, the default policy, the token bucket and the audit trail.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from distillguard.gateway.app import Gateway, GatewayConfig
from distillguard.gateway.detection import Detector
from distillguard.gateway.keys import KeyTable
from distillguard.gateway.server import BackgroundServer
from distillguard.policy import Decision, DecisionStore, Policy, default_policy_text

HARVEST_SYSTEM = "You are a careful expert. Always reason step by step in full detail."
_TOPICS = (
    "the derivative of x^3 sin x",
    "the integral of ln x",
    "why the sky is blue",
    "a proof that sqrt 2 is irrational",
    "the time complexity of heapsort",
    "how TCP congestion control works",
    "the Krebs cycle",
    "Bayes' theorem with an example",
)
KEYS = {"sk-demo-product": "acct_demo_product", "sk-demo-harvester": "acct_demo_harvester"}


def harvest_prompt(i: int) -> str:
    """A reasoning-harvest request: templated problems that always ask for the full chain of thought."""
    return (
        f"Problem {i}: explain {_TOPICS[i % len(_TOPICS)]} (variant {i}). Think step by step and show your "
        "complete chain of reasoning before the final answer."
    )


def product_prompt(i: int) -> str:
    return f"Summarise our refund policy for customer #{i} in two sentences."


@dataclass
class DemoOutcome:
    served: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    # The first refusal per account: (request number, HTTP status, error code, message)
    first_refusal: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)
    cycles_to_enforce: int | None = None
    decisions: list[Decision] = field(default_factory=list)
    seconds: float = 0.0


def run_enforcement_demo(
    warm: list[Path],
    state_dir: Path,
    detector: Detector | None = None,
    harvest_requests: int = 60,
    detect_every: float = 1.0,
    timeout: float = 240.0,
    progress: Callable[[str], None] | None = None,
) -> DemoOutcome:
    """Drive the two accounts through a live gateway until the harvester is refused (or ``timeout``)."""
    if detector is None:
        from distillguard.gateway._engine import PipelineDetector

        detector = PipelineDetector(warm, state_dir / "scratch")
    config = GatewayConfig(
        keys=KeyTable(dict(KEYS)),
        state_dir=state_dir,
        policy=Policy.from_yaml(default_policy_text(), "<default policy>"),
        detect_every=detect_every,
    )
    gateway = Gateway(config, detector)
    outcome = DemoOutcome(served=dict.fromkeys(KEYS.values(), 0), refused=dict.fromkeys(KEYS.values(), 0))
    started = time.monotonic()
    say = progress or (lambda _: None)
    with (
        BackgroundServer(gateway.app) as server,
        httpx.Client(base_url=f"{server.url}/v1", timeout=30) as client,
    ):

        def send(key: str, body: dict[str, Any], number: int) -> bool:
            account = KEYS[key]
            reply = client.post("/chat/completions", json=body, headers={"authorization": f"Bearer {key}"})
            if reply.status_code == 200:
                outcome.served[account] += 1
                return True
            outcome.refused[account] += 1
            if account not in outcome.first_refusal:
                error = reply.json()["error"]
                outcome.first_refusal[account] = (number, reply.status_code, error["code"], error["message"])
            return False

        say(f"gateway on {server.url}: {harvest_requests} reasoning-harvest requests, some product traffic")
        for i in range(harvest_requests):
            send("sk-demo-harvester", _harvest_body(i), i + 1)
            if i % 4 == 0:
                send("sk-demo-product", {"model": "mock-small", "messages": _user(product_prompt(i))}, i + 1)
        cycles_at_threshold = gateway.loop.status.cycles
        say("waiting for background detection to act")
        number = harvest_requests
        while time.monotonic() - started < timeout:
            number += 1
            if not send("sk-demo-harvester", _harvest_body(number), number):
                outcome.cycles_to_enforce = gateway.loop.status.cycles - cycles_at_threshold
                break
            time.sleep(0.2)
        send("sk-demo-product", {"model": "mock-small", "messages": _user(product_prompt(number))}, number)
    with DecisionStore(state_dir) as store:
        outcome.decisions = [d for d in store.decisions() if d.account_id in KEYS.values()]
    outcome.seconds = time.monotonic() - started
    return outcome


def _user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def _harvest_body(i: int) -> dict[str, Any]:
    messages = [{"role": "system", "content": HARVEST_SYSTEM}, *_user(harvest_prompt(i))]
    return {"model": "mock-small", "messages": messages, "max_tokens": 4096, "temperature": 0.0}


def print_outcome(outcome: DemoOutcome, console: Console) -> None:
    """The demo's enforcement step for a terminal: who was served, who was refused, on what evidence."""
    table = Table(title="Through the gateway (default policy)")
    for column in ("account", "served", "refused", "first refusal"):
        table.add_column(column)
    for account in KEYS.values():
        first = outcome.first_refusal.get(account)
        refusal = f"request {first[0]}: {first[1]} {first[2]}" if first else "-"
        table.add_row(account, str(outcome.served[account]), str(outcome.refused[account]), refusal)
    console.print(table)
    if outcome.cycles_to_enforce is not None:
        console.print(f"enforced {outcome.cycles_to_enforce} detection cycle(s) after the pattern was sent")
    for decision in outcome.decisions:
        evidence = ", ".join(f"{e.signal}={e.value:g}" for e in decision.evidence[:4]) or "no signal"
        console.print(
            f"decision {decision.account_id}: [bold]{decision.action.value}[/] by rule '{decision.rule}' "
            f"(policy {decision.policy_version}; {evidence})",
            highlight=False,
        )
