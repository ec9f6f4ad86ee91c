"""False positives and recall of ``detect`` in the windows a provider actually scans.

The benchmark scores full multi-day scans, but a provider scans shorter windows: the gateway's detection
loop scans the last 24 hours (``GuardConfig.window_hours``) and a daily batch job scans one day. In a
short window the population baseline, the volume damping and the group sizes all differ from a full scan,
so this script cuts labelled traffic into the windows a provider would scan and detects in each:

- the first 6 and 12 hours of the traffic (a provider that has just deployed distillguard, ``--first``),
- consecutive 24-hour windows from the first event (``--window``), the last one possibly shorter.

    .venv/bin/python bench/window_eval.py /tmp/simA1 [/tmp/holdout-s11 ...] [--json out.json] [--why]

Each directory is laid out as for ``bench/detect_eval.py`` (``traffic.jsonl``, ``labels.jsonl``) and its
cached fingerprints are reused (``fp.parquet``, ``catalog.parquet``, written by ``detect_eval.load``).
An event's fingerprint hardly depends on the other events (the one exception: each template is classified
once, from its first request, which a window may see later); the template catalog does. By default
(``--catalog window``) each window gets the catalog its own fingerprinting would have built: the whole
traffic's entries for the templates the window holds (skeleton previews and MinHash signatures are those of
the template), with the window's request counts. ``--catalog full`` passes the whole traffic's catalog
(near-duplicate clusters may then chain through templates the window does not hold).

Per window it reports false positives by population, hard negatives flagged (of those active),
campaigns found of those active in the window, and account recall (flagged malicious accounts of those
active). ``--why`` prints each false positive's evidence.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import polars as pl
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from detect_eval import load

from distillguard.detect import DetectConfig, detect
from distillguard.detect.types import AccountVerdict
from distillguard.fingerprint import TemplateCatalog


@dataclass
class WindowNumbers:
    """What one window's scan found, against the labels of the accounts active in it."""

    traffic: str
    window: str
    events: int
    accounts: int
    false_positives: dict[str, int] = field(default_factory=dict)
    hard_flagged: int = 0
    hard_active: int = 0
    campaigns_found: int = 0
    campaigns_active: int = 0
    missed_campaigns: list[str] = field(default_factory=list)
    malicious_flagged: int = 0
    malicious_active: int = 0

    @property
    def fp_total(self) -> int:
        return sum(self.false_positives.values())

    def line(self) -> str:
        fps = ", ".join(f"{p} {n}" for p, n in sorted(self.false_positives.items())) or "-"
        missed = f" missed {','.join(self.missed_campaigns)}" if self.missed_campaigns else ""
        recall = self.malicious_flagged / max(self.malicious_active, 1)
        return (
            f"{self.traffic:28s} {self.window:10s} {self.events:>9,} ev {self.accounts:>6,} acc | "
            f"FP {self.fp_total:>3} ({fps}) | hard {self.hard_flagged}/{self.hard_active} | "
            f"campaigns {self.campaigns_found}/{self.campaigns_active}{missed} | "
            f"recall {self.malicious_flagged}/{self.malicious_active} ({recall:.3f})"
        )


def windows(
    start: datetime, end: datetime, first: list[int], length: int, step: int | None = None
) -> list[tuple[str, datetime, datetime]]:
    """The first hours (from the first event), then ``length``-hour windows to the last event.

    Windows start every ``step`` hours (default ``length``: consecutive windows, as a daily batch job scans;
    a shorter step samples the rolling window a gateway scans at any hour). With a step, only full-length
    windows are kept (the rolling window is always full once the gateway has run that long).
    """
    cuts = [(f"first {h}h", start, start + timedelta(hours=h)) for h in first]
    stride = timedelta(hours=step or length)
    lower, number = start, 1
    while lower <= end and (step is None or lower + timedelta(hours=length) <= end + stride):
        upper = lower + timedelta(hours=length)
        offset = int((lower - start).total_seconds() // 3600)
        cuts.append((f"{length}h #{number}" if step is None else f"{length}h @{offset}h", lower, upper))
        lower, number = lower + stride, number + 1
    return cuts


def score_window(
    traffic: str,
    name: str,
    sub: pl.DataFrame,
    verdicts: tuple[AccountVerdict, ...],
    labels: dict[str, dict[str, Any]],
) -> WindowNumbers:
    numbers = WindowNumbers(traffic, name, sub.height, len(verdicts))
    active_campaigns = {
        labels[a]["campaign_id"] for a in sub["account_id"].unique().to_list() if labels[a]["campaign_id"]
    }
    found: set[str] = set()
    fps: Counter[str] = Counter()
    for verdict in verdicts:
        label = labels[verdict.account_id]
        if label["malicious"]:
            numbers.malicious_active += 1
            numbers.malicious_flagged += verdict.flagged
            if verdict.flagged and label["campaign_id"]:
                found.add(label["campaign_id"])
        else:
            fps[label["population"]] += verdict.flagged
        if label.get("hard_negative"):
            numbers.hard_active += 1
            numbers.hard_flagged += verdict.flagged
    numbers.false_positives = {p: n for p, n in fps.items() if n}
    numbers.campaigns_active, numbers.campaigns_found = len(active_campaigns), len(found & active_campaigns)
    numbers.missed_campaigns = sorted(active_campaigns - found)
    return numbers


def window_catalog(full: pa.Table, sub: pl.DataFrame) -> TemplateCatalog:
    """The catalog fingerprinting ``sub`` alone builds: its templates' entries, with its request counts."""
    counts = sub.group_by("template_hash").agg(pl.len().alias("requests")).sort("template_hash")
    hashes = full["template_hash"].to_numpy()
    order = np.argsort(hashes)
    rows = order[np.searchsorted(hashes, counts["template_hash"].to_numpy(), sorter=order)]
    table = full.take(rows)
    requests = pa.array(counts["requests"].to_numpy().astype(np.int64))
    table = table.set_column(table.schema.get_field_index("requests"), "requests", requests)
    return TemplateCatalog.from_arrow(table.replace_schema_metadata(full.schema.metadata))


def explain(verdicts: tuple[AccountVerdict, ...], labels: dict[str, dict[str, Any]]) -> None:
    for verdict in verdicts:
        label = labels[verdict.account_id]
        if verdict.flagged and not label["malicious"]:
            evidence = "; ".join(f"{e.signal}={e.value:.3g} ({e.detail})" for e in verdict.evidence)
            print(
                f"    FP {label['population']} {verdict.account_id} req={verdict.requests} "
                f"score={verdict.score:.3f} | {evidence}"
            )


def evaluate(
    directory: Path,
    first: list[int],
    length: int,
    step: int | None,
    config: DetectConfig,
    why: bool,
    catalog_kind: str = "window",
) -> list[WindowNumbers]:
    events, full_catalog = load(directory)
    full_table = full_catalog.to_arrow() if catalog_kind == "window" else None
    lines = (directory / "labels.jsonl").read_bytes().splitlines()
    labels = {r["account_id"]: r for r in map(orjson.loads, lines)}
    start, end = events["ts"].min(), events["ts"].max()
    assert isinstance(start, datetime) and isinstance(end, datetime)
    results = []
    for name, lower, upper in windows(start, end, first, length, step):
        sub = events.filter((pl.col("ts") >= lower) & (pl.col("ts") < upper))
        catalog = window_catalog(full_table, sub) if full_table is not None else full_catalog
        result = detect(sub, catalog, config)
        numbers = score_window(directory.name, name, sub, result.accounts, labels)
        print(numbers.line(), flush=True)
        if why:
            explain(result.accounts, labels)
        results.append(numbers)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directories", nargs="+", type=Path)
    parser.add_argument("--first", default="6,12", help="comma-separated hours from the start ('' for none)")
    parser.add_argument("--window", type=int, default=24, help="length of the consecutive windows in hours")
    parser.add_argument("--step", type=int, help="start a window every STEP hours (rolling)")
    parser.add_argument("--catalog", choices=("window", "full"), default="window", help="template catalog")
    parser.add_argument("--config", type=Path, help="YAML file with detect settings")
    parser.add_argument("--json", type=Path, help="write every window's numbers here")
    parser.add_argument("--why", action="store_true", help="print each false positive's evidence")
    args = parser.parse_args()
    config = DetectConfig.from_yaml(args.config) if args.config else DetectConfig()
    first = [int(h) for h in args.first.split(",") if h]
    rows = [
        n
        for d in args.directories
        for n in evaluate(d, first, args.window, args.step, config, args.why, args.catalog)
    ]
    total = sum(n.fp_total for n in rows)
    print(f"total false positives over {len(rows)} windows: {total}")
    if args.json:
        args.json.write_bytes(orjson.dumps([asdict(n) for n in rows], option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main()
