"""What to simulate (``SimulationConfig``), the platforms on offer, and what a run produced."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from distillguard.errors import ConfigError

DEFAULT_START = date(2026, 3, 2)


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    """One simulated API provider: its model line-up and how much each operator uses it.

    Every platform has its own legitimate customers; the distillation operators are the same on all
    platforms (same campaign ids and habits) but with different accounts, networks and volumes.
    """

    name: str
    flagship: str
    mini: str
    reasoning: str
    new_model: str
    # Operator name -> multiplier on that operator's account count and volume on this platform.
    operator_volume: Mapping[str, float]
    # Multiplier on legitimate volume (the platform's size).
    legit_volume: float = 1.0
    output_cap: int = 32768

    @property
    def established_models(self) -> tuple[str, str, str]:
        return (self.flagship, self.mini, self.reasoning)


PLATFORMS: dict[str, PlatformSpec] = {
    "A": PlatformSpec(
        name="A",
        flagship="atlas-4",
        mini="atlas-4-mini",
        reasoning="atlas-4-think",
        new_model="atlas-5",
        operator_volume={
            "cinder": 1.0,
            "quill": 1.0,
            "hydra": 1.0,
            "sieve": 1.0,
            "veil": 1.0,
            "pivot": 1.0,
            "mole": 1.0,
            "relay": 1.0,
        },
        legit_volume=1.0,
        output_cap=32768,
    ),
    "B": PlatformSpec(
        name="B",
        flagship="borealis-pro",
        mini="borealis-flash",
        reasoning="borealis-reason",
        new_model="borealis-pro-2",
        operator_volume={
            "cinder": 1.4,
            "quill": 0.6,
            "hydra": 0.7,
            "sieve": 1.2,
            "veil": 0.8,
            "pivot": 1.3,
            "mole": 1.0,
            "relay": 1.5,
        },
        legit_volume=0.8,
        output_cap=65536,
    ),
    "C": PlatformSpec(
        name="C",
        flagship="cirrus-large",
        mini="cirrus-small",
        reasoning="cirrus-large-reasoning",
        new_model="cirrus-xl",
        operator_volume={
            "cinder": 0.6,
            "quill": 1.3,
            "hydra": 1.5,
            "sieve": 0.5,
            "veil": 1.2,
            "pivot": 0.8,
            "mole": 1.0,
            "relay": 0.7,
        },
        legit_volume=1.2,
        output_cap=16384,
    ),
}


def platform_spec(name: str) -> PlatformSpec:
    try:
        return PLATFORMS[name.upper()]
    except KeyError:
        known = ", ".join(sorted(PLATFORMS))
        raise ConfigError(f"unknown platform {name!r}; choose one of {known}", field="platform") from None


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise ConfigError(f"start must be a date like 2026-03-02, got {value!r}", field="start")


def _parse_mix(value: Any) -> tuple[tuple[str, float], ...]:
    """``{"hydra_agentic": 2}`` or ``["hydra_agentic=2", ...]`` to sorted (name, factor) pairs."""
    pairs: dict[str, float] = {}
    items = value.items() if isinstance(value, Mapping) else (str(item).split("=", 1) for item in value)
    for item in items:
        try:
            name, factor = item
            pairs[str(name).strip()] = float(factor)
        except (TypeError, ValueError):
            raise ConfigError(f"mix entries look like population=factor, got {item!r}", field="mix") from None
    return tuple(sorted(pairs.items()))


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """Everything that determines a simulated run; the same config gives byte-identical files."""

    platform: str = "A"
    days: int = 3
    seed: int = 0
    out_dir: Path = Path("sim")
    scale: float = 1.0
    start: date = DEFAULT_START
    gzip: bool = False
    # Restrict to these population names (None = every registered population).
    populations: tuple[str, ...] | None = None
    # Volume multipliers per population name (a different mix of customers and campaigns).
    mix: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        platform_spec(self.platform)
        if not 1 <= self.days <= 60:
            raise ConfigError(f"days must be between 1 and 60, got {self.days}", field="days")
        if self.seed < 0:
            raise ConfigError(f"seed must be a non-negative integer, got {self.seed}", field="seed")
        if not 0.001 <= self.scale <= 50:
            raise ConfigError(f"scale must be between 0.001 and 50, got {self.scale}", field="scale")
        for name, factor in self.mix:
            if not 0 < factor <= 100:
                raise ConfigError(f"mix factor for {name!r} must be in (0, 100], got {factor}", field="mix")

    def mix_factor(self, population: str) -> float:
        return dict(self.mix).get(population, 1.0)

    @property
    def platform_spec(self) -> PlatformSpec:
        return platform_spec(self.platform)

    @property
    def start_time(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)

    @property
    def release_time(self) -> datetime:
        """When the platform's new model goes live: mid-run, on the hour, at least 6 hours in."""
        hours = max(6, round(self.days * 24 * 0.45))
        return self.start_time + timedelta(hours=hours)

    @property
    def traffic_path(self) -> Path:
        return self.out_dir / ("traffic.jsonl.gz" if self.gzip else "traffic.jsonl")

    @property
    def labels_path(self) -> Path:
        return self.out_dir / "labels.jsonl"

    @property
    def meta_path(self) -> Path:
        return self.out_dir / "meta.json"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimulationConfig:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown simulation setting(s): {', '.join(unknown)}", field=unknown[0])
        kwargs: dict[str, Any] = {}
        try:
            if "platform" in data:
                kwargs["platform"] = str(data["platform"]).upper()
            for name in ("days", "seed"):
                if name in data:
                    kwargs[name] = int(data[name])
            if "scale" in data:
                kwargs["scale"] = float(data["scale"])
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"invalid simulation setting: {exc}") from None
        if "out_dir" in data:
            kwargs["out_dir"] = Path(data["out_dir"])
        if "start" in data:
            kwargs["start"] = _parse_date(data["start"])
        if "gzip" in data:
            kwargs["gzip"] = bool(data["gzip"])
        if data.get("populations") is not None:
            kwargs["populations"] = tuple(str(p) for p in data["populations"])
        if data.get("mix"):
            kwargs["mix"] = _parse_mix(data["mix"])
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "days": self.days,
            "seed": self.seed,
            "out_dir": str(self.out_dir),
            "scale": self.scale,
            "start": self.start.isoformat(),
            "gzip": self.gzip,
            "populations": list(self.populations) if self.populations is not None else None,
            "mix": dict(self.mix),
        }


@dataclass(frozen=True, slots=True)
class PopulationCount:
    """How many accounts and events one population produced."""

    population: str
    malicious: bool
    campaign_id: str | None
    accounts: int
    events: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "population": self.population,
            "malicious": self.malicious,
            "campaign_id": self.campaign_id,
            "accounts": self.accounts,
            "events": self.events,
        }


@dataclass(frozen=True, slots=True)
class SimulationSummary:
    """What a run wrote, with counts (also written to ``meta.json``)."""

    config: SimulationConfig
    traffic_path: Path
    labels_path: Path
    meta_path: Path
    events: int
    accounts: int
    malicious_accounts: int
    malicious_events: int
    seconds: float
    populations: tuple[PopulationCount, ...] = field(default_factory=tuple)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "traffic_path": str(self.traffic_path),
            "labels_path": str(self.labels_path),
            "meta_path": str(self.meta_path),
            "events": self.events,
            "accounts": self.accounts,
            "malicious_accounts": self.malicious_accounts,
            "malicious_events": self.malicious_events,
            "populations": [p.to_dict() for p in self.populations],
        }
