"""The population base class and registry: a population is a kind of customer with its own habits."""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from typing import Any, ClassVar, TypeVar

import numpy as np

from distillguard.simulate._events import EventFactory
from distillguard.simulate._model import Account, SimContext
from distillguard.simulate._network import payment_fingerprint
from distillguard.simulate._seeding import random_for, stable_hex

DAY = 86400.0

Out = list[tuple[float, bytes]]

P = TypeVar("P", bound="type[Population]")

POPULATIONS: dict[str, type[Population]] = {}


def campaign_id_of(operator: str | None) -> str | None:
    """The campaign id labels carry for an operator (stable across seeds and platforms)."""
    return f"op-{operator}" if operator else None


def register(cls: P) -> P:
    """Class decorator: make a population available by its ``name``."""
    POPULATIONS[cls.name] = cls
    return cls


def body(model: str, messages: list[dict[str, Any]], **params: Any) -> dict[str, Any]:
    """An OpenAI Chat Completions request body; parameters left as None are not sent."""
    request: dict[str, Any] = {"model": model, "messages": messages}
    for key, value in params.items():
        if value is not None:
            request[key] = value
    return request


def completion_length(r: random.Random, median: float, cap: int, sigma: float = 0.6) -> tuple[int, str]:
    """A completion length and its finish reason: lognormal, cut at ``cap`` ('length')."""
    tokens = max(1, int(median * math.exp(sigma * r.gauss())))
    if tokens >= cap:
        return cap, "length"
    return tokens, "stop"


class Population(ABC):
    """A kind of customer. Subclasses set the class attributes and produce one account-day of events.

    ``base_accounts`` is the account count at scale 1 on a platform of volume 1. When scaling down hits
    ``min_accounts``, each account's rate is scaled instead, so total volume stays proportional to scale.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    malicious: ClassVar[bool] = False
    operator: ClassVar[str | None] = None
    base_accounts: ClassVar[int] = 1
    min_accounts: ClassVar[int] = 1

    def __init__(self, ctx: SimContext) -> None:
        self.ctx = ctx
        wanted = ctx.config.scale * self.base_accounts * self.platform_volume
        count = max(self.min_accounts, round(wanted))
        # Per-account rate multiplier keeping the population's total volume proportional to `wanted`.
        self.rate_factor = wanted / count
        self.account_count = count
        self._randoms: dict[str, random.Random] = {}
        self._generators: dict[str, np.random.Generator] = {}
        self.prepare()
        self.accounts: list[Account] = [self._build_account(index) for index in range(count)]

    @property
    def campaign_id(self) -> str | None:
        return campaign_id_of(self.operator)

    @property
    def platform_volume(self) -> float:
        spec = self.ctx.spec
        if self.operator is not None:
            return spec.operator_volume.get(self.operator, 1.0)
        return spec.legit_volume

    def prepare(self) -> None:
        """Population-wide set-up before accounts are built (shared pools, templates)."""
        return None

    def _build_account(self, index: int) -> Account:
        r = random_for(self.ctx.seed, self.ctx.spec.name, self.name, "account", index)
        created = self.creation_offset(r, index)
        keys = tuple(
            f"key_{stable_hex(self.ctx.seed, self.ctx.spec.name, self.name, index, k, length=12)}"
            for k in range(self.key_count(r))
        )
        account = Account(
            account_id=f"acct_{stable_hex(self.ctx.seed, self.ctx.spec.name, self.name, index)}",
            population=self.name,
            index=index,
            malicious=self.malicious,
            campaign_id=self.campaign_id,
            created=created,
            created_rfc3339=self.ctx.rfc3339_from_offset(created),
            payment_fingerprint=self.payment(r, index),
            api_keys=keys,
            tz_hours=self.timezone(r, index),
        )
        self.setup(account, r)
        # The account's own scalar stream continues day after day (days are generated in order).
        self._randoms[account.account_id] = r
        return account

    # Identity facts; override where a population differs.
    def creation_offset(self, r: random.Random, index: int) -> float:
        return -r.uniform(30, 1200) * DAY

    def payment(self, r: random.Random, index: int) -> str:
        return payment_fingerprint(r)

    def timezone(self, r: random.Random, index: int) -> float:
        return float(r.choice((-8, -7, -5, -4, -3, 0, 1, 2, 3, 5, 8, 9)))

    def key_count(self, r: random.Random) -> int:
        return 1

    def setup(self, account: Account, r: random.Random) -> None:
        """Per-account profile (product persona, networks, habits)."""
        return None

    def day_streams(self, account: Account, day: int) -> tuple[np.random.Generator, random.Random]:
        """The account's random streams, both seeded from (seed, platform, population, account).

        The numpy Generator (for vectorised draws) is created on first use: populations of many small
        accounts draw everything from the scalar stream and never pay for one.
        """
        gen = self._generators.get(account.account_id)
        if gen is None:
            gen = self._generators[account.account_id] = self.ctx.rng(self.name, "account", account.index)
        return gen, self._randoms[account.account_id]

    def day_random(self, account: Account) -> random.Random:
        """The account's scalar stream alone."""
        return self._randoms[account.account_id]

    def alive(self, account: Account, day: int, times: np.ndarray) -> np.ndarray:
        """Drop times before the account existed."""
        born = account.created - day * DAY + 60.0
        return times if born <= 0 else times[times >= born]

    @abstractmethod
    def day_events(self, account: Account, day: int, factory: EventFactory, out: Out) -> None:
        """Append this account's events for one UTC day to ``out``."""
