"""The sharing story for ``distillguard demo``: provider A detects a campaign and publishes it to the
consortium hub; providers B and C pull A's indicators, find their own slices of the same operators, and
sight them back — without any account id, IP, payment id or prompt leaving a provider.

Everything is real: simulated traffic of three platforms that share operators, the full scan at each
provider, the STIX export, a TAXII 2.1 hub on 127.0.0.1, the correlation and the sightings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from distillguard.bench import read_labels
from distillguard.hub.members import new_member
from distillguard.hub.server import hub_in_thread
from distillguard.hub.store import open_store
from distillguard.pipeline import PeerInput, scan
from distillguard.report import DetectionReport
from distillguard.share.client import HubClient, publish_bundle, pull_bundle
from distillguard.share.export import export_bundle
from distillguard.share.keys import ConsortiumKey
from distillguard.share.sight import matches_of_report, sightings_bundle
from distillguard.simulate import SimulationConfig, simulate

# A demo-only consortium key: real members agree on a secret out of band (DISTILLGUARD_CONSORTIUM_KEY).
DEMO_KEY = ConsortiumKey(b"distillguard demo consortium key (not a secret)")
PEER_TRUST = 0.8


@dataclass(frozen=True, slots=True)
class PeerOutcome:
    provider: str
    events: int
    campaign_accounts: int  # accounts of the operators A detected
    found_alone: int  # of those, flagged by the provider's own scan
    found_with_peer: int  # of those, flagged with A's indicators
    false_positives_alone: int
    false_positives_with_peer: int
    sightings: int


@dataclass(frozen=True, slots=True)
class SharingOutcome:
    published: int
    peers: tuple[PeerOutcome, ...]
    sightings_received: int


def run_sharing_demo(
    report_a: DetectionReport, labels_a: Path, out: Path, *, days: int, scale: float, seed: int
) -> SharingOutcome:
    now = report_a.window.end or report_a.generated_at
    detected_ops = _detected_operators(report_a, labels_a)
    store = open_store(out / "hub.db")
    for name in ("provider-a", "provider-b", "provider-c"):
        if store.get_member(name) is None:
            store.add_member(new_member(name, f"{name}-password"))
    with hub_in_thread(store) as hub_url:
        bundle = export_bundle(report_a.to_dict(), "provider-a", DEMO_KEY, now=now)
        with HubClient(hub_url, "provider-a", "provider-a-password") as client:
            published = publish_bundle(client, bundle, "provider-a").succeeded
        peers = tuple(
            _peer(hub_url, name, platform, detected_ops, out, now, days=days, scale=scale, seed=seed)
            for name, platform in (("provider-b", "B"), ("provider-c", "C"))
        )
        with HubClient(hub_url, "provider-a", "provider-a-password") as client:
            received = pull_bundle(client, "provider-a")
    sightings = sum(1 for o in received["objects"] if o.get("type") == "sighting")
    store.close()
    return SharingOutcome(published, peers, sightings)


def _peer(
    hub_url: str,
    member: str,
    platform: str,
    detected_ops: set[str],
    out: Path,
    now: datetime,
    *,
    days: int,
    scale: float,
    seed: int,
) -> PeerOutcome:
    folder = out / member
    summary = simulate(
        SimulationConfig.from_dict(
            {"platform": platform, "days": days, "seed": seed, "scale": scale, "out_dir": folder}
        )
    )
    password = f"{member}-password"
    with HubClient(hub_url, member, password) as client:
        peer_bundle = pull_bundle(client, member)
    peer_path = folder / "peer.json"
    peer_path.write_text(json.dumps(peer_bundle), encoding="utf-8")
    alone = scan([summary.traffic_path], quarantine_path=folder / "quarantine.jsonl", now=now)
    with_peer = scan(
        [summary.traffic_path],
        quarantine_path=folder / "quarantine.jsonl",
        now=now,
        peer=PeerInput(peer_path, (f"provider-a={PEER_TRUST}",), key=DEMO_KEY),
    )
    sightings = sightings_bundle(matches_of_report(with_peer.to_dict()), member, now=now)
    with HubClient(hub_url, member, password) as client:
        publish_bundle(client, sightings, member)
    labels = read_labels(summary.labels_path)
    targets = {a for a, label in labels.items() if label.campaign_id in detected_ops}
    legit = {a for a, label in labels.items() if not label.malicious}
    flagged_alone = {v.account_id for v in alone.flagged_accounts}
    flagged_peer = {v.account_id for v in with_peer.flagged_accounts}
    return PeerOutcome(
        provider=member,
        events=with_peer.events,
        campaign_accounts=len(targets),
        found_alone=len(targets & flagged_alone),
        found_with_peer=len(targets & flagged_peer),
        false_positives_alone=len(legit & flagged_alone),
        false_positives_with_peer=len(legit & flagged_peer),
        sightings=sum(1 for o in sightings["objects"] if o["type"] == "sighting"),
    )


def _detected_operators(report: DetectionReport, labels_path: Path) -> set[str]:
    """The simulator's operators behind A's flagged campaigns (ground truth, to score B and C)."""
    labels = read_labels(labels_path)
    members = {a for c in report.result.campaigns for a in c.accounts}
    return {campaign for a in members if a in labels and (campaign := labels[a].campaign_id) is not None}


def print_sharing_outcome(outcome: SharingOutcome, console: Console) -> None:
    console.print(
        f"provider-a published {outcome.published} STIX objects to the hub (TLP:AMBER, keyed values)."
    )
    table = Table(
        title="B and C match provider-a's indicators against their own traffic",
        caption="targets: a peer's accounts run by the operators provider-a detected (simulator truth); "
        "sights: sightings it published back",
    )
    for column in (
        "peer",
        "events",
        "targets",
        "found alone",
        "with A",
        "FP alone",
        "FP with A",
        "sights",
    ):
        if column == "peer":  # the name must stay readable in an 80-column terminal; headers may wrap
            table.add_column(column, justify="left", no_wrap=True, min_width=len("provider-b"))
        else:
            table.add_column(column, justify="right")
    for peer in outcome.peers:
        table.add_row(
            peer.provider,
            f"{peer.events:,}",
            f"{peer.campaign_accounts}",
            f"{peer.found_alone}",
            f"{peer.found_with_peer}",
            f"{peer.false_positives_alone}",
            f"{peer.false_positives_with_peer}",
            f"{peer.sightings}",
        )
    console.print(table)
    for peer in outcome.peers:
        share = 100 * peer.found_with_peer / max(1, peer.campaign_accounts)
        alone = 100 * peer.found_alone / max(1, peer.campaign_accounts)
        console.print(
            f"{peer.provider}: {share:.0f}% of its targets flagged with A's indicators ({alone:.0f}% alone), "
            f"honest accounts flagged {peer.false_positives_alone} → {peer.false_positives_with_peer}."
        )
    console.print(f"provider-a received {outcome.sightings_received} sightings of its indicators back.")
