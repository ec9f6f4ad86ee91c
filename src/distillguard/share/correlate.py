"""Match peers' campaign indicators against local traffic, as ``peer_indicator`` evidence.

``correlate(events, peer_bundle, key, config)`` takes fingerprinted events (``FINGERPRINT_SCHEMA``
columns; ``account_id`` and ``ts`` required, ``ip``, ``user_agent``, ``payment_fingerprint``,
``template_hash``, ``system_hash``, ``tools_hash``, ``model`` used when present) and a bundle from
``share pull``. It hashes local values under each indicator's epoch key and compares:

* template fingerprints: keyed MinHash of each local template skeleton vs the peer's signature
  (estimated Jaccard ≥ ``template_similarity``), counted for an account only when at least
  ``min_template_matches`` of its distinct templates match as many of the campaign's; system prompt /
  tool set keyed hashes by equality;
* keyed network hashes: the /24 (/48) of each local IP, and User-Agents, by equality;
* keyed payment hashes by equality;
* timing signatures: an account's hour-of-day profile (cosine ≥ ``timing_similarity``, at least
  ``timing_min_requests`` requests) and, when both sides have it, a median request gap within a factor 2;
* model-release pivots: an already active account moving most of its traffic to a model released
  during the local window, as long after the local release as the peer campaign did after its own
  (``release_lag_hours``; within ``pivot_window_hours``): providers name their models differently.

Only indicators from ``trusted_peers`` count (others are rejected and counted), indicators past
``valid_until`` or hashed in an epoch older than ``accepted_epochs`` are ignored, and values under
another consortium key are skipped. ``CorrelationResult.evidence`` is what the peers claim about each
matched account (trust x confidence x kind weight); ``apply_peer_evidence`` folds the matches into a
DetectionResult with their local specificity, as one more line of evidence for accounts that already
have evidence of their own (see ``share._corroborate`` and docs/sharing.md); alone, a peer's signal
never flags an account unless ``peer_alone_flags`` is set.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import polars as pl
from stix2patterns.pattern import Pattern  # type: ignore[import-untyped]

from distillguard.detect.config import DetectConfig
from distillguard.detect.types import AccountVerdict, DetectionResult, Evidence
from distillguard.errors import ShareError
from distillguard.hub._timestamps import parse_timestamp
from distillguard.hub.members import member_identity_id
from distillguard.share import stix_types as st
from distillguard.share._corroborate import SIGNAL as PEER_SIGNAL
from distillguard.share._corroborate import corroborations, evidence_total, score_of_total
from distillguard.share.export import hour_profile, widen
from distillguard.share.keys import ConsortiumKey
from distillguard.share.minhash import decode_signature, template_signatures

SIGNAL = PEER_SIGNAL


class SkeletonSource(Protocol):
    """What correlation needs of the fingerprint stage's template catalog."""

    def preview(self, template_hash: int) -> str: ...


Skeletons = Mapping[int, str] | SkeletonSource


@dataclass(frozen=True, slots=True)
class CorrelationConfig:
    """Which peers count and how much, and how close a local value must be to a peer's."""

    # Member name -> trust weight in [0, 1] (multiplies the peer's own confidence). Others are rejected.
    trusted_peers: Mapping[str, float]
    template_similarity: float = 0.7
    # A peer campaign's template fingerprints count for an account only when at least this many distinct
    # local templates of the account match at least this many distinct template fingerprints of the
    # campaign: one generic template ("why does this code fail? <code>", in a few local phrasings) is
    # shared by many honest developers; a campaign's slice reuses several of its templates.
    min_template_matches: int = 3
    timing_similarity: float = 0.97
    timing_min_requests: int = 50
    # Model-release pivots: an account that was already active and moved at least ``pivot_min_share`` of
    # its next ``pivot_min_requests`` or more requests to a model released during the window, within
    # ``pivot_window_hours`` of the delay (release -> first use) the peer campaign showed on the peer's
    # platform. Models are compared by their release time at each provider, not by name: providers name
    # their models differently. The window is wide because a campaign's accounts switch as they come
    # online (the peer reports its first account's switch).
    pivot_window_hours: float = 6.0
    pivot_min_share: float = 0.5
    pivot_min_requests: int = 20
    # A model first seen more than this long after the window opened counts as released during it
    # (the detection engine's ``new_model_margin_hours``).
    release_margin_hours: float = 6.0
    # Indicators hashed more than this many epochs before the current one are ignored.
    accepted_epochs: int = 1
    # A peer's evidence alone may flag an account (off by default: intelligence, not enforcement). When
    # set, an account is also flagged when its corroboration strength alone reaches the threshold.
    peer_alone_flags: bool = False
    # The evidence total (the detection engine's weighted sum of signal scores; 1.6 flags by default) an
    # account needs of its own before a peer's evidence counts for it; also what "evidence of its own"
    # means when measuring how specific an indicator is locally (see ``share._corroborate``).
    corroboration_min_total: float = 0.5
    # What a fully trusted, fully confident, perfectly specific peer match adds to the evidence total.
    # Below the engine's bias (1.6), so it cannot flag an account on its own even without the floor.
    peer_weight: float = 1.5

    def __post_init__(self) -> None:
        for name, weight in self.trusted_peers.items():
            if not 0.0 <= float(weight) <= 1.0:
                raise ShareError(f"trust weight of peer {name!r} must be between 0 and 1, got {weight}")
        if self.peer_weight < 0 or self.corroboration_min_total < 0:
            raise ShareError("peer_weight and corroboration_min_total must not be negative")
        if not 0.0 < self.pivot_min_share <= 1.0:
            raise ShareError(f"pivot_min_share must be in (0, 1], got {self.pivot_min_share}")


DEFAULT_TRUST = 0.5


def parse_trusted_peers(items: Iterable[str]) -> dict[str, float]:
    """``["provider-a=0.8", "provider-b"]`` -> ``{"provider-a": 0.8, "provider-b": 0.5}`` (``--trust``)."""
    peers: dict[str, float] = {}
    for item in items:
        name, sep, weight = item.partition("=")
        name = name.strip()
        if not name:
            raise ShareError(f"a trusted peer needs a member name: {item!r}")
        try:
            peers[name] = float(weight) if sep else DEFAULT_TRUST
        except ValueError as exc:
            raise ShareError(
                f"trust weight of {name!r} must be a number between 0 and 1, got {weight!r}"
            ) from exc
    return peers


@dataclass(frozen=True, slots=True)
class PeerIndicator:
    id: str
    peer: str
    campaign_id: str
    campaign_name: str
    type: str
    value: str
    confidence: float  # the peer's confidence (0..1) times the trust weight
    epoch: int | None
    observable: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PeerMatch:
    """One local account matched one peer indicator. Names a local account: stays in the local report."""

    account_id: str
    peer: str
    indicator_id: str
    campaign_id: str
    campaign_name: str
    kind: str
    confidence: float
    first_seen: str
    last_seen: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "peer": self.peer,
            "indicator_id": self.indicator_id,
            "campaign_id": self.campaign_id,
            "campaign_name": self.campaign_name,
            "kind": self.kind,
            "confidence": round(self.confidence, 4),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class CorrelationResult:
    matches: tuple[PeerMatch, ...]
    evidence: Mapping[str, tuple[Evidence, ...]]
    indicators_used: int
    rejected: Mapping[str, int]

    def to_report_dict(self) -> dict[str, Any]:
        """What the scan report adds: ``peer_matches`` (for ``share sight``) and a summary."""
        return {
            "peer_matches": [m.to_dict() for m in self.matches],
            "peer_summary": {
                "indicators_used": self.indicators_used,
                "rejected": dict(self.rejected),
                "accounts_matched": len(self.evidence),
            },
        }


# -- reading the peer bundle -----------------------------------------------------------------------
def load_peer_indicators(
    bundle: Mapping[str, Any], key: ConsortiumKey, config: CorrelationConfig, now: datetime
) -> tuple[list[PeerIndicator], dict[str, int]]:
    """The usable indicators of ``bundle`` and a count of the others by reason."""
    objects = bundle.get("objects")
    if bundle.get("type") != "bundle" or not isinstance(objects, list):
        raise ShareError("the peer file is not a STIX bundle: write it with `distillguard share pull`")
    peers = {member_identity_id(name): (name, float(w)) for name, w in config.trusted_peers.items()}
    objects = [o for o in objects if isinstance(o, dict)]
    campaigns = {str(o.get("id")): o for o in objects if o.get("type") == "campaign"}
    observables = {(o["type"], o.get("value")): o for o in objects if o.get("type") in st.CUSTOM_TYPES}
    indicates = {
        str(o.get("source_ref")): str(o.get("target_ref"))
        for o in objects
        if o.get("type") == "relationship" and o.get("relationship_type") == "indicates"
    }
    rejected: dict[str, int] = {}
    usable: list[PeerIndicator] = []
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("type") != "indicator":
            continue
        try:
            outcome = _read_indicator(obj, peers, campaigns, observables, indicates, key, config, now)
        except (ValueError, TypeError, KeyError, AttributeError):
            outcome = "malformed indicator"
        if isinstance(outcome, str):
            rejected[outcome] = rejected.get(outcome, 0) + 1
        else:
            usable.append(outcome)
    return usable, rejected


def _read_indicator(
    obj: Mapping[str, Any],
    peers: Mapping[str, tuple[str, float]],
    campaigns: Mapping[str, Mapping[str, Any]],
    observables: Mapping[tuple[str, Any], Mapping[str, Any]],
    indicates: Mapping[str, str],
    key: ConsortiumKey,
    config: CorrelationConfig,
    now: datetime,
) -> PeerIndicator | str:
    """The usable indicator, or the reason it is not used."""
    creator = obj.get("created_by_ref")
    if not isinstance(creator, str) or creator not in peers:
        return "not from a trusted member"
    name, weight = peers[creator]
    if "valid_until" in obj and parse_timestamp(str(obj["valid_until"])) <= now:
        return "expired"
    parsed = _pattern_value(str(obj.get("pattern", "")))
    if parsed is None:
        return "not a distillguard pattern"
    observable = observables.get(parsed, {})
    epoch = observable.get("epoch")
    if "key_id" in observable and observable["key_id"] != key.key_id:
        return "hashed under another consortium key"
    if epoch is not None and int(epoch) < key.epoch_of(now) - config.accepted_epochs:
        return "from an expired key epoch"
    campaign_id = indicates.get(str(obj["id"]), "")
    campaign = campaigns.get(campaign_id, {})
    if campaign and campaign.get("created_by_ref") != creator:
        return "indicates another member's campaign"
    confidence = float(obj.get("confidence", campaign.get("confidence", 50)))
    return PeerIndicator(
        id=str(obj["id"]),
        peer=name,
        campaign_id=campaign_id,
        campaign_name=str(campaign.get("name", "an unnamed campaign")),
        type=parsed[0],
        value=parsed[1],
        confidence=weight * max(0.0, min(confidence, 100.0)) / 100.0,
        epoch=None if epoch is None else int(epoch),
        observable=observable,
    )


_OWN_PATTERN = re.compile(r"^\[(x-distillguard-[a-z-]+):value = '([0-9a-f]+)'\]$")


def _pattern_value(pattern: str) -> tuple[str, str] | None:
    """(type, value) of a ``[x-distillguard-...:value = '...']`` pattern.

    The exact form ``share export`` writes is read directly; anything else goes through the full
    stix2-patterns parser (about 10 ms a pattern), which accepts every equivalent spelling.
    """
    own = _OWN_PATTERN.match(pattern)
    if own is not None and own.group(1) in st.CUSTOM_TYPES:
        return own.group(1), own.group(2)
    try:
        comparisons = Pattern(pattern).inspect().comparisons
    except Exception:  # stix2patterns raises its own parse errors; any of them means "not ours"
        return None
    for type_name, tests in comparisons.items():
        if type_name not in st.CUSTOM_TYPES:
            continue
        for path, operator, value in tests:
            if path == ["value"] and operator == "=" and isinstance(value, str):
                return type_name, value.strip("'")
    return None


# -- local values ----------------------------------------------------------------------------------
class _LocalHashes:
    """Local values hashed under the epoch keys the indicators need (each value hashed once per epoch)."""

    def __init__(self, events: pl.DataFrame, key: ConsortiumKey, skeletons: Skeletons) -> None:
        self.events = events
        self.key = key
        self.skeletons = skeletons
        self._cache: dict[tuple[str, int], dict[str, list[str]]] = {}
        self._template_cache: dict[int, tuple[list[int], np.ndarray]] = {}

    def accounts_by_hash(self, kind: str, epoch: int) -> dict[str, list[str]]:
        """keyed hash -> accounts, for kind in ip-prefix, user-agent, payment, system, tools."""
        cached = self._cache.get((kind, epoch))
        if cached is not None:
            return cached
        column = {
            "ip-prefix": "ip",
            "user-agent": "user_agent",
            "payment": "payment_fingerprint",
            "system": "system_hash",
            "tools": "tools_hash",
        }[kind]
        result: dict[str, list[str]] = {}
        if column in self.events.columns:
            pairs = self.events.select("account_id", column).drop_nulls().unique()
            values = pairs.get_column(column).unique().to_list()
            hashed = {v: self._hash(kind, v, epoch) for v in values}
            for account, value in pairs.iter_rows():
                digest = hashed.get(value)
                if digest is not None:
                    result.setdefault(digest, []).append(account)
        self._cache[(kind, epoch)] = result
        return result

    def _hash(self, kind: str, value: Any, epoch: int) -> str | None:
        if kind == "ip-prefix":
            try:
                network = widen(ipaddress.ip_address(str(value)))
            except ValueError:
                return None
            return self.key.keyed_hash("ip-prefix", network.with_prefixlen, epoch)
        if kind in ("system", "tools"):
            return self.key.keyed_hash(f"{kind}-hash", str(int(value)), epoch)
        return self.key.keyed_hash(kind, str(value), epoch)

    def template_signatures(self, epoch: int) -> tuple[list[int], np.ndarray]:
        """(template hashes, their keyed MinHash signatures as a T x num_perm matrix) in ``epoch``."""
        cached = self._template_cache.get(epoch)
        if cached is not None:
            return cached
        hashes: list[int] = []
        texts: list[str] = []
        if "template_hash" in self.events.columns:
            present = sorted(self.events.get_column("template_hash").drop_nulls().unique().to_list())
            for template_hash in present:
                skeleton = _skeleton(self.skeletons, int(template_hash))
                if skeleton and skeleton.strip():  # an empty skeleton would "match" every empty one
                    hashes.append(int(template_hash))
                    texts.append(skeleton)
        matrix = template_signatures(texts, self.key, epoch)
        self._template_cache[epoch] = (hashes, matrix)
        return hashes, matrix


def _skeleton(skeletons: Skeletons, template_hash: int) -> str | None:
    if isinstance(skeletons, Mapping):
        value = skeletons.get(template_hash)
        return None if value is None else str(value)
    try:
        return str(skeletons.preview(template_hash))
    except KeyError:
        return None


# -- matching --------------------------------------------------------------------------------------
def correlate(
    events: pl.DataFrame,
    peer_bundle: Mapping[str, Any],
    key: ConsortiumKey,
    config: CorrelationConfig,
    *,
    skeletons: Skeletons | None = None,
    now: datetime | None = None,
) -> CorrelationResult:
    """Match local accounts against the trusted peers' indicators (see the module docstring).

    ``skeletons`` gives the masked skeleton text of local ``template_hash`` values: the fingerprint
    stage's ``TemplateCatalog`` itself (its ``preview``), or a plain mapping; without it templates are
    not compared.
    """
    if "account_id" not in events.columns or "ts" not in events.columns:
        raise ShareError("correlation needs fingerprinted events with account_id and ts columns")
    when = (now or datetime.now(UTC)).astimezone(UTC)
    indicators, rejected = load_peer_indicators(peer_bundle, key, config, when)
    local = _LocalHashes(events, key, skeletons or {})
    activity = _account_activity(events)
    matches: list[PeerMatch] = []
    template_refs: dict[tuple[str, str], set[int]] = {}
    template_indicators: dict[tuple[str, str], set[str]] = {}
    releases = _local_releases(events, config)
    for indicator in indicators:
        for account, detail, template, kind in _match(indicator, local, events, releases, config):
            if template is not None:
                template_refs.setdefault((account, indicator.campaign_id), set()).add(template)
                template_indicators.setdefault((account, indicator.campaign_id), set()).add(indicator.id)
            first, last = activity.get(account, ("", ""))
            matches.append(
                PeerMatch(
                    account_id=account,
                    peer=indicator.peer,
                    indicator_id=indicator.id,
                    campaign_id=indicator.campaign_id,
                    campaign_name=indicator.campaign_name,
                    kind=kind or _kind(indicator),
                    confidence=indicator.confidence,
                    first_seen=first,
                    last_seen=last,
                    detail=detail,
                )
            )
    # Several of the campaign's templates, through several of the account's own: near-duplicate local
    # phrasings of one common template count once.
    enough = {
        pair
        for pair, templates in template_refs.items()
        if min(len(templates), len(template_indicators[pair])) >= config.min_template_matches
    }
    matches = [m for m in matches if m.kind != "template" or (m.account_id, m.campaign_id) in enough]
    matches.sort(key=lambda m: (m.account_id, m.peer, m.indicator_id))
    return CorrelationResult(
        matches=tuple(matches),
        evidence=_evidence(matches),
        indicators_used=len(indicators),
        rejected=rejected,
    )


def _kind(indicator: PeerIndicator) -> str:
    if indicator.type == st.TEMPLATE_FINGERPRINT:
        return {"user": "template", "system": "system prompt", "tools": "tool set"}.get(
            str(indicator.observable.get("part")), "template"
        )
    if indicator.type == st.NETWORK_HASH:
        return "user agent" if indicator.observable.get("kind") == "user-agent" else "ip prefix"
    return {st.PAYMENT_HASH: "payment", st.TIMING_SIGNATURE: "timing"}.get(indicator.type, indicator.type)


def _match(
    indicator: PeerIndicator,
    local: _LocalHashes,
    events: pl.DataFrame,
    releases: Mapping[str, datetime],
    config: CorrelationConfig,
) -> Iterable[tuple[str, str, int | None, str | None]]:
    """(account, detail, matched local template or None, kind or None for the indicator's) per match."""
    epoch = indicator.epoch
    if indicator.type == st.TIMING_SIGNATURE:
        yield from _match_timing(indicator, events, releases, config)
        return
    if epoch is None:
        return
    if indicator.type == st.NETWORK_HASH:
        kind = "user-agent" if indicator.observable.get("kind") == "user-agent" else "ip-prefix"
        for account in local.accounts_by_hash(kind, epoch).get(indicator.value, []):
            yield account, f"keyed {kind} equal", None, None
    elif indicator.type == st.PAYMENT_HASH:
        for account in local.accounts_by_hash("payment", epoch).get(indicator.value, []):
            yield account, "keyed payment hash equal", None, None
    elif indicator.type == st.TEMPLATE_FINGERPRINT:
        if indicator.observable.get("method") == "keyed-hash":
            part = "tools" if indicator.observable.get("part") == "tools" else "system"
            for account in local.accounts_by_hash(part, epoch).get(indicator.value, []):
                yield account, f"keyed {part} hash equal", None, None
        else:
            for account, detail, template in _match_template(indicator, local, events, epoch, config):
                yield account, detail, template, None


def _match_template(
    indicator: PeerIndicator, local: _LocalHashes, events: pl.DataFrame, epoch: int, config: CorrelationConfig
) -> Iterable[tuple[str, str, int | None]]:
    hashes, matrix = local.template_signatures(epoch)
    if not hashes:
        return
    try:
        peer = decode_signature(indicator.value)
    except Exception:
        return
    if matrix.shape[1] != peer.shape[0]:
        return
    similarity = (matrix == peer[None, :]).mean(axis=1)
    close = {
        hashes[i]: float(similarity[i]) for i in np.flatnonzero(similarity >= config.template_similarity)
    }
    if not close:
        return
    users = (
        events.filter(pl.col("template_hash").is_in(list(close)))
        .select("account_id", "template_hash")
        .unique()
    )
    for account, template in users.iter_rows():
        yield account, f"template similarity {close[template]:.2f}", int(template)


def _match_timing(
    indicator: PeerIndicator,
    events: pl.DataFrame,
    releases: Mapping[str, datetime],
    config: CorrelationConfig,
) -> Iterable[tuple[str, str, int | None, str | None]]:
    observable = indicator.observable
    profile = observable.get("hour_profile")
    if isinstance(profile, list) and len(profile) == 24:
        for account, detail in _match_hours(np.asarray(profile, dtype=float), observable, events, config):
            yield account, detail, None, "timing"
    for pivot in observable.get("model_first_use") or []:
        if isinstance(pivot, Mapping):
            for account, detail in _match_pivot(pivot, events, releases, config):
                yield account, detail, None, "model pivot"


def _match_hours(
    peer: np.ndarray, observable: Mapping[str, Any], events: pl.DataFrame, config: CorrelationConfig
) -> Iterable[tuple[str, str]]:
    counts = (
        events.select("account_id", pl.col("ts").dt.hour().alias("hour"))
        .group_by("account_id", "hour")
        .len()
        .pivot(on="hour", index="account_id", values="len")
        .fill_null(0)
    )
    hour_columns = [str(h) for h in range(24)]
    for column in hour_columns:
        if column not in counts.columns:
            counts = counts.with_columns(pl.lit(0, dtype=pl.UInt32).alias(column))
    matrix = counts.select(hour_columns).to_numpy().astype(float)
    totals = matrix.sum(axis=1)
    enough = totals >= config.timing_min_requests
    if not enough.any():
        return
    shares = np.vstack([hour_profile(row) for row in matrix[enough]]).astype(float)
    norms = np.linalg.norm(shares, axis=1) * (np.linalg.norm(peer) or 1.0)
    cosine = (shares @ peer) / np.where(norms == 0, 1.0, norms)
    accounts = counts.get_column("account_id").to_numpy()[enough]
    gaps = _median_gaps(events) if observable.get("median_interarrival_s") else {}
    peer_gap = float(observable.get("median_interarrival_s") or 0.0)
    for account, score in zip(accounts, cosine, strict=True):
        if score < config.timing_similarity:
            continue
        if peer_gap > 0:
            gap = gaps.get(account)
            if gap is None or gap <= 0 or not 0.5 <= gap / peer_gap <= 2.0:
                continue
        yield str(account), f"hour profile cosine {score:.3f}"


def _median_gaps(events: pl.DataFrame) -> dict[str, float]:
    gaps = (
        events.select("account_id", "ts")
        .sort("account_id", "ts")
        .with_columns(pl.col("ts").diff().over("account_id").dt.total_milliseconds().alias("gap_ms"))
        .group_by("account_id")
        .agg(pl.col("gap_ms").median())
    )
    return {a: float(g) / 1000.0 for a, g in gaps.iter_rows() if g is not None}


def _local_releases(events: pl.DataFrame, config: CorrelationConfig) -> dict[str, datetime]:
    """Models released during the local window, with their first request here."""
    if "model" not in events.columns or events.height == 0:
        return {}
    start = events.get_column("ts").min()
    firsts = events.drop_nulls("model").group_by("model").agg(pl.col("ts").min().alias("first"))
    margin = timedelta(hours=config.release_margin_hours)
    return {
        str(model): first
        for model, first in firsts.iter_rows()
        if isinstance(first, datetime) and isinstance(start, datetime) and first - start > margin
    }


def _match_pivot(
    pivot: Mapping[str, Any],
    events: pl.DataFrame,
    releases: Mapping[str, datetime],
    config: CorrelationConfig,
) -> Iterable[tuple[str, str]]:
    """Accounts that moved to a newly released model the way the peer campaign did.

    With ``release_lag_hours`` (how long after the model's release on the peer's platform the campaign
    first used it), every model released during the local window is tried, by its local release time:
    providers name their models differently, but "switched within hours of a release" is the same habit.
    Without it (older bundles) only a local model of the same name is compared, by absolute time.
    """
    if "model" not in events.columns:
        return
    lag = pivot.get("release_lag_hours")
    if isinstance(lag, int | float) and not isinstance(lag, bool):
        for model, release in sorted(releases.items()):
            for account, local_lag, share in _switches(events, model, release, config):
                if abs(local_lag - float(lag)) <= config.pivot_window_hours:
                    yield (
                        account,
                        (
                            f"moved {share:.0%} of its traffic to {model} {local_lag:.1f} h after its "
                            f"release here (the peer campaign: {float(lag):.1f} h on its own platform)"
                        ),
                    )
        return
    name, first_seen = pivot.get("model"), pivot.get("first_seen")
    if not name or not first_seen:
        return
    try:
        peer_time = parse_timestamp(str(first_seen))
    except ValueError:
        return
    local_first = events.filter(pl.col("model") == str(name)).get_column("ts").min()
    if not isinstance(local_first, datetime):
        return
    for account, local_lag, share in _switches(events, str(name), local_first, config):
        delta_h = abs((local_first + timedelta(hours=local_lag) - peer_time).total_seconds()) / 3600
        if delta_h <= config.pivot_window_hours:
            yield (
                account,
                f"moved {share:.0%} of its traffic to {name} {delta_h:.1f} h from the peer campaign's switch",
            )


def _switches(
    events: pl.DataFrame, model: str, release: datetime, config: CorrelationConfig
) -> list[tuple[str, float, float]]:
    """(account, hours from ``release`` to its first use of ``model``, share of its later traffic on it).

    Only accounts that were already active an hour before the release and then sent at least
    ``pivot_min_share`` of their (at least ``pivot_min_requests``) requests from that first use on to
    the model: a pivot moves the harvest, a customer trying the new model sends it a few requests.
    """
    firsts = events.group_by("account_id").agg(
        pl.col("ts").min().alias("first_any"),
        pl.col("ts").filter(pl.col("model") == model).min().alias("first_model"),
    )
    movers = firsts.filter(
        pl.col("first_model").is_not_null() & (pl.col("first_any") <= release - timedelta(hours=1))
    )
    if movers.height == 0:
        return []
    shares = (
        events.select("account_id", "ts", "model")
        .join(movers.select("account_id", "first_model"), on="account_id")
        .filter(pl.col("ts") >= pl.col("first_model"))
        .group_by("account_id")
        .agg(
            (pl.col("model") == model).mean().alias("share"),
            pl.col("first_model").first(),
            pl.len().alias("after"),
        )
        .filter((pl.col("share") >= config.pivot_min_share) & (pl.col("after") >= config.pivot_min_requests))
        .sort("account_id")
    )
    return [
        (str(account), (first - release).total_seconds() / 3600, float(share))
        for account, share, first, _after in shares.iter_rows()
    ]


def _account_activity(events: pl.DataFrame) -> dict[str, tuple[str, str]]:
    spans = events.group_by("account_id").agg(
        pl.col("ts").min().alias("first"), pl.col("ts").max().alias("last")
    )
    return {account: (_iso(first), _iso(last)) for account, first, last in spans.iter_rows()}


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def _evidence(matches: Sequence[PeerMatch]) -> dict[str, tuple[Evidence, ...]]:
    """One ``peer_indicator`` Evidence per account and peer campaign: the peer's claim, before local
    specificity (``apply_peer_evidence`` attaches the specificity-weighted one).

    Indicators of one kind (ten template fingerprints of one campaign) are correlated, not independent:
    each kind contributes its strongest match, and the kinds combine by noisy-OR.
    """
    grouped: dict[tuple[str, str, str], list[PeerMatch]] = {}
    for match in matches:
        grouped.setdefault((match.account_id, match.peer, match.campaign_id), []).append(match)
    evidence: dict[str, list[Evidence]] = {}
    for (account, peer, _campaign), group in sorted(grouped.items()):
        best_by_kind: dict[str, float] = {}
        for m in group:
            best_by_kind[m.kind] = max(best_by_kind.get(m.kind, 0.0), m.confidence)
        combined = 1.0 - math.prod(1.0 - c for c in best_by_kind.values())
        kinds: dict[str, int] = {}
        for m in {m.indicator_id: m for m in group}.values():
            kinds[m.kind] = kinds.get(m.kind, 0) + 1
        listed = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        detail = (
            f"{peer} reports campaign '{group[0].campaign_name}'; this account matches {listed} "
            f"indicator(s) ({group[0].detail})"
        )
        evidence.setdefault(account, []).append(
            Evidence(signal=SIGNAL, value=round(combined, 4), detail=detail)
        )
    return {account: tuple(items) for account, items in evidence.items()}


# -- folding into a detection result ---------------------------------------------------------------
def apply_peer_evidence(
    result: DetectionResult,
    correlation: CorrelationResult,
    config: CorrelationConfig,
    detect_config: DetectConfig | None = None,
) -> DetectionResult:
    """Attach each matched account's ``peer_indicator`` evidence and let it corroborate (never accuse).

    An account whose own evidence total (read back from its score with ``detect_config``'s logistic) is
    at least ``corroboration_min_total`` gets ``peer_weight * p`` added to it, ``p`` being its trusted,
    locally specific peer match (see ``distillguard.share._corroborate``); below that floor the score
    stays as it was unless ``peer_alone_flags`` is set. A peer never unflags an account.
    """
    scoring = detect_config or DetectConfig()
    own = {v.account_id: evidence_total(v.score, scoring) for v in result.accounts}
    signals = {v.account_id: frozenset(e.signal for e in v.evidence) for v in result.accounts}
    support = corroborations(correlation.matches, own, config.corroboration_min_total, signals)
    verdicts: list[AccountVerdict] = []
    for verdict in result.accounts:
        found = support.get(verdict.account_id)
        if found is None:
            verdicts.append(verdict)
            continue
        score = verdict.score
        if found.strength > 0 and (
            config.peer_alone_flags or own[verdict.account_id] >= config.corroboration_min_total
        ):
            raised = score_of_total(own[verdict.account_id] + config.peer_weight * found.strength, scoring)
            score = max(score, round(raised, 6))
        if config.peer_alone_flags:
            score = max(score, round(found.strength, 6))
        verdicts.append(
            replace(
                verdict,
                score=score,
                flagged=verdict.flagged or score >= result.threshold,
                evidence=(*verdict.evidence, *found.evidence),
            )
        )
    return replace(result, accounts=tuple(verdicts))


def apply_peer_file(
    events: pl.DataFrame,
    skeletons: Skeletons | None,
    result: DetectionResult,
    peer_path: Path,
    trust: Iterable[str],
    *,
    key: ConsortiumKey | None = None,
    now: datetime | None = None,
    config: CorrelationConfig | None = None,
    detect_config: DetectConfig | None = None,
) -> tuple[DetectionResult, dict[str, Any]]:
    """``scan --peer PEER.json --trust NAME[=WEIGHT]`` in one call.

    Reads the peer bundle, correlates it with ``events`` (the scan's fingerprinted events; ``skeletons``
    is its template catalog), folds the evidence into ``result`` and returns the new result with the
    report extras (``peer_matches`` for ``share sight``, ``peer_summary``). The consortium key comes from
    ``DISTILLGUARD_CONSORTIUM_KEY`` unless given.
    """
    from distillguard.share._io import read_bundle
    from distillguard.share.keys import load_consortium_key

    peers = parse_trusted_peers(trust)
    if config is None:
        if not peers:
            raise ShareError("name the peers you trust with --trust NAME[=WEIGHT]; other members are ignored")
        config = CorrelationConfig(trusted_peers=peers)
    correlation = correlate(
        events, read_bundle(peer_path), key or load_consortium_key(), config, skeletons=skeletons, now=now
    )
    extras = correlation.to_report_dict()
    extras["peer_summary"]["peer_file"] = str(peer_path)
    merged = apply_peer_evidence(result, correlation, config, detect_config)
    extras["peer_summary"]["accounts_corroborated"] = sum(
        1
        for before, after in zip(result.accounts, merged.accounts, strict=True)
        if after.score > before.score
    )
    extras["peer_summary"]["accounts_flagged_by_corroboration"] = sum(
        1
        for before, after in zip(result.accounts, merged.accounts, strict=True)
        if after.flagged and not before.flagged
    )
    return merged, extras
