"""The simulator's files: contract-valid, reproducible, labelled, varied, with the behaviours described."""

from __future__ import annotations

import gzip
import ipaddress
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.errors import ConfigError
from distillguard.simulate import POPULATIONS, SimulationConfig, SimulationSummary, simulate

SMALL = {"scale": 0.05, "days": 2, "seed": 7}


def _read(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return [orjson.loads(line) for line in handle]


@pytest.fixture(scope="module")
def run_a(tmp_path_factory: pytest.TempPathFactory) -> SimulationSummary:
    out = tmp_path_factory.mktemp("sim_a")
    return simulate(SimulationConfig.from_dict({**SMALL, "platform": "A", "out_dir": out}))


@pytest.fixture(scope="module")
def events_a(run_a: SimulationSummary) -> list[dict[str, Any]]:
    return _read(run_a.traffic_path)


@pytest.fixture(scope="module")
def labels_a(run_a: SimulationSummary) -> dict[str, dict[str, Any]]:
    return {row["account_id"]: row for row in _read(run_a.labels_path)}


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_every_line_follows_the_input_contract(events_a: list[dict[str, Any]]) -> None:
    assert len(events_a) > 2000
    request_ids = set()
    previous = None
    for event in events_a:
        when = _ts(event["ts"])
        assert when.tzinfo is not None
        assert previous is None or when >= previous, "events must be sorted by time"
        previous = when
        for key in ("request_id", "account_id", "api_key_id", "ip", "user_agent", "payment_fingerprint"):
            assert isinstance(event[key], str) and event[key], key
        _ts(event["account_created"])
        assert _ts(event["account_created"]) < when
        ipaddress.ip_address(event["ip"])
        assert event["endpoint"] == "/v1/chat/completions"
        request = event["request"]
        assert isinstance(request["model"], str)
        assert request["messages"] and all(
            m["role"] in {"system", "user", "assistant", "tool"} for m in request["messages"]
        )
        assert request["messages"][-1]["role"] in {"user", "tool"}
        for message in request["messages"]:
            assert isinstance(message.get("content"), str) or message.get("tool_calls")
        assert (
            isinstance(event["status"], int)
            and isinstance(event["latency_ms"], int)
            and event["latency_ms"] > 0
        )
        if event["status"] == 200:
            usage = event["response"]["usage"]
            assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
            assert all(
                c["finish_reason"] in {"stop", "length", "tool_calls"} for c in event["response"]["choices"]
            )
            assert "message" not in event["response"]["choices"][0], "no answer text in the logs"
        request_ids.add(event["request_id"])
    assert len(request_ids) == len(events_a)


def test_time_frame_matches_the_config(run_a: SimulationSummary, events_a: list[dict[str, Any]]) -> None:
    start = run_a.config.start_time
    assert _ts(events_a[0]["ts"]) >= start
    assert _ts(events_a[-1]["ts"]) < start + timedelta(days=run_a.config.days)


def test_labels_cover_every_account_and_agree_with_traffic(
    events_a: list[dict[str, Any]], labels_a: dict[str, dict[str, Any]], run_a: SimulationSummary
) -> None:
    first_seen: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for event in events_a:
        first_seen.setdefault(event["account_id"], event["ts"])
        counts[event["account_id"]] += 1
    assert set(first_seen) == set(labels_a)
    for account, label in labels_a.items():
        assert label["platform"] == "A"
        assert label["malicious"] == (label["campaign_id"] is not None)
        assert label["population"] in POPULATIONS
        assert _ts(label["first_seen"]) == _ts(first_seen[account])
        assert label["events"] == counts[account]
    assert run_a.events == len(events_a)
    assert run_a.malicious_accounts == sum(1 for label in labels_a.values() if label["malicious"])


def test_every_population_is_present(labels_a: dict[str, dict[str, Any]]) -> None:
    present = {label["population"] for label in labels_a.values()}
    assert present == set(POPULATIONS)
    legit = [name for name, cls in POPULATIONS.items() if not cls.malicious]
    operators = [name for name, cls in POPULATIONS.items() if cls.malicious]
    assert len(legit) >= 7 and len(operators) >= 7


def test_meta_records_seed_release_and_counts(run_a: SimulationSummary) -> None:
    meta = orjson.loads(run_a.meta_path.read_bytes())
    assert meta["seed"] == SMALL["seed"] and meta["platform"] == "A" and meta["days"] == 2
    new = next(m for m in meta["models"] if m["role"] == "new")
    assert new["released_at"] == meta["new_model_released_at"]
    assert meta["counts"]["events"] == run_a.events
    assert len(meta["campaigns"]) == 7


def _template(text: str) -> str:
    """A crude masked template: numbers masked, first eight words."""
    return " ".join(re.sub(r"\d+", "#", text).split()[:8])


def _user_text(event: dict[str, Any]) -> str:
    users = [m["content"] for m in event["request"]["messages"] if m["role"] == "user"]
    return users[-1] if users else ""


def test_prompts_are_varied_within_each_population(
    events_a: list[dict[str, Any]], labels_a: dict[str, dict[str, Any]]
) -> None:
    templates: dict[str, set[str]] = defaultdict(set)
    texts: dict[str, set[str]] = defaultdict(set)
    for event in events_a:
        population = labels_a[event["account_id"]]["population"]
        text = _user_text(event)
        templates[population].add(_template(text))
        texts[population].add(text)
    # Everyone varies their text; single-product templates vary least, individuals most.
    assert len(templates["indie_dev"]) >= 150
    for population in (
        "reasoning_harvest",
        "rubric_grading",
        "hydra_agentic",
        "logprob_harvest",
        "model_pivot",
    ):
        assert len(templates[population]) >= 10, population
        assert (
            len(texts[population])
            >= 0.8
            * sum(
                1 for e in events_a if labels_a[e["account_id"]]["population"] == population and _user_text(e)
            )
            or len(texts[population]) >= 50
        ), population
    for population in POPULATIONS:
        assert len(texts[population]) >= 3, population


def test_prompts_include_several_languages(events_a: list[dict[str, Any]], labels_a: dict[str, Any]) -> None:
    scripts = {
        "zh": re.compile(r"[\u4e00-\u9fff]"),
        "ru": re.compile(r"[\u0400-\u04ff]"),
        "ja": re.compile(r"[\u3040-\u30ff]"),
    }
    seen: dict[str, set[bool]] = defaultdict(set)
    for event in events_a:
        text = _user_text(event)
        for lang, pattern in scripts.items():
            if pattern.search(text):
                seen[lang].add(labels_a[event["account_id"]]["malicious"])
    assert seen["zh"] == {True, False}, "Chinese text from both legitimate and malicious accounts"
    assert seen["ru"] and seen["ja"]


def test_network_and_client_variety(events_a: list[dict[str, Any]]) -> None:
    versions = Counter(ipaddress.ip_address(e["ip"]).version for e in events_a)
    assert versions[4] > 0 and versions[6] > 0
    agents = {e["user_agent"].split("/")[0] for e in events_a}
    assert {"curl", "OpenAI"} <= agents or len(agents) >= 8
    assert len({e["request"]["model"] for e in events_a}) == 4


def test_hydra_cluster_rotates_through_many_networks_and_shares_payment(
    events_a: list[dict[str, Any]], labels_a: dict[str, dict[str, Any]]
) -> None:
    hydra = [e for e in events_a if labels_a[e["account_id"]]["population"] == "hydra_agentic"]
    prefixes = {e["ip"].rsplit(".", 1)[0] for e in hydra if ":" not in e["ip"]}
    accounts = {e["account_id"] for e in hydra}
    assert len(prefixes) > 3 * len(accounts)
    payments = Counter({e["account_id"]: e["payment_fingerprint"] for e in hydra}.values())
    assert payments.most_common(1)[0][1] >= 2, "some hydra accounts share a payment method"
    with_tools = [e for e in hydra if e["request"].get("tools")]
    assert 0.5 < len(with_tools) / len(hydra) < 0.95, "agentic harvesting mixed with cover traffic"


def test_logprob_harvesting_shape(
    events_a: list[dict[str, Any]], labels_a: dict[str, dict[str, Any]]
) -> None:
    sieve = [e["request"] for e in events_a if labels_a[e["account_id"]]["population"] == "logprob_harvest"]
    assert sieve and all(r["logprobs"] and r["top_logprobs"] == 20 and r["max_tokens"] <= 5 for r in sieve)
    assert len({_user_text({"request": r}) for r in sieve}) > 0.9 * len(sieve)


def test_new_model_pivot_is_visible(
    run_a: SimulationSummary, events_a: list[dict[str, Any]], labels_a: dict[str, Any]
) -> None:
    meta = orjson.loads(run_a.meta_path.read_bytes())
    new_model = meta["new_model"]
    release = _ts(meta["new_model_released_at"])
    before = [e for e in events_a if _ts(e["ts"]) < release]
    assert before and not any(e["request"]["model"] == new_model for e in before)
    settled = [e for e in events_a if _ts(e["ts"]) > release + timedelta(hours=8)]
    share: dict[str, list[bool]] = defaultdict(list)
    for event in settled:
        label = labels_a[event["account_id"]]
        share[label["population"]].append(event["request"]["model"] == new_model)
    pivot = sum(share["model_pivot"]) / len(share["model_pivot"])
    legit = [x for pop, xs in share.items() if not POPULATIONS[pop].malicious for x in xs]
    assert pivot > 0.7
    assert 0 < sum(legit) / len(legit) < 0.3


def test_config_validation() -> None:
    with pytest.raises(ConfigError):
        SimulationConfig.from_dict({"platform": "Z"})
    with pytest.raises(ConfigError):
        SimulationConfig.from_dict({"dayz": 3})
    with pytest.raises(ConfigError):
        SimulationConfig.from_dict({"days": 0})
    with pytest.raises(ConfigError):
        SimulationConfig.from_dict({"start": "March"})
    config = SimulationConfig.from_dict({"platform": "b", "start": "2026-04-01", "seed": "3"})
    assert config.platform == "B" and config.seed == 3 and config.start.isoformat() == "2026-04-01"
    assert SimulationConfig.from_dict(config.to_dict()) == config


def test_ingest_reads_every_simulated_line(run_a: SimulationSummary, tmp_path: Path) -> None:
    from distillguard.ingest import Quarantine, read_events

    quarantine = Quarantine(tmp_path / "quarantine.jsonl")
    rows = sum(batch.num_rows for batch in read_events([run_a.traffic_path], quarantine=quarantine))
    assert rows == run_a.events
    assert quarantine.count == 0
