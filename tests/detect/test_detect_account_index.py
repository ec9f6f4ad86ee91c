"""Detection's uses of the shared account numbering (``AccountIndex``) give what the plain joins on the
account id strings give: linking, the groups' relabelled events, and the partition of campaign events."""

from __future__ import annotations

import polars as pl
from detect_fixtures import population

from distillguard.detect import DetectConfig, detect
from distillguard.detect._campaign import group_word_counts, relabel
from distillguard.detect._engine import _DESCRIBE_COLUMNS, _campaign_events
from distillguard.detect._link import SHARED_COUNTS, link
from distillguard.features import AccountIndex
from distillguard.features._account import WORD_SAMPLE, account_features_with_counts, account_word_counts
from distillguard.features._network import prefix_column
from distillguard.features._words import sample_words


def _events() -> pl.DataFrame:
    events = population(seed=7, hydra_accounts=60)
    return events.with_columns(
        (pl.col("template_hash") // 2).alias("template_cluster"), prefix_column(events).alias("ip_prefix")
    )


def _table(events: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    features, counts = account_features_with_counts(events, count_keys=SHARED_COUNTS)
    table = features.with_columns(
        pl.lit(0).alias("payment_accounts"),
        pl.lit(0.0).alias("creation_burst_ratio"),
        pl.lit(0).alias("creation_burst_accounts"),
    )
    return table, counts


def _groups(events: pl.DataFrame, size: int = 5) -> pl.DataFrame:
    """(account_id, group): every account of a few fixed groups of ``size``, the group named by its
    smallest member (as linking names them)."""
    accounts = sorted(set(events["account_id"].to_list()))[: 4 * size]
    rows = [(a, accounts[(i // size) * size]) for i, a in enumerate(accounts)]
    return pl.DataFrame(rows, schema={"account_id": pl.String, "group": pl.String}, orient="row")


def test_linking_with_the_index_equals_linking_without() -> None:
    events = _events()
    config = DetectConfig()
    table, counts = _table(events)
    suspicion = table.select("account_id", pl.lit(0.5).alias("suspicion"))
    candidates = table["account_id"]
    index = AccountIndex.of(events)
    assert index.numbers_rows_of(table)
    plain = link(events, table, suspicion, candidates, config, counts)
    shared = link(events, table, suspicion, candidates, config, counts, index)
    assert plain.groups.height > 0 and shared.groups.equals(plain.groups)
    # Weights to the last bits only, as linking twice on the same events gives (its sums run in parallel).
    assert shared.edges.select("a", "b", "kinds").equals(plain.edges.select("a", "b", "kinds"))
    assert (shared.edges["weight"] - plain.edges["weight"]).abs().max() < 1e-12  # type: ignore[operator]
    # A table not in the index's order is linked by the plain join, and gives the same again.
    shuffled = table.sample(fraction=1.0, shuffle=True, seed=3)
    assert not index.numbers_rows_of(shuffled)
    assert link(events, shuffled, suspicion, candidates, config, counts, index).groups.equals(plain.groups)


def test_relabelled_events_are_the_members_events_under_their_group() -> None:
    events = _events()
    members = _groups(events)
    relabelled, group_index = relabel(events, members, AccountIndex.of(events))
    group_of = dict(members.iter_rows())
    # The plain definition: every event of a member, in event order, with its group as account id.
    expected = events.filter(pl.col("account_id").is_in(list(group_of))).with_columns(
        pl.col("account_id").replace_strict(group_of)
    )
    assert relabelled.columns == events.columns
    assert relabelled.equals(expected)
    assert group_index.names.equals(AccountIndex.of(relabelled).names)
    assert group_index.key.equals(AccountIndex.of(relabelled).key)


def test_campaign_events_with_the_index_equal_campaign_events_without() -> None:
    events = _events()
    members = _groups(events).rename({"group": "_part"})
    lone = events["account_id"].unique().sort().tail(3).to_list()
    membership = pl.concat([members, pl.DataFrame({"account_id": lone, "_part": lone})])
    plain = _campaign_events(events, membership)
    shared = _campaign_events(events, membership, AccountIndex.of(events))
    columns = [c for c in _DESCRIBE_COLUMNS if c in events.columns]
    # The plain definition: each member's events, with its part.
    expected = events.filter(pl.col("account_id").is_in(membership["account_id"].implode())).select(
        *columns, pl.col("account_id").replace_strict(dict(membership.iter_rows())).alias("_part")
    )
    order = [*columns, "_part"]
    assert shared.columns == plain.columns == expected.columns
    assert shared.sort(order).equals(expected.sort(order))
    assert plain.sort(order).equals(expected.sort(order))


def test_detection_does_not_depend_on_row_order() -> None:
    # The index numbers accounts by id, not by appearance: a shuffled frame gives the same result.
    events = population(seed=8, hydra_accounts=40)
    config = DetectConfig()
    plain = detect(events, None, config)
    shuffled = detect(events.sample(fraction=1.0, shuffle=True, seed=9), None, config)
    assert plain.campaigns and shuffled.campaigns == plain.campaigns
    assert shuffled.accounts == plain.accounts


def test_the_groups_sample_from_their_members_samples_is_their_whole_sample() -> None:
    events = _events()
    index = AccountIndex.of(events)
    taken = sample_words(events, "account_id", WORD_SAMPLE, index).rows
    assert taken is not None
    mask = pl.Series("_sampled", [False] * events.height).scatter(taken, True)
    # Groups of 5 and of 2 accounts, heavy products among them (their samples stop at WORD_SAMPLE words).
    for size in (5, 2):
        members = _groups(events, size)
        relabelled, group_index = relabel(events.with_columns(mask), members, index)
        whole = account_word_counts(sample_words(relabelled, "account_id", WORD_SAMPLE, group_index))
        assert whole["sample_words"].max() == WORD_SAMPLE
        assert relabelled["_sampled"].sum() < relabelled.height / 2
        assert group_word_counts(relabelled, group_index).sort("account_id").equals(whole.sort("account_id"))
