"""Run a simulation: build the populations, generate day by day, sort each day, stream it to disk."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from operator import itemgetter

from distillguard.errors import ConfigError
from distillguard.simulate._events import EventFactory
from distillguard.simulate._model import SimContext
from distillguard.simulate._writer import TrafficWriter, write_json, write_jsonl
from distillguard.simulate.config import PopulationCount, SimulationConfig, SimulationSummary
from distillguard.simulate.populations import POPULATIONS, Population, campaign_id_of

# progress(done_units, total_units): one unit per population-day.
Progress = Callable[[int, int], None]


def build_populations(ctx: SimContext) -> list[Population]:
    names = ctx.config.populations if ctx.config.populations is not None else tuple(POPULATIONS)
    unknown = [name for name in names if name not in POPULATIONS]
    if unknown:
        known = ", ".join(POPULATIONS)
        raise ConfigError(f"unknown population {unknown[0]!r}; known: {known}", field="populations")
    return [POPULATIONS[name](ctx) for name in names]


def simulate(config: SimulationConfig, progress: Progress | None = None) -> SimulationSummary:
    """Write ``traffic.jsonl[.gz]``, ``labels.jsonl`` and ``meta.json`` for ``config`` into its out_dir.

    Memory holds one day of serialised events at a time; events are written sorted by time.
    """
    began = time.perf_counter()
    ctx = SimContext.from_config(config)
    populations = build_populations(ctx)
    day_starts = tuple(ctx.start_epoch + day * 86400.0 for day in range(config.days))
    factory = EventFactory(model_roles=ctx.model_roles(), day_starts=day_starts)
    total_units = config.days * len(populations)
    done = 0
    with TrafficWriter(config.traffic_path, config.gzip) as writer:
        for day in range(config.days):
            lines: list[tuple[float, bytes]] = []
            for population in populations:
                for account in population.accounts:
                    population.day_events(account, day, factory, lines)
                done += 1
                if progress is not None:
                    progress(done, total_units)
            lines.sort(key=itemgetter(0))  # stable: ties keep generation order, so output is reproducible
            writer.write_lines(line for _, line in lines)
    return _finish(config, ctx, populations, factory, time.perf_counter() - began)


def _finish(
    config: SimulationConfig,
    ctx: SimContext,
    populations: list[Population],
    factory: EventFactory,
    seconds: float,
) -> SimulationSummary:
    labels = []
    counts = []
    for population in populations:
        accounts = events = 0
        for account in population.accounts:
            tally = factory.tallies.get(account.account_id)
            if tally is None:
                continue  # an account that never sent a request is not in the traffic
            accounts += 1
            events += tally.events
            labels.append(
                {
                    "account_id": account.account_id,
                    "platform": ctx.spec.name,
                    "population": population.name,
                    "malicious": population.malicious,
                    "campaign_id": population.campaign_id,
                    "first_seen": tally.first_seen_text,
                    "account_created": account.created_rfc3339,
                    "events": tally.events,
                }
            )
        counts.append(
            PopulationCount(population.name, population.malicious, population.campaign_id, accounts, events)
        )
    labels.sort(key=itemgetter("account_id"))
    write_jsonl(config.labels_path, labels)
    summary = SimulationSummary(
        config=config,
        traffic_path=config.traffic_path,
        labels_path=config.labels_path,
        meta_path=config.meta_path,
        events=sum(c.events for c in counts),
        accounts=sum(c.accounts for c in counts),
        malicious_accounts=sum(c.accounts for c in counts if c.malicious),
        malicious_events=sum(c.events for c in counts if c.malicious),
        seconds=seconds,
        populations=tuple(counts),
    )
    write_json(config.meta_path, _meta(config, ctx, summary, _campaigns(populations, labels)))
    return summary


def _campaigns(populations: list[Population], labels: list[dict[str, object]]) -> list[dict[str, object]]:
    """Ground truth per campaign: who, how much, and when its activity began (for time-to-detection)."""
    by_campaign: dict[str, list[dict[str, object]]] = {}
    for label in labels:
        if label["campaign_id"] is not None:
            by_campaign.setdefault(str(label["campaign_id"]), []).append(label)
    rows: list[dict[str, object]] = []
    for population in populations:
        members = by_campaign.get(population.campaign_id or "", [])
        if not members:
            continue
        rows.append(
            {
                "campaign_id": population.campaign_id,
                "population": population.name,
                "description": population.description,
                "accounts": len(members),
                "events": sum(int(str(m["events"])) for m in members),
                "first_seen": min(str(m["first_seen"]) for m in members),
            }
        )
    return sorted(rows, key=lambda row: str(row["campaign_id"]))


def _meta(
    config: SimulationConfig,
    ctx: SimContext,
    summary: SimulationSummary,
    campaigns: list[dict[str, object]],
) -> dict[str, object]:
    spec = ctx.spec
    established = (config.start_time - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "generator": "distillguard.simulate",
        # Nothing machine-specific (no output path), so the same config gives the same bytes anywhere.
        "config": {k: v for k, v in config.to_dict().items() if k != "out_dir"},
        "files": {"traffic": config.traffic_path.name, "labels": config.labels_path.name},
        "seed": config.seed,
        "platform": spec.name,
        "days": config.days,
        "start": config.start_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (config.start_time + timedelta(days=config.days)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "models": [
            {"model": spec.flagship, "role": "flagship", "released_at": established},
            {"model": spec.mini, "role": "mini", "released_at": established},
            {"model": spec.reasoning, "role": "reasoning", "released_at": established},
            {
                "model": spec.new_model,
                "role": "new",
                "released_at": config.release_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        ],
        "new_model": spec.new_model,
        "new_model_released_at": config.release_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "counts": {k: v for k, v in summary.to_dict().items() if not k.endswith("_path")},
        "campaigns": campaigns,
        "populations": {
            name: {
                "malicious": cls.malicious,
                "campaign_id": campaign_id_of(cls.operator),
                "description": cls.description,
            }
            for name, cls in POPULATIONS.items()
        },
    }
