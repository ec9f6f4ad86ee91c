"""Records shared by the simulator's parts: a simulated account and the run context."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from distillguard.simulate._seeding import rng_for
from distillguard.simulate.config import PlatformSpec, SimulationConfig


@dataclass(frozen=True, slots=True)
class Account:
    """One simulated billing account and the identity facts every event of it carries."""

    account_id: str
    population: str
    index: int
    malicious: bool
    campaign_id: str | None
    created: float  # seconds since the run start (negative: before the run)
    created_rfc3339: str
    payment_fingerprint: str
    api_keys: tuple[str, ...]
    tz_hours: float


@dataclass(frozen=True, slots=True)
class SimContext:
    """The run-wide facts populations need: seed, platform, scale, time frame, the model release."""

    config: SimulationConfig
    spec: PlatformSpec
    start_epoch: float
    release_offset: float  # seconds from run start until the new model goes live

    @classmethod
    def from_config(cls, config: SimulationConfig) -> SimContext:
        start = config.start_time
        return cls(
            config=config,
            spec=config.platform_spec,
            start_epoch=start.timestamp(),
            release_offset=(config.release_time - start).total_seconds(),
        )

    @property
    def seed(self) -> int:
        return self.config.seed

    @property
    def days(self) -> int:
        return self.config.days

    def rng(self, *parts: object) -> np.random.Generator:
        """A stream specific to this platform (accounts, networks, volumes)."""
        return rng_for(self.config.seed, self.spec.name, *parts)

    def shared_rng(self, *parts: object) -> np.random.Generator:
        """A stream shared by every platform (an operator's templates and habits)."""
        return rng_for(self.config.seed, "all-platforms", *parts)

    def weekday(self, day: int) -> int:
        return (self.config.start + timedelta(days=day)).weekday()

    def rfc3339_from_offset(self, offset: float) -> str:
        moment = datetime.fromtimestamp(self.start_epoch + offset, tz=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def since_release(self, day: int, ts: float) -> float:
        """Seconds since the new model's release (negative before it)."""
        return day * 86400.0 + ts - self.release_offset

    def legit_model(
        self, r: random.Random, day: int, ts: float, preferred: str, eagerness: float = 1.0
    ) -> str:
        """Legitimate customers adopt a new model slowly: a few percent at first, growing by days."""
        after = self.since_release(day, ts)
        if after <= 0:
            return preferred
        share = min(0.35, eagerness * (0.02 + 0.06 * after / 86400.0))
        return self.spec.new_model if r.random() < share else preferred

    def model_roles(self) -> dict[str, str]:
        spec = self.spec
        return {
            spec.flagship: "flagship",
            spec.mini: "mini",
            spec.reasoning: "reasoning",
            spec.new_model: "new",
        }
