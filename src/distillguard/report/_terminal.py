"""A short Rich summary of a report for the terminal: campaigns first, with their top evidence."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from distillguard.report._model import DetectionReport

_TOP_CAMPAIGNS = 10
_TOP_EVIDENCE = 3


def print_summary(report: DetectionReport, console: Console) -> None:
    flagged = report.flagged_accounts
    console.print(
        f"[bold]{report.events:,}[/] events · [bold]{report.quarantined:,}[/] quarantined · "
        f"[bold]{len(report.result.accounts):,}[/] accounts · [bold red]{len(flagged):,}[/] flagged · "
        f"[bold red]{len(report.result.campaigns)}[/] campaigns"
    )
    campaigns = sorted(report.result.campaigns, key=lambda c: -c.score)
    if not campaigns:
        console.print("No campaign reached the threshold.")
        return
    table = Table(title="Campaigns")
    table.add_column("campaign")
    table.add_column("score", justify="right")
    table.add_column("accounts", justify="right")
    table.add_column("requests", justify="right")
    table.add_column("capabilities")
    table.add_column("active (UTC)")
    for campaign in campaigns[:_TOP_CAMPAIGNS]:
        table.add_row(
            campaign.campaign_id,
            f"{campaign.score:.2f}",
            f"{len(campaign.accounts):,}",
            f"{campaign.requests:,}",
            ", ".join(campaign.capabilities),
            f"{_short(campaign.first_seen)} → {_short(campaign.last_seen)}",
        )
    console.print(table)
    for campaign in campaigns[:_TOP_CAMPAIGNS]:
        console.print(f"[bold]{campaign.campaign_id}[/]")
        for evidence in campaign.evidence[:_TOP_EVIDENCE]:
            console.print(f"  • [b]{evidence.signal}[/]: {evidence.detail}", highlight=False)
    if len(campaigns) > _TOP_CAMPAIGNS:
        console.print(f"… and {len(campaigns) - _TOP_CAMPAIGNS} more campaigns in the report.")


def _short(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%m-%d %H:%M")
