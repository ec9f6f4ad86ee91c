"""A peer's model-pivot indicator restates the local new-model-pivot signal: it must not count twice."""

from __future__ import annotations

from distillguard.share._corroborate import corroborations
from distillguard.share.correlate import PeerMatch


def _match(account: str, kind: str, indicator: str) -> PeerMatch:
    return PeerMatch(
        account_id=account,
        peer="provider-a",
        indicator_id=indicator,
        campaign_id="campaign--1",
        campaign_name="Distillation campaign 1",
        kind=kind,
        confidence=0.3,
        first_seen="2026-03-01T00:00:00Z",
        last_seen="2026-03-02T00:00:00Z",
        detail="moved 59% of its traffic to the new model 3.2 h after its release here",
    )


def test_pivot_match_adds_nothing_to_an_account_whose_own_pivot_signal_fired() -> None:
    matches = [_match("launch_day", "model pivot", "ind-pivot"), _match("quiet", "model pivot", "ind-pivot")]
    own_totals = {"launch_day": 1.2, "quiet": 0.9}
    own_signals = {"launch_day": frozenset({"new_model_pivot", "sustained_volume"}), "quiet": frozenset()}
    result = corroborations(matches, own_totals, 0.5, own_signals)
    assert result["launch_day"].strength == 0.0
    assert "already counted by this account's own new_model_pivot" in result["launch_day"].evidence[0].detail
    # The same match still corroborates an account whose pivot the local engine did not score.
    assert result["quiet"].strength > 0.25


def test_other_kinds_still_corroborate_accounts_with_a_local_pivot() -> None:
    matches = [_match("op", "model pivot", "ind-pivot"), _match("op", "template", "ind-template")]
    result = corroborations(matches, {"op": 1.2}, 0.5, {"op": frozenset({"new_model_pivot"})})
    assert result["op"].strength > 0.25
