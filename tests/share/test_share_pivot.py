"""Model-release pivots are compared by the delay after each provider's own release, not by model name."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import polars as pl
from _share_testkit import NOW, make_traffic, report_for

from distillguard.share import ConsortiumKey, export_bundle, validation_errors
from distillguard.share import stix_types as st
from distillguard.share.correlate import CorrelationConfig, correlate

TRUST_A = CorrelationConfig(trusted_peers={"provider-a": 0.8})
START = NOW - timedelta(days=2)
PEER_RELEASE = START + timedelta(hours=30)  # provider A's "frontier-3" goes live
PEER_LAG_H = 2.5  # A's campaign moved to it 2.5 h later


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _peer_report(with_release: bool = True) -> dict[str, Any]:
    report = report_for(make_traffic(seed=1))
    campaign = report["campaigns"][0]
    campaign["indicators"]["models"]["frontier-3"] = _stamp(PEER_RELEASE + timedelta(hours=PEER_LAG_H))
    report["window"] = {"start": _stamp(START), "end": _stamp(NOW)}
    if with_release:  # what `distillguard scan` records: every model's first request on A's platform
        report["meta"] = {
            "model_first_seen": {"frontier-2": _stamp(START), "frontier-3": _stamp(PEER_RELEASE)}
        }
    return report


def _timing(bundle: dict[str, Any]) -> dict[str, Any]:
    (timing,) = [o for o in bundle["objects"] if o["type"] == st.TIMING_SIGNATURE]
    return timing


def test_export_carries_the_delay_after_the_publishers_own_release(key: ConsortiumKey) -> None:
    bundle = export_bundle(_peer_report(), "provider-a", key, now=NOW)
    assert validation_errors(bundle) == []
    uses = {u["model"]: u for u in _timing(bundle)["model_first_use"]}
    assert uses["frontier-3"]["release_lag_hours"] == PEER_LAG_H
    assert "release_lag_hours" not in uses["frontier-2"]  # in use from the start: not a release


def _requests(account: str, begin: float, end: float, every_min: float, model: Any) -> list[dict[str, Any]]:
    """Requests of ``account`` from ``begin`` to ``end`` hours into the local window; ``model(hour)``."""
    rows, hour = [], begin
    while hour < end:
        rows.append({"ts": START + timedelta(hours=hour), "account_id": account, "model": model(hour)})
        hour += every_min / 60
    return rows


def _local_traffic() -> pl.DataFrame:
    """Provider C names its models differently and released its new one 20 h into its window."""
    release = 20.0

    def pivot(lag: float) -> Any:  # 9 of 10 requests on the new model from the switch on
        return lambda h: "cirrus-xl" if h >= release + lag and round(h * 6) % 10 else "cirrus"

    rows = [
        # C's slice of the campaign: moves its harvest 3.5 h after C's release (A's campaign: 2.5 h).
        *_requests("acct_pivot", 0, 40, 10, pivot(3.5)),
        # A customer who tries the new model: the release itself, and a handful of requests.
        *_requests(
            "acct_tryer", 0, 40, 10, lambda h: "cirrus-xl" if release <= h < release + 0.5 else "cirrus"
        ),
        # A customer who moves over a day later: a migration, not the campaign's habit.
        *_requests("acct_migrates", 0, 40, 10, pivot(16)),
        # A new account that uses the new model from its first request: nothing to pivot from.
        *_requests("acct_newcomer", 22, 40, 10, lambda h: "cirrus-xl"),
    ]
    return pl.DataFrame(
        rows, schema={"ts": pl.Datetime("us", "UTC"), "account_id": pl.String, "model": pl.String}
    )


def test_a_local_pivot_matches_by_release_delay_across_model_names(key: ConsortiumKey) -> None:
    bundle = export_bundle(_peer_report(), "provider-a", key, now=NOW)
    result = correlate(_local_traffic(), bundle, key, TRUST_A, now=NOW)
    pivots = [m for m in result.matches if m.kind == "model pivot"]
    assert {m.account_id for m in pivots} == {"acct_pivot"}
    assert "cirrus-xl 3.5 h after its release here" in pivots[0].detail


def test_without_the_release_delay_differently_named_models_do_not_match(key: ConsortiumKey) -> None:
    bundle = export_bundle(_peer_report(with_release=False), "provider-a", key, now=NOW)
    assert all("release_lag_hours" not in u for u in _timing(bundle)["model_first_use"])
    result = correlate(_local_traffic(), bundle, key, TRUST_A, now=NOW)
    assert not [m for m in result.matches if m.kind == "model pivot"]
