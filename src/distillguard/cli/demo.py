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
    share: Annotated[bool, typer.Option(help="Also run the three-provider sharing story.")] = True,
    enforce: Annotated[bool, typer.Option(help="Also run the gateway enforcement story.")] = True,
) -> None:
    """Simulate a provider's traffic, scan it, compare with the truth; then share the campaigns with two
    peer providers through a TAXII hub, and enforce the default policy at an OpenAI-compatible gateway."""
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

    if share:
        from distillguard.share.demo import print_sharing_outcome, run_sharing_demo

        console.print(Rule("4 · Share with peer providers B and C through the consortium hub"))
        sharing = run_sharing_demo(report, summary.labels_path, out, days=2, scale=scale * 0.6, seed=seed)
        print_sharing_outcome(sharing, console)

    if enforce:
        from distillguard.gateway.demo import print_outcome, run_enforcement_demo

        console.print(Rule("5 · Enforce provider A's own policy at its gateway"))
        outcome = run_enforcement_demo([summary.traffic_path], out / "gateway-state")
        print_outcome(outcome, console)
