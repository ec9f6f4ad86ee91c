"""Compositional prompt builders shared by populations (openers x tasks x topics x constraints x formats)."""

from __future__ import annotations

import random

from distillguard.simulate import _vocab as v


def topic(r: random.Random, domain: str | None = None) -> str:
    return r.choice(v.DOMAINS[domain or r.choice(v.DOMAIN_NAMES)])


def topic_question(r: random.Random, domain: str | None = None) -> str:
    return r.choice(v.QUESTION_FRAMES).format(t=topic(r, domain))


def math_problem(r: random.Random) -> str:
    """A concrete math problem with fresh numbers."""
    a, b, c = r.randrange(2, 30), r.randrange(2, 60), r.randrange(1, 99)
    kind = r.randrange(10)
    if kind == 0:
        return f"Solve for x: {a}x^2 - {b}x + {c} = 0."
    if kind == 1:
        return f"Compute the integral of x^{a % 6 + 1} * e^({b % 5 + 1}x) dx."
    if kind == 2:
        return (
            f"How many ways can {a % 9 + 3} people be seated around a round table "
            "if two of them refuse to sit together?"
        )
    if kind == 3:
        return f"Prove that the sum of the first {b} odd numbers is a perfect square."
    if kind == 4:
        return (
            f"A bag has {a} red and {b} blue balls. Three are drawn without replacement. "
            "What is the probability that exactly two are red?"
        )
    if kind == 5:
        return f"Find the remainder when {a}^{b + 100} is divided by {c % 13 + 7}."
    if kind == 6:
        return f"Find all integer solutions of {a}x + {b}y = {c * 3}."
    if kind == 7:
        return (
            f"A triangle has sides {a}, {b} and {a + b - 1}. "
            "Find its area and the radius of its inscribed circle."
        )
    if kind == 8:
        return f"Determine the eigenvalues of the matrix [[{a}, {c % 10}], [{b % 10}, {a + 2}]]."
    return f"Show that the sequence a_n = ({a}n + {c})/({b}n - 1) converges and find its limit."


def coding_request(r: random.Random) -> str:
    return r.choice(v.CODE_VERBS).format(
        lang=r.choice(v.PROGRAMMING_LANGUAGES), task=r.choice(v.CODING_TASKS)
    )


def debug_request(r: random.Random) -> str:
    return r.choice(v.DEBUG_FRAMES).format(code=r.choice(v.BUGGY_SNIPPETS), error=r.choice(v.ERRORS))


def hard_question(r: random.Random, domain: str) -> str:
    """A question for a capability sweep: harder, more analytical phrasing than everyday use."""
    t = topic(r, domain)
    return r.choice(
        (
            f"Derive the key result behind {t} from first principles.",
            f"Analyse a non-trivial edge case of {t} and resolve it.",
            f"Construct a worked example that tests deep understanding of {t}.",
            f"Explain why {t} holds, and under which assumptions it fails.",
            f"Solve a challenging exam-level problem on {t}.",
            f"Critically evaluate the strongest objection to {t}.",
            f"Compare two competing explanations of {t} and decide which is better supported.",
        )
    )


def sweep_payload(r: random.Random) -> tuple[str, str]:
    """(domain, task) drawn across every domain: the broad coverage of a capability-extraction sweep."""
    domain = r.choice(v.DOMAIN_NAMES)
    roll = r.random()
    if domain == "math" and roll < 0.7:
        return domain, math_problem(r)
    if domain == "coding" and roll < 0.6:
        return domain, coding_request(r)
    if roll < 0.55:
        return domain, hard_question(r, domain)
    return domain, topic_question(r, domain)


def writing_request(r: random.Random) -> str:
    return r.choice(v.WRITING_TASKS).format(
        who=r.choice(v.WHO),
        what=r.choice(v.WHAT),
        snippet=r.choice(v.SNIPPETS),
        n=r.randrange(3, 15),
        lang=r.choice(("Spanish", "French", "German", "Japanese", "Portuguese", "Italian", "Korean")),
    )


def foreign_question(r: random.Random, lang: str, domain: str | None = None) -> str:
    return r.choice(v.FOREIGN_QUESTION_FRAMES[lang]).format(t=topic(r, domain))


def everyday_prompt(r: random.Random) -> str:
    """What an individual developer or chat user might type: many kinds, openers and closers."""
    roll = r.random()
    if roll < 0.12:
        body = foreign_question(r, r.choice(v.LANGUAGES[1:]))
        return body
    if roll < 0.32:
        body = coding_request(r)
    elif roll < 0.42:
        body = debug_request(r)
    elif roll < 0.62:
        body = writing_request(r)
    elif roll < 0.70:
        body = math_problem(r) + r.choice(("", " Explain step by step.", " Just the answer please.", ""))
    elif roll < 0.75:
        body = hard_question(r, r.choice(v.DOMAIN_NAMES))  # students and experts ask exam-level questions too
    elif roll < 0.76:
        body = r.choice(v.QUESTION_FRAMES).format(t=r.choice(v.SENSITIVE_SUBJECTS))  # ordinary curiosity
    else:
        body = topic_question(r)
    if r.random() < 0.03:
        # Ordinary users sometimes ask for the full reasoning too: the signal is the share, not the phrase.
        body += " " + reasoning_demand(r)
    return r.choice(v.CASUAL_OPENERS) + body + r.choice(v.CASUAL_CLOSERS)


def reasoning_demand(r: random.Random, lang: str = "en") -> str:
    if lang != "en":
        return r.choice(v.FOREIGN_REASONING_DEMANDS[lang])
    return r.choice(v.REASONING_DEMANDS)
