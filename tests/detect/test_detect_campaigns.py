"""The whole engine: hydra clusters caught as campaigns, hard negatives left alone, stable output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from detect_fixtures import HARD_NEGATIVES, hydra, individuals, population

from distillguard.detect import DetectConfig, DetectionResult, campaign_id, detect
from distillguard.detect.types import INDICATOR_KEYS
from distillguard.errors import ConfigError, SchemaMismatchError
from distillguard.features import fingerprint_frame


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return population(seed=21)


@pytest.fixture(scope="module")
def result(events: pl.DataFrame) -> DetectionResult:
    return detect(events, None, DetectConfig())


def _flagged(result: DetectionResult, prefix: str) -> list[str]:
    return [a.account_id for a in result.accounts if a.flagged and a.account_id.startswith(prefix)]


def test_every_account_appears_once(events: pl.DataFrame, result: DetectionResult) -> None:
    ids = [a.account_id for a in result.accounts]
    assert sorted(ids) == sorted(events["account_id"].unique().to_list())
    assert len(ids) == len(set(ids))
    assert result.threshold == 0.5


def test_hydra_cluster_is_one_campaign_and_every_member_is_flagged(result: DetectionResult) -> None:
    hydra_ids = {a.account_id for a in result.accounts if a.account_id.startswith("hy_")}
    assert len(hydra_ids) == 200
    assert set(_flagged(result, "hy_")) == hydra_ids
    campaigns = [c for c in result.campaigns if set(c.accounts) & hydra_ids]
    assert len(campaigns) == 1
    campaign = campaigns[0]
    assert set(campaign.accounts) == hydra_ids
    assert campaign.score >= 0.5
    assert campaign.campaign_id == campaign_id(sorted(hydra_ids))
    signals = {e.signal for e in campaign.evidence}
    assert {"coordination", "shared_template"} <= signals
    assert all(e.detail for e in campaign.evidence)


def test_hydra_members_are_quiet_on_their_own(events: pl.DataFrame) -> None:
    # Without the campaign step no hydra member reaches the threshold: only the group gives them away.
    alone = detect(events, None, DetectConfig(min_campaign_accounts=100_000))
    assert _flagged(alone, "hy_") == []


def test_hard_negatives_and_background_stay_unflagged(result: DetectionResult) -> None:
    by_id = {a.account_id: a for a in result.accounts}
    for name in HARD_NEGATIVES:
        assert not by_id[name].flagged, (name, by_id[name].score, by_id[name].evidence)
    assert _flagged(result, "dev_") == []
    assert _flagged(result, "nat_") == []


def test_reasoning_harvester_flagged_with_evidence(result: DetectionResult) -> None:
    for name in ("rh_0", "rh_1"):
        verdict = next(a for a in result.accounts if a.account_id == name)
        assert verdict.flagged and verdict.campaign_id is not None
        details = {e.signal: e.detail for e in verdict.evidence}
        assert "reasoning_elicitation" in details
        assert details["reasoning_elicitation"].endswith(
            "of 1,500 requests ask for full step-by-step reasoning"
        )


def test_campaign_indicators_follow_the_documented_keys(result: DetectionResult) -> None:
    campaign = result.campaigns[0]
    assert set(campaign.indicators) == set(INDICATOR_KEYS)
    timing = campaign.indicators["timing"]
    assert len(timing["hour_histogram"]) == 24
    assert sum(timing["hour_histogram"]) == pytest.approx(1.0, abs=1e-3)
    assert all(isinstance(t["template_hash"], int) for t in campaign.indicators["templates"])
    assert campaign.indicators["models"]
    assert campaign.requests == sum(a.requests for a in result.accounts if a.account_id in campaign.accounts)


def test_output_is_deterministic_under_row_order(events: pl.DataFrame, result: DetectionResult) -> None:
    shuffled = events.sample(fraction=1.0, shuffle=True, seed=5)
    again = detect(shuffled, None, DetectConfig())
    assert [(c.campaign_id, c.accounts, c.score) for c in again.campaigns] == [
        (c.campaign_id, c.accounts, c.score) for c in result.campaigns
    ]
    assert again.accounts == result.accounts


def test_individuals_behind_one_nat_are_not_linked() -> None:
    rng = np.random.default_rng(9)
    nat = individuals(rng, 40, prefix="nat").with_columns(pl.lit("100.64.0.1").alias("ip"))
    events = pl.concat([individuals(rng, 100), nat])
    result = detect(events, None, DetectConfig())
    assert not result.campaigns
    assert not any(a.flagged for a in result.accounts)


class _FakeCatalog:
    """Two near-duplicate variants of the hydra task template, grouped as one cluster."""

    def clusters(self, threshold: float = 0.7) -> dict[int, int]:
        return {501: 501, 502: 501}

    def preview(self, template_hash: int) -> str:
        if template_hash not in (501, 502):
            raise KeyError(template_hash)
        return f"Solve the task <str> using the tools (variant {template_hash})"


def test_catalog_clusters_and_previews_are_used() -> None:
    rng = np.random.default_rng(2)
    events = pl.concat([individuals(rng, 100), hydra(rng, 60)])
    result = detect(events, _FakeCatalog(), DetectConfig())
    campaign = next(c for c in result.campaigns if any(a.startswith("hy_") for a in c.accounts))
    skeletons = {t["template_hash"]: t["skeleton"] for t in campaign.indicators["templates"]}
    assert skeletons[501].startswith("Solve the task")
    shared = next(e for e in campaign.evidence if e.signal == "shared_template")
    assert "2 variants of one template" in shared.detail


def test_empty_and_malformed_input() -> None:
    empty = detect(fingerprint_frame({}), None, DetectConfig())
    assert empty.accounts == () and empty.campaigns == ()
    with pytest.raises(SchemaMismatchError):
        detect(pl.DataFrame({"ts": [1]}), None, DetectConfig())


def test_config_from_dict_and_yaml(tmp_path: Path) -> None:
    config = DetectConfig.from_dict({"threshold": "0.7", "weights": {"timing": 0.2}, "signals": ["timing"]})
    assert config.threshold == 0.7 and config.weight("timing") == 0.2 and config.weight("bulk_datagen") == 1.0
    assert config.signals == ("timing",)
    path = tmp_path / "detect.yaml"
    path.write_text("detect:\n  threshold: 0.6\n  link_threshold: 1.5\n")
    assert DetectConfig.from_yaml(path).link_threshold == 1.5
    assert DetectConfig.from_dict(DetectConfig().to_dict()) == DetectConfig()
    with pytest.raises(ConfigError, match="unknown detect setting"):
        DetectConfig.from_dict({"treshold": 0.5})
    with pytest.raises(ConfigError, match="threshold"):
        DetectConfig(threshold=1.5)
    path.write_text("detect: [1, 2\n")
    with pytest.raises(ConfigError, match="YAML"):
        DetectConfig.from_yaml(path)
