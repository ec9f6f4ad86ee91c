"""Every proxied request becomes one canonical event (the DESIGN.md input contract), on disk and in memory.

The JSONL file under the state folder is the durable record (``distillguard scan`` reads it like any other
request log); the bounded in-memory sliding window is what background detection scans.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import orjson

from distillguard.errors import InputFormatError

EVENTS_FILE = "events.jsonl"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def response_summary(body: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the event keeps of a response: finish reasons and token counts, never the message text."""
    if not body:
        return {}
    out: dict[str, Any] = {}
    choices = body.get("choices")
    if isinstance(choices, list):
        out["choices"] = [
            {"finish_reason": c.get("finish_reason")} for c in choices if isinstance(c, Mapping)
        ]
    usage = body.get("usage")
    if isinstance(usage, Mapping):
        out["usage"] = {
            k: usage[k] for k in ("prompt_tokens", "completion_tokens", "total_tokens") if k in usage
        }
    return out


@dataclass(frozen=True)
class WindowDelta:
    """New JSONL lines of the window: ``start`` (None: replace, not extend) to ``end``, then ``size``."""

    start: int | None
    end: int
    size: int
    data: bytes


class WindowMirror:
    """A copy of an ``EventRecorder``'s window kept up to date from ``WindowDelta``s (in another process)."""

    def __init__(self) -> None:
        self._lines: deque[bytes] = deque()
        self.seq: int | None = None

    def apply(self, delta: WindowDelta) -> bool:
        """Apply the delta; False (and nothing changed) when it does not start where this copy ends."""
        if delta.start is None:
            self._lines.clear()
        elif delta.start != self.seq:
            return False
        lines = delta.data.split(b"\n")
        lines.pop()  # after the last line's newline
        self._lines.extend(lines)
        while len(self._lines) > delta.size:
            self._lines.popleft()
        self.seq = delta.end
        return True

    def __len__(self) -> int:
        return len(self._lines)

    def jsonl(self) -> bytes:
        return b"\n".join(self._lines) + b"\n" if self._lines else b""


class EventRecorder:
    """Appends events to ``STATE/events.jsonl`` and keeps the newest ones in a bounded sliding window.

    ``record`` runs on the request path (event loop thread) and only touches memory: a deque push for the
    window and a list push for the file. A writer thread writes the pending lines in batches (every
    ``write_every`` seconds, or at once when ``batch_bytes`` are pending), so that a slow disk (writeback
    throttling on a busy host can hold a ``write`` for tens of milliseconds) never stalls the event loop.
    Nothing is dropped: past ``max_pending_bytes`` unwritten (the disk cannot keep up), ``record`` writes
    them itself. ``snapshot``, ``delta`` and ``flush`` may run in any thread.
    """

    def __init__(
        self,
        state_dir: Path,
        max_events: int = 200_000,
        max_age: timedelta = timedelta(hours=24),
        write_every: float = 0.2,
        batch_bytes: int = 256 * 1024,
        max_pending_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / EVENTS_FILE
        self.max_age = max_age
        # (arrival, the event's JSONL line): compact bytes rather than dicts, and what a detection worker
        # in another process receives as one object instead of pickled dicts.
        self._window: deque[tuple[datetime, bytes]] = deque(maxlen=max_events)
        self._lock = threading.Lock()  # the window and the pending lines
        self._file_lock = threading.Lock()  # the file: one writer at a time, lines in order
        self._file: IO[bytes] | None = self.path.open("ab")
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._batch_bytes, self._max_pending_bytes = batch_bytes, max_pending_bytes
        self.recorded = 0
        self._wake = threading.Event()
        self._closed = False
        self._write_every = write_every
        self._writer = threading.Thread(target=self._write_forever, name="distillguard-events", daemon=True)
        self._writer.start()

    def record(self, event: dict[str, Any], at: datetime) -> None:
        line = orjson.dumps(event) + b"\n"
        with self._lock:
            self._window.append((at, line))
            self._pending.append(line)
            self._pending_bytes += len(line)
            self.recorded += 1
            pending = self._pending_bytes
        if pending >= self._max_pending_bytes:
            self.flush()  # backpressure: the writer is far behind; never drop an event
        elif pending >= self._batch_bytes:
            self._wake.set()

    def _write_forever(self) -> None:
        while not self._closed:
            self._wake.wait(self._write_every)
            self._wake.clear()
            self._write_pending()

    def _write_pending(self) -> None:
        with self._file_lock:
            with self._lock:
                lines, self._pending, self._pending_bytes = self._pending, [], 0
            if lines and self._file is not None:
                self._file.write(b"".join(lines))
                self._file.flush()

    def snapshot(self, now: datetime) -> list[dict[str, Any]]:
        """The window's events, oldest first, after dropping those older than ``max_age``."""
        with self._lock:
            self._expire(now)
            lines = [line for _, line in self._window]
        return [orjson.loads(line) for line in lines]

    def snapshot_jsonl(self, now: datetime) -> bytes:
        """The window as canonical JSONL (what ``snapshot`` returns, serialised)."""
        with self._lock:
            self._expire(now)
            lines = [line for _, line in self._window]
        return b"".join(lines)

    def delta(self, since: int | None, now: datetime) -> WindowDelta:
        """What changed in the window since the delta that ended at ``since`` (``None``: the whole window).

        The window is always the newest ``size`` of the events recorded so far, so a copy elsewhere is
        brought up to date by appending the new lines and keeping its newest ``size``. This costs the
        request path's lock only the new events, not the whole window (200,000 lines by default).
        """
        with self._lock:
            self._expire(now)
            size, end = len(self._window), self.recorded
            new = size if since is None else end - since
            reset = since is None or new > size or new < 0
            count = size if reset else new
            taken = [line for _, line in itertools.islice(reversed(self._window), count)]
        taken.reverse()
        return WindowDelta(None if reset else since, end, size, b"".join(taken))

    def _expire(self, now: datetime) -> None:
        cutoff = now - self.max_age
        while self._window and self._window[0][0] < cutoff:
            self._window.popleft()

    def __len__(self) -> int:
        return len(self._window)

    def flush(self) -> None:
        """Write every pending line to the file now."""
        self._write_pending()

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        if self._writer.is_alive() and self._writer is not threading.current_thread():
            self._writer.join(10)
        with self._file_lock:
            with self._lock:
                lines, self._pending, self._pending_bytes = self._pending, [], 0
            if self._file is not None:
                self._file.write(b"".join(lines))
                self._file.close()
                self._file = None


def read_jsonl_events(path: Path) -> Iterator[dict[str, Any]]:
    """Canonical events from a JSONL request log (used for ``--warm`` history)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputFormatError(f"cannot read file: {exc.strerror}", path=str(path)) from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                event = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise InputFormatError(f"not valid JSON: {exc}", path=str(path), line=number) from exc
            if not isinstance(event, dict) or "account_id" not in event or "ts" not in event:
                raise InputFormatError("an event needs 'ts' and 'account_id'", path=str(path), line=number)
            yield event


def load_history(paths: Iterable[Path]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for path in paths:
        events.extend(read_jsonl_events(path))
    return events
