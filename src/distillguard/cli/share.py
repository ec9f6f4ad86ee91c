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


_HubOpt = Annotated[
    str, typer.Option("--hub", help="Hub URL, e.g. http://hub.example:8080 (discovery at /taxii2/).")
]
_UserOpt = Annotated[str, typer.Option("--user", help="Your member name on the hub.")]
_PasswordOpt = Annotated[
    str, typer.Option("--password", help="Your hub password.", envvar="DISTILLGUARD_HUB_PASSWORD")
]


@share_app.command("publish")
def publish(
    bundle: Annotated[Path, typer.Argument(help="STIX bundle written by `share export` or `share sight`.")],
    hub: _HubOpt,
    user: _UserOpt,
    password: _PasswordOpt,
) -> None:
    """Publish your own objects of a bundle to the consortium hub's collection."""
    from distillguard.share._io import read_bundle
    from distillguard.share.client import HubClient, publish_bundle

    data = read_bundle(bundle)
    with HubClient(hub, user, password) as client:
        result = publish_bundle(client, data, user)
    typer.echo(f"published {result.succeeded} of {result.posted} objects to {hub}")
    for failure in result.failures[:10]:
        typer.echo(f"  refused {failure.get('id')}: {failure.get('message')}", err=True)
    if result.failures:
        raise typer.Exit(code=1)


@share_app.command("pull")
def pull(
    hub: _HubOpt,
    user: _UserOpt,
    password: _PasswordOpt,
    out: Annotated[Path, typer.Option("--out", help="Where to write the peers' objects as one STIX bundle.")],
    added_after: Annotated[
        str | None, typer.Option("--added-after", help="Only objects the hub added after this RFC 3339 time.")
    ] = None,
) -> None:
    """Fetch the other members' objects from the hub as one STIX 2.1 bundle."""
    from distillguard.share._io import write_json
    from distillguard.share.client import HubClient, pull_bundle

    with HubClient(hub, user, password) as client:
        bundle = pull_bundle(client, user, added_after=added_after)
    write_json(out, bundle)
    peers = {o.get("created_by_ref") for o in bundle["objects"] if o.get("type") == "indicator"}
    indicators = sum(1 for o in bundle["objects"] if o.get("type") == "indicator")
    typer.echo(f"wrote {out}: {indicators} indicators from {len(peers)} peers")


@share_app.command("sight")
def sight(
    report: Annotated[
        Path, typer.Argument(help="Report of `distillguard scan --peer PEER.json` (its peer_matches).")
    ],
    member: Annotated[str, typer.Option("--member", help="Your consortium member name.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the sightings bundle.")],
    tlp: Annotated[str, typer.Option("--tlp", help="TLP 2.0 level of the sightings.")] = "amber",
    hub: Annotated[str | None, typer.Option("--hub", help="Also publish the sightings to this hub.")] = None,
    password: Annotated[
        str | None,
        typer.Option("--password", help="Hub password (with --hub).", envvar="DISTILLGUARD_HUB_PASSWORD"),
    ] = None,
) -> None:
    """Turn local matches of peer indicators into STIX sightings (no account ids), optionally publish them."""
    from distillguard.errors import ShareError
    from distillguard.share._io import read_json, write_json
    from distillguard.share.client import HubClient, publish_bundle
    from distillguard.share.sight import matches_of_report, sightings_bundle
    from distillguard.share.validate import require_valid

    bundle = sightings_bundle(matches_of_report(read_json(report, "detection report")), member, tlp=tlp)
    require_valid(bundle)
    write_json(out, bundle)
    count = sum(1 for o in bundle["objects"] if o["type"] == "sighting")
    typer.echo(f"wrote {out}: {count} sightings")
    if hub is not None:
        if password is None:
            raise ShareError("--hub needs --password (or DISTILLGUARD_HUB_PASSWORD)")
        with HubClient(hub, member, password) as client:
            result = publish_bundle(client, bundle, member)
        typer.echo(f"published {result.succeeded} of {result.posted} objects to {hub}")
