"""A permitted multi-account job behind one organisation's network egress, next to a hydra cluster.

At a larger provider an organisation holds more accounts, and its permitted generation job, run through
its team accounts, links into one tight group. Behind half-strength (narrow-domain) harvesting evidence and
without a campaign's set-up footprint, the size of such a group counts only the accounts that look like
separate customers: their own prompts *and* their own networks. Team accounts working from the company's
egress are one customer's; a harvest split across accounts to look like many customers gives each its own.
A hydra of quiet accounts made for the operation keeps its full size, whatever networks it uses.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from detect_fixtures import hydra, population
from test_detect_small_groups import _generation_job, _job_campaign

from distillguard.detect import DetectConfig, DetectionResult, detect
from distillguard.detect import _campaign as campaign_module
from distillguard.detect._campaign import (
    COORDINATION_GATE,
    COUNTED_ACCOUNTS,
    HOME_NETWORKS,
    WORKING_ACCOUNTS,
    _home_networks,
    coordination_evidence,
)

ACCOUNTS = 12
HYDRA = 150
# The organisation's two cloud egress addresses (two /24 prefixes) that every worker of the job uses.
EGRESS = ("54.20.7.9", "54.21.3.17")


@pytest.fixture(scope="module")
def background() -> pl.DataFrame:
    rng = np.random.default_rng(77)
    return pl.concat([population(seed=41, hydra_accounts=0, with_harvester=False), hydra(rng, HYDRA)])


def _org_job(*, set_up: bool = False, own_networks: bool = False) -> pl.DataFrame:
    """Twelve accounts each generating its own items (distinct prompts), from the company's egress."""
    rng = np.random.default_rng(5)
    job = _generation_job(rng, set_up=set_up, accounts=ACCOUNTS, per=600, own_prompts=True)
    if own_networks:
        return job
    return job.with_columns(pl.Series("ip", rng.choice(EGRESS, job.height)))


def _run(background: pl.DataFrame, job: pl.DataFrame) -> DetectionResult:
    return detect(pl.concat([background, job]).sort("ts", "account_id"), None, DetectConfig())


def _hydra_campaigns(result: DetectionResult) -> list[set[str]]:
    return [
        {a for a in c.accounts if a.startswith("hy_")}
        for c in result.campaigns
        if sum(a.startswith("hy_") for a in c.accounts) > 1
    ]


def test_a_permitted_job_behind_the_company_egress_is_not_a_campaign(background: pl.DataFrame) -> None:
    result = _run(background, _org_job())
    assert _job_campaign(result) == (set(), "")
    # The hydra in the same traffic is still one campaign of (nearly) all its accounts.
    (found,) = _hydra_campaigns(result)
    assert len(found) >= 0.95 * HYDRA
    assert all(v.flagged for v in result.accounts if v.account_id in found)


def test_counted_by_accounts_the_same_job_would_be_flagged(
    background: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The failure this guards against: every team account counted as a separate customer, the size term
    # alone lifts the job over the threshold.
    monkeypatch.setattr(campaign_module, "_home_networks", lambda n: n)
    flagged, _ = _job_campaign(_run(background, _org_job()))
    assert flagged == {f"gen_{i}" for i in range(ACCOUNTS)}


def test_the_same_job_split_over_networks_of_its_own_still_counts_every_account(
    background: pl.DataFrame,
) -> None:
    flagged, coordination = _job_campaign(_run(background, _org_job(own_networks=True)))
    assert flagged == {f"gen_{i}" for i in range(ACCOUNTS)}
    assert "counted as" not in coordination


def test_the_same_job_on_accounts_set_up_for_it_counts_every_account(background: pl.DataFrame) -> None:
    flagged, coordination = _job_campaign(_run(background, _org_job(set_up=True)))
    assert flagged == {f"gen_{i}" for i in range(ACCOUNTS)}
    assert "counted as" not in coordination


def test_a_hydra_working_from_one_network_keeps_its_size(background: pl.DataFrame) -> None:
    # The hydra's accounts moved behind one proxy exit: still accounts made for the operation.
    rng = np.random.default_rng(9)
    hydra_rows = pl.col("account_id").str.starts_with("hy_")
    events = background.with_columns(
        pl.when(hydra_rows)
        .then(pl.lit("203.0.113.") + pl.Series(rng.integers(1, 250, background.height)).cast(pl.String))
        .otherwise(pl.col("ip"))
        .alias("ip")
    )
    result = _run(events, _org_job())
    (found,) = _hydra_campaigns(result)
    assert len(found) >= 0.95 * HYDRA
    (campaign,) = [c for c in result.campaigns if found <= set(c.accounts)]
    coordination = next(e.detail for e in campaign.evidence if e.signal == "coordination")
    assert "counted as" not in coordination


@pytest.mark.parametrize(
    ("n", "home", "expected"),
    [
        (10, 2, 2.0),  # ten team accounts behind two egress prefixes
        (10, 10, 10.0),  # each its own network
        (4, 9, 4.0),  # never more than the group's size
        (6, 0, 6.0),  # no member's network known: its size
    ],
)
def test_home_networks(n: int, home: int, expected: float) -> None:
    frame = pl.DataFrame({"n_accounts": [n], HOME_NETWORKS: [home]})
    n_expr = pl.col("n_accounts").cast(pl.Float64)
    assert frame.select(_home_networks(n_expr)).item() == pytest.approx(expected)


@pytest.mark.parametrize(
    ("working", "home", "why"),
    [(10.0, 2, "the others working from the same networks"), (1.0, 10, "the others repeating their prompts")],
)
def test_the_evidence_line_says_why_accounts_were_not_counted(working: float, home: int, why: str) -> None:
    row = {
        "n_accounts": 10,
        "links": 45,
        "link_kinds": ["template", "user_agent"],
        COORDINATION_GATE: 1.0,
        COUNTED_ACCOUNTS: min(working, home),
        WORKING_ACCOUNTS: working,
        HOME_NETWORKS: home,
    }
    detail = coordination_evidence(row).detail
    assert f"counted as {min(working, home):.0f}, {why}" in detail
