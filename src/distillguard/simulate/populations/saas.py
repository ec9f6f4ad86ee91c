"""A multi-tenant RAG vendor: many tenant accounts running one product (a hard negative for linking).

Knowledge-assistant vendors commonly provision one API organisation per customer (per-tenant billing, rate
limits and data isolation). Every tenant account then sends the vendor's prompt layout, the vendor's
system prompt and the vendor's backend user agent: to a graph of shared indicators they are one tightly
linked group, exactly like a hydra cluster. What they are not is a harvest: each tenant asks questions about
its own small knowledge base (a dental group's insurance rules, a logistics firm's freight terms), in office
hours of its own time zone, with a modest output budget; each tenant pays with its own payment method and
reaches the API from its own deployment's network. Written from how such products are built, not from any
other generator's code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from distillguard.simulate import _timing as t
from distillguard.simulate._events import EventFactory
from distillguard.simulate._model import Account
from distillguard.simulate._network import ipv4_in, ipv4_prefix
from distillguard.simulate._seeding import py_random
from distillguard.simulate.populations._base import DAY, Out, Population, body, completion_length, register

_VENDORS = ("Knowlio", "DeskMind", "Answerbase", "Lorekeeper", "Docsy AI", "Clearpath Assist")

# (tenant, its domain's nouns, the questions its staff ask about them)
_DOMAINS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Harbor Dental Group",
        ("implants", "crowns", "whitening", "root canals", "retainers", "x-rays", "hygiene visits"),
        ("Is {x} covered by the basic plan?", "How far ahead must {x} be booked?", "Who approves {x}?"),
    ),
    (
        "Northwind Logistics",
        ("pallets", "customs holds", "bills of lading", "detention fees", "reefer units", "liftgates"),
        ("What is the process for {x}?", "Who pays for {x} on export loads?", "How are {x} invoiced?"),
    ),
    (
        "Cedar Property Management",
        ("lease renewals", "security deposits", "maintenance tickets", "pet policies", "parking permits"),
        ("What is our policy on {x}?", "How long do tenants have for {x}?", "Who signs off {x}?"),
    ),
    (
        "Brightline Insurance",
        ("deductibles", "riders", "claim adjusters", "policy lapses", "beneficiaries", "grace periods"),
        ("How do we explain {x} to a client?", "What changed about {x} this year?", "Where is {x} defined?"),
    ),
    (
        "Alder Pharmacy",
        ("refills", "prior authorizations", "generic substitutions", "formularies", "compounding"),
        ("What is the procedure for {x}?", "Can a technician handle {x}?", "What do we log for {x}?"),
    ),
    (
        "Summit Fitness Clubs",
        ("membership freezes", "guest passes", "locker rentals", "class bookings", "family plans"),
        ("What are the rules for {x}?", "Can front desk staff approve {x}?", "What do {x} cost?"),
    ),
    (
        "Quarry Manufacturing",
        ("torque specs", "lockout procedures", "work orders", "calibrations", "scrap reports"),
        ("Where do I find {x}?", "Who is responsible for {x} on night shift?", "How often are {x} due?"),
    ),
    (
        "Meridian University Admissions",
        ("transcripts", "deferrals", "scholarships", "recommendation letters", "enrollment deposits"),
        ("What is the deadline for {x}?", "Can we waive {x}?", "Who reviews {x}?"),
    ),
    (
        "Pinecrest Hotels",
        ("late checkouts", "room upgrades", "loyalty points", "group bookings", "shuttle requests"),
        ("Can reception grant {x}?", "What is the fee for {x}?", "How do we record {x}?"),
    ),
    (
        "Vista Payroll",
        ("timesheets", "overtime", "garnishments", "direct deposits", "leave accruals", "pay stubs"),
        ("How do we correct {x}?", "When are {x} processed?", "Who approves changes to {x}?"),
    ),
    (
        "Keystone Auto Dealers",
        ("trade-ins", "extended warranties", "test drives", "recall notices", "service appointments"),
        ("What do we tell customers about {x}?", "Who handles {x}?", "What paperwork do {x} need?"),
    ),
    (
        "Lumen Utilities",
        ("meter readings", "outage credits", "payment plans", "service transfers", "solar credits"),
        ("How do customers request {x}?", "What is the rule for {x}?", "How long do {x} take?"),
    ),
)

# What a tenant's documents say, in its own words: a few clause shapes filled with its own nouns.
_CLAUSES = (
    "{x} require a ticket in the portal and approval by the {who} within {d} working days",
    "{x} are handled by the {who}; exceptions go to the regional office",
    "for {x} the standard allowance is {d} per year unless the {who} agrees otherwise",
    "{x} must be recorded in the log before the end of the shift and checked by the {who}",
    "customers are told about {x} in writing at least {d} days in advance",
)
_ROLES = ("team lead", "branch manager", "operations desk", "account manager", "compliance officer")


@dataclass(frozen=True, slots=True)
class VendorTenant:
    name: str
    nouns: tuple[str, ...]
    questions: tuple[str, ...]
    passages: tuple[str, ...]
    ips: tuple[str, ...]
    per_day: float


@register
class RagVendorTenants(Population):
    name = "rag_vendor"
    description = (
        "A multi-tenant RAG vendor: one API account per customer, sharing the vendor's prompt layout, system "
        "prompt and user agent, each asking about its own narrow knowledge base."
    )
    hard_negative = True
    base_accounts = 10
    # Enough tenants at any scale for the accounts to form a linked group a detector must leave alone.
    min_accounts = 6

    def prepare(self) -> None:
        r = py_random(self.ctx.rng(self.name, "vendor"))
        self.vendor = r.choice(_VENDORS)
        version = f"{r.randrange(2, 6)}.{r.randrange(0, 20)}.{r.randrange(0, 9)}"
        self.user_agent = f"{self.vendor.lower().replace(' ', '-')}-backend/{version}"
        self.system_prompt = (
            f"You are the {self.vendor} assistant. Answer the user's question using only the numbered "
            "context passages. Quote passage numbers in square brackets. If the passages do not contain "
            "the answer, say that the knowledge base does not cover it and suggest asking an administrator."
        )
        self.domain_offset = r.randrange(len(_DOMAINS))
        self.tenants: dict[str, VendorTenant] = {}

    def creation_offset(self, r: random.Random, index: int) -> float:
        # Customers onboarded one by one over the vendor's life, not in a burst.
        return -r.uniform(40, 900) * DAY

    def timezone(self, r: random.Random, index: int) -> float:
        return float(r.choice((-8, -6, -5, 0, 1, 2, 10)))

    def setup(self, account: Account, r: random.Random) -> None:
        name, nouns, questions = _DOMAINS[(self.domain_offset + account.index) % len(_DOMAINS)]
        # Each tenant's deployment has its own egress network (its own region or VPC).
        prefix = ipv4_prefix(r, "datacenter")
        passages = tuple(
            r.choice(_CLAUSES)
            .format(x=r.choice(nouns), who=r.choice(_ROLES), d=r.randrange(2, 30))
            .capitalize()
            + "."
            for _ in range(120)
        )
        self.tenants[account.account_id] = VendorTenant(
            name=name,
            nouns=nouns,
            questions=questions,
            passages=passages,
            ips=tuple(ipv4_in(r, prefix) for _ in range(3)),
            per_day=r.uniform(250, 900),
        )

    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        tenant = self.tenants[account.account_id]
        gen, r = self.day_streams(account, day)
        rate = tenant.per_day if self.ctx.weekday(day) < 5 else tenant.per_day * 0.05
        times = t.profile_times(
            gen, int(gen.poisson(rate * self.rate_factor)), t.OFFICE_PROFILE, account.tz_hours
        )
        for ts in self.alive(account, day, times):
            picked = r.sample(range(len(tenant.passages)), r.randrange(3, 6))
            context = "\n".join(f"[{i + 1}] {tenant.passages[k]}" for i, k in enumerate(picked))
            question = r.choice(tenant.questions).format(x=r.choice(tenant.nouns))
            messages = [
                {"role": "system", "content": self.system_prompt},
                {"role": "user", "content": f"Context passages:\n{context}\n\nQuestion: {question}"},
            ]
            if r.random() < 0.2:
                # The widget keeps the previous exchange when a user follows up.
                follow = r.choice(tenant.questions).format(x=r.choice(tenant.nouns))
                messages += [
                    {
                        "role": "assistant",
                        "content": f"According to [{r.randrange(1, 4)}], it depends on the case.",
                    },
                    {"role": "user", "content": follow},
                ]
            request = body(self.ctx.spec.flagship, messages, temperature=0.1, max_tokens=700)
            tokens, finish = completion_length(r, 160, 700, 0.45)
            factory.emit(
                out,
                r=r,
                account=account,
                day=day,
                ts=float(ts),
                request=request,
                ip=r.choice(tenant.ips),
                user_agent=self.user_agent,
                completion_tokens=tokens,
                finish_reason=finish,
            )
