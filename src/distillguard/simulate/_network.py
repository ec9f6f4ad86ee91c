"""Network and client identity: IP addresses (IPv4 and IPv6), user agents, payment fingerprints."""

from __future__ import annotations

import random

# First octets that look like residential broadband/mobile ranges and like cloud/VPS ranges.
_RESIDENTIAL_FIRST = (
    24,
    50,
    67,
    68,
    71,
    73,
    76,
    86,
    90,
    92,
    98,
    99,
    109,
    118,
    124,
    176,
    177,
    179,
    187,
    189,
    201,
)
_DATACENTER_FIRST = (3, 13, 18, 20, 34, 35, 44, 52, 54, 104, 130, 142, 146, 157, 172)
_VPS_FIRST = (5, 37, 45, 46, 91, 103, 149, 159, 167, 185, 193, 194, 195)
_V6_PREFIXES = ("2a02", "2a01", "2600", "2601", "2603", "2001:0db9", "240e", "2409", "2804", "2a00")


def ipv4_prefix(r: random.Random, kind: str) -> str:
    """A /24 prefix ('a.b.c') of the given kind: 'residential', 'datacenter' or 'vps'."""
    firsts = {"residential": _RESIDENTIAL_FIRST, "datacenter": _DATACENTER_FIRST, "vps": _VPS_FIRST}[kind]
    return f"{r.choice(firsts)}.{r.randrange(0, 256)}.{r.randrange(0, 256)}"


def ipv4_in(r: random.Random, prefix: str) -> str:
    return f"{prefix}.{r.randrange(1, 255)}"


def ipv6_prefix(r: random.Random) -> str:
    """A /48 prefix as three hextets."""
    head = r.choice(_V6_PREFIXES)
    if head.count(":") == 1:
        return f"{head}:{r.randrange(0, 65536):x}"
    return f"{head}:{r.randrange(0, 65536):x}:{r.randrange(0, 65536):x}"


def ipv6_in(r: random.Random, prefix: str) -> str:
    groups = ":".join(f"{r.randrange(0, 65536):x}" for _ in range(3))
    return f"{prefix}:{groups}::{r.randrange(1, 65536):x}"


def residential_ip(r: random.Random, v6_share: float = 0.25) -> str:
    if r.random() < v6_share:
        return ipv6_in(r, ipv6_prefix(r))
    return ipv4_in(r, ipv4_prefix(r, "residential"))


def _ver(r: random.Random, major: int, minor_max: int, patch_max: int) -> str:
    return f"{major}.{r.randrange(0, minor_max)}.{r.randrange(0, patch_max)}"


def sdk_user_agent(r: random.Random) -> str:
    """A user agent of a programmatic client, in the forms real SDKs and tools send."""
    kind = r.randrange(12)
    if kind <= 2:
        return f"OpenAI/Python {_ver(r, 1, 60, 12)}"
    if kind == 3:
        return f"openai-python/{_ver(r, 1, 60, 12)}"
    if kind <= 5:
        return f"OpenAI/JS {_ver(r, 4, 80, 10)}"
    if kind == 6:
        return f"curl/{r.choice(('7.81.0', '7.88.1', '8.4.0', '8.5.0', '8.7.1'))}"
    if kind == 7:
        return f"python-requests/2.{r.randrange(25, 33)}.{r.randrange(0, 4)}"
    if kind == 8:
        return f"python-httpx/0.{r.randrange(23, 29)}.{r.randrange(0, 3)}"
    if kind == 9:
        return "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)"
    if kind == 10:
        return f"axios/1.{r.randrange(3, 8)}.{r.randrange(0, 9)}"
    return f"Go-http-client/{r.choice(('1.1', '2.0'))}"


def browser_user_agent(r: random.Random) -> str:
    chrome = f"{r.randrange(118, 134)}.0.{r.randrange(5000, 6900)}.{r.randrange(0, 200)}"
    webkit = "AppleWebKit/537.36 (KHTML, like Gecko)"
    firefox = r.randrange(115, 131)
    return r.choice(
        (
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {webkit} Chrome/{chrome} Safari/537.36",
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {webkit} Chrome/{chrome} Safari/537.36",
            f"Mozilla/5.0 (X11; Linux x86_64; rv:{firefox}.0) Gecko/20100101 Firefox/{firefox}.0",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.4 Safari/605.1.15",
        )
    )


def custom_user_agent(r: random.Random, product: str) -> str:
    slug = product.lower().replace(" ", "-")
    return r.choice(
        (
            f"{slug}/{_ver(r, r.randrange(0, 4), 20, 10)}",
            f"{slug}-backend/{_ver(r, 2, 10, 30)} (+https://{slug}.example)",
            f"langchain-openai/0.{r.randrange(1, 4)}.{r.randrange(0, 30)}",
            f"litellm/1.{r.randrange(30, 70)}.{r.randrange(0, 20)}",
            f"OpenAI/Python {_ver(r, 1, 60, 12)} {slug}",
        )
    )


def payment_fingerprint(r: random.Random) -> str:
    return f"pm_{r.getrandbits(64):016x}"
