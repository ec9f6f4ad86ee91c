"""``compute_all``: every signal scored in one query gives each signal's own ``compute``, bit for bit."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from detect_fixtures import account, chat_products_with_end_users, population, scoring_inputs

from distillguard.detect import SIGNALS, Signal, build_signals
from distillguard.detect.signals import SignalContext
from distillguard.detect.signals._base import compute_all
from distillguard.features import fingerprint_frame


def _same(signals: list[Signal], table: pl.DataFrame, ctx: SignalContext) -> None:
    together = compute_all(signals, table, ctx)
    assert [result.signal for result in together] == signals
    for signal, result in zip(signals, together, strict=True):
        alone = signal.compute(table, ctx).frame
        assert result.frame.schema == alone.schema
        assert result.frame.equals(alone), signal.name


@pytest.mark.parametrize("seed", [11, 12])
def test_all_signals_together_equal_each_alone(seed: int) -> None:
    table, ctx = scoring_inputs(population(seed=seed))
    _same(build_signals(None), table, ctx)


def test_signals_overriding_compute_and_tables_without_lexical_breadth() -> None:
    rng = np.random.default_rng(3)
    table, ctx = scoring_inputs(pl.concat([chat_products_with_end_users(rng), account(rng, "solo", 40)]))
    # ``end_user`` overrides ``compute`` (it fills missing columns first): scored on its own, in its place.
    signals = build_signals(None)
    assert any(type(s).compute is not Signal.compute for s in signals)
    _same(signals, table, ctx)
    _same(signals, table.drop("lexical_breadth"), ctx)
    _same(list(reversed(signals)), table, ctx)


def test_single_empty_and_bare_tables() -> None:
    rng = np.random.default_rng(0)
    for events in (account(rng, "only", 30), fingerprint_frame({})):
        table, ctx = scoring_inputs(events)
        _same([SIGNALS[name]() for name in sorted(SIGNALS)], table, ctx)
