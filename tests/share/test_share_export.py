"""Export: valid STIX 2.1 with TLP 2.0 markings and extension-defined observables, and no customer data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _share_testkit import KEY, NOW, make_traffic, raw_values, report_for
from typer.testing import CliRunner

from distillguard.cli import app
from distillguard.hub import member_identity_id
from distillguard.share import ConsortiumKey, ExportOptions, export_bundle, validation_errors
from distillguard.share import stix_types as st

runner = CliRunner()


def _bundle(key: ConsortiumKey, **options: object) -> dict:
    return export_bundle(
        report_for(make_traffic()), "provider-a", key, options=ExportOptions(**options), now=NOW
    )  # type: ignore[arg-type]


def _by_type(bundle: dict, type_name: str) -> list[dict]:
    return [o for o in bundle["objects"] if o["type"] == type_name]


def test_bundle_validates_offline_with_the_extension_schemas(key: ConsortiumKey, no_network: None) -> None:
    bundle = _bundle(key)
    assert validation_errors(bundle) == []


def test_validator_catches_a_broken_custom_observable(key: ConsortiumKey, no_network: None) -> None:
    bundle = _bundle(key)
    network = _by_type(bundle, st.NETWORK_HASH)[0]
    network["value"] = "203.0.113.0/24"
    errors = validation_errors(bundle)
    assert any(network["id"] in e and "does not match" in e for e in errors)


def test_bundle_structure_identity_campaign_indicators_relationships(key: ConsortiumKey) -> None:
    bundle = _bundle(key)
    identity = member_identity_id("provider-a")
    (campaign,) = _by_type(bundle, "campaign")
    assert campaign["created_by_ref"] == identity and campaign["confidence"] == 96
    indicators = _by_type(bundle, "indicator")
    kinds = {i["pattern"].split(":")[0].strip("[") for i in indicators}
    assert kinds == set(st.CUSTOM_TYPES)
    for indicator in indicators:
        assert indicator["created_by_ref"] == identity
        assert indicator["valid_until"] > indicator["valid_from"]
        assert 1 <= indicator["confidence"] <= campaign["confidence"]
    indicates = [r for r in _by_type(bundle, "relationship") if r["relationship_type"] == "indicates"]
    assert {r["source_ref"] for r in indicates} == {i["id"] for i in indicators}
    assert {r["target_ref"] for r in indicates} == {campaign["id"]}
    (infrastructure,) = _by_type(bundle, "infrastructure")
    uses = [r for r in _by_type(bundle, "relationship") if r["relationship_type"] == "uses"]
    assert [(r["source_ref"], r["target_ref"]) for r in uses] == [(campaign["id"], infrastructure["id"])]
    # The 6 accounts' IPs in 203.0.113.0/24 collapse to one prefix.
    prefixes = [o for o in _by_type(bundle, st.NETWORK_HASH) if o["kind"] == "ip-prefix"]
    assert len(prefixes) == 1 and prefixes[0]["prefix_length"] == 24


def test_tlp2_marking_on_every_attributed_object(key: ConsortiumKey) -> None:
    for level, marking_id in (
        ("amber", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"),
        ("green", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"),
    ):
        bundle = _bundle(key, tlp=level)
        (marking,) = _by_type(bundle, "marking-definition")
        assert marking["id"] == marking_id
        assert marking["extensions"][st.TLP2_EXTENSION_ID] == {
            "extension_type": "property-extension",
            "tlp_2_0": level,
        }
        for obj in bundle["objects"]:
            if obj["type"] in ("campaign", "indicator", "infrastructure", "relationship"):
                assert obj["object_marking_refs"] == [marking_id]


def test_custom_observables_are_defined_by_extension_definitions(key: ConsortiumKey) -> None:
    bundle = _bundle(key)
    definitions = {d["id"]: d for d in _by_type(bundle, "extension-definition")}
    for type_name in st.CUSTOM_TYPES:
        definition = definitions[st.EXTENSION_IDS[type_name]]
        assert definition["extension_types"] == ["new-sco"]
        assert json.loads(definition["schema"])["properties"]["type"]["enum"] == [type_name]
        for sco in _by_type(bundle, type_name):
            assert sco["extensions"] == {st.EXTENSION_IDS[type_name]: {"extension_type": "new-sco"}}


def test_bundle_contains_no_customer_value(key: ConsortiumKey) -> None:
    events = make_traffic()
    text = json.dumps(export_bundle(report_for(events), "provider-a", key, now=NOW))
    leaked = sorted(v for v in raw_values(events) if v in text)
    assert leaked == []
    # Also no /24 network written out in the clear.
    assert "203.0.113" not in text


def test_keyed_values_differ_by_key_and_epoch(key: ConsortiumKey) -> None:
    report = report_for(make_traffic())

    def prefix_hash(bundle: dict) -> str:
        return next(o["value"] for o in _by_type(bundle, st.NETWORK_HASH) if o["kind"] == "ip-prefix")

    same = prefix_hash(export_bundle(report, "provider-a", key, now=NOW))
    assert same == prefix_hash(export_bundle(report, "provider-b", key, now=NOW))
    other_key = ConsortiumKey(b"another consortium entirely!!")
    assert prefix_hash(export_bundle(report, "provider-a", other_key, now=NOW)) != same
    next_epoch = NOW + __import__("datetime").timedelta(days=key.epoch_days)
    assert prefix_hash(export_bundle(report, "provider-a", key, now=next_epoch)) != same


def test_share_export_cli_requires_the_consortium_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(report_for(make_traffic())))
    out = tmp_path / "bundle.json"
    monkeypatch.delenv("DISTILLGUARD_CONSORTIUM_KEY", raising=False)
    result = runner.invoke(app, ["share", "export", str(report), "--member", "provider-a", "--out", str(out)])
    assert result.exit_code != 0 and "DISTILLGUARD_CONSORTIUM_KEY" in str(result.exception)
    assert not out.exists()
    monkeypatch.setenv("DISTILLGUARD_CONSORTIUM_KEY", KEY)
    result = runner.invoke(app, ["share", "export", str(report), "--member", "provider-a", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 campaigns" in result.output
    assert validation_errors(json.loads(out.read_text())) == []
