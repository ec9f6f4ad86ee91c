"""Same seed, same bytes; other seed or platform, other data; operators shared across platforms."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
from typer.testing import CliRunner

from distillguard.cli import app
from distillguard.simulate import SimulationConfig, simulate

TINY = {"scale": 0.03, "days": 1}


def _run(out: Path, **settings: object) -> Path:
    simulate(SimulationConfig.from_dict({**TINY, **settings, "out_dir": out}))
    return out


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = _run(tmp_path / "one", seed=11)
    second = _run(tmp_path / "two", seed=11)
    for name in ("traffic.jsonl", "labels.jsonl", "meta.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_gzip_output_is_reproducible_and_equal_to_plain(tmp_path: Path) -> None:
    plain = _run(tmp_path / "plain", seed=5)
    one = _run(tmp_path / "gz1", seed=5, gzip=True)
    two = _run(tmp_path / "gz2", seed=5, gzip=True)
    assert (one / "traffic.jsonl.gz").read_bytes() == (two / "traffic.jsonl.gz").read_bytes()
    assert gzip.decompress((one / "traffic.jsonl.gz").read_bytes()) == (plain / "traffic.jsonl").read_bytes()


def test_different_seed_gives_different_traffic(tmp_path: Path) -> None:
    first = _run(tmp_path / "one", seed=1)
    second = _run(tmp_path / "two", seed=2)
    assert (first / "traffic.jsonl").read_bytes() != (second / "traffic.jsonl").read_bytes()
    accounts_one = {
        orjson.loads(line)["account_id"] for line in (first / "labels.jsonl").read_bytes().splitlines()
    }
    accounts_two = {
        orjson.loads(line)["account_id"] for line in (second / "labels.jsonl").read_bytes().splitlines()
    }
    assert not accounts_one & accounts_two


def _labels(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in (path / "labels.jsonl").read_bytes().splitlines()]


def test_platforms_share_operators_but_not_accounts(tmp_path: Path) -> None:
    labels = {name: _labels(_run(tmp_path / name, seed=3, platform=name)) for name in ("A", "B", "C")}
    campaigns = {
        name: {row["campaign_id"] for row in rows if row["malicious"]} for name, rows in labels.items()
    }
    assert campaigns["A"] == campaigns["B"] == campaigns["C"]
    assert len(campaigns["A"]) == 7
    accounts = {name: {row["account_id"] for row in rows} for name, rows in labels.items()}
    assert (
        not accounts["A"] & accounts["B"]
        and not accounts["B"] & accounts["C"]
        and not accounts["A"] & accounts["C"]
    )

    # Volumes differ per platform for the same operator.
    def volume(name: str, campaign: str) -> int:
        return sum(int(str(row["events"])) for row in labels[name] if row["campaign_id"] == campaign)

    assert any(volume("A", c) != volume("B", c) for c in campaigns["A"] if c is not None)


def test_operators_reuse_their_templates_across_platforms(tmp_path: Path) -> None:
    def system_prompts(path: Path, population: str) -> set[str]:
        labels = {row["account_id"]: row["population"] for row in _labels(path)}
        prompts = set()
        for line in (path / "traffic.jsonl").read_bytes().splitlines():
            event = orjson.loads(line)
            if labels[event["account_id"]] == population:
                prompts |= {m["content"] for m in event["request"]["messages"] if m["role"] == "system"}
        return prompts

    a = _run(tmp_path / "A", seed=4, platform="A", scale=0.1)
    b = _run(tmp_path / "B", seed=4, platform="B", scale=0.1)
    hydra_a, hydra_b = system_prompts(a, "hydra_agentic"), system_prompts(b, "hydra_agentic")
    assert hydra_a and hydra_a & hydra_b
    chat_a, chat_b = system_prompts(a, "consumer_chat"), system_prompts(b, "consumer_chat")
    assert chat_a and not chat_a & chat_b, "each platform has its own legitimate products"


def test_cli_writes_the_three_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--out",
            str(tmp_path),
            "--platform",
            "C",
            "--days",
            "1",
            "--seed",
            "9",
            "--scale",
            "0.02",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    for name in ("traffic.jsonl", "labels.jsonl", "meta.json"):
        assert (tmp_path / name).stat().st_size > 0
    assert orjson.loads((tmp_path / "meta.json").read_bytes())["platform"] == "C"


def test_cli_rejects_unknown_platform(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", "--out", str(tmp_path), "--platform", "Q"])
    assert result.exit_code != 0


def test_only_restricts_the_populations(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--out",
            str(tmp_path),
            "--days",
            "1",
            "--scale",
            "0.05",
            "--only",
            "hydra_agentic",
            "--only",
            "batch_job",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    populations = {row["population"] for row in _labels(tmp_path)}
    assert populations == {"hydra_agentic", "batch_job"}
    meta = orjson.loads((tmp_path / "meta.json").read_bytes())
    assert [c["campaign_id"] for c in meta["campaigns"]] == ["op-hydra"]
