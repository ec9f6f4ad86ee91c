"""``python -m distillguard.bench.holdout OUT_DIR --seed N``: write a holdout traffic set and its labels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from distillguard.bench.holdout._generate import generate
from distillguard.bench.holdout._mixes import MIXES
from distillguard.errors import DistillguardError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command()
def main(
    out_dir: Annotated[
        Path, typer.Argument(help="Directory for traffic.jsonl, labels.jsonl and summary.json.")
    ],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives byte-identical files.")] = 0,
    hours: Annotated[int, typer.Option(help="Length of the generated window in hours.")] = 48,
    scale: Annotated[float, typer.Option(help="Multiplier on the number of accounts per population.")] = 1.0,
    mix: Annotated[str, typer.Option(help=f"Population mix: {', '.join(MIXES)}.")] = "default",
) -> None:
    """Generate holdout API traffic, independent of the project's simulator, with ground-truth labels."""
    try:
        summary = generate(out_dir, seed=seed, hours=hours, scale=scale, mix=mix)
    except DistillguardError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    typer.echo(
        f"{summary.events} events, {summary.accounts} accounts ({summary.malicious_accounts} malicious in "
        f"{len(summary.campaigns)} campaigns) in {summary.seconds:.1f}s "
        f"({summary.events_per_second:,.0f} events/s) -> {summary.traffic_path}"
    )


if __name__ == "__main__":
    app()
