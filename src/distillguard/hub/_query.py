"""TAXII 2.1 query parameters (``added_after``, ``limit``, ``next``, ``match[...]``) to an ObjectQuery."""

from __future__ import annotations

from collections.abc import Mapping

from distillguard.hub._media import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from distillguard.hub._timestamps import normalize_timestamp
from distillguard.hub.store import ObjectQuery


class QueryError(ValueError):
    """A query parameter the hub cannot use (answered with 400)."""


def _split(params: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = params.get(name)
    if raw is None:
        return ()
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _timestamp(value: str, name: str) -> str:
    try:
        return normalize_timestamp(value)
    except ValueError as exc:
        raise QueryError(f"{name} must be an RFC 3339 timestamp, got {value!r}") from exc


def _versions(params: Mapping[str, str], default: str) -> tuple[str, ...]:
    tokens = _split(params, "match[version]") or (default,)
    return tuple(t if t in ("first", "last", "all") else _timestamp(t, "match[version]") for t in tokens)


def _positive_int(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise QueryError(f"{name} must be an integer, got {raw!r}") from exc
    if value < 0:
        raise QueryError(f"{name} must not be negative, got {value}")
    return value


def object_query(
    params: Mapping[str, str],
    *,
    object_id: str | None = None,
    default_version: str = "last",
    allow_type_and_id: bool = True,
) -> ObjectQuery:
    """Build the store query for an objects, manifest, object or versions request."""
    added_after = params.get("added_after")
    # `limit=0` (what taxii2-client's as_pages sends by default) means "the server's default page".
    limit = _positive_int(params, "limit", DEFAULT_PAGE_SIZE) or DEFAULT_PAGE_SIZE
    ids = (
        (object_id,) if object_id is not None else (_split(params, "match[id]") if allow_type_and_id else ())
    )
    return ObjectQuery(
        added_after=None if added_after is None else _timestamp(added_after, "added_after"),
        types=_split(params, "match[type]") if allow_type_and_id else (),
        ids=ids,
        versions=_versions(params, default_version),
        spec_versions=_split(params, "match[spec_version]"),
        limit=min(limit, MAX_PAGE_SIZE),
        after_seq=_positive_int(params, "next", 0),
    )
