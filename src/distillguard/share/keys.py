"""The consortium key: keyed hashes that members can compare and nobody else can read.

Every member holds the same secret (``DISTILLGUARD_CONSORTIUM_KEY``). Values are never hashed with it
directly: each *epoch* (30 days by default) derives its own key, so the same IP prefix hashes
differently in every epoch, an indicator cannot be linked across epochs without the secret, and an
indicator stops being comparable (expires) once its epoch is out of the accepted window. Replacing
the secret itself (a consortium-wide rotation) changes ``key_id``, which every shared value carries:
values under another key are skipped, not mismatched.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from distillguard.errors import ShareError

KEY_ENV = "DISTILLGUARD_CONSORTIUM_KEY"
EPOCH_ENV = "DISTILLGUARD_CONSORTIUM_EPOCH_DAYS"
DEFAULT_EPOCH_DAYS = 30
MIN_KEY_BYTES = 16
# Hex characters of a keyed hash: 128 bits, far beyond accidental collisions.
HASH_HEX_CHARS = 32
_EPOCH_ZERO = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ConsortiumKey:
    secret: bytes
    epoch_days: int = DEFAULT_EPOCH_DAYS

    def __repr__(self) -> str:  # never print the secret
        return f"ConsortiumKey(key_id={self.key_id!r}, epoch_days={self.epoch_days})"

    @property
    def key_id(self) -> str:
        """A public fingerprint of the secret: tells members whether they hold the same key."""
        return hashlib.sha256(b"distillguard/key-id\0" + self.secret).hexdigest()[:16]

    def epoch_of(self, when: datetime) -> int:
        return int((when.astimezone(UTC) - _EPOCH_ZERO) // timedelta(days=self.epoch_days))

    def epoch_start(self, epoch: int) -> datetime:
        return _EPOCH_ZERO + timedelta(days=self.epoch_days * epoch)

    def epoch_end(self, epoch: int) -> datetime:
        return self.epoch_start(epoch + 1)

    def epoch_key(self, epoch: int) -> bytes:
        return hmac.digest(self.secret, f"distillguard/epoch/{epoch}".encode(), "sha256")

    def keyed_hash(self, kind: str, value: str, epoch: int) -> str:
        """HMAC of ``value`` under the epoch key, domain-separated by ``kind`` ("ip-prefix", ...)."""
        message = kind.encode() + b"\0" + value.encode("utf-8")
        return hmac.digest(self.epoch_key(epoch), message, "sha256").hex()[:HASH_HEX_CHARS]


def load_consortium_key(environ: Mapping[str, str] | None = None) -> ConsortiumKey:
    """The key from ``DISTILLGUARD_CONSORTIUM_KEY``; a clear ShareError when it is missing or short."""
    env = os.environ if environ is None else environ
    raw = env.get(KEY_ENV, "")
    if not raw:
        raise ShareError(
            f"{KEY_ENV} is not set: sharing needs the consortium key every member holds "
            "(generate one with `openssl rand -hex 32` and distribute it out of band)"
        )
    secret = raw.encode("utf-8")
    if len(secret) < MIN_KEY_BYTES:
        raise ShareError(
            f"{KEY_ENV} is too short: use at least {MIN_KEY_BYTES} bytes (e.g. 64 hex characters)"
        )
    days_text = env.get(EPOCH_ENV, str(DEFAULT_EPOCH_DAYS))
    try:
        days = int(days_text)
    except ValueError as exc:
        raise ShareError(f"{EPOCH_ENV} must be a whole number of days, got {days_text!r}") from exc
    if days < 1:
        raise ShareError(f"{EPOCH_ENV} must be at least 1, got {days}")
    return ConsortiumKey(secret=secret, epoch_days=days)
