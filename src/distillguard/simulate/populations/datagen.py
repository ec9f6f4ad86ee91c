"""A permitted synthetic-data job run by one organisation through several of its accounts (a hard negative).

Companies that train a small in-house model for their own product (a support assistant, an intent
classifier) often buy the data from a large model under an agreement with its provider, and run the
generation through several of their API accounts: one per team or project, each with its own rate limits
and its own cost centre. To a graph of shared indicators the accounts are one tight group (one generator
script's prompt layout, system prompt and user agent, the company's cloud egress), and each account asks,
around the clock, for batches of examples: what a distillation hydra does too. What such a job does not
show is anything made for an operation: the accounts are established (opened over the company's years as a
customer, not in a burst), the workers stay on the company's own networks, the answers are bulk JSONL of
short items about one product's domain (several samples per prompt, for variety), nothing asks for
reasoning traces or answers at the token cap.
Written from how such jobs are run, not from any other generator's code.

Each account here is billed on its own (per-team invoicing). An organisation paying every account with one
card additionally shows a payment method shared by all of them, which the detector counts as account
infrastructure evidence whatever the accounts' age (see docs/detection-campaigns.md).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from distillguard.simulate import _timing as t
from distillguard.simulate._events import EventFactory
from distillguard.simulate._model import Account
from distillguard.simulate._network import custom_user_agent, ipv4_in, ipv4_prefix
from distillguard.simulate._seeding import py_random
from distillguard.simulate.populations._base import DAY, Out, Population, body, completion_length, register

# (company, product, the kinds of examples its teams generate, the attributes they vary)
_COMPANIES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Parcelwise",
        "shipment-tracking help desk",
        ("customer messages about late parcels", "intent-labelled tracking questions", "agent replies"),
        ("carrier", "customer mood", "delivery country", "message length"),
    ),
    (
        "Finlo",
        "personal budgeting app",
        ("user questions about categories", "labelled transaction descriptions", "onboarding dialogues"),
        ("spending habit", "user age group", "currency", "politeness"),
    ),
    (
        "Stayhop",
        "holiday rental booking assistant",
        ("guest enquiries", "cancellation requests with intent labels", "host replies"),
        ("season", "group size", "urgency", "language register"),
    ),
    (
        "Medora",
        "clinic appointment chatbot",
        ("patient booking requests", "symptom-free triage questions with labels", "reminder messages"),
        ("clinic type", "patient age", "time of day", "formality"),
    ),
    (
        "Gridly",
        "energy supplier self-service portal",
        ("billing complaints", "meter-reading questions with intent labels", "tariff comparison requests"),
        ("tariff", "customer tenure", "household size", "tone"),
    ),
)
_FORMATS = (
    "Return JSONL, one object per line, with the fields text and label.",
    "Return a JSON array of objects with fields input, intent and difficulty.",
    "Return JSONL with fields text, label and language.",
)


@dataclass(frozen=True, slots=True)
class TeamJob:
    kind: str
    per_day: float
    max_tokens: int


@register
class SyntheticDataOrg(Population):
    name = "synthetic_data_org"
    description = (
        "A permitted synthetic-data job run by one organisation through several established accounts: one "
        "generator script, the company's cloud egress, bulk JSONL of short items about its own product."
    )
    hard_negative = True
    base_accounts = 6
    # Enough accounts at any scale to be linked into a group that a detector must leave alone.
    min_accounts = 4

    def prepare(self) -> None:
        r = py_random(self.ctx.rng(self.name, "company"))
        self.company, self.product, self.kinds, self.attributes = r.choice(_COMPANIES)
        self.user_agent = custom_user_agent(r, f"{self.company} datagen")
        self.system_prompt = (
            f"You generate realistic, varied training examples for {self.company}'s {self.product}. "
            "Follow the requested output format exactly and do not add commentary."
        )
        # Several samples per prompt for diversity, as generation scripts commonly ask (the same script for
        # every team).
        self.samples = r.choice((2, 3, 4))
        # The company's generation workers run in one cloud region: two NAT egress prefixes for every team.
        self.egress = [ipv4_prefix(r, "datacenter") for _ in range(2)]
        self.jobs: dict[str, TeamJob] = {}
        self.ips: dict[str, tuple[str, ...]] = {}

    def creation_offset(self, r: random.Random, index: int) -> float:
        # Team accounts opened one by one over the company's years as a customer.
        return -r.uniform(200, 1100) * DAY

    def setup(self, account: Account, r: random.Random) -> None:
        self.jobs[account.account_id] = TeamJob(
            kind=self.kinds[account.index % len(self.kinds)],
            per_day=r.uniform(300, 800),
            max_tokens=r.choice((3000, 4000)),
        )
        self.ips[account.account_id] = tuple(ipv4_in(r, prefix) for prefix in self.egress)

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        job = self.jobs[account.account_id]
        gen, r = self.day_streams(account, day)
        # A worker pool at a steady rate, day and night.
        times = t.uniform_times(gen, int(gen.poisson(job.per_day * self.rate_factor)))
        for ts in self.alive(account, day, times):
            count = r.choice((10, 20, 20, 25, 40))
            user = (
                f"Generate {count} diverse {job.kind} for the {self.product}. "
                f"Vary the {r.choice(self.attributes)} and the {r.choice(self.attributes)}. "
                f"{r.choice(_FORMATS)} Seed {r.randrange(1, 1_000_000)}."
            )
            request = body(
                self.ctx.spec.flagship,
                [{"role": "system", "content": self.system_prompt}, {"role": "user", "content": user}],
                temperature=r.choice((0.9, 1.0, 1.1)),
                max_tokens=job.max_tokens,
                n=self.samples,
            )
            # Short items: a few dozen tokens each, the batch well inside the budget.
            tokens, finish = completion_length(r, 45 * count, job.max_tokens, 0.25)
            factory.emit(
                out,
                r=r,
                account=account,
                day=day,
                ts=float(ts),
                request=request,
                ip=r.choice(self.ips[account.account_id]),
                user_agent=self.user_agent,
                completion_tokens=tokens,
                finish_reason=finish,
            )
