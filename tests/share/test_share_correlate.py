"""Correlation: peer indicators vs local fingerprinted events, trust, expiry, never flagging alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from _share_testkit import NOW, events_frame, make_traffic, report_for, skeleton_map

from distillguard.detect.types import AccountVerdict, DetectionResult, Evidence
from distillguard.share import ConsortiumKey, export_bundle
from distillguard.share.correlate import CorrelationConfig, apply_peer_evidence, correlate

TRUST_A = CorrelationConfig(trusted_peers={"provider-a": 0.8})


def _peer_bundle(key: ConsortiumKey, member: str = "provider-a", now: datetime = NOW) -> dict:
    # Provider A's campaign: its own accounts, its own network (203.0.113.0/24).
    return export_bundle(report_for(make_traffic(seed=1)), member, key, now=now)


def _local(**kwargs: object):  # provider C: same operator, other accounts and network
    events = make_traffic(seed=3, campaign_subnet="198.51.100", **kwargs)  # type: ignore[arg-type]
    return events, events_frame(events)


def test_local_slice_of_the_campaign_is_found_by_template_fingerprints(key: ConsortiumKey) -> None:
    events, frame = _local()
    result = correlate(frame, _peer_bundle(key), key, TRUST_A, skeletons=skeleton_map(), now=NOW)
    campaign = {e["account_id"] for e in events if e["account_id"].startswith("acct_c")}
    benign = {e["account_id"] for e in events if e["account_id"].startswith("acct_b")}
    assert set(result.evidence) == campaign
    assert not set(result.evidence) & benign
    kinds = {m.kind for m in result.matches}
    assert "template" in kinds and "ip prefix" not in kinds  # C's accounts use another network
    for account in campaign:
        (evidence,) = result.evidence[account]
        assert evidence.signal == "peer_indicator" and "provider-a" in evidence.detail
        # Two template indicators of confidence 0.96 x 0.9, trusted at 0.8, combined by noisy-OR.
        assert 0.69 < evidence.value < 1.0
    assert all(m.peer == "provider-a" and m.indicator_id.startswith("indicator--") for m in result.matches)


def test_shared_network_and_payment_values_match_by_keyed_hash(key: ConsortiumKey) -> None:
    events = make_traffic(seed=1)  # the very traffic A exported: prefixes and payment ids line up
    result = correlate(events_frame(events), _peer_bundle(key), key, TRUST_A, now=NOW)  # no skeletons
    kinds = {m.kind for m in result.matches}
    assert {"ip prefix", "payment", "user agent"} <= kinds
    assert "template" not in kinds
    assert {m.account_id for m in result.matches if m.kind == "payment"} == {
        e["account_id"] for e in events if e["account_id"].startswith("acct_c")
    }


def test_unknown_members_objects_are_rejected(key: ConsortiumKey) -> None:
    _, frame = _local()
    bundle = _peer_bundle(key, member="provider-x")
    result = correlate(frame, bundle, key, TRUST_A, skeletons=skeleton_map(), now=NOW)
    assert result.matches == () and result.indicators_used == 0
    assert result.rejected["not from a trusted member"] > 0


def test_expired_indicators_are_ignored(key: ConsortiumKey) -> None:
    _, frame = _local()
    bundle = _peer_bundle(key)
    valid_until = max(o["valid_until"] for o in bundle["objects"] if o["type"] == "indicator")
    later = datetime.fromisoformat(valid_until.replace("Z", "+00:00")) + timedelta(seconds=1)
    result = correlate(frame, bundle, key, TRUST_A, skeletons=skeleton_map(), now=later)
    assert result.matches == ()
    assert result.rejected == {"expired": sum(1 for o in bundle["objects"] if o["type"] == "indicator")}


def test_indicators_from_an_old_epoch_or_another_key_are_skipped(key: ConsortiumKey) -> None:
    _, frame = _local()
    bundle = _peer_bundle(key)
    next_epoch = key.epoch_end(key.epoch_of(NOW)) + timedelta(hours=1)
    strict = CorrelationConfig(trusted_peers={"provider-a": 0.8}, accepted_epochs=0)
    result = correlate(frame, bundle, key, strict, skeletons=skeleton_map(), now=next_epoch)
    assert not any(m.kind == "template" for m in result.matches)
    assert result.rejected.get("from an expired key epoch", 0) > 0
    other = ConsortiumKey(b"a different consortium's key!!")
    result = correlate(frame, bundle, other, TRUST_A, skeletons=skeleton_map(), now=NOW)
    assert result.rejected.get("hashed under another consortium key", 0) > 0
    assert not any(m.kind == "template" for m in result.matches)


def test_timing_signature_matches_accounts_with_the_same_rhythm(key: ConsortiumKey) -> None:
    _, frame = _local()
    config = CorrelationConfig(
        trusted_peers={"provider-a": 0.8}, timing_min_requests=10, timing_similarity=0.9
    )
    result = correlate(frame, _peer_bundle(key), key, config, skeletons=skeleton_map(), now=NOW)
    timing = {m.account_id for m in result.matches if m.kind == "timing"}
    assert timing and all(a.startswith("acct_c") for a in timing)


def _result(scores: dict[str, float], threshold: float = 0.8) -> DetectionResult:
    verdicts = tuple(
        AccountVerdict(
            account_id=a,
            score=s,
            flagged=s >= threshold,
            campaign_id=None,
            requests=20,
            first_seen=NOW,
            last_seen=NOW,
            evidence=(Evidence("reasoning_elicitation", s, "weak"),),
        )
        for a, s in scores.items()
    )
    return DetectionResult(accounts=verdicts, campaigns=(), threshold=threshold)


def test_a_peer_signal_alone_never_flags_but_corroborates_weak_evidence(key: ConsortiumKey) -> None:
    _, frame = _local()
    correlation = correlate(frame, _peer_bundle(key), key, TRUST_A, skeletons=skeleton_map(), now=NOW)
    campaign = sorted(correlation.evidence)
    quiet, weak = campaign[0], campaign[1]
    local = _result({quiet: 0.0, weak: 0.45, "acct_unrelated": 0.1})
    merged = {v.account_id: v for v in apply_peer_evidence(local, correlation, TRUST_A).accounts}
    assert not merged[quiet].flagged and merged[quiet].score > 0
    assert merged[weak].flagged and merged[weak].evidence[-1].signal == "peer_indicator"
    assert merged["acct_unrelated"] == local.accounts[2]
    permissive = CorrelationConfig(trusted_peers={"provider-a": 1.0}, peer_alone_flags=True)
    correlation = correlate(frame, _peer_bundle(key), key, permissive, skeletons=skeleton_map(), now=NOW)
    merged = {v.account_id: v for v in apply_peer_evidence(local, correlation, permissive).accounts}
    assert merged[quiet].flagged


def test_zero_trust_weight_adds_evidence_but_no_score(key: ConsortiumKey) -> None:
    _, frame = _local()
    config = CorrelationConfig(trusted_peers={"provider-a": 0.0})
    correlation = correlate(frame, _peer_bundle(key), key, config, skeletons=skeleton_map(), now=NOW)
    account = sorted(correlation.evidence)[0]
    merged = apply_peer_evidence(_result({account: 0.5}), correlation, config).accounts[0]
    assert merged.score == 0.5 and not merged.flagged


def test_report_dict_feeds_share_sight(key: ConsortiumKey) -> None:
    from distillguard.share.sight import sightings_bundle
    from distillguard.share.validate import validation_errors

    _, frame = _local()
    correlation = correlate(frame, _peer_bundle(key), key, TRUST_A, skeletons=skeleton_map(), now=NOW)
    report_part = correlation.to_report_dict()
    assert report_part["peer_summary"]["accounts_matched"] == len(correlation.evidence)
    sightings = sightings_bundle(report_part["peer_matches"], "provider-c", now=NOW + timedelta(hours=1))
    assert validation_errors(sightings) == []
    assert sum(1 for o in sightings["objects"] if o["type"] == "sighting") == len(
        {m.indicator_id for m in correlation.matches}
    )
