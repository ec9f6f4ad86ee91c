"""The stealthier operators behave as described: a partial, staggered pivot; a slow harvest with cover."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.simulate import SimulationConfig, SimulationSummary, simulate

POPULATIONS = ("stealth_pivot", "slow_mixed", "indie_dev")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> SimulationSummary:
    out = tmp_path_factory.mktemp("stealth")
    config = {"scale": 0.5, "days": 3, "seed": 5, "platform": "B", "out_dir": out, "populations": POPULATIONS}
    return simulate(SimulationConfig.from_dict(config))


def _lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _by_account(run: SimulationSummary, population: str) -> dict[str, list[dict[str, Any]]]:
    labels = {row["account_id"]: row for row in _lines(run.labels_path)}
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in _lines(run.traffic_path):
        if labels[event["account_id"]]["population"] == population:
            out[event["account_id"]].append(event)
    return out


def test_stealth_pivot_moves_part_of_each_accounts_traffic_after_its_own_delay(
    run: SimulationSummary,
) -> None:
    meta = orjson.loads(run.meta_path.read_bytes())
    new_model, release = meta["new_model"], _ts(meta["new_model_released_at"])
    accounts = _by_account(run, "stealth_pivot")
    assert len(accounts) >= 4
    delays, shares = [], []
    openings: Counter[str] = Counter()
    for events in accounts.values():
        after = [e for e in events if _ts(e["ts"]) > release + timedelta(hours=10)]
        moved = [e for e in events if e["request"]["model"] == new_model]
        assert moved and after
        delays.append(min(_ts(e["ts"]) for e in moved) - release)
        shares.append(sum(e["request"]["model"] == new_model for e in after) / len(after))
        openings.update(e["request"]["messages"][0]["content"][:24] for e in events)
    # Part of the traffic, not all of it; each account on its own schedule, within hours of the release.
    assert all(0.2 < s < 0.8 for s in shares)
    assert timedelta(0) < min(delays) < max(delays) < timedelta(hours=12)
    assert len({round(d.total_seconds() / 600) for d in delays}) > 1
    # No fixed wording: no opening of a prompt is shared by more than a few percent of the requests.
    assert openings.most_common(1)[0][1] < 0.05 * openings.total()


def test_slow_mixed_is_a_few_old_accounts_mixing_cover_with_reasoning_harvest(run: SimulationSummary) -> None:
    accounts = _by_account(run, "slow_mixed")
    assert 2 <= len(accounts) <= 4
    for events in accounts.values():
        created = _ts(events[0]["account_created"])
        assert _ts(events[0]["ts"]) - created > timedelta(days=60)
        harvest = [e for e in events if e["request"].get("reasoning_effort") == "high"]
        assert 0.4 < len(harvest) / len(events) < 0.8
        # Human volumes: tens of requests a day, not thousands.
        assert len(events) < 3 * 80
        assert len({e["ip"] for e in events}) == 1
