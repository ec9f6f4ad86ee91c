"""policy: this provider's own rules from detections (and peers' signals) to actions, with an audit trail."""

from __future__ import annotations

from importlib import resources

from distillguard.policy.model import PEER_SIGNAL, Action, Conditions, Decision, Policy, Rule
from distillguard.policy.store import DecisionStore, Override, apply_override, parse_duration

__all__ = [
    "PEER_SIGNAL",
    "Action",
    "Conditions",
    "Decision",
    "DecisionStore",
    "Override",
    "Policy",
    "Rule",
    "apply_override",
    "default_policy_text",
    "parse_duration",
]


def default_policy_text() -> str:
    """The documented default policy (``distillguard policy init`` writes it)."""
    return resources.files(__package__).joinpath("default_policy.yaml").read_text(encoding="utf-8")
