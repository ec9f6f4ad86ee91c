"""Account precision, recall and false positives per population for ``detect`` on labelled traffic.

    .venv/bin/distillguard simulate --platform A --days 3 --seed 1 --out /tmp/simA1
    .venv/bin/python bench/detect_eval.py /tmp/simA1 [/tmp/simB2 ...]

Each directory holds ``traffic.jsonl`` and ``labels.jsonl`` (one line per account with ``account_id``,
``population``, ``malicious`` and ``campaign_id``), as the simulator writes them. The fingerprinted events
and the template catalog are cached next to the traffic (``fp.parquet``, ``catalog.parquet``) so that a
rerun only measures detection.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from pathlib import Path

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from distillguard.detect import DetectConfig, detect
from distillguard.fingerprint import Fingerprinter, TemplateCatalog
from distillguard.ingest import Quarantine, read_events


def load(directory: Path) -> tuple[pl.DataFrame, TemplateCatalog]:
    events_path, catalog_path = directory / "fp.parquet", directory / "catalog.parquet"
    if not events_path.exists() or not catalog_path.exists():
        fingerprinter = Fingerprinter()
        with Quarantine(None) as quarantine:
            batches = [
                fingerprinter.fingerprint(b)
                for b in read_events([directory / "traffic.jsonl"], quarantine=quarantine)
            ]
        pq.write_table(pa.Table.from_batches(batches), events_path)
        pq.write_table(fingerprinter.catalog.to_arrow(), catalog_path)
    return pl.read_parquet(events_path), TemplateCatalog.from_arrow(pq.read_table(catalog_path))


def evaluate(directory: Path, config: DetectConfig) -> dict[str, object]:
    """Print the scenario's numbers and return them (see ``measure``)."""
    numbers = measure(directory, config)
    print(numbers["text"])
    return numbers


def measure(directory: Path, config: DetectConfig) -> dict[str, object]:
    """Detect on one labelled directory: totals, per-population flags and campaigns, plus a printable text."""
    events, catalog = load(directory)
    labels = {
        row["account_id"]: row
        for row in map(orjson.loads, (directory / "labels.jsonl").read_bytes().splitlines())
    }
    start = time.perf_counter()
    result = detect(events, catalog, config)
    seconds = time.perf_counter() - start
    per_population: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    tp = fp = fn = 0
    for verdict in result.accounts:
        label = labels[verdict.account_id]
        per_population[label["population"]][0] += 1
        per_population[label["population"]][1] += verdict.flagged
        if label["malicious"]:
            tp += verdict.flagged
            fn += not verdict.flagged
        else:
            fp += verdict.flagged
    legit = sum(not label["malicious"] for label in labels.values())
    campaigns = {label["campaign_id"] for label in labels.values() if label["campaign_id"]}
    found = {
        labels[v.account_id]["campaign_id"]
        for v in result.accounts
        if v.flagged and labels[v.account_id]["campaign_id"]
    }
    lines = [
        f"{directory.name}: {events.height:,} events, detect {seconds:.1f} s; "
        f"precision {tp / max(tp + fp, 1):.3f}, recall {tp / max(tp + fn, 1):.3f}, "
        f"false positives {fp}/{legit}, campaigns {len(found)}/{len(campaigns)}"
    ]
    for population, (accounts, flagged) in sorted(per_population.items()):
        lines.append(f"  {population:22s} {flagged:5d}/{accounts}")
    for campaign in result.campaigns:
        truth = Counter(labels[a]["campaign_id"] or labels[a]["population"] for a in campaign.accounts)
        lines.append(f"  {campaign.campaign_id} score {campaign.score:.2f}: {dict(truth)}")
    hard = {a for a, label in labels.items() if label.get("hard_negative")}
    return {
        "events": events.height,
        "seconds": seconds,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "legit": legit,
        "hard_negatives": len(hard),
        "hard_flagged": sum(v.flagged for v in result.accounts if v.account_id in hard),
        "campaigns": len(campaigns),
        "campaigns_found": len(found),
        "missed_campaigns": sorted(campaigns - found),
        "per_population": {p: list(v) for p, v in sorted(per_population.items())},
        "text": "\n".join(lines),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directories", nargs="+", type=Path)
    parser.add_argument("--config", type=Path, help="YAML file with detect settings")
    args = parser.parse_args()
    config = DetectConfig.from_yaml(args.config) if args.config else DetectConfig()
    for directory in args.directories:
        evaluate(directory, config)


if __name__ == "__main__":
    main()
