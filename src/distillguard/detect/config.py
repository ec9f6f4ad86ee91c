"""``DetectConfig``: every knob of the detection engine, with documented defaults.

Defaults are deliberately not fitted to any one traffic mix: signal scores are relative to the scanned
population's own robust baseline (median and MAD), so the numbers here are in units of "how unusual"
(robust z-scores) or are semantic (a label probability above one half means the label applies).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from distillguard.errors import ConfigError

# How much each signal counts in an account's (or a group's) evidence total. Content signals are
# alternatives (one operator elicits reasoning, another grades, a third reads soft labels through logprobs)
# so only the strongest of them counts, logprobs adding to it only on its own requests (``Signal.joint``).
# Logprob harvesting weighs a little more: top-k logprobs on one-token completions over thousands of
# different prompts has no product use but soft-label extraction (evaluation reruns of a fixed benchmark
# are excluded by the signal's novelty factor and by burst damping).
DEFAULT_WEIGHTS: dict[str, float] = {
    "reasoning_elicitation": 1.0,
    "model_as_grader": 1.0,
    "censorship_rewrite": 1.0,
    "bulk_datagen": 1.0,
    "rl_taskgen": 1.0,
    "logprob_harvesting": 1.2,
    "output_budget": 0.6,
    "template_coverage": 1.0,
    "reasoning_sweep": 1.0,
    "conversation_shape": 0.4,
    "timing": 0.6,
    "new_model_pivot": 0.9,
    "account_infrastructure": 0.7,
    "sustained_volume": 0.5,
    "end_user_rotation": 0.6,
}


@dataclass(frozen=True)
class DetectConfig:
    """Settings of ``distillguard.detect.detect``.

    threshold
        Accounts (and campaigns) scoring at or above this are flagged. Scores are a logistic function of
        the weighted evidence total, so 0.5 means "evidence total reaches ``evidence_bias``". Default 0.5.
    evidence_bias, evidence_slope
        The logistic that turns an evidence total into a score: score = 1 / (1 + exp(-slope * (total -
        bias))). With the default bias 1.6 no single signal (weight <= 1) flags anyone on its own: two
        strong, independent lines of evidence are needed.
    weak_cap
        The most that weak signals (conversation shape, sustained volume) add to the total together.
    z_low, z_high
        A feature's robust z-score (distance from the population median in MADs) maps to a signal score
        linearly from 0 at ``z_low`` to 1 at ``z_high``.
    min_requests
        Accounts with fewer requests still get scores, damped by ``requests / (requests + min_requests)``;
        they are still part of the population baseline (see ``baseline_min_requests``).
    baseline_min_requests
        Accounts with at least this many requests make up the population baseline. Default 1: the whole
        customer base. Campaigns are a small minority of all accounts, but in a window they can be most of
        the *heavy* accounts (a hydra cluster of hundreds of scripted accounts against a legitimate base of
        mostly light users); a baseline of heavy accounts only is then the campaigns' own behaviour, and
        nothing they do looks unusual. Each small account's shares are noisy, their median is not. Volume
        features are the exception: they are compared with the accounts of ``min_requests`` or more.
    min_active_share
        Signals of an account active in fewer than this share of the scan window's hours are damped
        (fully above four times this share), so that short bursts (an evaluation run) do not add up to a
        campaign. 0 disables it. Default 0.025 (about 2 of 72 hours).
    persistence_window_hours
        The share above is taken of the scan window's hours, or of this many if the window is shorter but
        at least half of it: a one-day scan (the gateway's rolling window, a daily batch job) cannot see
        the quiet days around a two-hour evaluation run, and the run is no less a burst for it. Windows
        shorter than half (the first hours after deployment) keep their own span. Single accounts only:
        a group's persistence is its typical member's active hours, and an operator rotating accounts
        makes each member brief by design, so groups are judged on the window. 0 disables it.
        Default 36 (a day and a half: an account active in 2 hours of a day is damped to 0.41, from 4 hours
        on not at all).
    fire_level
        A signal whose score reaches this counts as fired: it appears in the evidence list.
    weights
        Per-signal weights (see ``DEFAULT_WEIGHTS``); unknown names are rejected.
    signals
        Names of the signals to run (default: every registered one).
    cluster_threshold
        Jaccard similarity at which near-duplicate templates are grouped (passed to the catalog).
    link_threshold
        Minimum summed weight of shared indicators for two accounts to be linked in the graph.
    max_key_accounts
        An indicator (template, IP prefix and day, ...) shared by more accounts than this is not specific
        enough to link anyone (e.g. a common phrasing, a carrier-grade NAT).
    lockstep_bin_minutes, lockstep_min_bins, lockstep_jaccard
        Lockstep (SynchroTrap-style): two accounts are co-active when their active time bins overlap with
        at least this Jaccard similarity over at least ``lockstep_min_bins`` shared bins.
    creation_burst_minutes
        Accounts created within the same bin of this many minutes count as one creation burst.
    min_campaign_accounts
        Groups smaller than this are scored as single accounts, not as campaigns.
    new_model_margin_hours, pivot_hours
        A model first seen more than ``new_model_margin_hours`` after the window opened is new; requests to
        it within ``pivot_hours`` of its first appearance count as a pivot.
    """

    threshold: float = 0.5
    evidence_bias: float = 1.6
    evidence_slope: float = 4.0
    weak_cap: float = 0.4
    z_low: float = 2.0
    z_high: float = 6.0
    min_requests: int = 20
    baseline_min_requests: int = 1
    min_active_share: float = 0.025
    persistence_window_hours: float = 36.0
    fire_level: float = 0.5
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    signals: tuple[str, ...] | None = None
    cluster_threshold: float = 0.7
    link_threshold: float = 1.0
    max_key_accounts: int = 2000
    lockstep_bin_minutes: int = 10
    lockstep_min_bins: int = 6
    lockstep_jaccard: float = 0.5
    creation_burst_minutes: int = 60
    min_campaign_accounts: int = 2
    new_model_margin_hours: float = 6.0
    pivot_hours: float = 48.0

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ConfigError(f"threshold must be between 0 and 1, got {self.threshold}", field="threshold")
        if self.z_high <= self.z_low:
            raise ConfigError("z_high must be greater than z_low", field="z_high")
        if self.min_campaign_accounts < 2:
            raise ConfigError("min_campaign_accounts must be at least 2", field="min_campaign_accounts")
        for name, weight in self.weights.items():
            if weight < 0:
                raise ConfigError(f"weight of {name!r} must not be negative", field="weights")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DetectConfig:
        """Build from a mapping (e.g. a YAML ``detect:`` section); unknown keys are an error."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(f"unknown detect setting(s): {', '.join(unknown)}", field=unknown[0])
        kwargs: dict[str, Any] = {}
        try:
            for name, value in data.items():
                if name == "weights":
                    if not isinstance(value, Mapping):
                        raise ConfigError("weights must be a mapping of signal name to number", field=name)
                    kwargs[name] = {**DEFAULT_WEIGHTS, **{str(k): float(v) for k, v in value.items()}}
                elif name == "signals":
                    kwargs[name] = None if value is None else tuple(str(v) for v in value)
                else:
                    kwargs[name] = type(getattr(cls(), name))(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"invalid detect setting: {exc}") from None
        return cls(**kwargs)

    @classmethod
    def from_yaml(cls, path: str | Path) -> DetectConfig:
        """Read a YAML file holding either the settings or a ``detect:`` section with them."""
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise ConfigError(f"cannot read detect config: {exc.strerror}", path=str(path)) from None
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            raise ConfigError("detect config is not valid YAML", path=str(path), line=line) from None
        if not isinstance(data, Mapping):
            raise ConfigError("detect config must be a mapping", path=str(path))
        section = data.get("detect", data)
        if not isinstance(section, Mapping):
            raise ConfigError("the detect section must be a mapping", path=str(path))
        return cls.from_dict(section)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["weights"] = dict(self.weights)
        data["signals"] = list(self.signals) if self.signals is not None else None
        return data

    def weight(self, signal: str) -> float:
        return float(self.weights.get(signal, 0.0))
