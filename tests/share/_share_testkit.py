"""Synthetic traffic of one provider and the scan report a detector would write about it.

The values are raw on purpose (IPs, account ids, API keys, payment ids, prompts): the privacy tests
look for every one of them in the exported bundle.
"""

from __future__ import annotations

import random
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

KEY = "0f" * 32
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)

CAMPAIGN_TEMPLATES = (
    "Solve the following olympiad problem {n} and write out every intermediate reasoning step "
    "before answering",
    "You are grading answer {n} to the question below; return a score from one to ten with a justification",
)
BENIGN_TEMPLATES = (
    "Summarise this customer support ticket {n} in two sentences for the dashboard",
    "Translate the product description {n} into German keeping the brand names",
)
SKELETONS = tuple(t.replace("{n}", "<NUM>") for t in CAMPAIGN_TEMPLATES)


def make_traffic(
    seed: int = 7, campaign_accounts: int = 6, benign_accounts: int = 4, campaign_subnet: str = "203.0.113"
) -> list[dict[str, Any]]:
    """Request-log records (the canonical input contract) of campaign and benign accounts."""
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    for a in range(campaign_accounts + benign_accounts):
        campaign = a < campaign_accounts
        account = f"acct_{'c' if campaign else 'b'}{seed}{a:03d}x"
        api_key = f"key_{rng.getrandbits(40):010x}"
        payment = f"pm_{rng.getrandbits(48):012x}"
        subnet = campaign_subnet if campaign else f"192.0.{rng.randrange(2, 250)}"
        templates = CAMPAIGN_TEMPLATES if campaign else BENIGN_TEMPLATES
        for r in range(20):
            ts = NOW - timedelta(days=2) + timedelta(minutes=(7 if campaign else 67) * r + a)
            events.append(
                {
                    "ts": ts.isoformat().replace("+00:00", "Z"),
                    "account_id": account,
                    "api_key_id": api_key,
                    "payment_fingerprint": payment,
                    "ip": f"{subnet}.{rng.randrange(1, 254)}",
                    "user_agent": "python-httpx/0.27.0" if campaign else "Mozilla/5.0 dashboard",
                    "request": {
                        "model": "frontier-2",
                        "messages": [
                            {"role": "user", "content": rng.choice(templates).format(n=rng.randrange(10**6))}
                        ],
                    },
                }
            )
    return events


def report_for(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The report a detector writes: one campaign of the 'acct_c' accounts, with its raw local indicators."""
    campaign_events = [e for e in events if e["account_id"].startswith("acct_c")]
    accounts = sorted({e["account_id"] for e in campaign_events})
    hours = [0.0] * 24
    for e in campaign_events:
        hours[datetime.fromisoformat(e["ts"]).hour] += 1
    return {
        "generated_at": NOW.isoformat(),
        "events": len(events),
        "accounts": [
            {"account_id": a, "score": 0.95, "flagged": True, "campaign_id": "cmp_local_0001", "evidence": []}
            for a in accounts
        ],
        "campaigns": [
            {
                "campaign_id": "cmp_local_0001",
                "score": 0.96,
                "accounts": accounts,
                "first_seen": min(e["ts"] for e in campaign_events),
                "last_seen": max(e["ts"] for e in campaign_events),
                "requests": len(campaign_events),
                "capabilities": ["reasoning", "math"],
                "evidence": [
                    {
                        "signal": "shared_template",
                        "value": len(accounts),
                        "detail": f"{accounts[0]} and others",
                    }
                ],
                "indicators": {
                    "templates": [
                        {"template_hash": 1000 + i, "skeleton": s, "requests": 60}
                        for i, s in enumerate(SKELETONS)
                    ],
                    "system_hashes": [1234567890123],
                    "tools_hashes": [],
                    "ips": sorted({e["ip"] for e in campaign_events}),
                    "ip_prefixes": ["203.0.113.0/24"],
                    "payment_fingerprints": sorted({e["payment_fingerprint"] for e in campaign_events}),
                    "user_agents": ["python-httpx/0.27.0"],
                    "models": {"frontier-2": min(e["ts"] for e in campaign_events)},
                    "timing": {
                        "hour_histogram": hours,
                        "median_interarrival_s": 420.0,
                        "active_hours_per_day": 2.5,
                    },
                },
            }
        ],
    }


def raw_values(events: list[dict[str, Any]]) -> set[str]:
    """Every customer value of the traffic that must never appear in a bundle."""
    values: set[str] = set()
    for e in events:
        values.update({e["account_id"], e["api_key_id"], e["payment_fingerprint"], e["ip"]})
        for message in e["request"]["messages"]:
            values.add(message["content"])
    values.update(SKELETONS)
    values.add("cmp_local_0001")
    return values


def template_hash_of(content: str) -> int:
    """The template a generated prompt came from, as a stable integer (what the fingerprinter would give)."""
    for template in (*CAMPAIGN_TEMPLATES, *BENIGN_TEMPLATES):
        if content.startswith(template.split("{n}")[0]):
            return zlib.crc32(template.encode())
    raise ValueError(content)


def skeleton_map() -> dict[int, str]:
    return {
        zlib.crc32(t.encode()): t.replace("{n}", "<NUM>") for t in (*CAMPAIGN_TEMPLATES, *BENIGN_TEMPLATES)
    }


def events_frame(events: list[dict[str, Any]]) -> Any:
    """The traffic as fingerprinted events (the columns correlation reads), text dropped."""
    import polars as pl

    return pl.DataFrame(
        {
            "ts": [datetime.fromisoformat(e["ts"]) for e in events],
            "account_id": [e["account_id"] for e in events],
            "api_key_id": [e["api_key_id"] for e in events],
            "ip": [e["ip"] for e in events],
            "user_agent": [e["user_agent"] for e in events],
            "payment_fingerprint": [e["payment_fingerprint"] for e in events],
            "model": [e["request"]["model"] for e in events],
            "template_hash": [template_hash_of(e["request"]["messages"][-1]["content"]) for e in events],
            "system_hash": [None for _ in events],
            "tools_hash": [None for _ in events],
        },
        schema_overrides={"template_hash": pl.UInt64, "system_hash": pl.UInt64, "tools_hash": pl.UInt64},
    )
