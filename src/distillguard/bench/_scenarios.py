"""The benchmark's traffic: the project's simulator on several platforms and seeds, plus the independent
holdout generator, which the detector was never developed against."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from distillguard.simulate import SimulationConfig, simulate


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    generator: str  # "simulator" or "holdout"
    variant: str  # the simulator's platform, or the holdout generator's mix
    seed: int
    scale: float
    days: int = 3
    # The simulator's volume multipliers per population ("hydra_agentic=12"); empty for its default mix.
    mix: tuple[str, ...] = ()

    def generate(self, out_dir: Path) -> tuple[Path, Path]:
        """Write this scenario's traffic; return (traffic.jsonl, labels.jsonl)."""
        if self.generator == "simulator":
            summary = simulate(
                SimulationConfig.from_dict(
                    {
                        "platform": self.variant,
                        "days": self.days,
                        "seed": self.seed,
                        "scale": self.scale,
                        "out_dir": out_dir,
                        "mix": list(self.mix),
                    }
                )
            )
            return summary.traffic_path, summary.labels_path
        from distillguard.bench.holdout import generate

        generate(out_dir, seed=self.seed, hours=self.days * 24, scale=self.scale, mix=self.variant)
        return out_dir / "traffic.jsonl", out_dir / "labels.jsonl"


def scenarios(quick: bool) -> tuple[Scenario, ...]:
    if quick:
        return (
            Scenario("sim-A-s1", "simulator", "A", 1, 0.1, 2),
            Scenario("holdout-default-s11", "holdout", "default", 11, 0.1, 2),
        )
    return (
        Scenario("sim-A-s1", "simulator", "A", 1, 1.0),
        Scenario("sim-B-s2", "simulator", "B", 2, 1.0),
        Scenario("sim-C-s3", "simulator", "C", 3, 1.0),
        # A hydra large enough to be most of the heavy accounts: it must not become the population's
        # baseline of "typical" behaviour (and hide the other campaigns).
        Scenario("sim-A-s4-hydra-heavy", "simulator", "A", 4, 1.0, mix=("hydra_agentic=12",)),
        Scenario("holdout-default-s11", "holdout", "default", 11, 1.0, 2),
        Scenario("holdout-heavy-legit-s12", "holdout", "heavy-legit", 12, 1.0, 2),
        Scenario("holdout-stealth-s13", "holdout", "stealth", 13, 1.0, 2),
        Scenario("holdout-legit-only-s14", "holdout", "legit-only", 14, 1.0, 2),
        # A provider twice the size (bench/robustness.py, docs/detection-robustness.md): every legitimate
        # product has twice the accounts, so an organisation's many established accounts, linked by its own
        # system prompt and template, must not add up to a "campaign" because there are more of them.
        Scenario("holdout-heavy-legit-x2-s56", "holdout", "heavy-legit", 56, 2.0, 2),
    )
