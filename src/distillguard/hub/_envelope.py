"""Checks on a posted TAXII envelope: its shape, each object's STIX basics, and who may publish what."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from distillguard.hub._timestamps import normalize_timestamp
from distillguard.hub.members import Member
from distillguard.hub.store import NewObject

_STIX_ID = re.compile(
    r"^([a-z0-9][a-z0-9-]*[a-z0-9])--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


class EnvelopeError(ValueError):
    """The envelope as a whole is unusable: the request is refused and nothing is stored."""

    def __init__(self, message: str, status: int = 400, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.details = details or {}


@dataclass(frozen=True, slots=True)
class Checked:
    """An object that passed the envelope checks, or the reason it fails on its own."""

    id: str
    version: str
    obj: NewObject | None
    error: str | None = None


def parse_envelope(body: bytes) -> list[dict[str, Any]]:
    """The envelope's objects; raises EnvelopeError when the body is not a TAXII envelope of STIX objects."""
    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError(f"the request body is not JSON: {exc}") from exc
    if not isinstance(envelope, dict):
        raise EnvelopeError("the request body must be a TAXII envelope (a JSON object)")
    objects = envelope.get("objects")
    if not isinstance(objects, list) or not objects:
        raise EnvelopeError("the envelope must have a non-empty 'objects' list")
    problems: dict[str, Any] = {}
    for index, obj in enumerate(objects):
        problem = _shape_problem(obj)
        if problem:
            problems[str(index)] = problem
    if problems:
        raise EnvelopeError("the envelope holds objects that are not STIX objects", details=problems)
    return objects


def _shape_problem(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return "not a JSON object"
    obj_type, obj_id = obj.get("type"), obj.get("id")
    if not isinstance(obj_type, str) or not isinstance(obj_id, str):
        return "missing 'type' or 'id'"
    match = _STIX_ID.match(obj_id)
    if match is None or match.group(1) != obj_type:
        return f"id {obj_id!r} is not '{obj_type}--<uuid>'"
    if obj_type == "bundle":
        return "a bundle cannot be stored as an object; post its objects"
    return None


def check_ownership(member: Member, objects: list[dict[str, Any]]) -> None:
    """Refuse the whole envelope if any object claims to be created by someone other than ``member``.

    Objects with a ``created`` property (SDOs, SROs, marking and extension definitions) must carry the
    member's identity in ``created_by_ref`` (or be that identity). Cyber-observables, which STIX gives no
    ``created_by_ref``, are content-addressed facts and carry no claim of authorship.
    """
    offending: dict[str, str] = {}
    for obj in objects:
        if not _is_attributable(obj):
            if "created_by_ref" in obj and obj["created_by_ref"] != member.identity_id:
                offending[obj["id"]] = f"created_by_ref {obj['created_by_ref']!r} is not yours"
            continue
        if obj["type"] == "identity" and obj["id"] == member.identity_id:
            if obj.get("created_by_ref", member.identity_id) != member.identity_id:
                offending[obj["id"]] = "your identity must not name another creator"
            continue
        if obj.get("created_by_ref") != member.identity_id:
            claimed = obj.get("created_by_ref")
            offending[obj["id"]] = "no created_by_ref" if claimed is None else f"created_by_ref {claimed!r}"
    if offending:
        raise EnvelopeError(
            f"member {member.name!r} (identity {member.identity_id}) may only publish its own objects",
            status=403,
            details=offending,
        )


def _is_attributable(obj: dict[str, Any]) -> bool:
    return "created" in obj


def check_object(obj: dict[str, Any]) -> Checked:
    """Per-object checks that fail one object without refusing the envelope."""
    obj_id = obj["id"]
    spec_version = obj.get("spec_version", "2.1")
    raw_version = obj.get("modified") or obj.get("created")
    if spec_version != "2.1":
        return Checked(obj_id, str(raw_version or ""), None, f"spec_version {spec_version!r} is not 2.1")
    try:
        version = normalize_timestamp(str(raw_version)) if raw_version else _SCO_VERSION
        if "created" in obj:
            normalize_timestamp(str(obj["created"]))
    except ValueError:
        return Checked(obj_id, str(raw_version), None, "created/modified is not an RFC 3339 timestamp")
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    new = NewObject(obj_id, version, obj["type"], spec_version, body, shared=not _is_attributable(obj))
    return Checked(obj_id, version, new)


# Cyber-observables have no created/modified: they have one version. TAXII would use date_added; a
# fixed value keeps re-posts of the same observable idempotent.
_SCO_VERSION = "1970-01-01T00:00:00.000000Z"
