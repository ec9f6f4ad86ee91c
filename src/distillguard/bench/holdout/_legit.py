"""Legitimate populations, the hard negatives among them marked as such in the labels."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson

from distillguard.bench.holdout import _text_legit as legit_text
from distillguard.bench.holdout._clock import DAY_MS, HOUR_MS, profile_times, sessions, steady_times
from distillguard.bench.holdout._context import Ctx, text_parts
from distillguard.bench.holdout._ids import (
    CLOUD_PREFIXES,
    MOBILE_PREFIXES,
    RESIDENTIAL_PREFIXES,
    UNIVERSITY_PREFIXES,
    egress_ips,
    ipv4_block,
    ipv4_in,
    ipv6_host,
    payment_fp,
)
from distillguard.bench.holdout._models import NEW_MODEL
from distillguard.bench.holdout._rand import pick, randint

Message = dict[str, Any]


def chat_apps(ctx: Ctx, n_accounts: int) -> None:
    """Consumer chat products: fixed persona, multi-turn conversations, evening peaks in their market."""
    rng = ctx.rng
    for index in range(n_accounts):
        app = legit_text.CHAT_APPS[index % len(legit_text.CHAT_APPS)]
        account = ctx.account("chat_app", hard_negative=True, n_keys=randint(rng, 2, 3), age_days=(120, 1400))
        # The same company's staging organisation: same card, same persona, a trickle of test traffic.
        staging = ctx.account(
            "chat_app", hard_negative=True, payment=account.payment_fingerprint, age_days=(30, 120)
        )
        ips = egress_ips(rng, CLOUD_PREFIXES, randint(rng, 2, 5))
        model = pick(rng, ("nimbus-2-mini", "nimbus-2-mini-2025-11-04", "nimbus-2"))
        canary = rng.random() < 0.4  # some apps canary the new model a day later
        starts = profile_times(ctx.nrng, ctx.window, ctx.count(220, 420), "consumer", app["tz"], 1.2)
        for times in sessions(ctx.nrng, starts, mean_len=4.0, gap_median_s=35.0):
            history: list[Message] = [{"role": "system", "content": app["system"]}]
            for turn, ts in enumerate(times.tolist()):
                user = legit_text.chat_opener(rng, app) if turn == 0 else pick(rng, app["followups"])
                history.append({"role": "user", "content": user})
                body = {
                    "model": ctx.model_at(ts, model, 20.0, 0.1) if canary else model,
                    "messages": list(history),
                    "temperature": 0.8,
                    "max_tokens": 400,
                    "stream": True,
                }
                org = staging if rng.random() < 0.03 else account
                ctx.sink.emit(ts, org, body, ip=pick(rng, ips), out_tokens=90, key=org.api_keys[0])
                history.append({"role": "assistant", "content": pick(rng, legit_text.CHAT_ASSISTANT_TURNS)})


def _tool_call(rng: Any, name: str, argument: str) -> dict[str, Any]:
    return {
        "id": f"call_{rng.getrandbits(48):012x}",
        "type": "function",
        "function": {"name": name, "arguments": orjson.dumps({"path": argument}).decode()},
    }


def coding_agents(ctx: Ctx, n_accounts: int) -> None:
    """Agent and IDE products: own stable tool set, fast tool loops, big output budgets."""
    rng = ctx.rng
    for index in range(n_accounts):
        product = legit_text.CODING_PRODUCTS[index % len(legit_text.CODING_PRODUCTS)]
        tools = [legit_text.tool_schema(name) for name in product["tools"]]
        account = ctx.account(
            "coding_agent", hard_negative=True, n_keys=randint(rng, 1, 4), age_days=(90, 800)
        )
        ips = egress_ips(rng, CLOUD_PREFIXES, randint(rng, 3, 8))
        parts = rng.random() < 0.5
        base_model = pick(rng, ("nimbus-2", "nimbus-2-think"))
        budget = pick(rng, (8192, 16384, 32000))  # agent frameworks often ask for the model's maximum
        starts = np.concatenate(
            [
                profile_times(ctx.nrng, ctx.window, ctx.count(25, 45), "developer", tz, 0.3)
                for tz in rng.sample((-8.0, -5.0, 0.0, 1.0, 5.5, 8.0, 9.0), 3)
            ]
        )
        for times in sessions(ctx.nrng, np.sort(starts), mean_len=8.0, gap_median_s=6.0, gap_sigma=0.6):
            task = pick(rng, legit_text.CODING_TASKS)
            history: list[Message] = [
                {"role": "system", "content": product["system"]},
                {"role": "user", "content": text_parts(task) if parts else task},
            ]
            model = ctx.model_at(int(times[0]), base_model, 6.0, 0.3)
            for step, ts in enumerate(times.tolist()):
                last = step == len(times) - 1
                body: dict[str, Any] = {
                    "model": model,
                    "messages": list(history),
                    "tools": tools,
                    "max_completion_tokens": budget,
                    "stream": True,
                }
                if index % 2 == 0:
                    body["parallel_tool_calls"] = True
                if model != "nimbus-2":
                    body["reasoning_effort"] = pick(rng, ("low", "medium", "medium", "high"))
                finish = "stop" if last else "tool_calls"
                ctx.sink.emit(ts, account, body, ip=pick(rng, ips), out_tokens=180, finish=finish)
                call = _tool_call(rng, pick(rng, product["tools"]), "src/app/module.py")
                history.append({"role": "assistant", "content": None, "tool_calls": [call]})
                history.append(
                    {
                        "role": "tool",
                        "tool_call_id": call["id"],
                        "content": pick(rng, legit_text.CODE_SNIPPETS),
                    }
                )


def enterprise_rag(ctx: Ctx, n_accounts: int) -> None:
    """Internal knowledge assistants: one template with retrieved passages, temperature 0, office hours."""
    rng = ctx.rng
    for index in range(n_accounts):
        tenant, kind, tz = legit_text.RAG_TENANTS[index % len(legit_text.RAG_TENANTS)]
        account = ctx.account("enterprise_rag", hard_negative=True, n_keys=2, age_days=(200, 1500))
        ips = egress_ips(rng, CLOUD_PREFIXES + RESIDENTIAL_PREFIXES[:4], 2)
        system = (
            f"You are the internal assistant of {tenant} ({kind}). Answer only from the numbered context "
            "passages and cite them like [2]. If the context does not contain the answer, say so."
        )
        model = "nimbus-2-2026-01-20"
        for ts in profile_times(ctx.nrng, ctx.window, ctx.count(450, 800), "office", tz, 0.03).tolist():
            passages = rng.sample(legit_text.RAG_PASSAGES, randint(rng, 3, 5))
            context = "\n".join(
                f"[{i + 1}] {p.format(n=randint(rng, 5, 90))}" for i, p in enumerate(passages)
            )
            question = pick(rng, legit_text.RAG_QUESTIONS)
            if rng.random() < 0.4:  # employees phrase the same need in their own words
                question = (
                    pick(rng, ("hi, ", "quick question: ", "", "pls "))
                    + question
                    + pick(rng, ("", "?", " thanks"))
                )
            body = {
                "model": model,
                "messages": [
                    {"role": "system", "content": system},
                    {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"},
                ],
                "temperature": 0,
                "max_tokens": 700,
            }
            ctx.sink.emit(ts, account, body, ip=pick(rng, ips), out_tokens=110)


def batch_jobs(ctx: Ctx, n_accounts: int) -> None:
    """Nightly classification/extraction: one instruction, a worker pool, tiny outputs."""
    rng = ctx.rng
    for index in range(n_accounts):
        instruction, items = legit_text.BATCH_JOBS[index % len(legit_text.BATCH_JOBS)]
        account = ctx.account("batch_job", hard_negative=True, age_days=(100, 1000), error_rate=0.015)
        ip = egress_ips(rng, CLOUD_PREFIXES, 1)[0]
        tz = pick(rng, (-5.0, 0.0, 1.0, 8.0))
        local_start_h = rng.uniform(0.5, 3.0)
        rate = rng.uniform(0.4, 1.2) * ctx.volume
        json_mode = "JSON" in instruction
        first_day = ctx.window.start_ms // DAY_MS
        for day in range(first_day - 1, ctx.window.end_ms // DAY_MS + 1):
            begin = int((day * 24 + local_start_h - tz) * HOUR_MS)
            end = begin + int(rng.uniform(15, 35) * 60_000)
            for ts in steady_times(ctx.nrng, begin, end, rate).tolist():
                body: dict[str, Any] = {
                    "model": "nimbus-2-mini",
                    "messages": [
                        {
                            "role": "user",
                            "content": instruction.format(item=legit_text.batch_item(rng, items)),
                        }
                    ],
                    "temperature": 0,
                    "max_tokens": 200 if json_mode else 8,
                }
                if json_mode:
                    body["response_format"] = {"type": "json_object"}
                ctx.sink.emit(ts, account, body, ip=ip, out_tokens=45 if json_mode else 2)


BENCHMARK = legit_text.fixed_benchmark()


def eval_researchers(ctx: Ctx, n_accounts: int) -> None:
    """Benchmark runs: CoT or logprob scoring of a fixed item set, in bursts; new models evaluated fast."""
    rng = ctx.rng
    campus = ipv4_block(rng, UNIVERSITY_PREFIXES)
    for index in range(n_accounts):
        if index % 2 == 0:  # labs share a campus NAT in pairs
            campus = ipv4_block(rng, UNIVERSITY_PREFIXES)
        ip = ipv4_in(campus, rng)
        agent = pick(rng, ("lm-eval/0.4.8 OpenAI/Python 1.59.7", "inspect_ai/0.3.71 OpenAI/Python 1.66.3"))
        account = ctx.account("eval_research", hard_negative=True, age_days=(400, 2200), user_agent=agent)
        n_runs = max(1, round(randint(rng, 1, 3) * min(ctx.volume * ctx.span, 3.0)))
        runs = [
            (int(t), pick(rng, ("nimbus-2", "nimbus-2-mini")))
            for t in profile_times(
                ctx.nrng, ctx.window, n_runs, "developer", pick(rng, (-5.0, 1.0, 8.0)), 0.5
            )
        ]
        if rng.random() < 0.6:  # evaluating the new model within hours of its release
            runs.append((ctx.window.release_ms + int(rng.uniform(1.0, 8.0) * HOUR_MS), NEW_MODEL))
        for start, model in runs:
            _benchmark_run(ctx, account, ip, start, model)


def _benchmark_run(ctx: Ctx, account: Any, ip: str, start: int, model: str) -> None:
    rng = ctx.rng
    items = BENCHMARK[: pick(rng, (120, 240))]
    mode = pick(rng, ("cot", "cot", "logprob", "sc"))
    # A harness with a fixed concurrency: near-regular completions, one item after another.
    mean_gap = 1000.0 / rng.uniform(2.0, 6.0)
    times = start + np.cumsum(ctx.nrng.uniform(0.1, 1.9, size=len(items)) * mean_gap).astype(np.int64)
    cot_prompt = pick(rng, legit_text.EVAL_COT_PROMPTS)
    for ts, (subject, question, options) in zip(times.tolist(), items, strict=False):
        body: dict[str, Any] = {"model": model, "temperature": 0}
        if mode == "logprob":
            prompt = legit_text.EVAL_DIRECT_PROMPT.format(subject=subject, question=question, options=options)
            body.update(max_tokens=1, logprobs=True, top_logprobs=pick(rng, (5, 10)))
            out = 1
        else:
            prompt = cot_prompt.format(subject=subject, question=question, options=options)
            body["max_tokens"] = 1024
            out = 260
            if mode == "sc":  # self-consistency sampling
                body.update(temperature=0.7, n=5)
        body["messages"] = [{"role": "user", "content": prompt}]
        ctx.sink.emit(ts, account, body, ip=ip, out_tokens=out)


def indie_devs(ctx: Ctx, n_accounts: int) -> None:
    """Many small developers; a share behind carrier-grade NAT, sharing public addresses."""
    rng = ctx.rng
    carrier_ips = [ipv4_in(ipv4_block(rng, MOBILE_PREFIXES), rng) for _ in range(max(2, n_accounts // 12))]
    shared_cards: list[str] = []
    window = ctx.window
    for _ in range(n_accounts):
        fresh = rng.random() < 0.15
        created = window.start_ms + int(rng.uniform(0, 0.9) * window.duration_ms) if fresh else None
        # Some small teams run two or three organisations on one company card.
        card = shared_cards[-1] if shared_cards and rng.random() < 0.08 else None
        account = ctx.account("indie_dev", created_ms=created, age_days=(5, 1000), payment=card)
        if card is None and rng.random() < 0.04:
            shared_cards.append(account.payment_fingerprint)
        roll = rng.random()
        if roll < 0.3:
            ips = [pick(rng, carrier_ips)]
        elif roll < 0.45:
            ips = [ipv6_host(rng)]
        else:
            block = ipv4_block(rng, RESIDENTIAL_PREFIXES)
            ips = [ipv4_in(block, rng) for _ in range(randint(rng, 1, 2))]
        tz = pick(rng, (-8.0, -5.0, -3.0, 0.0, 1.0, 2.0, 3.0, 5.5, 7.0, 8.0, 9.0))
        n_sessions = 1 + int(ctx.nrng.poisson(2.5 * ctx.volume * ctx.span))
        starts = profile_times(ctx.nrng, window, n_sessions, "developer", tz, 1.0, start_ms=created)
        model = pick(rng, ("nimbus-2-mini", "nimbus-2-mini", "nimbus-2", "nimbus-2-think"))
        curious = rng.random() < 0.4
        params = _dev_params(rng)
        for times in sessions(ctx.nrng, starts, mean_len=4.0, gap_median_s=40.0, gap_sigma=1.2):
            for ts in times.tolist():
                question = legit_text.dev_question(rng)
                body = {
                    "model": ctx.model_at(ts, model, 0.5, 0.6) if curious else model,
                    "messages": [{"role": "user", "content": question}],
                    **params,
                }
                ctx.sink.emit(ts, account, body, ip=pick(rng, ips), out_tokens=randint(rng, 20, 400))


def _dev_params(rng: Any) -> dict[str, Any]:
    params: dict[str, Any] = {}
    temperature = pick(rng, (None, None, 0.0, 0.2, 0.7, 1.0, 1.3))
    if temperature is not None:
        params["temperature"] = temperature
    budget = pick(rng, (None, None, 256, 1000, 4096, 16384, 32000))
    if budget is not None:
        params[pick(rng, ("max_tokens", "max_completion_tokens"))] = budget
    if rng.random() < 0.3:
        params["stream"] = True
    return params


def synthetic_data(ctx: Ctx, n_accounts: int) -> None:
    """A contracted synthetic-data programme for the customer's own support model: steady, 24/7."""
    rng = ctx.rng
    for _ in range(n_accounts):
        account = ctx.account(
            "synthetic_data",
            hard_negative=True,
            n_keys=2,
            age_days=(300, 1200),
            user_agent="python-httpx/0.28.1",
        )
        ips = egress_ips(rng, CLOUD_PREFIXES, 2)
        times = profile_times(ctx.nrng, ctx.window, ctx.count(1300, 1900), "flat")
        for ts in times.tolist():
            prompt = pick(rng, legit_text.SYNTH_PROMPTS).format(
                k=pick(rng, (10, 20, 25, 50)), intent=pick(rng, legit_text.SYNTH_INTENTS)
            )
            body = {
                "model": "nimbus-2",
                "messages": [{"role": "user", "content": prompt}],
                "temperature": 1.0,
                "max_tokens": 4000,
                "n": pick(rng, (1, 1, 2, 3)),
            }
            ctx.sink.emit(ts, account, body, ip=pick(rng, ips), out_tokens=1100)


def translation_service(ctx: Ctx, n_accounts: int) -> None:
    """A localisation service: fixed instruction per language pair, product copy, low temperature."""
    rng = ctx.rng
    for _ in range(n_accounts):
        account = ctx.account("translation", hard_negative=True, n_keys=3, age_days=(200, 900))
        ips = egress_ips(rng, CLOUD_PREFIXES, 3)
        for ts in profile_times(ctx.nrng, ctx.window, ctx.count(1100, 1700), "office", 1.0, 0.4).tolist():
            source, target = pick(rng, legit_text.TRANSLATION_PAIRS)
            system = (
                f"Translate the user's text from {source} to {target}. Keep placeholders such as "
                "{{name}} unchanged and preserve formatting. Output only the translation."
            )
            body = {
                "model": "nimbus-2-mini",
                "messages": [
                    {"role": "system", "content": system},
                    {"role": "user", "content": legit_text.translation_source(rng)},
                ],
                "temperature": 0.2,
                "max_tokens": 1000,
            }
            ctx.sink.emit(ts, account, body, ip=pick(rng, ips), out_tokens=60)


def support_bots(ctx: Ctx, n_accounts: int) -> None:
    """A retailer's support assistant with its own tools, multi-turn customer conversations."""
    rng = ctx.rng
    tools = [legit_text.tool_schema(name) for name in legit_text.SUPPORT_TOOLS]
    for _ in range(n_accounts):
        account = ctx.account("support_bot", hard_negative=True, n_keys=2, age_days=(150, 700))
        ips = egress_ips(rng, CLOUD_PREFIXES, 2)
        starts = profile_times(ctx.nrng, ctx.window, ctx.count(260, 400), "consumer", 1.0, 1.0)
        for times in sessions(ctx.nrng, starts, mean_len=3.5, gap_median_s=25.0):
            history: list[Message] = [{"role": "system", "content": legit_text.SUPPORT_SYSTEM}]
            for turn, ts in enumerate(times.tolist()):
                text = pick(rng, legit_text.SUPPORT_MESSAGES).format(n=randint(rng, 10000, 99999))
                history.append(
                    {"role": "user", "content": text if turn == 0 else pick(rng, ("ok", "thanks", text))}
                )
                body = {"model": "nimbus-2", "messages": list(history), "tools": tools, "temperature": 0.3}
                ctx.sink.emit(ts, account, body, ip=pick(rng, ips), out_tokens=70, finish="tool_calls")
                call = _tool_call(
                    rng, pick(rng, legit_text.SUPPORT_TOOLS), f"order-{randint(rng, 10000, 99999)}"
                )
                history.append({"role": "assistant", "content": None, "tool_calls": [call]})
                history.append(
                    {"role": "tool", "tool_call_id": call["id"], "content": '{"status": "in_transit"}'}
                )


def edu_math(ctx: Ctx, n_accounts: int) -> None:
    """An education app that asks for step-by-step explanations of school maths (a hard negative)."""
    rng = ctx.rng
    for _ in range(n_accounts):
        account = ctx.account("edu_math", hard_negative=True, n_keys=2, age_days=(200, 1100))
        ips = egress_ips(rng, CLOUD_PREFIXES, 3)
        tz = pick(rng, (-5.0, -8.0, 0.0, 10.0))
        starts = profile_times(ctx.nrng, ctx.window, ctx.count(380, 520), "school", tz, 0.7)
        for times in sessions(ctx.nrng, starts, mean_len=3.0, gap_median_s=70.0):
            history: list[Message] = [{"role": "system", "content": legit_text.EDU_SYSTEM}]
            for turn, ts in enumerate(times.tolist()):
                text = (
                    legit_text.school_problem(rng)
                    if turn == 0
                    else pick(rng, legit_text.EDU_FOLLOWUPS).format(n=randint(rng, 2, 99))
                )
                history.append({"role": "user", "content": text_parts(text)})
                body = {
                    "model": "nimbus-2-mini",
                    "messages": list(history),
                    "temperature": 0.3,
                    "max_tokens": 900,
                }
                ctx.sink.emit(ts, account, body, ip=pick(rng, ips), out_tokens=320)
                history.append(
                    {"role": "assistant", "content": "Step 1: write down what we know.\nStep 2: ..."}
                )


def labelling_vendor(ctx: Ctx, n_accounts: int) -> None:
    """A data-labelling vendor using the model as a judge on its own annotations, at small scale."""
    rng = ctx.rng
    for _ in range(n_accounts):
        account = ctx.account("labelling_vendor", hard_negative=True, age_days=(150, 600))
        ips = egress_ips(rng, RESIDENTIAL_PREFIXES, 2)
        for ts in profile_times(ctx.nrng, ctx.window, ctx.count(250, 420), "office", 5.5, 0.2).tolist():
            item, label = pick(rng, legit_text.LABEL_ITEMS)
            prompt = legit_text.LABEL_JUDGE.format(
                guide=pick(rng, legit_text.LABEL_GUIDES), item=item, label=label
            )
            body = {
                "model": "nimbus-2",
                "messages": [{"role": "user", "content": prompt}],
                "temperature": 0,
                "max_tokens": 120,
                "response_format": {"type": "json_object"},
            }
            ctx.sink.emit(ts, account, body, ip=pick(rng, ips), out_tokens=35)


def classroom(ctx: Ctx, n_accounts: int) -> None:
    """Students in a lab session: fresh accounts created together behind one campus NAT, one assignment."""
    rng, window = ctx.rng, ctx.window
    remaining = n_accounts
    while remaining > 0:
        size = min(remaining, randint(rng, 18, 40))
        remaining -= size
        tz = pick(rng, (-5.0, 0.0, 1.0, 8.0))
        lab = profile_times(ctx.nrng, window, 1, "office", tz, 0.0)
        if lab.size == 0:
            continue
        start = int(lab[0])
        campus = ipv4_block(rng, UNIVERSITY_PREFIXES)
        nat = [ipv4_in(campus, rng) for _ in range(randint(rng, 1, 3))]
        sponsored = payment_fp(rng) if rng.random() < 0.6 else None  # course credits on one grant
        for _ in range(size):
            created = start + int(rng.uniform(0, 35) * 60_000)
            account = ctx.account(
                "classroom", created_ms=created, hard_negative=True, payment=sponsored,
                user_agent="OpenAI/Python 1.68.2",
            )  # fmt: skip
            n = max(1, int(ctx.nrng.poisson(14 * ctx.volume)))
            times = np.sort(created + 60_000 + ctx.nrng.integers(0, 110 * 60_000, size=n))
            history: list[Message] = []
            for turn, ts in enumerate(times.tolist()):
                if turn == 0 or rng.random() < 0.25:
                    history = []
                    text = pick(rng, legit_text.CLASS_ASSIGNMENTS).format(
                        algo=pick(rng, legit_text.CLASS_ALGORITHMS),
                        xs=", ".join(str(randint(rng, 1, 99)) for _ in range(6)),
                    )
                else:
                    text = pick(rng, legit_text.CLASS_FOLLOWUPS)
                history.append({"role": "user", "content": text})
                body = {"model": "nimbus-2-mini", "messages": list(history)}
                ctx.sink.emit(ts, account, body, ip=pick(rng, nat), out_tokens=380)
                history.append(
                    {"role": "assistant", "content": "Sure. First, split the input in two halves..."}
                )


def agent_platform(ctx: Ctx, n_accounts: int) -> None:
    """An automation platform: each tenant workflow has its own tool set, so schemas vary across requests."""
    rng = ctx.rng
    for _ in range(n_accounts):
        account = ctx.account(
            "agent_platform", hard_negative=True, n_keys=randint(rng, 2, 5), age_days=(200, 900)
        )
        ips = egress_ips(rng, CLOUD_PREFIXES, randint(rng, 3, 6))
        workflows = [
            (
                pick(rng, legit_text.PLATFORM_GOALS),
                [
                    legit_text.tool_schema(name)
                    for name in rng.sample(legit_text.PLATFORM_TOOL_POOL, randint(rng, 2, 6))
                ],
            )
            for _ in range(randint(rng, 60, 160))
        ]
        weights = 1.0 / np.arange(1, len(workflows) + 1)  # a few tenants are busy, most are quiet
        starts = profile_times(
            ctx.nrng, ctx.window, ctx.count(250, 400), "office", pick(rng, (-5.0, 1.0)), 0.3
        )
        chosen = ctx.nrng.choice(len(workflows), size=starts.size, p=weights / weights.sum()).tolist()
        for times, index in zip(sessions(ctx.nrng, starts, 3.5, 3.0, 0.5), chosen, strict=True):
            goal, tools = workflows[index]
            history: list[Message] = [
                {
                    "role": "system",
                    "content": f"You are an automation agent built on FlowPilot. Workflow: {goal}",
                },
                {"role": "user", "content": f'Trigger payload: {{"id": {randint(rng, 1000, 99999)}}}'},
            ]
            for ts in times.tolist():
                body = {
                    "model": "nimbus-2",
                    "messages": list(history),
                    "tools": tools,
                    "parallel_tool_calls": rng.random() < 0.5,
                    "temperature": 0,
                }
                ctx.sink.emit(ts, account, body, ip=pick(rng, ips), out_tokens=90, finish="tool_calls")
                call = _tool_call(rng, pick(rng, tools)["function"]["name"], "ok")
                history.append({"role": "assistant", "content": None, "tool_calls": [call]})
                history.append({"role": "tool", "tool_call_id": call["id"], "content": '{"ok": true}'})


def api_reseller(ctx: Ctx, n_accounts: int) -> None:
    """A legitimate API aggregator: many downstream customers behind one organisation and a few egress IPs."""
    rng = ctx.rng
    for _ in range(n_accounts):
        account = ctx.account(
            "api_reseller", hard_negative=True, n_keys=randint(rng, 40, 90), age_days=(300, 1000),
            user_agent="hopgate-router/3.7",
        )  # fmt: skip
        ips = egress_ips(rng, CLOUD_PREFIXES, 4) + egress_ips(rng, CLOUD_PREFIXES, 4)
        models = ("nimbus-2-mini", "nimbus-2-mini", "nimbus-2", "nimbus-2-think")
        for ts in profile_times(ctx.nrng, ctx.window, ctx.count(2200, 3200), "developer", 0.0, 0.8).tolist():
            roll = rng.random()
            if roll < 0.5:
                text = legit_text.dev_question(rng)
            elif roll < 0.8:
                text = pick(rng, legit_text.CODING_TASKS)
            else:
                text = pick(rng, legit_text.CHAT_APPS)["openers"][0]
            body: dict[str, Any] = {
                "model": ctx.model_at(ts, pick(rng, models), 2.0, 0.3),  # routers add new models at once
                "messages": [{"role": "user", "content": text}],
                **_dev_params(rng),
            }
            key = pick(rng, account.api_keys)
            ctx.sink.emit(ts, account, body, ip=pick(rng, ips), out_tokens=randint(rng, 30, 600), key=key)
