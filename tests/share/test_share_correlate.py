"""Correlation: peer indicators vs local fingerprinted events, trust, expiry, never flagging alone."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from _share_testkit import CAMPAIGN_TEMPLATES, KEY, NOW, events_frame, make_traffic, report_for, skeleton_map

from distillguard.detect.types import AccountVerdict, DetectionResult, Evidence
from distillguard.errors import ShareError
from distillguard.share import ConsortiumKey, export_bundle
from distillguard.share.correlate import CorrelationConfig, apply_peer_evidence, apply_peer_file, correlate

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


def test_one_shared_generic_template_is_not_enough(key: ConsortiumKey) -> None:
    events, _ = _local()
    # A benign account that happens to send one of the campaign's templates, many times.
    honest = [
        dict(
            e,
            account_id="acct_honest_dev",
            user_agent="curl/8.5",
            ip="192.0.2.77",
            payment_fingerprint="pm_hon",
        )
        for e in events
        if e["account_id"].startswith("acct_c3000")
    ]
    for e in honest:
        e["request"] = {
            "model": "frontier-2",
            "messages": [{"role": "user", "content": CAMPAIGN_TEMPLATES[0]}],
        }
    frame = events_frame(events + honest)
    result = correlate(frame, _peer_bundle(key), key, TRUST_A, skeletons=skeleton_map(), now=NOW)
    assert "acct_honest_dev" not in result.evidence
    loose = CorrelationConfig(trusted_peers={"provider-a": 0.8}, min_template_matches=1)
    result = correlate(frame, _peer_bundle(key), key, loose, skeletons=skeleton_map(), now=NOW)
    assert "acct_honest_dev" in result.evidence


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


# Scores of the detection engine's logistic (bias 1.6, slope 4): 0.0017 is an evidence total of 0 (no
# evidence at all), 0.08 a total of about 1.0 (one signal that fired, short of the 1.6 that flags).
QUIET, WEAK = 0.0017, 0.08


def _result(scores: dict[str, float], threshold: float = 0.5) -> DetectionResult:
    verdicts = tuple(
        AccountVerdict(
            account_id=a,
            score=s,
            flagged=s >= threshold,
            campaign_id=None,
            requests=20,
            first_seen=NOW,
            last_seen=NOW,
            evidence=(Evidence("reasoning_elicitation", s, "weak"),) if s > QUIET else (),
        )
        for a, s in scores.items()
    )
    return DetectionResult(accounts=verdicts, campaigns=(), threshold=threshold)


def test_a_peer_signal_alone_never_flags_but_corroborates_weak_evidence(key: ConsortiumKey) -> None:
    _, frame = _local()
    correlation = correlate(frame, _peer_bundle(key), key, TRUST_A, skeletons=skeleton_map(), now=NOW)
    campaign = sorted(correlation.evidence)
    quiet, weak = campaign[0], campaign[1:]
    local = _result({quiet: QUIET, **dict.fromkeys(weak, WEAK), "acct_unrelated": 0.1})
    assert not any(v.flagged for v in local.accounts)
    merged = {v.account_id: v for v in apply_peer_evidence(local, correlation, TRUST_A).accounts}
    # Own weak evidence + a specific match of a trusted peer's campaign: flagged, with the peer named.
    for account in weak:
        assert merged[account].flagged and merged[account].score > WEAK
        assert merged[account].evidence[-1].signal == "peer_indicator"
        assert "provider-a" in merged[account].evidence[-1].detail
    # No evidence of its own: the peer's evidence is attached for a reviewer, the score does not move.
    assert not merged[quiet].flagged and merged[quiet].score == QUIET
    assert merged[quiet].evidence[-1].signal == "peer_indicator"
    assert merged["acct_unrelated"] == local.accounts[-1]
    # Only a setting lets a peer's signal flag on its own.
    permissive = CorrelationConfig(trusted_peers={"provider-a": 1.0}, peer_alone_flags=True)
    correlation = correlate(frame, _peer_bundle(key), key, permissive, skeletons=skeleton_map(), now=NOW)
    merged = {v.account_id: v for v in apply_peer_evidence(local, correlation, permissive).accounts}
    assert merged[quiet].flagged


def test_without_the_floor_the_peer_weight_alone_still_cannot_flag(key: ConsortiumKey) -> None:
    _, frame = _local()
    no_floor = CorrelationConfig(trusted_peers={"provider-a": 1.0}, corroboration_min_total=0.0)
    correlation = correlate(frame, _peer_bundle(key), key, no_floor, skeletons=skeleton_map(), now=NOW)
    local = _result(dict.fromkeys(correlation.evidence, QUIET))
    merged = apply_peer_evidence(local, correlation, no_floor).accounts
    assert all(v.score > QUIET for v in merged)  # counted, the floor being 0 ...
    assert not any(v.flagged for v in merged)  # ... but peer_weight (1.5) < the engine's bias (1.6)


def test_trust_weight_scales_the_corroboration(key: ConsortiumKey) -> None:
    _, frame = _local()
    scores = {}
    for trust in (0.2, 0.5, 1.0):
        config = CorrelationConfig(trusted_peers={"provider-a": trust})
        correlation = correlate(frame, _peer_bundle(key), key, config, skeletons=skeleton_map(), now=NOW)
        local = _result(dict.fromkeys(correlation.evidence, WEAK))
        scores[trust] = apply_peer_evidence(local, correlation, config).accounts[0]
    assert WEAK < scores[0.2].score < scores[0.5].score < scores[1.0].score
    assert not scores[0.2].flagged and scores[1.0].flagged


def test_legitimate_accounts_on_a_shared_prefix_stay_unflagged(key: ConsortiumKey) -> None:
    """A cloud or corporate prefix the campaign also used: many quiet customers share it, so matching
    it says nothing about one of them, even one with weak evidence of its own."""
    events, _ = _local()
    shared = [
        dict(e, account_id=f"acct_office{n}", ip=f"203.0.113.{10 + n}", payment_fingerprint=f"pm_o{n}")
        for n in range(12)
        for e in events
        if e["account_id"].startswith("acct_b3006")
    ]
    frame = events_frame(events + shared)
    correlation = correlate(frame, _peer_bundle(key), key, TRUST_A, skeletons=skeleton_map(), now=NOW)
    office = {f"acct_office{n}" for n in range(12)}
    assert office <= set(correlation.evidence)  # the keyed prefix matched all of them
    campaign = {a for a in correlation.evidence if a.startswith("acct_c")}
    # One office account shows weak evidence of its own; so does C's slice of the campaign.
    local = _result({**dict.fromkeys(office, QUIET), "acct_office0": WEAK, **dict.fromkeys(campaign, WEAK)})
    merged = {v.account_id: v for v in apply_peer_evidence(local, correlation, TRUST_A).accounts}
    assert not merged["acct_office0"].flagged
    assert "1/12 specific here" in merged["acct_office0"].evidence[-1].detail
    assert all(merged[a].flagged for a in campaign)
    # Were the prefix specific (no quiet neighbours), the same weak account would be corroborated.
    alone = _result({"acct_office0": WEAK, **dict.fromkeys(campaign, WEAK)})
    assert apply_peer_evidence(alone, correlation, TRUST_A).accounts[0].score > WEAK


def test_zero_trust_weight_adds_evidence_but_no_score(key: ConsortiumKey) -> None:
    _, frame = _local()
    config = CorrelationConfig(trusted_peers={"provider-a": 0.0})
    correlation = correlate(frame, _peer_bundle(key), key, config, skeletons=skeleton_map(), now=NOW)
    local = _result(dict.fromkeys(correlation.evidence, 0.45))
    merged = apply_peer_evidence(local, correlation, config).accounts[0]
    assert merged.score == 0.45 and not merged.flagged
    assert merged.evidence[-1].signal == "peer_indicator" and merged.evidence[-1].value == 0


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


def test_malformed_peer_objects_are_counted_not_fatal(key: ConsortiumKey) -> None:
    _, frame = _local()
    bundle = _peer_bundle(key)
    indicators = [o for o in bundle["objects"] if o["type"] == "indicator"]
    indicators[0]["valid_until"] = "next tuesday"
    indicators[1]["confidence"] = "very"
    bundle["objects"].append("not an object")
    result = correlate(frame, bundle, key, TRUST_A, skeletons=skeleton_map(), now=NOW)
    assert result.rejected == {"malformed indicator": 2}
    assert result.indicators_used == len(indicators) - 2


def test_apply_peer_file_is_the_scan_integration(
    key: ConsortiumKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, frame = _local()
    peer = tmp_path / "peer.json"
    peer.write_text(json.dumps(_peer_bundle(key)))
    account = sorted(
        correlate(frame, _peer_bundle(key), key, TRUST_A, skeletons=skeleton_map(), now=NOW).evidence
    )[0]
    monkeypatch.setenv("DISTILLGUARD_CONSORTIUM_KEY", KEY)
    local = _result(
        dict.fromkeys(
            sorted(
                correlate(frame, _peer_bundle(key), key, TRUST_A, now=NOW, skeletons=skeleton_map()).evidence
            ),
            WEAK,
        )
    )
    merged, extras = apply_peer_file(frame, skeleton_map(), local, peer, ["provider-a=0.8"], now=NOW)
    assert merged.accounts[0].flagged and merged.accounts[0].account_id == account
    assert extras["peer_summary"]["accounts_flagged_by_corroboration"] == len(local.accounts)
    assert extras["peer_summary"]["peer_file"] == str(peer) and extras["peer_matches"]
    with pytest.raises(ShareError, match="--trust"):
        apply_peer_file(frame, skeleton_map(), _result({account: 0.45}), peer, [], now=NOW)
    with pytest.raises(ShareError, match="between 0 and 1"):
        apply_peer_file(frame, skeleton_map(), _result({account: 0.45}), peer, ["provider-a=3"], now=NOW)
