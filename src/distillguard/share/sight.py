"""``share sight``: local matches of peer indicators, reported back as STIX sightings.

A sighting says "member X saw indicator Y, N times, between these dates" and nothing about which
local accounts: the match records (which name local accounts) stay in the local report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import stix2

from distillguard.errors import ShareError
from distillguard.hub.members import member_identity_id
from distillguard.share import stix_types as st


def sightings_bundle(
    matches: Sequence[Mapping[str, Any]], member: str, *, tlp: str = "amber", now: datetime | None = None
) -> dict[str, Any]:
    """One sighting per matched peer indicator (``matches`` as written by ``PeerMatch.to_dict``)."""
    if tlp not in st.TLP_LEVELS:
        raise ShareError(f"unknown TLP level {tlp!r}; use one of {', '.join(st.TLP_LEVELS)}")
    when = (now or datetime.now(UTC)).astimezone(UTC)
    identity_id = member_identity_id(member)
    identity = stix2.v21.Identity(
        id=identity_id,
        created_by_ref=identity_id,
        name=member,
        identity_class="organization",
        created=when,
        modified=when,
    )
    marking = st.tlp_marking(tlp)
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for match in matches:
        indicator = match.get("indicator_id")
        if not isinstance(indicator, str) or not indicator.startswith("indicator--"):
            raise ShareError("a peer match has no indicator_id: is this a report written with --peer?")
        grouped.setdefault(indicator, []).append(match)
    sightings = []
    for indicator, group in sorted(grouped.items()):
        kind = group[0].get("kind", "indicator")
        accounts = {str(m.get("account_id")) for m in group}
        first = min(str(m.get("first_seen") or when.isoformat()) for m in group)
        last = max(str(m.get("last_seen") or when.isoformat()) for m in group)
        sightings.append(
            stix2.v21.Sighting(
                sighting_of_ref=indicator,
                where_sighted_refs=[identity_id],
                count=len(accounts),
                first_seen=first,
                last_seen=max(first, last),
                description=f"Matched by {len(accounts)} local accounts ({kind}).",
                created_by_ref=identity_id,
                object_marking_refs=[marking.id],
                created=when,
                modified=when,
            )
        )
    bundle = stix2.v21.Bundle(objects=[marking, identity, *sightings], allow_custom=True)
    loaded: dict[str, Any] = json.loads(bundle.serialize())
    return loaded


def matches_of_report(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    matches = report.get("peer_matches")
    if not isinstance(matches, list):
        raise ShareError("the report has no 'peer_matches': scan with --peer PEER.json first")
    return matches
