"""Robustness matrix: does detection hold up at other volumes, window lengths and population mixes?

The benchmark measures one volume and one window length per generator (the simulator at scale 1 over
3 days, the holdout generator at scale 1 over 48 hours). A provider's traffic can be a tenth of that or
ten times it, and a scan can cover twelve hours or a week. This script generates a small matrix of
traffic with both generators, varying only what their documented options vary, and measures each case
with ``bench/detect_eval.py``:

- the project's simulator (``distillguard simulate``) on platforms A/B/C at scales 0.25 to 3 and over
  2 to 10 days, with seeds 5 to 10 (the benchmark uses 1 to 4);
- the holdout generator (``python -m distillguard.bench.holdout``, README usage: ``--seed``, ``--hours``,
  ``--scale``, ``--mix``) with every mix, at scales 0.25 to 3 and windows of 12 to 168 hours, with seeds
  51 to 58 (the benchmark and earlier checks use 11-14, 21-24 and 31-34).

Usage (each case is generated once into ``WORK/<case>`` and cached, fingerprints too)::

    nice -n 5 .venv/bin/python bench/robustness.py WORK [--only CASE ...] [--json results.json]
    nice -n 5 .venv/bin/python bench/robustness.py WORK --bench   # the benchmark's scenarios, seeds 31-34

``--bench`` runs the benchmark's own quality scenarios (``distillguard.bench._scenarios``) and the fresh
holdout seeds 31-34 instead: the regression check for any change the matrix prompts.

It prints one table row per case: accounts, events, precision, recall, false positives (all legitimate
accounts, and hard negatives apart), campaigns found, and the CPU seconds of detection. Runs are
sequential and each is at most a few hundred thousand events, so the whole matrix stays modest on a
shared two-core machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detect_eval import measure

from distillguard.detect import DetectConfig


@dataclass(frozen=True)
class Case:
    name: str
    generator: str  # "sim" or "holdout"
    variant: str  # simulator platform, or holdout mix
    seed: int
    scale: float
    hours: int
    # The simulator's per-population volume multipliers ("hydra_agentic=12").
    mix: tuple[str, ...] = ()

    def command(self, out: Path) -> list[str]:
        if self.generator == "sim":
            if self.hours % 24:
                raise ValueError(f"{self.name}: the simulator simulates whole days")
            return [
                sys.executable, "-m", "distillguard", "simulate", "--out", str(out),
                "--platform", self.variant, "--days", str(self.hours // 24), "--seed", str(self.seed),
                "--scale", str(self.scale), "-q", *(a for m in self.mix for a in ("--mix", m)),
            ]  # fmt: skip
        return [
            sys.executable, "-m", "distillguard.bench.holdout", str(out), "--seed", str(self.seed),
            "--hours", str(self.hours), "--scale", str(self.scale), "--mix", self.variant,
        ]  # fmt: skip


MATRIX = (
    # The simulator: small and large providers, short and long windows.
    # The same seed at the benchmark's own volume and length: what changes below is volume and length.
    Case("sim-A-x1-3d-s5", "sim", "A", 5, 1.0, 72),
    Case("sim-A-x0.25-2d-s5", "sim", "A", 5, 0.25, 48),
    Case("sim-B-x0.25-10d-s6", "sim", "B", 6, 0.25, 240),
    Case("sim-C-x0.25-3d-s7", "sim", "C", 7, 0.25, 72),
    Case("sim-A-x1-1d-s8", "sim", "A", 8, 1.0, 24),
    Case("sim-B-x2-2d-s9", "sim", "B", 9, 2.0, 48),
    Case("sim-C-x3-2d-s10", "sim", "C", 10, 3.0, 48),
    # The holdout generator: every mix at other volumes and window lengths.
    Case("ho-default-x0.25-48h-s51", "holdout", "default", 51, 0.25, 48),
    Case("ho-default-x3-48h-s52", "holdout", "default", 52, 3.0, 48),
    Case("ho-default-x1-12h-s53", "holdout", "default", 53, 1.0, 12),
    Case("ho-stealth-x0.5-168h-s54", "holdout", "stealth", 54, 0.5, 168),
    Case("ho-heavy-legit-x0.3-48h-s55", "holdout", "heavy-legit", 55, 0.3, 48),
    Case("ho-heavy-legit-x2-48h-s56", "holdout", "heavy-legit", 56, 2.0, 48),
    Case("ho-legit-only-x0.25-24h-s57", "holdout", "legit-only", 57, 0.25, 24),
    Case("ho-stealth-x2-24h-s58", "holdout", "stealth", 58, 2.0, 24),
)


# The benchmark's own scenarios (``distillguard bench``) and the fresh holdout seeds checked after it: the
# regression check for any change this matrix prompts (``--bench``).
BENCH = (
    Case("sim-A-s1", "sim", "A", 1, 1.0, 72),
    Case("sim-B-s2", "sim", "B", 2, 1.0, 72),
    Case("sim-C-s3", "sim", "C", 3, 1.0, 72),
    Case("sim-A-s4-hydra-heavy", "sim", "A", 4, 1.0, 72, ("hydra_agentic=12",)),
    Case("holdout-default-s11", "holdout", "default", 11, 1.0, 48),
    Case("holdout-heavy-legit-s12", "holdout", "heavy-legit", 12, 1.0, 48),
    Case("holdout-stealth-s13", "holdout", "stealth", 13, 1.0, 48),
    Case("holdout-legit-only-s14", "holdout", "legit-only", 14, 1.0, 48),
    Case("holdout-default-s31", "holdout", "default", 31, 1.0, 48),
    Case("holdout-heavy-legit-s32", "holdout", "heavy-legit", 32, 1.0, 48),
    Case("holdout-stealth-s33", "holdout", "stealth", 33, 1.0, 48),
    Case("holdout-legit-only-s34", "holdout", "legit-only", 34, 1.0, 48),
)


def generate(case: Case, work: Path) -> Path:
    out = work / case.name
    if not (out / "labels.jsonl").exists():
        out.mkdir(parents=True, exist_ok=True)
        subprocess.run(case.command(out), check=True, stdout=subprocess.DEVNULL)
    return out


HEADER = (
    "| case | accounts | events | precision % | recall % | FP | hard neg. FP | campaigns | detect s |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def row(case: Case, numbers: dict[str, object]) -> str:
    tp, fp, fn = (int(numbers[k]) for k in ("tp", "fp", "fn"))  # type: ignore[call-overload]
    precision = f"{100 * tp / (tp + fp):.1f}" if tp + fp else "-"
    recall = f"{100 * tp / (tp + fn):.1f}" if tp + fn else "-"
    accounts = tp + fn + int(numbers["legit"])  # type: ignore[call-overload]
    return (
        f"| {case.name} | {accounts:,} | {int(numbers['events']):,} | {precision} | {recall} | "  # type: ignore[call-overload]
        f"{fp}/{numbers['legit']} | {numbers['hard_flagged']}/{numbers['hard_negatives']} | "
        f"{numbers['campaigns_found']}/{numbers['campaigns']} | {float(numbers['seconds']):.1f} |"  # type: ignore[arg-type]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("work", type=Path, help="directory for the generated traffic (cached)")
    parser.add_argument("--only", action="append", help="run only this case (repeatable)")
    parser.add_argument(
        "--bench", action="store_true", help="the benchmark's scenarios and seeds 31-34 instead of the matrix"
    )
    parser.add_argument("--generate-only", action="store_true", help="generate the traffic, do not detect")
    parser.add_argument("--json", type=Path, help="also write every case's numbers to this JSON file")
    parser.add_argument("--config", type=Path, help="YAML file with detect settings")
    args = parser.parse_args()
    config = DetectConfig.from_yaml(args.config) if args.config else DetectConfig()
    cases = [c for c in (BENCH if args.bench else MATRIX) if not args.only or c.name in args.only]
    results: dict[str, dict[str, object]] = {}
    rows = []
    for case in cases:
        directory = generate(case, args.work)
        if args.generate_only:
            continue
        numbers = measure(directory, config)
        print(numbers["text"], flush=True)
        results[case.name] = numbers
        rows.append(row(case, numbers))
    if rows:
        print(f"\n{HEADER}")
        print("\n".join(rows))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
