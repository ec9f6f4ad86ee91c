from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.rule import Rule

from distillguard.cli._app import app
from distillguard.cli._progress import event_progress


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Directory for the simulated traffic and the reports.")] = Path(
        "demo-output"
    ),
    days: Annotated[int, typer.Option(help="Days of traffic to simulate.")] = 3,
    scale: Annotated[float, typer.Option(help="Volume multiplier for the simulated platform.")] = 0.5,
    seed: Annotated[int, typer.Option(help="Random seed of the simulation.")] = 7,
) -> None:
    """Simulate a platform's traffic, scan it, and show the campaigns found against the truth."""
    # The library is imported on use so that help and other commands start fast.
    from distillguard.bench import read_labels, score_accounts, scorecard_table
    from distillguard.pipeline import scan
    from distillguard.report import print_summary, write_html
    from distillguard.simulate import SimulationConfig, simulate

    console = Console()
    console.print(Rule("1 · Simulate provider A's API traffic"))
    summary = simulate(
        SimulationConfig.from_dict(
            {"platform": "A", "days": days, "seed": seed, "scale": scale, "out_dir": out / "provider-A"}
        )
    )
    console.print(
        f"{summary.events:,} requests from {summary.accounts:,} accounts "
        f"({summary.malicious_accounts} belong to distillation operators) → {summary.traffic_path}"
    )

    console.print(Rule("2 · Scan it"))
    report_path, html_path = out / "report.json", out / "report.html"
    with event_progress(console, "Scanning") as advance:
        report = scan([summary.traffic_path], quarantine_path=out / "quarantine.jsonl", progress=advance)
    report.write_json(report_path)
    write_html(report, html_path)
    print_summary(report, console)

    console.print(Rule("3 · Compare with the simulator's truth"))
    card = score_accounts(report.result.accounts, read_labels(summary.labels_path))
    console.print(scorecard_table(card))
    console.print(f"\nJSON report: [bold]{report_path}[/]\nHTML report: [bold]{html_path}[/]")
