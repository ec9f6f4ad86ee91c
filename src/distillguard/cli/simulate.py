"""``distillguard simulate``: write labelled synthetic API traffic for one platform."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from distillguard.cli._app import app
from distillguard.errors import ConfigError
from distillguard.simulate import PLATFORMS, POPULATIONS, SimulationConfig, SimulationSummary, simulate
from distillguard.simulate.populations import campaign_id_of


def _summary_table(summary: SimulationSummary) -> Table:
    table = Table(
        title=f"platform {summary.config.platform}: {summary.events:,} events, {summary.accounts:,} accounts"
    )
    for name, justify in (
        ("population", "left"),
        ("malicious", "left"),
        ("campaign", "left"),
        ("accounts", "right"),
        ("events", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for count in summary.populations:
        table.add_row(
            count.population,
            "yes" if count.malicious else "",
            count.campaign_id or "",
            f"{count.accounts:,}",
            f"{count.events:,}",
        )
    return table


def _populations_table() -> Table:
    table = Table(title="simulated populations")
    table.add_column("population")
    table.add_column("campaign")
    table.add_column("description")
    for name, cls in POPULATIONS.items():
        table.add_row(name, campaign_id_of(cls.operator) or "", cls.description)
    return table


@app.command("simulate")
def simulate_command(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Directory to write traffic.jsonl, labels.jsonl and meta.json into."),
    ] = None,
    platform: Annotated[
        str, typer.Option("--platform", help=f"Simulated provider: one of {', '.join(PLATFORMS)}.")
    ] = "A",
    days: Annotated[int, typer.Option("--days", help="Number of UTC days to simulate.")] = 3,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives identical files.")
    ] = 0,
    scale: Annotated[
        float,
        typer.Option(
            "--scale", help="Volume multiplier: 1 gives a few thousand accounts and ~60k events a day."
        ),
    ] = 1.0,
    start: Annotated[
        str, typer.Option("--start", help="First simulated day (UTC), as YYYY-MM-DD.")
    ] = "2026-03-02",
    gzip: Annotated[
        bool, typer.Option("--gzip", help="Write traffic.jsonl.gz instead of plain JSONL.")
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Simulate only this population (repeatable); see --list-populations."),
    ] = None,
    list_populations: Annotated[
        bool, typer.Option("--list-populations", help="Print the available populations and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the output paths.")] = False,
) -> None:
    """Simulate labelled API traffic: legitimate customers plus distillation campaigns.

    Writes canonical request-log JSONL, one label line per account, and meta.json.
    Platforms A, B and C share the same operators (campaign ids) with their own accounts and volumes.
    """
    if list_populations:
        Console().print(_populations_table())
        return
    if out is None:
        raise ConfigError("--out DIR is required", field="out")
    settings: dict[str, Any] = {
        "platform": platform,
        "days": days,
        "seed": seed,
        "scale": scale,
        "start": start,
        "gzip": gzip,
        "out_dir": out,
        "populations": only or None,
    }
    config = SimulationConfig.from_dict(settings)
    console = Console(stderr=True)
    with Progress(
        TextColumn(f"[bold]simulating[/] platform {config.platform}"),
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
            f"{summary.malicious_accounts} malicious accounts of {summary.accounts:,}"
        )
    typer.echo(str(summary.traffic_path))
    typer.echo(str(summary.labels_path))
    typer.echo(str(summary.meta_path))
