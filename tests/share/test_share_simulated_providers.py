"""The issue's target on simulated providers: with A's indicators, C finds its slice of A's campaigns.

Real stages end to end: simulate A and C -> ingest -> fingerprint -> detect -> A exports -> C correlates.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest

from distillguard.share import ConsortiumKey, export_bundle, validation_errors
from distillguard.share.correlate import CorrelationConfig, apply_peer_evidence, correlate

pytestmark = pytest.mark.slow


def _scan(traffic: Path, tmp: Path) -> tuple[pl.DataFrame, Any, Any]:
    from distillguard.detect import DetectConfig, detect
    from distillguard.fingerprint import Fingerprinter
    from distillguard.ingest import Quarantine, read_events

    fingerprinter = Fingerprinter()
    quarantine = Quarantine(tmp / f"{traffic.parent.name}-quarantine.jsonl")
    batches = [fingerprinter.fingerprint(b) for b in read_events([traffic], quarantine=quarantine)]
    events = pl.from_arrow(pa.Table.from_batches(batches))
    assert isinstance(events, pl.DataFrame)
    return events, fingerprinter.catalog, detect(events, fingerprinter.catalog, DetectConfig())


def _campaign_json(campaign: Any) -> dict[str, Any]:
    return {
        "campaign_id": campaign.campaign_id,
        "score": campaign.score,
        "accounts": list(campaign.accounts),
        "first_seen": campaign.first_seen.isoformat(),
        "last_seen": campaign.last_seen.isoformat(),
        "requests": campaign.requests,
        "capabilities": list(campaign.capabilities),
        "evidence": [e.to_dict() for e in campaign.evidence],
        "indicators": campaign.indicators,
    }


def _labels(path: Path) -> dict[str, dict[str, Any]]:
    return {row["account_id"]: row for row in map(json.loads, path.read_text().splitlines())}


def test_provider_c_finds_its_slice_of_provider_a_campaigns(tmp_path: Path) -> None:
    from distillguard.simulate import SimulationConfig, simulate

    runs = {
        p: simulate(SimulationConfig(platform=p, days=2, seed=11, out_dir=tmp_path / p, scale=0.3))
        for p in "AC"
    }
    _, _, result_a = _scan(runs["A"].traffic_path, tmp_path)
    events_c, catalog_c, result_c = _scan(runs["C"].traffic_path, tmp_path)
    labels_a, labels_c = _labels(runs["A"].labels_path), _labels(runs["C"].labels_path)

    key = ConsortiumKey(b"simulated consortium key, 32 bytes")
    now = datetime(2026, 3, 4, tzinfo=UTC)
    report = {"campaigns": [_campaign_json(c) for c in result_a.campaigns]}
    bundle = export_bundle(report, "provider-a", key, now=now)
    assert validation_errors(bundle) == []
    raw = json.dumps(bundle)
    assert not [a for a in labels_a if a in raw]  # no account id of A's traffic left A

    config = CorrelationConfig(trusted_peers={"provider-a": 0.8})
    correlation = correlate(events_c, bundle, key, config, skeletons=catalog_c, now=now)
    merged = apply_peer_evidence(result_c, correlation, config)

    detected_ops = {labels_a[a]["campaign_id"] for c in result_a.campaigns for a in c.accounts} - {None}
    assert detected_ops, "detection at A found no campaign"
    targets = {a for a, row in labels_c.items() if row["campaign_id"] in detected_ops}
    benign = {a for a, row in labels_c.items() if not row["malicious"]}
    found = set(correlation.evidence) & targets
    assert len(found) >= 0.95 * len(targets), (len(found), len(targets))
    before = {v.account_id for v in result_c.accounts if v.flagged} & benign
    after = {v.account_id for v in merged.accounts if v.flagged} & benign
    assert len(after) <= len(before)
