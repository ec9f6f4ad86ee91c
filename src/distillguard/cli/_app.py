from __future__ import annotations

import typer

app = typer.Typer(
    name="distillguard",
    help="Detect distillation campaigns in LLM API traffic and share signals with peer providers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
