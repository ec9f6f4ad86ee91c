"""The hub as the real taxii2-client library sees it, over HTTP against a uvicorn server."""

from __future__ import annotations

import pytest
import requests
from _hub_testkit import PASSWORDS, indicator
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from distillguard.hub import COLLECTION_ID, COLLECTION_TITLE, HubStore, Member


def _collection(hub_url: str, name: str = "provider-a", password: str | None = None) -> Collection:
    api_root = ApiRoot(f"{hub_url}/consortium/", user=name, password=password or PASSWORDS[name])
    return api_root.collections[0]


def test_discovery_api_root_and_collection(hub_url: str) -> None:
    server = Server(f"{hub_url}/taxii2/", user="provider-a", password=PASSWORDS["provider-a"])
    assert server.api_roots[0].url == f"{hub_url}/consortium/"
    assert server.default.url == f"{hub_url}/consortium/"
    root = server.api_roots[0]
    assert root.versions == ["application/taxii+json;version=2.1"]
    (collection,) = root.collections
    assert collection.title == COLLECTION_TITLE
    assert collection.id == COLLECTION_ID
    assert collection.can_read and collection.can_write


def test_publish_then_read_back(hub_url: str, members: dict[str, Member]) -> None:
    a = members["provider-a"].identity_id
    collection = _collection(hub_url)
    objects = [indicator(a, n) for n in range(3)]
    status = collection.add_objects({"objects": objects})
    assert status.status == "complete"
    assert status.success_count == 3 and status.failure_count == 0

    other = _collection(hub_url, "provider-b")
    envelope = other.get_objects()
    assert {o["id"] for o in envelope["objects"]} == {o["id"] for o in objects}
    assert envelope["more"] is False
    one = other.get_object(objects[1]["id"])
    assert one["objects"] == [objects[1]]


def test_filters_type_id_version_and_added_after(hub_url: str, members: dict[str, Member]) -> None:
    a = members["provider-a"].identity_id
    collection = _collection(hub_url)
    first = indicator(a, 1)
    collection.add_objects({"objects": [first]})
    newer = indicator(a, 1, modified="2026-03-02T00:00:00.000Z")
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": a,
        "created": "2026-03-01T00:00:00.000Z",
        "modified": "2026-03-01T00:00:00.000Z",
        "name": "Provider A",
        "identity_class": "organization",
    }
    collection.add_objects({"objects": [newer, identity]})

    assert [o["type"] for o in collection.get_objects(type="identity")["objects"]] == ["identity"]
    latest = collection.get_objects(id=first["id"])["objects"]
    assert [o["modified"] for o in latest] == ["2026-03-02T00:00:00.000Z"]
    every = collection.get_objects(id=first["id"], version="all")["objects"]
    assert len(every) == 2
    oldest = collection.get_objects(id=first["id"], version="first")["objects"]
    assert [o["modified"] for o in oldest] == ["2026-03-01T00:00:00.000Z"]
    exact = collection.get_objects(version="2026-03-01T00:00:00Z", type="indicator")["objects"]
    assert [o["modified"] for o in exact] == ["2026-03-01T00:00:00.000Z"]

    versions = collection.object_versions(first["id"])
    assert len(versions["versions"]) == 2
    manifest = collection.get_manifest(version="all")
    assert len(manifest["objects"]) == 3
    added = sorted(entry["date_added"] for entry in manifest["objects"])
    after_first = collection.get_objects(added_after=added[0], version="all")["objects"]
    assert {o["id"] for o in after_first} == {first["id"], a}
    assert len(after_first) == 2


def test_pagination_with_as_pages(hub_url: str, members: dict[str, Member]) -> None:
    a = members["provider-a"].identity_id
    collection = _collection(hub_url)
    collection.add_objects({"objects": [indicator(a, n) for n in range(25)]})
    pages = list(as_pages(collection.get_objects, per_request=10))
    assert [len(p.get("objects", [])) for p in pages] == [10, 10, 5]
    assert [p["more"] for p in pages] == [True, True, False]
    seen = [o["id"] for p in pages for o in p["objects"]]
    assert len(seen) == len(set(seen)) == 25
    manifest_pages = list(as_pages(collection.get_manifest, per_request=20))
    assert sum(len(p["objects"]) for p in manifest_pages) == 25


def test_publishing_as_someone_else_is_refused_and_nothing_is_stored(
    hub_url: str, store: HubStore, members: dict[str, Member]
) -> None:
    a, b = members["provider-a"].identity_id, members["provider-b"].identity_id
    collection = _collection(hub_url, "provider-b")
    envelope = {"objects": [indicator(b, 1), indicator(a, 2)]}  # the second claims to be A's
    with pytest.raises(requests.HTTPError) as caught:
        collection.add_objects(envelope)
    assert caught.value.response.status_code == 403
    body = caught.value.response.json()
    assert indicator(a, 2)["id"] in body["details"]
    assert store.count_objects() == 0
    refused = [e for e in store.read_audit() if e.action == "publish_refused"]
    assert refused and refused[0].member == "provider-b"


def test_wrong_password_and_unknown_member_get_401(hub_url: str, store: HubStore) -> None:
    for user, password in (("provider-a", "not-the-password"), ("mallory", "whatever-pass")):
        with pytest.raises(requests.HTTPError) as caught:
            _collection(hub_url, user, password)
        assert caught.value.response.status_code == 401
        assert "Basic" in caught.value.response.headers["WWW-Authenticate"]
    failures = [e.member for e in store.read_audit() if e.action == "auth_failed"]
    assert failures == ["provider-a", "mallory"]


def test_malformed_envelope_is_400_and_nothing_stored(
    hub_url: str, store: HubStore, members: dict[str, Member]
) -> None:
    a = members["provider-a"].identity_id
    collection = _collection(hub_url)
    for envelope in (
        '{"objects": [',
        {"objects": "nope"},
        {"objects": [indicator(a, 1), {"type": "indicator"}]},
    ):
        with pytest.raises(requests.HTTPError) as caught:
            collection.add_objects(envelope)
        assert caught.value.response.status_code == 400
        assert caught.value.response.headers["Content-Type"] == "application/taxii+json;version=2.1"
    assert store.count_objects() == 0


def test_reads_and_publishes_are_audited(hub_url: str, store: HubStore, members: dict[str, Member]) -> None:
    a = members["provider-a"].identity_id
    obj = indicator(a, 7)
    _collection(hub_url).add_objects({"objects": [obj]})
    _collection(hub_url, "provider-b").get_objects()
    entries = store.read_audit()
    publish = next(e for e in entries if e.action == "publish")
    assert publish.member == "provider-a" and publish.detail["stored"] == [
        f"{obj['id']}@2026-03-01T00:00:00.000000Z"
    ]
    read = [e for e in entries if e.action == "read" and e.member == "provider-b"]
    assert read and read[-1].detail["objects"] == [f"{obj['id']}@2026-03-01T00:00:00.000000Z"]
