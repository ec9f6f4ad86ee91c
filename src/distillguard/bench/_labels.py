"""Ground truth of simulated traffic, and how a detection result scores against it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

from distillguard.detect.types import AccountVerdict
from distillguard.errors import InputFormatError

# A true campaign counts as found when at least this share of its accounts is flagged.
CAMPAIGN_FOUND_SHARE = 0.5
# Large, low-volume populations of ordinary individual users: the background, not the hard negatives,
# for label files that do not say which accounts are hard negatives.
BACKGROUND_POPULATIONS = frozenset({"indie_dev"})


@dataclass(frozen=True, slots=True)
class AccountLabel:
    account_id: str
    population: str
    malicious: bool
    campaign_id: str | None
    # A legitimate account that looks most like distillation (RAG, batch jobs, evaluations, agents, ...).
    hard_negative: bool = False


def read_labels(path: Path) -> dict[str, AccountLabel]:
    """Read a simulator's ``labels.jsonl`` (one object per account)."""
    labels: dict[str, AccountLabel] = {}
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise InputFormatError(f"cannot read labels: {exc.strerror}", path=str(path)) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
            malicious = bool(row["malicious"])
            population = str(row["population"])
            default_hard = not malicious and population not in BACKGROUND_POPULATIONS
            label = AccountLabel(
                account_id=str(row["account_id"]),
                population=population,
                malicious=malicious,
                campaign_id=row.get("campaign_id"),
                hard_negative=bool(row.get("hard_negative", default_hard)),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputFormatError(f"bad label line: {exc!r}", path=str(path), line=number) from exc
        labels[label.account_id] = label
    return labels


@dataclass(frozen=True, slots=True)
class PopulationScore:
    population: str
    malicious: bool
    accounts: int
    flagged: int

    @property
    def rate(self) -> float:
        return self.flagged / self.accounts if self.accounts else 0.0


@dataclass(frozen=True, slots=True)
class Scorecard:
    true_positives: int
    false_positives: int
    false_negatives: int
    legit_accounts: int
    hard_negative_accounts: int
    hard_negative_flagged: int
    campaigns_total: int
    campaigns_found: int
    populations: tuple[PopulationScore, ...]

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        positives = self.true_positives + self.false_negatives
        return self.true_positives / positives if positives else 1.0

    @property
    def false_positive_rate(self) -> float:
        return self.false_positives / self.legit_accounts if self.legit_accounts else 0.0

    @property
    def campaign_recall(self) -> float:
        return self.campaigns_found / self.campaigns_total if self.campaigns_total else 1.0


def score_accounts(verdicts: Iterable[AccountVerdict], labels: Mapping[str, AccountLabel]) -> Scorecard:
    """Compare verdicts with labels; accounts without a label are ignored (they were not simulated)."""
    flagged = {v.account_id for v in verdicts if v.flagged}
    per_population: dict[tuple[str, bool], list[int]] = defaultdict(lambda: [0, 0])
    per_campaign: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    tp = fp = fn = legit = hard = hard_flagged = 0
    for label in labels.values():
        hit = label.account_id in flagged
        counts = per_population[(label.population, label.malicious)]
        counts[0] += 1
        counts[1] += hit
        if label.malicious:
            tp += hit
            fn += not hit
            if label.campaign_id:
                per_campaign[label.campaign_id][0] += 1
                per_campaign[label.campaign_id][1] += hit
        else:
            legit += 1
            fp += hit
            hard += label.hard_negative
            hard_flagged += label.hard_negative and hit
    found = sum(1 for total, hits in per_campaign.values() if hits >= CAMPAIGN_FOUND_SHARE * total)
    populations = tuple(
        PopulationScore(name, malicious, counts[0], counts[1])
        for (name, malicious), counts in sorted(per_population.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    )
    return Scorecard(tp, fp, fn, legit, hard, hard_flagged, len(per_campaign), found, populations)
