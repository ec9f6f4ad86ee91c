"""Network prefixes of client IPs: /24 for IPv4, /48 for IPv6 (the unit a proxy pool or an office owns)."""

from __future__ import annotations

import ipaddress

import polars as pl

_IPV4_PREFIX = r"^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$"


def _ipv6_prefix(value: str) -> str | None:
    try:
        network = ipaddress.ip_network(f"{value}/48", strict=False)
    except ValueError:
        return None
    return str(network)


def ip_prefixes(ips: pl.Series) -> pl.DataFrame:
    """A table ``ip`` -> ``ip_prefix`` for the distinct addresses in ``ips`` (null prefix if unreadable).

    IPv4 is handled with a vectorised regex; IPv6 (``::`` compression makes regexes unreliable) is parsed
    with ``ipaddress``, once per distinct address only, which is orders of magnitude fewer than events.
    """
    distinct = ips.drop_nulls().unique()
    v6 = distinct.filter(distinct.str.contains(":", literal=True))
    v6_map = pl.DataFrame(
        {"ip": v6, "_v6": pl.Series([_ipv6_prefix(v) for v in v6.to_list()], dtype=pl.String)},
        schema={"ip": pl.String, "_v6": pl.String},
    )
    v4 = pl.concat_str([pl.col("ip").str.extract(_IPV4_PREFIX, 1), pl.lit(".0/24")])
    return (
        pl.DataFrame({"ip": distinct}, schema={"ip": pl.String})
        .join(v6_map, on="ip", how="left")
        .select("ip", pl.coalesce(v4, pl.col("_v6")).alias("ip_prefix"))
    )


def with_ip_prefix(frame: pl.LazyFrame, ips: pl.Series) -> pl.LazyFrame:
    """Add an ``ip_prefix`` column to ``frame`` (which has an ``ip`` column whose values are ``ips``)."""
    return frame.join(ip_prefixes(ips).lazy(), on="ip", how="left")
