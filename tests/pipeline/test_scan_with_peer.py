"""``scan --peer``: a peer's indicators are matched against local accounts and show up as evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from distillguard.errors import ShareError
from distillguard.pipeline import PeerInput, scan
from distillguard.share import ConsortiumKey, export_bundle
from distillguard.simulate import SimulationSummary

KEY = ConsortiumKey(b"pipeline test consortium key, long enough")


def _peer_bundle(small_platform: SimulationSummary, tmp_path: Path) -> Path:
    report = scan([small_platform.traffic_path], quarantine_path=tmp_path / "a.q")
    assert report.result.campaigns
    bundle = export_bundle(report.to_dict(), "provider-a", KEY, now=report.window.end)
    path = tmp_path / "peer.json"
    path.write_text(json.dumps(bundle))
    return path


def test_trusted_peer_indicators_become_evidence(small_platform: SimulationSummary, tmp_path: Path) -> None:
    peer = _peer_bundle(small_platform, tmp_path)
    alone = scan([small_platform.traffic_path], quarantine_path=tmp_path / "b.q")
    with_peer = scan(
        [small_platform.traffic_path],
        quarantine_path=tmp_path / "c.q",
        now=alone.window.end,
        peer=PeerInput(peer, ("provider-a=0.8",), key=KEY),
    )
    corroborated = {
        a.account_id
        for a in with_peer.result.accounts
        if any(e.signal == "peer_indicator" for e in a.evidence)
    }
    flagged_alone = {a.account_id for a in alone.flagged_accounts}
    assert corroborated & flagged_alone, "the campaign's own accounts should match their own indicators"
    assert with_peer.meta["peer_summary"]["peer_file"] == str(peer)
    # A peer's signal alone never flags: everything flagged now has local evidence of its own.
    newly_flagged = {a.account_id for a in with_peer.flagged_accounts} - flagged_alone
    for account in with_peer.result.accounts:
        if account.account_id in newly_flagged:
            assert any(e.signal != "peer_indicator" for e in account.evidence)


def test_peer_without_trust_is_refused(small_platform: SimulationSummary, tmp_path: Path) -> None:
    peer = tmp_path / "peer.json"
    peer.write_text(json.dumps({"type": "bundle", "id": "bundle--0", "objects": []}))
    with pytest.raises(ShareError, match="--trust"):
        scan([small_platform.traffic_path], quarantine_path=tmp_path / "q", peer=PeerInput(peer, (), key=KEY))
