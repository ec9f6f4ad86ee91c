"""``distillguard hub``: run the consortium's TAXII 2.1 hub and manage its members."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from distillguard.cli._app import app
from distillguard.errors import HubError

hub_app = typer.Typer(help="Run the consortium's TAXII 2.1 hub and manage its members.", no_args_is_help=True)
app.add_typer(hub_app, name="hub")

_DB_HELP = "Hub database: a SQLite file path, or a postgresql:// URL."


@hub_app.command("add-member")
def add_member(
    name: str = typer.Argument(..., help="Member name (the HTTP Basic user name), e.g. 'provider-a'."),
    password: str = typer.Option(..., "--password", help="The member's password (stored as a scrypt hash)."),
    db: str = typer.Option(..., "--db", help=_DB_HELP),
) -> None:
    """Register a consortium member and print its STIX identity id (its objects must carry it)."""
    from distillguard.hub.members import MEMBER_NAME, new_member
    from distillguard.hub.store import open_store

    if not MEMBER_NAME.match(name):
        raise HubError("a member name is 1-64 letters, digits, '_', '.' or '-'", name=name)
    if len(password) < 8:
        raise HubError("a member password needs at least 8 characters", name=name)
    store = open_store(db)
    try:
        member = new_member(name, password)
        store.add_member(member)
    finally:
        store.close()
    typer.echo(member.identity_id)


@hub_app.command("members")
def members(db: str = typer.Option(..., "--db", help=_DB_HELP)) -> None:
    """List the hub's members and their STIX identity ids."""
    from distillguard.hub.store import open_store

    store = open_store(db)
    try:
        rows = store.list_members()
    finally:
        store.close()
    table = Table("member", "identity")
    for name, identity in rows:
        table.add_row(name, identity)
    Console().print(table)


@hub_app.command("audit")
def audit(
    db: str = typer.Option(..., "--db", help=_DB_HELP),
    member: str | None = typer.Option(None, "--member", help="Only this member's entries."),
    limit: int = typer.Option(50, "--limit", help="How many of the most recent entries to show."),
) -> None:
    """Show who published and who read what (most recent entries last)."""
    from distillguard.hub.store import open_store

    store = open_store(db)
    try:
        entries = store.read_audit(limit=limit, member=member)
    finally:
        store.close()
    table = Table("time", "member", "action", "objects / detail")
    for entry in entries:
        objects = entry.detail.get("objects") or entry.detail.get("stored")
        summary = f"{len(objects)} objects" if isinstance(objects, list) else str(entry.detail)[:80]
        table.add_row(entry.ts, entry.member, entry.action, summary)
    Console().print(table)


@hub_app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", help="TCP port to listen on."),
    db: str = typer.Option(..., "--db", help=_DB_HELP),
    access_log: bool = typer.Option(
        False,
        "--access-log/--no-access-log",
        help="Also log every HTTP request (the audit log is always on).",
    ),
) -> None:
    """Serve the TAXII 2.1 hub (discovery at /taxii2/, API root /consortium/) until interrupted."""
    from distillguard.hub.server import serve as run

    run(host, port, db, access_log=access_log)
