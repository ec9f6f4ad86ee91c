"""Held-back evaluation of the text classifier: train on some phrasing families, test on the others.

Run ``python -m distillguard.fingerprint.training.evaluate`` to print the table in ``docs/fingerprint.md``.
Held-back families (``held_out_families``) are whole phrasings the model never sees in training, in every
language that has at least three families of a label, ordinary requests included; a random split of rows
would instead test the model on wordings it was trained on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from distillguard.fingerprint._classifier import TextClassifier
from distillguard.fingerprint.schema import LABELS
from distillguard.fingerprint.training.corpus import Example, generate, held_out_families

THRESHOLD = 0.5


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    positives: int
    negatives: int


@dataclass(frozen=True)
class Evaluation:
    scores: tuple[LabelScore, ...]
    capability_accuracy: float
    train_examples: int
    test_examples: int
    train_seconds: float

    def score(self, label: str) -> LabelScore:
        return next(s for s in self.scores if s.label == label)

    def to_markdown(self) -> str:
        lines = [
            f"Trained on {self.train_examples} examples in {self.train_seconds:.2f} s; "
            f"tested on {self.test_examples} examples of held-back phrasing families "
            f"(threshold {THRESHOLD}).",
            "",
            "| label | precision | recall | held-back positives | held-back negatives |",
            "| --- | --- | --- | --- | --- |",
        ]
        for s in self.scores:
            row = (s.label, f"{s.precision:.3f}", f"{s.recall:.3f}", str(s.positives), str(s.negatives))
            lines.append("| " + " | ".join(row) + " |")
        lines += ["", f"Capability accuracy on held-back examples: {self.capability_accuracy:.3f}"]
        return "\n".join(lines)


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    held = held_out_families()
    return [e for e in examples if e.family not in held], [e for e in examples if e.family in held]


def evaluate(seed: int = 0) -> Evaluation:
    train, test = split(generate(seed))
    started = time.perf_counter()
    classifier = TextClassifier.train(train)
    seconds = time.perf_counter() - started
    probabilities, capabilities = classifier.predict_texts([e.text for e in test])
    scores = []
    for column, label in enumerate(LABELS):
        truth = np.array([label in e.labels for e in test])
        predicted = probabilities[:, column] >= THRESHOLD
        true_positive = int(np.sum(truth & predicted))
        scores.append(
            LabelScore(
                label=label,
                precision=true_positive / max(1, int(predicted.sum())),
                recall=true_positive / max(1, int(truth.sum())),
                positives=int(truth.sum()),
                negatives=int((~truth).sum()),
            )
        )
    accuracy = float(np.mean([c == e.capability for c, e in zip(capabilities, test, strict=True)]))
    return Evaluation(tuple(scores), accuracy, len(train), len(test), seconds)


if __name__ == "__main__":
    print(evaluate().to_markdown())
