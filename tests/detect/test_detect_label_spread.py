"""The mean-probability route of the content signals counts distinct judgements, not repeated requests: an
account whose templates each get their own unsure probability is still caught, while the same probability on
every template (the classifier reacting to what all the requests share) is one judgement."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from detect_fixtures import account, individuals, scoring_inputs

from distillguard.detect import DetectConfig
from distillguard.detect.signals import SIGNALS
from distillguard.detect.signals import _content as content_module
from distillguard.features import account_features

N = 600


def _events(rng: np.random.Generator) -> pl.DataFrame:
    # "pos": every request its own paraphrase, the classifier unsure on each (0.1-0.45: none above 0.5).
    paraphrased = account(rng, "pos", N, p_grader=rng.uniform(0.1, 0.45, N).astype(np.float32))
    # "same": forty templates of one product, the classifier giving each 0.217 within a few thousandths.
    same = account(
        rng,
        "same",
        N,
        template_hash=rng.integers(1, 41, N).astype(np.uint64),
        p_grader=(0.217 + rng.normal(0.0, 0.004, N)).astype(np.float32),
    )
    # "one": a single template, however the probability varies with its payloads.
    one = account(
        rng,
        "one",
        N,
        template_hash=np.full(N, 77, dtype=np.uint64),
        p_grader=rng.uniform(0.1, 0.45, N).astype(np.float32),
    )
    return pl.concat([individuals(rng, 120), paraphrased, same, one])


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return _events(np.random.default_rng(23))


def _grader_scores(events: pl.DataFrame) -> dict[str, float]:
    table, ctx = scoring_inputs(events, DetectConfig())
    frame = SIGNALS["model_as_grader"]().compute(table, ctx).frame
    return dict(frame.select("account_id", "score").iter_rows())


def test_the_template_spread_feature(events: pl.DataFrame) -> None:
    cv = dict(account_features(events).select("account_id", "p_grader_template_cv").iter_rows())
    assert cv["pos"] > 0.2
    assert cv["same"] < 0.02
    assert cv["one"] is None


def test_many_unsure_judgements_still_add_up(events: pl.DataFrame) -> None:
    assert _grader_scores(events)["pos"] >= DetectConfig().fire_level


def test_one_probability_on_every_template_is_one_judgement(events: pl.DataFrame) -> None:
    scores = _grader_scores(events)
    assert scores["same"] < 0.05
    assert scores["one"] < 0.05


def test_counted_by_requests_the_repeated_probability_would_fire(
    events: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The failure this guards against: a mean of 0.217 over many requests, far above the population's,
    # passes the route in full when every request counts as its own evidence.
    monkeypatch.setattr(content_module, "SPREAD_LOW", -1.0)
    monkeypatch.setattr(content_module, "SPREAD_HIGH", 0.0)
    assert _grader_scores(events)["same"] >= DetectConfig().fire_level
