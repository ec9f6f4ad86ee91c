"""Distillation campaigns, each labelled with its own campaign id.

Modelled on public descriptions of real operations: hydra clusters of fresh accounts behind rotating
residential proxies, reasoning-trace coercion in the user's language, the model used as a reward model,
logprob soft-label harvesting through a relay, synthetic agent trajectories, censorship-safe rewrites,
pivots to a new model within hours, and a patient operator who covers a syllabus at human pace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from distillguard.bench.holdout import _text_attack as attack_text
from distillguard.bench.holdout._clock import DAY_MS, HOUR_MS, poisson_times, profile_times, sessions
from distillguard.bench.holdout._context import Ctx, campaign_id, text_parts
from distillguard.bench.holdout._event import Account
from distillguard.bench.holdout._ids import (
    CLOUD_PREFIXES,
    RESIDENTIAL_PREFIXES,
    SDK_AGENTS,
    ProxyPool,
    egress_ips,
    hexid,
    ipv4_block,
    ipv4_in,
    payment_fp,
)
from distillguard.bench.holdout._models import NEW_MODEL
from distillguard.bench.holdout._payloads import ALL_SUBJECTS, PAYLOADS_BY_CAPABILITY, math_problem
from distillguard.bench.holdout._rand import pick, randint
from distillguard.bench.holdout._text_legit import dev_question

Body = dict[str, Any]
CAPABILITIES = ("math", "math", "science", "coding", "logic", "analysis", "math", "science")
LANGUAGE_GROUPS = (
    ("en",), ("en",), ("en", "zh"), ("zh",), ("ru", "en"), ("es", "pt"), ("de", "fr", "en"),
    ("ko", "ja", "vi", "id", "tr"),
)  # fmt: skip


ALL_LANGUAGES = tuple(attack_text.ELICIT)


@dataclass(frozen=True)
class _Persona:
    """How one hydra account (or its operator sub-team) phrases its requests."""

    languages: tuple[str, ...]
    system: str
    wrapper: str
    json_contract: str | None
    parts: bool


def _payload(ctx: Ctx, language: str) -> str:
    capability = pick(ctx.rng, CAPABILITIES)
    if capability == "math":
        return math_problem(ctx.rng, language)
    return PAYLOADS_BY_CAPABILITY[capability](ctx.rng)


def _cover(ctx: Ctx) -> Body:
    """Ordinary-looking traffic that campaigns mix in to dilute their profile."""
    question = dev_question(ctx.rng)
    return {"model": "nimbus-2-mini", "messages": [{"role": "user", "content": question}]}


def _trace_body(ctx: Ctx, persona: _Persona, model: str) -> Body:
    rng = ctx.rng
    # Mostly the sub-team's languages; a quarter of requests are translated to widen coverage.
    languages = persona.languages if rng.random() < 0.75 else ALL_LANGUAGES
    language, clause = attack_text.elicitation(rng, languages)
    if persona.json_contract and rng.random() < 0.6:
        clause = f"{clause} {persona.json_contract}"
    user = persona.wrapper.format(p=_payload(ctx, language), e=clause)
    messages: list[dict[str, Any]] = []
    if persona.system:
        messages.append({"role": "system", "content": persona.system})
    messages.append({"role": "user", "content": text_parts(user) if persona.parts else user})
    body: Body = {
        "model": model,
        "messages": messages,
        "max_completion_tokens": pick(rng, (16000, 24000, 32000)),
    }
    if model != "nimbus-2":
        body["reasoning_effort"] = pick(rng, ("high", "high", "medium"))
    else:
        body["temperature"] = pick(rng, (0.6, 0.8, 1.0))
    if rng.random() < 0.15:
        body["n"] = pick(rng, (2, 4))
    return body


def hydra_reasoning(ctx: Ctx, n_accounts: int) -> None:
    """Reasoning-trace harvesting through a hydra cluster: bursts of fresh accounts, lockstep waves."""
    rng, nrng, window = ctx.rng, ctx.nrng, ctx.window
    cid = campaign_id(rng)
    proxies = ProxyPool(rng, n_blocks=max(30, n_accounts * 2), hosts_per_block=3, v6_share=0.12)
    cards = [payment_fp(rng) for _ in range(max(2, n_accounts // 14))]
    bursts = (
        window.start_ms - int(4.2 * DAY_MS),
        window.start_ms - int(1.6 * DAY_MS),
        window.start_ms + int(0.22 * window.duration_ms),
        window.start_ms + int(0.58 * window.duration_ms),
    )
    personas = [
        _Persona(
            languages=pick(rng, LANGUAGE_GROUPS),
            system=pick(rng, attack_text.COERCIVE_SYSTEMS),
            wrapper=pick(rng, attack_text.WRAPPERS),
            json_contract=pick(rng, (None, None, *attack_text.JSON_CONTRACTS)),
            parts=rng.random() < 0.3,
        )
        for _ in range(max(3, n_accounts // 20))  # sub-teams share a persona
    ]
    accounts: list[tuple[Account, _Persona]] = []
    created = np.empty(n_accounts, dtype=np.int64)
    retired = np.full(n_accounts, window.end_ms, dtype=np.int64)
    for index in range(n_accounts):
        created[index] = bursts[index * len(bursts) // n_accounts] + int(rng.uniform(0, 100) * 60_000)
        if rng.random() < 0.25:  # some accounts get banned or abandoned mid-window
            retired[index] = max(window.start_ms, int(created[index])) + int(rng.uniform(4, 30) * HOUR_MS)
        account = ctx.account(
            "hydra_reasoning",
            created_ms=int(created[index]),
            malicious=True,
            campaign_id=cid,
            payment=pick(rng, cards),
            n_keys=randint(rng, 1, 2),
            error_rate=0.03,
        )
        accounts.append((account, pick(rng, personas)))
    pivot_at = window.release_ms + int(rng.uniform(1.5, 4.0) * HOUR_MS)
    rate = 60.0 * ctx.volume * n_accounts / 180
    # The operator ramps up once the new model is there to harvest.
    ramp = rng.uniform(1.3, 2.0)
    waves = np.concatenate(
        [
            poisson_times(nrng, window.start_ms, min(pivot_at, window.end_ms), rate),
            poisson_times(nrng, max(window.start_ms, pivot_at), window.end_ms, rate * ramp),
        ]
    ).tolist()
    sizes = (2 + nrng.poisson(3, size=len(waves))).tolist()
    starts = (created + 10 * 60_000).tolist()  # a short warm-up after sign-up
    ends = retired.tolist()
    for wave, size in zip(waves, sizes, strict=True):
        # The controller dispatches one batch to a handful of live accounts within seconds.
        chosen: list[int] = []
        for _ in range(8 * size):
            member = int(rng.random() * n_accounts)
            if starts[member] <= wave < ends[member] and member not in chosen:
                chosen.append(member)
                if len(chosen) == size:
                    break
        for member in chosen:
            account, persona = accounts[member]
            ts = wave + int(rng.random() * 25_000)
            if rng.random() < 0.18 or ctx.covered():
                body = _cover(ctx)
            else:
                model = NEW_MODEL if ts >= pivot_at and rng.random() < 0.85 else "nimbus-2-think"
                body = _trace_body(ctx, persona, model)
            key = pick(rng, account.api_keys)
            ctx.sink.emit(ts, account, body, ip=proxies.pick(rng), out_tokens=1400, key=key)


def _candidate(ctx: Ctx) -> str:
    rng = ctx.rng
    body = pick(rng, attack_text.CANDIDATE_BODIES).format(n=randint(rng, 2, 999))
    return f"{pick(rng, attack_text.CANDIDATE_OPENERS)} {body}"


def rubric_grader(ctx: Ctx, n_accounts: int) -> None:
    """The model as a reward model: rubric scores and pairwise preferences over a broad task pool."""
    rng, window = ctx.rng, ctx.window
    cid = campaign_id(rng)
    cards = [payment_fp(rng) for _ in range(3)]
    blocks = [ipv4_block(rng, CLOUD_PREFIXES) for _ in range(2)]
    for _ in range(n_accounts):
        account = ctx.account(
            "rubric_grader",
            age_days=(10, 30),
            malicious=True,
            campaign_id=cid,
            payment=pick(rng, cards),
            n_keys=2,
            user_agent="python-httpx/0.28.1",
            error_rate=0.01,
        )
        ips = [ipv4_in(pick(rng, blocks), rng) for _ in range(2)]
        for ts in profile_times(ctx.nrng, window, ctx.count(200, 320), "flat").tolist():
            if ctx.covered():
                ctx.sink.emit(ts, account, _cover(ctx), ip=pick(rng, ips), out_tokens=150)
                continue
            template = pick(rng, attack_text.GRADER_TEMPLATES)
            rubric = "; ".join(rng.sample(attack_text.RUBRIC_ITEMS, 4))
            prompt = template.format(
                q=_payload(ctx, "en"),
                a=_candidate(ctx),
                b=_candidate(ctx),
                rubric=rubric,
                k=pick(rng, (4, 8, 10)),
            )
            body: Body = {
                "model": ctx.model_at(ts, "nimbus-2", 5.0, 0.4),
                "messages": [{"role": "user", "content": prompt}],
                "temperature": 0,
                "max_tokens": pick(rng, (200, 300, 512)),
            }
            if rng.random() < 0.6:
                body["response_format"] = {"type": "json_object"}
            ctx.sink.emit(
                ts, account, body, ip=pick(rng, ips), out_tokens=50, key=pick(rng, account.api_keys)
            )


def logprob_harvest(ctx: Ctx, n_accounts: int) -> None:
    """Soft-label harvesting through an obfuscating relay: many keys, tiny completions, top-k logprobs."""
    rng, window = ctx.rng, ctx.window
    cid = campaign_id(rng)
    relay_ips = [ip for _ in range(8) for ip in egress_ips(rng, CLOUD_PREFIXES, 3)]
    cards = [payment_fp(rng) for _ in range(max(2, n_accounts // 4))]
    subjects = [subject for _, subject in ALL_SUBJECTS]
    for _ in range(n_accounts):
        agent = "relaymesh/2.4.1" if rng.random() < 0.7 else pick(rng, SDK_AGENTS)
        account = ctx.account(
            "logprob_harvest",
            age_days=(15, 90),
            malicious=True,
            campaign_id=cid,
            payment=pick(rng, cards),
            n_keys=randint(rng, 6, 10),
            user_agent=agent,
        )
        for ts in profile_times(ctx.nrng, window, ctx.count(450, 650), "flat").tolist():
            if ctx.covered():
                ctx.sink.emit(ts, account, _cover(ctx), ip=pick(rng, relay_ips), out_tokens=150)
                continue
            prefix = pick(rng, attack_text.LOGPROB_PREFIXES)
            if rng.random() < 0.5:
                prefix = f"On {pick(rng, subjects)}: {prefix.lower()}"
            messages: list[dict[str, Any]] = []
            if rng.random() < 0.5:  # the relay stamps its own routing header
                messages.append(
                    {"role": "system", "content": f"route={hexid(rng, 4)} tenant={hexid(rng, 3)}"}
                )
            messages.append(
                {"role": "user", "content": pick(rng, attack_text.LOGPROB_FRAMES).format(p=prefix)}
            )
            body: Body = {
                "model": ctx.model_at(ts, "nimbus-2", 3.0, 0.5),
                "messages": messages,
                "logprobs": True,
                "top_logprobs": pick(rng, (20, 20, 10)),
                "max_tokens": pick(rng, (1, 1, 2, 5, 16)),
                "temperature": pick(rng, (0, 1.0)),
            }
            if rng.random() < 0.2:
                body["n"] = 4
            ctx.sink.emit(
                ts, account, body, ip=pick(rng, relay_ips), out_tokens=2, key=pick(rng, account.api_keys)
            )


def _agent_task(ctx: Ctx) -> str:
    rng = ctx.rng
    return pick(rng, attack_text.AGENT_TASKS).format(
        a=pick(rng, attack_text.PLACES),
        b=pick(rng, attack_text.PLACES),
        n=randint(rng, 3, 9999),
        t=pick(rng, attack_text.TOOL_NOUNS),
    )


def _argument(ctx: Ctx, name: str) -> str | int:
    """A plausible value for a synthetic tool parameter."""
    rng = ctx.rng
    if name == "limit":
        return randint(rng, 5, 100)
    if name in ("date", "since"):
        return f"2026-0{randint(rng, 1, 9)}-{randint(rng, 10, 28)}"
    if name in ("id", "user_id"):
        return hexid(rng, 4)
    if name == "amount":
        return str(randint(rng, 10, 9000))
    return pick(rng, (*attack_text.PLACES, *attack_text.TOOL_NOUNS))


def agentic_harvest(ctx: Ctx, n_accounts: int) -> None:
    """Agent-trace harvesting: a fresh synthetic tool schema per trajectory, scripted tool results."""
    rng, nrng, window = ctx.rng, ctx.nrng, ctx.window
    cid = campaign_id(rng)
    proxies = ProxyPool(rng, n_blocks=40, hosts_per_block=4, v6_share=0.0)
    cards = [payment_fp(rng) for _ in range(2)]
    pivot_at = window.release_ms + int(rng.uniform(1.0, 3.0) * HOUR_MS)
    for _ in range(n_accounts):
        account = ctx.account(
            "agentic_harvest",
            age_days=(20, 60),
            malicious=True,
            campaign_id=cid,
            payment=pick(rng, cards),
            user_agent="OpenAI/Python 1.68.2",
        )
        starts = profile_times(nrng, window, ctx.count(35, 55), "flat")
        for times in sessions(nrng, starts, mean_len=5.5, gap_median_s=4.0, gap_sigma=0.4):
            tools = attack_text.synthetic_tools(rng)
            history: list[dict[str, Any]] = [
                {"role": "system", "content": pick(rng, attack_text.AGENT_SYSTEMS)},
                {"role": "user", "content": _agent_task(ctx)},
            ]
            model = NEW_MODEL if int(times[0]) >= pivot_at and rng.random() < 0.9 else "nimbus-2-think"
            for ts in times.tolist():
                body: Body = {
                    "model": model,
                    "messages": list(history),
                    "tools": tools,
                    "parallel_tool_calls": True,
                    "reasoning_effort": "high",
                    "max_completion_tokens": 16384,
                }
                ctx.sink.emit(ts, account, body, ip=proxies.pick(rng), out_tokens=420, finish="tool_calls")
                tool = pick(rng, tools)["function"]
                call_id = f"call_{hexid(rng, 6)}"
                values = {name: _argument(ctx, name) for name in tool["parameters"]["properties"]}
                arguments = orjson.dumps(values).decode()
                history.append(
                    {
                        "role": "assistant",
                        "content": "Plan: inspect the data first, then act.",
                        "tool_calls": [
                            {
                                "id": call_id,
                                "type": "function",
                                "function": {"name": tool["name"], "arguments": arguments},
                            }
                        ],
                    }
                )
                result = {"ok": True, "items": randint(rng, 0, 40), "ref": hexid(rng, 4)}
                history.append(
                    {"role": "tool", "tool_call_id": call_id, "content": orjson.dumps(result).decode()}
                )


def safe_rewrite(ctx: Ctx, n_accounts: int) -> None:
    """Censorship-safe alternative answers to politically sensitive questions, from one creation burst."""
    rng, window = ctx.rng, ctx.window
    cid = campaign_id(rng)
    proxies = ProxyPool(rng, n_blocks=60, hosts_per_block=3, v6_share=0.2)
    cards = [payment_fp(rng) for _ in range(2)]
    burst = window.start_ms - int(rng.uniform(3, 6) * DAY_MS)
    for _ in range(n_accounts):
        account = ctx.account(
            "safe_rewrite",
            created_ms=burst + int(rng.uniform(0, 3) * HOUR_MS),
            malicious=True,
            campaign_id=cid,
            payment=pick(rng, cards),
            error_rate=0.02,
        )
        # Staff working a day shift in the operator's time zone, not machines running 24/7.
        for ts in profile_times(ctx.nrng, window, ctx.count(150, 250), "office", 8.0, 0.5).tolist():
            if ctx.covered():
                ctx.sink.emit(ts, account, _cover(ctx), ip=proxies.pick(rng), out_tokens=150)
                continue
            prompt = pick(rng, attack_text.REWRITE_TEMPLATES).format(
                q=pick(rng, attack_text.SENSITIVE_QUESTIONS), a=_candidate(ctx)
            )
            body: Body = {
                "model": "nimbus-2",
                "messages": [{"role": "user", "content": prompt}],
                "temperature": 0.7,
                "max_tokens": 2000,
            }
            ctx.sink.emit(ts, account, body, ip=proxies.pick(rng), out_tokens=500)


def model_pivot(ctx: Ctx, n_accounts: int) -> None:
    """A capability sweep that idles on the old model and floods the new one within hours of release."""
    rng, nrng, window = ctx.rng, ctx.nrng, ctx.window
    cid = campaign_id(rng)
    cards = [payment_fp(rng) for _ in range(4)]
    blocks = [ipv4_block(rng, CLOUD_PREFIXES) for _ in range(max(2, n_accounts // 6))]
    pivot_at = window.release_ms + int(rng.uniform(0.5, 3.0) * HOUR_MS)
    for _ in range(n_accounts):
        account = ctx.account(
            "model_pivot",
            age_days=(30, 90),
            malicious=True,
            campaign_id=cid,
            payment=pick(rng, cards),
            user_agent=pick(rng, SDK_AGENTS[:6]),
        )
        ip = ipv4_in(pick(rng, blocks), rng)
        before = poisson_times(nrng, window.start_ms, pivot_at, 1.0 * ctx.volume)
        after = poisson_times(
            nrng, pivot_at + int(rng.uniform(0, 40) * 60_000), window.end_ms, 8.0 * ctx.volume
        )
        for ts in np.concatenate([before, after]).tolist():
            if ctx.covered():
                ctx.sink.emit(ts, account, _cover(ctx), ip=ip, out_tokens=150)
                continue
            model = NEW_MODEL if ts >= pivot_at and rng.random() < 0.9 else "nimbus-2"
            payload = PAYLOADS_BY_CAPABILITY[pick(rng, ("coding", "coding", "science", "analysis", "logic"))](
                rng
            )
            body: Body = {
                "model": model,
                "messages": [
                    {"role": "user", "content": pick(rng, attack_text.SWEEP_FRAMES).format(p=payload)}
                ],
                "max_completion_tokens": 32000,
            }
            if model == NEW_MODEL:
                body["reasoning_effort"] = "high"
            ctx.sink.emit(ts, account, body, ip=ip, out_tokens=1800)


def slow_operator(ctx: Ctx, n_accounts: int) -> None:
    """A patient operator: few aged accounts, human sessions in office hours, a syllabus covered in order."""
    rng, nrng, window = ctx.rng, ctx.nrng, ctx.window
    cid = campaign_id(rng)
    syllabus = list(ALL_SUBJECTS)
    rng.shuffle(syllabus)
    for index in range(n_accounts):
        account = ctx.account(
            "slow_operator",
            age_days=(120, 300),
            malicious=True,
            campaign_id=cid,
            user_agent="OpenAI/Python 1.59.7",
        )
        block = ipv4_block(rng, RESIDENTIAL_PREFIXES)
        ips = [ipv4_in(block, rng) for _ in range(2)]
        mine = syllabus[index::n_accounts]  # accounts split the syllabus between them
        starts = profile_times(nrng, window, ctx.count(10, 16), "office", 8.0, 0.3)
        cursor = 0
        for times in sessions(nrng, starts, mean_len=12.0, gap_median_s=95.0, gap_sigma=0.5):
            for ts in times.tolist():
                field, subject = mine[cursor % len(mine)]
                cursor += 1
                model = ctx.model_at(ts, "nimbus-2-think", 10.0, 0.5)
                body: Body = {
                    "model": model,
                    "messages": [
                        {
                            "role": "user",
                            "content": pick(rng, attack_text.CAREFUL_FRAMES).format(s=subject, f=field),
                        }
                    ],
                    "max_completion_tokens": 8000,
                }
                if rng.random() < 0.6:
                    body["reasoning_effort"] = "high"
                ctx.sink.emit(ts, account, body, ip=pick(rng, ips), out_tokens=1300)
