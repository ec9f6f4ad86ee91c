"""Publish, pull and sight through the hub: in-process (injected transport) and over real HTTP (CLI)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _share_testkit import KEY, NOW, make_traffic, report_for
from starlette.testclient import TestClient
from typer.testing import CliRunner

from distillguard.cli import app
from distillguard.errors import HubError, ShareError
from distillguard.hub import HubStore, create_app, member_identity_id, new_member, open_store
from distillguard.hub.server import hub_in_thread
from distillguard.share import ConsortiumKey, export_bundle, validation_errors
from distillguard.share.client import HubClient, publish_bundle, pull_bundle
from distillguard.share.sight import sightings_bundle

PASSWORDS = {"provider-a": "alpha-secret-1", "provider-b": "bravo-secret-2"}
runner = CliRunner()


@pytest.fixture
def hub_store(tmp_path: Path) -> Iterator[HubStore]:
    store = open_store(tmp_path / "hub.db")
    for name, password in PASSWORDS.items():
        store.add_member(new_member(name, password))
    yield store
    store.close()


def asgi_transport(store: HubStore) -> httpx.MockTransport:
    """An httpx transport that hands each request to the hub app in-process: no sockets."""
    test_client = TestClient(create_app(store))

    def handle(request: httpx.Request) -> httpx.Response:
        answer = test_client.request(
            request.method, str(request.url), headers=dict(request.headers), content=request.content
        )
        return httpx.Response(answer.status_code, headers=dict(answer.headers), content=answer.content)

    return httpx.MockTransport(handle)


def _client(store: HubStore, name: str, password: str | None = None) -> HubClient:
    return HubClient("http://hub.test", name, password or PASSWORDS[name], transport=asgi_transport(store))


def test_publish_then_peer_pulls_a_valid_bundle_without_its_own_objects(
    hub_store: HubStore, key: ConsortiumKey
) -> None:
    bundle_a = export_bundle(report_for(make_traffic(seed=1)), "provider-a", key, now=NOW)
    bundle_b = export_bundle(report_for(make_traffic(seed=2)), "provider-b", key, now=NOW)
    with _client(hub_store, "provider-a") as a:
        result = publish_bundle(a, bundle_a, "provider-a")
    assert result.failures == () and result.succeeded == result.posted
    with _client(hub_store, "provider-b") as b:
        publish_bundle(b, bundle_b, "provider-b")
        pulled = pull_bundle(b, "provider-b")
    assert validation_errors(pulled) == []
    creators = {o.get("created_by_ref") for o in pulled["objects"] if o["type"] in ("indicator", "campaign")}
    assert creators == {member_identity_id("provider-a")}
    a_indicators = {o["id"] for o in bundle_a["objects"] if o["type"] == "indicator"}
    assert {o["id"] for o in pulled["objects"] if o["type"] == "indicator"} == a_indicators
    # Every indicator's observable came along.
    values = {o.get("value") for o in pulled["objects"] if o["type"].startswith("x-distillguard-")}
    for indicator in (o for o in pulled["objects"] if o["type"] == "indicator"):
        assert indicator["pattern"].split("'")[1] in values


def test_publishing_someone_elses_bundle_is_refused_before_sending(
    hub_store: HubStore, key: ConsortiumKey
) -> None:
    bundle_a = export_bundle(report_for(make_traffic()), "provider-a", key, now=NOW)
    with _client(hub_store, "provider-b") as b, pytest.raises(ShareError, match="not created by member"):
        publish_bundle(b, bundle_a, "provider-b")
    assert hub_store.count_objects() == 0


def test_hub_refusal_is_a_clear_hub_error(hub_store: HubStore, key: ConsortiumKey) -> None:
    bundle_a = export_bundle(report_for(make_traffic()), "provider-a", key, now=NOW)
    with _client(hub_store, "provider-a", "wrong-password") as a, pytest.raises(HubError, match="401"):
        publish_bundle(a, bundle_a, "provider-a")


def test_sightings_name_no_local_account() -> None:
    matches = [
        {
            "account_id": "acct_local_1",
            "peer": "provider-a",
            "indicator_id": "indicator--" + "1" * 8 + "-1111-4111-8111-" + "1" * 12,
            "kind": "template",
            "confidence": 0.8,
            "first_seen": "2026-03-03T00:00:00Z",
            "last_seen": "2026-03-04T00:00:00Z",
        },
        {
            "account_id": "acct_local_2",
            "peer": "provider-a",
            "indicator_id": "indicator--" + "1" * 8 + "-1111-4111-8111-" + "1" * 12,
            "kind": "template",
            "confidence": 0.8,
            "first_seen": "2026-03-02T00:00:00Z",
            "last_seen": "2026-03-05T00:00:00Z",
        },
    ]
    bundle = sightings_bundle(matches, "provider-c", now=NOW)
    assert validation_errors(bundle) == []
    (sighting,) = [o for o in bundle["objects"] if o["type"] == "sighting"]
    assert sighting["count"] == 2 and sighting["where_sighted_refs"] == [member_identity_id("provider-c")]
    assert sighting["first_seen"].startswith("2026-03-02") and sighting["last_seen"].startswith("2026-03-05")
    assert "acct_local" not in json.dumps(bundle)


def test_cli_export_publish_pull_sight_over_http(
    hub_store: HubStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISTILLGUARD_CONSORTIUM_KEY", KEY)
    report = tmp_path / "report.json"
    report.write_text(json.dumps(report_for(make_traffic())))
    bundle, peer = tmp_path / "bundle.json", tmp_path / "peer.json"
    assert (
        runner.invoke(
            app, ["share", "export", str(report), "--member", "provider-a", "--out", str(bundle)]
        ).exit_code
        == 0
    )
    with hub_in_thread(hub_store) as url:
        published = runner.invoke(
            app,
            [
                "share",
                "publish",
                str(bundle),
                "--hub",
                url,
                "--user",
                "provider-a",
                "--password",
                PASSWORDS["provider-a"],
            ],
        )
        assert published.exit_code == 0, published.output
        pulled = runner.invoke(
            app,
            [
                "share",
                "pull",
                "--hub",
                url,
                "--user",
                "provider-b",
                "--password",
                PASSWORDS["provider-b"],
                "--out",
                str(peer),
            ],
        )
        assert pulled.exit_code == 0, pulled.output
        assert "from 1 peers" in pulled.output
        peer_bundle = json.loads(peer.read_text())
        indicator = next(o for o in peer_bundle["objects"] if o["type"] == "indicator")
        scanned = tmp_path / "scanned.json"
        scanned.write_text(
            json.dumps(
                {
                    "campaigns": [],
                    "peer_matches": [
                        {
                            "account_id": "acct_b1",
                            "peer": "provider-a",
                            "indicator_id": indicator["id"],
                            "kind": "template",
                            "confidence": 0.7,
                            "first_seen": "2026-03-04T00:00:00Z",
                            "last_seen": "2026-03-04T01:00:00Z",
                        }
                    ],
                }
            )
        )
        sightings = tmp_path / "sightings.json"
        sighted = runner.invoke(
            app,
            [
                "share",
                "sight",
                str(scanned),
                "--member",
                "provider-b",
                "--out",
                str(sightings),
                "--hub",
                url,
                "--password",
                PASSWORDS["provider-b"],
            ],
        )
        assert sighted.exit_code == 0, sighted.output
        assert "published 2 of 2" in sighted.output  # the sighting and provider-b's identity
    audit = [(e.member, e.action) for e in hub_store.read_audit()]
    assert (
        ("provider-a", "publish") in audit
        and ("provider-b", "read") in audit
        and ("provider-b", "publish") in audit
    )
