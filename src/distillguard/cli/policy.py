"""``distillguard policy init|check``, ``distillguard decisions`` and ``distillguard override``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from distillguard.cli._app import app
from distillguard.errors import PolicyError
from distillguard.policy import Action, DecisionStore, Policy, default_policy_text, parse_duration

policy_app = typer.Typer(help="Write and check enforcement policy files.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")

StateOption = Annotated[
    Path, typer.Option("--state", help="State folder of the gateway (holds decisions.sqlite).")
]


@policy_app.command("init")
def policy_init(
    out: Annotated[Path, typer.Option("--out", help="Where to write the policy file.")] = Path("policy.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write the documented default policy (it never blocks on a peer's signal alone)."""
    if out.exists() and not force:
        raise PolicyError("file exists; pass --force to overwrite it", path=str(out))
    out.write_text(default_policy_text(), encoding="utf-8")
    policy = Policy.from_file(out)
    Console().print(f"wrote {out} (version {policy.version}, {len(policy.rules)} rules)", highlight=False)


@policy_app.command("check")
def policy_check(
    path: Annotated[Path, typer.Argument(help="The policy file to validate.")],
) -> None:
    """Validate a policy file and list its rules in order; errors name the line and the problem."""
    policy = Policy.from_file(path)
    table = Table(title=f"{path} - version {policy.version}" + (" (dry run)" if policy.dry_run else ""))
    for column in ("#", "rule", "when", "action"):
        table.add_column(column)
    for index, rule in enumerate(policy.rules, start=1):
        when = ", ".join(f"{k}={v}" for k, v in rule.when.to_dict().items()) or "(every account)"
        action = rule.action.value
        if rule.requests_per_minute is not None:
            action += f" {rule.requests_per_minute:g}/min (burst {rule.effective_burst})"
        table.add_row(str(index), rule.name, when, action)
    table.add_row("", "default", "(no rule matched)", policy.default_action.value)
    Console().print(table)
    Console().print("[green]policy is valid[/]")


@app.command("decisions")
def decisions(
    state: StateOption,
    account: Annotated[str | None, typer.Option("--account", help="Only this account's decisions.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.")] = 200,
) -> None:
    """List recorded enforcement decisions (policy version, rule, evidence, action, time), newest first."""
    with DecisionStore(state) as store:
        found = store.decisions(account_id=account, limit=limit)
        overrides = store.overrides(account_id=account)
    if as_json:
        doc = {"decisions": [d.to_dict() for d in found], "overrides": [o.to_dict() for o in overrides]}
        typer.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title=f"decisions in {state}")
    for column in ("time", "account", "action", "enforced", "rule", "policy", "score", "evidence"):
        table.add_column(column)
    for d in found:
        evidence = "; ".join(f"{e.signal}={e.value:g}" for e in d.evidence[:4])
        score = "" if d.score is None else f"{d.score:.2f}"
        table.add_row(
            d.decided_at.strftime("%Y-%m-%d %H:%M:%S"),
            d.account_id,
            d.action.value,
            d.enforced_action.value,
            d.rule,
            d.policy_version,
            score,
            evidence,
        )
    Console().print(table)
    if overrides:
        Console().print(f"{len(overrides)} override(s); --json shows them")


@app.command("override")
def override(
    account: Annotated[str, typer.Argument(help="The account id the override applies to.")],
    state: StateOption,
    reason: Annotated[str, typer.Option("--reason", help="Why (the answer to the appeal); recorded.")],
    action: Annotated[Action, typer.Option("--action", help="The action to enforce instead.")] = Action.ALLOW,
    expires: Annotated[
        str | None, typer.Option("--expires", help="How long it holds, e.g. 12h, 7d, 2w (default: never).")
    ] = None,
    analyst: Annotated[str | None, typer.Option("--analyst", help="Who decided (recorded).")] = None,
) -> None:
    """Record an analyst's override for an account; it wins over automatic decisions until it expires."""
    expires_in = None if expires is None else parse_duration(expires)
    with DecisionStore(state) as store:
        made = store.add_override(account, action, reason, datetime.now(UTC), expires_in, analyst)
    until = "never expires" if made.expires_at is None else f"until {made.expires_at:%Y-%m-%d %H:%M} UTC"
    Console().print(f"override {made.override_id}: {account} -> {action.value} ({until})", highlight=False)
