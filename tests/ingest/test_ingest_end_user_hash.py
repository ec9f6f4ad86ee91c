"""End-user pseudonyms are exactly the personalised BLAKE2b of the id (the hasher is set up once and copied
per id; a copy must not carry anything over from the previous id)."""

from __future__ import annotations

import hashlib
import random

from distillguard.ingest._record import end_user_pseudonym


def _reference(value: str) -> str:
    return hashlib.blake2b(value.encode(), digest_size=8, person=b"dg.end_user.v1").hexdigest()


def test_pseudonyms_match_a_fresh_hash_for_many_ids() -> None:
    rng = random.Random(8)
    ids = [f"user-{n}@example.com" for n in range(2_000)] + ["é\u4e2d\U0001f600", "x", " ", "0"]
    stream = ids * 2
    rng.shuffle(stream)
    for value in stream:
        assert end_user_pseudonym(value) == _reference(value)
    assert end_user_pseudonym(12345) == _reference("12345") == end_user_pseudonym("12345")
    assert end_user_pseudonym(-7) == _reference("-7")
    assert end_user_pseudonym("") is None and end_user_pseudonym(None) is None


def test_the_pinned_value_of_one_id_does_not_change() -> None:
    # Pseudonyms must be stable across versions and scans: detection compares them between runs.
    assert end_user_pseudonym("student-4411@example.edu") == "77e2d8c151645cbd"
