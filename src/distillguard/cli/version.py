from __future__ import annotations

import typer

from distillguard import __version__
from distillguard.cli._app import app


@app.command()
def version() -> None:
    """Print the installed distillguard version."""
    typer.echo(__version__)
