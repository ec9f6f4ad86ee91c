"""Policy loading, validation errors with line numbers, and rule evaluation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from distillguard.detect.types import AccountVerdict, Campaign, Evidence
from distillguard.errors import PolicyError
from distillguard.policy import PEER_SIGNAL, Action, Policy, default_policy_text

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def verdict(
    account: str = "acct_a",
    score: float = 0.1,
    flagged: bool = False,
    campaign_id: str | None = None,
    evidence: tuple[Evidence, ...] = (),
) -> AccountVerdict:
    return AccountVerdict(account, score, flagged, campaign_id, 100, NOW - timedelta(days=1), NOW, evidence)


def campaign(score: float = 0.95, accounts: int = 5) -> Campaign:
    members = tuple(f"acct_{i}" for i in range(accounts))
    return Campaign(
        "cmp_1", score, members, NOW, NOW, 1000, ("reasoning",), (Evidence("shared_template", 38, "x"),)
    )


def peer(value: float = 1.0) -> Evidence:
    return Evidence(PEER_SIGNAL, value, "a peer provider's indicator matched")


DEFAULT = Policy.from_yaml(default_policy_text(), "default")


def test_default_policy_loads_and_is_documented() -> None:
    assert DEFAULT.version == "default-1"
    assert not DEFAULT.dry_run
    text = default_policy_text()
    # Every rule is preceded by a comment explaining it.
    for rule in DEFAULT.rules:
        before = text.split(f"- name: {rule.name}")[0].rstrip().splitlines()[-1]
        assert before.strip().startswith("#"), rule.name


@pytest.mark.parametrize("strength", [0.5, 1.0, 50.0])
def test_default_policy_never_blocks_or_throttles_on_a_peer_signal_alone(strength: float) -> None:
    decision = DEFAULT.decide(verdict(score=0.2, evidence=(peer(strength),)), None, None, NOW)
    assert decision.action is Action.MONITOR
    assert decision.rule == "peer-signal-only"
    # Even a brand-new account with only a peer's signal is not restricted.
    young = DEFAULT.decide(verdict(score=0.2, evidence=(peer(strength),)), None, NOW - timedelta(days=1), NOW)
    assert young.action.serves and young.action is not Action.THROTTLE


def test_default_policy_acts_on_local_evidence() -> None:
    flagged = DEFAULT.decide(verdict(score=0.85, flagged=True), None, NOW - timedelta(days=90), NOW)
    assert flagged.action is Action.THROTTLE and flagged.requests_per_minute == 20
    corroborated = DEFAULT.decide(verdict(score=0.85, flagged=True, evidence=(peer(),)), None, None, NOW)
    assert corroborated.action is Action.REQUIRE_VERIFICATION
    member = DEFAULT.decide(verdict(score=0.9, flagged=True, campaign_id="cmp_1"), campaign(), None, NOW)
    assert member.action is Action.BLOCK and member.rule == "confirmed-campaign"
    assert {e.signal for e in member.evidence} == {"shared_template"}
    assert DEFAULT.decide(verdict(score=0.05), None, None, NOW).action is Action.ALLOW


def test_allow_list_wins_over_later_rules() -> None:
    text = default_policy_text().replace("researchers: []", "researchers: [acct_lab]")
    policy = Policy.from_yaml(text, "p.yaml")
    decision = policy.decide(
        verdict("acct_lab", score=0.99, flagged=True, campaign_id="cmp_1"), campaign(), None, NOW
    )
    assert decision.action is Action.ALLOW and decision.rule == "verified-accounts"


def test_signal_minimums_and_account_age() -> None:
    policy = Policy.from_yaml(
        """
version: "2"
rules:
  - name: harvest
    when:
      signals: {reasoning_elicitation: 0.8, logprob_harvest: 0.5}
      account_age_max_days: 30
    action: throttle
    requests_per_minute: 6
    burst: 2
""",
        "p.yaml",
    )
    both = (Evidence("reasoning_elicitation", 0.9, ""), Evidence("logprob_harvest", 0.6, ""))
    young = NOW - timedelta(days=3)
    assert policy.decide(verdict(evidence=both), None, young, NOW).action is Action.THROTTLE
    assert policy.decide(verdict(evidence=both), None, young, NOW).burst == 2
    # Unknown age never satisfies an age condition; an old account does not either.
    assert policy.decide(verdict(evidence=both), None, None, NOW).action is Action.ALLOW
    assert policy.decide(verdict(evidence=both), None, NOW - timedelta(days=90), NOW).action is Action.ALLOW
    weak = (Evidence("reasoning_elicitation", 0.7, ""), Evidence("logprob_harvest", 0.6, ""))
    assert policy.decide(verdict(evidence=weak), None, young, NOW).action is Action.ALLOW


def test_dry_run_records_but_does_not_enforce() -> None:
    policy = Policy.from_yaml(
        "version: t\ndry_run: true\nrules:\n  - name: all\n    action: block\n", "p.yaml"
    )
    decision = policy.decide(verdict(), None, None, NOW)
    assert decision.action is Action.BLOCK
    assert decision.enforced_action is Action.ALLOW


def test_from_dict_round_trip() -> None:
    again = Policy.from_dict(DEFAULT.to_dict())
    assert again.rules == DEFAULT.rules
    assert again.version == DEFAULT.version


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("version: 1\nrules:\n  - name: a\n    action: blok\n", 4, "did you mean 'block'"),
        (
            "version: 1\nrules:\n  - name: a\n    when:\n      acount_score_min: 0.5\n    action: allow\n",
            5,
            "did you mean 'account_score_min'",
        ),
        (
            "version: 1\nrules:\n  - name: a\n    when:\n      account_score_min: 1.5\n    action: allow\n",
            5,
            "between 0 and 1",
        ),
        ("version: 1\nrules:\n  - name: a\n    action: throttle\n", 4, "requests_per_minute"),
        (
            "version: 1\nrules:\n  - name: a\n    action: block\n    requests_per_minute: 5\n",
            5,
            "only applies to action 'throttle'",
        ),
        (
            "version: 1\nrules:\n  - name: p\n    when: {peer_corroborated: true}\n    action: block\n",
            5,
            "peer's signal alone",
        ),
        (
            "version: 1\nrules:\n  - name: a\n    action: allow\n  - name: a\n    action: allow\n",
            5,
            "duplicate rule name",
        ),
        (
            "version: 1\nrules:\n  - name: a\n    when: {in_allow_list: partners}\n    action: allow\n",
            4,
            "unknown allow-list 'partners'",
        ),
        (
            "version: 1\nrules:\n  - name: a\n    when: {flagged: yes please}\n    action: allow\n",
            4,
            "expected true or false",
        ),
        ("rules: []\n", 1, "missing 'version'"),
        ("version: 1\nrules: [\n", 3, "not valid YAML"),
        ("version: 1\ndryrun: true\nrules: []\n", 2, "did you mean 'dry_run'"),
    ],
)
def test_invalid_policies_name_the_file_line_and_problem(text: str, line: int, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text, "mypolicy.yaml")
    assert message in caught.value.message
    assert caught.value.context["path"] == "mypolicy.yaml"
    assert caught.value.context["line"] == line


def test_peer_only_block_allowed_when_explicit() -> None:
    text = "version: 1\nrules:\n  - name: p\n    when: {peer_corroborated: true}\n    action: block\n"
    policy = Policy.from_yaml(text.replace("action: block", "action: block\n    allow_peer_only: true"), "p")
    assert policy.decide(verdict(evidence=(peer(),)), None, None, NOW).action is Action.BLOCK


def test_evidence_shared_by_account_and_campaign_is_not_repeated() -> None:
    shared = Evidence("reasoning_elicitation", 1.0, "all requests ask for reasoning")
    member = verdict(score=0.9, flagged=True, campaign_id="cmp_1", evidence=(shared,))
    group = Campaign(
        "cmp_1", 0.5, ("acct_a",), NOW, NOW, 10, (), (shared, Evidence("timing", 0.7, "lockstep"))
    )
    decision = DEFAULT.decide(member, group, None, NOW)
    assert [e.signal for e in decision.evidence] == ["reasoning_elicitation", "timing"]
