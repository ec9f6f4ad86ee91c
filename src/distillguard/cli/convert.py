"""``distillguard convert``: request logs of any supported format to one canonical Parquet file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from distillguard.cli._app import app
from distillguard.ingest import FORMATS, Quarantine, read_events, write_parquet


def _counted(batches: Iterator[pa.RecordBatch], progress: Progress, task: int) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        progress.advance(task, batch.num_rows)  # type: ignore[arg-type]
        yield batch


@app.command("convert")
def convert_command(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="Log files or directories: canonical JSONL, LiteLLM, OTLP/JSON, Parquet."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Parquet file to write, in the canonical schema.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help=f"Input format: auto (by content) or one of {', '.join(FORMATS)}."
        ),
    ] = "auto",
    quarantine_path: Annotated[
        Path | None,
        typer.Option(
            "--quarantine", help="Where unreadable records go (JSON lines). Default: next to --out."
        ),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Processes parsing JSON in parallel.")] = 1,
) -> None:
    """Convert request logs of any supported format into one Parquet file in the canonical event schema."""
    console = Console(stderr=True)
    quarantine_path = quarantine_path or out.with_name(out.stem + ".quarantine.jsonl")
    with (
        Quarantine(quarantine_path) as quarantine,
        Progress(
            SpinnerColumn(), TextColumn("{task.completed:,} events"), TimeElapsedColumn(), console=console
        ) as p,
    ):
        task = p.add_task("reading", total=None)
        batches = read_events(inputs, fmt=fmt, quarantine=quarantine, workers=workers)
        rows = write_parquet(_counted(batches, p, task), out)
    console.print(f"wrote {rows:,} events to {out}")
    if quarantine.count:
        reasons = ", ".join(f"{n:,} {reason}" for reason, n in sorted(quarantine.by_reason.items()))
        console.print(f"quarantined {quarantine.count:,} unreadable records ({reasons}) in {quarantine_path}")
