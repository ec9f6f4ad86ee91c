"""Consortium members: names, STIX identities and passwords stored as salted scrypt hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass

# scrypt cost: ~50 ms per check on one core. The hub caches successful checks in memory (see app.py),
# so this cost is paid once per member and password, not per request.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_HASH_BYTES = 32
_SALT_BYTES = 16

MEMBER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    identity_id: str  # the STIX identity the member's objects must name in created_by_ref
    salt: bytes
    password_hash: bytes


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=_HASH_BYTES
    )


# Namespace of member identity ids. The id is derived from the member name so that ``share export
# --member NAME`` writes the same identity the hub registered for NAME, with no id to copy around.
_MEMBER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://distillguard.dev/consortium/member")


def member_identity_id(name: str) -> str:
    """The STIX identity id of consortium member ``name``."""
    return f"identity--{uuid.uuid5(_MEMBER_NAMESPACE, name)}"


def new_member(name: str, password: str) -> Member:
    """A member with its STIX identity id and a freshly salted password hash."""
    salt = secrets.token_bytes(_SALT_BYTES)
    return Member(
        name=name,
        identity_id=member_identity_id(name),
        salt=salt,
        password_hash=hash_password(password, salt),
    )


def verify_password(member: Member, password: str) -> bool:
    return hmac.compare_digest(hash_password(password, member.salt), member.password_hash)
