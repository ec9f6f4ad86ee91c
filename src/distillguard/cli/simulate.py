"""``distillguard simulate``: write labelled synthetic API traffic for one platform."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from distillguard.cli._app import app
from distillguard.simulate import PLATFORMS, SimulationConfig, SimulationSummary, simulate


def _summary_table(summary: SimulationSummary) -> Table:
    table = Table(
        title=f"platform {summary.config.platform}: {summary.events:,} events, {summary.accounts:,} accounts"
    )
    table.add_column("population")
    table.add_column("malicious")
    table.add_column("campaign")
    table.add_column("accounts", justify="right")
    table.add_column("events", justify="right")
    for count in summary.populations:
        table.add_row(
            count.population,
            "yes" if count.malicious else "",
            count.campaign_id or "",
            f"{count.accounts:,}",
            f"{count.events:,}",
        )
    return table


@app.command("simulate")
def simulate_command(
    out: Annotated[
        Path, typer.Option("--out", help="Directory to write traffic.jsonl, labels.jsonl, meta.json.")
    ],
    platform: Annotated[
        str, typer.Option("--platform", help=f"Simulated provider: one of {', '.join(PLATFORMS)}.")
    ] = "A",
    days: Annotated[int, typer.Option("--days", help="Number of UTC days to simulate.")] = 3,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives identical files.")
    ] = 0,
    scale: Annotated[
        float,
        typer.Option("--scale", help="Volume multiplier (1 = a few thousand accounts, ~60k events/day)."),
    ] = 1.0,
    start: Annotated[
        str, typer.Option("--start", help="First simulated day (UTC), as YYYY-MM-DD.")
    ] = "2026-03-02",
    gzip: Annotated[
        bool, typer.Option("--gzip", help="Write traffic.jsonl.gz instead of plain JSONL.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the output paths.")] = False,
) -> None:
    """Simulate labelled API traffic: legitimate customers plus distillation campaigns.

    Writes canonical request-log JSONL, one label line per account, and meta.json (seed, model release
    times, counts). Platforms A, B and C share the same distillation operators (same campaign ids)
    with different accounts, networks and volumes.
    """
    config = SimulationConfig.from_dict(
        {
            "platform": platform,
            "days": days,
            "seed": seed,
            "scale": scale,
            "start": start,
            "gzip": gzip,
            "out_dir": out,
        }
    )
    console = Console(stderr=True)
    began = datetime.now()
    with Progress(
        TextColumn("[bold]simulating[/] platform " + config.platform),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} population-days"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task("simulate", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = simulate(config, progress=progress)
    if not quiet:
        console.print(_summary_table(summary))
        console.print(
            f"{summary.events:,} events in {summary.seconds:.1f}s "
            f"({summary.events_per_second:,.0f} events/s); "
            f"{summary.malicious_accounts} malicious accounts of {summary.accounts:,}; "
            f"started {began:%H:%M:%S}"
        )
    typer.echo(str(summary.traffic_path))
    typer.echo(str(summary.labels_path))
    typer.echo(str(summary.meta_path))
