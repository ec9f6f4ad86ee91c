"""Write the benchmark's results as Markdown (bench/RESULTS.md) and print them."""

from __future__ import annotations

from distillguard.bench._labels import BACKGROUND_POPULATIONS
from distillguard.bench._run import (
    DETECTION_HORIZONS_H,
    BenchResults,
    QualityRun,
    machine_line,
)
from distillguard.report import format_ts

REPRODUCE = "make bench            # or: .venv/bin/distillguard bench --out bench/RESULTS.md"


def results_markdown(results: BenchResults) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run {format_ts(results.started)} on {machine_line()}{' (quick mode)' if results.quick else ''}.",
        "Reproduce with:",
        "",
        f"    {REPRODUCE}",
        "",
        "All numbers come from one run of the command above; speed is also given as a ratio to parsing the",
        "same file with orjson in the same run, since absolute times on a shared machine are noisy.",
        "",
        *_quality_section(results.quality),
        *_population_section(results.quality),
        *_first_detection_section(results),
        *_speed_section(results),
    ]
    return "\n".join(lines) + "\n"


def _quality_section(runs: list[QualityRun]) -> list[str]:
    lines = [
        "## Detection quality",
        "",
        "`simulator` is the project's own traffic simulator; `holdout` is an independently written generator",
        "(other templates, parameters, population mixes and volumes), written without reading the simulator",
        'or the detector. Precision and recall read "n/a" where a scenario has no distiller.',
        "Hard negatives are the legitimate accounts that look most like distillation: those the holdout",
        "generator labels so, and for the simulator every legitimate population except the background of",
        f"ordinary low-volume individual users ({', '.join(sorted(BACKGROUND_POPULATIONS))}).",
        "",
        "The holdout is only as unseen as its history allows: detection was developed on the simulator, and",
        "several changes since were made after looking at the detector's evidence on holdout accounts",
        "(never at the generator's code): the output-budget signal counts max_tokens at the cap only when",
        "answers are long, and content evidence is damped for narrow-domain payloads (false positives on",
        "enterprise RAG tenants, a tutoring app and a synthetic-data job, after which the simulator gained",
        "a tutoring app and a more varied synthetic-data job); the population baseline covers the whole",
        "customer base and the new-model pivot is judged on sustained hours with a partial-share ramp",
        "(missed pivot and slow operators, whose baseline a hydra had taken over; stealthier simulator",
        "populations were written after); a group's coordination counts only with harvesting evidence,",
        "payload breadth is measured against a pooled population vocabulary at equal sample sizes, and",
        "reasoning elicitation needs long answers (enterprise-RAG, synthetic-data and evaluation false",
        "positives; the simulator gained a multi-tenant RAG vendor). The breadth ramp was moved once after",
        "seeing a fresh holdout seed. Details and results on holdout seeds generated after these changes:",
        "docs/detection-recall.md, docs/detection-campaigns.md. A later round, also after looking at holdout",
        "evidence (docs/detection-campaigns.md sections 5-6, docs/detection-robustness.md): a linked group's",
        "coordination counts in full only with full-strength harvesting evidence or the set-up footprint of",
        "a campaign (young accounts, creation bursts, rotating networks), and its size counts only accounts",
        "doing their own work (a permitted synthetic-data job at the threshold on a fresh seed;",
        "organisations of ten accounts at twice the volume); the mean-probability route of the content",
        "signals needs the probability to vary across an account's templates (one system prompt giving every",
        "template the same unsure probability; the spread ramp was set after seeing it); sign-up bursts are",
        "judged against the window's own sign-up rate (bystanders of a hydra's bursts); novelty is counted",
        "per prompt, not per tool-loop turn (an agentic harvest in a 12-hour window). The simulator gained a",
        "permitted multi-account generation job; `holdout-heavy-legit-x2-s56` joined the benchmark before",
        "the fixes. A third round (docs/time-to-detection.md, docs/detection-robustness.md and",
        "docs/detection-windows.md, each with what was looked at): per-request shares are judged at the",
        "surer of their 95% lower confidence bound and the volume-damped share (the second way after a",
        "group of a slow operator was lost in a 12-hour window of heavy-legit seed 12); behind half-strength",
        "evidence a group's size counts accounts working from networks of their own (most-used prefixes",
        "chosen over a prefix ratio after seeing pool-sharing agentic harvests); in one-day windows an",
        "account's active hours are a share of at least 36 hours, from 18-hour windows on (48 hours and a",
        "9-hour start lost holdout campaigns in short windows). A fourth round (docs/detection-windows.md):",
        "logprob harvesting competes with the other content signals and adds to the strongest only as far",
        "as both are measured on the same requests (the joint rule came after a campaign of fresh holdout",
        "seed 92 was lost in first-day windows; measured rather than bounded by counting after two logprob",
        "accounts of stealth seed 54 were lost in the robustness matrix), and a group's per-request signals",
        "count as far as its members show them themselves (after reading the evidence of an evaluation",
        "pair of stealth seed 13 and of single accounts of fresh seeds 94 and 102 flagged in short windows).",
        "",
        "| scenario | events | accounts | precision | recall | FP rate | hard-neg. flags | campaigns |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        card = run.card
        accounts = sum(p.accounts for p in card.populations)
        positives = card.true_positives + card.false_negatives
        lines.append(
            f"| {run.scenario.name} | {run.events:,} | {accounts:,} | {_share(card.precision, positives)} | "
            f"{_share(card.recall, positives)} | {card.false_positive_rate:.2%} | "
            f"{card.hard_negative_flagged}/{card.hard_negative_accounts} | "
            f"{card.campaigns_found}/{card.campaigns_total} |"
        )
    return [*lines, ""]


def _share(value: float, positives: int) -> str:
    return f"{value:.1%}" if positives else "n/a"


def _population_section(runs: list[QualityRun]) -> list[str]:
    lines = [
        "### Per population",
        "",
        "| scenario | population | kind | accounts | flagged | rate |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for run in runs:
        for p in run.card.populations:
            kind = "distiller" if p.malicious else "legitimate"
            counts = f"{p.accounts:,} | {p.flagged:,} | {p.rate:.1%}"
            lines.append(f"| {run.scenario.name} | {p.population} | {kind} | {counts} |")
    return [*lines, ""]


def _first_detection_section(results: BenchResults) -> list[str]:
    headers = " | ".join(f"by {h} h" for h in DETECTION_HORIZONS_H)
    lines = [
        "## Time to first detection",
        "",
        "The scan is rerun on the traffic up to 6, 12 and 24 hours after each campaign's first request;",
        "a campaign counts as detected once at least one of its accounts is flagged.",
        "",
        f"| scenario | campaign | population | {headers} |",
        "| --- | --- | --- | " + " | ".join(":---:" for _ in DETECTION_HORIZONS_H) + " |",
    ]
    for row in results.first_detection:
        marks = " | ".join("yes" if row.detected_by_hours[h] else "no" for h in DETECTION_HORIZONS_H)
        lines.append(f"| {row.scenario} | {row.campaign_id} | {row.population} | {marks} |")
    return [*lines, ""]


def _speed_section(results: BenchResults) -> list[str]:
    speed = results.speed
    if speed is None:
        return []
    rate = speed.events / speed.scan.seconds if speed.scan.seconds else 0.0
    return [
        "## Speed and memory",
        "",
        "Each measured in a fresh process on the same canonical JSONL file, with the scan's default settings",
        "(on 2 or more CPUs a large file is parsed in one background process while the scan fingerprints).",
        "Peak RSS counts helper processes while they live: the highest total of the process tree, sampled",
        "every 0.2 s, or the scanning process's own high-water mark if that is higher. The scan loads the",
        "text classifier from its on-disk cache (`fingerprint/_model_store.py`), which the run's earlier",
        "scans wrote, as a provider's daily scans would; a machine's very first scan trains it instead",
        "(~1.3 CPU s more in the main process, measured in docs/detection-performance.md).",
        "",
        "| step | events | seconds | events/s | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| orjson.loads of every line | {speed.events:,} | {speed.parse.seconds:.1f} | "
        f"{speed.events / speed.parse.seconds:,.0f} | {speed.parse.peak_rss_mb:,.0f} MB |",
        f"| distillguard scan | {speed.scan.value:,} | {speed.scan.seconds:.1f} | {rate:,.0f} | "
        f"{speed.scan.peak_rss_mb:,.0f} MB |",
        "",
        f"Scan cost: **{speed.ratio:.1f}x** parsing alone.",
        "",
    ]
