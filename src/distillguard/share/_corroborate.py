"""How peers' matched indicators change a local verdict: they corroborate, they never accuse.

The detection engine scores an account by its *evidence total* (the weighted sum of its signal scores)
through a logistic whose bias (1.6 by default) is larger than any one signal's weight, so one line of
evidence never flags anyone. A peer's campaign is folded in the same way, as one more line of evidence:

* each matched indicator says ``trust * peer confidence * kind weight`` (the ``PeerMatch.confidence``);
* it is scaled by its **local specificity**: the share of the local accounts matching that indicator
  which show evidence of their own (evidence total at least ``corroboration_min_total``). A system
  prompt or User-Agent that hundreds of quiet customers share says nothing about any one of them, while
  templates matched only by accounts that already look odd pick out the campaign's slice;
* per peer campaign, each kind of indicator counts with its strongest match, kinds combine by noisy-OR
  (ten template fingerprints of one campaign are one piece of evidence, not ten), and an account
  matching several peer campaigns keeps the strongest: the corroboration strength ``p`` in [0, 1];
* a peer's model-pivot indicator describes the very behaviour the local ``new_model_pivot`` signal has
  already scored: for an account whose own evidence includes that signal it is shown, but adds nothing
  (a legitimate product that moves to a new model on launch day must not count its move twice);
* an account whose own evidence total is at least ``corroboration_min_total`` gets ``peer_weight * p``
  added to its total and is re-scored with the engine's own logistic. An account below that floor keeps
  its score: the evidence is attached for a reviewer, but a peer's signal alone does not move it.

With the default ``peer_weight`` (1.5, below the bias) even a fully trusted, fully confident, perfectly
specific peer match could not flag an account on its own, and the floor makes sure it never has to be
tested: both guards hold independently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from distillguard.detect.config import DetectConfig
from distillguard.detect.types import Evidence

if TYPE_CHECKING:
    from distillguard.share.correlate import PeerMatch

SIGNAL = "peer_indicator"
# Indicator kinds that restate a local signal, and that signal: counted once, by the local engine.
LOCALLY_SCORED_KINDS: dict[str, str] = {"model pivot": "new_model_pivot"}


@dataclass(frozen=True, slots=True)
class Corroboration:
    """What the peers' matches add up to for one local account."""

    account_id: str
    strength: float  # p in [0, 1]: the strongest peer campaign's specific, trusted match
    evidence: tuple[Evidence, ...]  # one per peer campaign, its value that campaign's strength


def evidence_total(score: float, detect: DetectConfig) -> float:
    """The evidence total behind an engine score (the inverse of its logistic; totals are never < 0)."""
    clipped = min(max(float(score), 1e-9), 1.0 - 1e-9)
    return max(0.0, detect.evidence_bias + math.log(clipped / (1.0 - clipped)) / detect.evidence_slope)


def score_of_total(total: float, detect: DetectConfig) -> float:
    return 1.0 / (1.0 + math.exp(-detect.evidence_slope * (total - detect.evidence_bias)))


def indicator_specificity(
    matches: Iterable[PeerMatch], own_totals: Mapping[str, float], floor: float
) -> dict[str, tuple[int, int]]:
    """indicator id -> (matched local accounts with evidence of their own, matched local accounts)."""
    accounts: dict[str, set[str]] = {}
    for match in matches:
        accounts.setdefault(match.indicator_id, set()).add(match.account_id)
    return {
        indicator: (sum(own_totals.get(a, 0.0) >= floor for a in members), len(members))
        for indicator, members in accounts.items()
    }


def corroborations(
    matches: Iterable[PeerMatch],
    own_totals: Mapping[str, float],
    floor: float,
    own_signals: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, Corroboration]:
    """Each matched account's corroboration strength and its ``peer_indicator`` evidence.

    ``own_signals`` names the local signals in each account's own evidence; a match of a kind in
    ``LOCALLY_SCORED_KINDS`` whose signal is among them adds nothing."""
    own_signals = own_signals or {}
    matches = list(matches)
    specificity = indicator_specificity(matches, own_totals, floor)
    grouped: dict[tuple[str, str, str], list[PeerMatch]] = {}
    for match in matches:
        grouped.setdefault((match.account_id, match.peer, match.campaign_id), []).append(match)
    evidence: dict[str, list[Evidence]] = {}
    strength: dict[str, float] = {}
    for (account, peer, _campaign), group in sorted(grouped.items()):
        best: dict[str, tuple[float, PeerMatch]] = {}
        for m in group:
            specific, matched = specificity[m.indicator_id]
            value = m.confidence * specific / matched
            if LOCALLY_SCORED_KINDS.get(m.kind) in own_signals.get(account, frozenset()):
                value = 0.0
            if m.kind not in best or value > best[m.kind][0]:
                best[m.kind] = (value, m)
        combined = 1.0 - math.prod(1.0 - value for value, _ in best.values())
        strength[account] = max(strength.get(account, 0.0), combined)
        evidence.setdefault(account, []).append(
            Evidence(signal=SIGNAL, value=round(combined, 4), detail=_detail(peer, group, best, specificity))
        )
    return {
        account: Corroboration(account, min(1.0, strength[account]), tuple(items))
        for account, items in evidence.items()
    }


def _detail(
    peer: str,
    group: list[PeerMatch],
    best: Mapping[str, tuple[float, PeerMatch]],
    specificity: Mapping[str, tuple[int, int]],
) -> str:
    counts: dict[str, int] = {}
    for m in {m.indicator_id: m for m in group}.values():
        counts[m.kind] = counts.get(m.kind, 0) + 1
    listed = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    parts = []
    for kind, (value, m) in sorted(best.items()):
        specific, matched = specificity[m.indicator_id]
        part = f"{kind} {m.detail}: {m.confidence:.2f} * {specific}/{matched} specific here = {value:.2f}"
        if value == 0.0 and specific and kind in LOCALLY_SCORED_KINDS:
            part += f", already counted by this account's own {LOCALLY_SCORED_KINDS[kind]} evidence"
        parts.append(part)
    return (
        f"{peer} reports campaign '{group[0].campaign_name}'; this account matches {listed} "
        f"indicator(s) ({'; '.join(parts)})"
    )
