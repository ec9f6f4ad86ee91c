"""The holdout traffic generator: canonical, deterministic, labelled, with every population it promises."""

from __future__ import annotations

import bisect
import ipaddress
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.bench import holdout
from distillguard.bench.holdout import _generate
from distillguard.errors import ConfigError

REQUIRED = (
    "ts", "request_id", "account_id", "api_key_id", "ip", "user_agent", "account_created",
    "payment_fingerprint", "endpoint", "request", "response", "status", "latency_ms",
)  # fmt: skip
HARD_NEGATIVES = {
    "chat_app", "coding_agent", "enterprise_rag", "batch_job", "eval_research", "edu_math", "synthetic_data",
    "labelling_vendor", "classroom", "agent_platform", "api_reseller", "translation", "support_bot",
}  # fmt: skip


def _read(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> holdout.HoldoutSummary:
    return holdout.generate(tmp_path_factory.mktemp("default"), seed=7, hours=24, scale=0.05)


@pytest.fixture(scope="module")
def default_events(default_run: holdout.HoldoutSummary) -> list[dict[str, Any]]:
    return _read(default_run.traffic_path)


@pytest.fixture(scope="module")
def default_labels(default_run: holdout.HoldoutSummary) -> dict[str, str]:
    return {label["account_id"]: label["population"] for label in _read(default_run.labels_path)}


@pytest.fixture(scope="module")
def heavy_run(tmp_path_factory: pytest.TempPathFactory) -> holdout.HoldoutSummary:
    return holdout.generate(tmp_path_factory.mktemp("heavy"), seed=7, hours=24, scale=0.05, mix="heavy-legit")


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first = holdout.generate(tmp_path / "a", seed=3, hours=12, scale=0.03)
    again = holdout.generate(tmp_path / "b", seed=3, hours=12, scale=0.03)
    other = holdout.generate(tmp_path / "c", seed=4, hours=12, scale=0.03)
    assert first.traffic_path.read_bytes() == again.traffic_path.read_bytes()
    assert first.labels_path.read_bytes() == again.labels_path.read_bytes()
    assert first.traffic_path.read_bytes() != other.traffic_path.read_bytes()


def test_spilling_to_disk_does_not_change_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_memory = holdout.generate(tmp_path / "mem", seed=5, hours=6, scale=0.03)
    monkeypatch.setattr(_generate, "SPILL_EVENTS", 500)
    spilled = holdout.generate(tmp_path / "spill", seed=5, hours=6, scale=0.03)
    assert in_memory.traffic_path.read_bytes() == spilled.traffic_path.read_bytes()
    assert not list((tmp_path / "spill").glob("holdout-*")), "spill runs must be cleaned up"


def test_every_line_is_a_canonical_event_sorted_by_time(
    default_run: holdout.HoldoutSummary, default_events: list[dict[str, Any]]
) -> None:
    events = default_events
    assert len(events) == default_run.events > 1000
    times = []
    for event in events:
        assert set(REQUIRED) <= event.keys()
        ts = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
        assert ts >= datetime.fromisoformat(event["account_created"].replace("Z", "+00:00"))
        ipaddress.ip_address(event["ip"])
        request = event["request"]
        assert request["model"].startswith("nimbus-") and request["messages"]
        for message in request["messages"]:
            assert message["role"] in {"system", "user", "assistant", "tool"}
            assert message["content"] is None or isinstance(message["content"], str | list)
        if event["status"] == 200:
            usage = event["response"]["usage"]
            assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
            assert len(event["response"]["choices"]) == request.get("n", 1)
            assert all("message" not in choice for choice in event["response"]["choices"])
        assert isinstance(event["latency_ms"], int) and event["latency_ms"] > 0
        times.append(ts)
    assert times == sorted(times)
    assert len({event["request_id"] for event in events}) == len(events)


def test_labels_cover_exactly_the_accounts_in_the_traffic(
    default_run: holdout.HoldoutSummary, default_events: list[dict[str, Any]]
) -> None:
    labels = _read(default_run.labels_path)
    seen = {event["account_id"] for event in default_events}
    assert {label["account_id"] for label in labels} == seen
    assert len(labels) == len(seen)
    for label in labels:
        assert isinstance(label["malicious"], bool)
        assert (label["campaign_id"] is not None) == label["malicious"]
        assert label["account_id"].startswith("org-")


def test_default_mix_has_many_campaigns_and_hard_negatives(default_run: holdout.HoldoutSummary) -> None:
    labels = _read(default_run.labels_path)
    populations = Counter(label["population"] for label in labels)
    assert populations.keys() >= HARD_NEGATIVES
    assert {"hydra_reasoning", "rubric_grader", "logprob_harvest", "slow_operator"} <= populations.keys()
    assert len(default_run.campaigns) >= 4
    assert all(label["hard_negative"] for label in labels if label["population"] in HARD_NEGATIVES)
    assert populations["hydra_reasoning"] >= 10


def test_heavy_legit_mix_has_more_negatives_and_quieter_campaigns(
    default_run: holdout.HoldoutSummary, heavy_run: holdout.HoldoutSummary
) -> None:
    def malicious_share(summary: holdout.HoldoutSummary) -> float:
        bad = sum(n for pop, n in summary.events_by_population.items() if holdout.POPULATIONS[pop].malicious)
        return bad / summary.events

    assert (
        heavy_run.accounts - heavy_run.malicious_accounts
        > default_run.accounts - default_run.malicious_accounts
    )
    assert 1 <= len(heavy_run.campaigns) < len(default_run.campaigns)
    assert malicious_share(heavy_run) < malicious_share(default_run) / 2
    assert heavy_run.accounts_by_population.keys() >= HARD_NEGATIVES


def test_new_model_only_after_release_and_hydra_pivots_to_it(
    default_run: holdout.HoldoutSummary, default_events: list[dict[str, Any]], default_labels: dict[str, str]
) -> None:
    release = default_run.new_model_release
    pivoted = (datetime.fromisoformat(release.replace("Z", "+00:00")) + timedelta(hours=4)).isoformat()[:19]
    labels = default_labels
    hydra_models: Counter[str] = Counter()
    for event in default_events:
        if event["request"]["model"] == default_run.new_model:
            assert event["ts"] >= release
        if labels[event["account_id"]] == "hydra_reasoning" and event["ts"] > pivoted:
            hydra_models[event["request"]["model"]] += 1
    assert hydra_models[default_run.new_model] > 0.5 * sum(hydra_models.values())


def test_hydra_spreads_over_many_networks_and_shares_payment(
    default_events: list[dict[str, Any]], default_labels: dict[str, str]
) -> None:
    prefixes, cards, accounts = set(), set(), set()
    for event in default_events:
        if default_labels[event["account_id"]] == "hydra_reasoning":
            prefixes.add(event["ip"].rsplit(".", 1)[0] if "." in event["ip"] else event["ip"][:14])
            cards.add(event["payment_fingerprint"])
            accounts.add(event["account_id"])
    assert len(prefixes) > len(accounts)
    assert len(cards) < len(accounts)


def test_campaign_text_is_varied_and_multilingual(
    default_events: list[dict[str, Any]], default_labels: dict[str, str]
) -> None:
    prompts = []
    for event in default_events:
        if default_labels[event["account_id"]] == "hydra_reasoning":
            content = event["request"]["messages"][-1]["content"]
            prompts.append(content if isinstance(content, str) else content[0]["text"])
    assert len(set(prompts)) > 0.9 * len(prompts)
    assert sum("step by step" in prompt.lower() for prompt in prompts) < 0.1 * len(prompts)
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in prompt) for prompt in prompts)  # Chinese
    assert any(any("\u0400" <= ch <= "\u04ff" for ch in prompt) for prompt in prompts)  # Cyrillic


@pytest.mark.parametrize("mix", ["stealth", "legit-only"])
def test_other_mixes_run(tmp_path: Path, mix: str) -> None:
    summary = holdout.generate(tmp_path, seed=11, hours=6, scale=0.03, mix=mix)
    assert summary.events > 100
    assert (summary.malicious_accounts == 0) == (mix == "legit-only")


def test_unknown_mix_and_bad_arguments_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown holdout mix"):
        holdout.generate(tmp_path, seed=1, mix="nope")
    with pytest.raises(ConfigError, match="scale"):
        holdout.generate(tmp_path, seed=1, scale=0)


def test_the_project_ingest_reads_every_line_without_quarantine(
    default_run: holdout.HoldoutSummary, tmp_path: Path
) -> None:
    from distillguard.ingest import Quarantine, detect_format, read_events

    assert detect_format(default_run.traffic_path) == "canonical"
    with Quarantine(tmp_path / "quarantine.jsonl") as quarantine:
        rows = sum(batch.num_rows for batch in read_events([default_run.traffic_path], quarantine=quarantine))
    assert rows == default_run.events
    quarantined = tmp_path / "quarantine.jsonl"
    assert not quarantined.exists() or quarantined.stat().st_size == 0


def _coactivity(events: list[dict[str, Any]], labels: dict[str, str], population: str) -> float:
    """Share of a population's requests with a request from another of its accounts within 30 seconds."""
    points = [
        (datetime.fromisoformat(e["ts"].replace("Z", "+00:00")).timestamp(), e["account_id"])
        for e in events
        if labels[e["account_id"]] == population
    ]
    times = [t for t, _ in points]
    together = 0
    for t, account in points:
        low, high = bisect.bisect_left(times, t - 30), bisect.bisect_right(times, t + 30)
        together += any(points[k][1] != account for k in range(low, high))
    return together / len(points)


def test_hydra_accounts_act_in_lockstep_and_independent_developers_do_not(
    default_events: list[dict[str, Any]], default_labels: dict[str, str]
) -> None:
    assert _coactivity(default_events, default_labels, "hydra_reasoning") > 0.8
    assert _coactivity(default_events, default_labels, "indie_dev") < 0.3


def test_a_classroom_is_a_burst_of_new_accounts_behind_one_campus_nat(
    default_events: list[dict[str, Any]], default_labels: dict[str, str]
) -> None:
    created = {e["account_id"]: e["account_created"] for e in default_events}
    students = [account for account, population in default_labels.items() if population == "classroom"]
    stamps = sorted(datetime.fromisoformat(created[a].replace("Z", "+00:00")) for a in students)
    ips = {e["ip"] for e in default_events if default_labels[e["account_id"]] == "classroom"}
    assert len(students) >= 8
    assert stamps[-1] - stamps[0] <= timedelta(minutes=40)
    assert len(ips) <= 3
