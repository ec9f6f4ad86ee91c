"""Shared state handed to every population generator, and account creation helpers."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from distillguard.bench.holdout._clock import DAY_MS, HOUR_MS, Window
from distillguard.bench.holdout._event import Account, Sink
from distillguard.bench.holdout._ids import api_key_id, hexid, org_id, payment_fp, sdk_agent
from distillguard.bench.holdout._models import NEW_MODEL


@dataclass
class Ctx:
    """One population's view of the world: its own random streams, the window and the sink."""

    window: Window
    sink: Sink
    rng: random.Random
    nrng: np.random.Generator
    volume: float
    cover: float = 0.0  # extra share of innocuous cover requests a campaign mixes in

    def covered(self) -> bool:
        """Whether this campaign request is replaced by cover traffic (never draws when there is none)."""
        return self.cover > 0 and self.rng.random() < self.cover

    @property
    def span(self) -> float:
        """The window's length in units of the 48 hours that per-account budgets are written for."""
        return self.window.duration_ms / (48 * HOUR_MS)

    def count(self, low: float, high: float) -> int:
        """A per-account request or session budget per 48 hours, scaled by volume and window length."""
        return max(1, round(self.rng.uniform(low, high) * self.volume * self.span))

    def account(
        self,
        population: str,
        *,
        created_ms: int | None = None,
        age_days: tuple[float, float] = (60.0, 900.0),
        malicious: bool = False,
        campaign_id: str | None = None,
        hard_negative: bool = False,
        payment: str | None = None,
        n_keys: int = 1,
        user_agent: str | None = None,
        error_rate: float = 0.004,
    ) -> Account:
        rng = self.rng
        if created_ms is None:
            created_ms = self.window.start_ms - int(rng.uniform(*age_days) * DAY_MS)
        account = Account(
            account_id=org_id(rng),
            population=population,
            malicious=malicious,
            campaign_id=campaign_id,
            hard_negative=hard_negative,
            created_ms=created_ms,
            payment_fingerprint=payment or payment_fp(rng),
            api_keys=tuple(api_key_id(rng) for _ in range(n_keys)),
            user_agent=user_agent or sdk_agent(rng),
            error_rate=error_rate,
        )
        return self.sink.register(account)

    def adopts_new_model(self, ts: int, delay_h: float, share: float) -> bool:
        """Whether a request at ``ts`` goes to the new model, for a customer adopting it after a delay."""
        return ts >= self.window.release_ms + delay_h * HOUR_MS and self.rng.random() < share

    def model_at(self, ts: int, default: str, delay_h: float, share: float) -> str:
        return NEW_MODEL if self.adopts_new_model(ts, delay_h, share) else default


def campaign_id(rng: random.Random) -> str:
    return "op-" + hexid(rng, 6)


def text_parts(text: str) -> list[dict[str, str]]:
    """Content as a list of typed text parts, as newer SDK clients send it."""
    return [{"type": "text", "text": text}]
