"""Progress display shared by long-running commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


@contextmanager
def event_progress(console: Console, description: str) -> Iterator[Callable[[int], None]]:
    """Yield a callback that advances an event counter on a live progress line."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        MofNCompleteColumn(),
        TextColumn("events"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=None)

        def advance(rows: int) -> None:
            progress.advance(task, rows)

        yield advance
