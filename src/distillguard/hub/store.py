"""Hub storage behind one small interface: SQLite by default, PostgreSQL for a ``postgresql://`` URL.

Both backends share the SQL below (written with ``?`` placeholders; the PostgreSQL backend rewrites
them to ``%s``) and differ only in how they connect and in their DDL. Objects are kept as JSON text with
the columns TAXII filters on (id, version, type, spec_version, date_added) beside them. ``seq`` is the
insertion order; ``date_added`` is assigned in the same order and strictly increases, so paging by
``seq`` is paging by ``date_added``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from distillguard.errors import HubError
from distillguard.hub._media import DEFAULT_PAGE_SIZE
from distillguard.hub._timestamps import format_timestamp, parse_timestamp, utc_now
from distillguard.hub.members import Member

_COLUMNS = "seq, id, version, type, spec_version, date_added, publisher, body"


@dataclass(frozen=True, slots=True)
class NewObject:
    """An object about to be stored; ``shared`` marks content-addressed cyber-observables."""

    id: str
    version: str
    type: str
    spec_version: str
    body: str
    shared: bool = False


@dataclass(frozen=True, slots=True)
class StoredObject:
    seq: int
    id: str
    version: str
    type: str
    spec_version: str
    date_added: str
    publisher: str
    body: str

    def to_stix(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


@dataclass(frozen=True, slots=True)
class AddResult:
    id: str
    version: str
    error: str | None = None  # None: stored (or already present, which TAXII counts as success)


@dataclass(frozen=True, slots=True)
class ObjectQuery:
    """A TAXII object filter. ``versions`` holds "first", "last", "all" and/or normalised timestamps."""

    added_after: str | None = None
    types: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)
    spec_versions: tuple[str, ...] = ()
    limit: int = DEFAULT_PAGE_SIZE
    after_seq: int = 0


@dataclass(frozen=True, slots=True)
class Page:
    objects: tuple[StoredObject, ...]
    more: bool

    @property
    def next_token(self) -> str | None:
        return str(self.objects[-1].seq) if self.more and self.objects else None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    ts: str
    member: str
    action: str
    detail: dict[str, Any]


class HubStore(ABC):
    """Members, objects, status resources and the audit log of one hub."""

    placeholder = "?"

    def __init__(self) -> None:
        # One connection, one writer at a time: the hub is one process and its queries are short.
        self._lock = threading.Lock()

    # -- backend specifics -------------------------------------------------------------------------
    @abstractmethod
    def _ddl(self) -> Sequence[str]: ...

    @abstractmethod
    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """Yield a cursor inside a transaction that commits on success and rolls back on error."""

    @abstractmethod
    def close(self) -> None: ...

    def _sql(self, query: str) -> str:
        return query if self.placeholder == "?" else query.replace("?", self.placeholder)

    def _execute(self, cur: Any, query: str, params: Sequence[Any] = ()) -> Any:
        cur.execute(self._sql(query), tuple(params))
        return cur

    def initialize(self) -> None:
        with self._lock, self._transaction() as cur:
            for statement in self._ddl():
                cur.execute(statement)

    # -- members -----------------------------------------------------------------------------------
    def add_member(self, member: Member) -> None:
        with self._lock, self._transaction() as cur:
            found = self._execute(cur, "SELECT 1 FROM members WHERE name = ?", (member.name,)).fetchone()
            if found:
                raise HubError(f"member {member.name!r} already exists")
            self._execute(
                cur,
                "INSERT INTO members (name, identity_id, salt, password_hash, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    member.name,
                    member.identity_id,
                    member.salt.hex(),
                    member.password_hash.hex(),
                    format_timestamp(utc_now()),
                ),
            )

    def get_member(self, name: str) -> Member | None:
        with self._lock, self._transaction() as cur:
            row = self._execute(
                cur, "SELECT name, identity_id, salt, password_hash FROM members WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            return None
        return Member(
            name=row[0], identity_id=row[1], salt=bytes.fromhex(row[2]), password_hash=bytes.fromhex(row[3])
        )

    def list_members(self) -> list[tuple[str, str]]:
        """(name, identity id) of every member, by name."""
        with self._lock, self._transaction() as cur:
            rows = self._execute(cur, "SELECT name, identity_id FROM members ORDER BY name").fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    # -- objects -----------------------------------------------------------------------------------
    def add_objects(self, publisher: str, objects: Sequence[NewObject]) -> list[AddResult]:
        """Store ``objects`` for ``publisher`` in one transaction; report each object's outcome.

        An object id that another member already published is refused (a member cannot add versions to
        someone else's object); cyber-observables are content-addressed and may be shared.
        """
        results: list[AddResult] = []
        with self._lock, self._transaction() as cur:
            owners = self._owners(cur, [o.id for o in objects if not o.shared])
            last = self._execute(cur, "SELECT MAX(date_added) FROM objects").fetchone()[0]
            added = utc_now()
            if last is not None:
                added = max(added, parse_timestamp(last) + timedelta(microseconds=1))
            for obj in objects:
                owner = owners.get(obj.id)
                if owner is not None and owner != publisher:
                    results.append(AddResult(obj.id, obj.version, "object id belongs to another member"))
                    continue
                self._execute(
                    cur,
                    "INSERT INTO objects (id, version, type, spec_version, date_added, publisher, body)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id, version) DO NOTHING",
                    (
                        obj.id,
                        obj.version,
                        obj.type,
                        obj.spec_version,
                        format_timestamp(added),
                        publisher,
                        obj.body,
                    ),
                )
                added += timedelta(microseconds=1)
                results.append(AddResult(obj.id, obj.version))
        return results

    def _owners(self, cur: Any, ids: Sequence[str]) -> dict[str, str]:
        owners: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            query = f"SELECT DISTINCT id, publisher FROM objects WHERE id IN ({marks})"
            for obj_id, publisher in self._execute(cur, query, chunk).fetchall():
                owners[str(obj_id)] = str(publisher)
        return owners

    def query_objects(self, query: ObjectQuery) -> Page:
        where = ["seq > ?"]
        params: list[Any] = [query.after_seq]
        if query.added_after is not None:
            where.append("date_added > ?")
            params.append(query.added_after)
        for column, values in (
            ("type", query.types),
            ("id", query.ids),
            ("spec_version", query.spec_versions),
        ):
            if values:
                where.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        version_clause = self._version_clause(query.versions, params)
        if version_clause:
            where.append(version_clause)
        sql = f"SELECT {_COLUMNS} FROM objects o WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?"
        params.append(query.limit + 1)
        with self._lock, self._transaction() as cur:
            rows = self._execute(cur, sql, params).fetchall()
        objects = tuple(StoredObject(*row) for row in rows[: query.limit])
        return Page(objects=objects, more=len(rows) > query.limit)

    @staticmethod
    def _version_clause(versions: tuple[str, ...], params: list[Any]) -> str | None:
        if not versions or "all" in versions:
            return None
        alternatives: list[str] = []
        if "last" in versions:
            alternatives.append("o.version = (SELECT MAX(v.version) FROM objects v WHERE v.id = o.id)")
        if "first" in versions:
            alternatives.append("o.version = (SELECT MIN(v.version) FROM objects v WHERE v.id = o.id)")
        stamps = [v for v in versions if v not in ("first", "last")]
        if stamps:
            alternatives.append(f"o.version IN ({', '.join('?' * len(stamps))})")
            params.extend(stamps)
        return "(" + " OR ".join(alternatives) + ")"

    def count_objects(self) -> int:
        with self._lock, self._transaction() as cur:
            return int(self._execute(cur, "SELECT COUNT(*) FROM objects").fetchone()[0])

    # -- status resources --------------------------------------------------------------------------
    def save_status(self, status_id: str, owner: str, status: dict[str, Any]) -> None:
        with self._lock, self._transaction() as cur:
            self._execute(
                cur,
                "INSERT INTO status (id, owner, body) VALUES (?, ?, ?)",
                (status_id, owner, json.dumps(status)),
            )

    def get_status(self, status_id: str) -> tuple[str, dict[str, Any]] | None:
        """(owner, status resource) or None."""
        with self._lock, self._transaction() as cur:
            row = self._execute(cur, "SELECT owner, body FROM status WHERE id = ?", (status_id,)).fetchone()
        return None if row is None else (str(row[0]), json.loads(row[1]))

    # -- audit log ---------------------------------------------------------------------------------
    def audit(self, member: str, action: str, detail: dict[str, Any]) -> None:
        with self._lock, self._transaction() as cur:
            self._execute(
                cur,
                "INSERT INTO audit (ts, member, action, detail) VALUES (?, ?, ?, ?)",
                (format_timestamp(utc_now()), member, action, json.dumps(detail, sort_keys=True)),
            )

    def read_audit(self, limit: int = 1000, member: str | None = None) -> list[AuditEntry]:
        """The most recent audit entries, oldest first."""
        sql = "SELECT ts, member, action, detail FROM audit"
        params: list[Any] = []
        if member is not None:
            sql += " WHERE member = ?"
            params.append(member)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        with self._lock, self._transaction() as cur:
            rows = self._execute(cur, sql, params).fetchall()
        return [AuditEntry(str(r[0]), str(r[1]), str(r[2]), json.loads(r[3])) for r in reversed(rows)]


_COMMON_TABLES = (
    "CREATE TABLE IF NOT EXISTS members (name TEXT PRIMARY KEY, identity_id TEXT NOT NULL UNIQUE,"
    " salt TEXT NOT NULL, password_hash TEXT NOT NULL, created TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS status (id TEXT PRIMARY KEY, owner TEXT NOT NULL, body TEXT NOT NULL)",
)
_OBJECT_COLUMNS = (
    "id TEXT NOT NULL, version TEXT NOT NULL, type TEXT NOT NULL, spec_version TEXT NOT NULL,"
    " date_added TEXT NOT NULL, publisher TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (id, version)"
)
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS objects_type ON objects (type, seq)",
    "CREATE INDEX IF NOT EXISTS objects_added ON objects (date_added)",
    "CREATE INDEX IF NOT EXISTS audit_member ON audit (member, seq)",
)


class SqliteStore(HubStore):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        try:
            self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise HubError(f"cannot open hub database: {exc}", path=str(path)) from exc
        # WAL without fsync on every commit: reads are audited, and a read must not wait on the disk.
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=5000")

    def _ddl(self) -> Sequence[str]:
        return (
            *_COMMON_TABLES,
            f"CREATE TABLE IF NOT EXISTS objects (seq INTEGER PRIMARY KEY AUTOINCREMENT, {_OBJECT_COLUMNS})",
            "CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL,"
            " member TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL)",
            *_INDEXES,
        )

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()


class PostgresStore(HubStore):
    placeholder = "%s"

    def __init__(self, url: str) -> None:
        super().__init__()
        import psycopg  # imported here: SQLite users never load the driver

        try:
            self._conn = psycopg.connect(url, autocommit=False)
        except psycopg.Error as exc:
            raise HubError(f"cannot connect to PostgreSQL: {exc}".strip()) from exc

    def _ddl(self) -> Sequence[str]:
        return (
            *_COMMON_TABLES,
            "CREATE TABLE IF NOT EXISTS objects (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            f" {_OBJECT_COLUMNS})",
            "CREATE TABLE IF NOT EXISTS audit (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            " ts TEXT NOT NULL, member TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL)",
            *_INDEXES,
        )

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._conn.transaction(), self._conn.cursor() as cur:
            yield cur

    def close(self) -> None:
        self._conn.close()


def open_store(location: str | Path) -> HubStore:
    """Open (and create if needed) the hub store: a SQLite file path or a ``postgresql://`` URL."""
    text = str(location)
    store: HubStore
    if text.startswith(("postgresql://", "postgres://")):
        store = PostgresStore(text)
    else:
        path = Path(text)
        if not path.parent.exists():
            raise HubError("the hub database's folder does not exist", path=str(path))
        store = SqliteStore(path)
    store.initialize()
    return store
