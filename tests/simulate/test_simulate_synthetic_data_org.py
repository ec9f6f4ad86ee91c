"""One organisation's permitted synthetic-data job over several established accounts (a hard negative)."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.simulate import SimulationConfig, SimulationSummary, simulate


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("sim_datagen_org")
    config = {"scale": 0.2, "days": 2, "seed": 5, "platform": "A", "out_dir": out}
    summary: SimulationSummary = simulate(
        SimulationConfig.from_dict({**config, "populations": ["synthetic_data_org"]})
    )
    return _read(summary.traffic_path), _read(summary.labels_path)


def _read(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_several_accounts_all_legitimate_hard_negatives(job: tuple[list[Any], list[Any]]) -> None:
    events, labels = job
    assert len(labels) >= 4, "even at a small scale the job runs through enough accounts to form a group"
    assert all(row["hard_negative"] and not row["malicious"] and not row["campaign_id"] for row in labels)
    assert len(events) > 1000


def test_one_generator_script_on_the_company_networks(job: tuple[list[Any], list[Any]]) -> None:
    events, _ = job
    assert len({e["user_agent"] for e in events}) == 1
    assert len({e["request"]["messages"][0]["content"] for e in events}) == 1
    assert all(e["request"]["messages"][1]["content"].startswith("Generate ") for e in events)
    # The company's two egress prefixes, for every team's workers: no rotation.
    assert len({e["ip"].rsplit(".", 1)[0] for e in events}) <= 2


def test_established_accounts_each_billed_on_its_own(job: tuple[list[Any], list[Any]]) -> None:
    events, _ = job
    start = min(_ts(e["ts"]) for e in events)
    created = {e["account_id"]: _ts(e["account_created"]) for e in events}
    assert all((start - c).days >= 200 for c in created.values()), "no account was made for the job"
    hours = sorted(c.timestamp() / 3600 for c in created.values())
    assert min(b - a for a, b in pairwise(hours)) > 1.0, "not created in a burst"
    payments = {e["account_id"]: e["payment_fingerprint"] for e in events}
    assert len(set(payments.values())) == len(payments)


def test_bulk_short_items_well_inside_the_budget_around_the_clock(job: tuple[list[Any], list[Any]]) -> None:
    events, _ = job
    ok = [e for e in events if e.get("response")]
    capped = sum(e["response"]["choices"][0]["finish_reason"] == "length" for e in ok) / len(ok)
    assert capped < 0.05
    assert all(e["request"]["max_tokens"] <= 4000 for e in events)
    text = " ".join(e["request"]["messages"][1]["content"].lower() for e in events[:500])
    assert "step by step" not in text and "reasoning" not in text
    assert len({_ts(e["ts"]).hour for e in events}) == 24
