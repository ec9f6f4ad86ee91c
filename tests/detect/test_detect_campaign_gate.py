"""A campaign needs harvesting evidence: a multi-tenant product is linked but stays unflagged, a hydra not."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl
import pytest
from detect_fixtures import population, saas_tenants

from distillguard.detect import DetectConfig, DetectionResult, detect
from distillguard.detect import _campaign as campaign_module
from distillguard.detect import _engine as engine_module
from distillguard.detect._campaign import harvest_behaviour
from distillguard.detect._lexical import lexical_table


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return pl.concat([population(seed=31), saas_tenants(np.random.default_rng(32))]).sort("ts", "account_id")


@pytest.fixture(scope="module")
def result(events: pl.DataFrame) -> DetectionResult:
    return detect(events, None, DetectConfig())


def _flagged(result: DetectionResult, prefix: str) -> set[str]:
    return {a.account_id for a in result.accounts if a.flagged and a.account_id.startswith(prefix)}


def test_tenants_of_one_product_are_not_a_campaign(result: DetectionResult) -> None:
    assert _flagged(result, "tenant_") == set()
    assert not any(a.startswith("tenant_") for c in result.campaigns for a in c.accounts)


def test_the_hydra_in_the_same_traffic_is_still_one_campaign(result: DetectionResult) -> None:
    hydra = {a.account_id for a in result.accounts if a.account_id.startswith("hy_")}
    assert _flagged(result, "hy_") == hydra
    campaigns = [c for c in result.campaigns if set(c.accounts) & hydra]
    assert len(campaigns) == 1 and set(campaigns[0].accounts) == hydra
    coordination = next(e for e in campaigns[0].evidence if e.signal == "coordination")
    assert "counted at" not in coordination.detail, "a sweeping hydra's coordination counts in full"


def test_blind_to_breadth_and_with_coordination_counted_in_full_the_tenants_would_be_a_campaign(
    events: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tenants really are linked into one group, and with a type-token ratio over a few hundred words
    # their 110-word knowledge bases look like broad payloads: without the lexical comparison at equal sample
    # sizes and the harvesting gate, the product is reported as a campaign (the failure this guards against).
    _ungate(monkeypatch, blind=True)
    ungated = detect(events, None, DetectConfig())
    tenants = {a.account_id for a in ungated.accounts if a.account_id.startswith("tenant_")}
    assert _flagged(ungated, "tenant_") == tenants


@pytest.fixture(scope="module")
def migrated() -> pl.DataFrame:
    rng = np.random.default_rng(33)
    return pl.concat([population(seed=34, hydra_accounts=0), saas_tenants(rng, migrated=True)]).sort("ts")


def test_coordination_and_infrastructure_without_harvesting_is_no_campaign(
    migrated: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tenants moved to new accounts in one afternoon: linked, young, created in a burst, but harvesting
    # nothing. Only with coordination counted in full would they be flagged.
    assert _flagged(detect(migrated, None, DetectConfig()), "tenant_") == set()
    _ungate(monkeypatch, blind=False)
    ungated = detect(migrated, None, DetectConfig())
    assert len(_flagged(ungated, "tenant_")) == 10


def _ungate(monkeypatch: pytest.MonkeyPatch, *, blind: bool) -> None:
    monkeypatch.setattr(campaign_module, "harvest_behaviour", lambda: pl.lit(1.0))
    if blind:

        def no_breadth(
            events: pl.DataFrame, reference: Mapping[int, float] | None = None, sample: object = None
        ) -> tuple[pl.DataFrame, dict[int, float]]:
            return lexical_table(events.clear())

        monkeypatch.setattr(campaign_module, "lexical_table", no_breadth)
        monkeypatch.setattr(engine_module, "lexical_table", no_breadth)


def _features(**columns: float | None) -> pl.DataFrame:
    base: dict[str, float | None] = {
        "reasoning_share": 0.0, "grader_share": 0.0, "rewrite_share": 0.0, "datagen_share": 0.0,
        "taskgen_share": 0.0, "near_cap_share": 0.0, "high_effort_share": 0.0, "multi_n_share": 0.0,
        "logprob_tiny_share": 0.0, "payload_unique_share": 1.0, "lexical_breadth": 0.1,
    }  # fmt: skip
    base.update(columns)
    return pl.DataFrame({k: [v] for k, v in base.items()}, schema={k: pl.Float64 for k in base})


@pytest.mark.parametrize(
    ("columns", "low", "high"),
    [
        ({}, 0.0, 0.0),  # a product's narrow questions: nothing harvested
        ({"lexical_breadth": 0.9}, 1.0, 1.0),  # new payloads from a platform-wide vocabulary: a sweep
        ({"lexical_breadth": 0.9, "payload_unique_share": 0.1}, 0.0, 0.0),  # the same items again
        ({"reasoning_share": 0.9, "lexical_breadth": 0.9}, 1.0, 1.0),  # reasoning elicited across topics
        ({"reasoning_share": 0.9}, 0.45, 0.55),  # ... in one narrow domain: half
        ({"high_effort_share": 1.0, "lexical_breadth": 0.3}, 1.0, 1.0),  # the whole output budget
        ({"logprob_tiny_share": 0.9}, 1.0, 1.0),  # soft labels
        ({"lexical_breadth": None}, 0.0, 0.0),  # unknown breadth is no sweep
    ],
)
def test_harvest_behaviour(columns: dict[str, float | None], low: float, high: float) -> None:
    value = _features(**columns).select(harvest_behaviour()).item()
    assert low <= value <= high
