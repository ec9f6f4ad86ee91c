"""Stealthier distillation operators, written from what providers report about evasive campaigns, and a
legitimate product that looks like one of them in a single column.

Both stay below what a detector tuned on blatant campaigns looks for:

- ``stealth_pivot``: a harvest spread over accounts that each look like an ordinary API customer (own card,
  one cloud address, no shared template, single requests in no fixed wording), which moves only part of its
  traffic onto a newly released model (providers report distillers redirecting "nearly half" of their
  traffic to a new model within a day), each account after its own delay of a few hours.
- ``slow_mixed``: a careful operator with a few old accounts at human hours and volumes who mixes
  everyday-looking requests in with reasoning-trace harvesting across a curriculum of subjects, on the
  reasoning model with high effort.
- ``launch_day_chat`` (legitimate): a chat product that moves onto a new model hours after its release.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from distillguard.simulate import _prompts as p
from distillguard.simulate import _timing as t
from distillguard.simulate import _vocab as v
from distillguard.simulate._model import Account
from distillguard.simulate._network import (
    browser_user_agent,
    ipv4_in,
    ipv4_prefix,
    sdk_user_agent,
)
from distillguard.simulate.populations._base import DAY, body, completion_length, register
from distillguard.simulate.populations.legit import ChatProduct, ConsumerChat
from distillguard.simulate.populations.operators import Composed, HomeConnectionOperator, Operator

# Short instructions an ordinary user might append too: no fixed template, the wording varies per request.
_ASIDES = (
    "",
    "",
    "",
    "Be thorough.",
    "Include edge cases.",
    "Explain your approach, then give the final answer.",
    "Use an example.",
    "Keep it rigorous.",
    "Show your work.",
    "Cover the common pitfalls as well.",
    "Give the complete solution.",
    "Assume an expert reader.",
)


@dataclass(frozen=True, slots=True)
class PivotHabits:
    ip: str
    user_agent: str
    lag_hours: float  # hours after the release at which this account starts using the new model
    new_share: float  # share of its traffic the new model then takes


@register
class StealthPivot(Operator):
    name = "stealth_pivot"
    description = (
        "Capability harvesting on accounts that each look like one ordinary customer, moving about half of "
        "their traffic onto a newly released model, each a few hours after the release."
    )
    operator = "drift"
    base_accounts = 14
    min_accounts = 4
    per_account_day = 60.0
    burst_size = 1
    created_between = (-150.0, -20.0)
    payment_pool_size = 2
    shared_payment_share = 0.25
    windows_per_day = (14, 20)
    window_minutes = (30.0, 90.0)
    window_participation = 0.6

    def build_family(self, habits: random.Random) -> None:
        self.lag_range = (habits.uniform(0.5, 2.0), habits.uniform(5.0, 9.0))
        self.share_range = (habits.uniform(0.35, 0.45), habits.uniform(0.55, 0.65))

    def operator_user_agents(self, habits: random.Random) -> tuple[str, ...]:
        return tuple(sdk_user_agent(habits) for _ in range(5))

    def build_infra(self, infra: random.Random) -> None:
        self.habits_of: dict[str, PivotHabits] = {}

    def setup(self, account: Account, r: random.Random) -> None:
        # Each account its own cloud address and client, its own delay and share: no two alike.
        self.habits_of[account.account_id] = PivotHabits(
            ip=ipv4_in(r, ipv4_prefix(r, "datacenter")),
            user_agent=r.choice(self.user_agents),
            lag_hours=r.uniform(*self.lag_range),
            new_share=r.uniform(*self.share_range),
        )

    def ip(self, account: Account, r: random.Random) -> str:
        return self.habits_of[account.account_id].ip

    def ground_truth(self) -> dict[str, object]:
        lags = sorted(h.lag_hours for h in self.habits_of.values())
        first = self.ctx.start_epoch + self.ctx.release_offset + lags[0] * 3600.0
        return {
            **super().ground_truth(),
            "pivot_lag_hours": [round(lags[0], 2), round(lags[-1], 2)],
            "first_pivot_at": datetime.fromtimestamp(first, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "new_model_share_after_pivot": [round(s, 2) for s in self.share_range],
        }

    def day_volume(self, account: Account, day: int) -> float:
        after = self.ctx.since_release(day, DAY)
        return self.per_account_day * (1.3 if after > DAY / 2 else 1.0)

    def compose(self, account: Account, r: random.Random, day: int, ts: float) -> Composed:
        spec = self.ctx.spec
        habits = self.habits_of[account.account_id]
        roll = r.random()
        model = spec.flagship if roll < 0.5 else spec.reasoning if roll < 0.85 else spec.mini
        if self.ctx.since_release(day, ts) > habits.lag_hours * 3600.0 and r.random() < habits.new_share:
            model = spec.new_model
        if r.random() < 0.4:
            task = p.coding_request(r) if r.random() < 0.7 else p.debug_request(r)
        else:
            task = p.sweep_payload(r)[1]
        aside = p.reasoning_demand(r) if r.random() < 0.2 else r.choice(_ASIDES)
        text = f"{task} {aside}".strip()
        cap = spec.output_cap
        thinking = model in (spec.reasoning, spec.new_model)
        request = body(
            model,
            [{"role": "user", "content": text}],
            temperature=r.choice((None, 0.7, 1.0)),
            reasoning_effort="high" if thinking and r.random() < 0.6 else None,
            max_tokens=cap if r.random() < 0.6 else r.choice((4096, 8192)),
        )
        tokens, finish = completion_length(r, min(cap * 0.4, 3500), cap, 0.6)
        return request, tokens, finish


@register
class SlowMixed(HomeConnectionOperator):
    name = "slow_mixed"
    description = (
        "A careful operator: a few old accounts at human hours, reasoning traces over a curriculum mixed "
        "with everyday-looking requests."
    )
    operator = "tern"
    base_accounts = 3
    min_accounts = 2
    per_account_day = 45.0
    burst_size = 1
    created_between = (-500.0, -90.0)
    payment_pool_size = 1
    shared_payment_share = 0.0
    error_rate = 0.005
    # Share of requests that harvest; the rest is cover that looks like anyone's everyday use.
    harvest_share = 0.6

    def build_family(self, habits: random.Random) -> None:
        self.curriculum = [topic for domain in v.DOMAIN_NAMES for topic in v.DOMAINS[domain]]
        habits.shuffle(self.curriculum)

    def operator_user_agents(self, habits: random.Random) -> tuple[str, ...]:
        return (browser_user_agent(habits), sdk_user_agent(habits))

    def timezone(self, r: random.Random, index: int) -> float:
        return float(r.choice((-5, -8, 1, 2, 8)))

    def times(self, account: Account, day: int, gen: np.random.Generator) -> np.ndarray:
        # Sessions of a few requests at a person's pace, during the working day of the account's timezone.
        n_target = int(gen.poisson(self.per_account_day * self.rate_factor))
        starts = t.profile_times(gen, max(1, n_target // 7), t.WORKDAY_PROFILE, account.tz_hours)
        chunks = [t.human_gaps(gen, int(gen.integers(3, 12)), float(s), 120.0) for s in starts]
        times = np.sort(np.concatenate(chunks)) if chunks else np.empty(0)
        return times[:n_target]

    def compose(self, account: Account, r: random.Random, day: int, ts: float) -> Composed:
        spec = self.ctx.spec
        if r.random() > self.harvest_share:
            request = body(
                r.choice(spec.established_models),
                [{"role": "user", "content": p.everyday_prompt(r)}],
                temperature=r.choice((None, 0.7)),
                max_tokens=r.choice((None, 1024, 2048)),
            )
            tokens, finish = completion_length(r, 300, 2048, 0.8)
            return request, tokens, finish
        # A walk through the curriculum: a different subject each time, in the operator's own words.
        topic = self.curriculum[int(r.random() * len(self.curriculum))]
        question = r.choice(
            (
                f"Walk me through {topic}.",
                f"Why does {topic} work the way it does?",
                f"I keep getting confused by {topic}. What is really going on?",
                p.hard_question(r, r.choice(v.DOMAIN_NAMES)),
            )
        )
        text = f"{question} {p.reasoning_demand(r)}"
        messages: list[dict[str, Any]] = [{"role": "user", "content": text}]
        request = body(
            spec.reasoning,
            messages,
            reasoning_effort="high",
            max_completion_tokens=min(spec.output_cap, 16384),
        )
        tokens, finish = completion_length(r, 3200, min(spec.output_cap, 16384), 0.4)
        return request, tokens, finish


@register
class LaunchDayChat(ConsumerChat):
    """A hard negative for the pivot signal: a product that moves onto the new model on release day.

    Products do switch quickly (an A/B test of the new model, or a default changed the morning it ships), and
    such a switch looks like a pivot in the model column alone; everything else is an ordinary chat product.
    """

    name = "launch_day_chat"
    description = (
        "A chat product that routes half or more of its sessions to a new model hours after release."
    )
    base_accounts = 2
    min_accounts = 1

    def prepare(self) -> None:
        super().prepare()
        self.switch: dict[str, tuple[float, float]] = {}

    def setup(self, account: Account, r: random.Random) -> None:
        super().setup(account, r)
        # Hours after the release at which the product switches, and the share of sessions it routes there.
        self.switch[account.account_id] = (r.uniform(1.0, 4.0), r.uniform(0.5, 1.0))

    def session_model(
        self, account: Account, r: random.Random, day: int, start: float, prod: ChatProduct
    ) -> str:
        lag_hours, share = self.switch[account.account_id]
        if self.ctx.since_release(day, start) > lag_hours * 3600.0 and r.random() < share:
            return self.ctx.spec.new_model
        return prod.model
