"""The tutoring-app population: a legitimate product asking for step-by-step reasoning (a hard negative)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.simulate import SimulationConfig, SimulationSummary, simulate


@pytest.fixture(scope="module")
def tutoring(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("sim_tutor")
    config = {"scale": 0.3, "days": 2, "seed": 5, "platform": "A", "out_dir": out}
    summary: SimulationSummary = simulate(
        SimulationConfig.from_dict({**config, "populations": ["tutoring_app"]})
    )
    return _read(summary.traffic_path), _read(summary.labels_path)


def _read(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def test_tutoring_apps_are_few_labelled_hard_negatives(tutoring: tuple[list[Any], list[Any]]) -> None:
    events, labels = tutoring
    assert 1 <= len(labels) <= 3
    assert all(row["population"] == "tutoring_app" for row in labels)
    assert all(row["hard_negative"] and not row["malicious"] for row in labels)
    assert len(events) > 200


def test_every_request_carries_a_step_by_step_system_prompt(tutoring: tuple[list[Any], list[Any]]) -> None:
    events, _ = tutoring
    systems = Counter()
    for event in events:
        first = event["request"]["messages"][0]
        assert first["role"] == "system"
        assert "step by step" in first["content"]
        systems[(event["account_id"], first["content"])] += 1
    # One system prompt per app.
    assert len(systems) == len({account for account, _ in systems})


def test_students_ask_school_maths_with_follow_ups(tutoring: tuple[list[Any], list[Any]]) -> None:
    events, _ = tutoring
    turns = [sum(m["role"] == "user" for m in e["request"]["messages"]) for e in events]
    assert 0.2 < sum(t > 1 for t in turns) / len(turns) < 0.8
    openers = [
        next(m["content"] for m in e["request"]["messages"] if m["role"] == "user")
        for e, t in zip(events, turns, strict=True)
        if t == 1
    ]
    # A narrow curriculum: a handful of exercise kinds, re-asked with fresh numbers.
    skeletons = {re.sub(r"\d+", "#", text) for text in openers}
    assert len(skeletons) < len(openers) / 5
    assert all(e["request"]["user"].startswith("stu_") for e in events)


def test_students_come_after_school(tutoring: tuple[list[Any], list[Any]]) -> None:
    events, _ = tutoring
    # Spread over the day in UTC (students in several time zones), but never flat: a product's rhythm.
    hours = Counter(datetime.fromisoformat(e["ts"].replace("Z", "+00:00")).hour for e in events)
    busiest, quietest = max(hours.values()), min(hours.get(h, 0) for h in range(24))
    assert quietest < busiest / 4
