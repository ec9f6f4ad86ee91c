"""``detect``: features -> signals -> account scores -> linked groups -> campaigns -> verdicts."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from distillguard._memory import trim_free_memory
from distillguard.detect._baseline import Baseline
from distillguard.detect._campaign import (
    COORDINATION_GATE,
    COUNTED_ACCOUNTS,
    GroupScores,
    TemplateCatalogLike,
    campaign_id,
    coordination_evidence,
    score_groups,
)
from distillguard.detect._clusters import SignedCatalog, signature_clusters
from distillguard.detect._describe import (
    PART,
    capabilities_by_part,
    indicators_by_part,
    shared_template_by_part,
)
from distillguard.detect._end_users import with_end_user_features
from distillguard.detect._lexical import CHECKPOINTS, lexical_table
from distillguard.detect._link import SHARED_COUNTS, link
from distillguard.detect._population import enrich
from distillguard.detect._score import Scored, evidence_by_account, score_all
from distillguard.detect.config import DetectConfig
from distillguard.detect.signals import SignalContext, build_signals
from distillguard.detect.types import AccountVerdict, Campaign, DetectionResult, Evidence
from distillguard.errors import SchemaMismatchError
from distillguard.features import (
    WORD_SAMPLE,
    AccountIndex,
    FeatureContext,
    account_features_with_counts,
    account_word_counts,
    sample_words,
)
from distillguard.features._index import ACCOUNT_KEY
from distillguard.features._network import prefix_column

# Accounts whose evidence total reaches this are candidates for the (costlier) lockstep comparison.
LOCKSTEP_MIN_TOTAL = 0.3
# Features compared with the active accounts' baseline (``min_requests`` or more), not the customer base's.
VOLUME_FEATURES = (
    "requests", "log_requests", "distinct_payloads", "log_distinct_payloads", "requests_per_hour",
)  # fmt: skip
# A capability is listed for a campaign when it covers at least this share of the campaign's requests.
CAPABILITY_SHARE = 0.1

# What campaign evidence and indicators read from the events (the rest is never copied per campaign).
_DESCRIBE_COLUMNS = (
    "account_id", "ts", "template_hash", "template_cluster", "system_hash", "tools_hash", "ip", "ip_prefix",
    "payment_fingerprint", "user_agent", "model", "capability",
)  # fmt: skip
_REQUIRED = ("ts", "account_id", "template_hash", "payload_hash", "payload_words")


def detect(
    events: pl.DataFrame,
    catalog: TemplateCatalogLike | None,
    config: DetectConfig,
    *,
    clusters: PendingClusters | None = None,
) -> DetectionResult:
    """Score every account in ``events`` (FINGERPRINT_SCHEMA), link them, and report campaigns.

    ``catalog`` (the fingerprint stage's ``TemplateCatalog``) groups near-duplicate templates and gives
    skeleton previews for campaign indicators; without it each template is its own group. Every account
    seen appears in ``accounts``; accounts and campaigns scoring at least ``config.threshold`` are flagged.
    ``clusters``: the catalog's template clusters already started (``PendingClusters.start`` with the same
    catalog and config, by a caller that had the catalog before the events); started here otherwise.
    """
    missing = [column for column in _REQUIRED if column not in events.columns]
    if missing:
        raise SchemaMismatchError("events lack FINGERPRINT_SCHEMA columns", missing=", ".join(missing))
    if events.height == 0:
        return DetectionResult((), (), config.threshold)
    if "template_cluster" not in events.columns and clusters is None:
        clusters = PendingClusters.start(catalog, config)
    # The template clusters (the catalog's last signatures, then banding: numpy, mostly outside the GIL)
    # run on their own thread while the steps that do not read them run here (polars, also outside the
    # GIL): the two CPUs overlap where detection was otherwise mostly on one. Same columns, same order.
    # Joined before the word sample, not after: with both at once (the clusters' ~100 MB of catalog table
    # and band keys beside the sample's ~170 MB) the scan's peak once came at that point, 80 MB above its
    # usual one in the account features.
    prefix = prefix_column(events).alias("ip_prefix")
    # Every stage below groups or joins the events by account: the accounts are numbered once.
    index = AccountIndex.of(events) if events["account_id"].null_count() == 0 else None
    events = _clusters_joined(events, clusters).with_columns(prefix)
    del prefix
    lexical, lexical_reference, words, sampled = _lexical_and_words(events, index)
    feature_context = FeatureContext.from_events(
        events, new_model_margin_hours=config.new_model_margin_hours, pivot_hours=config.pivot_hours
    )
    # The per-(account, value) counts linking needs are the features' own: counted once, handed over.
    features, key_counts = account_features_with_counts(
        events, feature_context, word_counts=words, count_keys=SHARED_COUNTS, index=index
    )
    table = enrich(with_end_user_features(features, events), config)
    table = table.join(lexical, on="account_id", how="left")
    span = events.select((pl.col("ts").max() - pl.col("ts").min()).dt.total_seconds()).item()
    ctx = SignalContext(population_baseline(table, config), config, window_hours=float(span or 0) / 3600)
    signals = build_signals(config.signals)
    accounts = score_all(table, signals, ctx)
    candidates = accounts.frame.filter(pl.col("total") >= LOCKSTEP_MIN_TOTAL)["account_id"]
    suspicion = accounts.frame.select(
        "account_id", (pl.col("total") / config.evidence_bias).alias("suspicion")
    )
    linking = link(events, table, suspicion, candidates, config, key_counts, index)
    del key_counts
    groups = score_groups(
        events,
        linking.groups,
        linking.edges,
        table,
        feature_context,
        signals,
        dataclasses.replace(ctx, reference_span=False),
        lexical_reference,
        index,
        sampled,
    )
    return _assemble(events, table, accounts, groups, catalog, config, index)


def _lexical_and_words(
    events: pl.DataFrame, index: AccountIndex | None = None
) -> tuple[pl.DataFrame, dict[int, float], pl.DataFrame | None, pl.Series | None]:
    """The lexical table and the word counts the features need, from one word sample: drawing it (a sort of
    every event, word lists gathered and exploded) is the costly part of both. The sample is dropped before
    the features are computed, so that it is not held while they are; what is kept of it is which events
    it took words from (a mask over the events: the groups' samples are drawn from those, see
    ``score_groups``)."""
    if CHECKPOINTS[-1] != WORD_SAMPLE:  # two sample sizes: nothing to share
        lexical, reference = lexical_table(events)
        return lexical, reference, None, None
    sample = sample_words(events, "account_id", WORD_SAMPLE, index)
    lexical, reference = lexical_table(events, None, sample)
    sampled = None
    if sample.rows is not None:
        mask = np.zeros(events.height, dtype=bool)
        mask[sample.rows.to_numpy()] = True
        sampled = pl.Series("_sampled", mask)
    return lexical, reference, account_word_counts(sample), sampled


def population_baseline(table: pl.DataFrame, config: DetectConfig) -> Baseline:
    """The baseline signals compare accounts with, from the (enriched) account feature table.

    Behaviour is judged against the whole customer base (``baseline_min_requests``); volume against the
    accounts active enough to be scored without damping (``min_requests``), because against mostly light
    users every business integration would be "heavy".
    """
    customers = Baseline.of(table, config.baseline_min_requests)
    return customers.overlay(Baseline.of(table, config.min_requests), VOLUME_FEATURES)


class PendingClusters:
    """The catalog's template clusters (``template_hash`` -> ``template_cluster``), computed on a thread of
    their own from ``start`` on: they depend on the catalog alone, which is complete before the events'
    frame is assembled and before most of detection, whose first steps do not read them."""

    def __init__(self, future: Future[pl.DataFrame | None] | None) -> None:
        self._future = future

    @classmethod
    def start(cls, catalog: TemplateCatalogLike | None, config: DetectConfig) -> PendingClusters:
        """Start computing the clusters of ``catalog``, which must not change any more (None: no clusters).

        The thread reads the catalog (and signs the templates still unsigned) while the caller goes on.
        """
        if catalog is None:
            return cls(None)
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="template-clusters")
        try:
            return cls(executor.submit(template_clusters, catalog, config))
        finally:
            executor.shutdown(wait=False)  # the thread ends once its one task is done

    def result(self) -> pl.DataFrame | None:
        """The cluster table (waits for it; re-raises what the thread raised), None without a catalog."""
        return None if self._future is None else self._future.result()


def template_clusters(catalog: TemplateCatalogLike, config: DetectConfig) -> pl.DataFrame:
    """(``template_hash``, ``template_cluster``): each catalogued template's near-duplicate group."""
    if isinstance(catalog, SignedCatalog):
        # Columnar banding over the catalog's signatures: seconds instead of minutes on large catalogs.
        return signature_clusters(catalog, config.cluster_threshold)
    mapping = catalog.clusters(config.cluster_threshold)
    return pl.DataFrame(
        {"template_hash": list(mapping), "template_cluster": list(mapping.values())},
        schema={"template_hash": pl.UInt64, "template_cluster": pl.UInt64},
    )


def _clusters_joined(events: pl.DataFrame, clusters: PendingClusters | None) -> pl.DataFrame:
    """Add ``template_cluster`` (near-duplicate template group) from the clusters, if there are any."""
    if clusters is None or "template_cluster" in events.columns:
        return events
    table = clusters.result()
    # What the thread freed (its own allocator arenas) goes back to the system before the features, the
    # peak of detection, allocate theirs.
    trim_free_memory()
    if table is None or table.height == 0:
        return events
    cluster = events.select("template_hash").join(
        table, on="template_hash", how="left", maintain_order="left"
    )
    return events.with_columns(cluster["template_cluster"].fill_null(events["template_hash"]))


@dataclass(frozen=True)
class _CampaignDraft:
    members: tuple[str, ...]
    score: float
    evidence: tuple[Evidence, ...]


def _assemble(
    events: pl.DataFrame,
    table: pl.DataFrame,
    accounts: Scored,
    groups: GroupScores | None,
    catalog: TemplateCatalogLike | None,
    config: DetectConfig,
    index: AccountIndex | None = None,
) -> DetectionResult:
    own = dict(zip(accounts.frame["account_id"].to_list(), accounts.frame["score"].to_list(), strict=True))
    flagged = _flagged_groups(groups, config)
    grouped = _group_members(groups, flagged)
    in_group = set(grouped["account_id"].to_list())
    flagged_alone = sorted(a for a, s in own.items() if s >= config.threshold and a not in in_group)
    # Every campaign's events in one frame: a flagged group's members under the group, an account flagged
    # alone under itself (a group's id is one of its members, none of whom is flagged alone).
    # Parts are numbered (group-bys on an integer, not on the id strings): ``labels[code]`` names each.
    alone = pl.DataFrame({"account_id": flagged_alone, PART: flagged_alone}, schema=grouped.schema)
    labels = [*(str(group) for group in flagged["account_id"]), *flagged_alone]
    code = {label: number for number, label in enumerate(labels)}
    membership = pl.concat([grouped, alone]).with_columns(
        pl.col(PART).replace_strict(code, return_dtype=pl.UInt32)
    )
    labelled = _campaign_events(events, membership, index)
    shared = {labels[number]: line for number, line in shared_template_by_part(labelled).items()}
    drafts = _group_drafts(groups, flagged, shared, config)
    in_campaign = {member: draft for draft in drafts for member in draft.members}
    # Evidence for every account where any signal fired, flagged or not: a reviewer sees why an account
    # was (or was not) flagged, and what a heavy legitimate customer looks like to the detector.
    fired = pl.any_horizontal(
        [pl.col(c) >= config.fire_level for c in accounts.frame.columns if c.startswith("s_")]
    )
    noticed = accounts.frame.filter(fired)["account_id"].to_list() if accounts.frame.width > 1 else []
    evidence = evidence_by_account(accounts, table, [*noticed, *flagged_alone, *in_campaign], config)
    parts = {draft.members: group for group, draft in zip(flagged["account_id"], drafts, strict=True)}
    for account in flagged_alone:
        draft = _CampaignDraft((account,), float(own[account]), evidence.get(account, ()))
        drafts.append(draft)
        in_campaign[account] = draft
        parts[draft.members] = account
    ids = {draft.members: campaign_id(draft.members) for draft in drafts}
    verdicts = _verdicts(table, own, in_campaign, ids, evidence, config)
    numbers = {members: code[label] for members, label in parts.items()}
    campaigns = _campaigns(table, drafts, ids, numbers, membership, labelled, catalog)
    return DetectionResult(verdicts, campaigns, config.threshold)


def _flagged_groups(groups: GroupScores | None, config: DetectConfig) -> pl.DataFrame:
    """The scored rows of the groups scoring at least the threshold (none without groups)."""
    if groups is None:
        return pl.DataFrame(schema={"account_id": pl.String})
    return groups.scored.frame.filter(pl.col("score") >= config.threshold)


def _group_members(groups: GroupScores | None, flagged: pl.DataFrame) -> pl.DataFrame:
    """(``account_id``, ``_part``): the members of the flagged groups, ``_part`` their group."""
    if groups is None or flagged.height == 0:
        return pl.DataFrame(schema={"account_id": pl.String, PART: pl.String})
    members = groups.members.rename({"group": PART})
    return members.filter(pl.col(PART).is_in(flagged["account_id"].implode())).select(
        pl.col("account_id").cast(pl.String), pl.col(PART).cast(pl.String)
    )


def _group_drafts(
    groups: GroupScores | None,
    flagged: pl.DataFrame,
    shared: Mapping[str, Evidence],
    config: DetectConfig,
) -> list[_CampaignDraft]:
    """One draft per flagged group, in the order of ``flagged``; ``shared``: the shared-template evidence
    of the groups that have one."""
    if groups is None or flagged.height == 0:
        return []
    evidence = evidence_by_account(groups.scored, groups.features, flagged["account_id"], config)
    facts = groups.features.filter(pl.col("account_id").is_in(flagged["account_id"].implode()))
    members = groups.members.group_by("group").agg(pl.col("account_id").sort())
    member_map = dict(members.iter_rows())
    drafts = {}
    for row in facts.join(
        flagged.select("account_id", "score", COORDINATION_GATE, COUNTED_ACCOUNTS),
        on="account_id",
    ).iter_rows(named=True):
        group = str(row["account_id"])
        names = tuple(str(m) for m in member_map[group])
        extra = [coordination_evidence(row)]
        if group in shared:
            extra.append(shared[group])
        drafts[group] = _CampaignDraft(names, float(row["score"]), (*extra, *evidence.get(group, ())))
    return [drafts[str(group)] for group in flagged["account_id"]]


def _verdicts(
    table: pl.DataFrame,
    own: Mapping[str, float],
    in_campaign: Mapping[str, _CampaignDraft],
    ids: Mapping[tuple[str, ...], str],
    evidence: Mapping[str, tuple[Evidence, ...]],
    config: DetectConfig,
) -> tuple[AccountVerdict, ...]:
    out = []
    for account_id, requests, first, last in table.select(
        "account_id", "requests", "first_seen", "last_seen"
    ).iter_rows():
        draft = in_campaign.get(account_id)
        score = float(own[account_id])
        items = evidence.get(account_id, ())
        cid = None
        if draft is not None:
            cid = ids[draft.members]
            if len(draft.members) > 1:
                score = max(score, draft.score)
                note = Evidence(
                    "campaign",
                    round(draft.score, 4),
                    f"member of campaign {cid} ({len(draft.members)} accounts)",
                )
                items = (note, *items)
        out.append(
            AccountVerdict(
                account_id=account_id,
                score=round(score, 6),
                flagged=score >= config.threshold,
                campaign_id=cid,
                requests=int(requests),
                first_seen=first,
                last_seen=last,
                evidence=items,
            )
        )
    return tuple(out)


def _campaigns(
    table: pl.DataFrame,
    drafts: Sequence[_CampaignDraft],
    ids: Mapping[tuple[str, ...], str],
    parts: Mapping[tuple[str, ...], int],
    membership: pl.DataFrame,
    labelled: pl.DataFrame,
    catalog: TemplateCatalogLike | None,
) -> tuple[Campaign, ...]:
    """The campaigns of ``drafts``: ``parts`` numbers each draft's part in ``membership`` (account_id,
    ``_part``) and in ``labelled`` (the campaigns' events, each with its part)."""
    described = indicators_by_part(labelled, parts.values(), catalog)
    capabilities = capabilities_by_part(labelled, CAPABILITY_SHARE)
    spans = {
        part: (first, last, int(requests))
        for part, first, last, requests in table.join(membership, on="account_id")
        .group_by(PART)
        .agg(pl.col("first_seen").min(), pl.col("last_seen").max(), pl.col("requests").sum())
        .iter_rows()
    }
    out = []
    for draft in drafts:
        part = parts[draft.members]
        first, last, requests = spans[part]
        assert isinstance(first, datetime) and isinstance(last, datetime)
        out.append(
            Campaign(
                campaign_id=ids[draft.members],
                score=round(draft.score, 6),
                accounts=draft.members,
                first_seen=first,
                last_seen=last,
                requests=requests,
                capabilities=capabilities.get(part, ()),
                evidence=draft.evidence,
                indicators=described[part],
            )
        )
    out.sort(key=lambda c: (-c.score, c.campaign_id))
    return tuple(out)


def _campaign_events(
    events: pl.DataFrame, membership: pl.DataFrame, index: AccountIndex | None = None
) -> pl.DataFrame:
    """The events of the accounts in ``membership`` (account_id, ``_part``) with their part, in one join
    (on the accounts' numbers if ``index``, the events' ``AccountIndex``, is given); only the columns
    descriptions read."""
    columns = [c for c in _DESCRIBE_COLUMNS if c in events.columns]
    if index is not None and index.fits(events):
        numbered = membership.join(index.names, on="account_id").select(ACCOUNT_KEY, PART)
        joined = events.select(columns).with_columns(index.key).join(numbered, on=ACCOUNT_KEY)
        return joined.drop(ACCOUNT_KEY)
    return events.select(columns).join(membership, on="account_id")


def explain(result: DetectionResult) -> dict[str, Any]:
    """A compact summary of a result (counts), for logs and the CLI."""
    return {
        "accounts": len(result.accounts),
        "flagged": sum(a.flagged for a in result.accounts),
        "campaigns": len(result.campaigns),
        "threshold": result.threshold,
    }
