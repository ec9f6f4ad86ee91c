"""Edge cases of the hub's TAXII handling, in-process with Starlette's TestClient."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _hub_testkit import PASSWORDS, indicator
from starlette.testclient import TestClient

from distillguard.hub import COLLECTION_ID, TAXII_MEDIA_TYPE, HubStore, Member, create_app

OBJECTS = f"/consortium/collections/{COLLECTION_ID}/objects/"


@pytest.fixture
def client(store: HubStore, members: dict[str, Member]) -> TestClient:
    return TestClient(create_app(store))


def _auth(name: str = "provider-a") -> tuple[str, str]:
    return (name, PASSWORDS[name])


def _post(client: TestClient, objects: list[dict[str, Any]], name: str = "provider-a", **headers: str) -> Any:
    return client.post(
        OBJECTS,
        content=json.dumps({"objects": objects}),
        auth=_auth(name),
        headers={"Content-Type": TAXII_MEDIA_TYPE, "Accept": TAXII_MEDIA_TYPE, **headers},
    )


def test_no_credentials_is_401_with_taxii_error(client: TestClient) -> None:
    response = client.get("/taxii2/")
    assert response.status_code == 401
    assert response.headers["content-type"] == TAXII_MEDIA_TYPE
    assert response.json()["http_status"] == "401"


def test_unacceptable_accept_header_is_406(client: TestClient) -> None:
    response = client.get(
        "/taxii2/", auth=_auth(), headers={"Accept": "application/vnd.oasis.taxii+json; version=2.0"}
    )
    assert response.status_code == 406
    assert "application/taxii+json;version=2.1" in response.json()["description"]


def test_wrong_content_type_is_415_and_nothing_stored(
    client: TestClient, store: HubStore, members: dict[str, Member]
) -> None:
    response = _post(
        client, [indicator(members["provider-a"].identity_id)], **{"Content-Type": "application/json"}
    )
    assert response.status_code == 415
    assert store.count_objects() == 0


def test_unknown_collection_and_object_are_404(client: TestClient) -> None:
    response = client.get("/consortium/collections/not-a-collection/objects/", auth=_auth())
    assert response.status_code == 404 and response.json()["title"] == "Collection not found"
    missing = client.get(f"{OBJECTS}indicator--00000000-0000-4000-8000-000000000000/", auth=_auth())
    assert missing.status_code == 404
    nowhere = client.get("/consortium/nowhere/", auth=_auth())
    assert nowhere.status_code == 404 and nowhere.headers["content-type"] == TAXII_MEDIA_TYPE


@pytest.mark.parametrize("query", ["limit=ten", "added_after=yesterday", "match[version]=latest", "next=-3"])
def test_bad_query_parameters_are_400(client: TestClient, query: str) -> None:
    response = client.get(f"{OBJECTS}?{query}", auth=_auth())
    assert response.status_code == 400, response.text


def test_per_object_failures_are_reported_in_the_status(
    client: TestClient, store: HubStore, members: dict[str, Member]
) -> None:
    a = members["provider-a"].identity_id
    good, old = indicator(a, 1), {**indicator(a, 2), "spec_version": "2.0"}
    response = _post(client, [good, old])
    assert response.status_code == 202
    status = response.json()
    assert status["success_count"] == 1 and status["failure_count"] == 1
    assert status["failures"][0]["id"] == old["id"]
    assert store.count_objects() == 1
    # The status resource is readable by its owner only.
    assert client.get(f"/consortium/status/{status['id']}/", auth=_auth()).json() == status
    assert client.get(f"/consortium/status/{status['id']}/", auth=_auth("provider-b")).status_code == 404


def test_a_member_cannot_add_versions_to_another_members_object(
    client: TestClient, store: HubStore, members: dict[str, Member]
) -> None:
    a, b = members["provider-a"].identity_id, members["provider-b"].identity_id
    original = indicator(a, 1)
    assert _post(client, [original]).status_code == 202
    hijack = {**original, "created_by_ref": b, "modified": "2026-04-01T00:00:00.000Z"}
    status = _post(client, [hijack], name="provider-b").json()
    assert status["failure_count"] == 1 and "another member" in status["failures"][0]["message"]
    assert store.count_objects() == 1


def test_observables_without_creator_are_accepted_but_identities_are_checked(
    client: TestClient, members: dict[str, Member]
) -> None:
    a, b = members["provider-a"].identity_id, members["provider-b"].identity_id
    sco = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
        "value": "198.51.100.3",
    }
    assert _post(client, [sco]).status_code == 202
    other_identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": b,
        "created": "2026-03-01T00:00:00Z",
        "modified": "2026-03-01T00:00:00Z",
        "name": "not me",
    }
    assert _post(client, [other_identity]).status_code == 403
    no_creator = {k: v for k, v in indicator(a, 3).items() if k != "created_by_ref"}
    assert _post(client, [no_creator]).status_code == 403


def test_date_added_headers_and_envelope_shape(client: TestClient, members: dict[str, Member]) -> None:
    a = members["provider-a"].identity_id
    _post(client, [indicator(a, n) for n in range(3)])
    response = client.get(
        f"{OBJECTS}?limit=2", auth=_auth("provider-b"), headers={"Accept": TAXII_MEDIA_TYPE}
    )
    assert response.headers["content-type"] == TAXII_MEDIA_TYPE
    body = response.json()
    assert body["more"] is True and len(body["objects"]) == 2
    first, last = response.headers["X-TAXII-Date-Added-First"], response.headers["X-TAXII-Date-Added-Last"]
    assert first < last
    rest = client.get(f"{OBJECTS}?limit=2&next={body['next']}", auth=_auth("provider-b")).json()
    assert rest["more"] is False and len(rest["objects"]) == 1
    empty = client.get(f"{OBJECTS}?match[type]=campaign", auth=_auth()).json()
    assert empty == {"more": False}


def test_oversized_body_is_413(client: TestClient) -> None:
    response = client.post(
        OBJECTS,
        content=b"x",
        auth=_auth(),
        headers={"Content-Type": TAXII_MEDIA_TYPE, "Content-Length": str(11 * 1024 * 1024)},
    )
    assert response.status_code == 413
