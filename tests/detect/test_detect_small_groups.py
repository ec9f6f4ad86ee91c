"""Small linked groups at the threshold: how cohesive a small group can be, and what coordination needs.

Two rules, each with a positive and a negative example:

- cohesion is judged against what a group of that size can show: three accounts all linked to each other
  are fully cohesive (a chain of three is not), while large groups still need four links per member;
- coordination counts in full behind half-strength harvesting evidence (one narrow domain's data
  generation) only when the accounts carry a campaign's set-up footprint: an organisation's permitted
  generation job on its own established accounts is linked, but not a campaign; the same job on accounts
  created in one burst and paid with one card is.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl
import pytest
from detect_fixtures import START, _events, _flat, _words, population

from distillguard.detect import DetectConfig, DetectionResult, detect
from distillguard.detect import _campaign as campaign_module
from distillguard.detect._campaign import _coordination


def _group(n: int, pairs: list[tuple[int, int]]) -> dict[str, float]:
    members = pl.DataFrame({"account_id": [f"a{i}" for i in range(n)], "group": ["g"] * n})
    edges = pl.DataFrame(
        {
            "a": [f"a{i}" for i, _ in pairs],
            "b": [f"a{j}" for _, j in pairs],
            "weight": [1.2] * len(pairs),
            "kinds": ["template"] * len(pairs),
        }
    )
    row = _coordination(members, edges).row(0, named=True)
    return {"cohesion": float(row["cohesion"]), "links": float(row["links"])}


def _complete(n: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(n) for j in range(i + 1, n)]


def _chain(n: int) -> list[tuple[int, int]]:
    return [(i, i + 1) for i in range(n - 1)]


@pytest.mark.parametrize("n", [3, 4, 6])
def test_a_small_group_linked_pair_by_pair_is_fully_cohesive(n: int) -> None:
    assert _group(n, _complete(n))["cohesion"] == pytest.approx(1.0)


@pytest.mark.parametrize("n", [3, 4, 12])
def test_a_chain_is_the_loosest_group(n: int) -> None:
    assert _group(n, _chain(n))["cohesion"] == pytest.approx(0.5)


def test_a_small_group_missing_links_is_in_between() -> None:
    # Four accounts with five of their six possible links.
    assert 0.5 < _group(4, _complete(4)[:5])["cohesion"] < 1.0


def test_a_large_group_still_needs_four_links_per_member() -> None:
    twelve = [(i, (i + k) % 12) for i in range(12) for k in (1, 2)]  # two links per member: loose
    assert _group(12, twelve)["cohesion"] == pytest.approx(0.5)
    dense = [(i, (i + k) % 12) for i in range(12) for k in (1, 2, 3, 4)]  # four per member: cohesive
    assert _group(12, dense)["cohesion"] == pytest.approx(1.0)


def _generation_job(
    rng: np.random.Generator,
    *,
    set_up: bool,
    one_card: bool = False,
    accounts: int = 6,
    per: int = 900,
    own_prompts: bool = False,
) -> pl.DataFrame:
    """One organisation's bulk generation job for its own product, spread over several accounts: one
    generator's prompt layout and user agent, a narrow domain, 24/7, long JSONL batches of short items.

    ``set_up``: the accounts were created for it, in one burst two days ago, all paid with one card.
    ``one_card``: established accounts, all paid with the organisation's one card.
    ``own_prompts``: each account sends its own items (a harvest split across the accounts) rather than
    every account the job's same 60 prompts."""
    owner = np.repeat(np.arange(accounts), per)
    n = len(owner)
    created = [START - timedelta(days=float(d)) for d in rng.uniform(300, 900, accounts)]
    cards = [f"pm_org_{i}" for i in range(accounts)]
    if one_card:
        cards = ["pm_org"] * accounts
    if set_up:
        created = [START - timedelta(days=2, minutes=float(m)) for m in rng.uniform(0, 40, accounts)]
        cards = ["pm_one_card"] * accounts
    return _events(
        rng,
        [f"gen_{i}" for i in owner],
        _flat(rng, n),
        template_hash=rng.choice([5151, 5152], n).astype(np.uint64),
        payload_words=_words(rng, n, 40, base=900_000),
        payload_hash=(rng.integers(1, 60, n) + (owner * 1000 if own_prompts else 0)).astype(np.uint64),
        p_datagen=rng.uniform(0.6, 1.0, n).astype(np.float32),
        max_tokens=[4000] * n,
        completion_tokens=rng.integers(900, 2500, n),
        temperature=[1.0] * n,
        user_agent=["orgdata-gen/3.2"] * n,
        ip=[f"54.{20 + i}.7.{9 + i}" for i in owner],
        account_created=[created[i] for i in owner],
        payment_fingerprint=[cards[i] for i in owner],
        capability=["writing"] * n,
    )


@pytest.fixture(scope="module")
def background() -> pl.DataFrame:
    return population(seed=41, hydra_accounts=0, with_harvester=False)


def _run(
    background: pl.DataFrame, *, set_up: bool, one_card: bool = False, own_prompts: bool = False
) -> DetectionResult:
    rng = np.random.default_rng(5)
    job = _generation_job(rng, set_up=set_up, one_card=one_card, own_prompts=own_prompts)
    events = pl.concat([background, job])
    return detect(events.sort("ts", "account_id"), None, DetectConfig())


def _job_campaign(result: DetectionResult) -> tuple[set[str], str]:
    flagged = {a.account_id for a in result.accounts if a.flagged and a.account_id.startswith("gen_")}
    details = [
        e.detail
        for c in result.campaigns
        if any(a.startswith("gen_") for a in c.accounts)
        for e in c.evidence
        if e.signal == "coordination"
    ]
    return flagged, details[0] if details else ""


def test_a_permitted_generation_job_on_established_accounts_is_not_a_campaign(
    background: pl.DataFrame,
) -> None:
    flagged, _ = _job_campaign(_run(background, set_up=False))
    assert flagged == set()


def test_the_same_job_on_accounts_set_up_for_it_is_a_campaign(background: pl.DataFrame) -> None:
    flagged, coordination = _job_campaign(_run(background, set_up=True))
    assert flagged == {f"gen_{i}" for i in range(6)}
    assert "counted at" not in coordination, "with a set-up footprint coordination counts in full"


def test_with_coordination_counted_in_full_behind_half_a_harvest_the_permitted_job_would_be_flagged(
    background: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The failure this guards against: the job is linked into one group, and with half-strength harvesting
    # evidence unlocking coordination in full (the rule before) it crosses the threshold. (Each account
    # sends its own prompts here, so that its size counts in full: see test_detect_org_scale.)
    monkeypatch.setattr(campaign_module, "HARVEST_FOR_COORDINATION", campaign_module.HARVEST_WITH_FOOTPRINT)
    flagged, _ = _job_campaign(_run(background, set_up=False, own_prompts=True))
    assert flagged == {f"gen_{i}" for i in range(6)}


def test_a_shared_card_is_no_set_up_footprint(background: pl.DataFrame) -> None:
    # One card paying for every account of an established organisation is not a sign of accounts made for
    # an operation: coordination stays at half. (The shared card is still account-infrastructure evidence,
    # which a hydra paying with one card shows too; such a customer belongs on the provider's allowlist.)
    # (Each account sends its own prompts, so that the group's size counts in full; the same accounts all
    # sending the job's same prompts are not even a campaign: see test_detect_org_scale.)
    result = _run(background, set_up=False, one_card=True, own_prompts=True)
    _, coordination = _job_campaign(result)
    assert "counted at 50%" in coordination
