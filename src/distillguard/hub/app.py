"""The hub: a TAXII 2.1 server (Starlette ASGI app) for one consortium collection.

Endpoints (all behind HTTP Basic auth of a registered member):

    GET  /taxii2/                                           discovery
    GET  /consortium/                                       API root
    GET  /consortium/collections/                           collections
    GET  /consortium/collections/{id}/                      the collection
    GET  /consortium/collections/{id}/objects/              objects (filters, pagination)
    POST /consortium/collections/{id}/objects/              add objects (a member's own only)
    GET  /consortium/collections/{id}/objects/{oid}/        one object
    GET  /consortium/collections/{id}/objects/{oid}/versions/
    GET  /consortium/collections/{id}/manifest/
    GET  /consortium/status/{sid}/                          status of an add request
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from distillguard.hub._envelope import EnvelopeError, check_object, check_ownership, parse_envelope
from distillguard.hub._media import (
    API_ROOT_PATH,
    COLLECTION_ID,
    COLLECTION_TITLE,
    MAX_CONTENT_LENGTH,
    STIX_MEDIA_TYPE,
    TAXII_MEDIA_TYPE,
)
from distillguard.hub._query import QueryError, object_query
from distillguard.hub._timestamps import format_timestamp, utc_now
from distillguard.hub.members import Member, verify_password
from distillguard.hub.store import HubStore, Page

_REALM = 'Basic realm="distillguard hub", charset="UTF-8"'
_ACCEPTABLE = {"application/taxii+json;version=2.1", "application/taxii+json", "*/*", "application/*"}
_CACHE_LIMIT = 1024

Handler = Callable[[Request, Member], Awaitable[Response]]


class TaxiiError(Exception):
    """An error answered as a TAXII error message with an HTTP status."""

    def __init__(self, status: int, title: str, description: str = "", details: dict[str, Any] | None = None):
        super().__init__(title)
        self.status = status
        self.title = title
        self.description = description
        self.details = details or {}


def taxii_response(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=TAXII_MEDIA_TYPE, headers=headers)


def error_response(error: TaxiiError) -> Response:
    body: dict[str, Any] = {"title": error.title, "http_status": str(error.status)}
    if error.description:
        body["description"] = error.description
    if error.details:
        body["details"] = error.details
    headers = {"WWW-Authenticate": _REALM} if error.status == 401 else None
    return taxii_response(body, error.status, headers)


class Hub:
    """The hub's request handling around one store; ``app`` is the ASGI application."""

    def __init__(self, store: HubStore, title: str = "distillguard consortium hub") -> None:
        self.store = store
        self.title = title
        # Successful password checks, keyed by a hash of name and password under a per-process secret:
        # scrypt is deliberately slow and Basic auth sends the password on every request.
        self._verified: dict[bytes, Member] = {}
        self._cache_secret = secrets.token_bytes(32)
        base = f"/{API_ROOT_PATH}"
        collection = base + "/collections/{collection_id}"
        routes = [
            Route("/taxii2/", self._wrap(self.discovery)),
            Route(base + "/", self._wrap(self.api_root)),
            Route(base + "/collections/", self._wrap(self.collections)),
            Route(collection + "/", self._wrap(self.collection)),
            Route(collection + "/objects/", self._wrap(self.get_objects), methods=["GET"]),
            Route(collection + "/objects/", self._wrap(self.add_objects), methods=["POST"]),
            Route(collection + "/objects/{object_id}/", self._wrap(self.get_object)),
            Route(collection + "/objects/{object_id}/versions/", self._wrap(self.versions)),
            Route(collection + "/manifest/", self._wrap(self.manifest)),
            # taxii2-client polls status URLs without the trailing slash.
            Route(base + "/status/{status_id}/", self._wrap(self.status)),
            Route(base + "/status/{status_id}", self._wrap(self.status)),
        ]
        self.app = Starlette(routes=routes, exception_handlers={HTTPException: self._http_exception})

    # -- plumbing ----------------------------------------------------------------------------------
    def _wrap(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                member = await self._authenticate(request)
                _check_accept(request)
                return await handler(request, member)
            except TaxiiError as error:
                return error_response(error)

        return endpoint

    async def _http_exception(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        title = {404: "Not found", 405: "Method not allowed"}.get(status, "HTTP error")
        return error_response(TaxiiError(status, title, f"{request.method} {request.url.path}"))

    async def _authenticate(self, request: Request) -> Member:
        name, password = _basic_credentials(request)
        key = hashlib.sha256(self._cache_secret + name.encode() + b"\0" + password.encode()).digest()
        cached = self._verified.get(key)
        if cached is not None:
            return cached
        member = self.store.get_member(name)
        if member is None or not await run_in_threadpool(verify_password, member, password):
            self.store.audit(
                name, "auth_failed", {"path": request.url.path, "known_member": member is not None}
            )
            raise TaxiiError(401, "Unauthorized", "unknown member or wrong password")
        if len(self._verified) >= _CACHE_LIMIT:
            self._verified.clear()
        self._verified[key] = member
        return member

    def _audit_read(self, member: Member, request: Request, page: Page) -> None:
        self.store.audit(
            member.name,
            "read",
            {
                "path": request.url.path,
                "query": dict(request.query_params),
                "objects": [f"{o.id}@{o.version}" for o in page.objects],
            },
        )

    # -- endpoints ---------------------------------------------------------------------------------
    async def discovery(self, request: Request, member: Member) -> Response:
        root = f"/{API_ROOT_PATH}/"
        return taxii_response(
            {
                "title": self.title,
                "description": "TAXII 2.1 hub of distillation-campaign indicators shared between providers.",
                "default": root,
                "api_roots": [root],
            }
        )

    async def api_root(self, request: Request, member: Member) -> Response:
        return taxii_response(
            {
                "title": "consortium",
                "description": "Distillation-campaign indicators published by consortium members.",
                "versions": [TAXII_MEDIA_TYPE],
                "max_content_length": MAX_CONTENT_LENGTH,
            }
        )

    async def collections(self, request: Request, member: Member) -> Response:
        return taxii_response({"collections": [_collection_resource()]})

    async def collection(self, request: Request, member: Member) -> Response:
        _check_collection(request)
        return taxii_response(_collection_resource())

    async def get_objects(self, request: Request, member: Member) -> Response:
        _check_collection(request)
        page = self.store.query_objects(_query(request))
        self._audit_read(member, request, page)
        return _envelope_response(page)

    async def get_object(self, request: Request, member: Member) -> Response:
        _check_collection(request)
        object_id = request.path_params["object_id"]
        page = self.store.query_objects(_query(request, object_id=object_id))
        if not page.objects:
            raise TaxiiError(404, "Object not found", f"no object {object_id!r} in this collection")
        self._audit_read(member, request, page)
        return _envelope_response(page)

    async def versions(self, request: Request, member: Member) -> Response:
        _check_collection(request)
        object_id = request.path_params["object_id"]
        page = self.store.query_objects(_query(request, object_id=object_id, default_version="all"))
        if not page.objects:
            raise TaxiiError(404, "Object not found", f"no object {object_id!r} in this collection")
        body: dict[str, Any] = {"more": page.more, "versions": [o.version for o in page.objects]}
        if page.next_token:
            body["next"] = page.next_token
        return taxii_response(body, headers=_date_headers(page))

    async def manifest(self, request: Request, member: Member) -> Response:
        _check_collection(request)
        page = self.store.query_objects(_query(request))
        body: dict[str, Any] = {"more": page.more}
        if page.objects:
            body["objects"] = [
                {"id": o.id, "date_added": o.date_added, "version": o.version, "media_type": STIX_MEDIA_TYPE}
                for o in page.objects
            ]
        if page.next_token:
            body["next"] = page.next_token
        return taxii_response(body, headers=_date_headers(page))

    async def add_objects(self, request: Request, member: Member) -> Response:
        _check_collection(request)
        _check_content_type(request)
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_CONTENT_LENGTH:
            raise TaxiiError(413, "Request too large", f"the hub accepts at most {MAX_CONTENT_LENGTH} bytes")
        body = await request.body()
        if len(body) > MAX_CONTENT_LENGTH:
            raise TaxiiError(413, "Request too large", f"the hub accepts at most {MAX_CONTENT_LENGTH} bytes")
        requested_at = format_timestamp(utc_now())
        try:
            objects = parse_envelope(body)
            check_ownership(member, objects)
        except EnvelopeError as exc:
            self.store.audit(member.name, "publish_refused", {"reason": str(exc), "details": exc.details})
            title = "Forbidden" if exc.status == 403 else "Malformed envelope"
            raise TaxiiError(exc.status, title, str(exc), exc.details) from exc
        status = self._store_objects(member, objects, requested_at)
        return taxii_response(status, status=202)

    def _store_objects(
        self, member: Member, objects: list[dict[str, Any]], requested_at: str
    ) -> dict[str, Any]:
        checked = [check_object(obj) for obj in objects]
        results = self.store.add_objects(member.name, [c.obj for c in checked if c.obj is not None])
        outcome = {(r.id, r.version): r.error for r in results}
        successes: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        for item in checked:
            error = item.error if item.obj is None else outcome.get((item.id, item.version))
            entry: dict[str, Any] = {"id": item.id, "version": item.version}
            if error is None:
                successes.append(entry)
            else:
                failures.append({**entry, "message": error})
        status: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "status": "complete",
            "request_timestamp": requested_at,
            "total_count": len(checked),
            "success_count": len(successes),
            "successes": successes,
            "failure_count": len(failures),
            "failures": failures,
            "pending_count": 0,
            "pendings": [],
        }
        self.store.save_status(status["id"], member.name, status)
        self.store.audit(
            member.name,
            "publish",
            {
                "status": status["id"],
                "stored": [f"{s['id']}@{s['version']}" for s in successes],
                "failed": [f["id"] for f in failures],
            },
        )
        return status

    async def status(self, request: Request, member: Member) -> Response:
        found = self.store.get_status(request.path_params["status_id"])
        # Another member's status is reported as absent: it would tell who published what.
        if found is None or found[0] != member.name:
            raise TaxiiError(404, "Status not found", "no such status resource for this member")
        return taxii_response(found[1])


def create_app(store: HubStore) -> Starlette:
    """The hub's ASGI application over ``store``."""
    return Hub(store).app


# -- request helpers -------------------------------------------------------------------------------
def _basic_credentials(request: Request) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise TaxiiError(401, "Unauthorized", "HTTP Basic credentials of a consortium member are required")
    try:
        name, sep, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise TaxiiError(401, "Unauthorized", "unreadable Basic credentials") from exc
    if not sep:
        raise TaxiiError(401, "Unauthorized", "unreadable Basic credentials")
    return name, password


def _normal_media(text: str) -> str:
    return text.replace(" ", "").lower()


def _check_accept(request: Request) -> None:
    accept = request.headers.get("accept")
    if accept is None:
        return
    ranges = {_normal_media(part.split(";q=")[0]) for part in accept.split(",")}
    if not ranges & _ACCEPTABLE:
        raise TaxiiError(406, "Not acceptable", f"this hub answers with {TAXII_MEDIA_TYPE}, not {accept!r}")


def _check_content_type(request: Request) -> None:
    content_type = request.headers.get("content-type", "")
    if _normal_media(content_type) != TAXII_MEDIA_TYPE:
        raise TaxiiError(
            415,
            "Unsupported media type",
            f"post a TAXII envelope as {TAXII_MEDIA_TYPE}, not {content_type!r}",
        )


def _check_collection(request: Request) -> None:
    collection_id = request.path_params["collection_id"]
    if collection_id != COLLECTION_ID:
        raise TaxiiError(404, "Collection not found", f"no collection {collection_id!r} in this API root")


def _query(request: Request, object_id: str | None = None, default_version: str = "last") -> Any:
    try:
        return object_query(
            request.query_params,
            object_id=object_id,
            default_version=default_version,
            allow_type_and_id=object_id is None,
        )
    except QueryError as exc:
        raise TaxiiError(400, "Bad query", str(exc)) from exc


def _collection_resource() -> dict[str, Any]:
    return {
        "id": COLLECTION_ID,
        "title": COLLECTION_TITLE,
        "description": "Indicators of distillation campaigns (STIX 2.1), privacy-preserving values only.",
        "can_read": True,
        "can_write": True,
        "media_types": [STIX_MEDIA_TYPE],
    }


def _date_headers(page: Page) -> dict[str, str]:
    if not page.objects:
        return {}
    return {
        "X-TAXII-Date-Added-First": page.objects[0].date_added,
        "X-TAXII-Date-Added-Last": page.objects[-1].date_added,
    }


def _envelope_response(page: Page) -> Response:
    # Stored bodies are JSON already: splice them rather than parse and re-serialise 100 objects.
    head = b'{"more":' + (b"true" if page.more else b"false")
    if page.next_token:
        head += b',"next":' + orjson.dumps(page.next_token)
    if page.objects:
        head += b',"objects":[' + b",".join(o.body.encode("utf-8") for o in page.objects) + b"]"
    return Response(head + b"}", media_type=TAXII_MEDIA_TYPE, headers=_date_headers(page))
