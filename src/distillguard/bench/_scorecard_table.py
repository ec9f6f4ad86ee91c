"""Rich rendering of a scorecard: how a scan compares with the simulator's truth."""

from __future__ import annotations

from rich.table import Table

from distillguard.bench._labels import Scorecard


def scorecard_table(card: Scorecard, title: str = "Compared with the simulator's truth") -> Table:
    table = Table(title=title)
    table.add_column("population")
    table.add_column("kind")
    table.add_column("accounts", justify="right")
    table.add_column("flagged", justify="right")
    table.add_column("rate", justify="right")
    for population in card.populations:
        kind = "[red]distiller[/]" if population.malicious else "legitimate"
        table.add_row(
            population.population,
            kind,
            f"{population.accounts:,}",
            f"{population.flagged:,}",
            f"{population.rate:.1%}",
        )
    table.caption = (
        f"precision {card.precision:.1%} · recall {card.recall:.1%} · "
        f"false-positive rate {card.false_positive_rate:.2%} · "
        f"campaigns found {card.campaigns_found}/{card.campaigns_total}"
    )
    return table
