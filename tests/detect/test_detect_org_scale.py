"""A larger organisation's permitted job on many established accounts: the size of a group counts the
accounts that carry distinct prompts, not copies of one job (unless the accounts were set up for it)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from detect_fixtures import population
from test_detect_small_groups import _generation_job, _job_campaign

from distillguard.detect import DetectConfig, DetectionResult, detect
from distillguard.detect import _campaign as campaign_module
from distillguard.detect._campaign import WORKING_ACCOUNTS, _working_accounts

ACCOUNTS = 12


@pytest.fixture(scope="module")
def background() -> pl.DataFrame:
    return population(seed=41, hydra_accounts=0, with_harvester=False)


def _run(background: pl.DataFrame, *, set_up: bool = False, own_prompts: bool = False) -> DetectionResult:
    rng = np.random.default_rng(5)
    job = _generation_job(rng, set_up=set_up, accounts=ACCOUNTS, per=600, own_prompts=own_prompts)
    return detect(pl.concat([background, job]).sort("ts", "account_id"), None, DetectConfig())


def test_twelve_established_accounts_running_one_job_are_not_a_campaign(background: pl.DataFrame) -> None:
    assert _job_campaign(_run(background)) == (set(), "")


def test_counted_by_accounts_the_same_twelve_would_be_flagged(
    background: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The failure this guards against: with every account counted, the size term alone lifts the job over
    # the threshold at a provider where organisations hold a dozen accounts.
    monkeypatch.setattr(campaign_module, "_working_accounts", lambda: pl.col("n_accounts").cast(pl.Float64))
    flagged, _ = _job_campaign(_run(background))
    assert flagged == {f"gen_{i}" for i in range(ACCOUNTS)}


def test_a_harvest_split_across_established_accounts_still_counts_every_account(
    background: pl.DataFrame,
) -> None:
    # Each account asks its own items: twelve accounts' worth of work, coordination by its full size.
    flagged, coordination = _job_campaign(_run(background, own_prompts=True))
    assert flagged == {f"gen_{i}" for i in range(ACCOUNTS)}
    assert "counted as" not in coordination


def test_the_same_job_on_accounts_set_up_for_it_counts_every_account(background: pl.DataFrame) -> None:
    flagged, coordination = _job_campaign(_run(background, set_up=True))
    assert flagged == {f"gen_{i}" for i in range(ACCOUNTS)}
    assert "counted as" not in coordination


@pytest.mark.parametrize(
    ("n", "group_payloads", "member_payloads", "expected"),
    [
        (10, 100, 100.0, 1.0),  # every member sends the same 100 prompts: one job's copies
        (10, 1000, 100.0, 10.0),  # each its own 100: ten accounts' worth
        (10, 400, 100.0, 4.0),  # partly shared
        (10, 5000, 100.0, 10.0),  # never more than the group's size
        (4, 0, 0.0, 1.0),  # no payloads at all: one
    ],
)
def test_working_accounts(n: int, group_payloads: int, member_payloads: float, expected: float) -> None:
    frame = pl.DataFrame(
        {"n_accounts": [n], "distinct_payloads": [group_payloads], "_member_payloads": [member_payloads]}
    )
    assert frame.select(_working_accounts().alias(WORKING_ACCOUNTS)).item() == pytest.approx(expected)
