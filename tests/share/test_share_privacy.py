"""Privacy primitives: the consortium key and its epochs, keyed MinHash fingerprints, PSI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from _share_testkit import SKELETONS

from distillguard.errors import ShareError
from distillguard.share import ConsortiumKey, load_consortium_key
from distillguard.share.minhash import decode_signature, encode_signature, similarity, template_signature
from distillguard.share.psi import PsiClient, PsiServer, mutual_overlap, normalize_items


def test_missing_or_short_key_is_a_clear_error() -> None:
    with pytest.raises(ShareError, match="DISTILLGUARD_CONSORTIUM_KEY is not set"):
        load_consortium_key({})
    with pytest.raises(ShareError, match="too short"):
        load_consortium_key({"DISTILLGUARD_CONSORTIUM_KEY": "short"})
    with pytest.raises(ShareError, match="EPOCH_DAYS"):
        load_consortium_key(
            {"DISTILLGUARD_CONSORTIUM_KEY": "k" * 32, "DISTILLGUARD_CONSORTIUM_EPOCH_DAYS": "x"}
        )
    key = load_consortium_key(
        {"DISTILLGUARD_CONSORTIUM_KEY": "k" * 32, "DISTILLGUARD_CONSORTIUM_EPOCH_DAYS": "7"}
    )
    assert key.epoch_days == 7 and "k" * 32 not in repr(key)


def test_epochs_rotate_hashes_and_bound_validity(key: ConsortiumKey) -> None:
    when = datetime(2026, 3, 5, tzinfo=UTC)
    epoch = key.epoch_of(when)
    assert key.epoch_start(epoch) <= when < key.epoch_end(epoch)
    assert key.epoch_of(key.epoch_end(epoch)) == epoch + 1
    a = key.keyed_hash("ip-prefix", "203.0.113.0/24", epoch)
    assert a == key.keyed_hash("ip-prefix", "203.0.113.0/24", epoch)
    assert a != key.keyed_hash("ip-prefix", "203.0.113.0/24", epoch + 1)
    assert a != key.keyed_hash("user-agent", "203.0.113.0/24", epoch)  # kinds are domain-separated
    assert key.epoch_of(when + timedelta(days=key.epoch_days)) == epoch + 1


def test_template_fingerprints_compare_under_the_key_and_not_without(key: ConsortiumKey) -> None:
    base = template_signature(SKELETONS[0], key, 80)
    variant = template_signature(SKELETONS[0].replace("before answering", "before you answer"), key, 80)
    unrelated = template_signature(SKELETONS[1], key, 80)
    assert similarity(base, variant) > 0.5
    assert similarity(base, unrelated) < 0.2
    # Same text, another consortium's key: nothing in common.
    foreign = template_signature(SKELETONS[0], ConsortiumKey(b"someone else's secret key!"), 80)
    assert similarity(base, foreign) < 0.2
    assert (decode_signature(encode_signature(base)) == base).all()


def test_psi_each_side_learns_only_the_overlap() -> None:
    ours = normalize_items("ip", ["203.0.113.7", "198.51.100.20", "192.0.2.1"])
    theirs = normalize_items("ip", ["203.0.113.7", " 192.0.2.1 ", "10.9.8.7", "172.16.0.1"])
    result = mutual_overlap(ours, theirs)
    assert result.seen_by_a == ("ip:192.0.2.1", "ip:203.0.113.7")
    assert result.seen_by_b == ("ip:192.0.2.1", "ip:203.0.113.7")


def test_psi_messages_are_bytes_and_hide_the_server_set() -> None:
    server_items = normalize_items("payment", ["pm_secret_one", "pm_secret_two"])
    client = PsiClient(normalize_items("payment", ["pm_secret_two", "pm_other"]))
    server = PsiServer(server_items)
    setup = server.setup_message(len(client.items))
    request = client.request()
    response = server.answer(request)
    assert all(isinstance(m, bytes) for m in (setup, request, response))
    for message in (setup, request, response):
        assert b"pm_secret" not in message and b"pm_other" not in message
    assert client.overlap(setup, response) == ["payment:pm_secret_two"]
    with pytest.raises(ShareError):
        server.answer(b"not a request")


def test_psi_normalizes_addresses() -> None:
    assert normalize_items("ip", ["2001:DB8::1", "2001:db8:0::1"]) == ["ip:2001:db8::1"]
    with pytest.raises(ShareError, match="not an IP"):
        normalize_items("ip", ["example.com"])
