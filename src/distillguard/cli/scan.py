from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from distillguard.cli._app import app
from distillguard.cli._progress import event_progress


@app.command()
def scan(
    paths: Annotated[
        list[Path], typer.Argument(help="Request log files (canonical JSONL[.gz], LiteLLM, OTel, Parquet).")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the JSON detection report.")] = Path(
        "report.json"
    ),
    html: Annotated[Path | None, typer.Option(help="Also write an HTML report here.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Input format, or 'auto' to recognise it by content.")
    ] = "auto",
    quarantine: Annotated[
        Path | None, typer.Option(help="Where unreadable records go (default: next to the report).")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="A YAML scan configuration file.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes that parse and prepare input: 1 does everything in the scan's own process; "
            "default 0 (auto) uses one background worker (parsing and masking two of every three parts) "
            "for large plain JSON-lines input when a second CPU is free."
        ),
    ] = None,
    peer: Annotated[
        Path | None, typer.Option(help="A STIX bundle pulled from the hub: match peers' indicators locally.")
    ] = None,
    trust: Annotated[
        list[str] | None,
        typer.Option(help="A peer whose signals count, as NAME or NAME=WEIGHT (repeatable; with --peer)."),
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Flag accounts scoring at or above this (overrides the config).")
    ] = None,
) -> None:
    """Scan request logs for distillation campaigns and write the detection report."""
    # The library is imported on use so that help and other commands start fast.
    from distillguard.config import ScanConfig
    from distillguard.pipeline import PeerInput
    from distillguard.pipeline import scan as run_scan
    from distillguard.report import print_summary, write_html

    console = Console(stderr=True)
    settings = ScanConfig.from_yaml(config) if config else ScanConfig()
    if fmt != "auto":
        settings = dataclasses.replace(settings, fmt=fmt)
    if workers is not None:
        settings = dataclasses.replace(settings, workers=workers)
    if threshold is not None:
        settings = settings.with_threshold(threshold)
    quarantine_path = quarantine or out.with_suffix(".quarantine.jsonl")
    peer_input = PeerInput(peer, tuple(trust or ())) if peer is not None else None
    with event_progress(console, "Scanning") as advance:
        report = run_scan(
            paths, quarantine_path=quarantine_path, config=settings, progress=advance, peer=peer_input
        )
    report.write_json(out)
    if html is not None:
        write_html(report, html)
    print_summary(report, console)
    console.print(f"Report: [bold]{out}[/]" + (f" · HTML: [bold]{html}[/]" if html else ""))
    if report.quarantined:
        console.print(
            f"[yellow]{report.quarantined:,} unreadable records quarantined in {quarantine_path}[/]"
        )
