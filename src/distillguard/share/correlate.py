"""Match peers' campaign indicators against local traffic, as ``peer_indicator`` evidence.

``correlate(events, peer_bundle, key, config)`` takes fingerprinted events (``FINGERPRINT_SCHEMA``
columns; ``account_id`` and ``ts`` required, ``ip``, ``user_agent``, ``payment_fingerprint``,
``template_hash``, ``system_hash``, ``tools_hash``, ``model`` used when present) and a bundle from
``share pull``. It hashes local values under each indicator's epoch key and compares:

* template fingerprints: keyed MinHash of each local template skeleton vs the peer's signature
  (estimated Jaccard ≥ ``template_similarity``); system prompt / tool set keyed hashes by equality;
* keyed network hashes: the /24 (/48) of each local IP, and User-Agents, by equality;
* keyed payment hashes by equality;
* timing signatures: an account's hour-of-day profile (cosine ≥ ``timing_similarity``, at least
  ``timing_min_requests`` requests) and, when both sides have it, a median request gap within a factor 2;
* model-release pivots: an already active account switching to a model within ``pivot_window_hours``
  of the peer campaign's first use of the same model.

Only indicators from ``trusted_peers`` count (others are rejected and counted), indicators past
``valid_until`` or hashed in an epoch older than ``accepted_epochs`` are ignored, and values under
another consortium key are skipped. ``apply_peer_evidence`` folds the result into a DetectionResult:
a peer's signal raises the score of accounts that already have weak evidence of their own; alone, it
never flags an account unless ``peer_alone_flags`` is set.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import numpy as np
import polars as pl
from stix2patterns.pattern import Pattern  # type: ignore[import-untyped]

from distillguard.detect.types import AccountVerdict, DetectionResult, Evidence
from distillguard.errors import ShareError
from distillguard.hub._timestamps import parse_timestamp
from distillguard.hub.members import member_identity_id
from distillguard.share import stix_types as st
from distillguard.share.export import hour_profile, widen
from distillguard.share.keys import ConsortiumKey
from distillguard.share.minhash import decode_signature, template_signature

SIGNAL = "peer_indicator"


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
    timing_similarity: float = 0.97
    timing_min_requests: int = 50
    pivot_window_hours: float = 6.0
    # Indicators hashed more than this many epochs before the current one are ignored.
    accepted_epochs: int = 1
    # A peer's evidence alone may flag an account (off by default: intelligence, not enforcement).
    peer_alone_flags: bool = False
    # The local score an account needs before a peer's evidence can push it over the threshold.
    corroboration_min_score: float = 0.3

    def __post_init__(self) -> None:
        for name, weight in self.trusted_peers.items():
            if not 0.0 <= float(weight) <= 1.0:
                raise ShareError(f"trust weight of peer {name!r} must be between 0 and 1, got {weight}")


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
    campaigns = {o["id"]: o for o in objects if o.get("type") == "campaign"}
    observables = {(o["type"], o.get("value")): o for o in objects if o.get("type") in st.CUSTOM_TYPES}
    indicates = {
        o["source_ref"]: o["target_ref"]
        for o in objects
        if o.get("type") == "relationship" and o.get("relationship_type") == "indicates"
    }
    current_epoch = key.epoch_of(now)
    rejected: dict[str, int] = {}
    usable: list[PeerIndicator] = []

    def reject(reason: str) -> None:
        rejected[reason] = rejected.get(reason, 0) + 1

    for obj in objects:
        if obj.get("type") != "indicator":
            continue
        creator = obj.get("created_by_ref")
        if creator not in peers:
            reject("not from a trusted member")
            continue
        name, weight = peers[creator]
        if "valid_until" in obj and parse_timestamp(obj["valid_until"]) <= now:
            reject("expired")
            continue
        parsed = _pattern_value(obj.get("pattern", ""))
        if parsed is None:
            reject("not a distillguard pattern")
            continue
        observable = observables.get(parsed, {})
        epoch = observable.get("epoch")
        if "key_id" in observable and observable["key_id"] != key.key_id:
            reject("hashed under another consortium key")
            continue
        if epoch is not None and int(epoch) < current_epoch - config.accepted_epochs:
            reject("from an expired key epoch")
            continue
        campaign_id = indicates.get(obj["id"], "")
        campaign = campaigns.get(campaign_id, {})
        if campaign and campaign.get("created_by_ref") != creator:
            reject("indicates another member's campaign")
            continue
        usable.append(
            PeerIndicator(
                id=obj["id"],
                peer=name,
                campaign_id=campaign_id,
                campaign_name=str(campaign.get("name", "an unnamed campaign")),
                type=parsed[0],
                value=parsed[1],
                confidence=weight * float(obj.get("confidence", campaign.get("confidence", 50))) / 100.0,
                epoch=None if epoch is None else int(epoch),
                observable=observable,
            )
        )
    return usable, rejected


def _pattern_value(pattern: str) -> tuple[str, str] | None:
    """(type, value) of a ``[x-distillguard-...:value = '...']`` pattern, parsed with stix2-patterns."""
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
        rows: list[np.ndarray] = []
        if "template_hash" in self.events.columns:
            present = sorted(self.events.get_column("template_hash").drop_nulls().unique().to_list())
            for template_hash in present:
                skeleton = _skeleton(self.skeletons, int(template_hash))
                if skeleton:
                    hashes.append(int(template_hash))
                    rows.append(template_signature(skeleton, self.key, epoch))
        matrix = np.vstack(rows) if rows else np.zeros((0, 1), dtype=np.uint32)
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
    for indicator in indicators:
        for account, detail in _match(indicator, local, events, config):
            first, last = activity.get(account, ("", ""))
            matches.append(
                PeerMatch(
                    account_id=account,
                    peer=indicator.peer,
                    indicator_id=indicator.id,
                    campaign_id=indicator.campaign_id,
                    campaign_name=indicator.campaign_name,
                    kind=_kind(indicator),
                    confidence=indicator.confidence,
                    first_seen=first,
                    last_seen=last,
                    detail=detail,
                )
            )
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
    indicator: PeerIndicator, local: _LocalHashes, events: pl.DataFrame, config: CorrelationConfig
) -> Iterable[tuple[str, str]]:
    epoch = indicator.epoch
    if indicator.type == st.TIMING_SIGNATURE:
        yield from _match_timing(indicator, events, config)
        return
    if epoch is None:
        return
    if indicator.type == st.NETWORK_HASH:
        kind = "user-agent" if indicator.observable.get("kind") == "user-agent" else "ip-prefix"
        for account in local.accounts_by_hash(kind, epoch).get(indicator.value, []):
            yield account, f"keyed {kind} equal"
    elif indicator.type == st.PAYMENT_HASH:
        for account in local.accounts_by_hash("payment", epoch).get(indicator.value, []):
            yield account, "keyed payment hash equal"
    elif indicator.type == st.TEMPLATE_FINGERPRINT:
        if indicator.observable.get("method") == "keyed-hash":
            part = "tools" if indicator.observable.get("part") == "tools" else "system"
            for account in local.accounts_by_hash(part, epoch).get(indicator.value, []):
                yield account, f"keyed {part} hash equal"
        else:
            yield from _match_template(indicator, local, events, epoch, config)


def _match_template(
    indicator: PeerIndicator, local: _LocalHashes, events: pl.DataFrame, epoch: int, config: CorrelationConfig
) -> Iterable[tuple[str, str]]:
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
        .group_by("account_id")
        .agg(pl.col("template_hash").unique())
    )
    for account, templates in users.iter_rows():
        best = max(close[t] for t in templates)
        yield account, f"template similarity {best:.2f}"


def _match_timing(
    indicator: PeerIndicator, events: pl.DataFrame, config: CorrelationConfig
) -> Iterable[tuple[str, str]]:
    observable = indicator.observable
    profile = observable.get("hour_profile")
    if isinstance(profile, list) and len(profile) == 24:
        yield from _match_hours(np.asarray(profile, dtype=float), observable, events, config)
    for pivot in observable.get("model_first_use") or []:
        yield from _match_pivot(pivot, events, config)


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


def _match_pivot(
    pivot: Mapping[str, Any], events: pl.DataFrame, config: CorrelationConfig
) -> Iterable[tuple[str, str]]:
    model, first_seen = pivot.get("model"), pivot.get("first_seen")
    if not model or not first_seen or "model" not in events.columns:
        return
    try:
        peer_time = parse_timestamp(str(first_seen))
    except ValueError:
        return
    window = timedelta(hours=config.pivot_window_hours)
    # A pivot is an account that was already active and *switched* to the model near the peer
    # campaign's switch; an account whose very first request used the model is not a pivot.
    firsts = events.group_by("account_id").agg(
        pl.col("ts").min().alias("first_any"),
        pl.col("ts").filter(pl.col("model") == model).min().alias("first_model"),
    )
    close = firsts.filter(
        pl.col("first_model").is_not_null()
        & (pl.col("first_model") - pl.col("first_any") >= timedelta(hours=1))
        & (pl.col("first_model") >= peer_time - window)
        & (pl.col("first_model") <= peer_time + window)
    )
    for account, _first_any, first in close.iter_rows():
        delta_h = abs((first - peer_time).total_seconds()) / 3600
        yield account, f"switched to {model} {delta_h:.1f} h from the peer campaign's switch"


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
    """One ``peer_indicator`` Evidence per account and peer campaign: noisy-OR of its indicators."""
    grouped: dict[tuple[str, str, str], list[PeerMatch]] = {}
    for match in matches:
        grouped.setdefault((match.account_id, match.peer, match.campaign_id), []).append(match)
    evidence: dict[str, list[Evidence]] = {}
    for (account, peer, _campaign), group in sorted(grouped.items()):
        best_by_indicator = {m.indicator_id: m.confidence for m in group}
        combined = 1.0 - math.prod(1.0 - c for c in best_by_indicator.values())
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
    result: DetectionResult, correlation: CorrelationResult, config: CorrelationConfig
) -> DetectionResult:
    """Add each account's ``peer_indicator`` evidence and raise its score (noisy-OR).

    An account is newly flagged only when its raised score reaches the threshold **and** its own score
    was at least ``corroboration_min_score`` (or ``peer_alone_flags`` is set): a peer corroborates, it
    does not accuse on its own.
    """
    verdicts: list[AccountVerdict] = []
    for verdict in result.accounts:
        extra = correlation.evidence.get(verdict.account_id, ())
        if not extra:
            verdicts.append(verdict)
            continue
        peer_score = 1.0 - math.prod(1.0 - e.value for e in extra)
        score = 1.0 - (1.0 - verdict.score) * (1.0 - peer_score)
        own_enough = verdict.score >= config.corroboration_min_score or config.peer_alone_flags
        flagged = verdict.flagged or (score >= result.threshold and own_enough)
        verdicts.append(
            replace(verdict, score=round(score, 4), flagged=flagged, evidence=(*verdict.evidence, *extra))
        )
    return replace(result, accounts=tuple(verdicts))
