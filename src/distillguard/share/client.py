"""A TAXII 2.1 client of the consortium hub (httpx, with an injectable transport for tests and demos).

``publish_bundle`` posts a member's own objects; ``pull_bundle`` returns the other members' objects
as one STIX bundle. Reference objects (TLP 2.0 markings, the distillguard extension definitions and
their identity) are not posted: every member has them from the software, and ``pull`` adds them back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx

from distillguard.errors import HubError, ShareError
from distillguard.hub._media import COLLECTION_TITLE, TAXII_MEDIA_TYPE
from distillguard.hub.members import member_identity_id
from distillguard.share import stix_types as st

# Objects per POST: well under the hub's 10 MiB limit even with 512-hex-char fingerprints.
PUBLISH_CHUNK = 500
PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class PublishResult:
    posted: int
    succeeded: int
    failures: tuple[dict[str, Any], ...] = ()
    status_ids: tuple[str, ...] = ()


@dataclass
class HubClient:
    """The consortium collection of a hub, found through TAXII discovery."""

    hub_url: str
    user: str
    password: str
    transport: httpx.BaseTransport | None = None
    timeout: float = 30.0
    _http: httpx.Client = field(init=False, repr=False)
    _objects_url: str | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(
            auth=(self.user, self.password),
            transport=self.transport,
            timeout=self.timeout,
            headers={"Accept": TAXII_MEDIA_TYPE},
        )

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def discovery_url(self) -> str:
        url = self.hub_url if self.hub_url.endswith("/") else self.hub_url + "/"
        return url if url.endswith("/taxii2/") else urljoin(url, "taxii2/")

    def _get(self, url: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        try:
            response = self._http.get(url, params=params)
        except httpx.HTTPError as exc:
            raise HubError(f"cannot reach the hub: {exc}", url=url) from exc
        _raise_for_taxii_error(response)
        return response

    def objects_url(self) -> str:
        """URL of the consortium collection's objects endpoint (discovered once)."""
        if self._objects_url is None:
            discovery = self._get(self.discovery_url).json()
            root = discovery.get("default") or (discovery.get("api_roots") or [None])[0]
            if not root:
                raise HubError("the hub's discovery lists no API root", url=self.discovery_url)
            root_url = urljoin(self.discovery_url, root)
            collections = self._get(urljoin(root_url, "collections/")).json().get("collections", [])
            match = [c for c in collections if c.get("title") == COLLECTION_TITLE]
            if not match:
                raise HubError(f"the hub has no collection titled {COLLECTION_TITLE!r}", url=root_url)
            self._objects_url = urljoin(root_url, f"collections/{match[0]['id']}/objects/")
        return self._objects_url

    def add_objects(self, objects: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        url = self.objects_url()
        try:
            response = self._http.post(
                url,
                content=json.dumps({"objects": list(objects)}).encode(),
                headers={"Content-Type": TAXII_MEDIA_TYPE},
            )
        except httpx.HTTPError as exc:
            raise HubError(f"cannot reach the hub: {exc}", url=url) from exc
        _raise_for_taxii_error(response)
        status: dict[str, Any] = response.json()
        return status

    def iter_objects(
        self, added_after: str | None = None, types: Sequence[str] = ()
    ) -> Iterator[dict[str, Any]]:
        """Every object (last version) of the collection, page by page."""
        params: dict[str, str] = {"limit": str(PAGE_SIZE)}
        if added_after:
            params["added_after"] = added_after
        if types:
            params["match[type]"] = ",".join(types)
        while True:
            envelope = self._get(self.objects_url(), params).json()
            yield from envelope.get("objects", [])
            if not envelope.get("more"):
                return
            params["next"] = str(envelope["next"])


def _raise_for_taxii_error(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        body = response.json()
        message = body.get("title", "error") + (f": {body['description']}" if body.get("description") else "")
        details = body.get("details")
    except (ValueError, AttributeError):
        message, details = response.text[:200], None
    suffix = f" {json.dumps(details)[:300]}" if details else ""
    raise HubError(f"hub answered {response.status_code} {message}{suffix}", url=str(response.request.url))


def own_objects(bundle: Mapping[str, Any], member: str) -> list[dict[str, Any]]:
    """The bundle's objects to post for ``member``: all but reference objects; refuses others' objects."""
    identity = member_identity_id(member)
    objects = [o for o in bundle.get("objects", []) if o.get("id") not in st.REFERENCE_IDS]
    foreign = [
        o["id"]
        for o in objects
        if "created" in o and o.get("created_by_ref") != identity and o.get("id") != identity
    ]
    if foreign:
        raise ShareError(
            f"the bundle holds {len(foreign)} objects not created by member {member!r} ({identity}); "
            "export it with --member set to your own name",
            first=foreign[0],
        )
    return objects


def publish_bundle(client: HubClient, bundle: Mapping[str, Any], member: str) -> PublishResult:
    """Post the member's own objects of ``bundle`` to the hub, in chunks."""
    objects = own_objects(bundle, member)
    if not objects:
        raise ShareError("the bundle has nothing to publish")
    succeeded, failures, status_ids = 0, [], []
    for start in range(0, len(objects), PUBLISH_CHUNK):
        status = client.add_objects(objects[start : start + PUBLISH_CHUNK])
        succeeded += int(status.get("success_count", 0))
        failures.extend(status.get("failures", []))
        status_ids.append(str(status.get("id")))
    return PublishResult(len(objects), succeeded, tuple(failures), tuple(status_ids))


def pull_bundle(client: HubClient, member: str, added_after: str | None = None) -> dict[str, Any]:
    """The other members' objects as one STIX 2.1 bundle (plus the reference objects they use)."""
    identity = member_identity_id(member)
    everything = list(client.iter_objects(added_after=added_after))
    peers = [o for o in everything if "created" in o and o.get("created_by_ref", o.get("id")) != identity]
    peers = [o for o in peers if not (o.get("type") == "identity" and o.get("id") == identity)]
    referenced = _referenced(peers)
    observables = [o for o in everything if "created" not in o and _is_referenced(o, referenced)]
    objects = [*st.reference_objects(), *peers, *observables]
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": [json.loads(o.serialize()) if hasattr(o, "serialize") else o for o in objects],
    }


def _referenced(objects: Sequence[Mapping[str, Any]]) -> set[str]:
    """Ids named by relationships, and values named in indicator patterns."""
    named: set[str] = set()
    for obj in objects:
        for prop in ("source_ref", "target_ref", "sighting_of_ref"):
            if isinstance(obj.get(prop), str):
                named.add(obj[prop])
        if obj.get("type") == "indicator" and isinstance(obj.get("pattern"), str):
            named.add(obj["pattern"])
    return named


def _is_referenced(observable: Mapping[str, Any], referenced: set[str]) -> bool:
    if observable.get("id") in referenced:
        return True
    value = observable.get("value")
    pattern = f"[{observable.get('type')}:value = '{value}']"
    return isinstance(value, str) and pattern in referenced
