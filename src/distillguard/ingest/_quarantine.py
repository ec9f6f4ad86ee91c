"""The quarantine: where every record that cannot be read goes, with the reason, instead of vanishing.

One JSON object per line with the ``QUARANTINE_SCHEMA`` fields (``source``, ``line``, ``reason``, ``raw``).
The raw bytes are decoded with replacement and capped so that one multi-megabyte broken line cannot blow
up the quarantine file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import orjson

from distillguard.errors import InputFormatError

RAW_CAP_BYTES = 2048


def reason_kind(reason: str) -> str:
    """The stable part of a reason (before the first colon), used for per-reason counts."""
    return reason.split(":", 1)[0]


class Quarantine:
    """Collects unreadable records into a JSON-lines file and counts them by reason.

    ``Quarantine(path)`` writes to ``path`` (created or truncated on ``__enter__``);
    ``Quarantine(None)`` only counts, for callers that do not want a file.
    """

    def __init__(self, path: Path | str | None) -> None:
        self.path = Path(path) if path is not None else None
        self._file: IO[bytes] | None = None
        self._by_reason: Counter[str] = Counter()

    def __enter__(self) -> Self:
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("wb")
            except OSError as exc:
                raise InputFormatError(f"cannot write the quarantine file: {exc}", path=self.path) from exc
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def add(self, source: str, line: int, reason: str, raw: bytes | str | None) -> None:
        """Quarantine one record: ``line`` is its 1-based line (or record) number in ``source``."""
        self._by_reason[reason_kind(reason)] += 1
        if self.path is None:
            return
        if self._file is None:  # used without ``with``, or after ``close``: nothing may be lost
            self._file = self.path.open("ab")
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "replace")
        text = None if raw is None else raw[:RAW_CAP_BYTES].decode("utf-8", "replace")
        record = {"source": source, "line": line, "reason": reason, "raw": text}
        self._file.write(orjson.dumps(record) + b"\n")

    @property
    def count(self) -> int:
        """How many records were quarantined so far."""
        return sum(self._by_reason.values())

    @property
    def by_reason(self) -> dict[str, int]:
        """Quarantined records per kind of reason (the reason up to its first colon)."""
        return dict(self._by_reason)
