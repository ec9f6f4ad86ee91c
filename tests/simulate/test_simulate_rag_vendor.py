"""The multi-tenant RAG vendor: tenant accounts that share a product's fingerprints but not its customers."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.simulate import SimulationConfig, SimulationSummary, simulate


@pytest.fixture(scope="module")
def vendor(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("sim_rag_vendor")
    config = {"scale": 0.2, "days": 2, "seed": 9, "platform": "B", "out_dir": out}
    summary: SimulationSummary = simulate(
        SimulationConfig.from_dict({**config, "populations": ["rag_vendor"]})
    )
    return _read(summary.traffic_path), _read(summary.labels_path)


def _read(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def test_enough_tenants_to_form_a_group_all_legitimate_hard_negatives(
    vendor: tuple[list[Any], list[Any]],
) -> None:
    events, labels = vendor
    assert len(labels) >= 6, "even at a small scale the vendor has enough tenants to be linked as a group"
    assert all(row["hard_negative"] and not row["malicious"] and not row["campaign_id"] for row in labels)
    assert len(events) > 1000


def test_tenants_share_the_product_fingerprints(vendor: tuple[list[Any], list[Any]]) -> None:
    events, _ = vendor
    systems = {e["request"]["messages"][0]["content"] for e in events}
    agents = {e["user_agent"] for e in events}
    assert len(systems) == 1 and len(agents) == 1
    layouts = {e["request"]["messages"][1]["content"].split("\n", 1)[0] for e in events}
    assert layouts == {"Context passages:"}


def test_but_not_payment_networks_or_domain(vendor: tuple[list[Any], list[Any]]) -> None:
    events, _ = vendor
    payment: dict[str, set[str]] = defaultdict(set)
    prefixes: dict[str, set[str]] = defaultdict(set)
    words: dict[str, set[str]] = defaultdict(set)
    for event in events:
        account = event["account_id"]
        payment[account].add(event["payment_fingerprint"])
        prefixes[account].add(event["ip"].rsplit(".", 1)[0])
        words[account].update(event["request"]["messages"][1]["content"].lower().split())
    accounts = sorted(payment)
    assert len({next(iter(p)) for p in payment.values()}) == len(accounts), "each tenant pays on its own"
    for a in accounts:
        for b in accounts:
            if a < b:
                assert not prefixes[a] & prefixes[b], "each tenant's deployment has its own network"
    # Each tenant's knowledge base is a small closed vocabulary, and they differ from tenant to tenant.
    assert max(len(w) for w in words.values()) < 400
    for account, own in words.items():
        others = set().union(*(w for a, w in words.items() if a != account))
        assert len(own - others) >= 15, "a tenant's domain has words no other tenant uses"


def test_office_hours_and_modest_output_budget(vendor: tuple[list[Any], list[Any]]) -> None:
    events, _ = vendor
    assert all(e["request"]["max_tokens"] <= 1000 and e["request"]["temperature"] <= 0.2 for e in events)
    multi_turn = sum(len(e["request"]["messages"]) > 2 for e in events) / len(events)
    assert 0.1 < multi_turn < 0.3
