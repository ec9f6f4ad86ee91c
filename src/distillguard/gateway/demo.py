"""An enforcement demonstration for ``distillguard demo``: a gateway on 127.0.0.1 with the mock upstream,
a legitimate product account and a reasoning-harvest operator's account.

Both accounts come from the simulated platform whose traffic is the warm history (``labels.jsonl`` beside
it says which is which): the operator's account keeps harvesting through the gateway, the product keeps
serving its customers. Everything is real except the upstream model: the canonical events, the detection
engine over the history and the live window, the default policy, the token bucket and the audit trail.
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

from distillguard.errors import ConfigError
from distillguard.gateway.app import Gateway, GatewayConfig
from distillguard.gateway.detection import Detector
from distillguard.gateway.keys import KeyTable
from distillguard.gateway.server import BackgroundServer
from distillguard.policy import Decision, DecisionStore, Policy, default_policy_text
from distillguard.simulate.labels import read_labels

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
PRODUCT_KEY, HARVESTER_KEY = "sk-demo-product", "sk-demo-harvester"


def pick_accounts(labels: Path) -> dict[str, str]:
    """The simulated platform's busiest legitimate account and busiest reasoning-harvest operator account."""
    rows = list(read_labels(labels).values())
    legit = [r for r in rows if not r.malicious]
    harvest = [r for r in rows if r.malicious and r.population == "reasoning_harvest"]
    harvest = harvest or [r for r in rows if r.malicious]
    if not legit or not harvest:
        raise ConfigError("the labels file has no legitimate or no malicious account", path=str(labels))
    busiest = max(legit, key=lambda r: r.events)
    operator = max(harvest, key=lambda r: r.events)
    return {PRODUCT_KEY: busiest.account_id, HARVESTER_KEY: operator.account_id}


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
    accounts: dict[str, str] = field(default_factory=dict)  # role ("product", "harvester") -> account id
    served: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    # The first refusal per account: (request number, HTTP status, error code, message)
    first_refusal: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)
    # Detection cycles completed when the harvester was first refused (its pattern is in the history, so
    # it is over the policy's threshold from the start).
    cycles_to_enforce: int | None = None
    decisions: list[Decision] = field(default_factory=list)
    seconds: float = 0.0


def run_enforcement_demo(
    warm: list[Path],
    state_dir: Path,
    labels: Path | None = None,
    detector: Detector | None = None,
    detect_every: float = 1.0,
    timeout: float = 240.0,
    progress: Callable[[str], None] | None = None,
) -> DemoOutcome:
    """Drive both accounts through a live gateway until the harvester is refused (or ``timeout``)."""
    keys = pick_accounts(labels or warm[0].parent / "labels.jsonl")
    if detector is None:
        from distillguard.gateway._engine import PipelineDetector

        detector = PipelineDetector(warm, state_dir / "scratch")
    config = GatewayConfig(
        keys=KeyTable(dict(keys)),
        state_dir=state_dir,
        policy=Policy.from_yaml(default_policy_text(), "<default policy>"),
        detect_every=detect_every,
    )
    gateway = Gateway(config, detector)
    product, harvester = keys[PRODUCT_KEY], keys[HARVESTER_KEY]
    outcome = DemoOutcome(
        accounts={"product": product, "harvester": harvester},
        served={product: 0, harvester: 0},
        refused={product: 0, harvester: 0},
    )
    started = time.monotonic()
    say = progress or (lambda _: None)
    with (
        BackgroundServer(gateway.app) as server,
        httpx.Client(base_url=f"{server.url}/v1", timeout=30) as client,
    ):

        def send(key: str, body: dict[str, Any], number: int) -> bool:
            account = keys[key]
            reply = client.post("/chat/completions", json=body, headers={"authorization": f"Bearer {key}"})
            if reply.status_code == 200:
                outcome.served[account] += 1
                return True
            outcome.refused[account] += 1
            if account not in outcome.first_refusal:
                error = reply.json()["error"]
                outcome.first_refusal[account] = (number, reply.status_code, error["code"], error["message"])
            return False

        say(f"gateway on {server.url}: {harvester} keeps harvesting, {product} keeps serving its customers")
        number = 0
        while time.monotonic() - started < timeout:
            number += 1
            product_body = {"model": "mock-small", "messages": _user(product_prompt(number))}
            send(PRODUCT_KEY, product_body, number)
            if not send(HARVESTER_KEY, _harvest_body(number), number):
                outcome.cycles_to_enforce = gateway.loop.status.cycles
                break
            time.sleep(0.1)
        for extra in range(3):  # the product is still served after the harvester is refused
            send(
                PRODUCT_KEY,
                {"model": "mock-small", "messages": _user(product_prompt(number + extra))},
                number,
            )
    with DecisionStore(state_dir) as store:
        outcome.decisions = [d for d in store.decisions() if d.account_id in (product, harvester)]
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
    for role, account in outcome.accounts.items():
        first = outcome.first_refusal.get(account)
        refusal = f"request {first[0]}: {first[1]} {first[2]}" if first else "-"
        table.add_row(
            f"{account} ({role})", str(outcome.served[account]), str(outcome.refused[account]), refusal
        )
    console.print(table)
    if outcome.cycles_to_enforce is not None:
        console.print(f"refused after {outcome.cycles_to_enforce} detection cycle(s) of the gateway")
    for decision in outcome.decisions:
        evidence = ", ".join(f"{e.signal}={e.value:g}" for e in decision.evidence[:4]) or "no signal"
        console.print(
            f"decision {decision.account_id}: [bold]{decision.action.value}[/] by rule '{decision.rule}' "
            f"(policy {decision.policy_version}; {evidence})",
            highlight=False,
        )
