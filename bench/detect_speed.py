"""Time ``account_features`` and ``detect`` on a synthetic FINGERPRINT_SCHEMA table.

    .venv/bin/python bench/detect_speed.py --rows 1000000 --accounts 8000

The table is random but shaped like provider traffic (skewed account volumes, a few hundred templates per
mix, IPv4/IPv6 clients, label probabilities mostly near zero) so that group-bys, joins and the linking step
see realistic cardinalities. Prints wall time per stage and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, datetime

import numpy as np
import polars as pl

from distillguard.features import account_features, fingerprint_frame
from distillguard.fingerprint.schema import CAPABILITIES, LABELS


def synthetic_events(rows: int, accounts: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.2, accounts) + 0.05
    account = rng.choice(accounts, size=rows, p=weights / weights.sum())
    start = int(datetime(2026, 3, 2, tzinfo=UTC).timestamp() * 1e6)
    ts = start + rng.integers(0, 3 * 86_400_000_000, rows)
    templates = rng.integers(0, 400, accounts)
    template = np.where(rng.random(rows) < 0.7, templates[account], rng.integers(0, 50_000, rows))
    words = rng.integers(0, 200_000, (rows, 12)).astype(np.uint32)
    ips = np.array([f"198.{a % 200}.{(a // 200) % 250}.{a % 7}" for a in range(accounts)])
    ip = ips[account]
    v6 = rng.random(rows) < 0.05
    ip = np.where(v6, np.array([f"2001:db8:{a % 500:x}::{a % 9:x}" for a in range(accounts)])[account], ip)
    created = start - rng.integers(0, 400 * 86_400_000_000, accounts)
    models = np.array(["m-large", "m-small", "m-think", "m-new"])
    model = models[rng.integers(0, 3, rows)]
    model = np.where((ts > start + 40 * 3_600_000_000) & (rng.random(rows) < 0.1), "m-new", model)
    columns: dict[str, object] = {
        "ts": pl.Series(ts).cast(pl.Datetime("us", "UTC")),
        "account_id": [f"acct_{a:06d}" for a in account],
        "ip": ip,
        "user_agent": np.array(["openai-python/1.0", "curl/8", "httpx/0.28", "Go-http-client/1.1"])[
            account % 4
        ],
        "account_created": pl.Series(created[account]).cast(pl.Datetime("us", "UTC")),
        "payment_fingerprint": [f"pay_{a // 3}" for a in account],
        "model": model,
        "n_messages": rng.integers(1, 8, rows),
        "n_user_messages": rng.integers(1, 4, rows),
        "n_assistant_messages": rng.integers(0, 3, rows),
        "n_tool_messages": rng.integers(0, 2, rows),
        "n_tools": rng.integers(0, 3, rows),
        "temperature": rng.random(rows),
        "max_tokens": rng.choice([256, 1024, 4096, 32768], rows),
        "logprobs": rng.random(rows) < 0.05,
        "top_logprobs": rng.integers(0, 5, rows),
        "n": rng.integers(1, 3, rows),
        "reasoning_effort": np.array([None, "low", "medium", "high"], dtype=object)[rng.integers(0, 4, rows)],
        "finish_reason": np.array(["stop", "length"])[rng.integers(0, 2, rows)],
        "prompt_tokens": rng.integers(10, 4000, rows),
        "completion_tokens": rng.integers(1, 4000, rows),
        "status": np.where(rng.random(rows) < 0.01, 429, 200),
        "template_hash": template.astype(np.uint64),
        "payload_hash": rng.integers(0, 2**63, rows, dtype=np.uint64),
        "system_hash": (account % 50).astype(np.uint64),
        "tools_hash": np.where(account % 5 == 0, (account % 11).astype(np.uint64), 0).astype(np.uint64),
        "payload_words": pl.Series(list(words)).cast(pl.List(pl.UInt32)),
        "capability": np.array(CAPABILITIES)[rng.integers(0, len(CAPABILITIES), rows)],
    }
    for label in LABELS:
        columns[f"p_{label}"] = (rng.random(rows) ** 6).astype(np.float32)
    return fingerprint_frame(columns)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=8_000)
    parser.add_argument("--features-only", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    events = synthetic_events(args.rows, args.accounts)
    t1 = time.perf_counter()
    print(f"built {events.height:,} events in {t1 - t0:.1f}s ({events.estimated_size() / 2**20:.0f} MiB)")
    features = account_features(events)
    t2 = time.perf_counter()
    print(f"account_features: {features.height:,} accounts in {t2 - t1:.2f}s")
    if not args.features_only:
        from distillguard.detect import DetectConfig, detect

        result = detect(events, None, DetectConfig())
        t3 = time.perf_counter()
        flagged = sum(a.flagged for a in result.accounts)
        campaigns = len(result.campaigns)
        print(f"detect (features included): {t3 - t2:.2f}s, {flagged} flagged, {campaigns} campaigns")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
