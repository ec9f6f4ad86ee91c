"""Small, seeded FINGERPRINT_SCHEMA populations for detection tests.

Each builder returns the events of one population; ``population`` stacks them. Values are plausible but
deliberately unlike any simulator's constants: the tests check behaviour (who is flagged), not numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from distillguard.features import fingerprint_frame

START = datetime(2026, 5, 4, tzinfo=UTC)
DAYS = 3
_US = 1_000_000


def _ts(offsets_s: np.ndarray) -> pl.Series:
    base = int(START.timestamp() * _US)
    return pl.Series(base + (offsets_s * _US).astype(np.int64)).cast(pl.Datetime("us", "UTC"))


def _diurnal(
    rng: np.random.Generator, n: int, peak_hour: float | np.ndarray, spread_h: float = 3.0
) -> np.ndarray:
    """Offsets in seconds clustered around a local peak hour each day (a person or an office)."""
    day = rng.integers(0, DAYS, n)
    hour = np.clip(rng.normal(peak_hour, spread_h, n), 0.0, 23.99)
    return day * 86400 + hour * 3600


def _flat(rng: np.random.Generator, n: int, start_h: float = 0.0) -> np.ndarray:
    """Offsets spread evenly around the clock (a machine)."""
    return rng.uniform(start_h * 3600, DAYS * 86400, n)


def _words(rng: np.random.Generator, n: int, vocab: int, per: int = 12, base: int = 0) -> pl.Series:
    """Hashed payload words drawn from a vocabulary of ``vocab`` words (small vocabulary = narrow domain)."""
    values = (base + rng.integers(0, vocab, (n, per))).astype(np.uint32)
    return pl.Series(values).cast(pl.List(pl.UInt32))


def _events(
    rng: np.random.Generator, accounts: Sequence[str], offsets: np.ndarray, **cols: Any
) -> pl.DataFrame:
    n = len(offsets)
    defaults: dict[str, Any] = {
        "ts": _ts(offsets),
        "account_id": list(accounts),
        "model": ["mdl-large"] * n,
        "n_messages": [2] * n,
        "n_user_messages": [1] * n,
        "n_assistant_messages": [0] * n,
        "n_tool_messages": [0] * n,
        "n_tools": [0] * n,
        "temperature": [0.7] * n,
        "max_tokens": [1024] * n,
        "logprobs": [False] * n,
        "n": [1] * n,
        "finish_reason": ["stop"] * n,
        "prompt_tokens": rng.integers(50, 800, n),
        "completion_tokens": rng.integers(50, 600, n),
        "status": [200] * n,
        "payload_hash": rng.integers(1, 2**62, n, dtype=np.int64).astype(np.uint64),
        "capability": ["knowledge"] * n,
        "user_agent": ["openai-python/1.40"] * n,
    }
    for label in ("reasoning", "grader", "rewrite", "datagen", "taskgen"):
        defaults[f"p_{label}"] = rng.uniform(0.0, 0.1, n).astype(np.float32)
    defaults.update(cols)
    return fingerprint_frame(defaults)


def individuals(rng: np.random.Generator, count: int = 150, prefix: str = "dev") -> pl.DataFrame:
    """Many developers: low volume, own templates, diurnal, residential IPs, old accounts."""
    sizes = rng.integers(3, 40, count)
    owner = np.repeat(np.arange(count), sizes)
    n = len(owner)
    peaks = rng.uniform(8, 20, count)
    created = [START - timedelta(days=float(d)) for d in rng.uniform(30, 900, count)]
    return _events(
        rng,
        [f"{prefix}_{i:04d}" for i in owner],
        _diurnal(rng, n, peaks[owner]),
        template_hash=rng.integers(1, 10_000_000, n).astype(np.uint64),
        payload_words=_words(rng, n, 20_000),
        ip=[f"81.{i % 250}.{(i * 7) % 250}.{i % 200 + 1}" for i in owner],
        account_created=[created[i] for i in owner],
        payment_fingerprint=[f"pm_{prefix}_{i}" for i in owner],
        n_messages=rng.integers(1, 9, n),
        n_user_messages=rng.integers(1, 5, n),
        n_assistant_messages=rng.integers(0, 4, n),
        capability=rng.choice(["coding", "writing", "knowledge", "other"], n),
    )


def reasoning_harvester(rng: np.random.Generator, accounts: int = 2, per_account: int = 1500) -> pl.DataFrame:
    """Operator harvesting step-by-step reasoning: one template family, broad payloads, 24/7, new accounts."""
    owner = np.repeat(np.arange(accounts), per_account)
    n = len(owner)
    return _events(
        rng,
        [f"rh_{i}" for i in owner],
        _flat(rng, n),
        template_hash=rng.choice([11, 12, 13], n).astype(np.uint64),
        payload_words=_words(rng, n, 400_000),
        p_reasoning=rng.uniform(0.7, 1.0, n).astype(np.float32),
        ip=[f"45.{i}.{j % 250}.{j % 200}" for i, j in zip(owner, rng.integers(0, 5000, n), strict=True)],
        account_created=[START - timedelta(days=2)] * n,
        payment_fingerprint=[f"pm_rh_{i}" for i in owner],
        max_tokens=[32000] * n,
        completion_tokens=rng.integers(2000, 9000, n),
        capability=rng.choice(["reasoning", "math", "coding", "knowledge"], n),
    )


def hydra(rng: np.random.Generator, accounts: int = 200, per_account: int = 14) -> pl.DataFrame:
    """Hundreds of quiet accounts, created in one burst, sharing a task template and a tool schema.

    Each account sends a handful of requests (40% of them cover traffic with unrelated templates), from
    rotating proxy IPs, at different times; only the group shows the sweep.
    """
    owner = np.repeat(np.arange(accounts), per_account)
    n = len(owner)
    cover = rng.random(n) < 0.4
    created = START - timedelta(days=5)
    birth = [created + timedelta(seconds=int(s)) for s in rng.integers(0, 1800, accounts)]
    task = rng.choice([501, 502], n)
    return _events(
        rng,
        [f"hy_{i:03d}" for i in owner],
        _flat(rng, n),
        template_hash=np.where(cover, rng.integers(1, 10_000_000, n), task).astype(np.uint64),
        payload_words=_words(rng, n, 400_000),
        tools_hash=[None if c else 9_001 for c in cover],
        n_tools=np.where(cover, 0, 4),
        ip=[f"{a}.{b}.{c}.{d}" for a, b, c, d in rng.integers(1, 250, (n, 4))],
        account_created=[birth[i] for i in owner],
        payment_fingerprint=[f"pm_hy_{i}" for i in owner],
        user_agent=["hydra-client/0.3"] * n,
        capability=rng.choice(["agentic", "coding", "reasoning", "math"], n),
    )


def chat_product(rng: np.random.Generator, n: int = 3000) -> pl.DataFrame:
    """A consumer chat product: fixed persona system prompt, multi-turn, diurnal, broad topics."""
    return _events(
        rng,
        ["chat_prod"] * n,
        _diurnal(rng, n, 19.0, 4.0),
        template_hash=rng.integers(1, 10_000_000, n).astype(np.uint64),
        payload_words=_words(rng, n, 300_000),
        system_hash=[777] * n,
        n_messages=rng.integers(3, 20, n),
        n_user_messages=rng.integers(2, 10, n),
        n_assistant_messages=rng.integers(1, 9, n),
        ip=[f"34.1.2.{j}" for j in rng.integers(1, 6, n)],
        account_created=[START - timedelta(days=500)] * n,
        payment_fingerprint=["pm_chat"] * n,
        capability=rng.choice(["writing", "knowledge", "other", "reasoning"], n),
    )


def agent_product(rng: np.random.Generator, n: int = 2500) -> pl.DataFrame:
    """A coding agent: own tools, tool loops, business hours, its own system prompt."""
    return _events(
        rng,
        ["agent_prod"] * n,
        _diurnal(rng, n, 14.0, 3.0),
        template_hash=rng.integers(1, 10_000_000, n).astype(np.uint64),
        payload_words=_words(rng, n, 50_000),
        system_hash=[4242] * n,
        tools_hash=[4343] * n,
        n_tools=[6] * n,
        n_messages=rng.integers(4, 30, n),
        n_user_messages=[1] * n,
        n_assistant_messages=rng.integers(1, 12, n),
        n_tool_messages=rng.integers(1, 12, n),
        ip=["35.9.9.9"] * n,
        account_created=[START - timedelta(days=300)] * n,
        payment_fingerprint=["pm_agent"] * n,
        capability=["coding"] * n,
    )


def enterprise_rag(rng: np.random.Generator, n: int = 2500) -> pl.DataFrame:
    """Enterprise RAG: one template, narrow domain vocabulary, temperature 0, office hours, one tenant."""
    return _events(
        rng,
        ["rag_corp"] * n,
        _diurnal(rng, n, 11.0, 2.5),
        template_hash=[31337] * n,
        payload_words=_words(rng, n, 30, base=900_000),
        system_hash=[5150] * n,
        temperature=[0.0] * n,
        ip=["52.20.20.20"] * n,
        account_created=[START - timedelta(days=700)] * n,
        payment_fingerprint=["pm_rag"] * n,
        capability=["knowledge"] * n,
    )


def nightly_batch(rng: np.random.Generator, n: int = 3000) -> pl.DataFrame:
    """Nightly classification: one template, regular spacing at night, tiny outputs."""
    day = np.repeat(np.arange(DAYS), n // DAYS + 1)[:n]
    within = np.tile(np.linspace(0, 2 * 3600, n // DAYS + 1), DAYS)[:n]
    return _events(
        rng,
        ["batch_job"] * n,
        day * 86400 + 2 * 3600 + within,
        template_hash=[8080] * n,
        payload_words=_words(rng, n, 35, base=700_000),
        max_tokens=[5] * n,
        completion_tokens=rng.integers(1, 4, n),
        temperature=[0.0] * n,
        ip=["10.0.0.5"] * n,
        account_created=[START - timedelta(days=400)] * n,
        payment_fingerprint=["pm_batch"] * n,
        capability=["other"] * n,
    )


def eval_researcher(rng: np.random.Generator, n: int = 1200) -> pl.DataFrame:
    """An evaluation run: CoT phrasing and multiple-choice logprobs on a fixed benchmark, two short bursts."""
    items = rng.integers(1, 2**62, 400, dtype=np.int64).astype(np.uint64)
    burst = rng.integers(0, 2, n)
    offsets = np.where(burst == 0, 10 * 3600, 34 * 3600) + rng.uniform(0, 5400, n)
    cot = rng.random(n) < 0.5
    return _events(
        rng,
        ["eval_lab"] * n,
        offsets,
        template_hash=np.where(cot, 6060, 6061).astype(np.uint64),
        payload_hash=rng.choice(items, n),
        payload_words=_words(rng, n, 8000, base=500_000),
        p_reasoning=np.where(cot, 0.9, 0.05).astype(np.float32),
        logprobs=(~cot).tolist(),
        top_logprobs=np.where(cot, 0, 5),
        max_tokens=np.where(cot, 2048, 1),
        completion_tokens=np.where(cot, rng.integers(200, 900, n), 1),
        temperature=[0.0] * n,
        ip=["128.2.2.2"] * n,
        account_created=[START - timedelta(days=1500)] * n,
        payment_fingerprint=["pm_lab"] * n,
        capability=rng.choice(["reasoning", "math", "knowledge"], n),
    )


def synthetic_data_job(rng: np.random.Generator, n: int = 2500) -> pl.DataFrame:
    """A permitted synthetic-data job: data generation prompts about its own narrow product domain."""
    return _events(
        rng,
        ["synth_inhouse"] * n,
        _diurnal(rng, n, 15.0, 4.0),
        template_hash=rng.choice([9090, 9091], n).astype(np.uint64),
        payload_words=_words(rng, n, 35, base=600_000),
        p_datagen=rng.uniform(0.6, 1.0, n).astype(np.float32),
        ip=["54.3.3.3"] * n,
        account_created=[START - timedelta(days=800)] * n,
        payment_fingerprint=["pm_synth"] * n,
        capability=["writing"] * n,
    )


def tutoring_product(rng: np.random.Generator, n: int = 2500) -> pl.DataFrame:
    """A tutoring app: every answer explained step by step, school maths only, students after school."""
    exercises = rng.integers(1, 2**62, 900, dtype=np.int64).astype(np.uint64)
    return _events(
        rng,
        ["tutor_app"] * n,
        _diurnal(rng, n, 18.0, 2.5),
        template_hash=rng.integers(1, 400, n).astype(np.uint64) + 40_000,
        payload_hash=rng.choice(exercises, n),
        payload_words=_words(rng, n, 60, base=300_000),
        p_reasoning=rng.uniform(0.6, 1.0, n).astype(np.float32),
        system_hash=[2468] * n,
        n_messages=rng.integers(2, 9, n),
        n_user_messages=rng.integers(1, 5, n),
        n_assistant_messages=rng.integers(0, 4, n),
        completion_tokens=rng.integers(200, 700, n),
        temperature=[0.3] * n,
        ip=[f"34.7.7.{j}" for j in rng.integers(1, 4, n)],
        account_created=[START - timedelta(days=600)] * n,
        payment_fingerprint=["pm_tutor"] * n,
        capability=rng.choice(["math", "math", "math", "reasoning"], n),
    )


def careful_operator(rng: np.random.Generator, accounts: int = 3, per_account: int = 45) -> pl.DataFrame:
    """A careful reasoning sweep: a few old accounts at human hours, each a different home network, asking
    for full reasoning on every subject in the same few hand-written phrasings, keeping long answers."""
    owner = np.repeat(np.arange(accounts), per_account)
    n = len(owner)
    peaks = np.array([10.0, 14.0, 20.0])[owner % 3]
    return _events(
        rng,
        [f"mole_{i}" for i in owner],
        _diurnal(rng, n, peaks, 2.0),
        template_hash=rng.choice([7001, 7002, 7003, 7004], n).astype(np.uint64),
        payload_words=_words(rng, n, 400_000),
        p_reasoning=rng.uniform(0.7, 1.0, n).astype(np.float32),
        completion_tokens=rng.integers(900, 2500, n),
        max_tokens=[4096] * n,
        ip=[f"73.{10 + i}.{20 + i}.{30 + i}" for i in owner],
        account_created=[START - timedelta(days=200 + 50 * int(i)) for i in owner],
        payment_fingerprint=[f"pm_mole_{i}" for i in owner],
        capability=rng.choice(["reasoning", "math", "coding", "knowledge", "writing"], n),
    )


def nat_individuals(rng: np.random.Generator, count: int = 12) -> pl.DataFrame:
    """People behind one carrier NAT address: same IP, otherwise unrelated."""
    return individuals(rng, count, prefix="nat").with_columns(pl.lit("100.64.7.7").alias("ip"))


def saas_tenants(
    rng: np.random.Generator, tenants: int = 10, per_tenant: int = 700, *, migrated: bool = False
) -> pl.DataFrame:
    """A multi-tenant RAG vendor: one account per customer, all sending the vendor's template, system prompt
    and user agent; each tenant with its own narrow knowledge base, payment method, network and office hours.

    ``migrated``: the vendor moved every tenant to new API organisations in one afternoon, two days ago
    (young accounts created in a burst, as when a vendor switches providers).
    """
    owner = np.repeat(np.arange(tenants), per_tenant)
    n = len(owner)
    peaks = rng.uniform(9, 16, tenants)
    created = [START - timedelta(days=float(d)) for d in rng.uniform(60, 900, tenants)]
    if migrated:
        created = [START - timedelta(days=2, minutes=float(m)) for m in rng.uniform(0, 40, tenants)]
    words = pl.concat(
        [_words(rng, per_tenant, 110, base=2_000_000 + 10_000 * i) for i in range(tenants)], how="vertical"
    )
    return _events(
        rng,
        [f"tenant_{i:02d}" for i in owner],
        _diurnal(rng, n, peaks[owner], 2.5),
        template_hash=[4711] * n,
        payload_words=words,
        system_hash=[8088] * n,
        user_agent=["acme-rag-backend/2.1.4"] * n,
        temperature=[0.1] * n,
        max_tokens=[700] * n,
        completion_tokens=rng.integers(60, 400, n),
        ip=[f"52.{40 + i}.{i * 3}.{9 + i}" for i in owner],
        account_created=[created[i] for i in owner],
        payment_fingerprint=[f"pm_tenant_{i}" for i in owner],
        capability=["knowledge"] * n,
    )


HARD_NEGATIVES = (
    "chat_prod", "agent_prod", "rag_corp", "batch_job", "eval_lab", "synth_inhouse", "tutor_app",
)  # fmt: skip


def population(seed: int = 3, *, hydra_accounts: int = 200, with_harvester: bool = True) -> pl.DataFrame:
    """Background developers, every hard negative, a hydra cluster and (optionally) a reasoning harvester."""
    rng = np.random.default_rng(seed)
    parts = [
        individuals(rng, 2000),
        nat_individuals(rng),
        chat_product(rng),
        agent_product(rng),
        enterprise_rag(rng),
        nightly_batch(rng),
        eval_researcher(rng),
        synthetic_data_job(rng),
        tutoring_product(rng),
    ]
    if hydra_accounts:
        parts.append(hydra(rng, hydra_accounts))
    if with_harvester:
        parts.append(reasoning_harvester(rng))
    return pl.concat(parts).sort("ts", "account_id")


def account(
    rng: np.random.Generator, name: str, n: int = 400, *, flat: bool = True, **cols: Any
) -> pl.DataFrame:
    """One account's events with broad payloads and given column overrides (for per-signal tests)."""
    defaults: dict[str, Any] = {
        "template_hash": rng.integers(1, 10_000_000, n).astype(np.uint64),
        "payload_words": _words(rng, n, 200_000),
        "ip": ["192.0.2.10"] * n,
        "account_created": [START - timedelta(days=200)] * n,
        "payment_fingerprint": [f"pm_{name}"] * n,
    }
    defaults.update(cols)
    offsets = _flat(rng, n) if flat else _diurnal(rng, n, 13.0)
    return _events(rng, [name] * n, offsets, **defaults)


def scoring_inputs(events: pl.DataFrame, config: Any = None) -> tuple[pl.DataFrame, Any]:
    """(enriched feature table, SignalContext) exactly as ``detect`` builds them."""
    from distillguard.detect import DetectConfig, SignalContext
    from distillguard.detect._end_users import with_end_user_features
    from distillguard.detect._engine import population_baseline
    from distillguard.detect._lexical import lexical_table
    from distillguard.detect._population import enrich
    from distillguard.features import account_features

    config = config or DetectConfig()
    table = enrich(with_end_user_features(account_features(events), events), config)
    table = table.join(lexical_table(events)[0], on="account_id", how="left")
    return table, SignalContext(population_baseline(table, config), config)


def end_user_ids(rng: np.random.Generator, n: int, users: int | None) -> list[str]:
    """End-user pseudonyms for ``n`` requests: ``users`` people coming back, or a new id per request."""
    if users is None:
        return [f"{v:016x}" for v in rng.integers(1, 2**62, n, dtype=np.int64)]
    people = [f"{v:016x}" for v in rng.integers(1, 2**62, users, dtype=np.int64)]
    return [people[i] for i in rng.integers(0, users, n)]


def chat_products_with_end_users(rng: np.random.Generator, count: int = 3, n: int = 300) -> pl.DataFrame:
    """Products passing their users' ids: each user sends a few requests (conversations, returns)."""
    return pl.concat(
        [account(rng, f"chat_eu_{i}", n, end_user=end_user_ids(rng, n, n // 3)) for i in range(count)]
    )
