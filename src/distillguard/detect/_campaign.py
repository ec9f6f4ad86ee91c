"""Scoring groups of linked accounts as campaigns, and describing them (evidence, indicators).

A group is scored as if it were one account: its members' events are relabelled with the group id and go
through the very same ``account_features`` and signals, against the *account* population's baseline. A
hydra cluster of hundreds of quiet accounts thereby shows its aggregate (the volume, the sweep across
templates and capabilities, round-the-clock activity) that no single member shows. Coordination itself
(how many accounts, linked by what) adds its own evidence, but only as far as the group shows some
harvesting evidence (a signal marked ``harvest``: content elicitation, output budget, logprobs, a payload
sweep): one template, system prompt and user agent shared by many accounts is also what every multi-tenant
product (a RAG or support vendor's tenants) looks like, and that is legitimate.

Payload breadth is judged on the members, not on the union of their payloads: ten tenants of one product,
each in its own narrow domain, add up to a broad-looking vocabulary, while a sweep is broad in every member.
Likewise per-request behaviours (an elicitation label, logprobs, the output budget) count for a group only
as far as its members show them themselves (``_carried``): pooled, one member's evaluation run and a
colleague's differently run one look like a single account doing both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import polars as pl

from distillguard.detect._lexical import lexical_table
from distillguard.detect._score import Scored, logistic, score_all
from distillguard.detect.signals import Signal, SignalContext, ramp
from distillguard.detect.signals._account import AccountInfrastructure
from distillguard.detect.signals._base import (
    BROAD_LEXICAL,
    LEXICAL_BREADTH,
    NARROW_KEEP,
    NARROW_LEXICAL,
    lexical_breadth_ramp,
)
from distillguard.detect.signals._content import SHARE_HIGH, SHARE_LOW
from distillguard.detect.signals._shape import BROAD_LEXICAL_SWEEP, NARROW_LEXICAL_SWEEP
from distillguard.detect.signals._usage import BUDGET_HIGH, BUDGET_LOW
from distillguard.detect.types import Evidence
from distillguard.features import (
    WORD_SAMPLE,
    AccountIndex,
    FeatureContext,
    account_features,
    account_word_counts,
    sample_words,
)
from distillguard.features._account import FEATURE_INPUTS
from distillguard.features._index import ACCOUNT_KEY
from distillguard.features._network import prefix_column
from distillguard.fingerprint.schema import LABELS

COORDINATION = "coordination"
# Weight of the coordination evidence in a group's total.
COORDINATION_WEIGHT = 1.0
# Column of the group frame: the share of the coordination score that counts (see ``_gate_coordination``).
COORDINATION_GATE = "coordination_gate"
# Strongest weighted harvesting evidence of a group from which its coordination counts in full (linearly from
# 0): a full-strength harvesting signal or behaviour (elicitation, output budget, logprobs, a sweep over broad
# payloads).
HARVEST_FOR_COORDINATION = 1.0
# Half of that (e.g. the same behaviour halved in one narrow domain) is already a line of evidence, but it is
# also what an organisation's own, permitted multi-account data job shows: from it, coordination counts in
# full only as far as the accounts also carry a campaign's set-up footprint (``footprint``).
HARVEST_WITH_FOOTPRINT = 0.5
# The strongest set-up part of a group (young accounts, a creation burst, rotating networks; see
# ``footprint``) from which the footprint is clear: a quarter of one part (accounts three robust z-scores
# younger than the population's, a burst of five sign-ups). Established accounts on stable networks score 0.
FOOTPRINT_FULL = 0.25
# Links per member (beyond a tree's one) at which a group is fully cohesive: four, or in a group too small
# for that, every pair linked (n / 2 per member), but never under 1.5 (three accounts all linked).
MAX_FULL_COHESION = 4.0
MIN_FULL_COHESION = 1.5
# Columns of the group frame: how many accounts' worth of distinct prompts a group sends
# (``_working_accounts``), and how many of its accounts its coordination counts (``_gate_coordination``).
WORKING_ACCOUNTS = "working_accounts"
COUNTED_ACCOUNTS = "counted_accounts"
# Column of the group frame: how many distinct networks its accounts mainly work from (each member's most
# used IP prefix; ``_gate_coordination``).
HOME_NETWORKS = "home_networks"
# Prefix of the group frame's columns: per per-request signal, the share of the group's requests sent by
# members that show the behaviour themselves (``_carried``); the signal counts for the group in that
# proportion.
CARRIED_PREFIX = "carried_"
# A member shows a group's behaviour when its own share is at least this fraction of the group's pooled
# share (in proportion below it): a margin for the sampling noise of small members (a hydra account's dozen
# requests), not a second threshold.
CARRY_LEVEL = 0.5
# Indicator lists are capped so that a campaign record stays readable and shareable.
MAX_INDICATORS = 50
MAX_TEMPLATES = 10


class TemplateCatalogLike(Protocol):
    """What detection needs from the fingerprint stage's ``TemplateCatalog``."""

    def clusters(self, threshold: float = 0.7) -> dict[int, int]:
        """template_hash -> cluster id for near-duplicate templates."""
        ...

    def preview(self, template_hash: int) -> str:
        """The masked skeleton of a template (raises ``KeyError`` if unknown)."""
        ...


@dataclass(frozen=True)
class GroupScores:
    """Scores of the multi-account groups: ``frame`` has ``account_id`` = group id, ``n_accounts``..."""

    scored: Scored
    features: pl.DataFrame
    members: pl.DataFrame  # account_id, group


def campaign_id(members: Sequence[str]) -> str:
    """Stable id of a set of accounts: the same members always give the same id, in any order."""
    digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()
    return f"cmp_{digest[:16]}"


def score_groups(
    events: pl.DataFrame,
    groups: pl.DataFrame,
    edges: pl.DataFrame,
    account_table: pl.DataFrame,
    feature_context: FeatureContext,
    signals: Sequence[Signal],
    ctx: SignalContext,
    lexical_reference: Mapping[int, float] | None = None,
    index: AccountIndex | None = None,
    sampled: pl.Series | None = None,
) -> GroupScores | None:
    """Score every group with at least ``min_campaign_accounts`` members (None if there is none).

    ``lexical_reference`` is the population's pooled vocabulary curve (``distillguard.detect._lexical``),
    for groups none of whose members has enough words to measure on their own. ``index``: the events'
    ``AccountIndex``, if the caller has one; ``sampled``: with it, a mask of the events the accounts' word
    sample (``WORD_SAMPLE`` words per account) took words from, see ``group_word_counts``."""
    config = ctx.config
    sizes = groups.group_by("group").agg(pl.len().alias("n_accounts"))
    big = sizes.filter(pl.col("n_accounts") >= config.min_campaign_accounts)
    if big.height == 0:
        return None
    members = groups.join(big.select("group"), on="group")
    # Only the columns the features read are carried through the join (not request ids, latencies...).
    needed = [
        c for c in (*FEATURE_INPUTS, "account_id", "ip_prefix", "template_cluster") if c in events.columns
    ]
    word_counts = None
    if index is not None and index.fits(events):
        if sampled is not None and sampled.len() == events.height:
            relabelled, group_index = relabel(events.select(needed).with_columns(sampled), members, index)
            word_counts = group_word_counts(relabelled, group_index)
            relabelled = relabelled.drop(sampled.name)
        else:
            relabelled, group_index = relabel(events.select(needed), members, index)
    else:
        relabelled = (
            events.select(needed)
            .join(members, on="account_id")
            .with_columns(pl.col("group").alias("account_id"))
            .drop("group")
        )
        group_index = None
    group_features = _member_breadth(
        account_features(relabelled, feature_context, word_counts=word_counts, index=group_index),
        relabelled,
        account_table,
        members,
        lexical_reference,
    )
    member_facts = (
        account_table.join(members, on="account_id")
        .group_by("group")
        .agg(
            pl.col("payment_accounts").max(),
            pl.col("creation_burst_accounts").max(),
            pl.col("creation_burst_ratio").max(),
            pl.col("account_age_days").median().alias("_member_age"),
            pl.col("active_hours").median().alias("_member_active"),
            pl.col("distinct_payloads").median().alias("_member_payloads"),
            pl.col("top_prefix").drop_nulls().n_unique().alias(HOME_NETWORKS),
        )
        .rename({"group": "account_id"})
    )
    links = _coordination(members, edges).rename({"group": "account_id"})
    enriched = (
        group_features.join(member_facts, on="account_id", how="left")
        .join(links, on="account_id", how="left")
        .with_columns(
            # A group's age is its members' (median) age, not the time since its oldest member was created.
            pl.col("_member_age").alias("account_age_days"),
            # Burst damping judges the typical member: three researchers each running a two-hour benchmark
            # are three bursts, not one sustained operation.
            pl.col("_member_active").round(0).cast(pl.Int64).alias("active_hours"),
            pl.col("requests").cast(pl.Float64).log1p().alias("log_requests"),
            pl.col("distinct_payloads").cast(pl.Float64).log1p().alias("log_distinct_payloads"),
            pl.col("_member_age").clip(lower_bound=0.0).log1p().alias("log_age_days"),
            _working_accounts().alias(WORKING_ACCOUNTS),
        )
        .drop("_member_age", "_member_active", "_member_payloads")
    )
    carried = _carried(enriched, account_table, members, signals, ctx)
    enriched = enriched.join(carried, on="account_id", how="left").sort("account_id")
    factors = {c.removeprefix(CARRIED_PREFIX): c for c in carried.columns if c.startswith(CARRIED_PREFIX)}
    # The coordination score (size and cohesion of the group) is added by ``_gate_coordination``.
    scored = _gate_coordination(score_all(enriched, signals, ctx, factors=factors), enriched, signals, ctx)
    return GroupScores(scored, enriched, members)


def relabel(
    events: pl.DataFrame, members: pl.DataFrame, index: AccountIndex
) -> tuple[pl.DataFrame, AccountIndex]:
    """The events of the groups' members (``members``: account_id, group), in event order, with
    ``account_id`` replaced by the group, and the groups' own ``AccountIndex`` over them: joined on the
    accounts' numbers (``index``, aligned with ``events``) instead of their id strings."""
    groups = members.select(pl.col("group").unique().sort()).with_row_index("_g")
    lookup = members.join(index.names, on="account_id").join(groups, on="group")
    relabelled = (
        events.drop("account_id")
        .with_columns(index.key)
        .join(
            lookup.select(ACCOUNT_KEY, "_g", pl.col("group").alias("account_id")),
            on=ACCOUNT_KEY,
            maintain_order="left",
        )
    )
    group_index = AccountIndex(
        "account_id",
        groups.select(pl.col("_g").alias(ACCOUNT_KEY), pl.col("group").alias("account_id")),
        relabelled["_g"].alias(ACCOUNT_KEY),
    )
    return relabelled.select(events.columns), group_index


def group_word_counts(relabelled: pl.DataFrame, group_index: AccountIndex) -> pl.DataFrame:
    """``account_word_counts`` of the groups' word sample, drawn from the requests their members' own
    samples took words from (``relabelled``'s boolean ``_sampled`` column) instead of all their requests.

    The same sample: a request the group's sample takes has fewer than ``WORD_SAMPLE`` words before it in
    the group's order (payload hash, time), hence fewer before it in its member's order (the member's
    requests are some of the group's, in the same order), so its member's sample took it too; and every
    request before it in the group's order was taken by its member's sample for the same reason, so the
    words before it are counted alike. A request the group's sample leaves out comes after the group's
    first request with ``WORD_SAMPLE`` words before it, all of whose predecessors are kept, so it is left
    out of the smaller set too. The members' samples hold ~1,000 words each, far fewer requests than the
    groups' events (1M-event file: 381,201 group events).
    """
    taken = relabelled["_sampled"]
    index = AccountIndex(group_index.column, group_index.names, group_index.key.filter(taken))
    sample = sample_words(relabelled.filter(taken), "account_id", WORD_SAMPLE, index)
    return account_word_counts(sample)


def _size(accounts: pl.Expr) -> pl.Expr:
    """The size part of coordination: 0 for two accounts, 1 from about twelve (log scale)."""
    return ramp(accounts.cast(pl.Float64).clip(lower_bound=1.0).log(), 0.69, 2.5)


def _working_accounts() -> pl.Expr:
    """How many accounts' worth of distinct prompts the group sends: its distinct prompts over its typical
    member's, between 1 and its size. A harvest split across accounts (to stay under each one's limits)
    gives each its own share of the items, so this is about the group's size; accounts that each run the
    same job on the same prompts are copies of one job and count about as one."""
    n = pl.col("n_accounts").cast(pl.Float64)
    ratio = pl.col("distinct_payloads").cast(pl.Float64) / pl.col("_member_payloads").clip(lower_bound=1.0)
    return ratio.clip(lower_bound=1.0).fill_null(n).clip(upper_bound=n)


def _carried(
    enriched: pl.DataFrame,
    account_table: pl.DataFrame,
    members: pl.DataFrame,
    signals: Sequence[Signal],
    ctx: SignalContext,
) -> pl.DataFrame:
    """Per group and per-request signal, the share of its requests sent by members that show the behaviour.

    A group is scored as one account, and pooling lets one member's behaviour borrow the others' volume and
    their other lines of evidence: a researcher's evaluation run linked to a colleague's differently run
    evaluation (or ordinary traffic) on the same network looked like a larger, better-corroborated harvest
    than either account. A campaign's accounts each run the operator's harvest (a hydra's members, a
    rotation's successive accounts), so the behaviour is in every one of them; a linked account whose own
    requests do not show it adds links, not that evidence. Members are judged on their plain shares (the
    signal's ``value``), not their scores, so that a hydra's small accounts carry it as fully as large ones.
    1 where the group does not show the behaviour (nothing to carry).
    """
    per_request = [s for s in signals if s.per_request]
    if not per_request:
        return enriched.select("account_id")
    group_values = enriched.select(
        pl.col("account_id").alias("group"),
        *(s.value(ctx).cast(pl.Float64).fill_null(0.0).alias(f"_g{i}") for i, s in enumerate(per_request)),
    )
    own = account_table.join(members, on="account_id").select(
        "group",
        pl.col("requests").cast(pl.Float64).alias("_requests"),
        *(s.value(ctx).cast(pl.Float64).fill_null(0.0).alias(f"_m{i}") for i, s in enumerate(per_request)),
    )
    shows = [
        pl.when(pl.col(f"_g{i}") > 0)
        .then((pl.col(f"_m{i}") / (CARRY_LEVEL * pl.col(f"_g{i}"))).clip(0.0, 1.0))
        .otherwise(1.0)
        for i in range(len(per_request))
    ]
    total = pl.col("_requests").sum().clip(lower_bound=1.0)
    return (
        own.join(group_values, on="group")
        .group_by("group")
        .agg(
            ((shown * pl.col("_requests")).sum() / total).alias(f"{CARRIED_PREFIX}{s.name}")
            for shown, s in zip(shows, per_request, strict=True)
        )
        .rename({"group": "account_id"})
    )


def _home_networks(n: pl.Expr) -> pl.Expr:
    """How many distinct networks the group's accounts mainly work from (each member's most used prefix),
    between 1 and its size; its size where no member's network is known."""
    home = pl.col(HOME_NETWORKS).cast(pl.Float64)
    return pl.when(home >= 1.0).then(home.clip(upper_bound=n)).otherwise(n)


def _member_breadth(
    group_features: pl.DataFrame,
    relabelled: pl.DataFrame,
    account_table: pl.DataFrame,
    members: pl.DataFrame,
    reference: Mapping[int, float] | None,
) -> pl.DataFrame:
    """The group's ``lexical_breadth`` is its members' median (members too small to measure left out); only
    a group none of whose members can be measured falls back to its pooled payloads."""
    median = (
        account_table.select("account_id", "lexical_breadth")
        .join(members, on="account_id")
        .group_by("group")
        .agg(pl.col("lexical_breadth").median().alias("_members"))
        .rename({"group": "account_id"})
    )
    unmeasured = group_features.join(median.drop_nulls("_members"), on="account_id", how="anti")
    pooled = pl.DataFrame(schema={"account_id": pl.String, "_pooled": pl.Float64})
    if unmeasured.height:
        pooled = lexical_table(
            relabelled.filter(pl.col("account_id").is_in(unmeasured["account_id"].implode())), reference
        )[0].select("account_id", pl.col("lexical_breadth").alias("_pooled"))
    return (
        group_features.join(median, on="account_id", how="left")
        .join(pooled, on="account_id", how="left")
        .with_columns(pl.coalesce("_members", "_pooled").alias("lexical_breadth"))
        .drop("_members", "_pooled")
    )


def _gate_coordination(
    scored: Scored, enriched: pl.DataFrame, signals: Sequence[Signal], ctx: SignalContext
) -> Scored:
    """Add the coordination score to each group's total in proportion to its harvesting evidence.

    Full-strength harvesting evidence (``HARVEST_FOR_COORDINATION``) lets coordination count in full. Half
    of it (``HARVEST_WITH_FOOTPRINT``: one narrow domain's elicitation or output budget) does so only
    together with the set-up footprint of a campaign (``footprint``): an organisation running a permitted
    generation job for its own product through several established accounts, on stable networks, shows that
    much harvesting and that much coordination too, and nothing of accounts made for the operation.
    """
    config = ctx.config
    column = f"s_{COORDINATION}"
    harvest = [pl.col(f"s_{s.name}") * config.weight(s.name) for s in signals if s.harvest]
    strongest = pl.max_horizontal(harvest) if harvest else pl.lit(0.0)
    behaviour = enriched.select(
        "account_id",
        "n_accounts",
        "cohesion",
        WORKING_ACCOUNTS,
        HOME_NETWORKS,
        harvest_behaviour().alias("_behaviour"),
        footprint(ctx).alias("_footprint"),
    )
    evidence = pl.max_horizontal(strongest, pl.col("_behaviour"))
    gate = pl.max_horizontal(
        (evidence / HARVEST_FOR_COORDINATION).clip(0.0, 1.0),
        (evidence / HARVEST_WITH_FOOTPRINT).clip(0.0, 1.0) * pl.col("_footprint"),
    )
    # Which accounts count towards the size: all of them when they bear a campaign's set-up footprint or
    # the harvest is plain (full-strength evidence); with half-strength evidence and no footprint (what an
    # organisation's own multi-account job looks like) only as many as look like separate customers: carry
    # distinct prompts, and work from networks of their own (an organisation's team accounts sit behind its
    # own egress; accounts split to look like many customers do not share one); linearly in between (from
    # half of full strength to full).
    counted_in_full = pl.max_horizontal(
        pl.col("_footprint"), ramp(evidence / HARVEST_FOR_COORDINATION, 0.5, 1.0)
    ).fill_null(0.0)
    n = pl.col("n_accounts").cast(pl.Float64)
    separate = pl.min_horizontal(pl.col(WORKING_ACCOUNTS).fill_null(n), _home_networks(n))
    counted = separate + (n - separate) * counted_in_full
    # Coordination grows with the accounts counted (2 -> 0, about 12 -> 1) and the strength of the links.
    coordination = (_size(counted) * pl.col("cohesion")).fill_null(0.0)
    frame = (
        scored.frame.join(behaviour, on="account_id", how="left")
        .with_columns(coordination.alias(column), counted.alias(COUNTED_ACCOUNTS))
        .with_columns(gate.fill_null(0.0).alias(COORDINATION_GATE))
        .with_columns(
            (
                pl.col("total")
                + pl.col(column).fill_null(0.0) * COORDINATION_WEIGHT * pl.col(COORDINATION_GATE)
            ).alias("total")
        )
        .with_columns(logistic(pl.col("total"), config).alias("score"))
        .drop("_behaviour", "_footprint", "cohesion", WORKING_ACCOUNTS, HOME_NETWORKS)
    )
    return Scored(frame, scored.results)


def footprint(ctx: SignalContext) -> pl.Expr:
    """How plainly a group's accounts were made or run for an operation, in [0, 1]: the strongest of the
    account-infrastructure signal's set-up parts (unusually young accounts, a creation burst, networks
    rotating request by request), full from ``FOOTPRINT_FULL``. Established accounts on stable networks show
    none of it, whoever pays for them."""
    parts = [part.fill_null(0.0) for part in AccountInfrastructure.set_up_parts(ctx)]
    return ramp(pl.max_horizontal(parts), 0.0, FOOTPRINT_FULL).fill_null(0.0)


def harvest_behaviour() -> pl.Expr:
    """How plainly a group's aggregated requests collect training data, in [0, 1], usual or not.

    The harvesting *signals* ask whether a behaviour is unusual for this population; a population crowded
    with one operator's accounts (or with products that elicit reasoning) hides it from them. For the
    question "is this coordinated group more than a multi-tenant product?" the behaviour itself suffices:
    an elicitation label or the whole output budget on most requests (counted at ``NARROW_KEEP`` in a
    narrow domain, as the signals do), soft-label logprobs, or payloads sweeping a vocabulary as varied as
    the platform's, with new payloads each time. A multi-tenant RAG or support product shows none of these.
    """
    breadth = NARROW_KEEP + (1.0 - NARROW_KEEP) * lexical_breadth_ramp(NARROW_LEXICAL, BROAD_LEXICAL)
    content = pl.max_horizontal([ramp(pl.col(f"{label}_share"), SHARE_LOW, SHARE_HIGH) for label in LABELS])
    budget = ramp(
        pl.max_horizontal("near_cap_share", "high_effort_share", "multi_n_share"), BUDGET_LOW, BUDGET_HIGH
    )
    logprobs = ramp(pl.col("logprob_tiny_share"), SHARE_LOW, SHARE_HIGH)
    novel = ramp(pl.col("payload_unique_share"), 0.4, 0.8)
    # Unknown breadth (too few words to tell) is no evidence of a sweep.
    sweep = ramp(pl.col(LEXICAL_BREADTH), NARROW_LEXICAL_SWEEP, BROAD_LEXICAL_SWEEP).fill_null(0.0) * novel
    return pl.max_horizontal(
        (pl.max_horizontal(content, budget) * breadth).fill_null(0.0),
        logprobs.fill_null(0.0),
        sweep.fill_null(0.0),
    )


def _coordination(members: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """Per group: member count, internal link count, link kinds and cohesion in [0, 1]."""
    in_group = edges.join(members.rename({"account_id": "a"}), on="a")
    kinds = (
        in_group.select("group", pl.col("kinds").str.split(",").alias("kind"))
        .explode("kind")
        .group_by("group", "kind")
        .agg(pl.len().alias("_n"))
        .sort("group", "_n", "kind", descending=[False, True, False])
        .group_by("group", maintain_order=True)
        .agg(pl.col("kind").alias("link_kinds"))
    )
    links = in_group.group_by("group").agg(
        pl.len().alias("links"), pl.col("weight").mean().alias("link_weight")
    )
    sizes = members.group_by("group").agg(pl.len().alias("n_accounts"))
    return (
        sizes.join(links, on="group", how="left")
        .join(kinds, on="group", how="left")
        .with_columns(
            pl.col("links").fill_null(0),
            # A chain of single links (a tree: n - 1 links) is the loosest group possible; cohesion grows with
            # the links per member up to four, or up to every pair linked in a group too small for that (a
            # complete group of n has n / 2 links per member): three accounts all linked to each other are as
            # cohesive as three accounts can be. Small groups already earn little through their size.
            _ramp_to(
                pl.col("links").fill_null(0) / (pl.col("n_accounts") - 1).clip(lower_bound=1),
                1.0,
                (pl.col("n_accounts").cast(pl.Float64) / 2.0).clip(MIN_FULL_COHESION, MAX_FULL_COHESION),
            )
            .clip(0.5, 1.0)
            .alias("cohesion"),
        )
    )


def _ramp_to(expr: pl.Expr, low: float, high: pl.Expr) -> pl.Expr:
    """``ramp`` with a per-row upper end."""
    return ((expr - low) / (high - low)).clip(0.0, 1.0)


def coordination_evidence(row: Mapping[str, Any]) -> Evidence:
    kinds = (
        ", ".join(str(k).replace("_", " ") for k in (row.get("link_kinds") or [])[:4]) or "shared indicators"
    )
    n = int(row["n_accounts"])
    gate = row.get(COORDINATION_GATE)
    counted = (
        f"; counted at {100 * float(gate):.0f}% for want of clear harvesting evidence"
        if gate is not None and float(gate) < 1.0
        else ""
    )
    counted_accounts = row.get(COUNTED_ACCOUNTS)
    if counted_accounts is not None and float(counted_accounts) < n - 0.5:
        working = float(row.get(WORKING_ACCOUNTS) or n)
        home = float(row.get(HOME_NETWORKS) or n)
        why = "working from the same networks" if home < working else "repeating their prompts"
        counted = f"; counted as {float(counted_accounts):.0f}, the others {why}" + counted
    return Evidence(
        signal=COORDINATION,
        value=float(n),
        detail=f"{n} accounts linked by {kinds} ({int(row.get('links') or 0):,} links){counted}",
    )


def shared_template_evidence(events: pl.DataFrame, members: Sequence[str]) -> Evidence | None:
    """ "38 accounts send 4 variants of one template" for the group's most used template cluster."""
    cluster = "template_cluster" if "template_cluster" in events.columns else "template_hash"
    top = (
        events.filter(pl.col("account_id").is_in(list(members)))
        .group_by(cluster)
        .agg(
            pl.len().alias("_n"),
            pl.col("account_id").n_unique().alias("_accounts"),
            pl.col("template_hash").n_unique().alias("_variants"),
        )
        .sort("_n", cluster, descending=[True, False])
        .head(1)
    )
    if top.height == 0 or top["_accounts"][0] < 2:
        return None
    return shared_template_detail(int(top["_accounts"][0]), int(top["_variants"][0]), int(top["_n"][0]))


def shared_template_detail(accounts: int, variants: int, requests: int) -> Evidence:
    """The shared-template evidence line: ``accounts`` send ``variants`` of one template cluster."""
    noun = "variant" if variants == 1 else "variants"
    return Evidence(
        signal="shared_template",
        value=float(accounts),
        detail=f"{accounts} accounts send {variants} {noun} of one template ({requests:,} requests)",
    )


def indicators(
    events: pl.DataFrame, members: Sequence[str], catalog: TemplateCatalogLike | None
) -> dict[str, Any]:
    """The campaign's local indicators (keys of ``distillguard.detect.types.INDICATOR_KEYS``)."""
    mine = events.filter(pl.col("account_id").is_in(list(members)))
    out: dict[str, Any] = {"templates": _templates(mine, catalog)}
    for key, column in (("system_hashes", "system_hash"), ("tools_hashes", "tools_hash")):
        out[key] = [int(v) for v in _top_values(mine, column)]
    out["ips"] = [str(v) for v in _top_values(mine, "ip")]
    prefixes = pl.DataFrame({"ip_prefix": prefix_column(mine)})
    out["ip_prefixes"] = [str(v) for v in _top_values(prefixes, "ip_prefix")]
    out["payment_fingerprints"] = [str(v) for v in _top_values(mine, "payment_fingerprint")]
    out["user_agents"] = [str(v) for v in _top_values(mine, "user_agent")]
    models = (
        mine.select("model", "ts")
        .drop_nulls("model")
        .group_by("model")
        .agg(pl.col("ts").min())
        .sort("ts", "model")
    )
    out["models"] = {str(m): _rfc3339(t) for m, t in models.iter_rows()}
    out["timing"] = _timing(mine)
    return out


def _top_values(frame: pl.DataFrame, column: str) -> list[Any]:
    # The one column first: dropping nulls on the whole frame would copy every column of the campaign.
    counts = frame.select(column).drop_nulls().group_by(column).agg(pl.len().alias("_n"))
    return counts.sort("_n", column, descending=[True, False]).head(MAX_INDICATORS)[column].to_list()


def _templates(frame: pl.DataFrame, catalog: TemplateCatalogLike | None) -> list[dict[str, Any]]:
    counts = (
        frame.select("template_hash")
        .drop_nulls()
        .group_by("template_hash")
        .agg(pl.len().alias("requests"))
        .sort("requests", "template_hash", descending=[True, False])
        .head(MAX_TEMPLATES)
    )
    out: list[dict[str, Any]] = []
    for template_hash, requests in counts.iter_rows():
        skeleton = ""
        if catalog is not None:
            try:
                skeleton = catalog.preview(int(template_hash))
            except KeyError:
                skeleton = ""
        out.append({"template_hash": int(template_hash), "skeleton": skeleton, "requests": int(requests)})
    return out


def _timing(frame: pl.DataFrame) -> dict[str, Any]:
    if frame.height == 0:
        return {"hour_histogram": [0.0] * 24, "median_interarrival_s": 0.0, "active_hours_per_day": 0.0}
    hours = frame.group_by(pl.col("ts").dt.hour().alias("h")).agg(pl.len().alias("n"))
    histogram = [0.0] * 24
    for hour, n in hours.iter_rows():
        histogram[int(hour)] = n / frame.height
    gaps = frame.select(pl.col("ts").sort().diff().dt.total_microseconds() / 1e6).drop_nulls()
    median_gap = float(gaps.to_series().median() or 0.0) if gaps.height else 0.0  # type: ignore[arg-type]
    epoch_h = pl.col("ts").dt.epoch("s") // 3600
    active = frame.select(epoch_h.n_unique().alias("hours"), (epoch_h // 24).n_unique().alias("days")).row(0)
    return {
        "hour_histogram": [round(v, 6) for v in histogram],
        "median_interarrival_s": round(median_gap, 3),
        "active_hours_per_day": round(active[0] / max(active[1], 1), 3),
    }


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
