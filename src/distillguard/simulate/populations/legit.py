"""Legitimate customers, including the heavy users a detector must not flag (the hard negatives)."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from distillguard.simulate import _prompts as p
from distillguard.simulate import _timing as t
from distillguard.simulate import _vocab as v
from distillguard.simulate._events import EventFactory
from distillguard.simulate._model import Account
from distillguard.simulate._network import (
    browser_user_agent,
    custom_user_agent,
    ipv4_in,
    ipv4_prefix,
    residential_ip,
    sdk_user_agent,
)
from distillguard.simulate._seeding import py_random
from distillguard.simulate.populations._base import DAY, Out, Population, body, completion_length, register

# ---------------------------------------------------------------------------------------------------------
# Consumer chat products


_CITIES = (
    "Lisbon",
    "Kyoto",
    "Mexico City",
    "Cape Town",
    "Reykjavik",
    "Hanoi",
    "Vienna",
    "Buenos Aires",
    "Marrakesh",
    "Seoul",
    "Tbilisi",
    "Vancouver",
    "Istanbul",
    "Porto",
    "Bali",
    "Edinburgh",
)
_INGREDIENTS = (
    "chickpeas",
    "spinach",
    "leftover rice",
    "eggs",
    "tofu",
    "sweet potatoes",
    "feta",
    "lentils",
    "chicken thighs",
    "mushrooms",
    "coconut milk",
    "zucchini",
    "canned tuna",
    "oats",
    "salmon",
)
_MOODS = ("anxious", "proud", "tired", "overwhelmed", "calm", "frustrated", "hopeful", "lonely", "excited")
_REASONS = (
    "of a deadline at work",
    "my sister called",
    "I skipped the gym again",
    "I finished a big project",
    "I couldn't sleep",
    "of an argument with a friend",
    "the weather was great",
    "my exam is next week",
)
_ITEMS = (
    "wireless earbuds",
    "a 27-inch monitor",
    "a robot vacuum",
    "a USB-C hub",
    "a smartwatch",
    "a mechanical keyboard",
    "a phone case",
    "a blender",
)

_PRODUCT_KINDS: tuple[tuple[str, str], ...] = (
    ("travel", "a travel planning assistant"),
    ("cooking", "a friendly cooking companion"),
    ("wellness", "a supportive journaling and wellbeing buddy"),
    ("tutor", "a patient homework helper for high-school students"),
    ("support", "a customer support agent for an electronics retailer"),
    ("language", "a language-learning conversation partner"),
)
_PRODUCT_NAMES = (
    "Wanderly",
    "Souschef",
    "Mira",
    "Brightpath",
    "Voltmart Help",
    "Lingo Buddy",
    "Trippo",
    "Kitchenette",
    "Calmly",
    "StudyOwl",
    "GadgetHub",
    "Parla",
    "Nomadix",
    "Pantry Pal",
)
_PERSONA_RULES = (
    "Always be warm and encouraging.",
    "Keep answers under 150 words unless asked for more.",
    "Never give medical, legal or financial advice; suggest a professional instead.",
    "Use simple language and short paragraphs.",
    "If you are unsure, say so and ask a clarifying question.",
    "Do not mention that you are built on a third-party model.",
    "Use the customer's first name when known.",
    "Offer one follow-up suggestion at the end.",
    "Use metric units.",
    "Avoid emojis.",
    "Emojis are welcome!",
)


def _product_user_message(r: random.Random, kind: str, lang: str) -> str:
    if kind == "travel":
        return r.choice(
            (
                f"Plan a {r.randrange(2, 11)}-day trip to {r.choice(_CITIES)} for "
                f"{r.choice(('two', 'a family of four', 'me', 'a couple'))}.",
                f"What's the best time of year to visit {r.choice(_CITIES)}?",
                f"Is {r.choice(_CITIES)} expensive? budget around {r.randrange(5, 40) * 100} euros",
                f"any hidden gems in {r.choice(_CITIES)}?",
                f"How do I get from the airport to the centre of {r.choice(_CITIES)}?",
            )
        )
    if kind == "cooking":
        a, b, c = r.sample(_INGREDIENTS, 3)
        return r.choice(
            (
                f"What can I cook with {a}, {b} and {c}?",
                f"How do I substitute {a} in a recipe?",
                f"quick dinner idea with {a}?",
                f"Is it safe to freeze {a}?",
                f"Give me a vegetarian recipe for {r.randrange(2, 9)} people using {b}.",
            )
        )
    if kind == "wellness":
        return f"I felt {r.choice(_MOODS)} today because {r.choice(_REASONS)}. " + r.choice(
            ("Can you help me reflect?", "What should I do?", "Any tips?", "", "How can I feel better?")
        )
    if kind == "tutor":
        if lang != "en":
            return p.foreign_question(r, lang, r.choice(("math", "biology", "history", "physics")))
        subject = r.choice(("biology", "history", "physics", "chemistry"))
        roll = r.random()
        if roll < 0.4:
            question = p.math_problem(r)
        elif roll < 0.6:
            question = p.hard_question(r, subject)
        else:
            question = p.topic_question(r, subject)
        return r.choice(("", "i dont get this: ", "For my homework: ", "Help! ")) + question
    if kind == "support":
        return r.choice(
            (
                f"My order #{r.randrange(100000, 999999)} hasn't arrived yet.",
                f"How do I return {r.choice(_ITEMS)}?",
                f"Does {r.choice(_ITEMS)} work with a Mac?",
                f"my {r.choice(_ITEMS)} stopped charging",
                "Can I change my delivery address?",
                f"Is {r.choice(_ITEMS)} back in stock?",
            )
        )
    return r.choice(
        (
            f"How do I say '{r.choice(v.SNIPPETS)[:40]}' in "
            f"{r.choice(('Spanish', 'Italian', 'Japanese', 'German'))}?",
            f"Correct my sentence: {r.choice(v.SNIPPETS)}",
            "Let's practise ordering food at a restaurant.",
            f"What's the difference between 'ser' and 'estar'? Example with {r.choice(_INGREDIENTS)} please",
        )
    )


# What earlier assistant turns look like in a conversation's history (the logs keep the request as sent).
_REPLY_BODIES = (
    "Here are three ideas to get you started.",
    "The short answer is yes, with a couple of caveats.",
    "It depends on your budget and timing; here's how I'd think about it.",
    "A simple way to do this is to start small and adjust as you go.",
    "Good news: this is a common situation and there are a few easy fixes.",
    "Let me break that down into a few steps.",
    "Here's a quick summary, then some details.",
)


@dataclass(frozen=True, slots=True)
class ChatProduct:
    kind: str
    system_prompt: str
    model: str
    temperature: float
    max_tokens: int | None
    stream: bool
    ips: tuple[str, ...]
    user_agent: str
    lang: str
    sessions_per_day: float
    # Client-side apps call the API from their users' devices: many residential IPs, browser UAs.
    client_side: bool


@register
class ConsumerChat(Population):
    name = "consumer_chat"
    description = "Consumer chat products: a fixed persona system prompt, multi-turn sessions, diurnal."
    hard_negative = True
    base_accounts = 6

    def prepare(self) -> None:
        self.products: dict[str, ChatProduct] = {}

    def key_count(self, r: random.Random) -> int:
        return r.randrange(2, 5)

    def setup(self, account: Account, r: random.Random) -> None:
        kind, role = _PRODUCT_KINDS[(account.index + r.randrange(len(_PRODUCT_KINDS))) % len(_PRODUCT_KINDS)]
        product = r.choice(_PRODUCT_NAMES)
        assistant = r.choice(("Mira", "Sol", "Juno", "Kit", "Ava", "Leo", "Nova", "Pip"))
        rules = " ".join(r.sample(_PERSONA_RULES, r.randrange(3, 6)))
        if kind == "tutor":
            # A legitimate product that asks for step-by-step reasoning in every answer (a hard negative).
            rules += (
                " Always explain your reasoning step by step so the student can follow, then give the answer."
            )
        system = f"You are {assistant}, {role} built by {product}. {rules}"
        lang = "en" if kind != "tutor" or r.random() < 0.5 else r.choice(("es", "zh", "de"))
        prefix = ipv4_prefix(r, "datacenter")
        self.products[account.account_id] = ChatProduct(
            kind=kind,
            system_prompt=system,
            model=r.choice((self.ctx.spec.flagship, self.ctx.spec.mini, self.ctx.spec.mini)),
            temperature=r.choice((0.7, 0.8, 1.0)),
            max_tokens=r.choice((512, 800, 1024, None)),
            stream=r.random() < 0.7,
            ips=tuple(ipv4_in(r, prefix) for _ in range(r.randrange(2, 6))),
            user_agent=r.choice((sdk_user_agent(r), custom_user_agent(r, product))),
            lang=lang,
            sessions_per_day=r.uniform(400, 800),
            client_side=account.index % 3 == 2,
        )

    def session_model(
        self, account: Account, r: random.Random, day: int, start: float, prod: ChatProduct
    ) -> str:
        """The model one chat session runs on: products adopt a new model slowly."""
        return self.ctx.legit_model(r, day, start, prod.model, eagerness=0.6)

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        prod = self.products[account.account_id]
        gen, r = self.day_streams(account, day)
        starts = t.profile_times(
            gen,
            int(gen.poisson(prod.sessions_per_day * self.rate_factor)),
            t.CONSUMER_PROFILE,
            account.tz_hours,
        )
        for start in self.alive(account, day, starts):
            end_user = f"u_{r.getrandbits(40):010x}"
            if prod.client_side:
                ip, user_agent = residential_ip(r, 0.35), browser_user_agent(r)
            else:
                ip, user_agent = r.choice(prod.ips), prod.user_agent
            turns = min(1 + int(r.expovariate(0.55)), 10)
            # Think-and-type time between turns: lognormal around 40 s.
            gaps = list(itertools.accumulate(math.exp(3.7 + 0.6 * r.gauss()) for _ in range(turns - 1)))
            gaps.insert(0, 0.0)
            messages: list[dict[str, Any]] = [{"role": "system", "content": prod.system_prompt}]
            model = self.session_model(account, r, day, float(start), prod)
            for turn, gap in enumerate(gaps):
                ts = float(start + gap)
                if ts >= DAY:
                    break
                user = _product_user_message(r, prod.kind, prod.lang) if turn == 0 else r.choice(v.FOLLOW_UPS)
                messages = [*messages, {"role": "user", "content": user}]
                request = body(
                    model,
                    messages,
                    temperature=prod.temperature,
                    max_tokens=prod.max_tokens,
                    stream=prod.stream or None,
                    user=end_user,
                )
                if prod.stream:
                    request["stream_options"] = {"include_usage": True}
                tokens, finish = completion_length(r, 170, prod.max_tokens or 4096)
                factory.emit(
                    out,
                    r=r,
                    account=account,
                    day=day,
                    ts=ts,
                    request=request,
                    ip=ip,
                    user_agent=user_agent,
                    completion_tokens=tokens,
                    finish_reason=finish,
                    api_key=r.choice(account.api_keys),
                )
                reply = f"{r.choice(v.ASSISTANT_SNIPPETS)} {r.choice(_REPLY_BODIES)}"
                messages = [*messages, {"role": "assistant", "content": reply}]


# ---------------------------------------------------------------------------------------------------------
# Coding assistants and agent products

_TOOL_LIBRARY: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("read_file", "Read a file from the workspace.", {"path": "string"}),
    ("write_file", "Create or overwrite a file.", {"path": "string", "content": "string"}),
    ("edit_file", "Replace a span of text in a file.", {"path": "string", "old": "string", "new": "string"}),
    ("list_dir", "List the entries of a directory.", {"path": "string"}),
    ("run_shell", "Run a shell command in the sandbox.", {"command": "string", "timeout_s": "integer"}),
    ("run_tests", "Run the project's test suite or a subset.", {"selector": "string"}),
    ("search_code", "Search the repository for a pattern.", {"query": "string", "glob": "string"}),
    ("git_diff", "Show the current uncommitted diff.", {}),
    ("open_url", "Fetch a documentation page.", {"url": "string"}),
    ("create_pull_request", "Open a pull request.", {"title": "string", "body": "string"}),
)

_PATHS = (
    "src/app.py",
    "src/utils/dates.py",
    "api/handlers.go",
    "web/src/App.tsx",
    "lib/cache.rs",
    "tests/test_api.py",
    "package.json",
    "README.md",
    "services/billing/invoice.py",
    "cmd/server/main.go",
)


def tool_schema(name: str, description: str, params: dict[str, str], prefix: str = "") -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": prefix + name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": {k: {"type": kind} for k, kind in params.items()},
                "required": list(params)[:1],
            },
        },
    }


def _tool_call(r: random.Random, tools: list[dict[str, Any]]) -> tuple[str, str, str]:
    """(function name, JSON arguments, tool result) of one plausible call of one of ``tools``."""
    fn = r.choice(tools)["function"]
    args: dict[str, Any] = {}
    for key, spec in fn["parameters"]["properties"].items():
        if spec["type"] == "integer":
            args[key] = r.randrange(10, 300)
        elif key in ("path", "glob"):
            args[key] = r.choice(_PATHS)
        elif key == "command":
            args[key] = r.choice(
                ("pytest -x -q", "npm test", "go build ./...", "cargo check", "ls -la", "git status")
            )
        else:
            args[key] = r.choice(v.CODING_TASKS)[:30]
    result = r.choice(
        (
            "OK",
            "1 failed, 41 passed",
            "FileNotFoundError",
            "def handler(request):\n    ...",
            "exit code 0",
            f"{r.randrange(1, 40)} matches",
            "error[E0382]: borrow of moved value",
            "Build succeeded.",
        )
    )
    return fn["name"], orjson.dumps(args).decode(), result


class ToolSteps:
    """A product's (or operator's) repertoire of tool calls, drawn when the tool set is defined.

    Replaying calls from a repertoire is both what agents do (the same few commands over and over) and
    much cheaper than composing arguments for every step of every request.
    """

    def __init__(self, tools: list[dict[str, Any]], r: random.Random, size: int = 96) -> None:
        self.tools = tools
        self._calls = [_tool_call(r, tools) for _ in range(size)]

    def step(self, r: random.Random) -> list[dict[str, Any]]:
        """One assistant tool call and the tool's result, as they appear in the next request's messages."""
        name, arguments, result = self._calls[int(r.random() * len(self._calls))]
        call_id = f"call_{r.getrandbits(48):012x}"
        return [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
                ],
            },
            {"role": "tool", "tool_call_id": call_id, "content": result},
        ]


@dataclass(frozen=True, slots=True)
class AgentProduct:
    system_prompt: str
    tools: list[dict[str, Any]]
    steps: ToolSteps
    model: str
    temperature: float
    max_tokens: int
    ips: tuple[str, ...]
    user_agent: str
    sessions_per_day: float


@register
class CodingAgent(Population):
    name = "coding_agent"
    description = "Coding assistants and agent products: their own tools, tool loops, multi-turn."
    hard_negative = True
    base_accounts = 3

    def prepare(self) -> None:
        self.products: dict[str, AgentProduct] = {}

    def key_count(self, r: random.Random) -> int:
        return r.randrange(2, 6)

    def setup(self, account: Account, r: random.Random) -> None:
        product = r.choice(("Forge", "Tidewater Code", "Patchwork", "Kilnbot", "DevPilot", "Quarry"))
        prefix = r.choice(("", "", f"{product.split()[0].lower()}_"))
        tools = [tool_schema(n, d, ps, prefix) for n, d, ps in r.sample(_TOOL_LIBRARY, r.randrange(4, 9))]
        system = (
            f"You are {product}, an AI coding agent working inside the user's repository. "
            + r.choice(("Make minimal, focused changes. ", "Prefer small diffs and explain each change. "))
            + r.choice(
                ("Run the tests before finishing.", "Never push to main.", "Ask before deleting files.")
            )
        )
        dc = ipv4_prefix(r, "datacenter")
        self.products[account.account_id] = AgentProduct(
            system_prompt=system,
            tools=tools,
            steps=ToolSteps(tools, r),
            model=r.choice((self.ctx.spec.flagship, self.ctx.spec.reasoning)),
            temperature=r.choice((0.0, 0.2, 0.3)),
            max_tokens=r.choice((4096, 8192, 16384)),
            ips=tuple(ipv4_in(r, dc) for _ in range(r.randrange(3, 8))),
            user_agent=custom_user_agent(r, product),
            sessions_per_day=r.uniform(220, 380),
        )

    def timezone(self, r: random.Random, index: int) -> float:
        return float(r.choice((-8, -5, 0, 1, 2, 8)))

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        prod = self.products[account.account_id]
        gen, r = self.day_streams(account, day)
        starts = t.profile_times(
            gen,
            int(gen.poisson(prod.sessions_per_day * self.rate_factor)),
            t.WORKDAY_PROFILE,
            account.tz_hours,
        )
        for start in self.alive(account, day, starts):
            task = p.debug_request(r) if r.random() < 0.35 else p.coding_request(r)
            messages: list[dict[str, Any]] = [
                {"role": "system", "content": prod.system_prompt},
                {"role": "user", "content": task},
            ]
            model = self.ctx.legit_model(r, day, float(start), prod.model, eagerness=1.5)
            steps = r.randrange(2, 12)
            ts = float(start)
            for step in range(steps):
                if ts >= DAY:
                    break
                last = step == steps - 1
                tokens, _ = completion_length(r, 600 if last else 120, prod.max_tokens)
                request = body(
                    model,
                    messages,
                    tools=prod.tools,
                    tool_choice="auto",
                    temperature=prod.temperature,
                    max_tokens=prod.max_tokens,
                    stream=True,
                    parallel_tool_calls=False,
                )
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
                    finish_reason="stop" if last else "tool_calls",
                    api_key=r.choice(account.api_keys),
                )
                messages = messages + prod.steps.step(r)
                ts += r.uniform(2.0, 25.0)


# ---------------------------------------------------------------------------------------------------------
# Enterprise retrieval-augmented generation

_TENANTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Northwind Insurance",
        (
            "claim form C-12",
            "water damage",
            "the deductible",
            "a total loss",
            "the adjuster visit",
            "windshield repair",
            "policy renewal",
        ),
        ("How do I process {x}?", "What is the limit for {x}?", "Who approves {x}?", "Is {x} covered?"),
    ),
    (
        "Helios Pharma",
        (
            "SOP-214 cleanroom entry",
            "batch release",
            "a temperature excursion",
            "deviation reports",
            "the stability study",
            "gowning requirements",
        ),
        ("What does the SOP say about {x}?", "What are the steps for {x}?", "Who signs off on {x}?"),
    ),
    (
        "Contoso HR",
        (
            "parental leave",
            "the travel expense policy",
            "remote work days",
            "the bonus cycle",
            "sick leave",
            "relocation support",
        ),
        ("How many days of {x} do I get?", "What is the policy on {x}?", "Where do I request {x}?"),
    ),
    (
        "Telco One",
        ("a SIM swap", "roaming charges", "fibre installation", "a router reset", "porting a number"),
        ("How do I handle {x} for a customer?", "What's the script for {x}?", "What are the fees for {x}?"),
    ),
    (
        "Barton & Lee LLP",
        (
            "the indemnity clause",
            "a change-of-control provision",
            "the limitation of liability",
            "the governing law clause",
            "termination for convenience",
        ),
        ("Summarise {x} in this contract.", "Does {x} favour the client?", "What are the risks in {x}?"),
    ),
)


_CHUNK_RULES = (
    "requests must be submitted within {d} days and approved by the {who}",
    "exceptions require written sign-off from the {who}",
    "the standard limit is {d} units per quarter unless the {who} grants more",
    "records are retained for {d} months and reviewed by the {who}",
    "any deviation must be reported to the {who} within {d} hours",
)
_APPROVERS = ("manager", "team lead", "compliance officer", "regional director", "HR partner", "QA lead")


def _tenant_corpus(r: random.Random, tenant: str, nouns: tuple[str, ...], size: int = 400) -> tuple[str, ...]:
    """The tenant's knowledge base, chunked: what its retriever returns, again and again."""
    return tuple(
        f"({tenant} doc {r.randrange(10, 999)}, rev {r.randrange(1, 9)}) Regarding {r.choice(nouns)}: "
        f"section {r.randrange(1, 30)}.{r.randrange(1, 9)} states that "
        + r.choice(_CHUNK_RULES).format(d=r.randrange(2, 90), who=r.choice(_APPROVERS))
        + "."
        for _ in range(size)
    )


@dataclass(frozen=True, slots=True)
class Tenant:
    name: str
    nouns: tuple[str, ...]
    questions: tuple[str, ...]
    corpus: tuple[str, ...]  # the tenant's document chunks that retrieval draws from
    system_prompt: str
    ips: tuple[str, ...]
    user_agent: str
    per_day: float


@register
class EnterpriseRag(Population):
    name = "enterprise_rag"
    description = "Enterprise RAG: one template with retrieved context, temperature 0, weekday office hours."
    hard_negative = True
    base_accounts = 4

    def prepare(self) -> None:
        self.tenants: dict[str, Tenant] = {}

    def timezone(self, r: random.Random, index: int) -> float:
        return float(r.choice((-5, -6, 0, 1, 2)))

    def setup(self, account: Account, r: random.Random) -> None:
        name, nouns, questions = _TENANTS[(account.index + r.randrange(len(_TENANTS))) % len(_TENANTS)]
        prefix = ipv4_prefix(r, "datacenter")
        self.tenants[account.account_id] = Tenant(
            name=name,
            nouns=nouns,
            questions=questions,
            corpus=_tenant_corpus(r, name, nouns),
            system_prompt=(
                f"You are the internal knowledge assistant of {name}. Answer only from the provided context. "
                "If the answer is not in the context, say you don't know. Cite sources as [n]."
            ),
            ips=(ipv4_in(r, prefix), ipv4_in(r, prefix)),
            user_agent=custom_user_agent(r, name),
            per_day=r.uniform(800, 1300),
        )

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        tenant = self.tenants[account.account_id]
        gen, r = self.day_streams(account, day)
        rate = tenant.per_day if self.ctx.weekday(day) < 5 else tenant.per_day * 0.02
        times = t.profile_times(
            gen, int(gen.poisson(rate * self.rate_factor)), t.OFFICE_PROFILE, account.tz_hours
        )
        for ts in self.alive(account, day, times):
            noun = r.choice(tenant.nouns)
            corpus = tenant.corpus
            chunks = "\n".join(
                f"[{i + 1}] {corpus[int(r.random() * len(corpus))]}" for i in range(r.randrange(3, 7))
            )
            question = r.choice(tenant.questions).format(x=noun)
            user = f"Context:\n{chunks}\n\nQuestion: {question}\n\nAnswer concisely and cite the sources."
            request = body(
                self.ctx.spec.flagship,
                [{"role": "system", "content": tenant.system_prompt}, {"role": "user", "content": user}],
                temperature=0,
                max_tokens=512,
            )
            tokens, finish = completion_length(r, 140, 512, 0.4)
            factory.emit(
                out,
                r=r,
                account=account,
                day=day,
                ts=float(ts),
                request=request,
                ip=r.choice(tenant.ips),
                user_agent=tenant.user_agent,
                completion_tokens=tokens,
                finish_reason=finish,
            )


# ---------------------------------------------------------------------------------------------------------
# Nightly batch classification / extraction jobs

_BATCH_KINDS: tuple[tuple[str, str, str], ...] = (
    (
        "ticket",
        "Classify the support ticket into exactly one of: billing, bug, feature_request, account, other. "
        "Respond with the label only.\n\nTicket: {text}",
        "label",
    ),
    (
        "review",
        "Sentiment of this product review (positive/neutral/negative)? One word.\n\nReview: {text}",
        "label",
    ),
    (
        "invoice",
        "Extract vendor, invoice_number, total and currency from the text below as JSON.\n\n{text}",
        "json",
    ),
    (
        "catalog",
        "Assign the product to a category from our taxonomy (electronics, home, garden, toys, apparel, "
        "beauty). Output only the category.\n\nProduct: {text}",
        "label",
    ),
)


def _batch_text(r: random.Random, kind: str) -> str:
    if kind == "invoice":
        return (
            f"INVOICE {r.randrange(10000, 99999)} from "
            f"{r.choice(('Acme GmbH', 'Blue Ocean Ltd', 'Kappa SRL'))} "
            f"Total due: {r.randrange(50, 9000)}.{r.randrange(0, 99):02d} {r.choice(('EUR', 'USD', 'GBP'))}"
        )
    if kind == "catalog":
        return f"{r.choice(_ITEMS)} - {r.choice(('black', 'white', 'blue'))}, {r.randrange(1, 5)} pack"
    return r.choice(v.SNIPPETS) + r.choice(
        ("", ".", "!!", " - please advise", f" (order {r.randrange(1000, 9999)})")
    )


@dataclass(frozen=True, slots=True)
class BatchJob:
    kind: str
    template: str
    output: str
    local_start_hour: float
    items: float
    interval: float
    ip: str
    user_agent: str


@register
class NightlyBatch(Population):
    name = "batch_job"
    description = "Nightly batch classification/extraction: regular, templated, tiny outputs, one IP."
    hard_negative = True
    base_accounts = 3

    def prepare(self) -> None:
        self.jobs: dict[str, BatchJob] = {}

    def setup(self, account: Account, r: random.Random) -> None:
        kind, template, output = _BATCH_KINDS[
            (account.index + r.randrange(len(_BATCH_KINDS))) % len(_BATCH_KINDS)
        ]
        self.jobs[account.account_id] = BatchJob(
            kind=kind,
            template=template,
            output=output,
            local_start_hour=r.uniform(0.5, 3.5),
            items=r.uniform(1500, 2500),
            interval=r.uniform(0.8, 2.5),
            ip=ipv4_in(r, ipv4_prefix(r, "datacenter")),
            user_agent=r.choice((f"python-requests/2.{r.randrange(25, 33)}.0", sdk_user_agent(r))),
        )

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        job = self.jobs[account.account_id]
        gen, r = self.day_streams(account, day)
        start = ((job.local_start_hour - account.tz_hours) % 24) * 3600.0
        times = t.regular_times(
            gen, int(gen.poisson(job.items * self.rate_factor)), start, job.interval, 0.05
        )
        json_mode = job.output == "json"
        for ts in self.alive(account, day, times):
            request = body(
                self.ctx.spec.mini,
                [{"role": "user", "content": job.template.format(text=_batch_text(r, job.kind))}],
                temperature=0,
                max_tokens=64 if json_mode else 5,
                response_format={"type": "json_object"} if json_mode else None,
            )
            tokens = r.randrange(25, 60) if json_mode else r.randrange(1, 4)
            factory.emit(
                out,
                r=r,
                account=account,
                day=day,
                ts=float(ts),
                request=request,
                ip=job.ip,
                user_agent=job.user_agent,
                completion_tokens=tokens,
            )


# ---------------------------------------------------------------------------------------------------------
# Researchers running evaluation benchmarks

_BENCHMARKS = ("mc-knowledge", "grade-school-math", "science-qa")
_MC_STEMS = (
    "Which of the following best describes {t}?",
    "Which statement about {t} is correct?",
    "What is the primary consequence of {t}?",
    "Which of the following is NOT associated with {t}?",
    "A student claims that {t} explains an observation. Which evidence would best support this?",
)
_MC_OPTIONS = (
    "It is a special case of {t}.",
    "It contradicts {t}.",
    "It only applies when {t} is absent.",
    "It was first described in the context of {t}.",
    "None of the above, because of {t}.",
)


def benchmark_items(seed: int, name: str, size: int = 300) -> list[tuple[str, tuple[str, ...]]]:
    """A fixed public benchmark: the same questions for every researcher on every platform."""
    from distillguard.simulate._seeding import rng_for

    r = py_random(rng_for(seed, "benchmark", name))
    items: list[tuple[str, tuple[str, ...]]] = []
    for _ in range(size):
        if name == "grade-school-math":
            a, b = r.randrange(3, 90), r.randrange(2, 12)
            who = r.choice(("Natalia", "Tom", "Aisha", "Kenji", "Maria", "Sam"))
            thing = r.choice(("apples", "stickers", "books", "cupcakes", "marbles"))
            items.append(
                (
                    f"{who} had {a} {thing} and bought {b} packs of {b + 1} more. "
                    f"Then {who} gave away {a // 3}. How many {thing} are left?",
                    (),
                )
            )
        else:
            subject = (
                r.choice(v.BENCHMARK_SUBJECTS)
                if name == "mc-knowledge"
                else r.choice(("physics", "chemistry", "biology"))
            )
            domain = subject if subject in v.DOMAINS else None
            stem = r.choice(_MC_STEMS).format(t=p.topic(r, domain))
            options = tuple(r.choice(_MC_OPTIONS).format(t=p.topic(r, domain)) for _ in range(4))
            items.append((f"[{subject}] {stem}", options))
    return items


@dataclass(frozen=True, slots=True)
class Researcher:
    benchmarks: tuple[str, ...]
    style: str  # "cot", "mc_logprob" or "judge"
    top_logprobs: int
    ip_prefix: str
    user_agent: str
    runs_per_day: float


@register
class EvalResearcher(Population):
    name = "eval_researcher"
    description = "Researchers running benchmarks: CoT phrasing, logprobs for multiple choice, short bursts."
    hard_negative = True
    base_accounts = 10
    min_accounts = 2

    def prepare(self) -> None:
        self.items = {name: benchmark_items(self.ctx.seed, name) for name in _BENCHMARKS}
        self.researchers: dict[str, Researcher] = {}

    def creation_offset(self, r: random.Random, index: int) -> float:
        return -r.uniform(400, 2000) * DAY

    def setup(self, account: Account, r: random.Random) -> None:
        style = r.choice(("cot", "cot", "mc_logprob", "mc_logprob", "judge"))
        benches = (
            (r.choice(("mc-knowledge", "science-qa")),)
            if style == "mc_logprob"
            else tuple(r.sample(_BENCHMARKS, r.randrange(1, 3)))
        )
        self.researchers[account.account_id] = Researcher(
            benchmarks=benches,
            style=style,
            top_logprobs=r.choice((1, 5, 10)),
            ip_prefix=f"{r.choice((128, 129, 131, 137, 141, 155))}.{r.randrange(256)}.{r.randrange(256)}",
            user_agent=r.choice(
                (
                    f"lm-eval/0.4.{r.randrange(0, 9)}",
                    "python-httpx/0.27.0",
                    sdk_user_agent(r),
                    f"helm/0.{r.randrange(3, 6)}.0",
                )
            ),
            runs_per_day=r.uniform(0.5, 1.3),
        )

    def timezone(self, r: random.Random, index: int) -> float:
        return float(r.choice((-8, -5, 0, 1, 2, 8, 9)))

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        res = self.researchers[account.account_id]
        gen, r = self.day_streams(account, day)
        ip = ipv4_in(r, res.ip_prefix)
        for _ in range(int(gen.poisson(res.runs_per_day))):
            bench = r.choice(res.benchmarks)
            items = self.items[bench]
            n_items = min(
                len(items), max(20, int(len(items) * min(1.0, self.rate_factor) * r.uniform(0.5, 1.0)))
            )
            start = float(t.profile_times(gen, 1, t.WORKDAY_PROFILE, account.tz_hours)[0])
            times = self.alive(account, day, t.regular_times(gen, n_items, start, r.uniform(0.15, 0.8), 0.2))
            model = (
                self.ctx.spec.new_model
                if self.ctx.since_release(day, start) > 0 and r.random() < 0.6
                else r.choice(self.ctx.spec.established_models)
            )
            for i, ts in enumerate(times):
                question, options = items[i]
                request, tokens, finish = self._request(r, res, model, question, options, i)
                factory.emit(
                    out,
                    r=r,
                    account=account,
                    day=day,
                    ts=float(ts),
                    request=request,
                    ip=ip,
                    user_agent=res.user_agent,
                    completion_tokens=tokens,
                    finish_reason=finish,
                )

    @staticmethod
    def _request(
        r: random.Random, res: Researcher, model: str, question: str, options: tuple[str, ...], item: int
    ) -> tuple[dict[str, Any], int, str]:
        if res.style == "mc_logprob" and options:
            letters = "\n".join(f"{letter}. {opt}" for letter, opt in zip(v.MC_LETTERS, options, strict=True))
            prompt = f"The following is a multiple choice question.\n\n{question}\n{letters}\nAnswer:"
            request = body(
                model,
                [{"role": "user", "content": prompt}],
                temperature=0,
                max_tokens=1,
                logprobs=True,
                top_logprobs=res.top_logprobs,
            )
            return request, 1, "length"
        if res.style == "judge":
            # LLM-as-a-judge on the researcher's own model outputs: a legitimate grading workload.
            answer = (
                f"{v.ASSISTANT_SNIPPETS[item % len(v.ASSISTANT_SNIPPETS)]} The answer is {item * 7 % 97}."
            )
            prompt = (
                "Please act as an impartial judge and evaluate the quality of the response provided by an "
                "AI assistant to the user question below. Be as objective as possible. After a short "
                'explanation, rate the response from 1 to 10 in the format "[[rating]]".\n\n'
                f"[Question]\n{question}\n\n[The Start of Assistant's Answer]\n{answer}\n"
                "[The End of Assistant's Answer]"
            )
            request = body(model, [{"role": "user", "content": prompt}], temperature=0, max_tokens=512)
            tokens, finish = completion_length(r, 120, 512, 0.4)
            return request, tokens, finish
        prompt = f"Q: {question}\nA: Let's think step by step."
        request = body(model, [{"role": "user", "content": prompt}], temperature=0, max_tokens=1024)
        tokens, finish = completion_length(r, 220, 1024, 0.4)
        return request, tokens, finish


# ---------------------------------------------------------------------------------------------------------
# Individual developers

_SCHOOL = ("math", "physics", "chemistry", "biology", "statistics")
_STUDENT_ASKS = (
    "Explain step by step please.",
    "Show all your working.",
    "can you go through it step by step, I want to understand not just the answer",
    "Please show the full solution with every step.",
    "walk me through the reasoning",
    "Explain each step like I'm 15.",
)

_COMMON_SYSTEM_PROMPTS = (
    "You are a helpful assistant.",
    "You are a helpful assistant.",
    "You are ChatGPT, a helpful assistant.",
    "You are an expert Python developer.",
    "Answer as concisely as possible.",
    "You are a friendly tutor.",
    "Respond in JSON.",
    "You are a senior software engineer. Be precise.",
)


@dataclass(frozen=True, slots=True)
class Developer:
    home_ip: str
    shared_ip: str | None  # a carrier-grade NAT address shared with unrelated users
    user_agents: tuple[str, ...]
    rate: float
    active_share: float
    favourite_model: str
    profile: str


@register
class IndieDev(Population):
    name = "indie_dev"
    description = (
        "Many individual developers: low volume, varied prompts, residential IPs, some behind CGNAT."
    )
    base_accounts = 5000
    min_accounts = 20

    def prepare(self) -> None:
        r = py_random(self.ctx.rng(self.name, "cgnat"))
        pool = max(
            4, len(range(round(self.ctx.config.scale * self.base_accounts * self.platform_volume))) // 40
        )
        self.cgnat_pool = tuple(
            ipv4_in(r, f"100.{r.randrange(64, 128)}.{r.randrange(0, 256)}")
            if r.random() < 0.1
            else ipv4_in(r, ipv4_prefix(r, "residential"))
            for _ in range(pool)
        )
        self.devs: dict[str, Developer] = {}

    def creation_offset(self, r: random.Random, index: int) -> float:
        roll = r.random()
        if roll < 0.04:
            return r.uniform(0, self.ctx.days) * DAY  # signs up during the run
        if roll < 0.3:
            return -r.uniform(1, 30) * DAY
        return -r.uniform(30, 1500) * DAY

    def setup(self, account: Account, r: random.Random) -> None:
        uas = [sdk_user_agent(r)]
        if r.random() < 0.3:
            uas.append(r.choice((browser_user_agent(r), sdk_user_agent(r), "curl/8.5.0")))
        self.devs[account.account_id] = Developer(
            home_ip=residential_ip(r, 0.3),
            shared_ip=r.choice(self.cgnat_pool) if r.random() < 0.15 else None,
            user_agents=tuple(uas),
            rate=r.lognormvariate(np.log(2.0), 1.0),
            active_share=r.uniform(0.2, 0.9),
            favourite_model=r.choice(self.ctx.spec.established_models),
            # A few students want worked solutions to homework (a reasoning-elicitation hard negative).
            profile="student" if r.random() < 0.04 else r.choice(("work", "work", "evening")),
        )

    def is_hard_negative(self, account: Account) -> bool:
        # Individuals behind a shared NAT/proxy address look like a cluster by infrastructure alone.
        return self.devs[account.account_id].shared_ip is not None

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        dev = self.devs[account.account_id]
        r = self.day_random(account)
        if r.random() > dev.active_share:
            return
        n = t.poisson(r, min(dev.rate / dev.active_share, 400) * self.rate_factor)
        if n == 0:
            return
        profile = t.WORKDAY_PROFILE if dev.profile == "work" else t.CONSUMER_PROFILE
        if dev.profile == "student":
            n = t.poisson(r, 4.0 * n + 4.0)  # homework evenings: a few bursts of questions
        born = account.created - day * DAY + 60.0
        for ts in t.few_profile_times(r, n, profile, account.tz_hours):
            if ts < born:
                continue
            messages: list[dict[str, Any]] = []
            if r.random() < 0.25:
                messages.append({"role": "system", "content": r.choice(_COMMON_SYSTEM_PROMPTS)})
            if r.random() < 0.15:
                messages += [
                    {"role": "user", "content": p.everyday_prompt(r)},
                    {"role": "assistant", "content": r.choice(v.ASSISTANT_SNIPPETS)},
                ]
            if dev.profile == "student" and r.random() < 0.8:
                question = p.math_problem(r) if r.random() < 0.7 else p.hard_question(r, r.choice(_SCHOOL))
                ask = r.choice(_STUDENT_ASKS) if r.random() < 0.7 else ""
                messages.append({"role": "user", "content": f"{question} {ask}".strip()})
            else:
                messages.append({"role": "user", "content": p.everyday_prompt(r)})
            model = self.ctx.legit_model(
                r,
                day,
                float(ts),
                dev.favourite_model if r.random() < 0.8 else r.choice(self.ctx.spec.established_models),
                eagerness=1.2,
            )
            max_tokens = r.choice((None, None, 256, 512, 1024, 2048, 4096))
            if r.random() < 0.02:
                max_tokens = self.ctx.spec.output_cap  # "give me everything": some people set the cap
            use_completion_field = r.random() < 0.3
            params: dict[str, Any] = {
                "temperature": r.choice((None, None, 0, 0.2, 0.5, 0.7, 1.0, 1.2)),
                "max_completion_tokens" if use_completion_field else "max_tokens": max_tokens,
                "stream": True if r.random() < 0.3 else None,
                "top_p": r.choice((None, None, None, None, 0.9, 0.95)),
            }
            if r.random() < 0.02:
                params.update(logprobs=True, top_logprobs=r.randrange(1, 6))
            if r.random() < 0.03:
                params["n"] = r.randrange(2, 4)
            if model == self.ctx.spec.reasoning and r.random() < 0.5:
                params["reasoning_effort"] = r.choice(("low", "medium", "high"))
            tokens, finish = completion_length(r, 250, max_tokens or 4096, 0.9)
            status = 200 if r.random() > 0.01 else r.choice((400, 429, 500))
            ip = dev.shared_ip if dev.shared_ip and r.random() < 0.5 else dev.home_ip
            if r.random() < 0.08:
                ip = residential_ip(r, 0.3)  # roaming: coffee shop, phone hotspot
            factory.emit(
                out,
                r=r,
                account=account,
                day=day,
                ts=float(ts),
                request=body(model, messages, **params),
                ip=ip,
                user_agent=r.choice(dev.user_agents),
                completion_tokens=tokens,
                finish_reason=finish,
                status=status,
            )


# ---------------------------------------------------------------------------------------------------------
# Permitted synthetic-data generation for an in-house model

_SYNTH_KINDS = (
    "customer-support dialogues",
    "intent-labelled user utterances",
    "FAQ question-answer pairs",
    "short complaint emails",
    "chatbot refusal examples",
)
_SYNTH_DOMAIN = (
    "mobile banking app",
    "food delivery service",
    "airline booking site",
    "health insurance portal",
    "telecom provider's help desk",
    "online furniture shop",
)


@register
class SyntheticData(Population):
    name = "synthetic_data"
    description = (
        "A permitted synthetic-data job for a partner's in-house model: one account, steady, narrow."
    )
    hard_negative = True
    base_accounts = 1

    def prepare(self) -> None:
        r = py_random(self.ctx.rng(self.name, "partner"))
        self.domain = r.choice(_SYNTH_DOMAIN)
        self.ip = ipv4_in(r, ipv4_prefix(r, "datacenter"))
        self.user_agent = custom_user_agent(r, "synthgen")
        self.per_day = r.uniform(1300, 1800)
        # Data-generation scripts often ask for the model's whole output budget, and some want a rationale
        # with each label: still one partner's narrow domain, as permitted.
        self.max_tokens = r.choice((4000, 8192, self.ctx.spec.output_cap))
        self.rationale = r.random() < 0.5

    def creation_offset(self, r: random.Random, index: int) -> float:
        return -r.uniform(200, 700) * DAY

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        gen, r = self.day_streams(account, day)
        for ts in self.alive(
            account, day, t.uniform_times(gen, int(gen.poisson(self.per_day * self.rate_factor)))
        ):
            count = r.choice((5, 10, 10, 20, 25))
            user = (
                f"Generate {count} diverse {r.choice(_SYNTH_KINDS)} for a {self.domain}. "
                f"Vary {r.choice(('tone', 'customer age', 'problem severity', 'vocabulary'))}. "
                f"Return JSONL with the fields text and label. Batch {r.randrange(1, 100000)}."
            )
            if self.rationale:
                user += " Add a field rationale: one sentence on why the label fits."
            request = body(
                self.ctx.spec.flagship,
                [
                    {
                        "role": "system",
                        "content": f"You generate training data for the {self.domain} assistant.",
                    },
                    {"role": "user", "content": user},
                ],
                temperature=1.0,
                max_tokens=self.max_tokens,
            )
            per_example = 150 if self.rationale else 120
            tokens, finish = completion_length(r, per_example * count, self.max_tokens, 0.3)
            factory.emit(
                out,
                r=r,
                account=account,
                day=day,
                ts=float(ts),
                request=request,
                ip=self.ip,
                user_agent=self.user_agent,
                completion_tokens=tokens,
                finish_reason=finish,
            )
