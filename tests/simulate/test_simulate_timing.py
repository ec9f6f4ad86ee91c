"""Timing habits: batch jobs at night, RAG in office hours, operators working in shared windows."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import orjson
import pytest

from distillguard.simulate import SimulationConfig, read_labels, simulate


@pytest.fixture(scope="module")
def timed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[datetime]]]:
    out = tmp_path_factory.mktemp("timing")
    only = ["batch_job", "enterprise_rag", "hydra_agentic", "indie_dev"]
    summary = simulate(
        SimulationConfig(platform="A", days=2, seed=5, scale=0.3, out_dir=out, populations=tuple(only))
    )
    labels = read_labels(summary.labels_path)
    times: dict[str, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    with summary.traffic_path.open("rb") as handle:
        for line in handle:
            event = orjson.loads(line)
            when = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
            times[labels[event["account_id"]].population][event["account_id"]].append(when)
    return times


def test_batch_jobs_run_in_one_short_nightly_window(timed: dict[str, dict[str, list[datetime]]]) -> None:
    for stamps in timed["batch_job"].values():
        by_day: dict[object, list[datetime]] = defaultdict(list)
        for stamp in stamps:
            by_day[stamp.date()].append(stamp)
        for day_stamps in by_day.values():
            if len(day_stamps) > 10:
                span = (max(day_stamps) - min(day_stamps)).total_seconds()
                assert span < 3 * 3600, "a nightly job is one run of a few hours at most"


def test_enterprise_rag_is_busy_only_about_eight_to_six_hours_a_day(
    timed: dict[str, dict[str, list[datetime]]],
) -> None:
    for stamps in timed["enterprise_rag"].values():
        hours = {stamp.hour for stamp in stamps}
        assert len(hours) <= 12, "office hours, not around the clock"


def _active_bins(stamps: list[datetime], minutes: int = 30) -> set[int]:
    return {int(stamp.timestamp()) // (minutes * 60) for stamp in stamps}


def _mean_pairwise_jaccard(accounts: dict[str, list[datetime]], limit: int = 25) -> float:
    bins = [_active_bins(stamps) for stamps in list(accounts.values())[:limit] if len(stamps) >= 5]
    scores = [len(a & b) / len(a | b) for i, a in enumerate(bins) for b in bins[i + 1 :] if a | b]
    return sum(scores) / len(scores)


def test_hydra_accounts_work_in_lockstep_unlike_individuals(
    timed: dict[str, dict[str, list[datetime]]],
) -> None:
    hydra = _mean_pairwise_jaccard(timed["hydra_agentic"])
    individuals = _mean_pairwise_jaccard(timed["indie_dev"])
    assert hydra > 2 * individuals
