"""``prefix_column``: each event's network prefix, found on a hash of the address, equals the plain lookup."""

from __future__ import annotations

import ipaddress

import numpy as np
import polars as pl
import pytest

from distillguard.features import _network
from distillguard.features._network import ip_prefixes, prefix_column

ODD = [
    None, "1.2.3.4", "10.0.0.255", "::1", "::ffff:1.2.3.4", "2001:DB8:0:1::1", "2001:0db8:0000::", "garbage",
    "", "0:0:0:0:0:0:0:1", "1.2.3", "2001:db8::", "2001:0:0:5::9", "FE80:0000:0001:2::",
    "2001:db8:a:b:c:d:e:f",
]  # fmt: skip


def _plain(ip: str | None) -> str | None:
    """The prefix by its definition: /24 for IPv4, /48 for IPv6 (canonical text), null if unreadable."""
    if ip is None:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    bits = 24 if address.version == 4 else 48
    return ipaddress.ip_network(f"{ip}/{bits}", strict=False).compressed


def _events(seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    v4 = [f"{a}.{b}.{c}.{d}" for a, b, c, d in rng.integers(0, 256, (300, 4))]
    v6 = [":".join(f"{h:x}" for h in row) for row in rng.integers(0, 3, (200, 8))]
    pool = [*v4, *v6, *ODD]
    picked = [pool[i] for i in rng.integers(0, len(pool), 5_000)]
    return pl.DataFrame({"ip": picked}, schema={"ip": pl.String})


@pytest.mark.parametrize("seed", [1, 2])
def test_prefix_column_equals_the_definition(seed: int) -> None:
    events = _events(seed)
    got = prefix_column(events).to_list()
    assert got == [_plain(ip) for ip in events["ip"].to_list()]
    table = dict(ip_prefixes(events["ip"]).iter_rows())
    assert table == {ip: _plain(ip) for ip in events["ip"].drop_nulls().unique().to_list()}


def test_addresses_sharing_a_hash_take_the_plain_join(monkeypatch: pytest.MonkeyPatch) -> None:
    events = _events(3)
    expected = [_plain(ip) for ip in events["ip"].to_list()]
    # Every address under one hash: the lookup on hashes would give all the same prefix.
    monkeypatch.setattr(_network, "_address_hashes", lambda ips: pl.Series([7] * ips.len(), dtype=pl.UInt64))
    assert prefix_column(events).to_list() == expected

    # Only a null address and one real one sharing a hash (a function of the address, as a hash is).
    def collide(ips: pl.Series) -> pl.Series:
        own = ips.is_not_null() & (ips != "1.2.3.4").fill_null(False)
        return ips.hash(1).zip_with(own, pl.Series([0] * ips.len(), dtype=pl.UInt64))

    monkeypatch.setattr(_network, "_address_hashes", collide)
    plain_joins = []
    original = _network.ip_prefixes
    monkeypatch.setattr(_network, "ip_prefixes", lambda ips: plain_joins.append(1) or original(ips))
    assert prefix_column(events).to_list() == expected
    assert plain_joins == [1]  # the mismatch was seen and the join on the text taken
    monkeypatch.setattr(_network, "_address_hashes", lambda ips: ips.hash(1))
    assert prefix_column(events).to_list() == expected
    assert plain_joins == [1]  # distinct hashes: no second look


def test_an_existing_prefix_column_is_kept() -> None:
    events = _events(4).with_columns(pl.lit("x").alias("ip_prefix"))
    assert prefix_column(events).to_list() == ["x"] * events.height
