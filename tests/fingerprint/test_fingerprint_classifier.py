# ruff: noqa: E501, RUF001  (example prompts in several scripts, one per line)
"""The elicitation classifier: measured on held-back phrasings, and on clear cases in several languages.

The prompts below are written for this test and are not in the training corpus.
"""

from __future__ import annotations

import pytest

from distillguard.fingerprint import default_classifier
from distillguard.fingerprint.schema import LABELS
from distillguard.fingerprint.training import generate, held_out_families
from distillguard.fingerprint.training.evaluate import Evaluation, evaluate


@pytest.fixture(scope="module")
def held_back() -> Evaluation:
    return evaluate()


def test_reasoning_precision_on_held_back_phrasings(held_back: Evaluation) -> None:
    score = held_back.score("reasoning")
    assert score.positives >= 100 and score.negatives >= 100
    assert score.precision >= 0.9
    assert score.recall >= 0.5


def test_held_back_families_are_unseen_phrasings_in_several_languages() -> None:
    held = held_out_families()
    reasoning = {e.lang for e in generate() if e.family in held and "reasoning" in e.labels}
    assert {"en", "zh", "ru", "es", "de", "fr", "ja"} <= reasoning
    train_texts = {e.text for e in generate() if e.family not in held}
    assert not any(e.text in train_texts for e in generate() if e.family in held and e.labels)


def test_corpus_is_deterministic() -> None:
    assert [e.to_dict() for e in generate(seed=3)] == [e.to_dict() for e in generate(seed=3)]


POSITIVES = {
    "reasoning": [
        "How many weekdays are there in March 2025? Please reason step by step and show all of your intermediate work.",
        "Explain your complete chain of thought before giving the answer: is 221 a prime number?",
        "用中文一步一步推理，写出完整的思考过程：一个班有30人，男生比女生多4人，男生有多少人？",
        "Рассуждай шаг за шагом и подробно опиши ход решения: сколько будет 17 * 24?",
        "Piensa paso a paso y explica todo tu razonamiento: ¿cuántos días tiene un año bisiesto?",
        "Denke Schritt für Schritt und erkläre deinen gesamten Gedankengang: Was ist 15 % von 240?",
        "Réfléchis étape par étape et détaille ton raisonnement complet : combien font 12 fois 13 ?",
        "ステップバイステップで考えて、推論をすべて書いてください：12×13はいくつですか？",
    ],
    "grader": [
        'You are a strict grader. Rate the following answer from 1 to 10 and return JSON {"score": n}.\nQuestion: What is the boiling point of water?\nAnswer: 100 degrees Celsius at sea level.',
        "Which response is better, A or B? Reply with one letter.\nPrompt: write a haiku\nA: Autumn moon rises\nB: I like the moon",
        "请给下面的回答打分（1到10分），输出JSON。\n问题：天空为什么是蓝色的？\n回答：因为瑞利散射。",
        "Оцени этот ответ по шкале от 1 до 10 и верни JSON.\nВопрос: столица Франции?\nОтвет: Париж.",
    ],
    "rewrite": [
        "Rewrite the following answer so it contains nothing politically sensitive and would pass the censors: The 1989 protests were crushed by the army.",
        "请改写这段话，去掉所有政治敏感的内容：政府对抗议者进行了镇压。",
        "Перепиши текст так, чтобы убрать всё политически чувствительное: власти разогнали митинг.",
    ],
    "datagen": [
        "Generate 100 diverse customer questions about airline baggage fees, one per line.",
        "Create a dataset of 50 short product reviews with sentiment labels, formatted as JSONL.",
        "生成50个关于银行业务的多样化客户问题。",
        "Erzeuge 30 vielfältige Beispiele für Kundenbeschwerden über Lieferverzögerungen.",
    ],
    "taskgen": [
        "Create a new, hard competition math problem with a unique integer answer, and give the answer separately.",
        "Generate a new programming challenge with a precise specification and unit tests that check solutions automatically.",
        "Придумай новую сложную задачу по комбинаторике с единственным проверяемым ответом.",
    ],
}

ORDINARY = [
    "What is the capital of Canada?",
    "Write a Python function that checks whether a number is prime.",
    "Use the context below to answer. Context: Our office opens at 9. Question: when do you open?",
    "Classify this ticket as billing, shipping or other: my parcel never arrived",
    "Summarise this paragraph in one sentence: the committee met on Tuesday and approved the budget.",
    "Give me step-by-step instructions to install Docker on Ubuntu.",
    "Translate into German: the meeting is moved to Friday.",
    "Wie spät ist es in Tokio, wenn es in Berlin 12 Uhr ist?",
    "帮我写一封请假邮件。",
    "Напиши короткое поздравление с днём рождения для коллеги.",
    "Écris un poème court sur la mer.",
    "東京でおすすめのラーメン屋を教えてください。",
    "Fix the grammar: me and him goes to school yesterday.",
]


@pytest.mark.parametrize("label", LABELS)
def test_clear_positives_score_high(label: str) -> None:
    probabilities, _ = default_classifier().predict_texts(POSITIVES[label])
    scores = probabilities[:, LABELS.index(label)]
    assert scores.min() >= 0.5, dict(zip(POSITIVES[label], scores.round(2).tolist(), strict=True))


@pytest.mark.parametrize("label", LABELS)
def test_ordinary_requests_score_low(label: str) -> None:
    probabilities, _ = default_classifier().predict_texts(ORDINARY)
    scores = probabilities[:, LABELS.index(label)]
    assert scores.max() < 0.5, dict(zip(ORDINARY, scores.round(2).tolist(), strict=True))


def test_positives_of_one_label_do_not_fire_the_unrelated_ones() -> None:
    probabilities, _ = default_classifier().predict_texts(POSITIVES["datagen"] + POSITIVES["rewrite"])
    assert probabilities[:, LABELS.index("reasoning")].max() < 0.5
    assert probabilities[:, LABELS.index("grader")].max() < 0.5


def test_capability_of_clear_cases() -> None:
    _, capabilities = default_classifier().predict_texts(
        [
            "Write a Python function that merges two sorted lists.",
            "Solve for x: 3x + 7 = 22.",
            "Write a short poem about autumn leaves.",
            "Who painted the Mona Lisa?",
        ]
    )
    assert capabilities == ["coding", "math", "writing", "knowledge"]
