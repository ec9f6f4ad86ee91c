"""Education products: a tutoring app whose every answer must explain the steps (a hard negative).

Added after the holdout benchmark flagged a tutoring product (the lead disclosed the population, not the
holdout's code): the simulator had no legitimate product that asks for step-by-step reasoning at volume.
A tutoring app looks like reasoning elicitation on every request, yet it is a product: one backend, its own
system prompt, a narrow school curriculum, students asking in the afternoon and evening of their time zone,
and multi-turn follow-ups when a step is unclear.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from distillguard.simulate import _timing as t
from distillguard.simulate._events import EventFactory
from distillguard.simulate._model import Account
from distillguard.simulate._network import custom_user_agent, ipv4_in, ipv4_prefix, sdk_user_agent
from distillguard.simulate.populations._base import DAY, Out, Population, body, completion_length, register

# Students' local hours: a little before school, most after school and in the evening, a late tail.
AFTER_SCHOOL_PROFILE = np.array(
    [0.5, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 1, 1, 1.2, 1.5, 2, 2, 2.5, 6, 9, 10, 9, 10, 11, 9, 5, 2],
    dtype=float,
)

_APP_NAMES = ("MathPal", "StepWise", "Homework Hero", "Numbly", "ClassMate", "TutorLoop", "Brightpath")

# One app's curriculum: school maths by grade band. Each entry renders a problem with fresh numbers.
_PROBLEMS: tuple[str, ...] = (
    "Simplify the fraction {a}/{b}.",
    "What is {a}/{b} + {c}/{d}?",
    "Solve for x: {a}x + {b} = {c}.",
    "Solve for x: {a}(x - {b}) = {c}.",
    "What is {a}% of {c}?",
    "A shirt costs ${c} and is {a}% off. What is the new price?",
    "Find the area of a rectangle {a} cm by {b} cm.",
    "Find the perimeter of a rectangle {a} m by {b} m.",
    "A right triangle has legs {a} and {b}. How long is the hypotenuse?",
    "The ratio of boys to girls is {a}:{b}. There are {c} students. How many are girls?",
    "Solve the system: x + y = {c}, x - y = {a}.",
    "Factorise x^2 + {a}x + {b}.",
    "What is the mean of {a}, {b}, {c} and {d}?",
    "A die is rolled twice. What is the probability the total is {a}?",
    "Convert {a}/{b} to a decimal.",
    "Expand ({a}x + {b})({c}x - {d}).",
    "Find the slope of the line through ({a}, {b}) and ({c}, {d}).",
    "A car travels {c} km in {a} hours. What is its average speed?",
)
_STUDENT_OPENERS = ("", "", "help with this: ", "i dont get this ", "homework q: ", "can u help ", "pls ")
_FOLLOW_UPS = (
    "why do you divide both sides?",
    "i still dont get step 2",
    "can you show another example?",
    "where did the {a} come from?",
    "is there an easier way?",
    "ok so the answer is {b}?",
    "what does factorise mean",
    "can you check my answer, i got {c}",
    "explain it slower please",
    "thanks!! next question",
)
_GRADES = ("6th grade", "7th grade", "8th grade", "9th grade", "middle school", "GCSE")


@dataclass(frozen=True, slots=True)
class TutoringProduct:
    name: str
    system_prompt: str
    # Some apps also wrap each student question in an instruction of their own (with the grade level).
    wrapper: str | None
    grade: str
    model: str
    max_tokens: int
    ips: tuple[str, ...]
    user_agent: str
    sessions_per_day: float
    problems: tuple[str, ...]


def _render(r: random.Random, template: str) -> str:
    a, b = r.randrange(2, 13), r.randrange(2, 20)
    return template.format(a=a, b=b, c=r.randrange(10, 200), d=r.randrange(2, 12))


@register
class TutoringApp(Population):
    name = "tutoring_app"
    description = (
        "Tutoring apps: a system prompt requiring step-by-step explanations of school maths, many students "
        "after school, multi-turn follow-ups."
    )
    hard_negative = True
    base_accounts = 2

    def prepare(self) -> None:
        self.products: dict[str, TutoringProduct] = {}

    def key_count(self, r: random.Random) -> int:
        return r.randrange(1, 4)

    def creation_offset(self, r: random.Random, index: int) -> float:
        return -r.uniform(120, 900) * DAY

    def timezone(self, r: random.Random, index: int) -> float:
        return float(r.choice((-8, -6, -5, 0, 1, 2, 5.5, 8)))

    def setup(self, account: Account, r: random.Random) -> None:
        app = r.choice(_APP_NAMES)
        grade = r.choice(_GRADES)
        system = (
            f"You are the {app} maths tutor for {grade} students. "
            "Always explain your reasoning step by step, "
            "showing every calculation, so the student can follow. Never just give the final answer. "
            "Use simple words and check the student's understanding at the end."
        )
        wrapper = None
        if account.index % 2 == 1:
            wrapper = r.choice(
                (
                    "Explain step by step for a {grade} student: {q}",
                    "Student question ({grade}): {q}\nWalk through the solution one step at a time.",
                )
            )
        prefix = ipv4_prefix(r, "datacenter")
        self.products[account.account_id] = TutoringProduct(
            name=app,
            system_prompt=system,
            wrapper=wrapper,
            grade=grade,
            model=r.choice((self.ctx.spec.flagship, self.ctx.spec.mini)),
            max_tokens=r.choice((1024, 1500, 2048)),
            ips=tuple(ipv4_in(r, prefix) for _ in range(r.randrange(2, 5))),
            user_agent=r.choice((sdk_user_agent(r), custom_user_agent(r, app.lower().replace(" ", "")))),
            sessions_per_day=r.uniform(250, 600),
            # Each app covers its own part of the curriculum.
            problems=tuple(r.sample(_PROBLEMS, r.randrange(8, 14))),
        )

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        prod = self.products[account.account_id]
        gen, r = self.day_streams(account, day)
        starts = t.profile_times(
            gen,
            int(gen.poisson(prod.sessions_per_day * self.rate_factor)),
            AFTER_SCHOOL_PROFILE,
            account.tz_hours,
        )
        for start in self.alive(account, day, starts):
            student = f"stu_{r.getrandbits(32):08x}"
            turns = min(1 + int(r.expovariate(0.7)), 6)
            # Reading the explanation and typing a reply: lognormal around a minute and a half.
            gaps = [0.0, *itertools.accumulate(math.exp(4.5 + 0.5 * r.gauss()) for _ in range(turns - 1))]
            messages: list[dict[str, Any]] = [{"role": "system", "content": prod.system_prompt}]
            for turn, gap in enumerate(gaps):
                ts = float(start + gap)
                if ts >= DAY:
                    break
                if turn == 0:
                    question = r.choice(_STUDENT_OPENERS) + _render(r, r.choice(prod.problems))
                    if prod.wrapper is not None:
                        question = prod.wrapper.format(grade=prod.grade, q=question)
                else:
                    question = _render(r, r.choice(_FOLLOW_UPS))
                messages = [*messages, {"role": "user", "content": question}]
                request = body(
                    prod.model, messages, temperature=0.3, max_tokens=prod.max_tokens, user=student
                )
                tokens, finish = completion_length(r, 420 if turn == 0 else 220, prod.max_tokens, 0.45)
                factory.emit(
                    out,
                    r=r,
                    account=account,
                    day=day,
                    ts=ts,
                    request=request,
                    ip=r.choice(prod.ips),
                    user_agent=prod.user_agent,
                    completion_tokens=tokens,
                    finish_reason=finish,
                    api_key=r.choice(account.api_keys),
                )
                reply = "Step 1: let's write down what we know. Step 2: ..."
                messages = [*messages, {"role": "assistant", "content": reply}]
