"""The ``distillguard`` command: a thin layer over the library.

Each command group lives in its own module and registers itself on ``app``; errors that distillguard
raises on purpose are printed as one readable line instead of a traceback.
"""

from __future__ import annotations

import sys

from rich.console import Console

from distillguard.cli import _commands  # noqa: F401  (registers the commands)
from distillguard.cli._app import app
from distillguard.errors import DistillguardError

__all__ = ["app", "main"]


def main() -> None:
    try:
        app(standalone_mode=True)
    except DistillguardError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)
