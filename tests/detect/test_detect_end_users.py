"""End users behind an account: the per-account end-user columns and the end-user rotation signal."""

from __future__ import annotations

import numpy as np
import polars as pl
from detect_fixtures import account, chat_products_with_end_users, end_user_ids, individuals, scoring_inputs

from distillguard.detect import SIGNALS, DetectConfig
from distillguard.detect._end_users import with_end_user_features
from distillguard.features import account_features


def _score(events: pl.DataFrame, name: str) -> float:
    table, ctx = scoring_inputs(events, DetectConfig())
    frame = SIGNALS["end_user_rotation"]().compute(table, ctx).frame
    return float(frame.filter(pl.col("account_id") == name)["score"][0])


def _background(rng: np.random.Generator) -> pl.DataFrame:
    return pl.concat([individuals(rng, 80), chat_products_with_end_users(rng)])


def test_end_user_columns_count_ids_and_their_recurrence() -> None:
    rng = np.random.default_rng(1)
    ids = ["u1", "u1", "u2", None, "u3", "u3"]
    events = pl.concat([account(rng, "a", 6, end_user=ids), account(rng, "b", 4)])
    table = with_end_user_features(account_features(events), events)
    rows = {r["account_id"]: r for r in table.iter_rows(named=True)}
    assert (rows["a"]["end_user_requests"], rows["a"]["distinct_end_users"]) == (5, 3)
    assert rows["a"]["end_user_fresh_share"] == 3 / 5
    # No ids at all: nothing to judge, so no share (and no place in the baseline).
    assert (rows["b"]["end_user_requests"], rows["b"]["end_user_fresh_share"]) == (0, None)
    without = with_end_user_features(account_features(events), events.drop("end_user"))
    assert without["end_user_fresh_share"].null_count() == without.height


def test_new_id_on_every_request_fires_recurring_users_do_not() -> None:
    rng = np.random.default_rng(2)
    events = pl.concat(
        [
            _background(rng),
            account(rng, "reseller", 400, end_user=end_user_ids(rng, 400, None)),
            account(rng, "chat", 400, end_user=end_user_ids(rng, 400, 150)),
        ]
    )
    assert _score(events, "reseller") >= 0.9
    assert _score(events, "chat") == 0.0


def test_few_or_partial_ids_do_not_fire() -> None:
    rng = np.random.default_rng(3)
    # Thirty one-question users: chance, not a policy.
    few = account(rng, "few", 30, end_user=end_user_ids(rng, 30, None))
    # Fresh ids on a fifth of the traffic only.
    partial_ids = [u if i % 5 == 0 else None for i, u in enumerate(end_user_ids(rng, 400, None))]
    partial = account(rng, "partial", 400, end_user=partial_ids)
    events = pl.concat([_background(rng), few, partial])
    assert _score(events, "few") < 0.1
    assert _score(events, "partial") < 0.1


def test_population_that_mints_ids_everywhere_is_not_unusual() -> None:
    # Where every id-passing account mints an id per request (an SDK default), doing so says nothing.
    rng = np.random.default_rng(4)
    minters = [account(rng, f"m{i}", 300, end_user=end_user_ids(rng, 300, None)) for i in range(5)]
    events = pl.concat([individuals(rng, 80), *minters])
    assert _score(events, "m0") == 0.0


def test_tables_without_end_user_columns_score_zero() -> None:
    # A group's table is built from relabelled events without the end-user join: the signal is silent.
    rng = np.random.default_rng(5)
    events = pl.concat(
        [_background(rng), account(rng, "reseller", 400, end_user=end_user_ids(rng, 400, None))]
    )
    table, ctx = scoring_inputs(events, DetectConfig())
    bare = table.drop("end_user_requests", "distinct_end_users", "end_user_fresh_share")
    frame = SIGNALS["end_user_rotation"]().compute(bare, ctx).frame
    assert frame["score"].max() == 0.0 and frame.height == table.height


def _end_user_pairs(events: pl.DataFrame) -> set[tuple[str, str]]:
    from distillguard.detect._link import KINDS, account_keys, key_pairs
    from distillguard.features._network import prefix_column

    table, _ = scoring_inputs(events, DetectConfig())
    ids = table.select("account_id").with_row_index("_i")
    names = dict(zip(ids["_i"].to_list(), ids["account_id"].to_list(), strict=True))
    indexed = events.with_columns(prefix_column(events).alias("ip_prefix")).join(ids, on="account_id")
    keys = account_keys(indexed, table.join(ids, on="account_id"), DetectConfig())
    pairs = key_pairs(keys, table.height, DetectConfig()).filter(pl.col("kind") == KINDS.index("end_user"))
    return {(names[a], names[b]) for a, b in pairs.select("a", "b").iter_rows()}


def test_one_end_user_behind_two_accounts_is_a_link_key() -> None:
    rng = np.random.default_rng(6)
    # The same client's id on half of two resellers' traffic; a third reseller has only its own users.
    shared = ["c0ffee00c0ffee00" if i % 2 else u for i, u in enumerate(end_user_ids(rng, 300, 100))]
    other = ["c0ffee00c0ffee00" if i % 2 else u for i, u in enumerate(end_user_ids(rng, 300, 100))]
    events = pl.concat(
        [
            individuals(rng, 40),
            account(rng, "reseller_a", 300, end_user=shared),
            account(rng, "reseller_b", 300, end_user=other),
            account(rng, "reseller_c", 300, end_user=end_user_ids(rng, 300, 100)),
        ]
    )
    assert _end_user_pairs(events) == {("reseller_a", "reseller_b")}


def test_a_shared_end_user_alone_never_links_two_accounts() -> None:
    from distillguard.detect._link import KIND_WEIGHTS, SUSPICION_BASE, SUSPICION_GAIN

    # Even between two accounts with the strongest evidence, it needs another kind of shared indicator.
    assert KIND_WEIGHTS["end_user"] * (SUSPICION_BASE + SUSPICION_GAIN) < DetectConfig().link_threshold
