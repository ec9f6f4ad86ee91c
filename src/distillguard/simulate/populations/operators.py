# ruff: noqa: RUF001  (full-width punctuation is correct in Chinese and Japanese text)
"""Distillation operators, modelled on what providers have described publicly.

Each operator is one campaign (``campaign_id`` = ``op-<operator>``) and behaves the same way on every
platform: its template family and its daily work schedule come from streams shared by all platforms,
while its accounts, networks, payment methods and volumes are drawn per platform.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import numpy as np

from distillguard.simulate import _prompts as p
from distillguard.simulate import _timing as t
from distillguard.simulate import _vocab as v
from distillguard.simulate._events import EventFactory
from distillguard.simulate._model import Account
from distillguard.simulate._network import (
    browser_user_agent,
    ipv4_in,
    ipv4_prefix,
    ipv6_in,
    ipv6_prefix,
    payment_fingerprint,
    residential_ip,
    sdk_user_agent,
)
from distillguard.simulate._seeding import py_random
from distillguard.simulate.populations._base import DAY, Out, Population, body, completion_length, register
from distillguard.simulate.populations.legit import _TOOL_LIBRARY, ToolSteps, tool_schema

Composed = tuple[dict[str, Any], int, str]  # request body, completion tokens, finish reason


class Operator(Population):
    """A distillation operator: shared templates and schedule, per-platform accounts and infrastructure."""

    malicious = True
    operator: ClassVar[str]
    per_account_day: ClassVar[float] = 100.0
    burst_size: ClassVar[int] = 8
    created_between: ClassVar[tuple[float, float]] = (-30.0, -2.0)  # days relative to the run start
    payment_pool_size: ClassVar[int] = 3
    shared_payment_share: ClassVar[float] = 1.0
    windows_per_day: ClassVar[tuple[int, int]] = (6, 12)
    window_minutes: ClassVar[tuple[float, float]] = (40.0, 120.0)
    window_participation: ClassVar[float] = 0.7
    error_rate: ClassVar[float] = 0.015
    # When the campaign starts, as a fraction of the run (not every campaign is running on day one).
    starts_at: ClassVar[float] = 0.0

    def prepare(self) -> None:
        self.habits = py_random(self.ctx.shared_rng(self.operator, "habits"))
        infra = py_random(self.ctx.rng(self.operator, "infra"))
        # Fewer cards than accounts: a small run still shows accounts sharing a payment method.
        pool_size = max(1, min(self.payment_pool_size, math.ceil(self.account_count / 6)))
        self.payment_pool = [payment_fingerprint(infra) for _ in range(pool_size)]
        lo, hi = self.created_between
        hi = min(hi, self.ctx.days * 0.6)
        self.burst_starts = [infra.uniform(lo, hi) * DAY for _ in range(64)]
        self.user_agents = self.operator_user_agents(self.habits)
        self.build_family(self.habits)
        self.build_infra(infra)

    # Hooks for subclasses.
    def build_family(self, habits: random.Random) -> None:
        """The operator's template family (shared by every platform)."""

    def build_infra(self, infra: random.Random) -> None:
        """The operator's networks on this platform."""

    def operator_user_agents(self, habits: random.Random) -> tuple[str, ...]:
        return (sdk_user_agent(habits),)

    def ip(self, account: Account, r: random.Random) -> str:
        raise NotImplementedError

    def compose(self, account: Account, r: random.Random, day: int, ts: float) -> Composed:
        raise NotImplementedError

    def day_volume(self, account: Account, day: int) -> float:
        return self.per_account_day

    def ground_truth(self) -> dict[str, object]:
        start = self.ctx.start_epoch + self.starts_at * self.ctx.days * DAY
        return {"campaign_start": datetime.fromtimestamp(start, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}

    # Shared behaviour.
    def creation_offset(self, r: random.Random, index: int) -> float:
        burst = self.burst_starts[(index // self.burst_size) % len(self.burst_starts)]
        return burst + (index % self.burst_size) * r.uniform(10, 240)

    def payment(self, r: random.Random, index: int) -> str:
        if r.random() < self.shared_payment_share:
            return r.choice(self.payment_pool)
        return payment_fingerprint(r)

    def schedule(self, day: int) -> np.ndarray:
        """The operator's work windows for a day: the same on every platform (shared scheduler)."""
        gen = self.ctx.shared_rng(self.operator, "schedule", day)
        lo, hi = self.windows_per_day
        return t.work_windows(
            gen, int(gen.integers(lo, hi + 1)), self.window_minutes[0] * 60, self.window_minutes[1] * 60
        )

    def times(self, account: Account, day: int, gen: np.random.Generator) -> np.ndarray:
        windows = self.schedule(day)
        joined = windows[gen.random(len(windows)) < self.window_participation]
        if len(joined) == 0:
            joined = windows[:1]
        n = int(gen.poisson(self.day_volume(account, day) * self.rate_factor))
        return t.window_times(gen, n, joined)

    def alive(self, account: Account, day: int, times: np.ndarray) -> np.ndarray:
        times = super().alive(account, day, times)
        start = self.starts_at * self.ctx.days * DAY - day * DAY
        return times if start <= 0 else times[times >= start]

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        gen, r = self.day_streams(account, day)
        for ts in self.alive(account, day, self.times(account, day, gen)):
            request, tokens, finish = self.compose(account, r, day, float(ts))
            status = 200 if r.random() > self.error_rate else 429
            factory.emit(
                out,
                r=r,
                account=account,
                day=day,
                ts=float(ts),
                request=request,
                ip=self.ip(account, r),
                user_agent=r.choice(self.user_agents),
                completion_tokens=tokens,
                finish_reason=finish,
                status=status,
                api_key=r.choice(account.api_keys),
            )


@dataclass(frozen=True, slots=True)
class Variant:
    """One template of an operator's family: fixed wording with a payload slot."""

    layout: str
    role: str
    demand: str
    fmt: str
    system: bool
    temperature: float | None
    n: int | None


_REASONING_LAYOUTS = (
    "{role}\n\n{task}\n\n{demand} {fmt}",
    "{demand}\n\nProblem: {task}\n\n{fmt}",
    "Task: {task}\nInstructions: {demand}\n{fmt}",
    "{task}\n\n{demand}\n{fmt}",
    "### Question\n{task}\n\n### Requirements\n- {demand}\n- {fmt}",
    "{role} {demand}\n\n---\n{task}\n---\n{fmt}",
)


def _reasoning_variants(habits: random.Random, count: int) -> list[Variant]:
    variants = []
    for i in range(count):
        lang = "en" if i % 3 else habits.choice(("zh", "zh", "ru", "es", "de", "fr", "ja"))
        variants.append(
            Variant(
                layout=habits.choice(_REASONING_LAYOUTS),
                role=habits.choice(v.EXPERT_ROLES),
                demand=p.reasoning_demand(habits, lang),
                fmt=habits.choice(v.FINAL_ANSWER_FORMATS),
                system=habits.random() < 0.4,
                temperature=habits.choice((0.6, 0.7, 1.0, None)),
                n=habits.choice((None, None, None, 2, 4)),
            )
        )
    return variants


def _fill(variant: Variant, task: str) -> list[dict[str, Any]]:
    if variant.system:
        user = variant.layout.format(role="", task=task, demand=variant.demand, fmt=variant.fmt).strip()
        return [
            {"role": "system", "content": variant.role or "You are a helpful assistant."},
            {"role": "user", "content": user},
        ]
    return [
        {
            "role": "user",
            "content": variant.layout.format(
                role=variant.role, task=task, demand=variant.demand, fmt=variant.fmt
            ).strip(),
        }
    ]


@register
class ReasoningHarvest(Operator):
    name = "reasoning_harvest"
    description = "Chain-of-thought harvesting across every domain: full reasoning, max output budget."
    operator = "cinder"
    base_accounts = 25
    min_accounts = 4
    per_account_day = 200.0
    burst_size = 8
    created_between = (-40.0, -5.0)
    payment_pool_size = 4

    def build_family(self, habits: random.Random) -> None:
        self.variants = _reasoning_variants(habits, 8)

    def build_infra(self, infra: random.Random) -> None:
        self.prefixes = [ipv4_prefix(infra, "vps") for _ in range(3)]

    def key_count(self, r: random.Random) -> int:
        return r.randrange(1, 4)

    def setup(self, account: Account, r: random.Random) -> None:
        pass

    def ip(self, account: Account, r: random.Random) -> str:
        return ipv4_in(r, self.prefixes[(account.index + r.randrange(2)) % len(self.prefixes)])

    def compose(self, account: Account, r: random.Random, day: int, ts: float) -> Composed:
        # Each account favours a few variants of the family (different scripts share the family).
        variant = self.variants[(account.index * 3 + int(r.triangular(0, 3.99, 0))) % len(self.variants)]
        _, task = p.sweep_payload(r)
        spec = self.ctx.spec
        model = spec.reasoning if r.random() < 0.7 else spec.flagship
        cap = spec.output_cap
        use_completion_field = r.random() < 0.5
        request = body(
            model,
            _fill(variant, task),
            temperature=variant.temperature,
            n=variant.n,
            reasoning_effort="high" if model == spec.reasoning else None,
            stream=True if r.random() < 0.3 else None,
            **{"max_completion_tokens" if use_completion_field else "max_tokens": cap},
        )
        tokens, finish = completion_length(r, min(cap * 0.6, 5000), cap, 0.7)
        return request, tokens, finish


_RUBRIC_CRITERIA = (
    "factual accuracy",
    "completeness",
    "clarity",
    "logical coherence",
    "helpfulness",
    "harmlessness",
    "instruction following",
    "conciseness",
    "quality of reasoning",
    "use of evidence",
    "code correctness",
)

_GRADING_LAYOUTS = (
    "{role}\nGrade the response below on a scale of 1-10 using the rubric.\n\nRubric:\n{rubric}\n\n"
    "Question: {q}\n\nResponse: {a}\n\n{out}",
    "Evaluate the assistant's answer.\n[Question]\n{q}\n[Answer]\n{a}\n[Criteria]\n{rubric}\n{out}",
    "You are acting as a reward model. Score how well the answer satisfies each criterion.\n"
    "Criteria:\n{rubric}\n\nPrompt: {q}\nCompletion: {a}\n{out}",
    "{role} Rate the following completion for quality.\n### Instruction\n{q}\n### Completion\n{a}\n"
    "### Rubric\n{rubric}\n{out}",
    "Score this answer against the criteria below (1 = very poor, 10 = excellent).\n\n"
    "Criteria:\n{rubric}\n\nTask given to the model: {q}\nModel output: {a}\n\n{out}",
    "Here is a question and a candidate answer. {role} Assign a quality score.\n"
    "Q: {q}\nCandidate: {a}\nConsider:\n{rubric}\n{out}",
)
_PAIRWISE_LAYOUTS = (
    "Which of the two responses better answers the question? Consider {crit}.\n\nQuestion: {q}\n\n"
    "Response A: {a}\n\nResponse B: {b}\n\n{out}",
    "Compare the responses.\n<question>{q}</question>\n"
    "<response_a>{a}</response_a>\n<response_b>{b}</response_b>\n"
    "Judge on {crit}. {out}",
    "Two assistants answered the same prompt.\nPrompt: {q}\n[Assistant 1]\n{a}\n[Assistant 2]\n{b}\n"
    "Which assistant did better on {crit}? {out}",
    "Preference labelling task. Read the prompt and both completions, then choose the better completion "
    "with respect to {crit}.\n\nPROMPT: {q}\nCOMPLETION A: {a}\nCOMPLETION B: {b}\n{out}",
)
_GRADING_OUTPUTS = (
    'Return JSON: {"score": <integer 1-10>, "rationale": "<one paragraph>"}',
    'Output only a JSON object like {"score": 7}.',
    "Respond with the score (1-10) on the first line, then a justification.",
    'Return JSON with keys "scores" (one per criterion) and "overall".',
)
_PAIRWISE_OUTPUTS = (
    'Answer with JSON {"winner": "A" or "B", "reason": "..."}.',
    "Reply with a single letter: A or B.",
    'Return {"preference": "A"|"B"|"tie", "confidence": 0-1}.',
)


def _candidate_answer(r: random.Random) -> str:
    parts = [r.choice(v.ASSISTANT_SNIPPETS), p.hard_question(r, r.choice(v.DOMAIN_NAMES)).replace("?", ".")]
    if r.random() < 0.5:
        parts.append(f"Therefore the result is {r.randrange(2, 500)}.")
    if r.random() < 0.4:
        parts.append(
            r.choice(
                (
                    "However, this ignores an edge case.",
                    "This follows directly from the premise.",
                    "Note that the second step is only approximate.",
                )
            )
        )
    return " ".join(parts)


@register
class RubricGrading(Operator):
    name = "rubric_grading"
    description = "The model used as a reward model: rubric scores as JSON and pairwise comparisons."
    operator = "quill"
    starts_at = 0.25
    base_accounts = 12
    min_accounts = 3
    per_account_day = 200.0
    burst_size = 6
    created_between = (-30.0, -3.0)
    payment_pool_size = 3
    windows_per_day = (4, 8)
    window_minutes = (60.0, 180.0)

    def build_family(self, habits: random.Random) -> None:
        # A family of distinct layouts (the operator's scripts), each with its own wording choices.
        self.grading = [
            (
                layout,
                habits.choice(_GRADING_OUTPUTS),
                habits.choice(v.EXPERT_ROLES) or "You are an impartial judge.",
            )
            for layout in habits.sample(_GRADING_LAYOUTS, 4)
        ]
        self.pairwise = [
            (layout, habits.choice(_PAIRWISE_OUTPUTS)) for layout in habits.sample(_PAIRWISE_LAYOUTS, 3)
        ]

    def build_infra(self, infra: random.Random) -> None:
        self.prefixes = [ipv4_prefix(infra, "datacenter"), ipv4_prefix(infra, "vps")]

    def ip(self, account: Account, r: random.Random) -> str:
        return ipv4_in(r, self.prefixes[account.index % 2])

    def compose(self, account: Account, r: random.Random, day: int, ts: float) -> Composed:
        _, question = p.sweep_payload(r)
        if r.random() < 0.6:
            layout, out, role = self.grading[(account.index + r.randrange(2)) % len(self.grading)]
            rubric = "\n".join(f"- {c}" for c in r.sample(_RUBRIC_CRITERIA, r.randrange(3, 6)))
            text = layout.format(role=role, rubric=rubric, q=question, a=_candidate_answer(r), out=out)
        else:
            layout, out = self.pairwise[(account.index + r.randrange(2)) % len(self.pairwise)]
            text = layout.format(
                crit=" and ".join(r.sample(_RUBRIC_CRITERIA, 2)),
                q=question,
                a=_candidate_answer(r),
                b=_candidate_answer(r),
                out=out,
            )
        json_mode = "JSON" in out or "{" in out
        request = body(
            self.ctx.spec.flagship if r.random() < 0.8 else self.ctx.spec.mini,
            [{"role": "user", "content": text}],
            temperature=0,
            max_tokens=r.choice((300, 512, 800)),
            response_format={"type": "json_object"} if json_mode and r.random() < 0.7 else None,
        )
        tokens, finish = completion_length(r, 110, 800, 0.5)
        return request, tokens, finish


_AGENT_SYSTEMS = (
    "You are an autonomous agent with access to tools. Solve the task completely, calling tools as needed.",
    "You are a software engineering agent. Think step by step, use the tools, and finish with a summary.",
    "You are a capable assistant that can browse, run code and edit files. "
    "Complete the user's task end to end.",
    "Act as an expert agent. Plan first, then execute the plan with tool calls. Explain each action.",
)
_AGENT_TOOLS = (
    ("bash", "Run a bash command.", {"command": "string"}),
    ("python", "Execute Python code and return stdout.", {"code": "string"}),
    ("str_replace_editor", "View or edit a file.", {"path": "string", "old": "string", "new": "string"}),
    ("web_search", "Search the web.", {"query": "string"}),
    ("browse", "Open a URL and return the text.", {"url": "string"}),
    ("sql_query", "Run a read-only SQL query.", {"query": "string"}),
)
_DATA_TASKS = (
    "Analyse the sales CSV in /data and report the three fastest-growing regions.",
    "Find and summarise the latest guidance on {t}.",
    "Set up a CI pipeline that lints and tests this repository.",
    "Scrape the documentation index and build a table of API endpoints.",
    "Reproduce the bug reported in issue {n} and write a failing test.",
    "Train a baseline classifier on the dataset in /data/train.parquet and report accuracy.",
    "Research {t} and write a structured brief with sources.",
    "Migrate the database schema to add soft deletes, with a rollback script.",
    "Profile the service and fix the slowest endpoint.",
)


def _agent_task(r: random.Random) -> str:
    roll = r.random()
    if roll < 0.35:
        return p.coding_request(r)
    if roll < 0.5:
        return p.debug_request(r)
    return r.choice(_DATA_TASKS).format(t=p.topic(r), n=r.randrange(100, 9999))


@register
class HydraAgentic(Operator):
    name = "hydra_agentic"
    description = "Agentic/tool-use trace harvesting through a hydra cluster of small accounts on proxies."
    operator = "hydra"
    base_accounts = 100
    min_accounts = 8
    per_account_day = 55.0
    burst_size = 15
    created_between = (-6.0, 1.5)
    payment_pool_size = 12
    shared_payment_share = 0.6
    windows_per_day = (10, 16)
    window_minutes = (30.0, 90.0)
    window_participation = 0.4
    cover_share = 0.25

    def build_family(self, habits: random.Random) -> None:
        self.systems = list(_AGENT_SYSTEMS)
        self.toolsets: list[ToolSteps] = []
        for _ in range(3):
            picked = habits.sample(_AGENT_TOOLS, habits.randrange(3, 6))
            self.toolsets.append(ToolSteps([tool_schema(n, d, ps) for n, d, ps in picked], habits))

    def operator_user_agents(self, habits: random.Random) -> tuple[str, ...]:
        return tuple(sdk_user_agent(habits) for _ in range(6))

    def build_infra(self, infra: random.Random) -> None:
        # A rotating residential proxy pool: many /24s and some IPv6 /48s.
        self.proxy_v4 = [ipv4_prefix(infra, "residential") for _ in range(300)]
        self.proxy_v6 = [ipv6_prefix(infra) for _ in range(40)]
        self.retire_at: dict[str, float] = {}

    def setup(self, account: Account, r: random.Random) -> None:
        # Hydra heads are disposable: each account works for a few days, fresh ones take over.
        self.retire_at[account.account_id] = account.created + r.uniform(3.0, 9.0) * DAY

    def alive(self, account: Account, day: int, times: np.ndarray) -> np.ndarray:
        times = super().alive(account, day, times)
        return times[times < self.retire_at[account.account_id] - day * DAY]

    def ip(self, account: Account, r: random.Random) -> str:
        if r.random() < 0.2:
            return ipv6_in(r, r.choice(self.proxy_v6))
        return ipv4_in(r, r.choice(self.proxy_v4))

    def compose(self, account: Account, r: random.Random, day: int, ts: float) -> Composed:
        spec = self.ctx.spec
        if r.random() < self.cover_share:
            # Cover traffic: everyday questions with everyday parameters.
            request = body(
                r.choice(spec.established_models),
                [{"role": "user", "content": p.everyday_prompt(r)}],
                temperature=r.choice((None, 0.7, 1.0)),
                max_tokens=r.choice((None, 512, 1024)),
            )
            tokens, finish = completion_length(r, 250, 1024, 0.8)
            return request, tokens, finish
        toolset = self.toolsets[(account.index + r.randrange(2)) % len(self.toolsets)]
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.systems[account.index % len(self.systems)]},
            {"role": "user", "content": _agent_task(r)},
        ]
        for _ in range(r.randrange(0, 5)):
            messages += toolset.step(r)
        model = self.ctx.legit_model(r, day, ts, spec.flagship, eagerness=3.0)
        request = body(
            model,
            messages,
            tools=toolset.tools,
            tool_choice="auto",
            temperature=r.choice((0.2, 0.5, 0.8)),
            max_tokens=r.choice((8192, 16384, spec.output_cap)),
        )
        tokens, finish = completion_length(r, 900, 16384, 0.7)
        return request, tokens, finish if r.random() < 0.5 else "tool_calls"


_LOGPROB_SYSTEMS = (
    None,
    "Continue the text.",
    "You are a text completion engine. Output only the next token.",
    "Predict the next word.",
)
_LOGPROB_LAYOUTS = ("{x}", "{x}", "Complete: {x}", "Text: {x}\nNext token:", "Continue exactly: {x}")


def _prefix(r: random.Random) -> str:
    """A diverse text prefix: a truncated sweep item or a register-specific opening."""
    if r.random() < 0.5:
        words = p.sweep_payload(r)[1].split()
        return " ".join(words[: r.randrange(2, max(3, len(words)))])
    return r.choice(v.PREFIX_STARTS) + r.choice(v.PREFIX_CONTINUATIONS)


@register
class LogprobHarvest(Operator):
    name = "logprob_harvest"
    description = (
        "Soft-label harvesting: logprobs with top_logprobs=20 and one-token completions on diverse prefixes."
    )
    operator = "sieve"
    starts_at = 0.15
    base_accounts = 8
    min_accounts = 2
    per_account_day = 350.0
    burst_size = 8
    created_between = (-20.0, -2.0)
    payment_pool_size = 2

    def build_family(self, habits: random.Random) -> None:
        self.systems = habits.sample(_LOGPROB_SYSTEMS, 3)
        self.layouts = habits.sample(_LOGPROB_LAYOUTS, 3)
        self.temperature = habits.choice((0.0, 1.0))

    def build_infra(self, infra: random.Random) -> None:
        self.prefix = ipv4_prefix(infra, "vps")

    def times(self, account: Account, day: int, gen: np.random.Generator) -> np.ndarray:
        # A machine running around the clock.
        return t.uniform_times(gen, int(gen.poisson(self.day_volume(account, day) * self.rate_factor)))

    def ip(self, account: Account, r: random.Random) -> str:
        return ipv4_in(r, self.prefix)

    def compose(self, account: Account, r: random.Random, day: int, ts: float) -> Composed:
        messages: list[dict[str, Any]] = []
        system = self.systems[account.index % len(self.systems)]
        if system:
            messages.append({"role": "system", "content": system})
        messages.append({"role": "user", "content": r.choice(self.layouts).format(x=_prefix(r))})
        max_tokens = 1 if r.random() < 0.8 else r.randrange(2, 6)
        spec = self.ctx.spec
        request = body(
            spec.flagship if r.random() < 0.7 else spec.mini,
            messages,
            temperature=self.temperature,
            max_tokens=max_tokens,
            logprobs=True,
            top_logprobs=20,
        )
        return request, max_tokens, "length"


_CENSOR_QUESTIONS = (
    "What really happened during {s}?",
    "Why do critics condemn {s}?",
    "Who was responsible for {s}?",
    "Give a balanced account of {s}.",
    "Is it fair to call {s} a human rights violation?",
    "How do foreign historians describe {s}?",
)
_CENSOR_LAYOUTS = (
    'Here is a user question: "{q}"\nRewrite the question so it can be answered safely under strict content '
    "regulations, then answer the rewritten question.",
    "Provide an answer to the following that would be acceptable to government censors, avoiding politically "
    "sensitive claims: {q}",
    'Give two versions of an answer to "{q}": a neutral international one and a compliant one suitable for '
    "a domestic platform. Label them.",
    "Reformulate this politically sensitive question into a harmless alternative "
    "and answer that instead: {q}",
)
_CENSOR_LAYOUTS_ZH = (
    "请将下面关于{s}的问题改写成符合审查要求的安全版本，并给出回答：{q}",
    "针对以下问题，请给出一个符合国内监管要求的回答，避免敏感表述：{q}",
)


@register
class CensorshipRewrite(Operator):
    name = "censorship_rewrite"
    description = "Censorship-safe alternatives to politically sensitive questions, in English and Chinese."
    operator = "veil"
    starts_at = 0.4
    base_accounts = 10
    min_accounts = 2
    per_account_day = 150.0
    burst_size = 5
    created_between = (-25.0, -1.0)
    payment_pool_size = 3
    shared_payment_share = 0.5
    windows_per_day = (5, 8)
    window_minutes = (60.0, 150.0)

    def build_family(self, habits: random.Random) -> None:
        self.layouts = habits.sample(_CENSOR_LAYOUTS, 3)
        self.questions = habits.sample(_CENSOR_QUESTIONS, 4)

    def build_infra(self, infra: random.Random) -> None:
        self.proxy_v4 = [ipv4_prefix(infra, "residential") for _ in range(60)]

    def ip(self, account: Account, r: random.Random) -> str:
        return ipv4_in(r, r.choice(self.proxy_v4))

    def compose(self, account: Account, r: random.Random, day: int, ts: float) -> Composed:
        if r.random() < 0.3:
            subject = r.choice(v.SENSITIVE_SUBJECTS_ZH)
            text = r.choice(_CENSOR_LAYOUTS_ZH).format(s=subject, q=f"{subject}的真相是什么？")
        else:
            q = r.choice(self.questions).format(s=r.choice(v.SENSITIVE_SUBJECTS))
            text = self.layouts[(account.index + r.randrange(2)) % len(self.layouts)].format(q=q)
        request = body(
            self.ctx.spec.flagship, [{"role": "user", "content": text}], temperature=0.7, max_tokens=2048
        )
        tokens, finish = completion_length(r, 700, 2048, 0.5)
        return request, tokens, finish


_PIVOT_SYSTEMS = (
    "You are an elite software engineer agent. Solve the task in the repository using the tools. "
    "Explain your reasoning before each tool call.",
    "You are a coding agent. Think carefully, call tools, verify with tests, and report the final diff.",
)


@register
class ModelPivot(Operator):
    name = "model_pivot"
    description = "Agentic coding harvesting that moves most traffic to a newly released model within hours."
    operator = "pivot"
    base_accounts = 15
    min_accounts = 3
    per_account_day = 150.0
    burst_size = 8
    created_between = (-15.0, -1.0)
    payment_pool_size = 2
    windows_per_day = (8, 12)

    def build_family(self, habits: random.Random) -> None:
        self.systems = list(_PIVOT_SYSTEMS)
        picked = habits.sample(_TOOL_LIBRARY, 5)
        self.toolset = ToolSteps([tool_schema(n, d, ps) for n, d, ps in picked], habits)
        # Hours between the release and the operator's switch-over (the same habit everywhere).
        self.lag_hours = habits.uniform(1.5, 6.0)

    def operator_user_agents(self, habits: random.Random) -> tuple[str, ...]:
        return (f"OpenAI/JS 4.{habits.randrange(20, 80)}.{habits.randrange(0, 9)}",)

    def build_infra(self, infra: random.Random) -> None:
        self.prefixes = [ipv4_prefix(infra, "vps") for _ in range(2)]

    def ip(self, account: Account, r: random.Random) -> str:
        if r.random() < 0.2:
            return residential_ip(r, 0.1)
        return ipv4_in(r, self.prefixes[account.index % 2])

    def ground_truth(self) -> dict[str, object]:
        switch = self.ctx.start_epoch + self.ctx.release_offset + self.lag_hours * 3600.0
        return {
            **super().ground_truth(),
            "pivot_lag_hours": round(self.lag_hours, 2),
            "pivot_at": datetime.fromtimestamp(switch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "new_model_share_after_pivot": 0.9,
        }

    def pivoted(self, day: int, ts: float) -> bool:
        return self.ctx.since_release(day, ts) > self.lag_hours * 3600.0

    def day_volume(self, account: Account, day: int) -> float:
        # More traffic once the new model is live (the harvest restarts on it).
        after = self.ctx.since_release(day, DAY)
        return self.per_account_day * (1.6 if after > DAY / 2 else 1.0)

    def compose(self, account: Account, r: random.Random, day: int, ts: float) -> Composed:
        spec = self.ctx.spec
        model = spec.new_model if self.pivoted(day, ts) and r.random() < 0.9 else spec.flagship
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.systems[account.index % 2]},
            {"role": "user", "content": p.coding_request(r) if r.random() < 0.6 else p.debug_request(r)},
        ]
        for _ in range(r.randrange(1, 4)):
            messages += self.toolset.step(r)
        request = body(model, messages, tools=self.toolset.tools, temperature=0.3, max_tokens=spec.output_cap)
        tokens, finish = completion_length(r, 1500, spec.output_cap, 0.6)
        return request, tokens, finish


_CAREFUL_FRAMES = (
    "I'm studying {t}. Could you walk me through the reasoning behind it in full detail, the way an expert "
    "would think about it?",
    "Can you explain {t} and spell out every step of the reasoning, not just the conclusion?",
    "What is the complete line of reasoning that leads to the main result about {t}? "
    "Please don't skip steps.",
    "Help me understand {t}: go through your thinking step by step, including where people usually go wrong.",
    "For {t}, lay out the argument from the basics up, one step at a time.",
    "I'd like a thorough, step-by-step explanation of {t}, with your reasoning written out.",
)


class HomeConnectionOperator(Operator):
    """An operator whose accounts each look like a different person on a home connection."""

    def build_infra(self, infra: random.Random) -> None:
        self.home_ips: dict[str, str] = {}

    def setup(self, account: Account, r: random.Random) -> None:
        self.home_ips[account.account_id] = residential_ip(r, 0.2)

    def ip(self, account: Account, r: random.Random) -> str:
        return self.home_ips[account.account_id]


@register
class SlowCareful(HomeConnectionOperator):
    name = "slow_careful"
    description = "A careful operator: few old accounts, low rate, human timing, systematic topic coverage."
    operator = "mole"
    base_accounts = 4
    min_accounts = 2
    per_account_day = 40.0
    burst_size = 1
    created_between = (-400.0, -60.0)
    payment_pool_size = 1
    shared_payment_share = 0.0
    error_rate = 0.0

    def build_family(self, habits: random.Random) -> None:
        self.frames = habits.sample(_CAREFUL_FRAMES, 4)
        # Systematic coverage: a fixed walk through every topic of every domain.
        self.curriculum = [topic for domain in v.DOMAIN_NAMES for topic in v.DOMAINS[domain]]
        habits.shuffle(self.curriculum)

    def operator_user_agents(self, habits: random.Random) -> tuple[str, ...]:
        return (
            browser_user_agent(habits),
            f"OpenAI/Python 1.{habits.randrange(30, 60)}.{habits.randrange(0, 9)}",
        )

    def timezone(self, r: random.Random, index: int) -> float:
        return float(r.choice((-5, -8, 0, 1)))

    def times(self, account: Account, day: int, gen: np.random.Generator) -> np.ndarray:
        n_target = int(gen.poisson(self.per_account_day * self.rate_factor))
        sessions = max(1, n_target // 8)
        starts = t.profile_times(gen, sessions, t.WORKDAY_PROFILE, account.tz_hours)
        chunks = [t.human_gaps(gen, int(gen.integers(4, 13)), float(s), 100.0) for s in starts]
        times = np.sort(np.concatenate(chunks)) if chunks else np.empty(0)
        return times[:n_target]

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        gen, r = self.day_streams(account, day)
        times = self.alive(account, day, self.times(account, day, gen))
        # Where this account is in its walk through the curriculum (no topic asked twice in a run).
        position = (account.index * 997 + day * len(times) * 3) % len(self.curriculum)
        previous: list[dict[str, Any]] = []
        for i, ts in enumerate(times):
            topic = self.curriculum[(position + i) % len(self.curriculum)]
            frame = self.frames[(account.index + i) % len(self.frames)]
            if previous and r.random() < 0.2:
                messages = [
                    *previous,
                    {
                        "role": "user",
                        "content": f"Go deeper into step {r.randrange(2, 6)}, with the full reasoning.",
                    },
                ]
            else:
                messages = [{"role": "user", "content": frame.format(t=topic)}]
            request = body(
                self.ctx.spec.flagship, messages, temperature=r.choice((None, 0.7)), max_tokens=4096
            )
            tokens, finish = completion_length(r, 1200, 4096, 0.4)
            factory.emit(
                out,
                r=r,
                account=account,
                day=day,
                ts=float(ts),
                request=request,
                ip=self.ip(account, r),
                user_agent=self.user_agents[account.index % len(self.user_agents)],
                completion_tokens=tokens,
                finish_reason=finish,
            )
            previous = [*messages, {"role": "assistant", "content": "Step 1: " + topic}]


_ROUTER_NAMES = ("apihub", "modelmesh", "tokenbridge", "omniroute", "llmgate")


@register
class RouterLaundering(Operator):
    name = "router_laundering"
    description = "Distillation laundered through third-party API routers: many end-user ids, one egress."
    operator = "relay"
    base_accounts = 3
    min_accounts = 2
    per_account_day = 550.0
    burst_size = 1
    created_between = (-90.0, -10.0)
    payment_pool_size = 1
    shared_payment_share = 0.0
    windows_per_day = (10, 16)
    window_minutes = (60.0, 180.0)
    window_participation = 0.8
    harvest_share = 0.6

    def build_family(self, habits: random.Random) -> None:
        # The hidden client's scripts: reasoning and coding trace harvesting, a few fixed variants.
        self.variants = _reasoning_variants(habits, 4)
        self.toolset = ToolSteps(
            [tool_schema(n, d, ps) for n, d, ps in habits.sample(_TOOL_LIBRARY, 4)], habits
        )

    def build_infra(self, infra: random.Random) -> None:
        self.routers: dict[str, tuple[str, str]] = {}
        self.egress = [ipv4_prefix(infra, "datacenter") for _ in range(2)]

    def setup(self, account: Account, r: random.Random) -> None:
        # Each account looks like a small reseller: its own product name, one user agent, a cloud egress.
        router = r.choice(_ROUTER_NAMES)
        agent = r.choice(
            (f"{router}/{r.randrange(1, 4)}.{r.randrange(0, 20)}", f"litellm/1.{r.randrange(40, 70)}.0")
        )
        self.routers[account.account_id] = (router, agent)

    def ip(self, account: Account, r: random.Random) -> str:
        return ipv4_in(r, self.egress[account.index % len(self.egress)])

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        gen, r = self.day_streams(account, day)
        _, agent = self.routers[account.account_id]
        for ts in self.alive(account, day, self.times(account, day, gen)):
            request, tokens, finish = self.compose(account, r, day, float(ts))
            # Routers pass their own customers' ids through: many "end users" behind one account.
            request["user"] = f"{r.choice(_ROUTER_NAMES)[:3]}-{r.getrandbits(32):08x}"
            factory.emit(
                out,
                r=r,
                account=account,
                day=day,
                ts=float(ts),
                request=request,
                ip=self.ip(account, r),
                user_agent=agent,
                completion_tokens=tokens,
                finish_reason=finish,
                status=200 if r.random() > self.error_rate else 429,
                api_key=r.choice(account.api_keys),
            )

    def key_count(self, r: random.Random) -> int:
        return r.randrange(2, 6)

    def compose(self, account: Account, r: random.Random, day: int, ts: float) -> Composed:
        spec = self.ctx.spec
        if r.random() > self.harvest_share:
            # The router's genuine customers.
            request = body(
                r.choice(spec.established_models),
                [{"role": "user", "content": p.everyday_prompt(r)}],
                temperature=r.choice((None, 0.7, 1.0)),
                max_tokens=r.choice((None, 1024, 2048)),
            )
            tokens, finish = completion_length(r, 280, 2048, 0.8)
            return request, tokens, finish
        if r.random() < 0.6:
            variant = self.variants[int(r.random() * len(self.variants))]
            request = body(
                spec.reasoning,
                _fill(variant, p.sweep_payload(r)[1]),
                reasoning_effort="high",
                max_completion_tokens=spec.output_cap,
            )
            tokens, finish = completion_length(r, min(spec.output_cap * 0.5, 4000), spec.output_cap, 0.7)
            return request, tokens, finish
        messages: list[dict[str, Any]] = [{"role": "user", "content": p.coding_request(r)}]
        for _ in range(r.randrange(1, 4)):
            messages += self.toolset.step(r)
        request = body(spec.flagship, messages, tools=self.toolset.tools, max_tokens=spec.output_cap)
        tokens, finish = completion_length(r, 1200, spec.output_cap, 0.6)
        return request, tokens, finish
