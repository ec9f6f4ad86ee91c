"""Deterministic generation of the labelled training corpus, and its split by phrasing family.

Examples are composed from instruction families (``instructions``) and task bodies, passages, answers and
subjects (``tasks``) with a seeded RNG, so the corpus is the same on every machine and needs no data file.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Final

import xxhash

from distillguard.fingerprint.training.instructions import FAMILIES, Family
from distillguard.fingerprint.training.tasks import ANSWERS, DATA_SUBJECTS, PASSAGES, TASKS

LANGUAGES: Final = ("en", "zh", "ru", "es", "de", "fr", "ja")
_COUNTS: Final = (5, 10, 20, 25, 30, 50, 100, 200)
_LEADS: Final = ("", "", "", "Q: ", "Problem: ", "Task: ", "Question:\n", "### Instruction\n")


@dataclass(frozen=True)
class Example:
    text: str
    labels: frozenset[str]
    capability: str
    family: str
    lang: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "labels": sorted(self.labels),
            "capability": self.capability,
            "family": self.family,
            "lang": self.lang,
        }


def held_out_families(families: tuple[Family, ...] = FAMILIES) -> frozenset[str]:
    """About a quarter of the families of every (label, language) group with three or more families.

    Chosen by a hash of the family name, so the choice does not depend on the order families are listed.
    """
    groups: dict[tuple[str | None, str], list[str]] = defaultdict(list)
    for family in families:
        groups[(family.label, family.lang)].append(family.name)
    held: set[str] = set()
    for names in groups.values():
        if len(names) >= 3:
            ranked = sorted(names, key=lambda name: xxhash.xxh32_intdigest(name.encode()))
            held.update(ranked[: max(1, round(len(names) / 4))])
    return frozenset(held)


def generate(seed: int = 0, per_phrasing: int = 8, families: tuple[Family, ...] = FAMILIES) -> list[Example]:
    """The corpus: ``per_phrasing`` examples per phrasing of every family (more for the bare-task family)."""
    rng = random.Random(seed)
    examples: list[Example] = []
    for family in families:
        repeats = per_phrasing * (6 if family.phrasings == ("{task}",) else 1)
        for phrasing in family.phrasings:
            examples.extend(_compose(rng, family, phrasing) for _ in range(repeats))
    return examples


def _task_language(rng: random.Random, family: Family) -> str:
    if family.lang == "en":
        return "en" if rng.random() < 0.85 else rng.choice(LANGUAGES)
    return family.lang if rng.random() < 0.8 else "en"


def _compose(rng: random.Random, family: Family, phrasing: str) -> Example:
    lang = _task_language(rng, family)
    capability = rng.choice(sorted(TASKS))
    task = rng.choice(TASKS[capability].get(lang) or TASKS[capability]["en"])
    if family.shape == "wrap":
        text = _wrap(rng, phrasing, task)
    else:
        subject, subject_capability = rng.choice(DATA_SUBJECTS.get(lang) or DATA_SUBJECTS["en"])
        answers = ANSWERS.get(lang) or ANSWERS["en"]
        text = phrasing.format(
            task=task,
            passage=rng.choice(PASSAGES.get(lang) or PASSAGES["en"]),
            answer=rng.choice(answers),
            answer2=rng.choice(answers),
            subject=subject,
            n=rng.choice(_COUNTS),
        )
        if "{subject}" in phrasing:
            capability = subject_capability
        elif "{task}" not in phrasing:
            capability = "writing" if "{passage}" in phrasing else "other"
    return Example(
        text=text,
        labels=frozenset({family.label}) if family.label else frozenset(),
        capability=family.capability or capability,
        family=family.name,
        lang=family.lang,
    )


def _wrap(rng: random.Random, instruction: str, task: str) -> str:
    lead = rng.choice(_LEADS)
    placement = rng.random()
    if placement < 0.4:
        return f"{lead}{task}\n\n{instruction}"
    if placement < 0.8:
        return f"{instruction}\n\n{lead}{task}"
    return f"{lead}{task} {instruction}"
