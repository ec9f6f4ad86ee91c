from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown

from distillguard.cli._app import app


@app.command()
def bench(
    out: Annotated[Path, typer.Option(help="Where to write the Markdown results.")] = Path(
        "bench/RESULTS.md"
    ),
    quick: Annotated[
        bool, typer.Option(help="Small traffic, for a smoke run (numbers not comparable).")
    ] = False,
    work_dir: Annotated[
        Path | None, typer.Option(help="Keep generated traffic here instead of a temporary directory.")
    ] = None,
) -> None:
    """Measure detection quality, time to first detection, speed and memory; write bench/RESULTS.md."""
    # The library is imported on use so that help and other commands start fast.
    from distillguard.bench._results_md import results_markdown
    from distillguard.bench._run import run_bench

    console = Console(stderr=True)
    results = run_bench(work_dir, quick=quick, log=lambda text: console.log(text))
    text = results_markdown(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    Console().print(Markdown(text))
    console.print(f"Results written to [bold]{out}[/]")
