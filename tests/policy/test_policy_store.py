"""The SQLite audit trail, overrides with expiry, and the policy/decisions/override commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from distillguard.cli import app
from distillguard.detect.types import Evidence
from distillguard.errors import PolicyError
from distillguard.policy import Action, Decision, DecisionStore, apply_override, parse_duration

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
runner = CliRunner()


def throttled(account: str = "acct_x", at: datetime = NOW) -> Decision:
    return Decision(
        account_id=account,
        action=Action.THROTTLE,
        rule="flagged-account",
        policy_version="v7",
        decided_at=at,
        evidence=(Evidence("reasoning_elicitation", 0.93, "93% of 412 requests"),),
        score=0.91,
        requests_per_minute=20,
        burst=4,
    )


def test_decisions_round_trip_newest_first(tmp_path: Path) -> None:
    with DecisionStore(tmp_path) as store:
        store.record([throttled(at=NOW), throttled("acct_y", NOW + timedelta(seconds=1))])
        store.record([throttled(at=NOW + timedelta(seconds=2))])
        everything = store.decisions()
        assert [d.account_id for d in everything] == ["acct_x", "acct_y", "acct_x"]
        assert everything[0] == throttled(at=NOW + timedelta(seconds=2))
        assert [d.decided_at for d in store.decisions(account_id="acct_x")] == [
            NOW + timedelta(seconds=2),
            NOW,
        ]
        assert set(store.latest()) == {"acct_x", "acct_y"}
    # The trail survives a restart.
    with DecisionStore(tmp_path) as store:
        assert len(store.decisions()) == 3


def test_override_wins_until_it_expires(tmp_path: Path) -> None:
    with DecisionStore(tmp_path) as store:
        made = store.add_override("acct_x", Action.ALLOW, "customer verified", NOW, timedelta(days=7))
        active = store.active_overrides(NOW + timedelta(days=1))
        assert active["acct_x"] == made
        enforced = apply_override(throttled(at=NOW + timedelta(days=1)), made, NOW + timedelta(days=1))
        assert enforced.action is Action.ALLOW
        assert enforced.rule == f"override:{made.override_id}"
        assert enforced.evidence == throttled().evidence  # the evidence stays visible
        later = NOW + timedelta(days=8)
        assert store.active_overrides(later) == {}
        assert apply_override(throttled(at=later), made, later).action is Action.THROTTLE
        with pytest.raises(PolicyError):
            store.add_override("acct_x", Action.ALLOW, "  ", NOW)


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("12h", 43200), ("7d", 604800), ("2w", 1209600)]
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


def test_parse_duration_rejects_nonsense() -> None:
    with pytest.raises(PolicyError, match="7d"):
        parse_duration("a week")


def test_cli_policy_init_check_override_and_decisions(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    assert runner.invoke(app, ["policy", "init", "--out", str(policy)]).exit_code == 0
    assert "# " in policy.read_text()
    checked = runner.invoke(app, ["policy", "check", str(policy)])
    assert checked.exit_code == 0 and "policy is valid" in checked.output
    # init refuses to overwrite silently.
    assert runner.invoke(app, ["policy", "init", "--out", str(policy)]).exit_code != 0

    state = tmp_path / "state"
    with DecisionStore(state) as store:
        store.record([throttled()])
    made = runner.invoke(
        app,
        [
            "override",
            "acct_x",
            "--action",
            "allow",
            "--reason",
            "appeal upheld",
            "--state",
            str(state),
            "--expires",
            "7d",
        ],
    )
    assert made.exit_code == 0, made.output
    listed = runner.invoke(app, ["decisions", "--state", str(state), "--json", "--account", "acct_x"])
    doc = json.loads(listed.output)
    assert doc["decisions"][0]["rule"] == "flagged-account"
    assert doc["decisions"][0]["evidence"][0]["signal"] == "reasoning_elicitation"
    assert doc["overrides"][0]["reason"] == "appeal upheld"
    table = runner.invoke(app, ["decisions", "--state", str(state)], env={"COLUMNS": "200"})
    assert "flagged-account" in table.output and "throttle" in table.output


def test_cli_policy_check_reports_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nrules:\n  - name: a\n    action: throttle\n")
    result = runner.invoke(app, ["policy", "check", str(bad)])
    assert result.exit_code != 0
    assert isinstance(result.exception, PolicyError)
    assert result.exception.context["line"] == 4
