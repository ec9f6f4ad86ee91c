"""``share export``: a detection report's campaigns as a STIX 2.1 bundle that carries no customer data.

What leaves the provider, per flagged campaign (see docs/sharing.md for the threat model):

* a ``campaign`` (size, capabilities, signal names, confidence) attributed to the member's identity;
* ``x-distillguard-template-fingerprint`` observables: MinHash signatures of keyed shingles of the
  masked user templates, keyed hashes of system prompts and tool sets;
* ``x-distillguard-network-hash`` observables: keyed hashes of IP prefixes (/24, /48) and User-Agents,
  grouped in an ``infrastructure`` the campaign ``uses``;
* ``x-distillguard-payment-hash`` observables: keyed hashes of opaque payment-method ids;
* an ``x-distillguard-timing-signature``: hour-of-day profile, request cadence, model first use;
* an ``indicator`` per observable that ``indicates`` the campaign, with ``confidence`` and a
  ``valid_until`` at the end of the key epoch after the one the values were hashed in.

Never exported: account ids, API keys, individual IPs (compare those with PSI), prompt text, local
campaign ids, evidence sentences (they may quote local values).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import stix2

from distillguard.errors import ShareError
from distillguard.hub._timestamps import format_timestamp, parse_timestamp
from distillguard.hub.members import member_identity_id
from distillguard.share import stix_types as st
from distillguard.share.keys import ConsortiumKey
from distillguard.share.minhash import NUM_PERM, SHINGLE_WORDS, encode_signature, template_signature

# How much an indicator of each kind says about its campaign, relative to the campaign's own confidence.
KIND_WEIGHT: dict[str, float] = {
    "template": 0.9,
    "system": 0.8,
    "tools": 0.8,
    "payment": 0.9,
    "ip-prefix": 0.6,
    "user-agent": 0.3,
    "timing": 0.4,
}
IPV4_PREFIX, IPV6_PREFIX = 24, 48
# A model first seen this long after the report's window opened was released during it (the detection
# engine's ``new_model_margin_hours``); a campaign's first use of it within ``PIVOT_MAX_LAG_HOURS`` of
# that release is shared as a release-relative pivot, which peers compare with their own releases.
RELEASE_MARGIN_HOURS = 6.0
PIVOT_MAX_LAG_HOURS = 48.0
_CAMPAIGN_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://distillguard.dev/stix/campaign")


@dataclass(frozen=True, slots=True)
class ExportOptions:
    tlp: str = "amber"
    # None: the report's own flagging threshold (its "threshold" field), so only flagged campaigns leave.
    min_score: float | None = None
    # A distillation campaign is a coordinated group: a lone heavy account stays a local matter, and
    # not sharing it keeps one provider's false positive from becoming another's "corroboration".
    min_accounts: int = 2
    payment_hashes: bool = True
    # Most templates of a campaign shown as fingerprints (the most-used first).
    max_templates: int = 20


def export_bundle(
    report: Mapping[str, Any],
    member: str,
    key: ConsortiumKey,
    *,
    options: ExportOptions | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Build the STIX 2.1 bundle (as JSON-ready dict) of ``report``'s flagged campaigns for ``member``."""
    opts = options or ExportOptions()
    if opts.tlp not in st.TLP_LEVELS:
        raise ShareError(f"unknown TLP level {opts.tlp!r}; use one of {', '.join(st.TLP_LEVELS)}")
    campaigns = report.get("campaigns")
    if not isinstance(campaigns, list):
        raise ShareError("the report has no 'campaigns' list: is it a distillguard scan report?")
    when = (now or datetime.now(UTC)).astimezone(UTC)
    builder = _BundleBuilder(member, key, opts, when, model_releases(report))
    min_score = opts.min_score if opts.min_score is not None else float(report.get("threshold") or 0.0)
    for campaign in campaigns:
        if _is_flagged(campaign, min_score) and len(campaign.get("accounts") or []) >= opts.min_accounts:
            builder.add_campaign(campaign)
    objects = builder.objects()
    bundle = stix2.v21.Bundle(objects=objects, allow_custom=True)
    loaded: dict[str, Any] = json.loads(bundle.serialize())
    return loaded


def _is_flagged(campaign: Mapping[str, Any], min_score: float) -> bool:
    if campaign.get("flagged") is False:
        return False
    return float(campaign.get("score", 0.0)) >= min_score


def model_releases(report: Mapping[str, Any]) -> dict[str, datetime]:
    """Models released during the report's window, with their first request on this platform.

    Read from the scan's ``meta.model_first_seen`` (every model's first request) and the window start;
    a report without them (older scans) gives none, and pivots are then shared by model name only.
    """
    meta = report.get("meta") or {}
    firsts = meta.get("model_first_seen") if isinstance(meta, Mapping) else None
    start = (report.get("window") or {}).get("start")
    if not isinstance(firsts, Mapping) or not start:
        return {}
    opened = _when(start, datetime.now(UTC))
    margin = timedelta(hours=RELEASE_MARGIN_HOURS)
    releases = {str(m): _when(t, opened) for m, t in firsts.items()}
    return {m: t for m, t in releases.items() if t - opened > margin}


class _BundleBuilder:
    def __init__(
        self,
        member: str,
        key: ConsortiumKey,
        options: ExportOptions,
        now: datetime,
        releases: Mapping[str, datetime] | None = None,
    ) -> None:
        self.key = key
        self.releases = releases or {}
        self.options = options
        self.now = now
        self.epoch = key.epoch_of(now)
        # Values hashed in this epoch stay comparable through the next one, then expire.
        self.valid_until = key.epoch_end(self.epoch + 1)
        self.identity = stix2.v21.Identity(
            id=member_identity_id(member),
            created_by_ref=member_identity_id(member),
            name=member,
            identity_class="organization",
            sectors=["technology"],
            created=now,
            modified=now,
        )
        self.marking = st.tlp_marking(options.tlp)
        self._objects: dict[str, Any] = {}
        self._used_types: set[str] = set()

    def objects(self) -> list[Any]:
        reference = [st.DISTILLGUARD_IDENTITY, self.marking]
        reference += [
            d for d in st.extension_definitions() if d.id in {st.EXTENSION_IDS[t] for t in self._used_types}
        ]
        return [*reference, self.identity, *self._objects.values()]

    def _common(self) -> dict[str, Any]:
        return {
            "created_by_ref": self.identity.id,
            "object_marking_refs": [self.marking.id],
            "created": self.now,
            "modified": self.now,
        }

    def _add(self, obj: Any) -> Any:
        self._objects[obj.id] = obj
        return obj

    def add_campaign(self, campaign: Mapping[str, Any]) -> None:
        local_id = str(campaign.get("campaign_id", ""))
        if not local_id:
            raise ShareError("a campaign in the report has no campaign_id")
        # A stable, unlinkable STIX id: re-exports update the same campaign, the local id stays home.
        tag = self.key.keyed_hash("campaign", local_id, 0)
        confidence = _confidence(campaign.get("score", 0.0))
        accounts = campaign.get("accounts") or []
        capabilities = [str(c) for c in campaign.get("capabilities") or []]
        signals = sorted({str(e.get("signal")) for e in campaign.get("evidence") or [] if e.get("signal")})
        stix_campaign = self._add(
            stix2.v21.Campaign(
                id=f"campaign--{uuid.uuid5(_CAMPAIGN_NAMESPACE, self.identity.id + tag)}",
                name=f"Distillation campaign {tag[:8]}",
                description=(
                    f"{len(accounts)} accounts, {int(campaign.get('requests', 0))} requests; capabilities: "
                    f"{', '.join(capabilities) or 'unknown'}; signals: {', '.join(signals) or 'none listed'}."
                ),
                objective="Collect the model's answers at scale to train another model (distillation).",
                first_seen=_when(campaign.get("first_seen"), self.now),
                last_seen=_when(campaign.get("last_seen"), self.now),
                confidence=confidence,
                **self._common(),
            )
        )
        indicators = campaign.get("indicators") or {}
        infrastructure = self._observables(indicators, stix_campaign, confidence)
        if infrastructure:
            infra = self._add(
                stix2.v21.Infrastructure(
                    name=f"Access infrastructure of {stix_campaign.name}",
                    description="Keyed hashes of the network prefixes, clients and payment methods it used.",
                    infrastructure_types=["anonymization"],
                    first_seen=stix_campaign.first_seen,
                    last_seen=stix_campaign.last_seen,
                    **self._common(),
                )
            )
            self._relate(stix_campaign.id, "uses", infra.id)
            for sco in infrastructure:
                self._relate(infra.id, "consists-of", sco.id)

    def _observables(self, indicators: Mapping[str, Any], campaign: Any, confidence: int) -> list[Any]:
        """Add every observable + indicator; return the observables that form the infrastructure."""
        infrastructure: list[Any] = []
        for sco, kind in self._template_observables(indicators):
            self._indicate(sco, kind, campaign, confidence)
        for prefix in _prefixes(indicators):
            sco = self._network_hash("ip-prefix", prefix.with_prefixlen, prefix.prefixlen)
            infrastructure.append(self._indicate(sco, "ip-prefix", campaign, confidence))
        for agent in sorted({str(a) for a in indicators.get("user_agents") or [] if a}):
            infrastructure.append(
                self._indicate(self._network_hash("user-agent", agent), "user-agent", campaign, confidence)
            )
        if self.options.payment_hashes:
            for payment in sorted({str(p) for p in indicators.get("payment_fingerprints") or [] if p}):
                sco = st.PaymentHash(
                    value=self.key.keyed_hash("payment", payment, self.epoch),
                    epoch=self.epoch,
                    key_id=self.key.key_id,
                )
                self._used_types.add(st.PAYMENT_HASH)
                infrastructure.append(self._indicate(sco, "payment", campaign, confidence))
        timing = _timing_signature(indicators, self.releases)
        if timing is not None:
            self._used_types.add(st.TIMING_SIGNATURE)
            self._indicate(timing, "timing", campaign, confidence)
        return infrastructure

    def _template_observables(self, indicators: Mapping[str, Any]) -> Iterable[tuple[Any, str]]:
        templates = sorted(indicators.get("templates") or [], key=lambda t: -int(t.get("requests", 0)))
        for template in templates[: self.options.max_templates]:
            skeleton = str(template.get("skeleton") or "")
            if not skeleton.strip():
                continue
            signature = template_signature(skeleton, self.key, self.epoch)
            yield (
                self._fingerprint(
                    "user", "minhash", encode_signature(signature), int(template.get("requests", 0))
                ),
                "template",
            )
        for part, field in (("system", "system_hashes"), ("tools", "tools_hashes")):
            for value in sorted({int(v) for v in indicators.get(field) or []}):
                keyed = self.key.keyed_hash(f"{part}-hash", str(value), self.epoch)
                yield self._fingerprint(part, "keyed-hash", keyed, None), part

    def _fingerprint(self, part: str, method: str, value: str, requests: int | None) -> Any:
        self._used_types.add(st.TEMPLATE_FINGERPRINT)
        extra: dict[str, Any] = (
            {"num_perm": NUM_PERM, "shingle_words": SHINGLE_WORDS} if method == "minhash" else {}
        )
        if requests is not None:
            extra["requests"] = requests
        return st.TemplateFingerprint(
            value=value, part=part, method=method, epoch=self.epoch, key_id=self.key.key_id, **extra
        )

    def _network_hash(self, kind: str, value: str, prefix_length: int | None = None) -> Any:
        self._used_types.add(st.NETWORK_HASH)
        extra = {} if prefix_length is None else {"prefix_length": prefix_length}
        return st.NetworkHash(
            value=self.key.keyed_hash(kind, value, self.epoch),
            kind=kind,
            epoch=self.epoch,
            key_id=self.key.key_id,
            **extra,
        )

    def _indicate(self, sco: Any, kind: str, campaign: Any, confidence: int) -> Any:
        self._add(sco)
        indicator = self._add(
            stix2.v21.Indicator(
                name=f"{_KIND_NAMES[kind]} of {campaign.name}",
                indicator_types=["anomalous-activity"],
                pattern=f"[{sco.type}:value = '{sco.value}']",
                pattern_type="stix",
                valid_from=self.now,
                valid_until=self.valid_until,
                confidence=max(1, round(confidence * KIND_WEIGHT[kind])),
                **self._common(),
            )
        )
        self._relate(indicator.id, "indicates", campaign.id)
        return sco

    def _relate(self, source: str, relationship: str, target: str) -> None:
        self._add(
            stix2.v21.Relationship(
                relationship_type=relationship,
                source_ref=source,
                target_ref=target,
                allow_custom=True,  # infrastructure consists-of our custom observables
                **self._common(),
            )
        )


_KIND_NAMES = {
    "template": "User template fingerprint",
    "system": "System prompt fingerprint",
    "tools": "Tool set fingerprint",
    "payment": "Keyed payment hash",
    "ip-prefix": "Keyed IP prefix",
    "user-agent": "Keyed User-Agent",
    "timing": "Timing signature",
}


def _when(value: Any, default: datetime) -> datetime:
    """A report timestamp (RFC 3339 text with Z or an offset, or a datetime) as an aware UTC datetime."""
    if value is None or value == "":
        return default
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return parse_timestamp(str(value))
    except ValueError as exc:
        raise ShareError(f"not an RFC 3339 timestamp in the report: {value!r}") from exc


def _confidence(score: Any) -> int:
    return max(0, min(100, round(float(score) * 100)))


def _prefixes(indicators: Mapping[str, Any]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The campaign's network prefixes; individual IPs are widened to /24 (/48) and never shared as such."""
    found: set[ipaddress.IPv4Network | ipaddress.IPv6Network] = set()
    for text in indicators.get("ip_prefixes") or []:
        try:
            found.add(ipaddress.ip_network(str(text), strict=False))
        except ValueError as exc:
            raise ShareError(f"not an IP prefix in the report: {text!r}") from exc
    for text in indicators.get("ips") or []:
        try:
            found.add(widen(ipaddress.ip_address(str(text))))
        except ValueError as exc:
            raise ShareError(f"not an IP address in the report: {text!r}") from exc
    return sorted(found, key=lambda n: (n.version, n))


def widen(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The shared prefix of an address: its /24 (IPv4) or /48 (IPv6)."""
    length = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return ipaddress.ip_network(f"{address}/{length}", strict=False)


def hour_profile(histogram: Sequence[float]) -> list[int]:
    """A 24-bin hour histogram as per-mille integers (coarse on purpose)."""
    total = float(sum(histogram)) or 1.0
    return [round(1000 * float(v) / total) for v in histogram]


def _timing_signature(indicators: Mapping[str, Any], releases: Mapping[str, datetime]) -> Any | None:
    timing = indicators.get("timing") or {}
    histogram = timing.get("hour_histogram")
    models = indicators.get("models") or {}
    if not histogram or len(histogram) != 24 or not sum(float(v) for v in histogram):
        return None
    profile = hour_profile(histogram)
    first_use = [_first_use(str(m), _when(t, datetime.now(UTC)), releases) for m, t in sorted(models.items())]
    extra: dict[str, Any] = {"model_first_use": first_use} if first_use else {}
    if timing.get("median_interarrival_s") is not None:
        extra["median_interarrival_s"] = round(float(timing["median_interarrival_s"]), 3)
    if timing.get("active_hours_per_day") is not None:
        extra["active_hours_per_day"] = round(float(timing["active_hours_per_day"]), 2)
    digest_source = json.dumps({"profile": profile, **extra}, sort_keys=True)
    value = hashlib.sha256(digest_source.encode()).hexdigest()[:32]
    return st.TimingSignature(value=value, hour_profile=profile, **extra)


def _first_use(model: str, first: datetime, releases: Mapping[str, datetime]) -> dict[str, Any]:
    """A campaign's first use of ``model``, and how long after its release here when it was released
    during the window: providers name their models differently, the delay is what peers can compare."""
    entry: dict[str, Any] = {"model": model, "first_seen": format_timestamp(first)}
    release = releases.get(model)
    if release is not None:
        lag = (first - release).total_seconds() / 3600
        if 0 <= lag <= PIVOT_MAX_LAG_HOURS:
            entry["release_lag_hours"] = round(lag, 2)
    return entry
