"""``compute_all``: every signal scored in one query gives each signal's own ``compute``, bit for bit."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from detect_fixtures import account, chat_products_with_end_users, population, scoring_inputs

from distillguard.detect import SIGNALS, Signal, build_signals
from distillguard.detect.signals import SignalContext
from distillguard.detect.signals._base import compute_all, shown_share, wilson_lower_bound
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


def test_shown_share_is_the_wilson_expression_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    shares = [*rng.random(3_000).tolist(), 0.0, 1.0, 1 / 3, None, 0.5, 0.999999]
    trials = [*rng.integers(0, 10**6, 3_000).tolist(), 0, 1, 2, 14, None, 7]
    rows = [(s, n) for s in shares[-6:] for n in trials[-6:]] + list(zip(shares, trials, strict=True))
    frame = pl.DataFrame({"s": [float(s or 0.0) for s, _ in rows], "n": [int(n or 0) for _, n in rows]})
    expected = frame.select(wilson_lower_bound(pl.col("s"), pl.col("n")))[:, 0].to_list()
    assert [shown_share(s, n) for s, n in rows] == expected
