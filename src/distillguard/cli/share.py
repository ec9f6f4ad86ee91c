"""``distillguard share``: export campaigns as STIX, publish to / pull from the hub, sight matches."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from distillguard.cli._app import app

share_app = typer.Typer(
    help="Share campaign signals with peer providers (STIX 2.1 over TAXII 2.1), without customer data.",
    no_args_is_help=True,
)
app.add_typer(share_app, name="share")


@share_app.command("export")
def export(
    report: Annotated[Path, typer.Argument(help="Detection report JSON written by `distillguard scan`.")],
    member: Annotated[str, typer.Option("--member", help="Your consortium member name (as on the hub).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the STIX 2.1 bundle.")],
    tlp: Annotated[
        str, typer.Option("--tlp", help="TLP 2.0 level: clear, green, amber, amber+strict, red.")
    ] = "amber",
    min_score: Annotated[
        float, typer.Option("--min-score", help="Only campaigns scoring at least this.")
    ] = 0.0,
    payment_hashes: Annotated[
        bool,
        typer.Option(
            "--payment-hashes/--no-payment-hashes", help="Include keyed hashes of payment-method ids."
        ),
    ] = True,
) -> None:
    """Write a report's flagged campaigns as a validated STIX 2.1 bundle of keyed, privacy-preserving values.

    Needs DISTILLGUARD_CONSORTIUM_KEY (the key every member holds).
    """
    from distillguard.share import ExportOptions, export_bundle, load_consortium_key, require_valid
    from distillguard.share._io import read_json, write_json

    key = load_consortium_key()
    data = read_json(report, "detection report")
    bundle = export_bundle(
        data, member, key, options=ExportOptions(tlp=tlp, min_score=min_score, payment_hashes=payment_hashes)
    )
    require_valid(bundle)
    write_json(out, bundle)
    campaigns = sum(1 for o in bundle["objects"] if o["type"] == "campaign")
    indicators = sum(1 for o in bundle["objects"] if o["type"] == "indicator")
    typer.echo(f"wrote {out}: {campaigns} campaigns, {indicators} indicators, TLP:{tlp.upper()}")
