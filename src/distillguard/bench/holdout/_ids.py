# ruff: noqa: E501  (user-agent strings are kept whole)
"""Identifiers and network identities in this generator's own formats.

Account ids look like ``org-Xk3…`` (base62), keys like ``nk-live-…``, payment methods like ``pmfp_…``.
IP addresses come from address plans that resemble cloud, residential, mobile-carrier (CGNAT) and
university space; none of it is real allocation data, only plausible shape.
"""

from __future__ import annotations

import random

from distillguard.bench.holdout._rand import pick

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# First two octets of address space that behaves like each kind of network.
CLOUD_PREFIXES = (
    (3, 208), (13, 57), (18, 118), (20, 42), (34, 89), (34, 125), (35, 190), (40, 74), (44, 203),
    (52, 14), (54, 180), (104, 196), (137, 184), (143, 198), (159, 65), (165, 227), (167, 99),
)  # fmt: skip
RESIDENTIAL_PREFIXES = (
    (24, 5), (24, 61), (67, 160), (71, 187), (73, 92), (76, 103), (98, 210), (99, 33),  # North America
    (2, 91), (5, 148), (31, 18), (37, 201), (78, 21), (81, 152), (86, 7), (90, 44), (92, 110), (95, 91),  # EU
    (101, 128), (110, 35), (112, 64), (114, 88), (116, 12), (121, 170), (175, 210), (180, 94),  # Asia
    (177, 74), (179, 108), (187, 45), (189, 6), (200, 171), (201, 81),  # Latin America
    (41, 215), (105, 112), (197, 210),  # Africa
)  # fmt: skip
MOBILE_PREFIXES = ((100, 0), (172, 56), (174, 211), (166, 137), (39, 40), (223, 104))
UNIVERSITY_PREFIXES = ((128, 32), (129, 105), (130, 88), (131, 215), (141, 2), (155, 198), (192, 33))
IPV6_RESIDENTIAL = ("2a02:8108", "2600:1700", "2406:3003", "2804:14c0", "2a01:e0a", "2001:b011")


def b62(rng: random.Random, length: int) -> str:
    return "".join(rng.choices(_B62, k=length))


def hexid(rng: random.Random, nbytes: int) -> str:
    return f"{rng.getrandbits(nbytes * 8):0{nbytes * 2}x}"


def org_id(rng: random.Random) -> str:
    return "org-" + b62(rng, 20)


def api_key_id(rng: random.Random) -> str:
    return "nk-" + pick(rng, ("live", "live", "live", "proj", "svc")) + "-" + b62(rng, 10)


def payment_fp(rng: random.Random) -> str:
    return "pmfp_" + hexid(rng, 10)


def ipv4_block(rng: random.Random, prefixes: tuple[tuple[int, int], ...]) -> tuple[int, int, int]:
    """A /24, as its first three octets, inside one of ``prefixes``."""
    first, second = pick(rng, prefixes)
    return first, second, rng.randrange(0, 256)


def ipv4_in(block: tuple[int, int, int], rng: random.Random) -> str:
    return f"{block[0]}.{block[1]}.{block[2]}.{rng.randrange(2, 254)}"


def ipv6_host(rng: random.Random) -> str:
    """An address inside a random residential /48 (a home delegation) of a random ISP prefix."""
    groups = ":".join(f"{rng.getrandbits(16):x}" for _ in range(6))
    return f"{pick(rng, IPV6_RESIDENTIAL)}:{groups}"


def egress_ips(rng: random.Random, prefixes: tuple[tuple[int, int], ...], count: int) -> list[str]:
    """A company's NAT egress: a few addresses inside one /24."""
    block = ipv4_block(rng, prefixes)
    return [ipv4_in(block, rng) for _ in range(count)]


class ProxyPool:
    """A rotating residential proxy network: many hosts spread over many /24s, IPv6 mixed in."""

    def __init__(self, rng: random.Random, n_blocks: int, hosts_per_block: int, v6_share: float) -> None:
        self._hosts: list[str] = []
        for _ in range(n_blocks):
            block = ipv4_block(rng, RESIDENTIAL_PREFIXES)
            self._hosts.extend(ipv4_in(block, rng) for _ in range(hosts_per_block))
        n_v6 = int(len(self._hosts) * v6_share)
        self._hosts.extend(ipv6_host(rng) for _ in range(n_v6))

    def pick(self, rng: random.Random) -> str:
        return pick(rng, self._hosts)


# User agents of common client stacks, with realistic version spreads.
SDK_AGENTS = (
    "OpenAI/Python 1.54.3", "OpenAI/Python 1.59.7", "OpenAI/Python 1.68.2", "OpenAI/Python 2.3.0",
    "OpenAI/JS 4.73.0", "OpenAI/JS 4.86.1", "OpenAI/JS 5.8.2", "python-httpx/0.27.2", "python-httpx/0.28.1",
    "python-requests/2.32.3", "axios/1.7.9", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
    "Go-http-client/2.0", "okhttp/4.12.0", "curl/8.5.0", "langchain-openai/0.3.9 OpenAI/Python 1.66.3",
    "litellm/1.61.3", "llama-index/0.12.22 OpenAI/Python 1.63.0", "Ruby", "Java-http-client/21.0.4",
)  # fmt: skip
BROWSERISH_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
)  # fmt: skip


def sdk_agent(rng: random.Random) -> str:
    return pick(rng, SDK_AGENTS)
