"""The elicitation classifier: measured on held-back phrasings, and on clear cases in several languages."""

from __future__ import annotations

import pytest

from distillguard.fingerprint import default_classifier
from distillguard.fingerprint.schema import LABELS
from distillguard.fingerprint.training.evaluate import evaluate


@pytest.fixture(scope="module")
def held_back_evaluation():  # type: ignore[no-untyped-def]
    return evaluate()


def test_reasoning_precision_on_held_back_phrasings(held_back_evaluation) -> None:  # type: ignore[no-untyped-def]
    score = held_back_evaluation.score("reasoning")
    assert score.positives >= 100 and score.negatives >= 100
    assert score.precision >= 0.9


def probabilities(texts: list[str], label: str) -> list[float]:
    values, _ = default_classifier().predict_texts(texts)
    return [float(v) for v in values[:, LABELS.index(label)]]


ORDINARY = [
    "What is the capital of Canada?",
    "Write a Python function that checks whether a number is prime.",
    "Use the context below to answer. Context: Our office opens at 9. Question: when do you open?",
    "Classify this ticket as billing, shipping or other: my parcel never arrived",
    "Summarise this paragraph in one sentence: the committee met on Tuesday and approved the budget.",
    "¿Cuál es la capital de Perú?",
    "Wie spät ist es in Tokio, wenn es in Berlin 12 Uhr ist?",
    "帮我写一封请假邮件。",
]


def test_ordinary_requests_score_low_on_every_label() -> None:
    for label in LABELS:
        assert max(probabilities(ORDINARY, label)) < 0.5, label
